// The per-table change log of point-in-time recovery: every committed item
// version of a table with PITR enabled, written in the same commit as the
// item (so the log never misses or invents a version), in a key space of
// its own (TableRuntime::pitr_log). A version is stored in one of two
// forms; readers read the second, which groups an item's versions
// together, in time order:
//
//   by commit   partition key  "" (empty: no item's partition key is)
//               sort key       0x00 0x02 time:u64be seq:u64be
//               value          entry*
//               entry          varint(len) pk varint(len) sk varint(len) version
//   by item     partition key  the item's partition key (the table's partitions)
//               sort key       esc(item sort key) 0x00 0x01 time:u64be seq:u64be
//               value          version
//
//   version     u8(kind: 0 deleted, 1 put) [item]   item: model/item_codec
//   esc(b)      b with every 0x00 written as 0x00 0xFF, then 0x00 0x01
//   time        microseconds since the epoch of the write
//   seq         a process-wide counter (0 for the base copy made when PITR is
//               enabled), ordering versions of the same microsecond
//
// Where one process writes the store (RocksDB), a commit writes one record
// by commit per log: one key, next to the last one, where a record by item
// was a key per item at a random place of the memtable's skiplist. With
// PITR on, BatchWriteItem of 25 items kept 0.88 of its throughput with PITR
// off, up from 0.72, and PutItem 0.84, up from 0.77 (bench/README.md).
// Readers first sort the records by commit up to the instant they read into
// records by item (SortChangeLog): a restore, an export or a trim pays the
// per-item insert once, instead of every write. Where front-ends share the
// store (RADOS), writers write by item, so that writers of different items
// never write one object.
//
// A restore to time T keeps, per item, the last version at or before T.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
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

// The record by item of one item write (new_value: the stored item, or
// nullopt for a deletion) at time `now` (epoch seconds), appended to `batch`.
void AppendChangeLog(storage::TableId log, std::string_view pk, std::string_view sk,
                     const std::optional<std::string_view>& new_value, double now,
                     std::vector<storage::PartitionWrite>* batch);

// The same write as an entry of a record by commit (`entries`); the record
// is appended to the commit's `batch` by AppendCommitRecord, once.
void AddToCommitRecord(std::string_view pk, std::string_view sk, const std::optional<std::string_view>& new_value,
                       std::string* entries);
void AppendCommitRecord(storage::TableId log, std::string entries, double now,
                        std::vector<storage::PartitionWrite>* batch);

// Whether a row of a log is a record by commit (readers of records by item
// pass over those a sort left, all later than what they read).
inline bool IsCommitRecord(const storage::Row& row) { return row.pk.empty(); }

// Rewrites the log's records by commit with times up to `up_to_us`
// (inclusive) as records by item, in time order. Each step puts the records
// by item of some records by commit and deletes those in one commit; a step
// repeated (after a stop) puts the same records again. Gives up, with an
// error, once `stopping` says so.
Status SortChangeLog(storage::Engine* engine, storage::TableId log, uint64_t up_to_us,
                     const std::function<bool()>& stopping);

// A record's value: whether it is a put, and the stored item.
bool ParseChangeLogValue(std::string_view value, bool* put, std::string_view* item);

}  // namespace basalt::db
