// The storage interface: ordered byte keys and opaque values, grouped into
// partitions (table + partition key) that are the unit of atomicity.
//
// All DynamoDB semantics (types, conditions, sizes, capacity) live above this
// interface; an engine only sees encoded keys, opaque values and versions.
// The shape follows shared/design/STORAGE.md so that a distributed engine can
// sit behind it later: conditions are checked above and written with a
// versioned compare-and-set (Precondition), and several partitions are
// written atomically only through Commit.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace basalt::storage {

// Identifies a key space (a table, later also an index). Never reused, so a
// dropped table's leftovers can never be mistaken for a new table's data.
using TableId = uint64_t;

// Version of a stored record; 0 means absent. Versions only grow while the
// engine is open and every stored version is below any version assigned later,
// so a compare-and-set on a version cannot be fooled by delete and re-create.
using Version = uint64_t;

struct Key {
  TableId table = 0;
  std::string pk;  // order-preserving encoded partition key value
  std::string sk;  // order-preserving encoded sort key value; empty for hash-only tables
};

struct Record {
  std::string value;
  Version version = 0;
};

struct Precondition {
  enum Kind { kAny, kMustNotExist, kMustExist, kVersionEquals };
  Kind kind = kAny;
  Version version = 0;  // for kVersionEquals
  // Engine::ReadMark taken before the read the precondition comes from (0:
  // none). An engine that can tell from it that nothing was committed to
  // the partition since may take the precondition as holding without
  // reading the item again.
  uint64_t read_mark = 0;

  static Precondition For(Version v, uint64_t read_mark = 0) {
    return v == 0 ? Precondition{kMustNotExist, 0, read_mark} : Precondition{kVersionEquals, v, read_mark};
  }
};

struct Mutation {
  // kCheck writes nothing: the commit only requires its precondition to hold
  // (a transaction's ConditionCheck on an item it does not change).
  enum Op { kPut, kDelete, kCheck };
  Op op = kPut;
  std::string sk;
  std::string value;  // for kPut
  Precondition pre;
};

// Changes to one partition, applied all or nothing. The deltas maintain the
// table's ItemCount and TableSizeBytes in the same atomic write.
struct PartitionWrite {
  TableId table = 0;
  std::string pk;
  std::vector<Mutation> muts;
  int64_t item_count_delta = 0;
  int64_t size_bytes_delta = 0;
  // Change of the partition's own size counter (kept for tables with LSIs,
  // whose item collections DynamoDB limits and reports).
  int64_t collection_bytes_delta = 0;
  // Change-log records (a stream's) to keep with the write, in its outbox
  // (STORAGE.md rule 5): they become readable by ReadOutbox exactly when the
  // write lands, in the order of the commits that wrote them.
  uint64_t log = 0;
  std::vector<std::string> outbox = {};
  // Changes to indexes kept up asynchronously (engines whose
  // AsyncIndexes()): kept in the partition's index outbox with the write,
  // applied to the indexes after it lands (db/index_propagation.h).
  std::vector<std::string> index_changes = {};
};

// A change-log record in the outbox. `position` orders it among the others
// (by commit) and names it to ShipOutbox.
struct OutboxEntry {
  std::string position;
  uint64_t log = 0;
  std::string value;
};

// A change waiting in a partition's index outbox.
struct IndexChange {
  std::string position;  // orders it within its partition; names it to RemoveIndexChanges
  double committed = 0;  // when its commit took its version (Unix seconds)
  std::string value;
};

// A condition on a MetaStore entry: it holds `value` (nullopt: is absent).
struct MetaCondition {
  std::string key;
  std::optional<std::string> value;
};

// A record appended to a change log by ShipOutbox.
struct LogAppend {
  uint64_t log = 0;
  uint64_t seq = 0;
  std::string value;
};

struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

// A small, strongly consistent key-value store for metadata (table
// definitions, id counters), kept apart from item key spaces.
class MetaStore {
 public:
  virtual ~MetaStore() = default;
  virtual Status Put(std::string_view key, std::string_view value) = 0;
  virtual Status Delete(std::string_view key) = 0;
  virtual Status Get(std::string_view key, std::optional<std::string>* value) = 0;
  // Every entry whose key starts with `prefix`, in key order.
  virtual Status List(std::string_view prefix, std::vector<std::pair<std::string, std::string>>* out) = 0;
  // Puts `value` only while the key holds `expected` (nullopt: absent), as
  // one atomic step in the store; kConditionalCheckFailed when it does not.
  // What several front-ends share (table names, the id counter) changes so.
  virtual Status PutIf(std::string_view key, const std::optional<std::string>& expected, std::string_view value) = 0;

  // True where other processes may share the store (several front-ends on
  // one RADOS pool); false for the embedded engine, owned by one process.
  virtual bool Shared() const { return false; }

  // Front-ends sharing a store (several processes on one RADOS pool) tell
  // each other of changes: Announce reaches every other process's Watch
  // callback, which runs on a thread of the store's and must not block.
  // Watch returns false where no other process can share the store (the
  // embedded engine); Announce then does nothing.
  virtual bool Watch(std::function<void()> changed) {
    (void)changed;
    return false;
  }
  virtual void Announce() {}
  // The ids of the processes watching the store now (Watch), this one
  // included; empty where no other process can share it. A process whose
  // watch broke and is not yet restored is missing.
  virtual Result<std::vector<uint64_t>> Watchers() { return std::vector<uint64_t>{}; }
  // This process's id among the Watchers (0 where none share the store).
  virtual uint64_t ProcessId() const { return 0; }
  // Ends Watch's callbacks, waiting out one in progress.
  virtual void Unwatch() {}

  // The same store, for records whose loss in a crash costs little: its
  // writes need not wait for the disk where waiting is the store's own
  // choice (the embedded engine in sync mode, where they reach the disk
  // with the next synced write). Elsewhere the store itself.
  virtual MetaStore& Unsynced() { return *this; }

  // A lease named `name` for `seconds`: true when this process holds it now
  // (taken, or renewed while held), false when another process does.
  // Background jobs that one front-end of several must run (the TTL
  // sweeper) take it before each pass; when the holder dies, the lease
  // expires and another front-end takes it. Where no other process can
  // share the store, this process always holds every lease.
  virtual Result<bool> Lease(std::string_view name, double seconds) {
    (void)name;
    (void)seconds;
    return true;
  }
};

// A range of sort keys within one partition. Bounds are encoded sort keys;
// an absent bound is open. `prefix`, when set, further limits the range to
// sort keys that start with it (begins_with).
struct SortKeyRange {
  std::optional<std::string> lower;
  bool lower_inclusive = true;
  std::optional<std::string> upper;
  bool upper_inclusive = true;
  std::optional<std::string> prefix;
};

// One record met by a range read. The views are valid only during the call.
struct Row {
  std::string_view pk;
  std::string_view sk;
  std::string_view value;
};

// Receives rows in order; returns false to stop the read.
using RowSink = std::function<bool(const Row&)>;

// A point in time that several reads share (a Query page and the table
// items its LSI entries stand for). Released when destroyed; must not
// outlive its engine.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
};

// The partition a Commit's kTransactionConflict is about.
struct ConflictOn : ErrorDetail {
  ConflictOn(TableId t, std::string p) : table(t), pk(std::move(p)) {}
  TableId table;
  std::string pk;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // A point in time for reads to share.
  virtual std::unique_ptr<Snapshot> NewSnapshot() = 0;

  // Reads one record, at `at` when set (else the latest); *out is empty
  // when the key is absent.
  virtual Status Get(const Key& key, std::optional<Record>* out, const Snapshot* at = nullptr) = 0;
  // Reads several records, each at least as new as every commit that had
  // returned when the read began; not necessarily all at one moment (a
  // commit across them may land in between; TransactGet is the reader at
  // one moment).
  virtual Status MultiGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) = 0;
  // A mark to take before reading records whose versions become
  // preconditions (Precondition::read_mark); 0 where the engine has none.
  virtual uint64_t ReadMark() const { return 0; }
  // Reads several records as one transactional read (TransactGetItems): all
  // as they were at one moment, or Code::kTransactionConflict (with a
  // ConflictOn detail) while a transaction in progress holds one of them.
  // Engines whose MultiGet is that already need not override it (the
  // RocksDB engine's reads through its cache, so it does).
  virtual Status TransactGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) {
    return MultiGet(keys, out);
  }

  // Reads one partition's records within `range`, in sort-key order (or
  // reverse), starting after `resume_after` (an encoded sort key) when set.
  // Reads from one snapshot: `at` when set.
  virtual Status QueryPartition(TableId table, std::string_view pk, const SortKeyRange& range, bool reverse,
                                const std::optional<std::string>& resume_after, const RowSink& sink,
                                const Snapshot* at = nullptr) = 0;

  // Reads the records of segment `segment` of `total` (1..1,000,000): the
  // partitions whose hash falls in the segment's share of the hash space, in
  // (hash, partition key, sort key) order, starting after the record
  // (resume_pk, resume_sk) when resume_pk is set. Reads from one snapshot:
  // `at` when set.
  virtual Status ScanSegment(TableId table, uint32_t segment, uint32_t total,
                             const std::optional<std::pair<std::string, std::string>>& resume_after,
                             const RowSink& sink, const Snapshot* at = nullptr) = 0;

  // Applies several partition writes atomically and durably (per the
  // engine's durability mode). If any precondition does not hold, nothing is
  // written and the result is Code::kPreconditionFailed; the caller re-reads
  // and retries. Never reports a DynamoDB-level condition failure. An engine
  // whose partitions another front-end's transaction holds (rados) answers
  // Code::kTransactionConflict with a ConflictOn detail naming one.
  virtual Status Commit(std::span<const PartitionWrite> writes) = 0;

  // Removes every record of a table and its statistics. The records are
  // gone at once; their space is freed in the background, within seconds.
  virtual Status DropTable(TableId table) = 0;
  // Waits until the space of every table dropped so far has been freed (for
  // tests). Engines that free it at once need not override this.
  virtual void WaitForReclamation() {}

  virtual Status Stats(TableId table, TableStats* out) = 0;
  // The engine's health for monitoring, as (name, value) pairs: memory,
  // compaction backlog, write stalls, disk use, transactions finished for
  // others (names in snake_case, starting with the engine's name; counters
  // start "rados_txn").
  // Engines with nothing to say return none.
  virtual std::vector<std::pair<std::string, double>> Health() { return {}; }
  // The sum of a partition's collection_bytes_delta so far (0 if none).
  virtual Status CollectionBytes(TableId table, std::string_view pk, int64_t* bytes) = 0;

  // Change logs (stream shards are ranges of one). A background shipper
  // moves outbox records into logs, giving them sequence numbers.
  //
  // Reads outbox records after `after` (a position from an earlier call;
  // empty: the first), at most `limit`, in commit order. Only records of
  // commits that landed are returned, and none of an earlier commit of this
  // process can land later, so a reader may go on from the last position it
  // saw where the store is not Shared(). Where it is, another process's
  // commit may land below that position (the records of one partition still
  // come in commit order): read from the start, after shipping what was read.
  virtual Status ReadOutbox(std::string_view after, size_t limit, std::vector<OutboxEntry>* out) = 0;
  // Atomically removes outbox records, appends records to logs and writes
  // metadata entries; with `only_if`, only while that MetaStore entry holds
  // its value (otherwise kConditionalCheckFailed, and nothing changes), so
  // processes sharing the store never ship one record twice. A record once
  // shipped is not returned by ReadOutbox again, even after a crash.
  virtual Status ShipOutbox(std::span<const OutboxEntry> shipped, std::span<const LogAppend> appends,
                            std::span<const std::pair<std::string, std::string>> meta_puts,
                            const MetaCondition* only_if) = 0;
  // Visits the records of `log` from sequence number `from` on, in order,
  // until `visit` returns false.
  virtual Status ReadLog(uint64_t log, uint64_t from,
                         const std::function<bool(uint64_t seq, std::string_view value)>& visit) = 0;
  // Removes the records of `log` below sequence number `below`.
  virtual Status TrimLog(uint64_t log, uint64_t below) = 0;

  // Asynchronous indexes. Where a commit of several partitions is a
  // distributed transaction (rados), GSI entries are not written in the
  // item's commit: the write keeps its index changes in the item's own
  // partition (PartitionWrite::index_changes), and db/ applies them after
  // it lands. Engines that commit several partitions in one batch say no
  // and never see index changes.
  virtual bool AsyncIndexes() const { return false; }
  // The changes waiting in the partitions of `table` (0: of every table),
  // or in its partition `pk` alone when set; each partition's in commit
  // order. Stops after the partition that brings the count to `limit`.
  virtual Status ReadIndexChanges(TableId table, const std::optional<std::string>& pk, size_t limit,
                                  std::vector<IndexChange>* out) {
    (void)table, (void)pk, (void)limit;
    out->clear();
    return Status::Ok();
  }
  // Removes changes that have been applied (from ReadIndexChanges). A
  // partition left with none stops being listed, unless `keep_listed` (its
  // caller looks at it again soon: that saves the store the work).
  virtual Status RemoveIndexChanges(std::span<const IndexChange> applied, bool keep_listed = false) {
    (void)applied, (void)keep_listed;
    return Status::Ok();
  }

  virtual MetaStore& meta() = 0;

  // Writes a consistent copy of everything (every table, log and metadata)
  // into `dir`, which must not exist yet; writers go on meanwhile. Engines
  // that cannot (in memory) say so.
  virtual Status Checkpoint(const std::string& dir) {
    return Status::Internal("this storage engine cannot write a checkpoint to " + dir);
  }
};

// Whether record (pk_a, sk_a) comes before record (pk_b, sk_b) in the order
// ScanSegment visits a table (for a backfill that follows a scan).
bool ScanOrderLess(std::string_view pk_a, std::string_view sk_a, std::string_view pk_b, std::string_view sk_b);

enum class Durability {
  kSync,     // acknowledged after the write-ahead log is fsynced (group commit)
  kRelaxed,  // acknowledged after the log is written to the OS: survives a process crash
};

struct RocksDbOptions {
  std::string path;          // data directory; ignored when in_memory
  bool in_memory = false;    // keep nothing on disk
  Durability durability = Durability::kSync;
  // Table files kept open at once (-1: all). Bounded so that storage and
  // client connections can share the descriptor limit.
  int max_open_files = -1;
  // 32 bytes: every file is encrypted with AES-256 in CTR mode (encryption.h); empty: none.
  std::string encryption_key = {};
  // The cache of recently read records in front of point reads
  // (item_cache.h); 0: none.
  size_t item_cache_bytes = 32 << 20;
};

// Opens (creating if needed) the embedded RocksDB engine.
Result<std::unique_ptr<Engine>> OpenRocksDb(const RocksDbOptions& options);

}  // namespace basalt::storage
