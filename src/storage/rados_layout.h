// The layout of Basalt's data in a Ceph RADOS pool (the rados engine,
// rados_engine.cc). Persistent: change it only with a migration.
//
// Objects, by namespace:
//
//   namespace ""  (the engine's own objects)
//     "basalt.meta"            xattr "next_version" := decimal u64   the count front-ends take their version slot
//                                                                    from (rados_commit.cc; it counted versions once)
//                              omap  'M' name                        MetaStore entry
//                                    'L' log:u64be seq:u64be         a shipped change-log record
//                                    'S' partition-ref               the partition's shipped-through mark :=
//                                                                    version:u64be index:u32be (gone with its last record)
//                                    'S'                             one mark for every partition (an earlier
//                                                                    Basalt's; split into marks per partition at open)
//     "basalt.outbox"          omap  partition-ref -> ""             partitions that may hold outbox records
//     "basalt.index-outbox"    omap  partition-ref -> version:u64be  partitions that may hold index changes, with
//                                                                    the largest version of a commit noted there
//     "basalt.txn." hex16(v)   data  intent                          the record of a multi-partition commit
//                              xattr "state" := "P" | "C" | "A"      pending, committed, aborted (rados_txn.cc)
//                              xattr "t" := decimal ms               when it was created (Unix time)
//                              (a record without "state" is an earlier Basalt's redo intent: applied at open)
//
//   namespace TableNamespace(table) := "t" hex16(table)
//     PartitionObject(pk)      one object per partition (table + partition key)
//                              xattr "pk" := pk                      the partition key, whole
//                              xattr "v"  := decimal u64             version of the last commit (compare-and-set);
//                                                                    each commit's is above the one it replaces
//                              omap  'i' sk -> version:varint value  a record (item or index entry)
//                                    'c'    -> items:i64be bytes:i64be collection:i64be   counters
//                                    'o' version:u64be index:u32be -> log:varint value   outbox record
//                                    'g' version:u64be index:u32be -> change   an index change, applied to the
//                                                                    GSIs after the commit (db/index_propagation.h)
//                                    'x'    -> txn:u64be intent      the partition's share of a commit in
//                                                                    progress (one plan; at most one)
//
//   PartitionObject(pk) := hex8(PartitionHash(pk)) "." hex(pk)                    when pk is at most 900 bytes
//                        | hex8(PartitionHash(pk)) "~" hex(pk[0..900)) hex16(h1) hex16(h2)   otherwise
//                          (h1, h2: two 64-bit hashes of the whole pk; the "pk" xattr holds it)
//   partition-ref       := TableNamespace(table) "/" PartitionObject(pk)
//   version             := micros:u52 slot:u12, as one u64 (a hybrid logical clock; rados_commit.cc)
//
//   intent   := plans:varint plan*
//   plan     := table:u64be pk:str exists:u8 old_version:u64be new_version:u64be
//               sets:varint (key:str value:str)* removes:varint key:str*
//   str      := length:varint bytes
//
// Omap keys compare bytewise, as RocksDB's do, so a partition's records are
// in sort-key order under 'i'. The object name starts with the partition
// hash, so a listing sorted by name is in (hash, escaped pk) order for the
// short names; ScanSegment sorts by (hash, pk) itself (RADOS lists objects
// in its own placement order).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::storage::rados_layout {

inline constexpr std::string_view kMetaObject = "basalt.meta";
inline constexpr std::string_view kOutboxObject = "basalt.outbox";
inline constexpr std::string_view kIndexOutboxObject = "basalt.index-outbox";
inline constexpr std::string_view kIntentPrefix = "basalt.txn.";
inline constexpr std::string_view kVersionXattr = "v";
inline constexpr std::string_view kPkXattr = "pk";
inline constexpr std::string_view kNextVersionXattr = "next_version";
inline constexpr std::string_view kStateXattr = "state";
inline constexpr std::string_view kCreatedXattr = "t";

inline constexpr char kRecordPrefix = 'i';
inline constexpr char kCountersKey = 'c';
inline constexpr char kOutboxPrefix = 'o';
inline constexpr char kIndexChangePrefix = 'g';
inline constexpr char kIntentKey = 'x';
inline constexpr char kMetaPrefix = 'M';
inline constexpr char kLogPrefix = 'L';
inline constexpr char kShippedKey = 'S';

std::string TableNamespace(uint64_t table);
// The table of a namespace made by TableNamespace; empty for any other.
std::optional<uint64_t> ParseTableNamespace(std::string_view ns);

std::string PartitionObject(std::string_view pk);
// partition-ref: a partition named across namespaces (basalt.outbox,
// basalt.index-outbox, shipped-through marks).
std::string PartitionRef(uint64_t table, std::string_view object);
// The table and object of a partition-ref; nullopt for anything else.
std::optional<std::pair<uint64_t, std::string>> ParsePartitionRef(std::string_view ref);
// The hash and (for short names) partition key in an object name; false if
// the name is not a partition object's. *pk is empty and *whole false for a
// long name, whose key is in the "pk" xattr.
bool ParsePartitionObject(std::string_view name, uint32_t* hash, std::string* pk, bool* whole);

std::string RecordKey(std::string_view sk);
std::string OutboxKey(uint64_t version, uint32_t index);
std::string IndexChangeKey(uint64_t version, uint32_t index);
std::string MetaKey(std::string_view name);
std::string LogKey(uint64_t log, uint64_t seq);
std::string ShippedKey(std::string_view partition_ref);
std::string IntentObject(uint64_t version);

struct Counters {
  int64_t items = 0;
  int64_t bytes = 0;
  int64_t collection = 0;
};
std::string EncodeCounters(const Counters& c);
Counters DecodeCounters(std::string_view v);  // zeros when malformed or empty

// One partition's share of a commit: the omap changes to make, guarded by
// the version the partition had when read (0 with exists false: absent).
struct Plan {
  uint64_t table = 0;
  std::string pk;
  bool exists = false;
  uint64_t old_version = 0;
  uint64_t new_version = 0;
  std::vector<std::pair<std::string, std::string>> sets;
  std::vector<std::string> removes;
};
std::string EncodeIntent(const std::vector<Plan>& plans);
bool DecodeIntent(std::string_view in, std::vector<Plan>* plans);
// The value of a partition's 'x' key: the transaction (its record's
// version) and the partition's plan.
std::string EncodePartitionIntent(uint64_t txn, const Plan& plan);
bool DecodePartitionIntent(std::string_view in, uint64_t* txn, Plan* plan);

}  // namespace basalt::storage::rados_layout
