// The embedded engine: one RocksDB database holding every table.
//
// Stored value := version:varint user-value (rocksdb_parts.h, with the
// snapshots, the MetaStore, the reclaimer and the options).
//
// Precondition checks and writes of a partition happen under a striped lock
// keyed by the partition, so a compare-and-set is atomic. Several partitions
// are locked in stripe order, which rules out deadlock. Durability is
// RocksDB's write-ahead log: in sync mode every write waits for the fsync of
// the log, and RocksDB groups concurrent writers into one fsync.
//
// Space of dropped tables: DropTable writes a range deletion, which hides the
// records at once but frees nothing until compaction reaches every file that
// holds them (a 236 MB data directory stayed at 229-236 MB for 5 minutes
// after its last table was deleted). A background thread therefore deletes
// the files that lie wholly inside the range and compacts the range, which
// rewrites the few files it shares with other tables; see Reclaimer.
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <set>

#include "common/coding.h"
#include "storage/encryption.h"
#include "storage/engine.h"
#include "storage/item_cache.h"
#include "storage/key_format.h"
#include "storage/rocksdb_parts.h"

namespace basalt::storage {
namespace {

using rocks::FromRocks;
using rocks::ReadAt;
using rocks::Reclaimer;
using rocks::RocksMetaStore;
using rocks::RocksSnapshot;
using rocks::SplitValue;
using rocks::StatsMergeOperator;

class RocksEngine : public Engine {
 public:
  static constexpr size_t kStripes = 4096;

  RocksEngine(std::unique_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db,
              rocksdb::ColumnFamilyHandle* stats, rocksdb::WriteOptions wo,
              std::shared_ptr<rocksdb::Cache> block_cache, bool in_memory, size_t item_cache_bytes)
      : env_(std::move(env)),
        db_(std::move(db)),
        stats_(stats),
        wo_(wo),
        cache_(item_cache_bytes),
        meta_(db_.get(), wo),
        in_memory_(in_memory),
        reclaimer_(db_.get(), std::move(block_cache), in_memory) {
    // Only a Commit that writes a record takes a version (one), and such a
    // Commit consumes at least one sequence number, so once the Commits that
    // took versions have landed, no stored version exceeds the latest sequence
    // number.
    next_version_.store(db_->GetLatestSequenceNumber() + 1);
  }

  ~RocksEngine() override {
    reclaimer_.Stop();
    db_->DestroyColumnFamilyHandle(stats_).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
    db_.reset();
  }

  std::unique_ptr<Snapshot> NewSnapshot() override { return std::make_unique<RocksSnapshot>(db_.get()); }

  Status Get(const Key& key, std::optional<Record>* out, const Snapshot* at) override {
    const std::string item_key = ItemKey(key.table, key.pk, key.sk);
    out->reset();
    Record rec;
    ItemCache::Ticket ticket;
    if (!at && cache_.Lookup(item_key, &rec, &ticket)) {
      *out = std::move(rec);
      return Status::Ok();
    }
    std::string stored;
    auto s = db_->Get(ReadAt(at), item_key, &stored);
    if (s.IsNotFound()) return Status::Ok();
    if (!s.ok()) return FromRocks(s);
    if (!SplitValue(stored, &rec)) return Status::Internal("corrupt stored value");
    if (!at) cache_.Fill(item_key, rec, ticket);
    *out = std::move(rec);
    return Status::Ok();
  }

  // Each record from the cache where it holds it, the others from one
  // RocksDB MultiGet (and kept). Not all at one moment: a commit may land
  // between a hit and the MultiGet, as on RADOS, where a plain MultiGet reads
  // each partition's committed values (BatchGetItem is not atomic in
  // DynamoDB either); each record is at least as new as the commits that had
  // returned when the read began, which is what a write's preconditions
  // (and their read mark) need. TransactGet reads at one moment.
  Status MultiGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) override {
    out->assign(keys.size(), std::nullopt);
    if (keys.empty()) return Status::Ok();
    // One key (a single-item write reading its old item): a Get. RocksDB's
    // MultiGet of one key cost ~1,000 instructions more (its per-batch
    // set-up: an UpdateItem's read of the old item 10,800 -> 9,800, callgrind).
    if (keys.size() == 1) return Get(keys[0], &(*out)[0], nullptr);
    if (!cache_.enabled()) return ReadAtOneMoment(keys, out);
    std::vector<std::string> missed;
    std::vector<size_t> missed_at;
    std::vector<ItemCache::Ticket> tickets;
    for (size_t i = 0; i < keys.size(); ++i) {
      std::string key = ItemKey(keys[i].table, keys[i].pk, keys[i].sk);
      Record rec;
      ItemCache::Ticket ticket;
      if (cache_.Lookup(key, &rec, &ticket)) {
        (*out)[i] = std::move(rec);
      } else {
        missed.push_back(std::move(key));
        missed_at.push_back(i);
        tickets.push_back(ticket);
      }
    }
    if (missed.empty()) return Status::Ok();
    std::vector<std::optional<Record>> read;
    BASALT_RETURN_IF_ERROR(MultiGetRaw(missed, &read));
    for (size_t m = 0; m < missed.size(); ++m) {
      if (read[m]) cache_.Fill(missed[m], *read[m], tickets[m]);
      (*out)[missed_at[m]] = std::move(read[m]);
    }
    return Status::Ok();
  }

  Status TransactGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) override {
    out->assign(keys.size(), std::nullopt);
    if (keys.size() == 1) return Get(keys[0], &(*out)[0], nullptr);
    return ReadAtOneMoment(keys, out);
  }

  // The latest sequence number: every commit at or below it is visible to
  // reads that start after this.
  uint64_t ReadMark() const override { return db_->GetLatestSequenceNumber(); }

  Status Commit(std::span<const PartitionWrite> writes) override {
    std::vector<size_t> of_write;  // each write's stripe
    of_write.reserve(writes.size());
    for (const auto& w : writes) of_write.push_back(StripeOf(w.table, w.pk));
    std::vector<size_t> stripes = of_write;
    std::sort(stripes.begin(), stripes.end());
    stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
    for (size_t s : stripes) locks_[s].lock();
    Status st = CommitLocked(writes, of_write);
    for (auto it = stripes.rbegin(); it != stripes.rend(); ++it) locks_[*it].unlock();
    return st;
  }

  Status QueryPartition(TableId table, std::string_view pk, const SortKeyRange& range, bool reverse,
                        const std::optional<std::string>& resume_after, const RowSink& sink,
                        const Snapshot* at) override {
    const std::string prefix = PartitionPrefix(table, pk);
    std::string begin = prefix;
    std::string end = Successor(prefix);
    if (range.lower) Raise(&begin, prefix + *range.lower + (range.lower_inclusive ? "" : std::string(1, '\0')));
    if (range.upper) Lower(&end, prefix + *range.upper + (range.upper_inclusive ? std::string(1, '\0') : ""));
    if (range.prefix) {
      Raise(&begin, prefix + *range.prefix);
      Lower(&end, Successor(prefix + *range.prefix));
    }
    if (resume_after) {
      if (reverse) {
        Lower(&end, prefix + *resume_after);
      } else {
        Raise(&begin, prefix + *resume_after + std::string(1, '\0'));
      }
    }
    std::string pk_copy(pk);
    return Iterate(begin, end, reverse, /*one_partition=*/true, at, [&](std::string_view key, std::string_view value) {
      return sink(Row{pk_copy, key.substr(prefix.size()), value});
    });
  }

  Status ScanSegment(TableId table, uint32_t segment, uint32_t total,
                     const std::optional<std::pair<std::string, std::string>>& resume_after,
                     const RowSink& sink, const Snapshot* at) override {
    std::string begin = HashBegin(table, SegmentHashBegin(segment, total));
    std::string end = HashBegin(table, SegmentHashBegin(segment + 1, total));
    if (resume_after) {
      Raise(&begin, ItemKey(table, resume_after->first, resume_after->second) + std::string(1, '\0'));
    }
    std::string pk;
    std::string_view sk;
    Status bad;
    Status st = Iterate(begin, end, false, /*one_partition=*/false, at, [&](std::string_view key, std::string_view value) {
      if (!ParseItemKey(key, table, &pk, &sk)) {
        bad = Status::Internal("corrupt item key");
        return false;
      }
      return sink(Row{pk, sk, value});
    });
    return st.ok() ? bad : st;
  }

  Status DropTable(TableId table) override {
    rocksdb::WriteBatch batch;
    batch.DeleteRange(TableBegin(table), TableEnd(table));
    // The table's counter, and its partitions' after it (a range that starts
    // past the counter's key: TableStatsKeyTransform).
    batch.Delete(stats_, StatsKey(table));
    batch.DeleteRange(stats_, StatsKey(table) + std::string(1, '\0'), StatsKey(table + 1));
    // Records it removes may be preconditions of commits in flight: while
    // it runs, and after it for those read before it, commits check again.
    ++drops_in_flight_;
    cache_.BeginWriteAll();
    Status st = FromRocks(db_->Write(wo_, &batch));
    cache_.EndWriteAll();
    dropped_at_.store(db_->GetLatestSequenceNumber());
    --drops_in_flight_;
    BASALT_RETURN_IF_ERROR(st);
    reclaimer_.Enqueue(TableBegin(table), TableEnd(table));
    return Status::Ok();
  }

  Status Checkpoint(const std::string& dir) override {
    if (in_memory_) return Status::Validation("an in-memory instance has nothing on disk to back up");
    rocksdb::Checkpoint* raw = nullptr;
    BASALT_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw)));
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // Hard links to the table files where `dir` is on the same file system;
    // the write-ahead log is flushed into them first, so the copy is whole.
    return FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0));
  }

  void WaitForReclamation() override {
    reclaimer_.WaitIdle();
  }

  std::vector<std::pair<std::string, double>> Health() override {
    std::vector<std::pair<std::string, double>> out = rocks::PropertiesOf(db_.get(), stats_);
    if (cache_.enabled()) {
      const ItemCache::Stats c = cache_.stats();
      out.emplace_back("item_cache_entries", static_cast<double>(c.entries));
      out.emplace_back("item_cache_bytes", static_cast<double>(c.bytes));
      out.emplace_back("item_cache_hits_total", static_cast<double>(c.hits));
      out.emplace_back("item_cache_misses_total", static_cast<double>(c.misses));
    }
    return out;
  }

  Status Stats(TableId table, TableStats* out) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), stats_, StatsKey(table), &v);
    *out = TableStats{};
    if (s.IsNotFound()) return Status::Ok();
    if (!s.ok()) return FromRocks(s);
    StatsMergeOperator::Decode(v, &out->item_count, &out->size_bytes);
    return Status::Ok();
  }

  Status CollectionBytes(TableId table, std::string_view pk, int64_t* bytes) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), stats_, CollectionKey(table, pk), &v);
    *bytes = 0;
    if (s.IsNotFound()) return Status::Ok();
    if (!s.ok()) return FromRocks(s);
    int64_t unused;
    StatsMergeOperator::Decode(v, &unused, bytes);
    return Status::Ok();
  }

  Status ReadOutbox(std::string_view after, size_t limit, std::vector<OutboxEntry>* out) override {
    out->clear();
    Version stable;
    {
      std::lock_guard lock(outbox_mu_);
      stable = outbox_in_flight_.empty() ? next_version_.load() : *outbox_in_flight_.begin();
    }
    // Commits below `stable` have landed; later ones take larger versions.
    std::string begin = after.empty() ? OutboxKey(0, 0) : std::string(after) + std::string(1, '\0');
    std::string end = OutboxKey(stable, 0);
    if (begin >= end) return Status::Ok();
    rocksdb::Slice lower(begin), upper(end);
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.iterate_lower_bound = &lower;
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(begin); it->Valid() && out->size() < limit; it->Next()) {
      std::string_view value(it->value().data(), it->value().size());
      OutboxEntry e;
      if (!GetVarint64(&value, &e.log)) return Status::Internal("corrupt outbox record");
      e.position = it->key().ToString();
      e.value.assign(value);
      out->push_back(std::move(e));
    }
    return FromRocks(it->status());
  }

  Status ShipOutbox(std::span<const OutboxEntry> shipped, std::span<const LogAppend> appends,
                    std::span<const std::pair<std::string, std::string>> meta_puts,
                    const MetaCondition* only_if) override {
    // One process owns the database: the condition only needs to hold
    // against this process's other shippers, kept out by the lock.
    std::lock_guard lock(ship_mu_);
    if (only_if) {
      std::optional<std::string> current;
      BASALT_RETURN_IF_ERROR(meta_.Get(only_if->key, &current));
      if (current != only_if->value) return Status(Code::kConditionalCheckFailed, "the stored value changed");
    }
    rocksdb::WriteBatch batch;
    for (const auto& e : shipped) batch.Delete(e.position);
    for (const auto& a : appends) batch.Put(LogKey(a.log, a.seq), a.value);
    for (const auto& [k, v] : meta_puts) batch.Put(MetaKey(k), v);
    return FromRocks(db_->Write(wo_, &batch));
  }

  Status ReadLog(uint64_t log, uint64_t from,
                 const std::function<bool(uint64_t seq, std::string_view value)>& visit) override {
    std::string begin = LogKey(log, from);
    std::string end = LogKey(log + 1, 0);
    rocksdb::Slice upper(end);
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(begin); it->Valid(); it->Next()) {
      uint64_t seq = DecodeFixed64BE(it->key().data() + 9);
      if (!visit(seq, std::string_view(it->value().data(), it->value().size()))) break;
    }
    return FromRocks(it->status());
  }

  Status TrimLog(uint64_t log, uint64_t below) override {
    if (below == 0) return Status::Ok();
    return FromRocks(db_->DeleteRange(wo_, db_->DefaultColumnFamily(), LogKey(log, 0), LogKey(log, below)));
  }

  MetaStore& meta() override { return meta_; }

 private:
  static size_t StripeOf(TableId table, std::string_view pk) {
    return (PartitionHash(pk) ^ (table * 0x9E3779B97F4A7C15ull >> 20)) % kStripes;
  }

  // The smallest string greater than every string that starts with `s`
  // ("" when there is none: no upper bound).
  static std::string Successor(std::string s) {
    while (!s.empty() && static_cast<uint8_t>(s.back()) == 0xFF) s.pop_back();
    if (!s.empty()) s.back() = static_cast<char>(static_cast<uint8_t>(s.back()) + 1);
    return s;
  }
  static void Raise(std::string* bound, const std::string& candidate) {
    if (candidate > *bound) *bound = candidate;
  }
  static void Lower(std::string* bound, const std::string& candidate) {
    if (bound->empty() || (!candidate.empty() && candidate < *bound)) *bound = candidate;
  }

  // Visits stored records with keys in [begin, end) (end "" = unbounded) from
  // one snapshot (`at`, or the iterator's own: its view is fixed when it is
  // created), passing each key and its value without the version header.
  // `one_partition`: the range lies within one partition, so files whose
  // partition-prefix filter rules it out are skipped.
  Status Iterate(const std::string& begin, const std::string& end, bool reverse, bool one_partition,
                 const Snapshot* at, const std::function<bool(std::string_view, std::string_view)>& visit) {
    if (!end.empty() && begin >= end) return Status::Ok();
    rocksdb::ReadOptions ro = ReadAt(at);
    if (one_partition) {
      ro.prefix_same_as_start = true;
    } else {
      ro.total_order_seek = true;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    auto in_range = [&](const rocksdb::Slice& k) {
      return k.compare(begin) >= 0 && (end.empty() || k.compare(end) < 0);
    };
    if (reverse) {
      if (end.empty()) {
        it->SeekToLast();
      } else {
        it->SeekForPrev(end);
        if (it->Valid() && it->key().compare(end) >= 0) it->Prev();
      }
    } else {
      it->Seek(begin);
    }
    Status st;
    for (; it->Valid() && in_range(it->key()); reverse ? it->Prev() : it->Next()) {
      std::string_view value(it->value().data(), it->value().size());
      uint64_t version;
      if (!GetVarint64(&value, &version)) {
        st = Status::Internal("corrupt stored value");
        break;
      }
      if (!visit(std::string_view(it->key().data(), it->key().size()), value)) break;
    }
    if (st.ok() && !it->status().ok()) st = FromRocks(it->status());
    return st;
  }

  // Every record from RocksDB at one sequence number.
  Status ReadAtOneMoment(std::span<const Key> keys, std::vector<std::optional<Record>>* out) {
    std::vector<std::string> raw(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) raw[i] = ItemKey(keys[i].table, keys[i].pk, keys[i].sk);
    return MultiGetRaw(raw, out);
  }

  // RocksDB's MultiGet reads every key at one sequence number ("consistent
  // Get of many keys without an explicit snapshot"); taking a snapshot would
  // only add two passes through the DB mutex.
  Status MultiGetRaw(const std::vector<std::string>& raw, std::vector<std::optional<Record>>* out) {
    out->assign(raw.size(), std::nullopt);
    std::vector<rocksdb::Slice> slices(raw.begin(), raw.end());
    std::vector<std::string> values;
    auto statuses = db_->MultiGet(rocksdb::ReadOptions(), slices, &values);
    for (size_t i = 0; i < raw.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) return FromRocks(statuses[i]);
      Record rec;
      if (!SplitValue(values[i], &rec)) return Status::Internal("corrupt stored value");
      (*out)[i] = std::move(rec);
    }
    return Status::Ok();
  }

  Status CommitLocked(std::span<const PartitionWrite> writes, std::span<const size_t> stripe_of) {
    // Check every precondition before taking a version: a version is taken
    // only by a commit that writes at least one record, so versions never run
    // ahead of sequence numbers (see the constructor). A failed commit that
    // took one anyway would let a reopened engine hand out a version that is
    // already stored.
    //
    // A precondition read at a mark no older than the stripe's last commit
    // holds without a second read: every commit to the partition was visible
    // to the read it comes from, and none can start while the stripe is
    // locked. That read of the item was ~2,000 of a PutItem's instructions.
    for (size_t i = 0; i < writes.size(); ++i) {
      const PartitionWrite& w = writes[i];
      for (const auto& m : w.muts) {
        if (m.pre.kind == Precondition::kAny) continue;
        if (m.pre.read_mark != 0 && last_commit_[stripe_of[i]] <= m.pre.read_mark && drops_in_flight_.load() == 0 &&
            dropped_at_.load() <= m.pre.read_mark) {
          continue;
        }
        BASALT_RETURN_IF_ERROR(Check(ItemKey(w.table, w.pk, m.sk), m.pre));
      }
    }
    rocksdb::WriteBatch batch;
    Version version = 0;  // taken at the first put
    // A commit with outbox records takes its version under outbox_mu_ and is
    // in flight until it lands, so ReadOutbox knows which versions are settled.
    bool has_outbox = std::any_of(writes.begin(), writes.end(), [](const auto& w) { return !w.outbox.empty(); });
    if (has_outbox) {
      std::lock_guard lock(outbox_mu_);
      version = next_version_.fetch_add(1);
      outbox_in_flight_.insert(version);
    }
    uint32_t outbox_index = 0;
    std::string value;
    std::vector<ItemCache::Change> changes;
    for (const auto& w : writes) {
      for (const auto& m : w.muts) {
        if (m.op == Mutation::kCheck) continue;
        std::string key = ItemKey(w.table, w.pk, m.sk);
        if (m.op == Mutation::kPut) {
          if (version == 0) version = next_version_.fetch_add(1);
          value.clear();
          PutVarint64(&value, version);
          value.append(m.value);
          batch.Put(key, value);
        } else {
          batch.Delete(key);
        }
        if (cache_.enabled()) {
          changes.push_back(ItemCache::Change{std::move(key), m.op == Mutation::kPut ? &m.value : nullptr, version});
        }
      }
      if (w.item_count_delta != 0 || w.size_bytes_delta != 0) {
        batch.Merge(stats_, StatsKey(w.table), StatsMergeOperator::Encode(w.item_count_delta, w.size_bytes_delta));
      }
      if (w.collection_bytes_delta != 0) {
        batch.Merge(stats_, CollectionKey(w.table, w.pk), StatsMergeOperator::Encode(0, w.collection_bytes_delta));
      }
      for (const std::string& record : w.outbox) {
        value.clear();
        PutVarint64(&value, w.log);
        value.append(record);
        batch.Put(OutboxKey(version, outbox_index++), value);
      }
    }
    cache_.BeginWrite(changes);
    Status st = FromRocks(db_->Write(wo_, &batch));
    cache_.EndWrite(changes, st.ok());
    // At least this commit's sequence number (even when the write failed
    // part way, which can only make a later check read again).
    const uint64_t committed = db_->GetLatestSequenceNumber();
    for (size_t i = 0; i < writes.size(); ++i) {
      if (HasWrites(writes[i])) last_commit_[stripe_of[i]] = committed;
    }
    if (has_outbox) {
      std::lock_guard lock(outbox_mu_);
      outbox_in_flight_.erase(version);
    }
    return st;
  }

  static bool HasWrites(const PartitionWrite& w) {
    return std::any_of(w.muts.begin(), w.muts.end(), [](const Mutation& m) { return m.op != Mutation::kCheck; });
  }

  Status Check(const std::string& key, const Precondition& pre) {
    std::string stored;
    auto s = db_->Get(rocksdb::ReadOptions(), key, &stored);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s);
    Record rec;
    if (s.ok() && !SplitValue(stored, &rec)) return Status::Internal("corrupt stored value");
    bool exists = s.ok();
    bool holds = false;
    switch (pre.kind) {
      case Precondition::kAny: holds = true; break;
      case Precondition::kMustNotExist: holds = !exists; break;
      case Precondition::kMustExist: holds = exists; break;
      case Precondition::kVersionEquals: holds = exists && rec.version == pre.version; break;
    }
    return holds ? Status::Ok() : Status(Code::kPreconditionFailed, "precondition failed");
  }

  std::unique_ptr<rocksdb::Env> env_;  // the in-memory Env, when used; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* stats_;  // kStatsFamily; destroyed before db_ closes
  rocksdb::WriteOptions wo_;
  ItemCache cache_;  // of point reads; written under the stripe locks (item_cache.h)
  RocksMetaStore meta_;
  std::atomic<Version> next_version_{1};
  std::array<std::mutex, kStripes> locks_;
  // The sequence number after each stripe's last commit that wrote to it;
  // guarded by the stripe's lock.
  std::array<uint64_t, kStripes> last_commit_{};
  std::atomic<uint64_t> dropped_at_{0};  // the sequence number after the last DropTable
  std::atomic<int> drops_in_flight_{0};
  std::mutex outbox_mu_;
  std::set<Version> outbox_in_flight_;  // versions of commits with outbox records not yet landed; guarded by outbox_mu_
  std::mutex ship_mu_;                  // one ShipOutbox at a time (its condition and its write, one step)
  const bool in_memory_;
  Reclaimer reclaimer_;  // last: its thread starts once everything above exists
};

}  // namespace

Result<std::unique_ptr<Engine>> OpenRocksDb(const RocksDbOptions& options) {
  std::shared_ptr<rocksdb::Cache> block_cache;
  rocksdb::Options opts = rocks::OptionsFor(options, &block_cache);
  rocksdb::WriteOptions wo;
  std::unique_ptr<rocksdb::Env> env;
  std::string path = options.path;
  if (options.in_memory) {
    env.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    opts.env = env.get();
    path = "/basalt-in-memory";
    wo.disableWAL = true;
    // Without a log RocksDB flushes the memtables when it closes, to keep
    // the writes: here into memory about to be freed (after 1,400 PutItems,
    // 6 million instructions at exit, which bench/instructions.py counted
    // as ~6,000 per PutItem).
    opts.avoid_flush_during_shutdown = true;
  } else {
    wo.sync = options.durability == Durability::kSync;
    BASALT_RETURN_IF_ERROR(CheckEncryptionKey(path, options.encryption_key));
    if (!options.encryption_key.empty()) {
      env = NewEncryptedEnv(options.encryption_key);
      opts.env = env.get();
    }
  }
  opts.create_missing_column_families = true;  // the stats family, in a database from before it
  const std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, opts}, {rocks::kStatsFamily, rocks::StatsFamilyOptions(opts)}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(opts, path, families, &handles, &raw);
  if (!s.ok()) return Status::IoError("cannot open storage at " + path + ": " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  db->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();  // the default: db->DefaultColumnFamily()
  Status moved = rocks::MoveStatsToTheirFamily(db.get(), handles[1], wo);
  if (!moved.ok()) {
    db->DestroyColumnFamilyHandle(handles[1]).PermitUncheckedError();
    return Status::IoError("cannot open storage at " + path + ": " + moved.message());
  }
  std::unique_ptr<Engine> engine =
      std::make_unique<RocksEngine>(std::move(env), std::move(db), handles[1], wo, std::move(block_cache),
                                    options.in_memory, options.item_cache_bytes);
  return engine;
}

}  // namespace basalt::storage
