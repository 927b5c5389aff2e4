#include "db/items.h"

#include <map>

#include "db/capacity.h"
#include "db/item_changes.h"
#include "model/item.h"
#include "model/item_codec.h"
#include "model/limits.h"

namespace basalt::db {

Result<ItemOutput> Items::WriteOne(ItemWrite write, ItemWriteResult* result) {
  std::vector<ItemWrite> writes;
  writes.push_back(std::move(write));
  WriteOutcome outcome;
  BASALT_RETURN_IF_ERROR(write_path_->Write(writes, WriteMode::kAtomic, &outcome));
  ItemOutput out;
  out.capacity = std::move(outcome.capacity[0]);
  if (!outcome.collections.empty()) out.collection = std::move(outcome.collections.begin()->second[0]);
  *result = std::move(outcome.items[0]);
  return out;
}

Result<ItemOutput> Items::PutItem(const Scope& scope, const PutItemInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, catalog_->FindActive(scope.ns, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromItem(table->key_schema, in.item));
  BASALT_RETURN_IF_ERROR(CheckItemSize(in.item));
  ItemWriteResult r;
  ItemChange change = in.insert_only ? InsertChange(in.item) : PutChange(in.item, in.condition);
  ItemWrite write{table, std::move(key), std::move(change)};
  write.partiql = scope.partiql;
  BASALT_ASSIGN_OR_RETURN(ItemOutput out, WriteOne(std::move(write), &r));
  if (in.return_old) out.item = std::move(r.old_item);
  return out;
}

Result<ItemOutput> Items::DeleteItem(const Scope& scope, const KeyInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, catalog_->FindActive(scope.ns, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, in.key));
  ItemWriteResult r;
  ItemWrite write{table, std::move(key), DeleteChange(in.condition)};
  write.partiql = scope.partiql;
  BASALT_ASSIGN_OR_RETURN(ItemOutput out, WriteOne(std::move(write), &r));
  if (in.return_old) out.item = std::move(r.old_item);
  return out;
}

Result<ItemOutput> Items::UpdateItem(const Scope& scope, const UpdateItemInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, catalog_->FindActive(scope.ns, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, in.key));
  // The change refers to the key and the table it is given; both live in `write`.
  ItemWrite write{table, std::move(key), {}};
  write.change = UpdateChange(*write.table, write.key, in.update, in.condition);
  write.partiql = scope.partiql;
  ItemWriteResult r;
  BASALT_ASSIGN_OR_RETURN(ItemOutput out, WriteOne(std::move(write), &r));
  auto updated = [&](const model::Item& item) {
    expr::Projection p;
    if (in.update) p.paths = expr::UpdatedPaths(*in.update);
    return expr::ApplyProjection(p, item);
  };
  switch (in.return_values) {
    case ReturnValues::kNone: break;
    case ReturnValues::kAllOld: out.item = std::move(r.old_item); break;
    case ReturnValues::kAllNew: out.item = std::move(r.new_item); break;
    case ReturnValues::kUpdatedOld:
      if (r.old_item) out.item = updated(*r.old_item);
      break;
    case ReturnValues::kUpdatedNew:
      if (r.new_item) out.item = updated(*r.new_item);
      break;
  }
  // DynamoDB leaves out Attributes when nothing of what was asked for exists.
  if (out.item && out.item->empty()) out.item.reset();
  return out;
}

Result<ItemOutput> Items::GetItem(const Scope& scope, const KeyInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, catalog_->FindActive(scope.ns, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, in.key));
  ItemOutput out;
  std::string pk;
  if (throttle_) {
    pk = StorageKey(*table, key).pk;
    if (Status st = throttle_->AdmitRead(*table, nullptr, &pk); !st.ok()) {
      if (Recording(scope)) insights_->RecordItem(*table, key, nullptr);
      return st;
    }
  }
  size_t size = 0;
  if (in.stored_item && !in.projection) {
    // Kept in its stored bytes for api to write (ReadPageInput::stored_items
    // says what that saves).
    std::optional<std::string> stored;
    BASALT_RETURN_IF_ERROR(read_path_->ReadStored(*table, key, &stored));
    if (stored) {
      BASALT_ASSIGN_OR_RETURN(size, model::StoredItemSize(*stored));
      out.stored_item = EncodedItem{std::move(*stored), size};
    }
  } else {
    BASALT_RETURN_IF_ERROR(read_path_->Read(*table, key, &out.item));
    size = out.item ? model::ItemSize(*out.item) : 0;
    if (out.item && in.projection) out.item = expr::ApplyProjection(*in.projection, *out.item);
  }
  out.capacity = {table->name, ReadUnits(size, in.consistent), 0};
  if (throttle_) throttle_->ChargeRead(*table, nullptr, &pk, out.capacity.read_units);
  if (Recording(scope)) insights_->RecordItem(*table, key, &out.capacity.read_units);
  return out;
}

Result<BatchGetOutput> Items::BatchGetItem(const Scope& scope, const std::vector<BatchGetTableInput>& in) {
  struct Entry {
    const BatchGetTableInput* input;
    size_t key_index;
    std::shared_ptr<const TableMeta> table;
    model::PrimaryKey key;
  };
  std::vector<Entry> entries;
  for (const auto& t : in) {
    BASALT_ASSIGN_OR_RETURN(auto table, catalog_->FindActive(scope.ns, t.table));
    UniqueKeys seen;
    for (size_t i = 0; i < t.keys.size(); ++i) {
      BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, t.keys[i]));
      BASALT_RETURN_IF_ERROR(seen.Add(StorageKey(*table, key)));
      entries.push_back(Entry{&t, i, table, std::move(key)});
    }
  }
  // Keys whose table (or partition) is out of capacity go back unprocessed;
  // only when all do is the request itself throttled.
  BatchGetOutput out;
  std::vector<std::string> pks;
  if (throttle_) {
    Status first;
    std::vector<Entry> admitted;
    for (auto& e : entries) {
      std::string pk = StorageKey(*e.table, e.key).pk;
      if (Status st = throttle_->AdmitRead(*e.table, nullptr, &pk); !st.ok()) {
        if (first.ok()) first = std::move(st);
        if (Recording(scope)) insights_->RecordItem(*e.table, e.key, nullptr);
        out.unprocessed[e.input->table].push_back(e.input->keys[e.key_index]);
        continue;
      }
      pks.push_back(std::move(pk));
      admitted.push_back(std::move(e));
    }
    if (admitted.empty() && !first.ok()) return first;
    entries = std::move(admitted);
  }
  std::vector<std::pair<const TableMeta*, const model::PrimaryKey*>> keys;
  keys.reserve(entries.size());
  for (const auto& e : entries) keys.emplace_back(e.table.get(), &e.key);
  std::vector<std::optional<std::string>> stored;
  BASALT_RETURN_IF_ERROR(read_path_->ReadManyStored(keys, &stored));

  std::map<std::string, double> units;
  size_t response_bytes = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const std::string& name = e.input->table;
    units.try_emplace(name, 0);
    out.responses.try_emplace(name);
    // An item stays in its stored bytes unless a projection needs it typed
    // (ReadPageInput::stored_items says what that saves).
    const bool keep_stored = e.input->stored_items && !e.input->projection;
    std::optional<model::Item> item;
    size_t size = 0;
    if (stored[i] && keep_stored) {
      BASALT_ASSIGN_OR_RETURN(size, model::StoredItemSize(*stored[i]));
    } else if (stored[i]) {
      item.emplace();
      BASALT_RETURN_IF_ERROR(model::DecodeItem(*stored[i], &*item));
      size = model::ItemSize(*item);
    }
    // Past the response size limit the remaining keys go back unprocessed.
    if (response_bytes + size > model::kMaxBatchGetResponseBytes) {
      out.unprocessed[name].push_back(e.input->keys[e.key_index]);
      continue;
    }
    units[name] += ReadUnits(size, e.input->consistent);
    if (throttle_) throttle_->ChargeRead(*e.table, nullptr, &pks[i], ReadUnits(size, e.input->consistent));
    if (Recording(scope)) {
      const double u = ReadUnits(size, e.input->consistent);
      insights_->RecordItem(*e.table, e.key, &u);
    }
    if (!stored[i]) continue;
    response_bytes += size;
    if (keep_stored) {
      out.stored_responses[name].push_back(EncodedItem{std::move(*stored[i]), size});
    } else {
      out.responses[name].push_back(e.input->projection ? expr::ApplyProjection(*e.input->projection, *item)
                                                        : std::move(*item));
    }
  }
  for (const auto& [name, u] : units) out.capacity.push_back({name, u, 0});
  return out;
}

Result<BatchWriteOutput> Items::BatchWriteItem(const Scope& scope, const std::vector<BatchWriteTableInput>& in) {
  std::vector<ItemWrite> writes;
  BatchWriteOutput out;
  Status throttled;
  for (const auto& t : in) {
    BASALT_ASSIGN_OR_RETURN(auto table, catalog_->FindActive(scope.ns, t.table));
    UniqueKeys seen;
    for (const auto& req : t.requests) {
      model::PrimaryKey key;
      if (req.is_put) {
        BASALT_ASSIGN_OR_RETURN(key, model::KeyFromItem(table->key_schema, req.item));
        BASALT_RETURN_IF_ERROR(CheckItemSize(req.item));
      } else {
        BASALT_ASSIGN_OR_RETURN(key, model::KeyFromKeyMap(table->key_schema, req.item));
      }
      BASALT_RETURN_IF_ERROR(seen.Add(StorageKey(*table, key)));
      // A request whose table (or partition) is out of capacity goes back
      // unprocessed. (The write path checks the GSIs it changes again, and
      // fails the whole batch when one of them is out of capacity.)
      // Each admitted request takes its estimate (the new item's units, 1
      // for a delete) at once, so that the requests after it see it.
      double estimate = 0;
      if (throttle_) {
        if (Status st = throttle_->AdmitWrite(*table, seen.keys().back().pk, {}); !st.ok()) {
          if (throttled.ok()) throttled = std::move(st);
          out.unprocessed[t.table].push_back(req);
          continue;
        }
        estimate = req.is_put ? WriteUnits(model::ItemSize(req.item)) : 1;
        throttle_->ChargeWrite(*table, seen.keys().back().pk, estimate, {}, 1);
      }
      const WriteRequest* r = &req;
      writes.push_back(ItemWrite{table, std::move(key),
                                 [r](const std::optional<model::Item>&) -> Result<std::optional<model::Item>> {
                                   if (r->is_put) return std::optional<model::Item>(r->item);
                                   return std::optional<model::Item>();
                                 }});
      writes.back().precharged_units = estimate;
    }
  }
  // DynamoDB applies a batch's requests independently; applying them in one
  // atomic commit is a stronger guarantee and costs one log write.
  if (writes.empty() && !throttled.ok()) return throttled;
  WriteOutcome outcome;
  BASALT_RETURN_IF_ERROR(write_path_->Write(writes, WriteMode::kAtomic, &outcome));
  out.capacity = std::move(outcome.capacity);
  out.collections = std::move(outcome.collections);
  return out;
}

}  // namespace basalt::db
