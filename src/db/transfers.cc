// Stored export and import records (MetaStore keys "export/" id and
// "import/" id). Persistent; fields are appended, never reordered:
//
//   export := u8(format=1) str(id) str(arn) str(ns) str(table_arn) str(table_id) str(status)
//             f64(export_time) f64(start_time) f64(end_time) str(client_token) str(bucket)
//             str(bucket_owner) str(prefix) str(sse_algorithm) str(sse_kms_key_id) str(format)
//             str(type) str(manifest) varint(item_count) varint(billed_size_bytes)
//             str(failure_code) str(failure_message)
//             [f64(from_time) f64(to_time) str(view_type)]        absent in older records
//   import := u8(format=1) str(id) str(arn) str(ns) str(table_arn) str(table_id) str(status)
//             str(client_token) str(bucket) str(bucket_owner) str(key_prefix) str(format)
//             str(compression) str(csv_delimiter) varint(n) str(csv_header)* str(table_creation_json)
//             f64(start_time) f64(end_time) varint(processed_size_bytes) varint(processed_item_count)
//             varint(imported_item_count) varint(error_count) str(failure_code) str(failure_message)
#include "db/transfers.h"

#include <filesystem>

#include "common/coding.h"
#include "common/log.h"

namespace basalt::db {
namespace {

constexpr std::string_view kExportPrefix = "export/";
constexpr std::string_view kImportPrefix = "import/";
constexpr const char* kInterrupted = "Basalt stopped before the operation ended";

void PutStrings(std::string* out, std::initializer_list<const std::string*> fields) {
  for (const std::string* f : fields) PutLengthPrefixed(out, *f);
}

bool GetStrings(std::string_view* in, std::initializer_list<std::string*> fields) {
  for (std::string* f : fields) {
    if (!GetString(in, f)) return false;
  }
  return true;
}

void PutInts(std::string* out, std::initializer_list<int64_t> fields) {
  for (int64_t f : fields) PutVarint64(out, static_cast<uint64_t>(f));
}

bool GetInts(std::string_view* in, std::initializer_list<int64_t*> fields) {
  for (int64_t* f : fields) {
    uint64_t v;
    if (!GetVarint64(in, &v)) return false;
    *f = static_cast<int64_t>(v);
  }
  return true;
}

std::string Encode(const ExportRecord& r) {
  std::string out(1, '\1');
  PutStrings(&out, {&r.id, &r.arn, &r.ns, &r.table_arn, &r.table_id, &r.status});
  PutF64(&out, r.export_time);
  PutF64(&out, r.start_time);
  PutF64(&out, r.end_time);
  PutStrings(&out, {&r.client_token, &r.bucket, &r.bucket_owner, &r.prefix, &r.sse_algorithm, &r.sse_kms_key_id,
                    &r.format, &r.type, &r.manifest});
  PutInts(&out, {r.item_count, r.billed_size_bytes});
  PutStrings(&out, {&r.failure_code, &r.failure_message});
  PutF64(&out, r.from_time);
  PutF64(&out, r.to_time);
  PutLengthPrefixed(&out, r.view_type);
  return out;
}

bool Decode(std::string_view in, ExportRecord* r) {
  uint8_t format;
  bool ok = GetU8(&in, &format) && format == 1 &&
            GetStrings(&in, {&r->id, &r->arn, &r->ns, &r->table_arn, &r->table_id, &r->status}) &&
            GetF64(&in, &r->export_time) && GetF64(&in, &r->start_time) && GetF64(&in, &r->end_time) &&
            GetStrings(&in, {&r->client_token, &r->bucket, &r->bucket_owner, &r->prefix, &r->sse_algorithm,
                             &r->sse_kms_key_id, &r->format, &r->type, &r->manifest}) &&
            GetInts(&in, {&r->item_count, &r->billed_size_bytes}) &&
            GetStrings(&in, {&r->failure_code, &r->failure_message});
  if (!ok || in.empty()) return ok;
  return GetF64(&in, &r->from_time) && GetF64(&in, &r->to_time) && GetString(&in, &r->view_type);
}

std::string Encode(const ImportRecord& r) {
  std::string out(1, '\1');
  PutStrings(&out, {&r.id, &r.arn, &r.ns, &r.table_arn, &r.table_id, &r.status, &r.client_token, &r.bucket,
                    &r.bucket_owner, &r.key_prefix, &r.format, &r.compression, &r.csv_delimiter});
  PutVarint64(&out, r.csv_header.size());
  for (const auto& h : r.csv_header) PutLengthPrefixed(&out, h);
  PutLengthPrefixed(&out, r.table_creation_json);
  PutF64(&out, r.start_time);
  PutF64(&out, r.end_time);
  PutInts(&out, {r.processed_size_bytes, r.processed_item_count, r.imported_item_count, r.error_count});
  PutStrings(&out, {&r.failure_code, &r.failure_message});
  return out;
}

bool Decode(std::string_view in, ImportRecord* r) {
  uint8_t format;
  uint64_t n;
  if (!GetU8(&in, &format) || format != 1 ||
      !GetStrings(&in, {&r->id, &r->arn, &r->ns, &r->table_arn, &r->table_id, &r->status, &r->client_token,
                        &r->bucket, &r->bucket_owner, &r->key_prefix, &r->format, &r->compression,
                        &r->csv_delimiter}) ||
      !GetVarint64(&in, &n) || n > in.size()) {
    return false;
  }
  r->csv_header.resize(n);
  for (auto& h : r->csv_header) {
    if (!GetString(&in, &h)) return false;
  }
  return GetString(&in, &r->table_creation_json) && GetF64(&in, &r->start_time) && GetF64(&in, &r->end_time) &&
         GetInts(&in, {&r->processed_size_bytes, &r->processed_item_count, &r->imported_item_count,
                       &r->error_count}) &&
         GetStrings(&in, {&r->failure_code, &r->failure_message});
}

}  // namespace

Status Transfers::Open() {
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(meta_->List(kExportPrefix, &rows));
  std::lock_guard l(mu_);
  for (const auto& [key, value] : rows) {
    ExportRecord r;
    if (!Decode(value, &r)) return Status::Internal("corrupt export record");
    if (r.status == "IN_PROGRESS") {
      r.status = "FAILED";
      r.failure_code = "UNKNOWN";
      r.failure_message = kInterrupted;
      r.end_time = r.start_time;
      // The summary manifest is what marks an export whole: one the stop
      // left behind (written just before the record) goes.
      if (!root_.empty()) {
        std::string dir = root_ + "/" + r.bucket + "/" + r.prefix;
        if (!r.prefix.empty() && r.prefix.back() != '/') dir += "/";
        std::error_code ec;
        std::filesystem::remove(dir + "AWSDynamoDB/" + r.id + "/manifest-summary.json", ec);
      }
      Store(r);
    }
    exports_[r.id] = std::move(r);
  }
  rows.clear();
  BASALT_RETURN_IF_ERROR(meta_->List(kImportPrefix, &rows));
  for (const auto& [key, value] : rows) {
    ImportRecord r;
    if (!Decode(value, &r)) return Status::Internal("corrupt import record");
    if (r.status == "IN_PROGRESS") {  // its half-loaded table is removed by Backups::Open
      r.status = "FAILED";
      r.failure_code = "UNKNOWN";
      r.failure_message = kInterrupted;
      r.end_time = r.start_time;
      Store(r);
    }
    imports_[r.id] = std::move(r);
  }
  return Status::Ok();
}

void Transfers::Store(const ExportRecord& r) {
  if (Status st = meta_->Put(std::string(kExportPrefix) + r.id, Encode(r)); !st.ok()) {
    Log(LogLevel::kError, "storing export " + r.arn + " failed: " + st.message());
  }
}

void Transfers::Store(const ImportRecord& r) {
  if (Status st = meta_->Put(std::string(kImportPrefix) + r.id, Encode(r)); !st.ok()) {
    Log(LogLevel::kError, "storing import " + r.arn + " failed: " + st.message());
  }
}

}  // namespace basalt::db
