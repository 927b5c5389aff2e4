// The rados engine's write path (rados_parts.h has the engine): a Commit
// reads each partition it touches, checks the preconditions, and writes each
// partition with one object operation guarded by a compare on the version it
// read; a commit of several partitions goes through the transaction
// protocol of rados_txn.cc. The head of rados_engine.cc says more.
#include <algorithm>
#include <cerrno>
#include <chrono>

#include "common/coding.h"
#include "common/log.h"
#include "storage/key_format.h"
#include "storage/rados_parts.h"

namespace basalt::storage::rados_parts {

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
  wanted.insert(std::string(1, L::kIntentKey));
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
  auto x = vals.find(std::string(1, L::kIntentKey));
  if (x != vals.end()) {
    out->intent = x->second.to_str();
    vals.erase(x);
  }
  out->records = std::move(vals);
  return Status::Ok();
}

// One atomic object operation: compare the version read (or create the
// object, which must not exist), then write. -ECANCELED or -EEXIST: another
// writer came first.
void RadosEngine::BuildApply(const L::Plan& plan, librados::ObjectWriteOperation* op) {
  if (plan.exists) {
    op->cmpxattr(L::kVersionXattr.data(), LIBRADOS_CMPXATTR_OP_EQ, Bl(std::to_string(plan.old_version)));
  } else {
    op->create(true);
    op->setxattr(L::kPkXattr.data(), Bl(plan.pk));
  }
  op->setxattr(L::kVersionXattr.data(), Bl(std::to_string(plan.new_version)));
  if (!plan.sets.empty()) {
    std::map<std::string, bufferlist> sets;
    for (const auto& [k, v] : plan.sets) sets[k] = Bl(v);
    op->omap_set(sets);
  }
  if (!plan.removes.empty()) op->omap_rm_keys(std::set<std::string>(plan.removes.begin(), plan.removes.end()));
}

int RadosEngine::Apply(const L::Plan& plan) {
  librados::IoCtx io = Io(plan.table);
  librados::ObjectWriteOperation op;
  BuildApply(plan, &op);
  return io.operate(L::PartitionObject(plan.pk), &op);
}

std::vector<int> RadosEngine::WriteAll(std::vector<std::unique_ptr<PartitionOp>>& ops) {
  for (auto& p : ops) {
    p->done = librados::Rados::aio_create_completion();
    int r = p->io.aio_operate(p->oid, p->done, &p->op);
    if (r < 0) {
      p->done->release();
      p->done = nullptr;
      p->result = r;
    }
  }
  std::vector<int> results;
  for (auto& p : ops) {
    if (p->done) {
      p->done->wait_for_complete();
      p->result = p->done->get_return_value();
      p->done->release();
      p->done = nullptr;
    }
    results.push_back(p->result);
  }
  return results;
}

// A version is a hybrid logical clock with this front-end's slot below it:
//
//   version := micros:u52 slot:u12
//
// micros is the time in microseconds since the Unix epoch, or more: never
// below what this front-end took before, nor below a partition's version
// that the commit replaces (`above`), which another front-end may have
// taken with a clock ahead of this one's. So versions are unique across
// front-ends (their slots differ), grow within one front-end and within one
// partition, and follow time across front-ends as far as their clocks agree:
// a client's PutItem on one front-end after its PutItem on another takes the
// larger version, and its stream record comes after the first's.
Version RadosEngine::VersionFloorLocked() {
  const auto micros = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  version_floor_ = std::max(version_floor_, (micros << kSlotBits) | slot_);
  return version_floor_;
}

Version RadosEngine::TakeVersion(Version above) {
  std::lock_guard lock(version_mu_);
  Version v = VersionFloorLocked();
  if (v <= above) v = (((above >> kSlotBits) + 1) << kSlotBits) | slot_;
  version_floor_ = v + (1u << kSlotBits);
  return v;
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
    // A partition that a transaction holds is settled first (rados_txn.cc).
    std::vector<PartitionState> states(groups.size());
    bool settled = false;
    for (size_t i = 0; i < groups.size() && !settled; ++i) {
      std::set<std::string> keys;
      for (const PartitionWrite* w : groups[i].writes) {
        for (const Mutation& m : w->muts) keys.insert(L::RecordKey(m.sk));
      }
      BASALT_RETURN_IF_ERROR(ReadPartition(groups[i].table, groups[i].pk, keys, &states[i]));
      if (!states[i].intent.empty()) {
        BASALT_ASSIGN_OR_RETURN(settled, Settle(groups[i].table, groups[i].pk, states[i].intent, /*writer=*/true));
        if (settled) break;
      }
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
    if (settled) {
      if (attempt >= 100) return Status::IoError("rados: a transaction's intent did not settle");
      continue;
    }
    // Plan each partition's change. A partition that is only checked is not
    // written, unless the commit spans several: then its intent keeps the
    // check true until the commit point.
    std::vector<L::Plan> plans;
    Version version = 0;  // taken when the commit turns out to write; above each partition's
    Version above = 0;
    for (const PartitionState& s : states) above = std::max(above, s.version);
    auto take_version = [&]() -> Status {
      if (version != 0) return Status::Ok();
      version = TakeVersion(above);
      return Status::Ok();
    };
    // A commit with outbox records takes its version and enters the
    // in-flight set in one step, so ReadOutbox never reads past a version
    // whose records have yet to land.
    const bool has_outbox =
        std::any_of(writes.begin(), writes.end(), [](const PartitionWrite& w) { return !w.outbox.empty(); });
    if (has_outbox) {
      std::lock_guard lock(outbox_mu_);
      version = TakeVersion(above);
      outbox_in_flight_.insert(version);
    }
    uint32_t outbox_index = 0;
    uint32_t index_change_index = 0;
    std::set<std::string> outbox_refs;
    std::set<std::string> index_refs;  // partitions with index changes
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
          outbox_refs.insert(L::PartitionRef(groups[i].table, groups[i].oid));
        }
        for (const std::string& change : w->index_changes) {
          BASALT_RETURN_IF_ERROR(take_version());
          changes[L::IndexChangeKey(version, index_change_index++)] = change;
          index_refs.insert(L::PartitionRef(groups[i].table, groups[i].oid));
        }
      }
      if (changes.empty() && !counted && groups.size() == 1) continue;
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
    std::map<std::string, bufferlist> refs;
    for (const std::string& ref : outbox_refs) refs[ref] = bufferlist();
    if (!refs.empty()) {
      librados::ObjectWriteOperation op;
      op.omap_set(refs);
      st = FromRados(io_.operate(std::string(L::kOutboxObject), &op), "note outbox");
    }
    std::map<std::string, Version> index_notes;
    for (const std::string& ref : index_refs) index_notes[ref] = version;
    if (st.ok() && !index_notes.empty()) st = NoteIndexChanges(index_notes);
    if (st.ok() && plans.size() == 1) {
      int r = Apply(plans[0]);
      retry = r == -ECANCELED || r == -EEXIST;
      if (!retry) st = FromRados(r, "commit");
    } else if (st.ok() && plans.size() > 1) {
      st = CommitAcross(plans, version, &retry);
    }
    landed();
    if (st.ok() && !refs.empty()) {
      // Noted again once landed, without waiting: another front-end's
      // shipper may have dropped the note in between, after looking at the
      // partition before the records landed (ShipOutbox). The first note
      // covers a crash of this front-end.
      librados::ObjectWriteOperation op;
      op.omap_set(refs);
      librados::AioCompletion* noted = librados::Rados::aio_create_completion();
      (void)io_.aio_operate(std::string(L::kOutboxObject), noted, &op);
      noted->release();
    }
    if (!retry) return st;
    if (attempt >= 100) return Status::IoError("rados: commit kept conflicting with other writers");
  }
}

// Finishes a multi-partition commit that an earlier Basalt (before
// transaction records) left as a redo intent: a partition still at the
// version the commit read gets its planned change; one at the planned
// version has it already.
Status RadosEngine::RecoverLegacyIntent(const std::string& oid, const bufferlist& body) {
  std::vector<L::Plan> plans;
  if (!L::DecodeIntent(body.to_str(), &plans)) return Status::Internal("corrupt intent " + oid);
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
  int r = io_.remove(oid);
  if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove " + oid));
  Log(LogLevel::kInfo, "rados: finished the interrupted commit " + oid);
  return Status::Ok();
}

}  // namespace basalt::storage::rados_parts
