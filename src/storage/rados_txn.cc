// Cross-partition transactions on RADOS, whose unit of atomicity is one
// object: the protocol of STORAGE.md rule 4, as modelled in
// txn_coordinator.pml and checked there by spin (atomicity, durability and
// the isolation of transactional reads, under a crash after every step).
//
// A commit of plans for n partitions, as transaction V (a fresh version),
// makes these object writes in four round trips (the n intents are in
// flight at once, so are the n resolutions, and the record's removal is not
// waited for); RadosOptions::test_stop_after_writes counts them in order:
//   1        the record "basalt.txn." hex16(V): every plan, state P, created t
//   2..n+1   an intent on each partition: 'x' := V plan, guarded by the
//            version the commit read (as a single-partition commit is); the
//            partition's version becomes V
//   n+2      the commit point: state P -> C, compared. Losing the compare
//            (another front-end aborted V) cancels the commit
//   n+3..    each intent resolved: the plan applied and 'x' removed,
//            compared: 'x' still holds V's intent
//   2n+3     the record removed
// A partition changed between the read and its intent (step 2) aborts V
// (P -> A), drops the intents placed, and the commit is read again.
//
// Whoever meets an intent (Settle) reads its record:
//   C        resolves the intent (applies the plan) and reads again
//   A        drops the intent (writers; readers read the committed values)
//   P        a writer aborts V once it is txn_timeout_s old, else conflicts
//            (TransactionConflict); a reader reads the committed values,
//            which are the latest: V is not committed
//   gone     the record goes only after every intent of a committed V was
//            resolved, so an intent still there once the record is seen
//            gone is an aborted V's (its coordinator placed it late, or died
//            dropping them): dropped, compared, and read again
// A front-end holding the lease "txn-recovery" (and every front-end at
// open) finishes the records left: C resolved, A dropped, P past its time
// aborted and dropped; then the record goes.
//
// The in-process stripe locks still isolate this front-end's readers from
// its own commits (rados_engine.cc); the intents isolate the others. A
// plain MultiGet across partitions reads each one's committed values
// (BatchGetItem is not atomic in DynamoDB either); TransactGet below is the
// model's transactional reader.
#include <algorithm>
#include <cerrno>
#include <chrono>

#include "common/log.h"
#include "storage/rados_parts.h"

namespace basalt::storage::rados_parts {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Stopped() { return Status::IoError("rados: stopped mid-commit for a test"); }

}  // namespace

Status RadosEngine::CommitAcross(const std::vector<L::Plan>& plans, Version txn, bool* retry) {
  *retry = false;
  int writes = 0;
  // How many of the next n writes the test stop allows (all, outside tests).
  auto allowed = [&](size_t n) {
    if (stop_after_writes_ < 0) return n;
    return std::min(n, static_cast<size_t>(std::max(0, stop_after_writes_ - writes)));
  };
  const std::string record = L::IntentObject(txn);
  if (allowed(1) == 0) return Stopped();
  {
    librados::ObjectWriteOperation op;
    op.create(true);
    op.write_full(Bl(L::EncodeIntent(plans)));
    op.setxattr(L::kStateXattr.data(), Bl("P"));
    op.setxattr(L::kCreatedXattr.data(), Bl(std::to_string(NowMs())));
    BASALT_RETURN_IF_ERROR(FromRados(io_.operate(record, &op), "write transaction record"));
    ++writes;
  }
  // Ends V without its writes: the record aborted (unless it is already
  // final: then it was aborted by another), the intents placed dropped.
  auto give_up = [&]() -> Status {
    librados::ObjectWriteOperation op;
    op.cmpxattr(L::kStateXattr.data(), LIBRADOS_CMPXATTR_OP_EQ, Bl("P"));
    op.setxattr(L::kStateXattr.data(), Bl("A"));
    int r = io_.operate(record, &op);
    if (r != -ECANCELED && r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "abort transaction"));
    BASALT_RETURN_IF_ERROR(ResolveAll(txn, plans, /*apply=*/false, /*note_outbox=*/false));
    r = io_.remove(record);
    if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove transaction record"));
    return Status::Ok();
  };
  // The intents, all in flight at once: one round trip for n partitions.
  std::vector<std::unique_ptr<PartitionOp>> intents;
  for (size_t i = 0; i < allowed(plans.size()); ++i) {
    const L::Plan& p = plans[i];
    L::Plan intent{p.table, p.pk, p.exists, p.old_version, txn, {}, {}};
    intent.sets.emplace_back(std::string(1, L::kIntentKey), L::EncodePartitionIntent(txn, p));
    auto op = std::make_unique<PartitionOp>();
    op->io = Io(p.table);
    op->oid = L::PartitionObject(p.pk);
    BuildApply(intent, &op->op);
    intents.push_back(std::move(op));
  }
  Status failed;
  for (int r : WriteAll(intents)) {
    if (r == -ECANCELED || r == -EEXIST) {
      *retry = true;  // another writer came first: V ends, the commit is read again
    } else if (r < 0 && failed.ok()) {
      failed = FromRados(r, "place intent");
    }
  }
  if (!failed.ok()) {
    give_up().IgnoreError();  // what stays is finished by recovery
    return failed;
  }
  if (*retry) return give_up();
  writes += static_cast<int>(intents.size());
  if (intents.size() < plans.size() || allowed(1) == 0) return Stopped();
  {
    librados::ObjectWriteOperation op;
    op.cmpxattr(L::kStateXattr.data(), LIBRADOS_CMPXATTR_OP_EQ, Bl("P"));
    op.setxattr(L::kStateXattr.data(), Bl("C"));
    int r = io_.operate(record, &op);
    if (r == -ECANCELED || r == -ENOENT) {
      // Another front-end took V for dead and aborted it.
      BASALT_RETURN_IF_ERROR(give_up());
      return Status(Code::kTransactionConflict, "Transaction is ongoing for the item")
          .WithDetail(std::make_shared<ConflictOn>(plans[0].table, plans[0].pk));
    }
    BASALT_RETURN_IF_ERROR(FromRados(r, "commit transaction"));
    ++writes;
  }
  // Committed: what fails from here on is finished by whoever meets it.
  const size_t resolve = allowed(plans.size());
  BASALT_RETURN_IF_ERROR(ResolveAll(txn, std::span(plans).first(resolve), /*apply=*/true, /*note_outbox=*/false));
  writes += static_cast<int>(resolve);
  if (resolve < plans.size() || allowed(1) == 0) return Stopped();
  ++txn_committed_;
  // The record goes without a wait: a crash before it lands leaves a
  // committed record whose intents are all resolved, which recovery removes.
  librados::AioCompletion* removed = librados::Rados::aio_create_completion();
  int r = io_.aio_remove(record, removed);
  removed->release();
  if (r < 0) Log(LogLevel::kWarn, "rados: remove " + record + ": " + FromRados(r, "").message());
  return Status::Ok();
}

Result<TxnState> RadosEngine::ReadTxnState(Version txn, int64_t* created_ms) {
  librados::ObjectReadOperation op;
  std::map<std::string, bufferlist> attrs;
  int rv = 0;
  op.getxattrs(&attrs, &rv);
  int r = io_.operate(L::IntentObject(txn), &op, nullptr);
  if (r == -ENOENT) return TxnState::kGone;
  BASALT_RETURN_IF_ERROR(FromRados(r, "read transaction record"));
  auto state = attrs.find(std::string(L::kStateXattr));
  if (state == attrs.end()) return TxnState::kLegacy;
  auto created = attrs.find(std::string(L::kCreatedXattr));
  *created_ms = created == attrs.end() ? 0 : std::strtoll(created->second.to_str().c_str(), nullptr, 10);
  const std::string s = state->second.to_str();
  if (s == "C") return TxnState::kCommitted;
  if (s == "A") return TxnState::kAborted;
  if (s == "P") return TxnState::kPending;
  return Status::Internal("rados: transaction record with state '" + s + "'");
}

Result<std::unique_ptr<PartitionOp>> RadosEngine::ResolveOp(Version txn, const L::Plan& plan, bool apply,
                                                             bool note_outbox) {
  auto p = std::make_unique<PartitionOp>();
  p->io = Io(plan.table);
  p->oid = L::PartitionObject(plan.pk);
  const std::string x(1, L::kIntentKey);
  p->op.omap_cmp({{x, {Bl(L::EncodePartitionIntent(txn, plan)), LIBRADOS_CMPXATTR_OP_EQ}}}, &p->cmp);
  std::set<std::string> removes{x};
  if (apply) {
    std::map<std::string, bufferlist> sets;
    bool outbox = false;
    bool index_changes = false;
    for (const auto& [k, v] : plan.sets) {
      sets[k] = Bl(v);
      outbox = outbox || k[0] == L::kOutboxPrefix;
      index_changes = index_changes || k[0] == L::kIndexChangePrefix;
    }
    if (!sets.empty()) p->op.omap_set(sets);
    removes.insert(plan.removes.begin(), plan.removes.end());
    if (outbox && note_outbox) {
      // The shipper may have forgotten the partition since the commit noted it.
      librados::ObjectWriteOperation note;
      note.omap_set({{L::PartitionRef(plan.table, p->oid), bufferlist()}});
      BASALT_RETURN_IF_ERROR(FromRados(io_.operate(std::string(L::kOutboxObject), &note), "note outbox"));
    }
    if (index_changes && note_outbox) {
      // As for the outbox: an applier may have dropped the note since.
      BASALT_RETURN_IF_ERROR(NoteIndexChanges({{L::PartitionRef(plan.table, p->oid), plan.new_version}}));
    }
  }
  p->op.omap_rm_keys(removes);
  return p;
}

Status RadosEngine::ResolveAll(Version txn, std::span<const L::Plan> plans, bool apply, bool note_outbox) {
  std::vector<std::unique_ptr<PartitionOp>> ops;
  for (const L::Plan& plan : plans) {
    BASALT_ASSIGN_OR_RETURN(auto op, ResolveOp(txn, plan, apply, note_outbox));
    ops.push_back(std::move(op));
  }
  for (int r : WriteAll(ops)) {
    // Resolved already (the compare failed), or the table was dropped.
    if (r != -ECANCELED && r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "resolve intent"));
  }
  return Status::Ok();
}

Status RadosEngine::Resolve(Version txn, const L::Plan& plan, bool apply) {
  return ResolveAll(txn, std::span(&plan, 1), apply, /*note_outbox=*/true);
}

Result<bool> RadosEngine::Settle(TableId table, const std::string& pk, const std::string& intent, bool writer) {
  Version txn = 0;
  L::Plan plan;
  if (!L::DecodePartitionIntent(intent, &txn, &plan)) return Status::Internal("rados: corrupt intent in a partition");
  int64_t created = 0;
  BASALT_ASSIGN_OR_RETURN(TxnState state, ReadTxnState(txn, &created));
  switch (state) {
    case TxnState::kCommitted:
      BASALT_RETURN_IF_ERROR(Resolve(txn, plan, /*apply=*/true));
      ++txn_finished_for_others_;
      return true;
    case TxnState::kAborted:
      if (!writer) return false;
      BASALT_RETURN_IF_ERROR(Resolve(txn, plan, /*apply=*/false));
      return true;
    case TxnState::kGone:
    case TxnState::kLegacy:  // (no legacy record has partition intents)
      BASALT_RETURN_IF_ERROR(Resolve(txn, plan, /*apply=*/false));
      return true;
    case TxnState::kPending: break;
  }
  if (NowMs() - created < static_cast<int64_t>(txn_timeout_s_ * 1000)) {
    if (!writer) return false;
    ++txn_conflicts_;
    return Status(Code::kTransactionConflict, "Transaction is ongoing for the item")
        .WithDetail(std::make_shared<ConflictOn>(table, pk));
  }
  // Past its time: its coordinator is taken for dead.
  librados::ObjectWriteOperation op;
  op.cmpxattr(L::kStateXattr.data(), LIBRADOS_CMPXATTR_OP_EQ, Bl("P"));
  op.setxattr(L::kStateXattr.data(), Bl("A"));
  int r = io_.operate(L::IntentObject(txn), &op);
  if (r == -ECANCELED || r == -ENOENT) return true;  // decided meanwhile: read again
  BASALT_RETURN_IF_ERROR(FromRados(r, "abort a timed-out transaction"));
  Log(LogLevel::kWarn, "rados: aborted transaction " + L::IntentObject(txn) + ", pending past its time");
  ++txn_aborted_for_others_;
  BASALT_RETURN_IF_ERROR(Resolve(txn, plan, /*apply=*/false));
  return true;
}

// Reads each partition once, settling what holds it (a pending
// transaction is a conflict, as a writer meets it), then reads each one's
// version again: a partition with no intent at its first read and the same
// version at its second did not change in between (every change, an
// intent's too, sets a fresh version), so every value held at the moment
// between the two passes.
Status RadosEngine::TransactGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) {
  std::map<std::pair<TableId, std::string>, std::vector<size_t>> by_partition;
  for (size_t i = 0; i < keys.size(); ++i) by_partition[{keys[i].table, keys[i].pk}].push_back(i);
  std::vector<size_t> stripes;
  for (const auto& [p, unused] : by_partition) stripes.push_back(StripeOf(p.first, L::PartitionObject(p.second)));
  auto guard = LockStripes(std::move(stripes), /*exclusive=*/false);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::vector<PartitionState> states;
    bool again = false;
    for (const auto& [p, indexes] : by_partition) {
      std::set<std::string> wanted;
      for (size_t i : indexes) wanted.insert(L::RecordKey(keys[i].sk));
      PartitionState& st = states.emplace_back();
      BASALT_RETURN_IF_ERROR(ReadPartition(p.first, p.second, wanted, &st));
      if (st.intent.empty()) continue;
      BASALT_ASSIGN_OR_RETURN(again, Settle(p.first, p.second, st.intent, /*writer=*/true));
      if (again) break;
    }
    if (again) continue;
    size_t n = 0;
    for (const auto& [p, unused] : by_partition) {
      if (by_partition.size() == 1) break;  // one object read is atomic
      PartitionState now;
      BASALT_RETURN_IF_ERROR(ReadPartition(p.first, p.second, {}, &now));
      const PartitionState& then = states[n++];
      if (now.exists != then.exists || now.version != then.version || !now.intent.empty()) again = true;
    }
    if (again) continue;
    out->assign(keys.size(), std::nullopt);
    n = 0;
    for (const auto& [p, indexes] : by_partition) {
      BASALT_RETURN_IF_ERROR(RecordsOf(states[n++].records, keys, indexes, out));
    }
    return Status::Ok();
  }
  ++txn_conflicts_;
  return Status(Code::kTransactionConflict, "Transaction is ongoing for the item")
      .WithDetail(std::make_shared<ConflictOn>(keys[0].table, keys[0].pk));
}

Status RadosEngine::RecoverTransactions() {
  std::vector<std::string> oids;
  BASALT_RETURN_IF_ERROR(ListObjects(io_, &oids));
  for (const std::string& oid : oids) {
    if (!oid.starts_with(L::kIntentPrefix)) continue;
    Version txn = std::strtoull(oid.c_str() + L::kIntentPrefix.size(), nullptr, 16);
    if (L::IntentObject(txn) != oid) continue;
    bufferlist body;
    int r = io_.read(oid, body, 0, 0);
    if (r == -ENOENT) continue;  // finished meanwhile
    BASALT_RETURN_IF_ERROR(FromRados(r, "read " + oid));
    int64_t created = 0;
    BASALT_ASSIGN_OR_RETURN(TxnState state, ReadTxnState(txn, &created));
    if (state == TxnState::kLegacy) {
      BASALT_RETURN_IF_ERROR(RecoverLegacyIntent(oid, body));
      continue;
    }
    if (state == TxnState::kGone) continue;
    if (state == TxnState::kPending) {
      if (NowMs() - created < static_cast<int64_t>(txn_timeout_s_ * 1000)) continue;  // may be alive
      librados::ObjectWriteOperation op;
      op.cmpxattr(L::kStateXattr.data(), LIBRADOS_CMPXATTR_OP_EQ, Bl("P"));
      op.setxattr(L::kStateXattr.data(), Bl("A"));
      r = io_.operate(oid, &op);
      if (r == -ECANCELED || r == -ENOENT) continue;  // decided meanwhile: the next round finishes it
      BASALT_RETURN_IF_ERROR(FromRados(r, "abort " + oid));
      ++txn_aborted_for_others_;
      state = TxnState::kAborted;
    }
    std::vector<L::Plan> plans;
    if (!L::DecodeIntent(body.to_str(), &plans)) return Status::Internal("corrupt transaction record " + oid);
    BASALT_RETURN_IF_ERROR(ResolveAll(txn, plans, /*apply=*/state == TxnState::kCommitted, /*note_outbox=*/true));
    if (state == TxnState::kCommitted) ++txn_finished_for_others_;
    r = io_.remove(oid);
    if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove " + oid));
    Log(LogLevel::kInfo, std::string("rados: finished the ") +
                             (state == TxnState::kCommitted ? "committed" : "aborted") + " transaction " + oid);
  }
  return Status::Ok();
}

void RadosEngine::StartRecovery(double interval_s) {
  if (interval_s <= 0) return;
  recovery_ = std::thread([this, interval_s] {
    const auto period = std::chrono::duration<double>(interval_s);
    std::unique_lock lock(recovery_mu_);
    while (!recovery_cv_.wait_for(lock, period, [this] { return stopping_; })) {
      lock.unlock();
      // The lease outlives a few rounds, so its holder keeps it.
      Result<bool> held = meta_.Lease("txn-recovery", 3 * interval_s);
      Status st = held.ok() ? (*held ? RecoverTransactions() : Status::Ok()) : held.status();
      if (!st.ok()) Log(LogLevel::kWarn, "rados: transaction recovery: " + st.message());
      lock.lock();
    }
  });
}

void RadosEngine::StopRecovery() {
  {
    std::lock_guard lock(recovery_mu_);
    stopping_ = true;
  }
  recovery_cv_.notify_all();
  if (recovery_.joinable()) recovery_.join();
}

}  // namespace basalt::storage::rados_parts
