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
// A commit of several partitions is a transaction (rados_txn.cc): a record,
// an intent on each partition, the commit point, the intents resolved. Reads
// settle the intents they meet (the x key rides in their first read op).
// Readers of this process do not even meet them: commits hold the
// partitions' stripes exclusively, MultiGet shares them.
//
// Snapshots: RADOS has no cheap point-in-time read of many objects, so a
// Snapshot here is the latest state; reads that share one are each atomic
// per partition only.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/coding.h"
#include "common/log.h"
#include "storage/key_format.h"
#include "storage/rados_parts.h"

namespace basalt::storage {
namespace rados_parts {

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

Status RecordsOf(const std::map<std::string, bufferlist>& vals, std::span<const Key> keys,
                 const std::vector<size_t>& indexes, std::vector<std::optional<Record>>* out) {
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
  return Status::Ok();
}

Version ParseVersion(const bufferlist& bl) { return std::strtoull(bl.to_str().c_str(), nullptr, 10); }

Status VisitOmap(librados::IoCtx& io, const std::string& oid, const std::string& prefix, const std::string& begin,
                 const std::function<bool(const std::string&, const bufferlist&)>& visit, const IntentHook* settle) {
  std::string after;
  bool first = true;
  const std::string x(1, L::kIntentKey);
  for (int settled = 0;;) {
    librados::ObjectReadOperation op;
    std::map<std::string, bufferlist> exact, vals;
    bool more = false;
    int r1 = 0, r2 = 0;
    // omap_get_vals2 starts after a key: the first read also fetches `begin`
    // itself (and the partition's intent, for `settle`).
    if (first) op.omap_get_vals_by_keys(settle ? std::set<std::string>{begin, x} : std::set<std::string>{begin}, &exact, &r1);
    op.omap_get_vals2(first ? begin : after, prefix, kPage, &vals, &more, &r2);
    int r = io.operate(oid, &op, nullptr);
    if (r == -ENOENT) return Status::Ok();
    BASALT_RETURN_IF_ERROR(FromRados(r, "read omap of " + oid));
    if (first && settle && exact.count(x)) {
      BASALT_ASSIGN_OR_RETURN(bool again, (*settle)(exact[x].to_str()));
      if (again) {
        if (++settled > 100) return Status::IoError("rados: a transaction's intent did not settle");
        continue;  // the partition changed: from the start
      }
      exact.erase(x);
    }
    if (first && exact.count(begin) && begin.starts_with(prefix) && !visit(begin, exact[begin])) {
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

Status RadosEngine::Connect(const RadosOptions& o) {
  BASALT_RETURN_IF_ERROR(FromRados(cluster_.init2(("client." + o.id).c_str(), "ceph", 0), "init"));
  if (!o.conf.empty()) BASALT_RETURN_IF_ERROR(FromRados(cluster_.conf_read_file(o.conf.c_str()), "read " + o.conf));
  // A client that cannot reach the cluster fails instead of waiting forever.
  BASALT_RETURN_IF_ERROR(FromRados(cluster_.conf_set("client_mount_timeout", "30"), "conf"));
  BASALT_RETURN_IF_ERROR(FromRados(cluster_.connect(), "connect to the cluster of " + o.conf));
  BASALT_RETURN_IF_ERROR(FromRados(cluster_.ioctx_create(o.pool.c_str(), io_), "open pool " + o.pool));
  prefix_ = o.name_space;
  stop_after_writes_ = o.test_stop_after_writes;
  txn_timeout_s_ = o.txn_timeout_s;
  io_.set_namespace(prefix_);
  librados::ObjectWriteOperation init;
  init.create(true);
  init.setxattr(L::kNextVersionXattr.data(), Bl("1"));
  int r = io_.operate(std::string(L::kMetaObject), &init);
  if (r != -EEXIST) BASALT_RETURN_IF_ERROR(FromRados(r, "create basalt.meta"));
  // The index notes' compare needs their object (rados_index_outbox.cc).
  librados::ObjectWriteOperation notes;
  notes.create(/*exclusive=*/false);
  BASALT_RETURN_IF_ERROR(FromRados(io_.operate(std::string(L::kIndexOutboxObject), &notes), "create basalt.index-outbox"));
  BASALT_RETURN_IF_ERROR(TakeSlot());
  BASALT_RETURN_IF_ERROR(SplitShippedMark());
  BASALT_RETURN_IF_ERROR(RecoverTransactions());
  StartRecovery(o.txn_recovery_interval_s);
  return Status::Ok();
}

// This front-end's slot (TakeVersion): the next count of basalt.meta's
// counter (compare-and-set) modulo 2^kSlotBits, so two front-ends share one
// only if 4,096 others opened in between.
Status RadosEngine::TakeSlot() {
  for (;;) {
    bufferlist bl;
    BASALT_RETURN_IF_ERROR(FromRados(io_.getxattr(std::string(L::kMetaObject), L::kNextVersionXattr.data(), bl),
                                     "read the slot counter"));
    std::string current = bl.to_str();
    uint64_t count = std::strtoull(current.c_str(), nullptr, 10);
    librados::ObjectWriteOperation op;
    op.cmpxattr(L::kNextVersionXattr.data(), LIBRADOS_CMPXATTR_OP_EQ, Bl(current));
    op.setxattr(L::kNextVersionXattr.data(), Bl(std::to_string(count + 1)));
    int r = io_.operate(std::string(L::kMetaObject), &op);
    if (r == -ECANCELED) continue;
    BASALT_RETURN_IF_ERROR(FromRados(r, "take a slot"));
    std::lock_guard lock(version_mu_);
    slot_ = count % (uint64_t{1} << kSlotBits);
    return Status::Ok();
  }
}

Status RadosEngine::MultiGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) {
  out->assign(keys.size(), std::nullopt);
  std::map<std::pair<TableId, std::string>, std::vector<size_t>> by_partition;
  for (size_t i = 0; i < keys.size(); ++i) by_partition[{keys[i].table, keys[i].pk}].push_back(i);
  std::vector<size_t> stripes;
  for (const auto& [p, unused] : by_partition) stripes.push_back(StripeOf(p.first, L::PartitionObject(p.second)));
  auto guard = LockStripes(std::move(stripes), /*exclusive=*/false);
  for (const auto& [p, indexes] : by_partition) {
    std::set<std::string> wanted;
    for (size_t i : indexes) wanted.insert(L::RecordKey(keys[i].sk));
    const std::string x(1, L::kIntentKey);
    wanted.insert(x);
    librados::IoCtx io = Io(p.first);
    std::map<std::string, bufferlist> vals;
    for (int attempt = 0;; ++attempt) {
      librados::ObjectReadOperation op;
      int rv = 0;
      vals.clear();
      op.omap_get_vals_by_keys(wanted, &vals, &rv);
      int r = io.operate(L::PartitionObject(p.second), &op, nullptr);
      if (r == -ENOENT) break;
      BASALT_RETURN_IF_ERROR(FromRados(r, "read partition"));
      auto it = vals.find(x);
      if (it == vals.end()) break;
      // A transaction holds the partition (rados_txn.cc).
      BASALT_ASSIGN_OR_RETURN(bool again, Settle(p.first, p.second, it->second.to_str(), /*writer=*/false));
      if (!again) break;
      if (attempt >= 100) return Status::IoError("rados: a transaction's intent did not settle");
    }
    BASALT_RETURN_IF_ERROR(RecordsOf(vals, keys, indexes, out));
  }
  return Status::Ok();
}

Status RadosEngine::QueryPartition(TableId table, std::string_view pk, const SortKeyRange& range, bool reverse,
                                   const std::optional<std::string>& resume_after, const RowSink& sink,
                                   const Snapshot*) {
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
  const IntentHook settle = [&](const std::string& intent) { return Settle(table, pk_copy, intent, false); };
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
    }, &settle));
    return bad;
  }
  // Omap iterates forward only: the range is read forward into memory and
  // visited backwards (each reverse page reads the range up to its start).
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(VisitOmap(io, oid, prefix, begin, [&](const std::string& k, const bufferlist& v) {
    if (end && k >= *end) return false;
    rows.emplace_back(k, v.to_str());
    return true;
  }, &settle));
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    if (!emit(it->first, it->second)) break;
  }
  return bad;
}

Status RadosEngine::ScanSegment(TableId table, uint32_t segment, uint32_t total,
                                const std::optional<std::pair<std::string, std::string>>& resume_after,
                                const RowSink& sink, const Snapshot*) {
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
    const IntentHook settle = [&](const std::string& intent) { return Settle(table, pk, intent, false); };
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
                                     }, &settle));
    BASALT_RETURN_IF_ERROR(bad);
    if (!go_on) break;
  }
  return Status::Ok();
}

Status RadosEngine::DropTable(TableId table) {
  librados::IoCtx io = Io(table);
  std::vector<std::string> oids;
  BASALT_RETURN_IF_ERROR(ListObjects(io, &oids));
  for (const std::string& oid : oids) {
    int r = io.remove(oid);
    if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove " + oid));
  }
  return Status::Ok();
}

Status RadosEngine::Stats(TableId table, TableStats* out) {
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

Status RadosEngine::CollectionBytes(TableId table, std::string_view pk, int64_t* bytes) {
  librados::IoCtx io = Io(table);
  L::Counters c;
  BASALT_RETURN_IF_ERROR(ReadCounters(io, L::PartitionObject(pk), &c));
  *bytes = c.collection;
  return Status::Ok();
}

Status RadosEngine::ReadLog(uint64_t log, uint64_t from,
                            const std::function<bool(uint64_t seq, std::string_view value)>& visit) {
  std::string prefix(1, L::kLogPrefix);
  PutFixed64BE(&prefix, log);
  return VisitOmap(io_, std::string(L::kMetaObject), prefix, L::LogKey(log, from),
                   [&](const std::string& k, const bufferlist& v) {
                     std::string value = v.to_str();
                     return visit(DecodeFixed64BE(k.data() + 9), value);
                   });
}

Status RadosEngine::TrimLog(uint64_t log, uint64_t below) {
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

Status RadosEngine::ListObjects(librados::IoCtx& io, std::vector<std::string>* oids) {
  try {
    for (auto it = io.nobjects_begin(); it != io.nobjects_end(); ++it) oids->push_back(it->get_oid());
  } catch (const std::exception& e) {
    return Status::IoError(std::string("rados: list objects: ") + e.what());
  }
  return Status::Ok();
}

Status RadosEngine::ListPartitions(librados::IoCtx& io, const std::function<void(uint32_t, std::string)>& visit) {
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

Status RadosEngine::ReadCounters(librados::IoCtx& io, const std::string& oid, L::Counters* c) {
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

// Outbox records live in their partitions; basalt.outbox names the
// partitions that may hold some. A record is returned once every commit
// with a smaller version (of this front-end) has landed, and not at all once
// it is at or below its partition's shipped-through mark, which ShipOutbox
// writes with the log records (so a crash between the two steps ships
// nothing twice). The marks are per partition because a partition's
// versions grow (Commit) but versions across partitions do not when several
// front-ends commit: one front-end's commit may land below a version that
// another's already shipped, in another partition.
Status RadosEngine::ReadOutbox(std::string_view after, size_t limit, std::vector<OutboxEntry>* out) {
  out->clear();
  Version stable;
  {
    std::lock_guard lock(outbox_mu_);
    std::lock_guard vlock(version_mu_);
    stable = outbox_in_flight_.empty() ? VersionFloorLocked() : *outbox_in_flight_.begin();
  }
  const std::string stable_key = L::OutboxKey(stable, 0);
  std::vector<std::string> refs;
  BASALT_RETURN_IF_ERROR(VisitOmap(io_, std::string(L::kOutboxObject), "", "", [&](const std::string& k, const bufferlist&) {
    refs.push_back(k);
    return true;
  }));
  if (refs.empty()) return Status::Ok();
  std::map<std::string, std::string> marks;  // partition-ref -> its mark
  BASALT_RETURN_IF_ERROR(ReadShippedMarks(&marks));
  std::vector<OutboxEntry> all;
  for (const std::string& ref : refs) {
    auto marked = marks.find(ref);
    const std::string shipped = marked == marks.end() ? std::string() : marked->second;
    auto partition = L::ParsePartitionRef(ref);
    if (!partition) continue;
    librados::IoCtx io = Io(partition->first);
    const std::string prefix(1, L::kOutboxPrefix);
    Status bad;
    BASALT_RETURN_IF_ERROR(VisitOmap(io, partition->second, prefix, prefix, [&](const std::string& k, const bufferlist& v) {
      if (k >= stable_key) return false;
      std::string position = k.substr(1);
      if (position <= shipped) return true;
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

// Every partition's shipped-through mark, by partition-ref. The single mark
// of an earlier Basalt (key 'S' alone) is returned under the empty ref.
Status RadosEngine::ReadShippedMarks(std::map<std::string, std::string>* marks) {
  marks->clear();
  const std::string prefix(1, L::kShippedKey);
  return VisitOmap(io_, std::string(L::kMetaObject), prefix, prefix, [&](const std::string& k, const bufferlist& v) {
    (*marks)[k.substr(1)] = v.to_str();
    return true;
  });
}

// An earlier Basalt kept one shipped-through mark for all partitions. It
// becomes a mark on each partition noted in basalt.outbox, in one write
// (with the old one's removal), at open: all front-ends of one pool run the
// same Basalt, so none writes the old mark meanwhile.
Status RadosEngine::SplitShippedMark() {
  std::map<std::string, std::string> marks;
  BASALT_RETURN_IF_ERROR(ReadShippedMarks(&marks));
  auto every = marks.find("");
  if (every == marks.end()) return Status::Ok();
  std::map<std::string, bufferlist> sets;
  BASALT_RETURN_IF_ERROR(VisitOmap(io_, std::string(L::kOutboxObject), "", "", [&](const std::string& ref, const bufferlist&) {
    auto own = marks.find(ref);
    sets[L::ShippedKey(ref)] = Bl(own == marks.end() ? every->second : std::max(own->second, every->second));
    return true;
  }));
  librados::ObjectWriteOperation op;
  int cmp = 0;
  op.omap_cmp({{std::string(1, L::kShippedKey), {Bl(every->second), LIBRADOS_CMPXATTR_OP_EQ}}}, &cmp);
  if (!sets.empty()) op.omap_set(sets);
  op.omap_rm_keys({std::string(1, L::kShippedKey)});
  int r = io_.operate(std::string(L::kMetaObject), &op);
  if (r == -ECANCELED) return Status::Ok();  // another front-end split it
  return FromRados(r, "split the shipped-through mark");
}

Status RadosEngine::ShipOutbox(std::span<const OutboxEntry> shipped, std::span<const LogAppend> appends,
                               std::span<const std::pair<std::string, std::string>> meta_puts,
                               const MetaCondition* only_if) {
  // Logs, metadata and the partitions' shipped-through marks: one atomic
  // write of basalt.meta, compared first when asked.
  std::map<std::string, bufferlist> sets;
  for (const LogAppend& a : appends) sets[L::LogKey(a.log, a.seq)] = Bl(a.value);
  for (const auto& [k, v] : meta_puts) sets[L::MetaKey(k)] = Bl(v);
  std::map<std::string, std::set<std::string>> by_ref;  // partition-ref -> outbox keys
  std::map<std::string, std::string> marks;             // partition-ref -> its new mark
  for (const OutboxEntry& e : shipped) {
    if (e.position.size() < 12) return Status::Internal("bad outbox position");
    const std::string ref = e.position.substr(12);
    by_ref[ref].insert(std::string(1, L::kOutboxPrefix) + e.position.substr(0, 12));
    marks[ref] = std::max(marks[ref], e.position.substr(0, 12));
  }
  for (const auto& [ref, mark] : marks) sets[L::ShippedKey(ref)] = Bl(mark);
  if (!sets.empty()) {
    librados::ObjectWriteOperation op;
    int cmp = 0;
    if (only_if) {
      // An absent key compares as the empty value, which no stored one is.
      op.omap_cmp({{L::MetaKey(only_if->key), {Bl(only_if->value.value_or("")), LIBRADOS_CMPXATTR_OP_EQ}}}, &cmp);
    }
    op.omap_set(sets);
    int r = io_.operate(std::string(L::kMetaObject), &op);
    if (r == -ECANCELED) return Status(Code::kConditionalCheckFailed, "the stored value changed");
    BASALT_RETURN_IF_ERROR(FromRados(r, "ship outbox"));
  }
  // Then the shipped records leave their partitions, and a partition with
  // none left leaves basalt.outbox, with its mark. Its stripe keeps this
  // front-end's commits out meanwhile; another front-end's commit notes the
  // partition before it lands and again after, so looking once more after
  // the removal finds what landed meanwhile (Commit).
  for (const auto& [ref, keys] : by_ref) {
    auto partition = L::ParsePartitionRef(ref);
    if (!partition) continue;
    const auto& [table, oid] = *partition;
    auto guard = LockStripes({StripeOf(table, oid)}, /*exclusive=*/true);
    librados::IoCtx io = Io(table);
    librados::ObjectWriteOperation op;
    op.assert_exists();
    op.omap_rm_keys(keys);
    int r = io.operate(oid, &op);
    if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove shipped records"));
    auto holds_records = [&](bool* more) {
      *more = false;
      const std::string prefix(1, L::kOutboxPrefix);
      return VisitOmap(io, oid, prefix, prefix, [&](const std::string&, const bufferlist&) {
        *more = true;
        return false;
      });
    };
    bool more = false;
    BASALT_RETURN_IF_ERROR(holds_records(&more));
    if (more) continue;
    librados::ObjectWriteOperation rm;
    rm.omap_rm_keys({ref});
    BASALT_RETURN_IF_ERROR(FromRados(io_.operate(std::string(L::kOutboxObject), &rm), "forget outbox"));
    BASALT_RETURN_IF_ERROR(holds_records(&more));
    librados::ObjectWriteOperation again;
    if (more) {
      again.omap_set({{ref, bufferlist()}});
      BASALT_RETURN_IF_ERROR(FromRados(io_.operate(std::string(L::kOutboxObject), &again), "note outbox"));
    } else {
      // Later records of the partition have larger versions than the mark.
      // Compared, since another front-end may have shipped one of them and
      // marked it since (that mark stays until its record is gone).
      int cmp = 0;
      again.omap_cmp({{L::ShippedKey(ref), {Bl(marks[ref]), LIBRADOS_CMPXATTR_OP_EQ}}}, &cmp);
      again.omap_rm_keys({L::ShippedKey(ref)});
      int forgot = io_.operate(std::string(L::kMetaObject), &again);
      if (forgot != -ECANCELED) BASALT_RETURN_IF_ERROR(FromRados(forgot, "forget mark"));
    }
  }
  return Status::Ok();
}

}  // namespace rados_parts

}  // namespace basalt::storage

// The module's entry point (rados_module.cc loads it by this name). The
// module has its own copy of common/log, which takes the executable's level.
extern "C" __attribute__((visibility("default"))) void basalt_rados_open(
    const basalt::storage::RadosOptions* options, basalt::LogLevel log_level,
    basalt::Result<std::unique_ptr<basalt::storage::Engine>>* out) {
  using basalt::storage::rados_parts::RadosEngine;
  basalt::SetLogLevel(log_level);
  auto engine = std::make_unique<RadosEngine>();
  basalt::Status st = engine->Connect(*options);
  if (st.ok()) {
    *out = std::unique_ptr<basalt::storage::Engine>(std::move(engine));
  } else {
    *out = std::move(st);
  }
}
