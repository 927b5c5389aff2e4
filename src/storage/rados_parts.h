// The rados engine's parts, shared by its files: rados_engine.cc (opening,
// reads, tables, the log, the outbox), rados_commit.cc (the write path:
// Commit, versions), rados_txn.cc (the intents of multi-partition commits)
// and rados_index_outbox.cc (the index changes of asynchronous GSIs).
// Private to storage/; these are the only files that include librados. The
// layout of the objects is rados_layout.h's.
#pragma once

#include <rados/librados.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "storage/engine.h"
#include "storage/rados_engine.h"
#include "storage/rados_layout.h"

namespace basalt::storage::rados_parts {

namespace L = rados_layout;
using librados::bufferlist;

constexpr int kSlotBits = 12;   // a version's low bits: the front-end that took it (TakeVersion)
constexpr uint64_t kPage = 512;  // omap entries per read

// An error of librados (a negative errno) as a Status naming `what`.
Status FromRados(int r, std::string_view what);
bufferlist Bl(std::string_view s);
// When a version was taken: its clock part (TakeVersion), Unix seconds.
inline double VersionSeconds(Version v) { return static_cast<double>(v >> kSlotBits) / 1e6; }
// The record's value without its version header; false if malformed.
bool SplitStored(std::string_view stored, Version* version, std::string_view* value);
Version ParseVersion(const bufferlist& bl);
// Sets (*out)[i], for each of `indexes`, to the record of keys[i] among one
// partition's omap values (by omap key); absent keys are left empty.
Status RecordsOf(const std::map<std::string, bufferlist>& vals, std::span<const Key> keys,
                 const std::vector<size_t>& indexes, std::vector<std::optional<Record>>* out);

// Settles a partition's intent for a reader (RadosEngine::Settle): true
// when the partition changed and is read again.
using IntentHook = std::function<Result<bool>(const std::string& intent)>;

// Visits the omap entries of `oid` whose keys start with `prefix`, from
// `begin` (inclusive; at least `prefix`) on, in key order, until `visit`
// returns false. An absent object has none. With `settle`, a partition's
// intent met by the first read is settled before anything is visited.
Status VisitOmap(librados::IoCtx& io, const std::string& oid, const std::string& prefix, const std::string& begin,
                 const std::function<bool(const std::string&, const bufferlist&)>& visit,
                 const IntentHook* settle = nullptr);

class RadosSnapshot : public Snapshot {};

class RadosMetaStore : public MetaStore {
 public:
  RadosMetaStore(librados::Rados* cluster, librados::IoCtx* io) : cluster_(cluster), io_(io) {}
  Status Put(std::string_view key, std::string_view value) override {
    librados::ObjectWriteOperation op;
    op.omap_set({{L::MetaKey(key), Bl(value)}});
    return FromRados(io_->operate(std::string(L::kMetaObject), &op), "meta put");
  }
  Status Delete(std::string_view key) override {
    librados::ObjectWriteOperation op;
    op.omap_rm_keys({L::MetaKey(key)});
    return FromRados(io_->operate(std::string(L::kMetaObject), &op), "meta delete");
  }
  Status Get(std::string_view key, std::optional<std::string>* value) override {
    librados::ObjectReadOperation op;
    std::map<std::string, bufferlist> vals;
    int rv = 0;
    op.omap_get_vals_by_keys({L::MetaKey(key)}, &vals, &rv);
    BASALT_RETURN_IF_ERROR(FromRados(io_->operate(std::string(L::kMetaObject), &op, nullptr), "meta get"));
    value->reset();
    if (!vals.empty()) *value = vals.begin()->second.to_str();
    return Status::Ok();
  }
  Status List(std::string_view prefix, std::vector<std::pair<std::string, std::string>>* out) override {
    out->clear();
    std::string p = L::MetaKey(prefix);
    return VisitOmap(*io_, std::string(L::kMetaObject), p, p, [&](const std::string& k, const bufferlist& v) {
      out->emplace_back(k.substr(1), v.to_str());
      return true;
    });
  }
  // RADOS compares an absent omap key as the empty value: stored values are
  // never empty, so "absent" is expected as "".
  Status PutIf(std::string_view key, const std::optional<std::string>& expected, std::string_view value) override {
    librados::ObjectWriteOperation op;
    int cmp = 0;
    op.omap_cmp({{L::MetaKey(key), {Bl(expected.value_or("")), LIBRADOS_CMPXATTR_OP_EQ}}}, &cmp);
    op.omap_set({{L::MetaKey(key), Bl(value)}});
    int r = io_->operate(std::string(L::kMetaObject), &op);
    if (r == -ECANCELED) return Status(Code::kConditionalCheckFailed, "the stored value changed");
    return FromRados(r, "meta put-if");
  }

  bool Shared() const override { return true; }

  // A watch on basalt.meta; another front-end's Announce is a notify on it.
  // A notify from this client itself (its own Announce) is acknowledged and
  // ignored; a broken watch calls `changed` too, so the caller re-reads.
  bool Watch(std::function<void()> changed) override {
    watcher_ = std::make_unique<Watcher>(io_, std::move(changed), cluster_->get_instance_id());
    int r = io_->watch2(std::string(L::kMetaObject), &watch_handle_, watcher_.get());
    if (r < 0) watch_handle_ = 0;  // the caller's periodic re-read still follows the others
    return true;
  }
  void Announce() override {
    bufferlist none;
    // Returns once every watcher has acknowledged (or after the timeout).
    (void)io_->notify2(std::string(L::kMetaObject), none, kNotifyTimeoutMs, nullptr);
  }
  Result<std::vector<uint64_t>> Watchers() override {
    std::list<obj_watch_t> watchers;
    BASALT_RETURN_IF_ERROR(FromRados(io_->list_watchers(std::string(L::kMetaObject), &watchers), "list watchers"));
    std::vector<uint64_t> ids;
    for (const obj_watch_t& w : watchers) ids.push_back(static_cast<uint64_t>(w.watcher_id));
    return ids;
  }
  uint64_t ProcessId() const override { return cluster_->get_instance_id(); }
  // A cls_lock exclusive lock on basalt.meta named after the lease, with
  // this client's instance id as its cookie, taken or renewed for `seconds`.
  Result<bool> Lease(std::string_view name, double seconds) override {
    const auto whole = static_cast<time_t>(seconds);
    timeval duration{whole, static_cast<suseconds_t>((seconds - static_cast<double>(whole)) * 1e6)};
    int r = io_->lock_exclusive(std::string(L::kMetaObject), "lease." + std::string(name),
                                std::to_string(cluster_->get_instance_id()), "basalt background work", &duration,
                                LIBRADOS_LOCK_FLAG_MAY_RENEW);
    if (r == -EBUSY || r == -EEXIST) return false;
    BASALT_RETURN_IF_ERROR(FromRados(r, "lease " + std::string(name)));
    return true;
  }

  // Ends the watch, waiting out a callback in progress (before the IoCtx closes).
  void Unwatch() override {
    if (watch_handle_) io_->unwatch2(watch_handle_);
    if (watcher_) cluster_->watch_flush();
    watch_handle_ = 0;
    watcher_.reset();
  }

 private:
  static constexpr uint64_t kNotifyTimeoutMs = 2000;
  class Watcher : public librados::WatchCtx2 {
   public:
    Watcher(librados::IoCtx* io, std::function<void()> changed, uint64_t self)
        : io_(io), changed_(std::move(changed)), self_(self) {}
    void handle_notify(uint64_t notify_id, uint64_t cookie, uint64_t notifier_id, bufferlist& bl) override {
      (void)bl;
      bufferlist none;
      io_->notify_ack(std::string(L::kMetaObject), notify_id, cookie, none);
      if (notifier_id != self_) changed_();
    }
    void handle_error(uint64_t cookie, int err) override {
      (void)cookie;
      (void)err;
      changed_();
    }

   private:
    librados::IoCtx* io_;
    std::function<void()> changed_;
    uint64_t self_;
  };

  librados::Rados* cluster_;
  librados::IoCtx* io_;
  std::unique_ptr<Watcher> watcher_;
  uint64_t watch_handle_ = 0;
};

// What a commit read of one partition.
struct PartitionState {
  bool exists = false;
  Version version = 0;
  L::Counters counters;
  std::map<std::string, bufferlist> records;  // by omap key
  std::string intent;  // the 'x' value (rados_txn.cc); empty: none
};

// One object write of several in flight at once (RadosEngine::WriteAll).
struct PartitionOp {
  librados::IoCtx io;
  std::string oid;
  librados::ObjectWriteOperation op;
  librados::AioCompletion* done = nullptr;
  int result = 0;
  int cmp = 0;  // an omap_cmp's own result
};

// A transaction record's state (rados_txn.cc).
enum class TxnState { kPending, kCommitted, kAborted, kGone, kLegacy };

class RadosEngine : public Engine {
 public:
  static constexpr size_t kStripes = 1024;

  RadosEngine() : meta_(&cluster_, &io_) {}
  ~RadosEngine() override {
    StopRecovery();
    meta_.Unwatch();
    io_.aio_flush();  // the removals of finished transactions' records
    io_.close();
    cluster_.shutdown();
  }

  Status Connect(const RadosOptions& o);

  std::unique_ptr<Snapshot> NewSnapshot() override { return std::make_unique<RadosSnapshot>(); }

  Status Get(const Key& key, std::optional<Record>* out, const Snapshot*) override {
    std::vector<std::optional<Record>> one;
    BASALT_RETURN_IF_ERROR(MultiGet(std::span<const Key>(&key, 1), &one));
    *out = std::move(one[0]);
    return Status::Ok();
  }

  Status MultiGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) override;
  Status TransactGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) override;

  Status Commit(std::span<const PartitionWrite> writes) override;

  Status QueryPartition(TableId table, std::string_view pk, const SortKeyRange& range, bool reverse,
                        const std::optional<std::string>& resume_after, const RowSink& sink,
                        const Snapshot*) override;

  Status ScanSegment(TableId table, uint32_t segment, uint32_t total,
                     const std::optional<std::pair<std::string, std::string>>& resume_after, const RowSink& sink,
                     const Snapshot*) override;

  Status DropTable(TableId table) override;

  Status Stats(TableId table, TableStats* out) override;

  Status CollectionBytes(TableId table, std::string_view pk, int64_t* bytes) override;

  Status ReadOutbox(std::string_view after, size_t limit, std::vector<OutboxEntry>* out) override;
  Status ReadShippedMarks(std::map<std::string, std::string>* marks);
  Status SplitShippedMark();
  Status ShipOutbox(std::span<const OutboxEntry> shipped, std::span<const LogAppend> appends,
                    std::span<const std::pair<std::string, std::string>> meta_puts,
                    const MetaCondition* only_if) override;

  bool AsyncIndexes() const override { return true; }
  Status ReadIndexChanges(TableId table, const std::optional<std::string>& pk, size_t limit,
                          std::vector<IndexChange>* out) override;
  Status RemoveIndexChanges(std::span<const IndexChange> applied, bool keep_listed) override;

  Status ReadLog(uint64_t log, uint64_t from,
                 const std::function<bool(uint64_t seq, std::string_view value)>& visit) override;

  Status TrimLog(uint64_t log, uint64_t below) override;

  MetaStore& meta() override { return meta_; }

  std::vector<std::pair<std::string, double>> Health() override {
    return {{"rados_txn_committed", static_cast<double>(txn_committed_.load())},
            {"rados_txn_conflicts", static_cast<double>(txn_conflicts_.load())},
            {"rados_txn_finished_for_others", static_cast<double>(txn_finished_for_others_.load())},
            {"rados_txn_aborted_for_others", static_cast<double>(txn_aborted_for_others_.load())}};
  }

 private:
  librados::IoCtx Io(TableId table) {
    librados::IoCtx io;
    io.dup(io_);
    io.set_namespace(prefix_ + L::TableNamespace(table));
    return io;
  }

  // The stripe of a partition, by its object name.
  static size_t StripeOf(TableId table, std::string_view oid) {
    return (std::hash<std::string_view>()(oid) ^ (table * 0x9E3779B97F4A7C15ull >> 20)) % kStripes;
  }

  // Locks the stripes in index order (no deadlock); unlocks when the result goes.
  std::shared_ptr<void> LockStripes(std::vector<size_t> stripes, bool exclusive) {
    std::sort(stripes.begin(), stripes.end());
    stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
    for (size_t s : stripes) exclusive ? stripes_[s].lock() : stripes_[s].lock_shared();
    return std::shared_ptr<void>(nullptr, [this, stripes, exclusive](void*) {
      for (auto it = stripes.rbegin(); it != stripes.rend(); ++it) {
        exclusive ? stripes_[*it].unlock() : stripes_[*it].unlock_shared();
      }
    });
  }

  Status ListObjects(librados::IoCtx& io, std::vector<std::string>* oids);

  // Every partition of a table's namespace, by hash and partition key.
  Status ListPartitions(librados::IoCtx& io, const std::function<void(uint32_t, std::string)>& visit);

  static Status ReadCounters(librados::IoCtx& io, const std::string& oid, L::Counters* c);

  // Notes partitions (partition-ref -> the version of the commit that
  // writes changes there) in basalt.index-outbox.
  Status NoteIndexChanges(const std::map<std::string, Version>& refs);
  // A partition's index changes (rados_index_outbox.cc).
  Status ReadIndexChangesOf(const std::string& ref, std::vector<IndexChange>* out);
  Status ForgetIndexNote(const std::string& ref);

  Status ReadPartition(TableId table, const std::string& pk, const std::set<std::string>& keys, PartitionState* out);
  void BuildApply(const L::Plan& plan, librados::ObjectWriteOperation* op);
  int Apply(const L::Plan& plan);
  // Runs the operations, all in flight at once (one round trip for all);
  // their results in order.
  std::vector<int> WriteAll(std::vector<std::unique_ptr<PartitionOp>>& ops);
  // A version above `above` and every version this front-end took before.
  Version TakeVersion(Version above);
  Status TakeSlot();
  // Versions taken from now on are at least this; holds version_mu_.
  Version VersionFloorLocked();

  // The transaction protocol (rados_txn.cc).
  // Commits plans of several partitions, read at their versions, as
  // transaction `txn`; *retry when a partition changed since it was read
  // (nothing was applied).
  Status CommitAcross(const std::vector<L::Plan>& plans, Version txn, bool* retry);
  // What to do with the intent a read of (table, pk) met: true when the
  // partition changed (the intent was resolved) and must be read again.
  // A writer aborts a pending transaction past its time and otherwise
  // conflicts with it; a reader reads the committed values beside it.
  Result<bool> Settle(TableId table, const std::string& pk, const std::string& intent, bool writer);
  Result<TxnState> ReadTxnState(Version txn, int64_t* created_ms);
  // Applies (or drops) a partition's intent, if it is still there.
  Status Resolve(Version txn, const L::Plan& plan, bool apply);
  // Resolves the intents of every plan, all at once. `note_outbox`: a plan
  // with outbox records notes its partition in basalt.outbox first (for
  // all but the coordinator, whose commit noted it).
  Status ResolveAll(Version txn, std::span<const L::Plan> plans, bool apply, bool note_outbox);
  Result<std::unique_ptr<PartitionOp>> ResolveOp(Version txn, const L::Plan& plan, bool apply, bool note_outbox);
  // Finishes every transaction record that is decided or timed out.
  Status RecoverTransactions();
  Status RecoverLegacyIntent(const std::string& oid, const bufferlist& body);
  void StartRecovery(double interval_s);
  void StopRecovery();
  // RadosOptions::test_stop_after_writes: true when a multi-partition commit
  // that made `writes` object writes must stop.
  bool StopHere(int writes) const { return stop_after_writes_ >= 0 && writes >= stop_after_writes_; }

  librados::Rados cluster_;
  std::string prefix_;  // RadosOptions::name_space
  int stop_after_writes_ = -1;  // RadosOptions::test_stop_after_writes
  double txn_timeout_s_ = 10;   // RadosOptions::txn_timeout_s
  librados::IoCtx io_;  // namespace prefix_: the engine's own objects
  RadosMetaStore meta_;
  std::array<std::shared_mutex, kStripes> stripes_;
  std::mutex version_mu_;
  uint64_t slot_ = 0;        // this front-end's, in every version it takes (< 2^kSlotBits)
  Version version_floor_ = 0;  // TakeVersion returns no less; guarded by version_mu_
  std::mutex outbox_mu_;
  std::set<Version> outbox_in_flight_;  // versions of commits with outbox records not yet landed; guarded by outbox_mu_
  // Health(): multi-partition commits made; writes turned away by another's
  // pending transaction; intents of others' committed transactions applied;
  // others' transactions aborted past their time.
  std::atomic<uint64_t> txn_committed_{0}, txn_conflicts_{0}, txn_finished_for_others_{0},
      txn_aborted_for_others_{0};
  std::mutex recovery_mu_;
  std::condition_variable recovery_cv_;
  bool stopping_ = false;  // guarded by recovery_mu_
  std::thread recovery_;
};

}  // namespace basalt::storage::rados_parts
