#include "db/write_path.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>  // std::shared_lock

#include "db/index.h"
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

Status WritePath::Apply(std::vector<ItemWrite>& writes, std::vector<ItemWriteResult>* results) {
  // The index set of each table must stay put from reading an item to
  // committing it; runtimes are locked in address order.
  std::vector<TableRuntime*> runtimes;
  for (const auto& w : writes) {
    if (w.table->runtime) runtimes.push_back(w.table->runtime.get());
  }
  std::sort(runtimes.begin(), runtimes.end());
  runtimes.erase(std::unique(runtimes.begin(), runtimes.end()), runtimes.end());
  std::vector<std::shared_lock<WriterPriorityMutex>> locks;
  locks.reserve(runtimes.size());
  for (TableRuntime* rt : runtimes) {
    locks.emplace_back(rt->mu);
    if (rt->dropped) return Status::NotFound("Requested resource not found");
  }

  std::vector<storage::Key> keys;
  keys.reserve(writes.size());
  for (const auto& w : writes) keys.push_back(StorageKey(*w.table, w.key));

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
    for (size_t i = 0; i < writes.size(); ++i) {
      ItemWriteResult& r = (*results)[i];
      storage::Version old_version = 0;
      if (records[i]) {
        old_version = records[i]->version;
        r.old_item.emplace();
        BASALT_RETURN_IF_ERROR(model::DecodeItem(records[i]->value, &*r.old_item));
        r.old_size = model::ItemSize(*r.old_item);
      }
      BASALT_ASSIGN_OR_RETURN(r.new_item, writes[i].change(r.old_item));
      const TableMeta& table = *writes[i].table;
      if (r.new_item) r.new_size = model::ItemSize(*r.new_item);
      int64_t collection_delta = static_cast<int64_t>(r.new_size) - static_cast<int64_t>(r.old_size);
      bool has_lsi = false;
      if (table.runtime && !table.runtime->indexes.empty()) {
        const std::vector<IndexMeta>& indexes = table.runtime->indexes;
        if (r.new_item) BASALT_RETURN_IF_ERROR(CheckIndexKeys(table, indexes, *r.new_item));
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
          return Status(Code::kItemCollectionSizeLimitExceeded, "Collection size exceeded");
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
      if (!r.new_item && !r.old_item) continue;  // deleting nothing writes nothing
      pw.muts.push_back(std::move(m));
      batch.push_back(std::move(pw));
    }
    AppendIndexWrites(deltas, &batch);
    if (batch.empty()) return Status::Ok();
    Status st = engine_->Commit(batch);
    if (st.code() != Code::kPreconditionFailed) return st;
  }
  return Status::Internal("write contention did not resolve");
}

}  // namespace basalt::db
