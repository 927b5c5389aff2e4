// The definitions a table with point-in-time recovery has had in its
// window: a restore to time T creates the table as it was defined at T
// (its GSIs, LSIs, billing mode and throughput), as the service does, not
// as it is defined now. Each definition the catalog stores while PITR is on
// is kept with the time it took effect; the one in force at T is the last
// at or before T.
//
// Stored in the MetaStore, one entry per definition:
//   key    "pitr-def/" hex16(table id) "/" hex16(time in microseconds)
//   value  the definition (EncodeTableMeta, table_meta.cc)
// Fixed-width hex keeps a table's entries in time order.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "common/status.h"
#include "db/table_meta.h"
#include "storage/engine.h"

namespace basalt::db {

class DefinitionHistory {
 public:
  explicit DefinitionHistory(storage::MetaStore* meta) : meta_(meta) {}

  // `definition` is the table's from `time_us` on.
  Status Record(storage::TableId table, uint64_t time_us, const TableMeta& definition);
  // The definition in force at `time_us`: the last recorded at or before it
  // (the first recorded when `time_us` precedes them all); nullopt if none
  // was recorded.
  Result<std::optional<TableMeta>> At(storage::TableId table, uint64_t time_us);
  // Drops the definitions no instant at or after `horizon_us` needs: those
  // replaced at or before it.
  Status Trim(storage::TableId table, uint64_t horizon_us);
  // Drops every definition of the table.
  Status Forget(storage::TableId table);
  // Drops the definitions of every table not in `keep` (after a crash
  // between disabling PITR, or deleting its table, and forgetting them).
  Status ForgetAllBut(const std::set<storage::TableId>& keep);

 private:
  static std::string TablePrefix(storage::TableId table);
  // The table's entries in time order.
  Status List(storage::TableId table, std::vector<std::pair<std::string, std::string>>* out);
  static uint64_t TimeOf(std::string_view key);

  storage::MetaStore* meta_;
};

}  // namespace basalt::db
