// Bulk writes into a table no one else writes: a restore or an import fills
// a new table, held CREATING, with items and their index entries, many per
// commit, without the write path's per-item reads and preconditions (there
// is nothing to read and no writer to race).
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "db/table_meta.h"
#include "model/attribute_value.h"
#include "storage/engine.h"

namespace basalt::db {

class BulkLoader {
 public:
  // `table` must outlive the loader.
  BulkLoader(storage::Engine* engine, const TableMeta& table) : engine_(engine), table_(table) {}

  // Adds an item (its key already valid for the table; the value its stored
  // form). A later Add of the same key overwrites, as a PutItem would not
  // account for: callers add each key once.
  Status Add(std::string_view pk, std::string_view sk, std::string_view value);
  // Adds an item given as attributes, checking its key against the table.
  // A key added before is overwritten, as by a PutItem (ImportTable's rule).
  Status AddItem(const model::Item& item);
  // Commits what is pending.
  Status Flush();

  int64_t items() const { return items_; }
  int64_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kBatchItems = 512;

  storage::Engine* engine_;
  const TableMeta& table_;
  std::vector<storage::PartitionWrite> batch_;
  size_t pending_items_ = 0;
  int64_t pending_count_ = 0;
  int64_t pending_bytes_ = 0;
  int64_t items_ = 0;
  int64_t bytes_ = 0;
  std::unordered_set<std::string> seen_;  // keys added by AddItem

  // Overwrites an item already loaded (committed at once).
  Status Replace(const storage::Key& key, const model::Item& item, std::string value);
};

}  // namespace basalt::db
