// The parts of the RocksDB engine around its core (rocksdb_engine.cc): the
// value format, snapshots, the MetaStore, the reclaimer of dropped tables'
// space, the options the database is opened with, the family of the size
// counters, and the database's figures for /metrics. Included only by the
// storage/rocksdb_*.cc files: RocksDB's headers stay in storage/.
//
// Stored value := version:varint user-value
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/slice_transform.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/coding.h"
#include "storage/engine.h"
#include "storage/key_format.h"

namespace basalt::storage::rocks {

inline Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  return Status::IoError(s.ToString());
}

// The first 13 bytes of an item key: 0x02, the table id and the partition
// hash (key_format.h). Every record of a partition shares them.
class PartitionPrefixTransform : public rocksdb::SliceTransform {
 public:
  static constexpr size_t kLength = 1 + 8 + 4;
  const char* Name() const override { return "basalt.PartitionPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return rocksdb::Slice(key.data(), kLength); }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() >= kLength && key[0] == kItemPrefix;
  }
};

// The hint key of the stats family's memtable inserts: a table's stats key
// itself. Each write adds an operand to it, which sorts before the last one
// (newer first); RocksDB's own splice, kept for the last insert anywhere, is
// recomputed from the top when a key lands before it, the hint's only below
// the levels of the last operand (the operand's insert: ~4,500 -> ~3,900
// instructions, callgrind).
// Only the 9-byte stats key is in the domain, never the begin key of a range
// deletion: RocksDB keeps one hint per prefix for the memtable's records and
// its range deletions alike, and a hint made in one list and used in the
// other aborts (an assertion of Debian's build: DropTable's range starts one
// byte past the stats key).
class TableStatsKeyTransform : public rocksdb::SliceTransform {
 public:
  static constexpr size_t kLength = 1 + 8;
  const char* Name() const override { return "basalt.TableStatsKey"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return key; }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() == kLength && key[0] == kStatsPrefix;
  }
};

// Table statistics are a pair of int64 counters (little-endian) summed by merge.
class StatsMergeOperator : public rocksdb::AssociativeMergeOperator {
 public:
  static std::string Encode(int64_t items, int64_t bytes) {
    std::string s(16, '\0');
    std::memcpy(s.data(), &items, 8);
    std::memcpy(s.data() + 8, &bytes, 8);
    return s;
  }
  static void Decode(const rocksdb::Slice& s, int64_t* items, int64_t* bytes) {
    *items = *bytes = 0;
    if (s.size() != 16) return;
    std::memcpy(items, s.data(), 8);
    std::memcpy(bytes, s.data() + 8, 8);
  }
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    int64_t a_items = 0, a_bytes = 0, b_items, b_bytes;
    if (existing) Decode(*existing, &a_items, &a_bytes);
    Decode(value, &b_items, &b_bytes);
    *new_value = Encode(a_items + b_items, a_bytes + b_bytes);
    return true;
  }
  const char* Name() const override { return "basalt.TableStats"; }
};

inline bool SplitValue(const std::string& stored, Record* rec) {
  std::string_view in(stored);
  uint64_t version;
  if (!GetVarint64(&in, &version)) return false;
  rec->version = version;
  rec->value.assign(in);
  return true;
}

class RocksSnapshot : public Snapshot {
 public:
  explicit RocksSnapshot(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
  ~RocksSnapshot() override { db_->ReleaseSnapshot(snapshot_); }
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

// Read options at a snapshot (the latest when null).
inline rocksdb::ReadOptions ReadAt(const Snapshot* at) {
  rocksdb::ReadOptions ro;
  if (at) ro.snapshot = static_cast<const RocksSnapshot*>(at)->get();
  return ro;
}

class RocksMetaStore : public MetaStore {
 public:
  RocksMetaStore(rocksdb::DB* db, rocksdb::WriteOptions wo) : RocksMetaStore(db, wo, std::make_shared<std::mutex>()) {
    if (wo.sync) {
      rocksdb::WriteOptions unsynced = wo;
      unsynced.sync = false;
      unsynced_.reset(new RocksMetaStore(db, unsynced, put_if_mu_));
    }
  }
  // The same store, writing without an fsync of its own.
  MetaStore& Unsynced() override { return unsynced_ ? *unsynced_ : *this; }
  Status Put(std::string_view key, std::string_view value) override {
    return FromRocks(db_->Put(wo_, MetaKey(key), rocksdb::Slice(value.data(), value.size())));
  }
  Status Delete(std::string_view key) override { return FromRocks(db_->Delete(wo_, MetaKey(key))); }
  Status Get(std::string_view key, std::optional<std::string>* value) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), MetaKey(key), &v);
    if (s.IsNotFound()) {
      value->reset();
      return Status::Ok();
    }
    if (s.ok()) *value = std::move(v);
    return FromRocks(s);
  }
  Status List(std::string_view prefix, std::vector<std::pair<std::string, std::string>>* out) override {
    out->clear();
    std::string start = MetaKey(prefix);
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
      out->emplace_back(it->key().ToString().substr(1), it->value().ToString());
    }
    return FromRocks(it->status());
  }
  // One process owns the database: a lock makes the read and the put one step.
  Status PutIf(std::string_view key, const std::optional<std::string>& expected, std::string_view value) override {
    std::lock_guard lock(*put_if_mu_);
    std::optional<std::string> current;
    BASALT_RETURN_IF_ERROR(Get(key, &current));
    if (current != expected) return Status(Code::kConditionalCheckFailed, "the stored value changed");
    return Put(key, value);
  }

 private:
  RocksMetaStore(rocksdb::DB* db, rocksdb::WriteOptions wo, std::shared_ptr<std::mutex> put_if_mu)
      : db_(db), wo_(wo), put_if_mu_(std::move(put_if_mu)) {}

  rocksdb::DB* db_;
  rocksdb::WriteOptions wo_;
  std::shared_ptr<std::mutex> put_if_mu_;  // shared with the unsynced view
  std::unique_ptr<RocksMetaStore> unsynced_;
};

// Frees the space of dropped tables off the request threads, on a thread of
// its own. Deleting the files wholly inside a range costs nothing;
// compacting the range then flushes the memtable if it holds part of the
// range and rewrites the files shared with other tables. 200k items of 1 KB
// (246 MB on disk) were gone 0.5 s after DeleteTable
// (tests/e2e/test_hostile_clients.py). In memory, deleted files return the
// Env's memory, and the block cache drops unused blocks, or it would keep up
// to 1 GB of the dropped table's.
class Reclaimer {
 public:
  Reclaimer(rocksdb::DB* db, std::shared_ptr<rocksdb::Cache> block_cache, bool in_memory);
  ~Reclaimer() { Stop(); }
  // Queues the key range [begin, end) (already deleted) for reclamation.
  void Enqueue(std::string begin, std::string end);
  // Returns when nothing is queued or under way (or once stopped).
  void WaitIdle();
  // Ends a compaction under way early and joins the thread; before the
  // database closes.
  void Stop();

 private:
  void Loop();
  void Reclaim(const std::string& begin, const std::string& end);

  rocksdb::DB* db_;
  std::shared_ptr<rocksdb::Cache> block_cache_;
  const bool in_memory_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::string>> queue_;  // guarded by mu_
  int pending_ = 0;    // queued or under way; guarded by mu_
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;  // last: started once everything above exists
};

// The options the database opens with; `block_cache` receives the cache the
// table options use.
rocksdb::Options OptionsFor(const RocksDbOptions& options, std::shared_ptr<rocksdb::Cache>* block_cache);

// The column family of the stats and collection keys (key_format.h), apart
// from the records. Every write that changes a table's size adds a merge
// operand to its stats key. Among the records, that operand doubled the
// memtable's skiplist and was searched for from its top on every write; in a
// memtable of its own, with TableStatsKeyTransform's hint, it lands next to
// the one before. A PutItem: ~72,600 -> ~69,600 instructions with the records'
// insert made cheaper too (bench/instructions.py; Debian's RocksDB, built with
// assertions, still checks each insert's neighbours, ~2,000 instructions).
inline constexpr char kStatsFamily[] = "stats";
rocksdb::ColumnFamilyOptions StatsFamilyOptions(const rocksdb::Options& base);

// The database's RocksDB figures for /metrics (Engine::Health): a family's
// own are summed over both families, the others are the database's.
std::vector<std::pair<std::string, double>> PropertiesOf(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* stats);

// A database written before the stats family kept those keys in the default
// one: moves them over in one batch (so a crash leaves each in one place or the
// other), merged into whatever the family holds. Nothing to do on later opens.
Status MoveStatsToTheirFamily(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* stats, const rocksdb::WriteOptions& wo);

}  // namespace basalt::storage::rocks
