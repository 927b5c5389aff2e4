// The physical layout of keys in the embedded engine. Persistent: change it
// only with a migration.
//
//   meta key   := 0x00 name                               small metadata (MetaStore)
//   stats key  := 0x01 table:u64be                        ItemCount/TableSizeBytes (merge operands)
//   collection := 0x01 table:u64be esc(pk)                one partition's size (merge operands)
//   item key   := 0x02 table:u64be hash:u32be esc(pk) sk   one record
//   outbox key := 0x03 version:u64be index:u32be           a change-log record not yet shipped
//   log key    := 0x04 log:u64be seq:u64be                 a shipped change-log record
//
//   (The RocksDB engine keeps the 0x01 keys in a column family of their own:
//   rocksdb_parts.h, kStatsFamily.)
//
//   esc(pk)    := pk with every 0x00 written as 0x00 0xFF, then 0x00 0x01
//   hash       := PartitionHash(pk)
//
// The partition key and sort key bytes are the order-preserving encodings of
// model/key_encoding.h. The escaping makes esc(pk) prefix-free and keeps
// order, so all records of a partition are contiguous and sorted by sort key,
// and partitions are ordered by (hash, pk): a Scan walks partitions in hash
// order as DynamoDB does, and a parallel-scan segment is a contiguous hash
// range. The table id comes first so that a table is one contiguous range
// (DeleteTable is a range delete).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::storage {

inline constexpr char kMetaPrefix = 0x00;
inline constexpr char kStatsPrefix = 0x01;
inline constexpr char kItemPrefix = 0x02;
inline constexpr char kOutboxPrefix = 0x03;
inline constexpr char kLogPrefix = 0x04;

// A stable 32-bit hash of an encoded partition key. Persistent: the hash
// decides where records live, so it must never change.
uint32_t PartitionHash(std::string_view pk);

std::string MetaKey(std::string_view name);
std::string StatsKey(uint64_t table);
// The size counter of one partition (an item collection).
std::string CollectionKey(uint64_t table, std::string_view pk);
// The first key of a table's item range, and the first key past it.
std::string TableBegin(uint64_t table);
std::string TableEnd(uint64_t table);
// The prefix shared by all records of one partition.
std::string PartitionPrefix(uint64_t table, std::string_view pk);
std::string ItemKey(uint64_t table, std::string_view pk, std::string_view sk);

// Splits an item key of `table` into its partition key and sort key; false
// if `key` is not an item key of that table.
bool ParseItemKey(std::string_view key, uint64_t table, std::string* pk, std::string_view* sk);

// The outbox record `index` of the commit that took `version`.
std::string OutboxKey(uint64_t version, uint32_t index);
// Record `seq` of change log `log`.
std::string LogKey(uint64_t log, uint64_t seq);

// The first key of the partitions whose hash is at least `hash` (a value up
// to 2^32, which gives the end of the table).
std::string HashBegin(uint64_t table, uint64_t hash);

// The first hash value of segment `segment` out of `total` (total in
// 1..1,000,000); segment `total` begins at 2^32.
uint64_t SegmentHashBegin(uint32_t segment, uint32_t total);

}  // namespace basalt::storage
