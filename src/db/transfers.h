// The records of exports to and imports from S3 (ExportTableToPointInTime,
// ImportTable), which Basalt maps to a local directory tree: s3://B/P is
// EXPORT_ROOT/B/P. The records are stored in the MetaStore (transfers.cc has
// their byte format); one still IN_PROGRESS when Basalt starts was cut short
// and is reported FAILED. The jobs themselves live in api/ (the file formats
// are JSON) and run on the backups worker.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/engine.h"

namespace basalt::db {

struct ExportRecord {
  std::string id;  // "<14-digit epoch ms>-<8 hex>"
  std::string arn;
  std::string ns;
  std::string table_arn;
  std::string table_id;
  std::string status = "IN_PROGRESS";  // COMPLETED, FAILED
  double export_time = 0;
  double start_time = 0;
  double end_time = 0;
  std::string client_token;
  std::string bucket, bucket_owner, prefix, sse_algorithm, sse_kms_key_id;
  std::string format = "DYNAMODB_JSON";
  std::string type = "FULL_EXPORT";
  std::string manifest;  // ExportManifest: the key of manifest-summary.json
  int64_t item_count = 0;
  int64_t billed_size_bytes = 0;
  std::string failure_code, failure_message;
  // INCREMENTAL_EXPORT: the changes in [from, to), as NEW_IMAGE or NEW_AND_OLD_IMAGES.
  double from_time = 0;
  double to_time = 0;
  std::string view_type;
};

struct ImportRecord {
  std::string id;
  std::string arn;
  std::string ns;
  std::string table_arn;
  std::string table_id;
  std::string status = "IN_PROGRESS";  // COMPLETED, FAILED
  std::string client_token;
  std::string bucket, bucket_owner, key_prefix;
  std::string format;       // DYNAMODB_JSON, ION, CSV
  std::string compression;  // NONE, GZIP, ZSTD
  std::string csv_delimiter;
  std::vector<std::string> csv_header;
  std::string table_creation_json;  // TableCreationParameters as given, echoed
  double start_time = 0;
  double end_time = 0;
  int64_t processed_size_bytes = 0;
  int64_t processed_item_count = 0;
  int64_t imported_item_count = 0;
  int64_t error_count = 0;
  std::string failure_code, failure_message;
};

class Transfers {
 public:
  Transfers(storage::MetaStore* meta, std::string export_root) : meta_(meta), root_(std::move(export_root)) {}

  // Loads the records; those a stop cut short become FAILED.
  Status Open();

  // Where s3://bucket lives ("" when no --export-root was given).
  const std::string& root() const { return root_; }

  void PutExport(const ExportRecord& r) {
    std::lock_guard l(mu_);
    exports_[r.id] = r;
    Store(r);
  }
  std::optional<ExportRecord> GetExport(const std::string& id) {
    std::lock_guard l(mu_);
    auto it = exports_.find(id);
    if (it == exports_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<ExportRecord> Exports(const std::string& ns) {
    std::lock_guard l(mu_);
    std::vector<ExportRecord> out;
    for (const auto& [id, r] : exports_) {
      if (r.ns == ns) out.push_back(r);
    }
    return out;
  }
  void PutImport(const ImportRecord& r) {
    std::lock_guard l(mu_);
    imports_[r.id] = r;
    Store(r);
  }
  // Adds the record unless one with its id is there already (a job that
  // ended before its request answered).
  void PutImportIfAbsent(const ImportRecord& r) {
    std::lock_guard l(mu_);
    if (imports_.try_emplace(r.id, r).second) Store(r);
  }
  std::optional<ImportRecord> GetImport(const std::string& id) {
    std::lock_guard l(mu_);
    auto it = imports_.find(id);
    if (it == imports_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<ImportRecord> Imports(const std::string& ns) {
    std::lock_guard l(mu_);
    std::vector<ImportRecord> out;
    for (const auto& [id, r] : imports_) {
      if (r.ns == ns) out.push_back(r);
    }
    return out;
  }

 private:
  // Writes a record (a failure is logged: the record stays in memory).
  void Store(const ExportRecord& r);
  void Store(const ImportRecord& r);

  storage::MetaStore* meta_;
  std::string root_;
  std::mutex mu_;
  std::map<std::string, ExportRecord> exports_;  // by id
  std::map<std::string, ImportRecord> imports_;  // by id
};

}  // namespace basalt::db
