// The table operations: CreateTable, DescribeTable, UpdateTable, DeleteTable
// and ListTables, with the transient statuses (CREATING, UPDATING, DELETING)
// that -delayTransientStatuses stretches. The checks of a definition are in
// table_validation.h; a change is stored and published by the catalog.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/backfill.h"
#include "db/catalog.h"
#include "db/requests.h"
#include "db/table_streams.h"
#include "storage/engine.h"

namespace basalt::db {

class Tables {
 public:
  // `transient_seconds`: how long CREATING, UPDATING and DELETING last (0: not at all).
  Tables(storage::Engine* engine, Catalog* catalog, TableStreams* streams, IndexBackfill* backfill,
         const Clock* clock, double transient_seconds)
      : engine_(engine),
        catalog_(catalog),
        streams_(streams),
        backfill_(backfill),
        clock_(clock),
        transient_(transient_seconds) {}

  // `held_creating`: the table stays CREATING until its maker (a restore)
  // publishes a definition with a real active_at.
  Result<TableDescription> CreateTable(const Scope& scope, const CreateTableInput& in, bool held_creating = false);
  Result<TableDescription> DescribeTable(const Scope& scope, const std::string& name);
  Result<TableDescription> UpdateTable(const Scope& scope, const UpdateTableInput& in);
  Result<TableDescription> DeleteTable(const Scope& scope, const std::string& name);
  Result<ListTablesOutput> ListTables(const Scope& scope, const std::string& start_after, size_t limit);

  // Consulted by DeleteTable under the definitions lock: an error (a backup
  // reading the table) refuses the deletion.
  void SetDeleteGuard(std::function<Status(const TableMeta&)> guard) { delete_guard_ = std::move(guard); }

 private:
  std::string StatusOf(const TableMeta& meta) const;
  // ResourceInUse unless the table is ACTIVE (a definition change is under way).
  Status CheckNotChanging(const TableMeta& meta) const;
  TableDescription Describe(std::shared_ptr<const TableMeta> meta, std::string status);
  // The table being deleted under `name`, if its DELETING period has not
  // passed (forgetting those whose period has); the caller holds the
  // definitions lock.
  std::shared_ptr<const TableMeta> Deleting(const Scope& scope, const std::string& name);
  // Drops the key spaces of indexes that are gone.
  void DropIndexes(const std::vector<IndexMeta>& indexes);

  storage::Engine* engine_;
  Catalog* catalog_;
  TableStreams* streams_;
  IndexBackfill* backfill_;
  const Clock* clock_;
  double transient_;
  std::function<Status(const TableMeta&)> delete_guard_;
  struct Deleted {
    std::shared_ptr<const TableMeta> meta;
    double gone_at;
  };
  std::vector<Deleted> deleting_;  // guarded by the catalog's definitions lock
};

}  // namespace basalt::db
