#include "db/write_path.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <shared_mutex>  // std::shared_lock

#include "db/change_log.h"
#include "db/index.h"
#include "db/index_propagation.h"
#include "db/read_path.h"
#include "db/stream_record.h"
#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {
namespace {

const Status kTransactionOngoing(Code::kTransactionConflict, "Transaction is ongoing for the item");

// Holds each table's runtime shared, in address order: the index set and
// stream must stay put from reading an item to committing it.
Status LockRuntimes(const std::vector<ItemWrite>& writes, std::vector<std::shared_lock<WriterPriorityMutex>>* locks) {
  std::vector<TableRuntime*> runtimes;
  for (const auto& w : writes) {
    if (w.table->runtime) runtimes.push_back(w.table->runtime.get());
  }
  std::sort(runtimes.begin(), runtimes.end());
  runtimes.erase(std::unique(runtimes.begin(), runtimes.end()), runtimes.end());
  locks->reserve(runtimes.size());
  for (TableRuntime* rt : runtimes) {
    locks->emplace_back(rt->mu);
    if (rt->dropped) return Status::NotFound("Requested resource not found");
  }
  return Status::Ok();
}

// Whether the index already holds what is at `key`: always, except during a
// backfill, which indexes the records up to its cursor (in scan order) and
// leaves the rest to the backfill.
bool Covers(const TableRuntime& rt, const IndexMeta& index, const storage::Key& key) {
  auto it = rt.backfill.find(index.id);
  if (it == rt.backfill.end()) return true;
  const BackfillCursor& cursor = it->second;
  return cursor && !storage::ScanOrderLess(cursor->first, cursor->second, key.pk, key.sk);
}

// DynamoDB reports an item collection's size as a range of whole gigabytes.
std::optional<ItemCollectionMetrics> CollectionMetrics(const TableMeta& table, const model::PrimaryKey& key,
                                                       const ItemWriteResult& r) {
  if (!r.collection_bytes) return std::nullopt;
  ItemCollectionMetrics m;
  m.key.emplace(table.key_schema.hash.name, key.hash);
  m.low_gb = std::floor(static_cast<double>(*r.collection_bytes) / (1 << 30));
  m.high_gb = m.low_gb + 1;
  return m;
}

// Adds a write's metrics to those of a multi-item write: one entry per item
// collection, the size after the last write to it.
void AddCollectionMetrics(const std::string& table, ItemCollectionMetrics m,
                          std::map<std::string, std::vector<ItemCollectionMetrics>>* by_table) {
  auto& list = (*by_table)[table];
  auto same = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.key == m.key; });
  if (same != list.end()) {
    *same = std::move(m);
  } else {
    list.push_back(std::move(m));
  }
}

// What one attempt commits, built up write by write.
struct Batch {
  std::vector<storage::PartitionWrite> writes;
  std::vector<IndexDelta> index_deltas;  // point into `definitions`
  std::vector<std::shared_ptr<const TableMeta>> definitions;  // the live definitions the writes followed
  bool stream_records = false;
  // The engine keeps GSIs asynchronously: their changes go in the item's
  // partition write (db/index_propagation.h), not in index_deltas.
  bool async_indexes = false;
  // Where one process writes the store, the change-log versions of the
  // commit go in one record by commit per PITR log (db/change_log.h): the
  // entries so far, by log.
  bool log_by_commit = false;
  std::vector<std::pair<storage::TableId, std::string>> commit_records;
  uint64_t read_mark = 0;  // the engine's, from before the items were read
};

// One item write of an attempt, in the order its steps run.
class Step {
 public:
  Step(const ItemWrite& write, const storage::Key& key, const std::optional<storage::Record>& record,
       ItemWriteResult* result, Batch* batch)
      : write_(write), key_(key), record_(record), r_(*result), batch_(*batch) {
    // The definition writers follow: the one the catalog published last
    // (the write's own may be older if the table changed since it was looked up).
    const TableRuntime* rt = write.table->runtime.get();
    std::shared_ptr<const TableMeta> live = rt ? rt->live.lock() : nullptr;
    live_ = live ? live.get() : write.table.get();
    if (live) batch_.definitions.push_back(std::move(live));
  }

  // Decodes the old item and computes the new one; false when the write
  // failed (its error in the result) or needs no more steps.
  Result<bool> Evaluate() {
    if (record_) {
      r_.old_item.emplace();
      BASALT_RETURN_IF_ERROR(model::DecodeItem(record_->value, &*r_.old_item));
      r_.old_size = model::ItemSize(*r_.old_item);
    }
    if (write_.reindex != 0) return Reindex();
    auto changed = write_.change(r_.old_item);
    if (!changed.ok()) {
      r_.error = std::move(changed).take_status();
      return false;
    }
    if (write_.check_only) {
      AddMutation(storage::Mutation{storage::Mutation::kCheck, key_.sk, {}, AsRead()});
      return false;
    }
    r_.new_item = std::move(*changed);
    if (r_.new_item) r_.new_size = model::ItemSize(*r_.new_item);
    collection_delta_ = static_cast<int64_t>(r_.new_size) - static_cast<int64_t>(r_.old_size);
    return true;
  }

  // What the write does to each index the item is in (the new item's index
  // keys checked first); false when the write failed.
  bool IndexDeltas() {
    if (!live_->runtime || live_->indexes.empty()) return true;
    if (r_.new_item) {
      if (Status st = CheckIndexKeys(live_->indexes, *r_.new_item); !st.ok()) {
        r_.error = std::move(st);
        return false;
      }
    }
    for (const IndexMeta& index : live_->indexes) {
      has_lsi_ |= !index.global;
      if (!Covers(*live_->runtime, index, key_)) continue;
      std::optional<IndexDelta> d = ComputeIndexDelta(*live_, index, r_.old_item, r_.new_item);
      if (!d) continue;
      if (!index.global) collection_delta_ += d->size_delta;
      IndexUnits units{index.name, index.global, d->write_units};
      if (index.global) {  // where the entries go, for the GSI's partitions' capacity
        if (d->remove) units.partitions.emplace_back(d->remove->first, d->remove_units);
        if (d->put) units.partitions.emplace_back(d->put->pk, d->write_units - d->remove_units);
        units.removed = d->remove.has_value();
        units.written = d->put.has_value();
      }
      r_.index_units.push_back(std::move(units));
      Deliver(index, std::move(*d));
    }
    return true;
  }

  // DynamoDB limits item collections on tables with LSIs (10 GB). The
  // counter is read before the commit, so racing writers to one partition
  // can overshoot it by their own sizes. False when the write failed.
  Result<bool> CollectionLimit(int64_t limit, storage::Engine* engine) {
    if (!has_lsi_) return true;
    int64_t before = 0;
    BASALT_RETURN_IF_ERROR(engine->CollectionBytes(write_.table->id, key_.pk, &before));
    if (collection_delta_ > 0 && before + collection_delta_ > limit) {
      r_.error = Status(Code::kItemCollectionSizeLimitExceeded, "Collection size exceeded");
      return false;
    }
    r_.collection_bytes = before + collection_delta_;
    return true;
  }

  // The item's mutation (with the table's statistics) in its partition's
  // write; false when there is nothing to write (deleting nothing).
  bool ItemMutation(bool in_transaction) {
    storage::Mutation m{storage::Mutation::kDelete, key_.sk, {}, AsRead()};
    if (r_.new_item) {
      m.op = storage::Mutation::kPut;
      model::EncodeItem(*r_.new_item, &m.value);
    }
    if (!r_.new_item && !r_.old_item) {
      // A transaction still requires the item to stay absent.
      if (in_transaction) AddMutation(storage::Mutation{storage::Mutation::kCheck, key_.sk, {}, m.pre});
      return false;
    }
    pw_ = NewPartitionWrite();
    pw_.item_count_delta = (r_.new_item ? 1 : 0) - (r_.old_item ? 1 : 0);
    pw_.size_bytes_delta = static_cast<int64_t>(r_.new_size) - static_cast<int64_t>(r_.old_size);
    if (has_lsi_) pw_.collection_bytes_delta = collection_delta_;
    pw_.muts.push_back(std::move(m));
    return true;
  }

  // The stream record of the change, when the table has an enabled stream,
  // in the same partition write (STORAGE.md rule 5).
  void StreamRecord(int64_t now_ms) {
    if (!live_->stream.enabled) return;
    StoredItem before{r_.old_item ? &*r_.old_item : nullptr,
                      record_ ? std::string_view(record_->value) : std::string_view()};
    StoredItem after{r_.new_item ? &*r_.new_item : nullptr, pw_.muts[0].value};
    auto record = MakeStreamRecord(live_->key_schema, live_->stream.view, before, after, now_ms, write_.by_service);
    if (!record) return;
    pw_.log = live_->stream.id;
    pw_.outbox.push_back(std::move(*record));
    batch_.stream_records = true;
  }

  // The item's version in the table's point-in-time recovery log, when
  // PITR is enabled, in the same commit (db/change_log.h).
  void ChangeLog(double now) {
    storage::TableId log = write_.table->runtime ? write_.table->runtime->pitr_log : 0;
    if (log == 0) return;
    std::optional<std::string_view> value;
    if (r_.new_item) value = pw_.muts[0].value;
    if (!batch_.log_by_commit) return AppendChangeLog(log, key_.pk, key_.sk, value, now, &batch_.writes);
    auto& records = batch_.commit_records;
    auto record = std::find_if(records.begin(), records.end(), [&](const auto& r) { return r.first == log; });
    if (record == records.end()) record = records.insert(records.end(), {log, std::string()});
    AddToCommitRecord(key_.pk, key_.sk, value, &record->second);
  }

  // Adds the partition write to the batch that commits.
  void Stage() {
    if (!gsi_change_.indexes.empty()) {
      gsi_change_.item = key_;
      pw_.index_changes.push_back(EncodeIndexChange(gsi_change_));
    }
    batch_.writes.push_back(std::move(pw_));
  }

 private:
  // The commit requires the item to be at the version read (or absent).
  storage::Precondition AsRead() const {
    return storage::Precondition::For(record_ ? record_->version : 0, batch_.read_mark);
  }

  storage::PartitionWrite NewPartitionWrite() const {
    storage::PartitionWrite pw;
    pw.table = key_.table;
    pw.pk = key_.pk;
    return pw;
  }

  // An index delta goes in the commit, or, for a GSI kept asynchronously,
  // the keys it names into the item's index change.
  void Deliver(const IndexMeta& index, IndexDelta d) {
    if (!index.global || !batch_.async_indexes) {
      batch_.index_deltas.push_back(std::move(d));
      return;
    }
    std::vector<EntryKeyOf> keys;
    if (d.remove) keys.push_back(*d.remove);
    if (d.put) keys.emplace_back(d.put->pk, d.put->sk);
    gsi_change_.indexes.emplace_back(index.id, std::move(keys));
  }

  void AddMutation(storage::Mutation m) {
    storage::PartitionWrite pw = NewPartitionWrite();
    pw.muts.push_back(std::move(m));
    batch_.writes.push_back(std::move(pw));
  }

  // A backfill step puts the item into the backfilling index as if it were
  // new to it; its caller holds the runtime exclusively, so the item cannot
  // change before the commit and needs no precondition.
  bool Reindex() {
    if (!r_.old_item) return false;
    for (const IndexMeta& index : live_->indexes) {
      if (index.id != write_.reindex) continue;
      // Items whose index keys have the wrong type stay out of the index, as in DynamoDB.
      if (auto d = ComputeIndexDelta(*live_, index, std::nullopt, r_.old_item)) Deliver(index, std::move(*d));
    }
    if (!gsi_change_.indexes.empty()) {  // the index change alone, in the item's partition
      pw_ = NewPartitionWrite();
      Stage();
    }
    return false;
  }

  const ItemWrite& write_;
  const storage::Key& key_;
  const std::optional<storage::Record>& record_;
  ItemWriteResult& r_;
  Batch& batch_;
  const TableMeta* live_ = nullptr;
  storage::PartitionWrite pw_;
  IndexChangeRecord gsi_change_;  // with async_indexes
  int64_t collection_delta_ = 0;
  bool has_lsi_ = false;
};

}  // namespace

bool WritePath::InTransaction(const std::vector<storage::Key>& keys) const {
  if (in_flight_.Empty()) return false;
  std::vector<std::string> ids;
  for (const auto& k : keys) ids.push_back(InFlightItems::Identity(k));
  return in_flight_.AnyHeld(ids);
}

Status WritePath::Write(std::vector<ItemWrite>& writes, WriteMode mode, WriteOutcome* out) {
  // Prelude.
  std::vector<storage::Key> keys;
  keys.reserve(writes.size());
  for (const auto& w : writes) keys.push_back(StorageKey(*w.table, w.key));
  std::vector<std::shared_lock<WriterPriorityMutex>> locks;
  if (mode != WriteMode::kBackfill) BASALT_RETURN_IF_ERROR(LockRuntimes(writes, &locks));
  const bool transaction = mode == WriteMode::kTransaction || mode == WriteMode::kTransactionDryRun;
  Status st;
  if (!transaction) {
    if (mode == WriteMode::kAtomic && InTransaction(keys)) return kTransactionOngoing;
    st = Run(writes, keys, mode, &out->items);
  } else {
    std::vector<std::string> ids;
    ids.reserve(keys.size());
    for (const auto& k : keys) ids.push_back(InFlightItems::Identity(k));
    std::vector<bool> held;
    if (!in_flight_.Claim(ids, &held)) {
      out->items.assign(writes.size(), ItemWriteResult{});
      for (size_t i = 0; i < held.size(); ++i) {
        if (held[i]) out->items[i].error = kTransactionOngoing;
      }
      return Status(Code::kTransactionCanceled, "transaction conflict");
    }
    st = Run(writes, keys, mode, &out->items);
    in_flight_.Release(ids);
  }
  if (st.code() == Code::kConditionalCheckFailed) {
    if (throttle_) ChargeFailedConditions(writes, keys, out->items);
    if (!transaction && writes.size() == 1) return WithConsumedCapacity(std::move(st), writes[0], out->items[0]);
  }
  BASALT_RETURN_IF_ERROR(st);

  // Epilogue: capacity, by table in name order, and item-collection metrics.
  // Transactional writes cost twice the units of plain ones; a ConditionCheck
  // is charged as a (transactional) read of the item.
  const double factor = transaction ? 2 : 1;
  std::map<std::string, ConsumedCapacity> units;
  for (size_t i = 0; i < writes.size(); ++i) {
    const ItemWrite& w = writes[i];
    const ItemWriteResult& r = out->items[i];
    if (w.by_service || mode == WriteMode::kBackfill) continue;
    const std::string& name = w.table->name;
    ConsumedCapacity& c = units.try_emplace(name, ConsumedCapacity{name}).first->second;
    const double item_units =
        factor * (w.check_only ? ReadUnits(r.old_size, true) : WriteUnits(std::max(r.old_size, r.new_size)));
    c.write_units += item_units;
    c.AddIndexUnits(r.index_units, factor);
    if (insights_ && insights_->Any() && !w.partiql) {
      const double weighted = 3 * item_units;  // ConsumedThroughputUnits: 3 x write units
      insights_->RecordItem(*w.table, w.key, &weighted);
      RecordIndexWrites(*w.table, r, factor);
    }
    if (throttle_) {
      throttle_->ChargeWrite(*w.table, keys[i].pk, item_units - w.precharged_units, r.index_units, factor);
    }
    if (auto m = CollectionMetrics(*w.table, w.key, r)) AddCollectionMetrics(name, std::move(*m), &out->collections);
  }
  for (auto& [name, c] : units) out->capacity.push_back(std::move(c));
  return Status::Ok();
}

// Contributor Insights on a GSI counts the table's writes to it under the
// index's own keys: a removed entry under the old item's, a written one
// under the new item's, each weighted 3 x its write units.
void WritePath::RecordIndexWrites(const TableMeta& table, const ItemWriteResult& r, double factor) {
  for (const IndexUnits& u : r.index_units) {
    if (!u.global || u.partitions.empty()) continue;
    const IndexMeta* index = table.FindIndex(u.index);
    if (!index) continue;
    if (u.removed && r.old_item) {
      const double weighted = 3 * factor * u.partitions.front().second;
      insights_->RecordKeys(table, u.index, index->key_schema, *r.old_item, &weighted);
    }
    if (u.written && r.new_item) {
      const double weighted = 3 * factor * u.partitions.back().second;
      insights_->RecordKeys(table, u.index, index->key_schema, *r.new_item, &weighted);
    }
  }
}

// A single-item write whose condition fails still consumes write capacity,
// as in the service: the units of the item as it stands (1 at least). The
// error carries no ConsumedCapacity.
void WritePath::ChargeFailedConditions(const std::vector<ItemWrite>& writes, const std::vector<storage::Key>& keys,
                                       const std::vector<ItemWriteResult>& results) {
  for (size_t i = 0; i < writes.size() && i < results.size(); ++i) {
    if (results[i].error.code() != Code::kConditionalCheckFailed || writes[i].by_service) continue;
    throttle_->ChargeWrite(*writes[i].table, keys[i].pk, WriteUnits(results[i].old_size), {}, 1);
  }
}

// The failed single write's units (as ChargeFailedConditions charges them)
// on its ConditionFailure detail, for the metrics.
Status WritePath::WithConsumedCapacity(Status failed, const ItemWrite& write, const ItemWriteResult& result) {
  if (write.by_service) return failed;
  auto detail = std::make_shared<ConditionFailure>();
  if (const auto* f = failed.detail<ConditionFailure>()) *detail = *f;
  detail->capacity = ConsumedCapacity{write.table->name};
  detail->capacity->write_units = WriteUnits(result.old_size);
  return std::move(failed).WithDetail(std::move(detail));
}

// Another front-end's transaction holds a partition this transaction
// writes (the rados engine): its items get DynamoDB's TransactionConflict
// reason; a partition of an index, every item.
Status WritePath::ConflictReasons(const Status& conflict, const std::vector<storage::Key>& keys,
                                  std::vector<ItemWriteResult>* results) {
  const auto* on = conflict.detail<storage::ConflictOn>();
  auto held = [&](const storage::Key& k) { return on && k.table == on->table && k.pk == on->pk; };
  const bool any = std::any_of(keys.begin(), keys.end(), held);
  for (size_t i = 0; i < keys.size() && i < results->size(); ++i) {
    if (!any || held(keys[i])) (*results)[i].error = kTransactionOngoing;
  }
  return Status(Code::kTransactionCanceled, "transaction canceled");
}

Status WritePath::Run(std::vector<ItemWrite>& writes, const std::vector<storage::Key>& keys, WriteMode mode,
                      std::vector<ItemWriteResult>* results) {
  const bool in_transaction = mode == WriteMode::kTransaction || mode == WriteMode::kTransactionDryRun;
  // A lost compare-and-set means another writer got in between our read and
  // our write; reading again converges because each retry sees a newer version.
  constexpr int kMaxAttempts = 1000;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    // Every item is read twice: here, with its version and outside any lock,
    // to evaluate the write; and by the engine's commit, which checks under
    // the partition's lock that the version is still the one read (the
    // precondition). If another writer got in between, the commit fails and
    // this loop reads and evaluates again. No lock is held while conditions
    // and updates are evaluated, and a distributed engine commits the same
    // way (STORAGE.md rule 3).
    std::vector<std::optional<storage::Record>> records;
    const uint64_t read_mark = engine_->ReadMark();
    BASALT_RETURN_IF_ERROR(engine_->MultiGet(keys, &records));
    results->assign(writes.size(), ItemWriteResult{});
    Batch batch;
    batch.read_mark = read_mark;
    batch.writes.reserve(writes.size());
    batch.async_indexes = engine_->AsyncIndexes();
    batch.log_by_commit = !engine_->meta().Shared();
    const double now = clock_->Now();
    const int64_t now_ms = static_cast<int64_t>(now * 1000);
    bool failed = false;
    for (size_t i = 0; i < writes.size(); ++i) {
      ItemWriteResult& r = (*results)[i];
      Step step(writes[i], keys[i], records[i], &r, &batch);
      BASALT_ASSIGN_OR_RETURN(bool go_on, step.Evaluate());
      if (go_on) go_on = step.IndexDeltas();
      if (go_on) {
        BASALT_ASSIGN_OR_RETURN(go_on, step.CollectionLimit(collection_limit_, engine_));
      }
      if (go_on && step.ItemMutation(in_transaction)) {
        step.StreamRecord(now_ms);
        step.ChangeLog(now);
        step.Stage();
      }
      if (r.error.ok()) continue;
      // A write's own failure: the answer of an atomic write, one reason
      // among others in a transaction.
      if (!in_transaction) return r.error;
      failed = true;
    }
    if (throttle_ && mode != WriteMode::kBackfill) {
      for (size_t i = 0; i < writes.size(); ++i) {
        ItemWriteResult& r = (*results)[i];
        if (writes[i].by_service || !r.error.ok()) continue;
        Status admitted = throttle_->AdmitWrite(*writes[i].table, keys[i].pk, r.index_units, writes[i].precharged_units > 0);
        if (admitted.ok()) continue;
        if (insights_ && insights_->Any() && !writes[i].partiql) insights_->RecordItem(*writes[i].table, writes[i].key, nullptr);
        if (!in_transaction) return admitted;
        r.error = std::move(admitted);
        failed = true;
      }
    }
    if (failed || mode == WriteMode::kTransactionDryRun) {
      return Status(Code::kTransactionCanceled, "transaction canceled");
    }
    for (auto& [log, entries] : batch.commit_records) AppendCommitRecord(log, std::move(entries), now, &batch.writes);
    AppendIndexWrites(batch.index_deltas, &batch.writes);
    if (batch.writes.empty()) return Status::Ok();
    Status st = engine_->Commit(batch.writes);
    if (st.ok() && batch.stream_records && on_stream_records_) on_stream_records_();
    if (st.ok() && batch.async_indexes && on_index_changes_) {
      for (const storage::PartitionWrite& w : batch.writes) {
        if (!w.index_changes.empty()) on_index_changes_(w.table, w.pk);
      }
    }
    if (st.code() == Code::kTransactionConflict && in_transaction) return ConflictReasons(st, keys, results);
    if (st.code() != Code::kPreconditionFailed) return st;
  }
  return Status::Internal("write contention did not resolve");
}

}  // namespace basalt::db
