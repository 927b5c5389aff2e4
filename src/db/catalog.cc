#include "db/catalog.h"

#include <string_view>

#include "db/meta_keys.h"

namespace basalt::db {
namespace {
constexpr std::string_view kTablePrefix = "table/";
constexpr std::string_view kNextIdKey = "next_table_id";
}  // namespace

std::string Catalog::StoreKey(const std::string& ns, const std::string& name) {
  return NamespacedKey(kTablePrefix, ns, name);
}

Status Catalog::Load() {
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(meta_->List(kTablePrefix, &rows));
  std::unique_lock lock(mu_);
  tables_.clear();
  for (const auto& [key, value] : rows) {
    TableMeta meta;
    BASALT_RETURN_IF_ERROR(DecodeTableMeta(value, &meta));
    auto table = WithRuntime(std::move(meta));
    tables_[{table->ns, table->name}] = table;
  }
  return Status::Ok();
}

Status Catalog::Refresh() {
  auto definitions = LockDefinitions();
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(meta_->List(kTablePrefix, &rows));
  std::map<Name, std::pair<TableMeta, std::string>> stored;  // definition, stored form
  for (auto& [key, value] : rows) {
    TableMeta meta;
    BASALT_RETURN_IF_ERROR(DecodeTableMeta(value, &meta));
    Name name{meta.ns, meta.name};
    stored[name] = {std::move(meta), std::move(value)};
  }
  std::vector<std::shared_ptr<const TableMeta>> gone, changed;
  {
    std::unique_lock lock(mu_);
    for (auto it = tables_.begin(); it != tables_.end();) {
      auto s = stored.find(it->first);
      if (s != stored.end() && s->second.first.id == it->second->id) {
        ++it;
        continue;
      }
      gone.push_back(it->second);  // deleted (and perhaps created again)
      it = tables_.erase(it);
    }
    for (auto& [name, entry] : stored) {
      auto it = tables_.find(name);
      if (it == tables_.end()) {
        tables_[name] = WithRuntime(std::move(entry.first));
      } else if (EncodeTableMeta(*it->second) != entry.second) {
        entry.first.runtime = it->second->runtime;
        it->second = std::make_shared<const TableMeta>(std::move(entry.first));
        changed.push_back(it->second);
      }
    }
  }
  for (const auto& t : gone) Drop(*t);
  for (const auto& t : changed) {
    std::unique_lock lock(t->runtime->mu);
    t->runtime->live = t;
  }
  return Status::Ok();
}

std::shared_ptr<const TableMeta> Catalog::Find(const std::string& ns, const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = tables_.find(NameView{ns, name});
  return it == tables_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const TableMeta>> Catalog::FindActive(const std::string& ns, const std::string& name) const {
  auto meta = Find(ns, name);
  if (!meta || clock_->Now() < meta->active_at) return Status::NotFound("Requested resource not found");
  return meta;
}

std::vector<std::shared_ptr<const TableMeta>> Catalog::List(const std::string& ns,
                                                            const std::string& start_after,
                                                            size_t limit) const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const TableMeta>> out;
  for (auto it = tables_.upper_bound(NameView{ns, start_after}); it != tables_.end() && it->first.first == ns;
       ++it) {
    if (out.size() >= limit) break;
    out.push_back(it->second);
  }
  return out;
}

size_t Catalog::Count(const std::string& ns) const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (auto it = tables_.lower_bound(NameView{ns, ""}); it != tables_.end() && it->first.first == ns; ++it) ++n;
  return n;
}

std::vector<std::shared_ptr<const TableMeta>> Catalog::All() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const TableMeta>> out;
  for (const auto& [name, meta] : tables_) out.push_back(meta);
  return out;
}

Status Catalog::Create(TableMeta meta, std::shared_ptr<const TableMeta>* created) {
  std::unique_lock lock(mu_);
  if (tables_.count(NameView{meta.ns, meta.name})) {
    return Status::InUse("Table already exists: " + meta.name);
  }
  BASALT_ASSIGN_OR_RETURN(meta.id, TakeIdsLocked(1 + meta.indexes.size()));
  for (size_t i = 0; i < meta.indexes.size(); ++i) meta.indexes[i].id = meta.id + 1 + i;
  // Another front-end may have created the name since this one last read.
  Status st = meta_->PutIf(StoreKey(meta.ns, meta.name), std::nullopt, EncodeTableMeta(meta));
  if (st.code() == Code::kConditionalCheckFailed) return Status::InUse("Table already exists: " + meta.name);
  BASALT_RETURN_IF_ERROR(st);
  auto ptr = WithRuntime(std::move(meta));
  tables_[{ptr->ns, ptr->name}] = ptr;
  *created = ptr;
  lock.unlock();
  meta_->Announce();
  return Status::Ok();
}

Result<storage::TableId> Catalog::TakeIdsLocked(uint64_t n) {
  // The counter is stored before the ids are used, with a compare-and-put
  // (another front-end may take ids too), so none is handed out twice.
  for (;;) {
    std::optional<std::string> stored;
    BASALT_RETURN_IF_ERROR(meta_->Get(kNextIdKey, &stored));
    const storage::TableId first = stored ? std::stoull(*stored) : 1;
    Status st = meta_->PutIf(kNextIdKey, stored, std::to_string(first + n));
    if (st.code() == Code::kConditionalCheckFailed) continue;
    BASALT_RETURN_IF_ERROR(st);
    return first;
  }
}

Result<storage::TableId> Catalog::NewId() {
  std::unique_lock lock(mu_);
  return TakeIdsLocked(1);
}

std::shared_ptr<const TableMeta> Catalog::WithRuntime(TableMeta meta) {
  meta.runtime = std::make_shared<TableRuntime>();
  auto table = std::make_shared<const TableMeta>(std::move(meta));
  table->runtime->live = table;  // no writer can see the runtime yet
  return table;
}

Status Catalog::Update(std::shared_ptr<const TableMeta> meta,
                       const std::function<void(TableRuntime&)>& while_publishing) {
  {
    std::unique_lock lock(mu_);
    BASALT_RETURN_IF_ERROR(meta_->Put(StoreKey(meta->ns, meta->name), EncodeTableMeta(*meta)));
    tables_[{meta->ns, meta->name}] = meta;
  }
  {
    // Not under mu_: a writer holding the runtime shared may look a table up.
    std::unique_lock lock(meta->runtime->mu);
    meta->runtime->live = meta;
    if (while_publishing) while_publishing(*meta->runtime);
  }
  if (observer_) observer_(*meta);
  meta_->Announce();
  return Status::Ok();
}

Status Catalog::Remove(const TableMeta& meta) {
  {
    std::unique_lock lock(mu_);
    BASALT_RETURN_IF_ERROR(meta_->Delete(StoreKey(meta.ns, meta.name)));
    tables_.erase({meta.ns, meta.name});
  }
  Drop(meta);
  meta_->Announce();
  return Status::Ok();
}

void Catalog::Drop(const TableMeta& meta) {
  std::unique_lock lock(meta.runtime->mu);
  meta.runtime->dropped = true;
  meta.runtime->live.reset();
  meta.runtime->backfill.clear();
}

}  // namespace basalt::db
