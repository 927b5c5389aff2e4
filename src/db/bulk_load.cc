#include "db/bulk_load.h"

#include "db/index.h"
#include "db/read_path.h"
#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {

Status BulkLoader::Add(std::string_view pk, std::string_view sk, std::string_view value) {
  model::Item item;
  BASALT_RETURN_IF_ERROR(model::DecodeItem(value, &item));
  int64_t size = static_cast<int64_t>(model::ItemSize(item));
  storage::PartitionWrite pw;
  pw.table = table_.id;
  pw.pk = std::string(pk);
  pw.muts.push_back(storage::Mutation{storage::Mutation::kPut, std::string(sk), std::string(value), {}});
  int64_t collection = size;
  std::vector<IndexDelta> deltas;
  for (const IndexMeta& index : table_.indexes) {
    std::optional<IndexDelta> d = ComputeIndexDelta(table_, index, std::nullopt, item);
    if (!d) continue;
    if (!index.global) collection += d->size_delta;
    deltas.push_back(std::move(*d));
  }
  bool has_lsi = false;
  for (const IndexMeta& index : table_.indexes) has_lsi |= !index.global;
  if (has_lsi) pw.collection_bytes_delta = collection;
  batch_.push_back(std::move(pw));
  AppendIndexWrites(deltas, &batch_);
  pending_count_ += 1;
  pending_bytes_ += size;
  items_ += 1;
  bytes_ += size;
  if (++pending_items_ >= kBatchItems) return Flush();
  return Status::Ok();
}

Status BulkLoader::AddItem(const model::Item& item) {
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromItem(table_.key_schema, item));
  storage::Key k = StorageKey(table_, key);
  std::string value;
  model::EncodeItem(item, &value);
  std::string identity = k.pk;
  identity.push_back('\0');
  identity += k.sk;
  if (!seen_.insert(std::move(identity)).second) return Replace(k, item, std::move(value));
  return Add(k.pk, k.sk, value);
}

Status BulkLoader::Replace(const storage::Key& key, const model::Item& item, std::string value) {
  BASALT_RETURN_IF_ERROR(Flush());
  std::optional<storage::Record> old_record;
  BASALT_RETURN_IF_ERROR(engine_->Get(key, &old_record));
  std::optional<model::Item> old_item;
  if (old_record) {
    old_item.emplace();
    BASALT_RETURN_IF_ERROR(model::DecodeItem(old_record->value, &*old_item));
  }
  int64_t old_size = old_item ? static_cast<int64_t>(model::ItemSize(*old_item)) : 0;
  int64_t size = static_cast<int64_t>(model::ItemSize(item));
  storage::PartitionWrite pw;
  pw.table = table_.id;
  pw.pk = key.pk;
  pw.muts.push_back(storage::Mutation{storage::Mutation::kPut, key.sk, std::move(value), {}});
  pw.item_count_delta = old_item ? 0 : 1;
  pw.size_bytes_delta = size - old_size;
  int64_t collection = size - old_size;
  bool has_lsi = false;
  std::vector<IndexDelta> deltas;
  for (const IndexMeta& index : table_.indexes) {
    has_lsi |= !index.global;
    std::optional<IndexDelta> d = ComputeIndexDelta(table_, index, old_item, item);
    if (!d) continue;
    if (!index.global) collection += d->size_delta;
    deltas.push_back(std::move(*d));
  }
  if (has_lsi) pw.collection_bytes_delta = collection;
  std::vector<storage::PartitionWrite> batch;
  batch.push_back(std::move(pw));
  AppendIndexWrites(deltas, &batch);
  bytes_ += size - old_size;
  return engine_->Commit(batch);
}

Status BulkLoader::Flush() {
  if (batch_.empty()) return Status::Ok();
  // The table's statistics move once per commit, not once per item.
  batch_.front().item_count_delta += pending_count_;
  batch_.front().size_bytes_delta += pending_bytes_;
  Status st = engine_->Commit(batch_);
  batch_.clear();
  pending_items_ = 0;
  pending_count_ = 0;
  pending_bytes_ = 0;
  return st;
}

}  // namespace basalt::db
