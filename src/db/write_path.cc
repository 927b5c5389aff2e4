#include "db/write_path.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>  // std::shared_lock

#include "common/coding.h"
#include "db/index.h"
#include "db/streams.h"
#include "model/item.h"
#include "model/item_codec.h"
#include "model/key_encoding.h"

namespace basalt::db {

storage::Key WritePath::StorageKey(const TableMeta& table, const model::PrimaryKey& key) {
  storage::Key k;
  k.table = table.id;
  model::AppendKeyEncoding(key.hash, &k.pk);
  if (key.range) model::AppendKeyEncoding(*key.range, &k.sk);
  return k;
}

Status WritePath::Read(const TableMeta& table, const model::PrimaryKey& key, std::optional<model::Item>* item) {
  std::optional<storage::Record> rec;
  BASALT_RETURN_IF_ERROR(engine_->Get(StorageKey(table, key), &rec));
  item->reset();
  if (!rec) return Status::Ok();
  item->emplace();
  return model::DecodeItem(rec->value, &**item);
}

Status WritePath::ReadMany(std::span<const std::pair<const TableMeta*, const model::PrimaryKey*>> keys,
                           std::vector<std::optional<model::Item>>* items) {
  std::vector<storage::Key> skeys;
  skeys.reserve(keys.size());
  for (const auto& [table, key] : keys) skeys.push_back(StorageKey(*table, *key));
  std::vector<std::optional<storage::Record>> recs;
  BASALT_RETURN_IF_ERROR(engine_->MultiGet(skeys, &recs));
  items->assign(keys.size(), std::nullopt);
  for (size_t i = 0; i < recs.size(); ++i) {
    if (!recs[i]) continue;
    (*items)[i].emplace();
    BASALT_RETURN_IF_ERROR(model::DecodeItem(recs[i]->value, &*(*items)[i]));
  }
  return Status::Ok();
}

namespace {

// Whether the index already holds what is at `key`: always, except during a
// backfill, which indexes the records up to its cursor (in scan order) and
// leaves the rest to the backfill.
bool Covers(const TableRuntime& rt, const IndexMeta& index, const storage::Key& key) {
  auto it = rt.backfill.find(index.id);
  if (it == rt.backfill.end()) return true;
  const BackfillCursor& cursor = it->second;
  return cursor && !storage::ScanOrderLess(cursor->first, cursor->second, key.pk, key.sk);
}

}  // namespace

namespace {

// Holds each table's runtime shared, in address order: the index set must
// stay put from reading an item to committing it.
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

}  // namespace

std::string InFlightItems::Identity(const storage::Key& key) {
  std::string id;
  PutFixed64BE(&id, key.table);
  PutLengthPrefixed(&id, key.pk);
  id.append(key.sk);
  return id;
}

bool InFlightItems::Claim(const std::vector<std::string>& keys, std::vector<bool>* held) {
  std::lock_guard lock(mu_);
  held->assign(keys.size(), false);
  bool any = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (held_.count(keys[i])) (*held)[i] = any = true;
  }
  if (any) return false;
  for (const auto& k : keys) held_.insert(k);
  count_.store(held_.size(), std::memory_order_release);
  return true;
}

void InFlightItems::Release(const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  for (const auto& k : keys) held_.erase(k);
  count_.store(held_.size(), std::memory_order_release);
}

bool InFlightItems::AnyHeld(const std::vector<std::string>& keys) const {
  if (Empty()) return false;
  std::lock_guard lock(mu_);
  for (const auto& k : keys) {
    if (held_.count(k)) return true;
  }
  return false;
}

bool WritePath::InTransaction(const std::vector<storage::Key>& keys) const {
  if (in_flight_.Empty()) return false;
  std::vector<std::string> ids;
  for (const auto& k : keys) ids.push_back(InFlightItems::Identity(k));
  return in_flight_.AnyHeld(ids);
}

Status WritePath::Apply(std::vector<ItemWrite>& writes, std::vector<ItemWriteResult>* results) {
  std::vector<std::shared_lock<WriterPriorityMutex>> locks;
  BASALT_RETURN_IF_ERROR(LockRuntimes(writes, &locks));
  std::vector<storage::Key> keys;
  keys.reserve(writes.size());
  for (const auto& w : writes) keys.push_back(StorageKey(*w.table, w.key));
  if (InTransaction(keys)) {
    return Status(Code::kTransactionConflict, "Transaction is ongoing for the item");
  }
  return Run(writes, keys, results, false);
}

Status WritePath::ApplyTransaction(std::vector<ItemWrite>& writes, std::vector<ItemWriteResult>* results,
                                   bool evaluate_only) {
  std::vector<std::shared_lock<WriterPriorityMutex>> locks;
  BASALT_RETURN_IF_ERROR(LockRuntimes(writes, &locks));
  std::vector<storage::Key> keys;
  std::vector<std::string> ids;
  for (const auto& w : writes) {
    keys.push_back(StorageKey(*w.table, w.key));
    ids.push_back(InFlightItems::Identity(keys.back()));
  }
  std::vector<bool> held;
  if (!in_flight_.Claim(ids, &held)) {
    results->assign(writes.size(), ItemWriteResult{});
    for (size_t i = 0; i < held.size(); ++i) {
      if (held[i]) (*results)[i].error = Status(Code::kTransactionConflict, "Transaction is ongoing for the item");
    }
    return Status(Code::kTransactionCanceled, "transaction conflict");
  }
  Status st = Run(writes, keys, results, true, evaluate_only);
  in_flight_.Release(ids);
  return st;
}

Status WritePath::Run(std::vector<ItemWrite>& writes, const std::vector<storage::Key>& keys,
                      std::vector<ItemWriteResult>* results, bool all_errors, bool evaluate_only) {
  // A lost compare-and-set means another writer got in between our read and
  // our write; reading again converges because each retry sees a newer version.
  constexpr int kMaxAttempts = 1000;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    std::vector<std::optional<storage::Record>> records;
    BASALT_RETURN_IF_ERROR(engine_->MultiGet(keys, &records));
    results->assign(writes.size(), ItemWriteResult{});
    std::vector<storage::PartitionWrite> batch;
    batch.reserve(writes.size());
    std::vector<IndexDelta> deltas;
    bool failed = false;
    bool stream_records = false;
    // A change's own failure: the end of a single write, one reason among
    // others in a transaction.
    auto fail = [&](ItemWriteResult& r, Status st) {
      r.error = std::move(st);
      failed = true;
    };
    for (size_t i = 0; i < writes.size(); ++i) {
      ItemWriteResult& r = (*results)[i];
      storage::Version old_version = 0;
      if (records[i]) {
        old_version = records[i]->version;
        r.old_item.emplace();
        BASALT_RETURN_IF_ERROR(model::DecodeItem(records[i]->value, &*r.old_item));
        r.old_size = model::ItemSize(*r.old_item);
      }
      auto changed = writes[i].change(r.old_item);
      if (!changed.ok()) {
        if (!all_errors) return changed.status();
        fail(r, changed.status());
        continue;
      }
      if (writes[i].check_only) {
        storage::PartitionWrite pw;
        pw.table = keys[i].table;
        pw.pk = keys[i].pk;
        pw.muts.push_back(storage::Mutation{storage::Mutation::kCheck, keys[i].sk, {},
                                            storage::Precondition::For(old_version)});
        batch.push_back(std::move(pw));
        continue;
      }
      r.new_item = std::move(*changed);
      const TableMeta& table = *writes[i].table;
      if (r.new_item) r.new_size = model::ItemSize(*r.new_item);
      int64_t collection_delta = static_cast<int64_t>(r.new_size) - static_cast<int64_t>(r.old_size);
      bool has_lsi = false;
      if (table.runtime && !table.runtime->indexes.empty()) {
        const std::vector<IndexMeta>& indexes = table.runtime->indexes;
        if (r.new_item) {
          if (Status st = CheckIndexKeys(table, indexes, *r.new_item); !st.ok()) {
            if (!all_errors) return st;
            fail(r, std::move(st));
            continue;
          }
        }
        for (const IndexMeta& index : indexes) {
          has_lsi |= !index.global;
          if (!Covers(*table.runtime, index, keys[i])) continue;
          std::optional<IndexDelta> d = ComputeIndexDelta(table, index, r.old_item, r.new_item);
          if (!d) continue;
          if (!index.global) collection_delta += d->size_delta;
          r.index_units.push_back(IndexUnits{index.name, index.global, d->write_units});
          deltas.push_back(std::move(*d));
        }
      }
      if (has_lsi) {
        // DynamoDB limits item collections on tables with LSIs; the check
        // reads the counter before the commit, so racing writers to one
        // partition can overshoot it by their own sizes.
        int64_t before = 0;
        BASALT_RETURN_IF_ERROR(engine_->CollectionBytes(table.id, keys[i].pk, &before));
        if (collection_delta > 0 && before + collection_delta > collection_limit_) {
          Status st(Code::kItemCollectionSizeLimitExceeded, "Collection size exceeded");
          if (!all_errors) return st;
          fail(r, std::move(st));
          continue;
        }
        r.collection_bytes = before + collection_delta;
      }
      storage::PartitionWrite pw;
      pw.table = keys[i].table;
      pw.pk = keys[i].pk;
      storage::Mutation m;
      m.sk = keys[i].sk;
      m.pre = storage::Precondition::For(old_version);
      if (r.new_item) {
        m.op = storage::Mutation::kPut;
        model::EncodeItem(*r.new_item, &m.value);
      } else {
        m.op = storage::Mutation::kDelete;
      }
      pw.item_count_delta = (r.new_item ? 1 : 0) - (r.old_item ? 1 : 0);
      pw.size_bytes_delta = static_cast<int64_t>(r.new_size) - static_cast<int64_t>(r.old_size);
      if (has_lsi) pw.collection_bytes_delta = collection_delta;
      if (!r.new_item && !r.old_item) {
        // Deleting nothing writes nothing; a transaction still requires the item to stay absent.
        if (all_errors) {
          pw.muts.push_back(storage::Mutation{storage::Mutation::kCheck, keys[i].sk, {}, m.pre});
          batch.push_back(std::move(pw));
        }
        continue;
      }
      if (table.runtime && table.runtime->stream != 0) {
        StoredItem before{r.old_item ? &*r.old_item : nullptr, records[i] ? records[i]->value : std::string_view()};
        StoredItem after{r.new_item ? &*r.new_item : nullptr, m.value};
        auto record = MakeStreamRecord(table.key_schema, table.runtime->stream_view, before, after,
                                       static_cast<int64_t>(clock_->Now() * 1000), writes[i].by_service);
        if (record) {
          pw.log = table.runtime->stream;
          pw.outbox.push_back(std::move(*record));
          stream_records = true;
        }
      }
      pw.muts.push_back(std::move(m));
      batch.push_back(std::move(pw));
    }
    if (failed || evaluate_only) return Status(Code::kTransactionCanceled, "transaction canceled");
    AppendIndexWrites(deltas, &batch);
    if (batch.empty()) return Status::Ok();
    Status st = engine_->Commit(batch);
    if (st.ok() && stream_records && on_stream_records_) on_stream_records_();
    if (st.code() != Code::kPreconditionFailed) return st;
  }
  return Status::Internal("write contention did not resolve");
}

}  // namespace basalt::db
