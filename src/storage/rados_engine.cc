// The rados engine: every table in a Ceph RADOS pool, one object per
// partition (rados_layout.h has the byte layout).
//
// A Commit reads each partition it touches (its version xattr, counters and
// the records its preconditions name; one read op each), checks the
// preconditions here, and writes each partition with one atomic object
// operation guarded by a compare on the version it read (cmpxattr "v", or an
// exclusive create for a new partition). A compare that fails means another
// writer got there first: the commit is read and checked again.
//
// A commit of several partitions writes an intent object first (the planned
// change of every partition), then the partitions, then removes the intent;
// Open finishes the intents a crashed front-end left, so such a commit is
// all or nothing across a crash. Readers of this process do not see one half
// applied: commits hold the partitions' stripes exclusively, MultiGet shares
// them. Across several front-ends that isolation does not hold (see
// docs/architecture.md, "The rados engine").
//
// Snapshots: RADOS has no cheap point-in-time read of many objects, so a
// Snapshot here is the latest state; reads that share one are each atomic
// per partition only.
#include <rados/librados.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "common/coding.h"
#include "common/log.h"
#include "storage/key_format.h"
#include "storage/rados_engine.h"
#include "storage/rados_layout.h"

namespace basalt::storage {
namespace {

namespace L = rados_layout;
using librados::bufferlist;

constexpr uint64_t kVersionBlock = 1 << 20;  // versions a front-end takes at a time
constexpr uint64_t kPage = 512;             // omap entries per read

Status FromRados(int r, std::string_view what) {
  if (r >= 0) return Status::Ok();
  return Status::IoError("rados: " + std::string(what) + ": " + std::strerror(-r));
}

bufferlist Bl(std::string_view s) {
  bufferlist bl;
  bl.append(s.data(), static_cast<unsigned>(s.size()));
  return bl;
}

// The record's value without its version header; false if malformed.
bool SplitStored(std::string_view stored, Version* version, std::string_view* value) {
  if (!GetVarint64(&stored, version)) return false;
  *value = stored;
  return true;
}

Version ParseVersion(const bufferlist& bl) { return std::strtoull(bl.to_str().c_str(), nullptr, 10); }

class RadosSnapshot : public Snapshot {};

// Visits the omap entries of `oid` whose keys start with `prefix`, from
// `begin` (inclusive; at least `prefix`) on, in key order, until `visit`
// returns false. An absent object has none.
Status VisitOmap(librados::IoCtx& io, const std::string& oid, const std::string& prefix, const std::string& begin,
                 const std::function<bool(const std::string&, const bufferlist&)>& visit) {
  std::string after;
  bool first = true;
  for (;;) {
    librados::ObjectReadOperation op;
    std::map<std::string, bufferlist> exact, vals;
    bool more = false;
    int r1 = 0, r2 = 0;
    // omap_get_vals2 starts after a key: the first read also fetches `begin` itself.
    if (first) op.omap_get_vals_by_keys({begin}, &exact, &r1);
    op.omap_get_vals2(first ? begin : after, prefix, kPage, &vals, &more, &r2);
    int r = io.operate(oid, &op, nullptr);
    if (r == -ENOENT) return Status::Ok();
    BASALT_RETURN_IF_ERROR(FromRados(r, "read omap of " + oid));
    if (first && !exact.empty() && begin.starts_with(prefix) && !visit(exact.begin()->first, exact.begin()->second)) {
      return Status::Ok();
    }
    first = false;
    for (const auto& [k, v] : vals) {
      if (!visit(k, v)) return Status::Ok();
      after = k;
    }
    if (!more || vals.empty()) return Status::Ok();
  }
}

class RadosEngine;

class RadosMetaStore : public MetaStore {
 public:
  explicit RadosMetaStore(librados::IoCtx* io) : io_(io) {}
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

 private:
  librados::IoCtx* io_;
};

// What a commit read of one partition.
struct PartitionState {
  bool exists = false;
  Version version = 0;
  L::Counters counters;
  std::map<std::string, bufferlist> records;  // by omap key
};

class RadosEngine : public Engine {
 public:
  static constexpr size_t kStripes = 1024;

  RadosEngine() : meta_(&io_) {}
  ~RadosEngine() override {
    io_.close();
    cluster_.shutdown();
  }

  Status Connect(const RadosOptions& o) {
    BASALT_RETURN_IF_ERROR(FromRados(cluster_.init2(("client." + o.id).c_str(), "ceph", 0), "init"));
    if (!o.conf.empty()) BASALT_RETURN_IF_ERROR(FromRados(cluster_.conf_read_file(o.conf.c_str()), "read " + o.conf));
    // A client that cannot reach the cluster fails instead of waiting forever.
    BASALT_RETURN_IF_ERROR(FromRados(cluster_.conf_set("client_mount_timeout", "30"), "conf"));
    BASALT_RETURN_IF_ERROR(FromRados(cluster_.connect(), "connect to the cluster of " + o.conf));
    BASALT_RETURN_IF_ERROR(FromRados(cluster_.ioctx_create(o.pool.c_str(), io_), "open pool " + o.pool));
    prefix_ = o.name_space;
    stop_after_partitions_ = o.test_stop_after_partitions;
    io_.set_namespace(prefix_);
    librados::ObjectWriteOperation init;
    init.create(true);
    init.setxattr(L::kNextVersionXattr.data(), Bl("1"));
    int r = io_.operate(std::string(L::kMetaObject), &init);
    if (r != -EEXIST) BASALT_RETURN_IF_ERROR(FromRados(r, "create basalt.meta"));
    // A block of versions now, above every stored one: ReadOutbox returns
    // records below the next version, so those left by an earlier run ship
    // before this run's first commit.
    BASALT_ASSIGN_OR_RETURN(Version first, TakeVersion());
    (void)first;
    return RecoverIntents();
  }

  std::unique_ptr<Snapshot> NewSnapshot() override { return std::make_unique<RadosSnapshot>(); }

  Status Get(const Key& key, std::optional<Record>* out, const Snapshot*) override {
    std::vector<std::optional<Record>> one;
    BASALT_RETURN_IF_ERROR(MultiGet(std::span<const Key>(&key, 1), &one));
    *out = std::move(one[0]);
    return Status::Ok();
  }

  Status MultiGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) override {
    out->assign(keys.size(), std::nullopt);
    std::map<std::pair<TableId, std::string>, std::vector<size_t>> by_partition;
    for (size_t i = 0; i < keys.size(); ++i) by_partition[{keys[i].table, keys[i].pk}].push_back(i);
    std::vector<size_t> stripes;
    for (const auto& [p, unused] : by_partition) stripes.push_back(StripeOf(p.first, L::PartitionObject(p.second)));
    auto guard = LockStripes(std::move(stripes), /*exclusive=*/false);
    for (const auto& [p, indexes] : by_partition) {
      std::set<std::string> wanted;
      for (size_t i : indexes) wanted.insert(L::RecordKey(keys[i].sk));
      librados::IoCtx io = Io(p.first);
      librados::ObjectReadOperation op;
      std::map<std::string, bufferlist> vals;
      int rv = 0;
      op.omap_get_vals_by_keys(wanted, &vals, &rv);
      int r = io.operate(L::PartitionObject(p.second), &op, nullptr);
      if (r == -ENOENT) continue;
      BASALT_RETURN_IF_ERROR(FromRados(r, "read partition"));
      for (size_t i : indexes) {
        auto it = vals.find(L::RecordKey(keys[i].sk));
        if (it == vals.end()) continue;
        std::string stored = it->second.to_str();
        Record rec;
        std::string_view value;
        if (!SplitStored(stored, &rec.version, &value)) return Status::Internal("corrupt stored value");
        rec.value.assign(value);
        (*out)[i] = std::move(rec);
      }
    }
    return Status::Ok();
  }

  Status Commit(std::span<const PartitionWrite> writes) override;

  Status QueryPartition(TableId table, std::string_view pk, const SortKeyRange& range, bool reverse,
                        const std::optional<std::string>& resume_after, const RowSink& sink,
                        const Snapshot*) override {
    // [begin, end) over omap keys 'i' sk; the prefix filter is 'i' plus begins_with.
    std::string prefix = L::RecordKey(range.prefix.value_or(""));
    std::string begin = prefix;
    std::optional<std::string> end;
    auto raise = [&](std::string c) { begin = std::max(begin, std::move(c)); };
    auto lower = [&](std::string c) {
      if (!end || c < *end) end = std::move(c);
    };
    if (range.lower) raise(L::RecordKey(*range.lower) + (range.lower_inclusive ? "" : std::string(1, '\0')));
    if (range.upper) lower(L::RecordKey(*range.upper) + (range.upper_inclusive ? std::string(1, '\0') : ""));
    if (resume_after) {
      if (reverse) {
        lower(L::RecordKey(*resume_after));
      } else {
        raise(L::RecordKey(*resume_after) + std::string(1, '\0'));
      }
    }
    librados::IoCtx io = Io(table);
    const std::string oid = L::PartitionObject(pk);
    std::string pk_copy(pk);
    Status bad;
    auto emit = [&](const std::string& key, std::string_view stored) {
      Version v;
      std::string_view value;
      if (!SplitStored(stored, &v, &value)) {
        bad = Status::Internal("corrupt stored value");
        return false;
      }
      return sink(Row{pk_copy, std::string_view(key).substr(1), value});
    };
    if (!reverse) {
      BASALT_RETURN_IF_ERROR(VisitOmap(io, oid, prefix, begin, [&](const std::string& k, const bufferlist& v) {
        if (end && k >= *end) return false;
        std::string stored = v.to_str();
        return emit(k, stored);
      }));
      return bad;
    }
    // Omap iterates forward only: the range is read forward into memory and
    // visited backwards (each reverse page reads the range up to its start).
    std::vector<std::pair<std::string, std::string>> rows;
    BASALT_RETURN_IF_ERROR(VisitOmap(io, oid, prefix, begin, [&](const std::string& k, const bufferlist& v) {
      if (end && k >= *end) return false;
      rows.emplace_back(k, v.to_str());
      return true;
    }));
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
      if (!emit(it->first, it->second)) break;
    }
    return bad;
  }

  Status ScanSegment(TableId table, uint32_t segment, uint32_t total,
                     const std::optional<std::pair<std::string, std::string>>& resume_after, const RowSink& sink,
                     const Snapshot*) override {
    const uint64_t lo = SegmentHashBegin(segment, total), hi = SegmentHashBegin(segment + 1, total);
    std::vector<std::pair<uint32_t, std::string>> partitions;  // (hash, pk)
    librados::IoCtx io = Io(table);
    BASALT_RETURN_IF_ERROR(ListPartitions(io, [&](uint32_t hash, std::string pk) {
      if (hash >= lo && hash < hi) partitions.emplace_back(hash, std::move(pk));
    }));
    std::sort(partitions.begin(), partitions.end());
    for (const auto& [hash, pk] : partitions) {
      std::string begin = L::RecordKey("");
      if (resume_after) {
        const auto& [rpk, rsk] = *resume_after;
        if (std::pair(hash, pk) < std::pair(PartitionHash(rpk), rpk)) continue;  // before the resume point
        if (pk == rpk) begin = L::RecordKey(rsk) + std::string(1, '\0');
      }
      bool go_on = true;
      Status bad;
      BASALT_RETURN_IF_ERROR(VisitOmap(io, L::PartitionObject(pk), L::RecordKey(""), begin,
                                       [&](const std::string& k, const bufferlist& v) {
                                         std::string stored = v.to_str();
                                         Version version;
                                         std::string_view value;
                                         if (!SplitStored(stored, &version, &value)) {
                                           bad = Status::Internal("corrupt stored value");
                                           return go_on = false;
                                         }
                                         return go_on = sink(Row{pk, std::string_view(k).substr(1), value});
                                       }));
      BASALT_RETURN_IF_ERROR(bad);
      if (!go_on) break;
    }
    return Status::Ok();
  }

  Status DropTable(TableId table) override {
    librados::IoCtx io = Io(table);
    std::vector<std::string> oids;
    BASALT_RETURN_IF_ERROR(ListObjects(io, &oids));
    for (const std::string& oid : oids) {
      int r = io.remove(oid);
      if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove " + oid));
    }
    return Status::Ok();
  }

  Status Stats(TableId table, TableStats* out) override {
    *out = TableStats{};
    librados::IoCtx io = Io(table);
    std::vector<std::string> oids;
    BASALT_RETURN_IF_ERROR(ListObjects(io, &oids));
    for (const std::string& oid : oids) {
      L::Counters c;
      BASALT_RETURN_IF_ERROR(ReadCounters(io, oid, &c));
      out->item_count += c.items;
      out->size_bytes += c.bytes;
    }
    return Status::Ok();
  }

  Status CollectionBytes(TableId table, std::string_view pk, int64_t* bytes) override {
    librados::IoCtx io = Io(table);
    L::Counters c;
    BASALT_RETURN_IF_ERROR(ReadCounters(io, L::PartitionObject(pk), &c));
    *bytes = c.collection;
    return Status::Ok();
  }

  Status ReadOutbox(std::string_view after, size_t limit, std::vector<OutboxEntry>* out) override;
  Status ShipOutbox(std::span<const OutboxEntry> shipped, std::span<const LogAppend> appends,
                    std::span<const std::pair<std::string, std::string>> meta_puts) override;

  Status ReadLog(uint64_t log, uint64_t from,
                 const std::function<bool(uint64_t seq, std::string_view value)>& visit) override {
    std::string prefix(1, L::kLogPrefix);
    PutFixed64BE(&prefix, log);
    return VisitOmap(io_, std::string(L::kMetaObject), prefix, L::LogKey(log, from),
                     [&](const std::string& k, const bufferlist& v) {
                       std::string value = v.to_str();
                       return visit(DecodeFixed64BE(k.data() + 9), value);
                     });
  }

  Status TrimLog(uint64_t log, uint64_t below) override {
    std::string prefix(1, L::kLogPrefix);
    PutFixed64BE(&prefix, log);
    const std::string end = L::LogKey(log, below);
    std::set<std::string> keys;
    BASALT_RETURN_IF_ERROR(VisitOmap(io_, std::string(L::kMetaObject), prefix, prefix,
                                     [&](const std::string& k, const bufferlist&) {
                                       if (k >= end) return false;
                                       keys.insert(k);
                                       return true;
                                     }));
    if (keys.empty()) return Status::Ok();
    librados::ObjectWriteOperation op;
    op.omap_rm_keys(keys);
    return FromRados(io_.operate(std::string(L::kMetaObject), &op), "trim log");
  }

  MetaStore& meta() override { return meta_; }

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

  Status ListObjects(librados::IoCtx& io, std::vector<std::string>* oids) {
    try {
      for (auto it = io.nobjects_begin(); it != io.nobjects_end(); ++it) oids->push_back(it->get_oid());
    } catch (const std::exception& e) {
      return Status::IoError(std::string("rados: list objects: ") + e.what());
    }
    return Status::Ok();
  }

  // Every partition of a table's namespace, by hash and partition key.
  Status ListPartitions(librados::IoCtx& io, const std::function<void(uint32_t, std::string)>& visit) {
    std::vector<std::string> oids;
    BASALT_RETURN_IF_ERROR(ListObjects(io, &oids));
    for (const std::string& oid : oids) {
      uint32_t hash;
      std::string pk;
      bool whole;
      if (!L::ParsePartitionObject(oid, &hash, &pk, &whole)) continue;
      if (!whole) {
        bufferlist bl;
        int r = io.getxattr(oid, L::kPkXattr.data(), bl);
        if (r == -ENOENT) continue;
        BASALT_RETURN_IF_ERROR(FromRados(r, "read the key of " + oid));
        pk = bl.to_str();
      }
      visit(hash, std::move(pk));
    }
    return Status::Ok();
  }

  static Status ReadCounters(librados::IoCtx& io, const std::string& oid, L::Counters* c) {
    librados::ObjectReadOperation op;
    std::map<std::string, bufferlist> vals;
    int rv = 0;
    op.omap_get_vals_by_keys({std::string(1, L::kCountersKey)}, &vals, &rv);
    int r = io.operate(oid, &op, nullptr);
    *c = L::Counters{};
    if (r == -ENOENT) return Status::Ok();
    BASALT_RETURN_IF_ERROR(FromRados(r, "read counters of " + oid));
    if (!vals.empty()) *c = L::DecodeCounters(vals.begin()->second.to_str());
    return Status::Ok();
  }

  Status ReadPartition(TableId table, const std::string& pk, const std::set<std::string>& keys, PartitionState* out);
  int Apply(const L::Plan& plan);
  Status RecoverIntents();
  Result<Version> TakeVersion();

  librados::Rados cluster_;
  std::string prefix_;  // RadosOptions::name_space
  int stop_after_partitions_ = -1;  // RadosOptions::test_stop_after_partitions
  librados::IoCtx io_;  // namespace prefix_: the engine's own objects
  RadosMetaStore meta_;
  std::array<std::shared_mutex, kStripes> stripes_;
  std::mutex version_mu_;
  Version next_version_ = 0, version_limit_ = 0;  // the block this front-end hands out; guarded by version_mu_
  std::mutex outbox_mu_;
  std::set<Version> outbox_in_flight_;  // versions of commits with outbox records not yet landed; guarded by outbox_mu_
};

Status RadosEngine::ReadPartition(TableId table, const std::string& pk, const std::set<std::string>& keys,
                                  PartitionState* out) {
  *out = PartitionState{};
  librados::IoCtx io = Io(table);
  librados::ObjectReadOperation op;
  bufferlist v;
  int rv = 0, rk = 0;
  op.getxattr(L::kVersionXattr.data(), &v, &rv);
  std::set<std::string> wanted = keys;
  wanted.insert(std::string(1, L::kCountersKey));
  std::map<std::string, bufferlist> vals;
  op.omap_get_vals_by_keys(wanted, &vals, &rk);
  int r = io.operate(L::PartitionObject(pk), &op, nullptr);
  if (r == -ENOENT) return Status::Ok();
  BASALT_RETURN_IF_ERROR(FromRados(r, "read partition"));
  out->exists = true;
  out->version = ParseVersion(v);
  auto c = vals.find(std::string(1, L::kCountersKey));
  if (c != vals.end()) {
    out->counters = L::DecodeCounters(c->second.to_str());
    vals.erase(c);
  }
  out->records = std::move(vals);
  return Status::Ok();
}

// One atomic object operation: compare the version read (or create the
// object, which must not exist), then write. -ECANCELED or -EEXIST: another
// writer came first.
int RadosEngine::Apply(const L::Plan& plan) {
  librados::IoCtx io = Io(plan.table);
  librados::ObjectWriteOperation op;
  if (plan.exists) {
    op.cmpxattr(L::kVersionXattr.data(), LIBRADOS_CMPXATTR_OP_EQ, Bl(std::to_string(plan.old_version)));
  } else {
    op.create(true);
    op.setxattr(L::kPkXattr.data(), Bl(plan.pk));
  }
  op.setxattr(L::kVersionXattr.data(), Bl(std::to_string(plan.new_version)));
  if (!plan.sets.empty()) {
    std::map<std::string, bufferlist> sets;
    for (const auto& [k, v] : plan.sets) sets[k] = Bl(v);
    op.omap_set(sets);
  }
  if (!plan.removes.empty()) op.omap_rm_keys(std::set<std::string>(plan.removes.begin(), plan.removes.end()));
  return io.operate(L::PartitionObject(plan.pk), &op);
}

// Versions come in blocks from a counter on basalt.meta (compare-and-set),
// so they are unique across front-ends and grow within one.
Result<Version> RadosEngine::TakeVersion() {
  std::lock_guard lock(version_mu_);
  while (next_version_ == version_limit_) {
    bufferlist bl;
    BASALT_RETURN_IF_ERROR(FromRados(io_.getxattr(std::string(L::kMetaObject), L::kNextVersionXattr.data(), bl),
                                     "read the version counter"));
    std::string current = bl.to_str();
    Version from = std::strtoull(current.c_str(), nullptr, 10);
    librados::ObjectWriteOperation op;
    op.cmpxattr(L::kNextVersionXattr.data(), LIBRADOS_CMPXATTR_OP_EQ, Bl(current));
    op.setxattr(L::kNextVersionXattr.data(), Bl(std::to_string(from + kVersionBlock)));
    int r = io_.operate(std::string(L::kMetaObject), &op);
    if (r == -ECANCELED) continue;
    BASALT_RETURN_IF_ERROR(FromRados(r, "take versions"));
    next_version_ = from;
    version_limit_ = from + kVersionBlock;
  }
  return next_version_++;
}

// A commit's partitions: the writes to each, in order.
struct PartitionGroup {
  TableId table = 0;
  std::string pk;
  std::string oid;
  std::vector<const PartitionWrite*> writes;
};

Status RadosEngine::Commit(std::span<const PartitionWrite> writes) {
  std::vector<PartitionGroup> groups;
  for (const PartitionWrite& w : writes) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const PartitionGroup& g) { return g.table == w.table && g.pk == w.pk; });
    if (it == groups.end()) {
      groups.push_back(PartitionGroup{w.table, w.pk, L::PartitionObject(w.pk), {}});
      it = groups.end() - 1;
    }
    it->writes.push_back(&w);
  }
  std::vector<size_t> stripes;
  for (const PartitionGroup& g : groups) stripes.push_back(StripeOf(g.table, g.oid));
  auto guard = LockStripes(std::move(stripes), /*exclusive=*/true);

  for (int attempt = 0;; ++attempt) {
    // Read and check every precondition against the state before the commit.
    std::vector<PartitionState> states(groups.size());
    for (size_t i = 0; i < groups.size(); ++i) {
      std::set<std::string> keys;
      for (const PartitionWrite* w : groups[i].writes) {
        for (const Mutation& m : w->muts) keys.insert(L::RecordKey(m.sk));
      }
      BASALT_RETURN_IF_ERROR(ReadPartition(groups[i].table, groups[i].pk, keys, &states[i]));
      for (const PartitionWrite* w : groups[i].writes) {
        for (const Mutation& m : w->muts) {
          auto it = states[i].records.find(L::RecordKey(m.sk));
          Version version = 0;
          std::string_view unused;
          bool exists = it != states[i].records.end();
          if (exists && !SplitStored(it->second.to_str(), &version, &unused)) {
            return Status::Internal("corrupt stored value");
          }
          bool holds = true;
          switch (m.pre.kind) {
            case Precondition::kAny: break;
            case Precondition::kMustNotExist: holds = !exists; break;
            case Precondition::kMustExist: holds = exists; break;
            case Precondition::kVersionEquals: holds = exists && version == m.pre.version; break;
          }
          if (!holds) return Status(Code::kPreconditionFailed, "precondition failed");
        }
      }
    }
    // Plan each partition's change; a partition that is only checked is not written.
    std::vector<L::Plan> plans;
    Version version = 0;  // taken when the commit turns out to write
    auto take_version = [&]() -> Status {
      if (version != 0) return Status::Ok();
      BASALT_ASSIGN_OR_RETURN(version, TakeVersion());
      return Status::Ok();
    };
    // A commit with outbox records takes its version and enters the
    // in-flight set in one step, so ReadOutbox never reads past a version
    // whose records have yet to land.
    const bool has_outbox =
        std::any_of(writes.begin(), writes.end(), [](const PartitionWrite& w) { return !w.outbox.empty(); });
    if (has_outbox) {
      std::lock_guard lock(outbox_mu_);
      BASALT_ASSIGN_OR_RETURN(version, TakeVersion());
      outbox_in_flight_.insert(version);
    }
    uint32_t outbox_index = 0;
    std::set<std::string> outbox_refs;
    for (size_t i = 0; i < groups.size(); ++i) {
      std::map<std::string, std::optional<std::string>> changes;
      L::Counters counters = states[i].counters;
      bool counted = false;
      for (const PartitionWrite* w : groups[i].writes) {
        for (const Mutation& m : w->muts) {
          if (m.op == Mutation::kCheck) continue;
          BASALT_RETURN_IF_ERROR(take_version());
          if (m.op == Mutation::kDelete) {
            changes[L::RecordKey(m.sk)] = std::nullopt;
            continue;
          }
          std::string stored;
          PutVarint64(&stored, version);
          stored.append(m.value);
          changes[L::RecordKey(m.sk)] = std::move(stored);
        }
        if (w->item_count_delta != 0 || w->size_bytes_delta != 0 || w->collection_bytes_delta != 0) {
          counters.items += w->item_count_delta;
          counters.bytes += w->size_bytes_delta;
          counters.collection += w->collection_bytes_delta;
          counted = true;
        }
        for (const std::string& record : w->outbox) {
          std::string stored;
          PutVarint64(&stored, w->log);
          stored.append(record);
          changes[L::OutboxKey(version, outbox_index++)] = std::move(stored);
          outbox_refs.insert(L::TableNamespace(groups[i].table) + "/" + groups[i].oid);
        }
      }
      if (changes.empty() && !counted) continue;
      BASALT_RETURN_IF_ERROR(take_version());
      L::Plan plan{groups[i].table, groups[i].pk, states[i].exists, states[i].version, version, {}, {}};
      for (auto& [k, v] : changes) {
        if (v) {
          plan.sets.emplace_back(k, std::move(*v));
        } else {
          plan.removes.push_back(k);
        }
      }
      if (counted) plan.sets.emplace_back(std::string(1, L::kCountersKey), L::EncodeCounters(counters));
      plans.push_back(std::move(plan));
    }
    auto landed = [&] {
      if (!has_outbox) return;
      std::lock_guard lock(outbox_mu_);
      outbox_in_flight_.erase(version);
    };
    Status st;
    bool retry = false;
    if (!outbox_refs.empty()) {
      librados::ObjectWriteOperation op;
      std::map<std::string, bufferlist> refs;
      for (const std::string& ref : outbox_refs) refs[ref] = bufferlist();
      op.omap_set(refs);
      st = FromRados(io_.operate(std::string(L::kOutboxObject), &op), "note outbox");
    }
    if (st.ok() && plans.size() == 1) {
      int r = Apply(plans[0]);
      retry = r == -ECANCELED || r == -EEXIST;
      if (!retry) st = FromRados(r, "commit");
    } else if (st.ok() && plans.size() > 1) {
      // The intent makes the commit whole across a crash (RecoverIntents).
      const std::string intent = L::IntentObject(version);
      bufferlist body = Bl(L::EncodeIntent(plans));
      st = FromRados(io_.write_full(intent, body), "write intent");
      for (size_t i = 0; st.ok() && i < plans.size(); ++i) {
        if (stop_after_partitions_ >= 0 && i == static_cast<size_t>(stop_after_partitions_)) {
          landed();
          return Status::IoError("rados: stopped mid-commit for a test");
        }
        int r = Apply(plans[i]);
        if (i == 0 && (r == -ECANCELED || r == -EEXIST)) {
          retry = true;  // nothing written yet
          break;
        }
        if (r < 0) st = FromRados(r, "commit (the intent stays for recovery)");
      }
      if (st.ok()) st = FromRados(io_.remove(intent), "remove intent");
    }
    landed();
    if (!retry) return st;
    if (attempt >= 100) return Status::IoError("rados: commit kept conflicting with other writers");
  }
}

// Finishes the multi-partition commits a crashed front-end left: a
// partition still at the version the commit read gets its planned change;
// one at the planned version has it already.
Status RadosEngine::RecoverIntents() {
  std::vector<std::string> oids;
  BASALT_RETURN_IF_ERROR(ListObjects(io_, &oids));
  for (const std::string& oid : oids) {
    if (!oid.starts_with(L::kIntentPrefix)) continue;
    bufferlist bl;
    int r = io_.read(oid, bl, 0, 0);
    if (r == -ENOENT) continue;  // another front-end finished it
    BASALT_RETURN_IF_ERROR(FromRados(r, "read " + oid));
    std::vector<L::Plan> plans;
    if (!L::DecodeIntent(bl.to_str(), &plans)) return Status::Internal("corrupt intent " + oid);
    for (const L::Plan& plan : plans) {
      PartitionState state;
      BASALT_RETURN_IF_ERROR(ReadPartition(plan.table, plan.pk, {}, &state));
      if (state.exists && state.version == plan.new_version) continue;
      if (state.exists != plan.exists || state.version != plan.old_version) {
        Log(LogLevel::kWarn, "rados: intent " + oid + ": a partition changed since; its part is not applied");
        continue;
      }
      BASALT_RETURN_IF_ERROR(FromRados(Apply(plan), "recover " + oid));
    }
    r = io_.remove(oid);
    if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove " + oid));
    Log(LogLevel::kInfo, "rados: finished the interrupted commit " + oid);
  }
  return Status::Ok();
}

// Outbox records live in their partitions; basalt.outbox names the
// partitions that may hold some. A record is returned once every commit
// with a smaller version (of this front-end) has landed, and not at all once
// it is at or below the shipped-through mark, which ShipOutbox writes with
// the log records (so a crash between the two steps ships nothing twice).
Status RadosEngine::ReadOutbox(std::string_view after, size_t limit, std::vector<OutboxEntry>* out) {
  out->clear();
  Version stable;
  {
    std::lock_guard lock(outbox_mu_);
    std::lock_guard vlock(version_mu_);
    stable = outbox_in_flight_.empty() ? next_version_ : *outbox_in_flight_.begin();
  }
  const std::string stable_key = L::OutboxKey(stable, 0);
  std::vector<std::string> refs;
  BASALT_RETURN_IF_ERROR(VisitOmap(io_, std::string(L::kOutboxObject), "", "", [&](const std::string& k, const bufferlist&) {
    refs.push_back(k);
    return true;
  }));
  if (refs.empty()) return Status::Ok();
  std::optional<std::string> shipped;
  {
    librados::ObjectReadOperation op;
    std::map<std::string, bufferlist> vals;
    int rv = 0;
    op.omap_get_vals_by_keys({std::string(1, L::kShippedKey)}, &vals, &rv);
    BASALT_RETURN_IF_ERROR(FromRados(io_.operate(std::string(L::kMetaObject), &op, nullptr), "read shipped mark"));
    shipped.reset();
    if (!vals.empty()) shipped = vals.begin()->second.to_str();
  }
  std::vector<OutboxEntry> all;
  for (const std::string& ref : refs) {
    size_t slash = ref.find('/');
    std::optional<TableId> table = L::ParseTableNamespace(ref.substr(0, slash));
    if (slash == std::string::npos || !table) continue;
    librados::IoCtx io = Io(*table);
    const std::string prefix(1, L::kOutboxPrefix);
    Status bad;
    BASALT_RETURN_IF_ERROR(VisitOmap(io, ref.substr(slash + 1), prefix, prefix, [&](const std::string& k, const bufferlist& v) {
      if (k >= stable_key) return false;
      std::string position = k.substr(1);
      if (shipped && position <= *shipped) return true;
      position += ref;
      if (!after.empty() && position <= after) return true;
      std::string value = v.to_str();
      std::string_view in(value);
      OutboxEntry e;
      if (!GetVarint64(&in, &e.log)) {
        bad = Status::Internal("corrupt outbox record");
        return false;
      }
      e.position = std::move(position);
      e.value.assign(in);
      all.push_back(std::move(e));
      return true;
    }));
    BASALT_RETURN_IF_ERROR(bad);
  }
  std::sort(all.begin(), all.end(), [](const OutboxEntry& a, const OutboxEntry& b) { return a.position < b.position; });
  if (all.size() > limit) all.resize(limit);
  *out = std::move(all);
  return Status::Ok();
}

Status RadosEngine::ShipOutbox(std::span<const OutboxEntry> shipped, std::span<const LogAppend> appends,
                               std::span<const std::pair<std::string, std::string>> meta_puts) {
  // Logs, metadata and the shipped-through mark: one atomic write of basalt.meta.
  std::map<std::string, bufferlist> sets;
  for (const LogAppend& a : appends) sets[L::LogKey(a.log, a.seq)] = Bl(a.value);
  for (const auto& [k, v] : meta_puts) sets[L::MetaKey(k)] = Bl(v);
  std::map<std::string, std::set<std::string>> by_ref;  // partition-ref -> outbox keys
  std::string mark;
  for (const OutboxEntry& e : shipped) {
    if (e.position.size() < 12) return Status::Internal("bad outbox position");
    mark = std::max(mark, e.position.substr(0, 12));
    by_ref[e.position.substr(12)].insert(std::string(1, L::kOutboxPrefix) + e.position.substr(0, 12));
  }
  if (!mark.empty()) sets[std::string(1, L::kShippedKey)] = Bl(mark);
  if (!sets.empty()) {
    librados::ObjectWriteOperation op;
    op.omap_set(sets);
    BASALT_RETURN_IF_ERROR(FromRados(io_.operate(std::string(L::kMetaObject), &op), "ship outbox"));
  }
  // Then the shipped records leave their partitions, and a partition with
  // none left leaves basalt.outbox (under its stripe, so no commit adds one meanwhile).
  for (const auto& [ref, keys] : by_ref) {
    size_t slash = ref.find('/');
    std::optional<TableId> table = L::ParseTableNamespace(ref.substr(0, slash));
    if (slash == std::string::npos || !table) continue;
    const std::string oid = ref.substr(slash + 1);
    auto guard = LockStripes({StripeOf(*table, oid)}, /*exclusive=*/true);
    librados::IoCtx io = Io(*table);
    librados::ObjectWriteOperation op;
    op.assert_exists();
    op.omap_rm_keys(keys);
    int r = io.operate(oid, &op);
    if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove shipped records"));
    bool more = false;
    const std::string prefix(1, L::kOutboxPrefix);
    BASALT_RETURN_IF_ERROR(VisitOmap(io, oid, prefix, prefix, [&](const std::string&, const bufferlist&) {
      more = true;
      return false;
    }));
    if (!more) {
      librados::ObjectWriteOperation rm;
      rm.omap_rm_keys({ref});
      BASALT_RETURN_IF_ERROR(FromRados(io_.operate(std::string(L::kOutboxObject), &rm), "forget outbox"));
    }
  }
  return Status::Ok();
}

}  // namespace

bool RadosAvailable() { return true; }

Result<std::unique_ptr<Engine>> OpenRados(const RadosOptions& options) {
  if (options.pool.empty()) return Status::Validation("--engine=rados needs --rados-pool");
  auto engine = std::make_unique<RadosEngine>();
  BASALT_RETURN_IF_ERROR(engine->Connect(options));
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace basalt::storage
