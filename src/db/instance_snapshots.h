// Instant snapshots for test suites (beyond DynamoDB): every table of a
// namespace, with its items, saved under a name and restored at once, so a
// suite loads its fixtures once and resets between tests.
//
// Save copies each table's items (from one storage snapshot: a consistent
// cut across the tables) into key spaces of the snapshot's own; Restore
// deletes every table of the namespace and recreates the saved ones (same
// names, definitions, TTL settings and tags; streams off), loading their
// items and rebuilding their indexes in bulk. Both run in the caller's
// request.
//
// Stored (MetaStore key "snapshot/" ns 0x00 name):
//   snapshot := u8(format=1) f64(created) varint(n) (str(table) varint(keyspace))*
//   table    := the definition as db/table_meta.cc encodes it
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/catalog.h"
#include "db/requests.h"
#include "storage/engine.h"

namespace basalt::db {

struct InstanceSnapshotInfo {
  std::string name;
  double created = 0;
  size_t tables = 0;
  int64_t items = 0;
};

class InstanceSnapshots {
 public:
  // `delete_table` deletes a table as DeleteTable does (with what hangs on it).
  InstanceSnapshots(storage::Engine* engine, Catalog* catalog, const Clock* clock,
                    std::function<Status(const Scope&, const std::string&)> delete_table)
      : engine_(engine), catalog_(catalog), clock_(clock), delete_table_(std::move(delete_table)) {}

  // Saves every table of the namespace under `name`, replacing a snapshot of that name.
  Result<InstanceSnapshotInfo> Save(const Scope& scope, const std::string& name);
  // Makes the namespace's tables those saved under `name` (kResourceNotFound if none).
  Result<InstanceSnapshotInfo> Restore(const Scope& scope, const std::string& name);
  Status Delete(const Scope& scope, const std::string& name);
  Result<std::vector<InstanceSnapshotInfo>> List(const Scope& scope);

 private:
  struct Saved {
    double created = 0;
    std::vector<std::pair<TableMeta, storage::TableId>> tables;  // definition, copy of its items
  };
  static std::string StoreKey(const std::string& ns, const std::string& name);
  static std::string Encode(const Saved& s);
  static Status Decode(std::string_view in, Saved* s);
  Status DropSaved(const Saved& s);

  storage::Engine* engine_;
  Catalog* catalog_;
  const Clock* clock_;
  std::function<Status(const Scope&, const std::string&)> delete_table_;
  std::mutex mu_;  // one save or restore at a time
};

}  // namespace basalt::db
