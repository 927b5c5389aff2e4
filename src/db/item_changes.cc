#include "db/item_changes.h"

#include <algorithm>

#include "model/item.h"
#include "model/limits.h"

namespace basalt::db {
namespace {

// An update that leaves an empty string or binary in an index key attribute
// (of the right type) gets DynamoDB's UpdateItem wording; other index key
// errors are the write path's.
Status CheckUpdatedIndexKeys(const TableMeta& table, const model::Item& item) {
  for (const IndexMeta& index : table.indexes) {
    for (const model::KeyAttribute* attr : model::KeyAttributes(index.key_schema)) {
      auto it = item.find(attr->name);
      if (it == item.end() || it->second.type() != attr->type) continue;
      if ((attr->type == model::Type::kS || attr->type == model::Type::kB) && it->second.str().empty()) {
        return Status::Validation(
            "One or more parameter values are not valid. The update expression attempted to update a secondary "
            "index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an "
            "empty " + std::string(attr->type == model::Type::kS ? "string" : "binary") + " value.");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckItemSize(const model::Item& item) {
  if (model::ItemSize(item) > model::kMaxItemSize) {
    return Status::Validation("Item size has exceeded the maximum allowed size");
  }
  return Status::Ok();
}

Status CheckCondition(const WriteCondition& wc, const std::optional<model::Item>& old) {
  if (!wc.condition) return Status::Ok();
  static const model::Item kEmpty;
  BASALT_ASSIGN_OR_RETURN(bool holds, expr::Evaluate(*wc.condition, old ? *old : kEmpty));
  if (holds) return Status::Ok();
  auto detail = std::make_shared<ConditionFailure>();
  if (wc.return_old_on_failure) detail->item = old;
  return Status(Code::kConditionalCheckFailed, "The conditional request failed").WithDetail(std::move(detail));
}

Status UniqueKeys::Add(storage::Key key, const char* message) {
  const std::hash<std::string_view> hash;
  const size_t h = (hash(key.pk) * 31 + hash(key.sk)) * 31 + key.table;
  if (!hashes_.insert(h).second) {  // seen, or a hash shared by two keys
    for (const auto& s : keys_) {
      if (s.table == key.table && s.pk == key.pk && s.sk == key.sk) return Status::Validation(message);
    }
  }
  keys_.push_back(std::move(key));
  return Status::Ok();
}

ItemChange PutChange(const model::Item& item, const WriteCondition& condition) {
  return [&item, &condition](const std::optional<model::Item>& old) -> Result<std::optional<model::Item>> {
    BASALT_RETURN_IF_ERROR(CheckCondition(condition, old));
    return std::optional<model::Item>(item);
  };
}

ItemChange InsertChange(const model::Item& item) {
  return [&item](const std::optional<model::Item>& old) -> Result<std::optional<model::Item>> {
    if (old) return Status(Code::kDuplicateItem, "Duplicate primary key exists in table");
    return std::optional<model::Item>(item);
  };
}

ItemChange DeleteChange(const WriteCondition& condition) {
  return [&condition](const std::optional<model::Item>& old) -> Result<std::optional<model::Item>> {
    BASALT_RETURN_IF_ERROR(CheckCondition(condition, old));
    return std::optional<model::Item>();
  };
}

ItemChange CheckChange(const WriteCondition& condition) {
  return [&condition](const std::optional<model::Item>& old) -> Result<std::optional<model::Item>> {
    BASALT_RETURN_IF_ERROR(CheckCondition(condition, old));
    return old;
  };
}

ItemChange UpdateChange(const TableMeta& table, const model::PrimaryKey& key, const std::optional<expr::Update>& update,
                        const WriteCondition& condition) {
  return [&table, key_item = model::KeyToItem(table.key_schema, key), key_names = model::KeyNames(table.key_schema), &update,
          &condition](const std::optional<model::Item>& old) -> Result<std::optional<model::Item>> {
    BASALT_RETURN_IF_ERROR(CheckCondition(condition, old));
    // An update of an absent item creates it from its key, as DynamoDB does,
    // except that legacy AttributeUpdates that only delete do nothing ("DELETE -
    // Nothing happens; there is no attribute to delete").
    if (!old && update && update->attribute_updates &&
        std::all_of(update->actions.begin(), update->actions.end(), [](const expr::UpdateAction& a) {
          return a.kind == expr::UpdateAction::Kind::kRemove || a.kind == expr::UpdateAction::Kind::kDelete;
        })) {
      return std::optional<model::Item>();
    }
    const model::Item& base = old ? *old : key_item;
    if (!update) return std::optional<model::Item>(base);
    BASALT_ASSIGN_OR_RETURN(model::Item updated, expr::ApplyUpdate(*update, base, key_names));
    if (model::ItemSize(updated) > model::kMaxItemSize) {
      return Status::Validation("Item size to update has exceeded the maximum allowed size");
    }
    BASALT_RETURN_IF_ERROR(CheckUpdatedIndexKeys(table, updated));
    return std::optional<model::Item>(std::move(updated));
  };
}

}  // namespace basalt::db
