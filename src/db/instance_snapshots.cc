#include "db/instance_snapshots.h"

#include <cmath>
#include <limits>

#include "common/coding.h"
#include "db/bulk_load.h"
#include "model/item.h"
#include "model/item_codec.h"
#include "db/meta_keys.h"

namespace basalt::db {
namespace {

constexpr std::string_view kPrefix = "snapshot/";

Status NotFound(const std::string& name) { return Status::NotFound("Snapshot not found: " + name); }

// Copies a table's items as of `at` into `to`, with its statistics.
Status CopyItems(storage::Engine* engine, storage::TableId from, storage::TableId to, const storage::Snapshot* at,
                 int64_t* items) {
  std::vector<storage::PartitionWrite> batch;
  int64_t count = 0, bytes = 0;
  Status error;
  auto flush = [&] {
    if (batch.empty()) return Status::Ok();
    batch.front().item_count_delta = count;
    batch.front().size_bytes_delta = bytes;
    Status st = engine->Commit(batch);
    batch.clear();
    count = bytes = 0;
    return st;
  };
  BASALT_RETURN_IF_ERROR(engine->ScanSegment(
      from, 0, 1, std::nullopt,
      [&](const storage::Row& row) {
        model::Item item;
        if (Status st = model::DecodeItem(row.value, &item); !st.ok()) {
          error = st;
          return false;
        }
        storage::PartitionWrite pw;
        pw.table = to;
        pw.pk = std::string(row.pk);
        pw.muts.push_back(storage::Mutation{storage::Mutation::kPut, std::string(row.sk), std::string(row.value), {}});
        batch.push_back(std::move(pw));
        ++count, ++*items;
        bytes += static_cast<int64_t>(model::ItemSize(item));
        if (batch.size() >= 512) error = flush();
        return error.ok();
      },
      at));
  BASALT_RETURN_IF_ERROR(error);
  return flush();
}

}  // namespace

std::string InstanceSnapshots::StoreKey(const std::string& ns, const std::string& name) {
  return NamespacedKey(kPrefix, ns, name);
}

std::string InstanceSnapshots::Encode(const Saved& s) {
  std::string out;
  out.push_back(1);
  PutF64(&out, s.created);
  PutVarint64(&out, s.tables.size());
  for (const auto& [meta, keyspace] : s.tables) {
    PutLengthPrefixed(&out, EncodeTableMeta(meta));
    PutVarint64(&out, keyspace);
  }
  return out;
}

Status InstanceSnapshots::Decode(std::string_view in, Saved* s) {
  auto bad = [] { return Status::Internal("corrupt instance snapshot"); };
  uint8_t format;
  uint64_t n;
  if (!GetU8(&in, &format) || format != 1 || !GetF64(&in, &s->created) || !GetVarint64(&in, &n) || n > in.size()) {
    return bad();
  }
  s->tables.resize(n);
  for (auto& [meta, keyspace] : s->tables) {
    std::string encoded;
    if (!GetString(&in, &encoded) || !GetVarint64(&in, &keyspace)) return bad();
    BASALT_RETURN_IF_ERROR(DecodeTableMeta(encoded, &meta));
  }
  return Status::Ok();
}

Status InstanceSnapshots::DropSaved(const Saved& s) {
  for (const auto& [meta, keyspace] : s.tables) BASALT_RETURN_IF_ERROR(engine_->DropTable(keyspace));
  return Status::Ok();
}

Result<InstanceSnapshotInfo> InstanceSnapshots::Save(const Scope& scope, const std::string& name) {
  std::lock_guard l(mu_);
  InstanceSnapshotInfo info{name, std::floor(clock_->Now() * 1000) / 1000, 0, 0};
  Saved saved;
  saved.created = info.created;
  {
    // Held while copying: no table of the namespace is dropped under the snapshot.
    auto lock = catalog_->LockDefinitions();
    auto tables = catalog_->List(scope.ns, "", std::numeric_limits<size_t>::max());
    std::unique_ptr<storage::Snapshot> at = engine_->NewSnapshot();
    for (const auto& table : tables) {
      BASALT_ASSIGN_OR_RETURN(storage::TableId keyspace, catalog_->NewId());
      TableMeta meta = *table;
      meta.runtime.reset();
      saved.tables.emplace_back(std::move(meta), keyspace);
      if (Status st = CopyItems(engine_, table->id, keyspace, at.get(), &info.items); !st.ok()) {
        (void)DropSaved(saved);
        return st;
      }
    }
  }
  info.tables = saved.tables.size();
  std::optional<std::string> old;
  BASALT_RETURN_IF_ERROR(engine_->meta().Get(StoreKey(scope.ns, name), &old));
  BASALT_RETURN_IF_ERROR(engine_->meta().Put(StoreKey(scope.ns, name), Encode(saved)));
  if (old) {
    Saved previous;
    if (Decode(*old, &previous).ok()) (void)DropSaved(previous);
  }
  return info;
}

Result<InstanceSnapshotInfo> InstanceSnapshots::Restore(const Scope& scope, const std::string& name) {
  std::lock_guard l(mu_);
  std::optional<std::string> stored;
  BASALT_RETURN_IF_ERROR(engine_->meta().Get(StoreKey(scope.ns, name), &stored));
  if (!stored) return NotFound(name);
  Saved saved;
  BASALT_RETURN_IF_ERROR(Decode(*stored, &saved));
  for (const auto& table : catalog_->List(scope.ns, "", std::numeric_limits<size_t>::max())) {
    BASALT_RETURN_IF_ERROR(delete_table_(scope, table->name));
  }
  InstanceSnapshotInfo info{name, saved.created, saved.tables.size(), 0};
  for (const auto& [saved_meta, keyspace] : saved.tables) {
    TableMeta meta = saved_meta;
    meta.stream = TableStream{};
    meta.active_at = std::numeric_limits<double>::max();  // CREATING until loaded
    meta.updated_until = 0;
    for (IndexMeta& index : meta.indexes) index.backfilling = false;
    std::shared_ptr<const TableMeta> created;
    {
      auto lock = catalog_->LockDefinitions();
      BASALT_RETURN_IF_ERROR(catalog_->Create(std::move(meta), &created));
    }
    BulkLoader loader(engine_, *created);
    Status error;
    BASALT_RETURN_IF_ERROR(engine_->ScanSegment(keyspace, 0, 1, std::nullopt, [&](const storage::Row& row) {
      error = loader.Add(row.pk, row.sk, row.value);
      return error.ok();
    }));
    BASALT_RETURN_IF_ERROR(error);
    BASALT_RETURN_IF_ERROR(loader.Flush());
    info.items += loader.items();
    auto lock = catalog_->LockDefinitions();
    auto active = std::make_shared<TableMeta>(*created);
    active->active_at = std::floor(clock_->Now() * 1000) / 1000;
    BASALT_RETURN_IF_ERROR(catalog_->Update(active));
  }
  return info;
}

Status InstanceSnapshots::Delete(const Scope& scope, const std::string& name) {
  std::lock_guard l(mu_);
  std::optional<std::string> stored;
  BASALT_RETURN_IF_ERROR(engine_->meta().Get(StoreKey(scope.ns, name), &stored));
  if (!stored) return NotFound(name);
  Saved saved;
  BASALT_RETURN_IF_ERROR(Decode(*stored, &saved));
  BASALT_RETURN_IF_ERROR(engine_->meta().Delete(StoreKey(scope.ns, name)));
  return DropSaved(saved);
}

Result<std::vector<InstanceSnapshotInfo>> InstanceSnapshots::List(const Scope& scope) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::string prefix = StoreKey(scope.ns, "");
  BASALT_RETURN_IF_ERROR(engine_->meta().List(prefix, &rows));
  std::vector<InstanceSnapshotInfo> out;
  for (const auto& [key, value] : rows) {
    Saved s;
    BASALT_RETURN_IF_ERROR(Decode(value, &s));
    InstanceSnapshotInfo info{key.substr(prefix.size()), s.created, s.tables.size(), 0};
    for (const auto& [meta, keyspace] : s.tables) {
      storage::TableStats stats;
      if (engine_->Stats(keyspace, &stats).ok()) info.items += stats.item_count;
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace basalt::db
