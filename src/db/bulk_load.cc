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
  return Add(k.pk, k.sk, value);
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
