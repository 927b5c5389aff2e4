// ExportTableToPointInTime, DescribeExport and ListExports, writing AWS's
// export layout into the directory that stands for S3 (--export-root):
//
//   <root>/<bucket>/<prefix>/AWSDynamoDB/<ExportId>/_started                 empty, written first
//                                                   data/<name>.json.gz      gzip JSON Lines: {"Item":{...}}
//                                                   (data/<name>.ion.gz      ION: $ion_1_0 {Item:{...}} lines)
//                                                   manifest-files.json      a line per data file
//                                                   manifest-files.checksum  MD5 (hex) of manifest-files.json
//                                                   manifest-summary.json
//                                                   manifest-summary.checksum
//
// The items are the table's as of ExportTime, replayed from its point-in-time
// recovery log (PITR is required, as by the service), on the backups worker.
//
// An INCREMENTAL_EXPORT writes, once per item that changed in
// [ExportFromTime, ExportToTime), its last change, into the data folder its
// exports share (the manifests name the export's files):
//
//   <root>/<bucket>/<prefix>/AWSDynamoDB/data/<name>.json.gz
//     {"Metadata":{"WriteTimestampMicros":{"N":"..."}},"Keys":{...},"OldImage":{...},"NewImage":{...}}
//   (<name>.ion.gz   ION: $ion_1_0 {Metadata:{WriteTimestampMicros:...},Keys:{...},...} lines)
//
// OldImage (NEW_AND_OLD_IMAGES only) is the item before the window, NewImage
// its last image in it; either is absent where the item did not exist (a
// deleted item has no NewImage). An item created and deleted inside the
// window is left out: it has no image to name its key by.
#include <chrono>
#include <cmath>

#include "api/handlers.h"
#include "api/ion_text.h"
#include "api/transfer_files.h"
#include "common/base64.h"
#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::api {
namespace {

constexpr int64_t kItemsPerFile = 100000;

double Now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1e6;
}

std::string TableOfArn(const std::string& arn) {
  size_t pos = arn.find(":table/");
  if (pos == std::string::npos) return "";
  std::string name = arn.substr(pos + 7);
  return name.substr(0, name.find('/'));
}

std::string Join(const std::string& prefix, const std::string& rest) {
  if (prefix.empty()) return rest;
  return prefix.back() == '/' ? prefix + rest : prefix + "/" + rest;
}

std::string JsonText(const std::function<void(JsonWriter&)>& write) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  write(w);
  return std::string(buf.GetString(), buf.GetSize());
}

void Field(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  WriteString(w, value);
}

// The line of one changed item in an incremental export.
Status ChangeLine(const db::PointInTimeRecovery::Change& c, const std::vector<std::string>& key_names,
                  bool old_images, bool ion, std::string* line, int64_t* size) {
  std::optional<model::Item> old_item, new_item;
  for (auto [stored, item] : {std::pair{&c.old_item, &old_item}, std::pair{&c.new_item, &new_item}}) {
    if (!*stored) continue;
    item->emplace();
    BASALT_RETURN_IF_ERROR(model::DecodeItem(**stored, &**item));
  }
  const model::Item& any = new_item ? *new_item : *old_item;
  model::Item keys;
  for (const std::string& name : key_names) {
    auto it = any.find(name);
    if (it != any.end()) keys.emplace(it->first, it->second);
  }
  *size = static_cast<int64_t>(model::ItemSize(new_item ? *new_item : keys));
  if (ion) {
    *line = IonChangeLine(c.time_us, keys, old_images && old_item ? &*old_item : nullptr,
                          new_item ? &*new_item : nullptr);
    return Status::Ok();
  }
  *line = JsonText([&](JsonWriter& w) {
    w.StartObject();
    w.Key("Metadata");
    w.StartObject();
    w.Key("WriteTimestampMicros");
    w.StartObject();
    Field(w, "N", std::to_string(c.time_us));
    w.EndObject();
    w.EndObject();
    w.Key("Keys");
    WriteItem(w, keys);
    if (old_images && old_item) {
      w.Key("OldImage");
      WriteItem(w, *old_item);
    }
    if (new_item) {
      w.Key("NewImage");
      WriteItem(w, *new_item);
    }
    w.EndObject();
  });
  return Status::Ok();
}

// Runs the export on the worker and records how it ended.
void RunExport(db::Database* db, db::Scope scope, db::ExportRecord r, std::optional<double> time,
               std::vector<std::string> key_names) {
  const bool incremental = r.type == "INCREMENTAL_EXPORT";
  const bool ion = r.format == "ION";
  std::string base = Join(r.prefix, "AWSDynamoDB/" + r.id + "/");
  std::string data = incremental ? Join(r.prefix, "AWSDynamoDB/data/") : base + "data/";
  std::string dir = db->transfers().root() + "/" + r.bucket + "/";
  std::string manifest_files;
  std::string lines;
  int64_t in_file = 0;
  auto flush_file = [&]() -> Status {
    std::string gz = Gzip(lines);
    std::string key = data + RandomName(26) + (ion ? ".ion.gz" : ".json.gz");
    BASALT_RETURN_IF_ERROR(WriteObject(dir + key, gz));
    std::string md5 = Md5(gz);
    manifest_files += JsonText([&](JsonWriter& w) {
      w.StartObject();
      w.Key("itemCount");
      w.Int64(in_file);
      Field(w, "md5Checksum", Base64Encode(md5));
      Field(w, "etag", Hex(md5));
      Field(w, "dataFileS3Key", key);
      w.EndObject();
    }) + "\n";
    lines.clear();
    in_file = 0;
    return Status::Ok();
  };
  double at = 0;
  Status st = WriteObject(dir + base + "_started", "");
  if (st.ok() && incremental) {
    at = r.to_time;
    st = db->pitr().ChangesBetween(scope, TableOfArn(r.table_arn), r.from_time, r.to_time,
                                   [&](const db::PointInTimeRecovery::Change& c) -> Status {
                                     if (!c.old_item && !c.new_item) return Status::Ok();
                                     std::string line;
                                     int64_t size = 0;
                                     BASALT_RETURN_IF_ERROR(
                                         ChangeLine(c, key_names, r.view_type != "NEW_IMAGE", ion, &line, &size));
                                     lines += line;
                                     lines.push_back('\n');
                                     r.billed_size_bytes += size;
                                     ++r.item_count;
                                     if (++in_file >= kItemsPerFile) return flush_file();
                                     return Status::Ok();
                                   });
  } else if (st.ok()) {
    st = db->pitr().ReadAt(
        scope, TableOfArn(r.table_arn), time,
        [&](std::string_view, std::string_view, std::string_view stored) -> Status {
          model::Item item;
          BASALT_RETURN_IF_ERROR(model::DecodeItem(stored, &item));
          r.billed_size_bytes += static_cast<int64_t>(model::ItemSize(item));
          if (ion) {
            lines += IonItemLine(item);
          } else {
            lines += JsonText([&](JsonWriter& w) {
              w.StartObject();
              w.Key("Item");
              WriteItem(w, item);
              w.EndObject();
            });
          }
          lines.push_back('\n');
          ++r.item_count;
          if (++in_file >= kItemsPerFile) return flush_file();
          return Status::Ok();
        },
        &at);
  }
  if (st.ok() && (in_file > 0 || manifest_files.empty())) st = flush_file();
  if (!incremental) r.export_time = std::floor(at);
  r.end_time = Now();
  std::string files_key = base + "manifest-files.json";
  if (st.ok()) st = WriteObject(dir + files_key, manifest_files);
  if (st.ok()) st = WriteObject(dir + base + "manifest-files.checksum", Hex(Md5(manifest_files)));
  std::string summary = JsonText([&](JsonWriter& w) {
    w.StartObject();
    Field(w, "version", "2020-06-30");
    Field(w, "exportArn", r.arn);
    Field(w, "startTime", IsoTime(r.start_time));
    Field(w, "endTime", IsoTime(r.end_time));
    Field(w, "tableArn", r.table_arn);
    Field(w, "tableId", r.table_id);
    if (incremental) {
      Field(w, "exportFromTime", IsoTime(r.from_time));
      Field(w, "exportToTime", IsoTime(r.to_time));
      Field(w, "exportViewType", r.view_type);
    } else {
      Field(w, "exportTime", IsoTime(r.export_time));
    }
    Field(w, "s3Bucket", r.bucket);
    w.Key("s3Prefix");
    if (r.prefix.empty()) w.Null(); else WriteString(w, r.prefix);
    w.Key("s3SseAlgorithm");
    WriteString(w, r.sse_algorithm.empty() ? "AES256" : r.sse_algorithm);
    w.Key("s3SseKmsKeyId");
    if (r.sse_kms_key_id.empty()) w.Null(); else WriteString(w, r.sse_kms_key_id);
    Field(w, "manifestFilesS3Key", files_key);
    w.Key("billedSizeBytes");
    w.Int64(r.billed_size_bytes);
    w.Key("itemCount");
    w.Int64(r.item_count);
    Field(w, "outputFormat", r.format);
    Field(w, "exportType", r.type);
    w.EndObject();
  });
  r.manifest = base + "manifest-summary.json";
  if (st.ok()) st = WriteObject(dir + r.manifest, summary);
  if (st.ok()) st = WriteObject(dir + base + "manifest-summary.checksum", Hex(Md5(summary)));
  if (st.ok()) {
    r.status = "COMPLETED";
  } else {
    r.status = "FAILED";
    r.failure_code = "UNKNOWN";
    r.failure_message = st.message();
  }
  db->transfers().PutExport(r);
}

void WriteExportDescription(JsonWriter& w, const db::ExportRecord& r) {
  w.Key("ExportDescription");
  w.StartObject();
  Field(w, "ExportArn", r.arn);
  Field(w, "ExportStatus", r.status);
  w.Key("StartTime");
  w.Double(std::floor(r.start_time * 1000) / 1000);
  if (r.status != "IN_PROGRESS") {
    w.Key("EndTime");
    w.Double(std::floor(r.end_time * 1000) / 1000);
  }
  if (!r.manifest.empty() && r.status == "COMPLETED") Field(w, "ExportManifest", r.manifest);
  Field(w, "TableArn", r.table_arn);
  Field(w, "TableId", r.table_id);
  if (r.export_time > 0) {
    w.Key("ExportTime");
    w.Double(r.export_time);
  }
  if (!r.client_token.empty()) Field(w, "ClientToken", r.client_token);
  Field(w, "S3Bucket", r.bucket);
  if (!r.bucket_owner.empty()) Field(w, "S3BucketOwner", r.bucket_owner);
  if (!r.prefix.empty()) Field(w, "S3Prefix", r.prefix);
  Field(w, "S3SseAlgorithm", r.sse_algorithm.empty() ? "AES256" : r.sse_algorithm);
  if (!r.sse_kms_key_id.empty()) Field(w, "S3SseKmsKeyId", r.sse_kms_key_id);
  if (!r.failure_code.empty()) {
    Field(w, "FailureCode", r.failure_code);
    Field(w, "FailureMessage", r.failure_message);
  }
  Field(w, "ExportFormat", r.format);
  w.Key("BilledSizeBytes");
  w.Int64(r.billed_size_bytes);
  w.Key("ItemCount");
  w.Int64(r.item_count);
  Field(w, "ExportType", r.type);
  if (r.type == "INCREMENTAL_EXPORT") {
    w.Key("IncrementalExportSpecification");
    w.StartObject();
    w.Key("ExportFromTime");
    w.Double(r.from_time);
    w.Key("ExportToTime");
    w.Double(r.to_time);
    Field(w, "ExportViewType", r.view_type);
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

Status ExportTableToPointInTime(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto table_arn, GetString(req, "TableArn"));
  if (!table_arn) errors.AddNull("tableArn");
  BASALT_ASSIGN_OR_RETURN(auto bucket, GetString(req, "S3Bucket"));
  if (!bucket) errors.AddNull("s3Bucket");
  BASALT_ASSIGN_OR_RETURN(auto format, GetEnum(req, "ExportFormat", "exportFormat", {"DYNAMODB_JSON", "ION"},
                                               "[DYNAMODB_JSON, ION]", &errors));
  BASALT_ASSIGN_OR_RETURN(auto type, GetEnum(req, "ExportType", "exportType", {"FULL_EXPORT", "INCREMENTAL_EXPORT"},
                                             "[FULL_EXPORT, INCREMENTAL_EXPORT]", &errors));
  BASALT_ASSIGN_OR_RETURN(auto sse, GetEnum(req, "S3SseAlgorithm", "s3SseAlgorithm", {"AES256", "KMS"},
                                            "[AES256, KMS]", &errors));
  BASALT_ASSIGN_OR_RETURN(auto prefix, GetString(req, "S3Prefix"));
  BASALT_ASSIGN_OR_RETURN(auto owner, GetString(req, "S3BucketOwner"));
  BASALT_ASSIGN_OR_RETURN(auto kms, GetString(req, "S3SseKmsKeyId"));
  BASALT_ASSIGN_OR_RETURN(auto token, GetString(req, "ClientToken"));
  std::optional<double> time;
  auto t = req.FindMember("ExportTime");
  if (t != req.MemberEnd() && !t->value.IsNull()) {
    if (!t->value.IsNumber()) return Status::Serialization(std::string(JsonKindName(t->value)) + " can not be converted to Date");
    time = t->value.GetDouble();
  }
  const bool incremental = type && *type == "INCREMENTAL_EXPORT";
  std::optional<double> from, to;
  std::optional<std::string> view;
  BASALT_ASSIGN_OR_RETURN(const JsonValue* spec, GetObject(req, "IncrementalExportSpecification"));
  if (spec) {
    for (auto [name, out] : {std::pair{"ExportFromTime", &from}, std::pair{"ExportToTime", &to}}) {
      auto m = spec->FindMember(name);
      if (m == spec->MemberEnd() || m->value.IsNull()) continue;
      if (!m->value.IsNumber()) {
        return Status::Serialization(std::string(JsonKindName(m->value)) + " can not be converted to Date");
      }
      *out = m->value.GetDouble();
    }
    BASALT_ASSIGN_OR_RETURN(view, GetEnum(*spec, "ExportViewType", "incrementalExportSpecification.exportViewType",
                                          {"NEW_IMAGE", "NEW_AND_OLD_IMAGES"}, "[NEW_IMAGE, NEW_AND_OLD_IMAGES]",
                                          &errors));
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  // The service's wording for these is not documented.
  if (incremental && !from) {
    return Status::Validation("IncrementalExportSpecification.ExportFromTime is required for an INCREMENTAL_EXPORT");
  }
  if (incremental && time) return Status::Validation("ExportTime cannot be given for an INCREMENTAL_EXPORT");
  if (ctx.db->transfers().root().empty()) {
    return Status::Validation("Basalt was started without --export-root: exports need a directory standing for S3");
  }
  std::string table = TableOfArn(*table_arn);
  auto described = ctx.db->DescribeTable(ctx.scope, table);
  if (!described.ok()) return Status(Code::kTableNotFound, "Table not found: " + table);
  if (token) {
    for (const db::ExportRecord& r : ctx.db->transfers().Exports(ctx.scope.ns)) {
      if (r.client_token != *token) continue;
      if (r.table_arn != *table_arn || r.bucket != *bucket) {
        return Status(Code::kExportConflict, "Export with the same client token but different parameters already exists");
      }
      out.StartObject();
      WriteExportDescription(out, r);
      out.EndObject();
      return Status::Ok();
    }
  }
  // The errors of the point in time, now rather than as a failed export.
  BASALT_ASSIGN_OR_RETURN(db::ContinuousBackupsDescription pitr, ctx.db->pitr().Describe(ctx.scope, table));
  if (!pitr.pitr_enabled) {
    return Status(Code::kPointInTimeRecoveryUnavailable,
                  "Point in time recovery is not enabled for table '" + table + "'");
  }
  if (time && (*time < std::floor(pitr.earliest * 1000) / 1000 || *time > pitr.latest)) {
    return Status(Code::kInvalidExportTime, "Export time must be within the point in time recovery window of the table");
  }
  if (incremental) {
    if (!to) to = pitr.latest;
    if (*from < std::floor(pitr.earliest * 1000) / 1000 || *to > pitr.latest || *from >= *to) {
      return Status(Code::kInvalidExportTime,
                    "Export time must be within the point in time recovery window of the table");
    }
    if (*to - *from > 24 * 3600) {
      return Status::Validation("The incremental export period must be at most 24 hours");
    }
  }
  db::ExportRecord r;
  r.start_time = Now();
  r.id = TransferId(r.start_time);
  r.arn = described->meta->Arn() + "/export/" + r.id;
  r.ns = ctx.scope.ns;
  r.table_arn = described->meta->Arn();
  r.table_id = described->meta->uuid;
  r.client_token = token.value_or("");
  r.bucket = *bucket;
  r.bucket_owner = owner.value_or("");
  r.prefix = prefix.value_or("");
  r.sse_algorithm = sse.value_or("");
  r.sse_kms_key_id = kms.value_or("");
  r.format = format.value_or("DYNAMODB_JSON");
  if (time) r.export_time = std::floor(*time);
  if (incremental) {
    r.type = "INCREMENTAL_EXPORT";
    r.from_time = *from;
    r.to_time = *to;
    r.view_type = view.value_or("NEW_AND_OLD_IMAGES");
  }
  std::vector<std::string> key_names;
  for (const model::KeyAttribute* a : model::KeyAttributes(described->meta->key_schema)) key_names.push_back(a->name);
  ctx.db->transfers().PutExport(r);
  db::Database* db = ctx.db;
  db::Scope scope = ctx.scope;
  db->backups().RunInBackground([db, scope, r, time, key_names] { RunExport(db, scope, r, time, key_names); });
  out.StartObject();
  WriteExportDescription(out, r);
  out.EndObject();
  return Status::Ok();
}

Status DescribeExport(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto arn, GetString(req, "ExportArn"));
  if (!arn) errors.AddNull("exportArn");
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  size_t pos = arn->rfind("/export/");
  auto r = pos == std::string::npos ? std::nullopt : ctx.db->transfers().GetExport(arn->substr(pos + 8));
  if (!r || r->ns != ctx.scope.ns || r->arn != *arn) {
    return Status(Code::kExportNotFound, "Export not found: " + *arn);
  }
  out.StartObject();
  WriteExportDescription(out, *r);
  out.EndObject();
  return Status::Ok();
}

Status ListExports(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto table_arn, GetString(req, "TableArn"));
  BASALT_ASSIGN_OR_RETURN(auto max, GetInteger(req, "MaxResults"));
  BASALT_ASSIGN_OR_RETURN(auto next, GetString(req, "NextToken"));
  if (max && *max < 1) {
    errors.Add("'" + std::to_string(*max) + "'", "maxResults", "Member must have value greater than or equal to 1");
  } else if (max && *max > 25) {
    errors.Add("'" + std::to_string(*max) + "'", "maxResults", "Member must have value less than or equal to 25");
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  std::vector<db::ExportRecord> all = ctx.db->transfers().Exports(ctx.scope.ns);
  // Reverse alphanumeric order of ExportArn, as the service lists them.
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.arn > b.arn; });
  size_t limit = static_cast<size_t>(max.value_or(25));
  out.StartObject();
  out.Key("ExportSummaries");
  out.StartArray();
  size_t n = 0;
  std::optional<std::string> last;
  for (const db::ExportRecord& r : all) {
    if (table_arn && r.table_arn != *table_arn) continue;
    if (next && r.arn >= *next) continue;
    if (n == limit) break;
    out.StartObject();
    Field(out, "ExportArn", r.arn);
    Field(out, "ExportStatus", r.status);
    Field(out, "ExportType", r.type);
    out.EndObject();
    ++n;
    last = r.arn;
  }
  out.EndArray();
  bool more = false;
  for (const db::ExportRecord& r : all) {
    if ((!table_arn || r.table_arn == *table_arn) && last && r.arn < *last) more = true;
  }
  if (more && n == limit) Field(out, "NextToken", *last);
  out.EndObject();
  return Status::Ok();
}

}  // namespace basalt::api
