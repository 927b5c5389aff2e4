#include "db/format_version.h"

#include <string>

namespace basalt::db {

namespace {
constexpr const char* kKey = "basalt_format_version";
}  // namespace

Status CheckFormatVersion(storage::MetaStore* meta) {
  std::optional<std::string> stored;
  BASALT_RETURN_IF_ERROR(meta->Get(kKey, &stored));
  // No stamp: data of format 1, the first (written before stamps existed, or
  // new). Not stamped here: a write at every first open would make RocksDB
  // preallocate a write-ahead log file in an otherwise empty directory; a
  // Basalt that raises the format stamps what it migrates.
  if (!stored) return Status::Ok();
  int version = 0;
  try {
    version = std::stoi(*stored);
  } catch (...) {
    return Status::Internal("corrupt format version stamp: '" + *stored + "'");
  }
  if (version > kFormatVersion) {
    return Status::Internal("this data was written by a newer Basalt (data format " + std::to_string(version) +
                            "); this Basalt reads data format " + std::to_string(kFormatVersion) +
                            " and older: run the newer Basalt, or restore a backup taken before the upgrade");
  }
  // Older formats would be migrated here (format 1 needs nothing).
  return Status::Ok();
}

Status StampFormatVersion(storage::MetaStore* meta) {
  std::optional<std::string> stored;
  BASALT_RETURN_IF_ERROR(meta->Get(kKey, &stored));
  if (stored == std::to_string(kFormatVersion)) return Status::Ok();
  return meta->Put(kKey, std::to_string(kFormatVersion));
}

}  // namespace basalt::db
