// ImportTable, DescribeImport and ListImports: a new table loaded from the
// objects under s3://bucket/prefix, which Basalt reads from
// <export-root>/bucket/prefix... (every regular file whose key starts with
// the prefix, as S3 lists it). DYNAMODB_JSON (lines of {"Item":{...}}, what
// exports write), ION (`{Item:{...}}` values, api/ion_reader.h) and CSV (a header line or HeaderList; key columns typed by
// the attribute definitions, the others Strings), uncompressed, GZIP or ZSTD.
// Lines that fail are counted in ErrorCount and end the import with
// FailureCode ItemValidationError, as the service reports them; the valid
// items stay imported. A later item with the same key overwrites.
#include <chrono>
#include <cmath>
#include <memory>

#include "api/handlers.h"
#include "api/ion_reader.h"
#include "api/table_decoding.h"
#include "api/table_description.h"
#include "api/transfer_files.h"
#include "common/base64.h"
#include "common/log.h"
#include "db/bulk_load.h"
#include "model/item.h"

namespace basalt::api {
namespace {

double Now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1e6;
}

void Field(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  WriteString(w, value);
}

// One CSV record's fields (RFC 4180 quoting), from `text` at `*pos`.
std::vector<std::string> CsvRecord(std::string_view text, size_t* pos, char delimiter) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  while (*pos < text.size()) {
    char c = text[(*pos)++];
    if (quoted) {
      if (c == '"' && *pos < text.size() && text[*pos] == '"') {
        fields.back().push_back('"');
        ++*pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      fields.emplace_back();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      fields.back().push_back(c);
    }
  }
  return fields;
}

Result<model::Item> JsonLineItem(std::string_view line) {
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  if (doc.HasParseError() || !doc.IsObject()) return Status::Validation("Unexpected token in the line");
  auto it = doc.FindMember("Item");
  if (it == doc.MemberEnd() || !it->value.IsObject()) return Status::Validation("The line has no Item object");
  return DecodeItem(it->value);
}

Result<model::Item> CsvItem(const std::vector<std::string>& header, const std::vector<std::string>& fields,
                            const db::TableMeta& table) {
  model::Item item;
  for (size_t i = 0; i < header.size() && i < fields.size(); ++i) {
    const std::string& name = header[i];
    const std::string& v = fields[i];
    const model::KeyAttribute* key = nullptr;
    for (const auto& a : table.attribute_definitions) {
      if (a.name == name) key = &a;
    }
    if (!key) {
      if (!v.empty()) item.emplace(name, model::AttributeValue::S(v));
      continue;
    }
    if (v.empty()) continue;
    if (key->type == model::Type::kN) {
      auto n = model::Number::Parse(v);
      if (!n.ok()) return Status::Validation("The value of " + name + " is not a number");
      item.emplace(name, model::AttributeValue::N(*n));
    } else if (key->type == model::Type::kB) {
      std::string bytes;
      if (!Base64Decode(v, &bytes)) return Status::Validation("The value of " + name + " is not base64");
      item.emplace(name, model::AttributeValue::B(std::move(bytes)));
    } else {
      item.emplace(name, model::AttributeValue::S(v));
    }
  }
  return item;
}

void WriteImportDescription(JsonWriter& w, const db::ImportRecord& r, const std::string& region, bool summary) {
  Field(w, "ImportArn", r.arn);
  Field(w, "ImportStatus", r.status);
  Field(w, "TableArn", r.table_arn);
  w.Key("S3BucketSource");
  w.StartObject();
  if (!r.bucket_owner.empty()) Field(w, "S3BucketOwner", r.bucket_owner);
  Field(w, "S3Bucket", r.bucket);
  if (!r.key_prefix.empty()) Field(w, "S3KeyPrefix", r.key_prefix);
  w.EndObject();
  Field(w, "CloudWatchLogGroupArn", "arn:aws:logs:" + region + ":000000000000:log-group:/aws-dynamodb/imports:*");
  Field(w, "InputFormat", r.format);
  w.Key("StartTime");
  w.Double(std::floor(r.start_time * 1000) / 1000);
  if (r.status != "IN_PROGRESS") {
    w.Key("EndTime");
    w.Double(std::floor(r.end_time * 1000) / 1000);
  }
  if (summary) return;
  Field(w, "TableId", r.table_id);
  if (!r.client_token.empty()) Field(w, "ClientToken", r.client_token);
  w.Key("ErrorCount");
  w.Int64(r.error_count);
  if (r.format == "CSV") {
    w.Key("InputFormatOptions");
    w.StartObject();
    w.Key("Csv");
    w.StartObject();
    if (!r.csv_delimiter.empty()) Field(w, "Delimiter", r.csv_delimiter);
    if (!r.csv_header.empty()) {
      w.Key("HeaderList");
      w.StartArray();
      for (const auto& h : r.csv_header) WriteString(w, h);
      w.EndArray();
    }
    w.EndObject();
    w.EndObject();
  }
  Field(w, "InputCompressionType", r.compression);
  w.Key("TableCreationParameters");
  w.RawValue(r.table_creation_json.data(), r.table_creation_json.size(), rapidjson::kObjectType);
  w.Key("ProcessedSizeBytes");
  w.Int64(r.processed_size_bytes);
  w.Key("ProcessedItemCount");
  w.Int64(r.processed_item_count);
  w.Key("ImportedItemCount");
  w.Int64(r.imported_item_count);
  if (!r.failure_code.empty()) {
    Field(w, "FailureCode", r.failure_code);
    Field(w, "FailureMessage", r.failure_message);
  }
}

// Loads the objects into the new table; counts into `r`.
Status LoadObjects(const std::string& root, db::ImportRecord* r, const db::TableMeta& table, db::BulkLoader& loader);

}  // namespace

Status ImportTable(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(const JsonValue* source, GetObject(req, "S3BucketSource"));
  std::optional<std::string> bucket, prefix, owner;
  if (!source) {
    errors.AddNull("s3BucketSource");
  } else {
    BASALT_ASSIGN_OR_RETURN(bucket, GetString(*source, "S3Bucket"));
    if (!bucket) errors.AddNull("s3BucketSource.s3Bucket");
    BASALT_ASSIGN_OR_RETURN(prefix, GetString(*source, "S3KeyPrefix"));
    BASALT_ASSIGN_OR_RETURN(owner, GetString(*source, "S3BucketOwner"));
  }
  BASALT_ASSIGN_OR_RETURN(auto format, GetEnum(req, "InputFormat", "inputFormat", {"DYNAMODB_JSON", "ION", "CSV"},
                                               "[DYNAMODB_JSON, ION, CSV]", &errors));
  if (!req.HasMember("InputFormat") || req["InputFormat"].IsNull()) errors.AddNull("inputFormat");
  BASALT_ASSIGN_OR_RETURN(auto compression, GetEnum(req, "InputCompressionType", "inputCompressionType",
                                                    {"GZIP", "ZSTD", "NONE"}, "[GZIP, ZSTD, NONE]", &errors));
  BASALT_ASSIGN_OR_RETURN(const JsonValue* params, GetObject(req, "TableCreationParameters"));
  if (!params) errors.AddNull("tableCreationParameters");
  BASALT_ASSIGN_OR_RETURN(auto token, GetString(req, "ClientToken"));
  BASALT_ASSIGN_OR_RETURN(const JsonValue* options, GetObject(req, "InputFormatOptions"));
  std::string delimiter;
  std::vector<std::string> header;
  if (options) {
    BASALT_ASSIGN_OR_RETURN(const JsonValue* csv, GetObject(*options, "Csv"));
    if (csv) {
      BASALT_ASSIGN_OR_RETURN(auto d, GetString(*csv, "Delimiter"));
      if (d && (d->size() != 1 || std::string_view(",;:|\t ").find((*d)[0]) == std::string_view::npos)) {
        errors.Add("'" + *d + "'", "inputFormatOptions.csv.delimiter",
                   "Member must satisfy regular expression pattern: [,;:|\\t ]");
      }
      delimiter = d.value_or("");
      BASALT_ASSIGN_OR_RETURN(const JsonValue* list, GetArray(*csv, "HeaderList"));
      if (list) {
        for (const auto& h : list->GetArray()) {
          if (!h.IsString()) return Status::Serialization(std::string(JsonKindName(h)) + " can not be converted to String");
          header.emplace_back(h.GetString(), h.GetStringLength());
        }
      }
    }
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  if (ctx.db->transfers().root().empty()) {
    return Status::Validation("Basalt was started without --export-root: imports need a directory standing for S3");
  }
  BASALT_ASSIGN_OR_RETURN(db::CreateTableInput in, DecodeCreateTable(*params));
  if (!in.local_indexes.empty()) return Status::Validation("ImportTable does not create local secondary indexes");
  if (token) {
    for (const db::ImportRecord& r : ctx.db->transfers().Imports(ctx.scope.ns)) {
      if (r.client_token == *token) {
        return Status(Code::kImportConflict, "Import with the same client token but different parameters already exists");
      }
    }
  }
  auto r = std::make_shared<db::ImportRecord>();
  r->start_time = Now();
  r->id = TransferId(r->start_time);
  r->ns = ctx.scope.ns;
  r->client_token = token.value_or("");
  r->bucket = *bucket;
  r->bucket_owner = owner.value_or("");
  r->key_prefix = prefix.value_or("");
  r->format = *format;
  r->compression = compression.value_or("NONE");
  r->csv_delimiter = delimiter;
  r->csv_header = header;
  {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    params->Accept(w);
    r->table_creation_json.assign(buf.GetString(), buf.GetSize());
  }
  r->table_arn = "arn:aws:dynamodb:" + ctx.scope.region + ":000000000000:table/" + in.name;
  r->arn = r->table_arn + "/import/" + r->id;
  db::ImportRecord initial = *r;  // the worker owns *r from here on
  std::string root = ctx.db->transfers().root();
  db::Database* db = ctx.db;
  auto load = [root, r, db](const db::TableMeta& table) {
    r->table_id = table.uuid;
    db::BulkLoader loader = db->backups().NewLoader(table);
    BASALT_RETURN_IF_ERROR(LoadObjects(root, r.get(), table, loader));
    r->imported_item_count = loader.items();
    return loader.Flush();
  };
  auto done = [r, db](const Status& st) {
    r->end_time = Now();
    if (st.ok()) {
      r->status = "COMPLETED";
      if (r->error_count > 0) {
        r->failure_code = "ItemValidationError";
        r->failure_message =
            "Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for "
            "more details.";
      }
    } else {
      r->status = "FAILED";
      if (r->failure_code.empty()) {
        r->failure_code = "UNKNOWN";
        r->failure_message = st.message();
      }
    }
    db->transfers().PutImport(*r);
  };
  auto created = ctx.db->backups().CreateAndLoad(ctx.scope, in, std::nullopt, load, done);
  if (!created.ok()) {
    if (created.status().code() == Code::kTableAlreadyExists) {
      return Status::InUse("Table already exists: " + in.name);
    }
    return created.status();
  }
  initial.table_id = created->meta->uuid;
  // The worker may have finished already; its record is the newer.
  ctx.db->transfers().PutImportIfAbsent(initial);
  out.StartObject();
  out.Key("ImportTableDescription");
  out.StartObject();
  WriteImportDescription(out, initial, ctx.scope.region, false);
  out.EndObject();
  out.EndObject();
  return Status::Ok();
}

namespace {

Status LoadObjects(const std::string& root, db::ImportRecord* r, const db::TableMeta& table, db::BulkLoader& loader) {
  std::string bucket_dir = root + "/" + r->bucket;
  if (!DirectoryExists(bucket_dir)) {
    r->failure_code = "S3NoSuchBucket";
    r->failure_message = "The specified bucket does not exist";
    return Status::IoError(r->failure_message);
  }
  char delimiter = r->csv_delimiter.empty() ? ',' : r->csv_delimiter[0];
  for (const std::string& key : ListObjects(bucket_dir, r->key_prefix)) {
    BASALT_ASSIGN_OR_RETURN(std::string data, ReadObject(bucket_dir + "/" + key));
    r->processed_size_bytes += static_cast<int64_t>(data.size());
    if (r->compression == "GZIP" || r->compression == "ZSTD") {
      auto text = r->compression == "GZIP" ? Gunzip(data) : Unzstd(data);
      if (!text.ok()) {
        r->failure_code = "InvalidCompression";  // not verified against the service
        r->failure_message = "Object " + key + " is not " + r->compression + " data";
        return Status::IoError(r->failure_message);
      }
      data = std::move(*text);
    }
    auto count = [&](const Result<model::Item>& item) -> Status {
      ++r->processed_item_count;
      Status st = item.ok() ? loader.AddItem(*item) : item.status();
      if (st.ok()) return st;
      if (st.code() == Code::kIoError || st.code() == Code::kInternal) return st;  // storage failed: the import fails
      ++r->error_count;
      Log(LogLevel::kDebug, "import " + r->id + ": " + key + ": " + st.message());
      return Status::Ok();
    };
    size_t pos = 0;
    if (r->format == "CSV") {
      std::vector<std::string> header = r->csv_header;
      if (header.empty() && pos < data.size()) header = CsvRecord(data, &pos, delimiter);
      while (pos < data.size()) {
        std::vector<std::string> fields = CsvRecord(data, &pos, delimiter);
        if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
        BASALT_RETURN_IF_ERROR(count(CsvItem(header, fields, table)));
      }
      continue;
    }
    if (r->format == "ION") {
      BASALT_RETURN_IF_ERROR(ReadIonItems(data, count));
      continue;
    }
    while (pos < data.size()) {
      size_t end = data.find('\n', pos);
      if (end == std::string::npos) end = data.size();
      std::string_view line(data.data() + pos, end - pos);
      pos = end + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      BASALT_RETURN_IF_ERROR(count(JsonLineItem(line)));
    }
  }
  return Status::Ok();
}

}  // namespace

Status DescribeImport(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto arn, GetString(req, "ImportArn"));
  if (!arn) errors.AddNull("importArn");
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  size_t pos = arn->rfind("/import/");
  auto r = pos == std::string::npos ? std::nullopt : ctx.db->transfers().GetImport(arn->substr(pos + 8));
  if (!r || r->ns != ctx.scope.ns || r->arn != *arn) {
    return Status(Code::kImportNotFound, "Import not found: " + *arn);
  }
  out.StartObject();
  out.Key("ImportTableDescription");
  out.StartObject();
  WriteImportDescription(out, *r, ctx.scope.region, false);
  out.EndObject();
  out.EndObject();
  return Status::Ok();
}

Status ListImports(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto table_arn, GetString(req, "TableArn"));
  BASALT_ASSIGN_OR_RETURN(auto size, GetInteger(req, "PageSize"));
  BASALT_ASSIGN_OR_RETURN(auto next, GetString(req, "NextToken"));
  if (size && *size < 1) {
    errors.Add("'" + std::to_string(*size) + "'", "pageSize", "Member must have value greater than or equal to 1");
  } else if (size && *size > 25) {
    errors.Add("'" + std::to_string(*size) + "'", "pageSize", "Member must have value less than or equal to 25");
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  std::vector<db::ImportRecord> all = ctx.db->transfers().Imports(ctx.scope.ns);  // in id (time) order
  size_t limit = static_cast<size_t>(size.value_or(25));
  out.StartObject();
  out.Key("ImportSummaryList");
  out.StartArray();
  size_t n = 0;
  std::optional<std::string> last;
  bool more = false;
  for (const db::ImportRecord& r : all) {
    if (table_arn && r.table_arn != *table_arn) continue;
    if (next && Hex(r.id) <= *next) continue;
    if (n == limit) {
      more = true;
      break;
    }
    out.StartObject();
    WriteImportDescription(out, r, ctx.scope.region, true);
    out.EndObject();
    ++n;
    last = r.id;
  }
  out.EndArray();
  // NextToken is hex, as the service's pattern ([0-9a-f]{16})+ requires.
  if (more) Field(out, "NextToken", Hex(*last));
  out.EndObject();
  return Status::Ok();
}

}  // namespace basalt::api
