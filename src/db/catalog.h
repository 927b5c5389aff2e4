// The set of tables, by region namespace and name, kept in memory and
// persisted in the engine's MetaStore. The catalog is the one owner of
// table definitions: a change stores the new definition, then publishes it
// to the table's writers (TableRuntime::live), and announces it to other
// front-ends sharing the store (MetaStore::Announce; they Refresh). Names
// and storage ids are taken with compare-and-put (MetaStore::PutIf), so two
// front-ends never create one table twice or hand out one id twice.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "db/table_meta.h"
#include "storage/engine.h"

namespace basalt::db {

class Catalog {
 public:
  Catalog(storage::MetaStore* meta, const Clock* clock) : meta_(meta), clock_(clock) {}

  // Loads every stored table definition.
  Status Load();
  // Re-reads the stored definitions, for the changes other front-ends
  // sharing the store made (CatalogFollower): new tables appear, deleted
  // ones are dropped, changed ones are published to their writers.
  Status Refresh();

  // The table's current definition, or null.
  std::shared_ptr<const TableMeta> Find(const std::string& ns, const std::string& name) const;
  // The table if it exists and is past CREATING; else DynamoDB's
  // ResourceNotFoundException (what every item operation answers).
  Result<std::shared_ptr<const TableMeta>> FindActive(const std::string& ns, const std::string& name) const;

  // Tables of a namespace in name order, starting after `start_after`.
  std::vector<std::shared_ptr<const TableMeta>> List(const std::string& ns, const std::string& start_after,
                                                     size_t limit) const;
  size_t Count(const std::string& ns) const;
  // Every table of every namespace.
  std::vector<std::shared_ptr<const TableMeta>> All() const;

  // Definition changes read the current definition, edit a copy and store it
  // (Create, Update, Remove) while holding this lock, so two changes to a
  // table never race. Taken before any table runtime's lock.
  std::unique_lock<std::mutex> LockDefinitions() { return std::unique_lock(definitions_mu_); }

  // Adds a table, assigning the storage ids of the table and its indexes and
  // giving it a runtime that maintains those indexes. kResourceInUse if the
  // name is taken.
  Status Create(TableMeta meta, std::shared_ptr<const TableMeta>* created);
  // A storage id never handed out before (for an index or stream added later).
  Result<storage::TableId> NewId();
  // Replaces a table's definition (same namespace, name and id) and publishes
  // it to the table's writers; `while_publishing` runs under the runtime's
  // exclusive lock with it (a change of the index set adjusts the backfill
  // cursors there, so no writer sees one without the other).
  Status Update(std::shared_ptr<const TableMeta> meta,
                const std::function<void(TableRuntime&)>& while_publishing = nullptr);
  // Removes a table. Its writers in flight finish first; later ones find it
  // dropped.
  Status Remove(const TableMeta& meta);

  // Sees every definition Update stores, after it is published, in the order
  // they are stored (callers hold LockDefinitions). Point-in-time recovery
  // keeps the definitions of its window (pitr_definitions.h). Set before the
  // catalog serves requests.
  using UpdateObserver = std::function<void(const TableMeta&)>;
  void ObserveUpdates(UpdateObserver observer) { observer_ = std::move(observer); }

 private:
  using Name = std::pair<std::string, std::string>;  // (ns, name)
  // Orders names, and finds one by views of its parts: a lookup built a
  // Name, two string copies (an allocation for most namespaces), ~600
  // instructions of every item request's two Finds (callgrind).
  struct NameLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      const int c = std::string_view(a.first).compare(b.first);
      return c != 0 ? c < 0 : std::string_view(a.second) < std::string_view(b.second);
    }
  };
  using NameView = std::pair<std::string_view, std::string_view>;
  static std::string StoreKey(const std::string& ns, const std::string& name);
  // Takes `n` ids; the caller holds mu_.
  Result<storage::TableId> TakeIdsLocked(uint64_t n);
  // Gives a loaded or created definition a runtime that follows it.
  static std::shared_ptr<const TableMeta> WithRuntime(TableMeta meta);
  // Tells a removed table's writers: those in flight finish, later ones find it dropped.
  static void Drop(const TableMeta& meta);

  storage::MetaStore* meta_;
  const Clock* clock_;
  std::mutex definitions_mu_;
  mutable std::shared_mutex mu_;
  std::map<Name, std::shared_ptr<const TableMeta>, NameLess> tables_;  // guarded by mu_
  UpdateObserver observer_;
};

}  // namespace basalt::db
