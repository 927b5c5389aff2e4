// The per-table change log of point-in-time recovery: every committed item
// version of a table with PITR enabled, written in the same commit as the
// item (so the log never misses or invents a version), in a key space of
// its own (TableRuntime::pitr_log). The layout groups an item's versions
// together, in time order:
//
//   partition key  the item's partition key (the same partitions as the table)
//   sort key       esc(item sort key) time:u64be seq:u64be
//   value          u8(kind: 0 deleted, 1 put) [item]   item: model/item_codec
//
//   esc(b)  b with every 0x00 written as 0x00 0xFF, then 0x00 0x01
//   time    microseconds since the epoch of the write
//   seq     a process-wide counter (0 for the base copy made when PITR is
//           enabled), ordering versions of the same microsecond
//
// A restore to time T keeps, per item, the last version at or before T.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/engine.h"

namespace basalt::db {

struct ChangeLogKey {
  std::string item_sk;
  uint64_t time_us = 0;
  uint64_t seq = 0;
};

std::string ChangeLogSortKey(std::string_view item_sk, uint64_t time_us, uint64_t seq);
bool ParseChangeLogSortKey(std::string_view sk, ChangeLogKey* out);

// The next sequence number of the change-log records this process writes.
uint64_t NextChangeLogSeq();

// The record of one item write (new_value: the stored item, or nullopt for a
// deletion) at time `now` (epoch seconds), appended to `batch`.
void AppendChangeLog(storage::TableId log, std::string_view pk, std::string_view sk,
                     const std::optional<std::string_view>& new_value, double now,
                     std::vector<storage::PartitionWrite>* batch);

// A record's value: whether it is a put, and the stored item.
bool ParseChangeLogValue(std::string_view value, bool* put, std::string_view* item);

}  // namespace basalt::db
