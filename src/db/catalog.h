// The set of tables, by region namespace and name, kept in memory and
// persisted in the engine's MetaStore.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "db/table_meta.h"
#include "storage/engine.h"

namespace basalt::db {

class Catalog {
 public:
  explicit Catalog(storage::MetaStore* meta) : meta_(meta) {}

  // Loads every stored table definition.
  Status Load();

  // The table's current definition, or null.
  std::shared_ptr<const TableMeta> Find(const std::string& ns, const std::string& name) const;

  // Tables of a namespace in name order, starting after `start_after`.
  std::vector<std::shared_ptr<const TableMeta>> List(const std::string& ns, const std::string& start_after,
                                                     size_t limit) const;
  size_t Count(const std::string& ns) const;
  // Every table of every namespace.
  std::vector<std::shared_ptr<const TableMeta>> All() const;

  // Adds a table, assigning the storage ids of the table and its indexes and
  // giving it a runtime that maintains those indexes. kResourceInUse if the
  // name is taken.
  Status Create(TableMeta meta, std::shared_ptr<const TableMeta>* created);
  // A storage id never handed out before (for an index added later).
  Result<storage::TableId> NewId();
  // Replaces a table's definition (same namespace, name and id).
  Status Update(std::shared_ptr<const TableMeta> meta);
  Status Remove(const TableMeta& meta);

 private:
  using Name = std::pair<std::string, std::string>;  // (ns, name)
  static std::string StoreKey(const std::string& ns, const std::string& name);
  // Takes `n` ids; the caller holds mu_.
  Result<storage::TableId> TakeIdsLocked(uint64_t n);

  storage::MetaStore* meta_;
  mutable std::shared_mutex mu_;
  std::map<Name, std::shared_ptr<const TableMeta>> tables_;  // guarded by mu_
  storage::TableId next_id_ = 1;                              // guarded by mu_
};

}  // namespace basalt::db
