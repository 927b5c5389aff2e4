#include "db/index.h"

#include <algorithm>
#include <span>

#include "db/capacity.h"
#include "model/item.h"
#include "model/item_codec.h"
#include "model/key_encoding.h"
#include "model/limits.h"

namespace basalt::db {
namespace {

// The value of key attribute `attr` in `item` if present with its declared type.
const model::AttributeValue* KeyValue(const model::Item& item, const model::KeyAttribute& attr) {
  auto it = item.find(attr.name);
  if (it == item.end() || it->second.type() != attr.type) return nullptr;
  return &it->second;
}

// The attributes of a multi-attribute key together have the limit of one
// (2048 bytes for the partition attributes, 1024 for the sort attributes),
// sizes counted as DynamoDB counts them. DynamoDB Local's wording; the
// service's is not documented.
Status CheckAggregateSize(const IndexMeta& index, const char* kind, const std::vector<const model::KeyAttribute*>& attrs,
                          size_t limit, const model::Item& item) {
  size_t size = 0;
  std::string names;
  for (const model::KeyAttribute* a : attrs) {
    names += (names.empty() ? "" : ", ") + a->name;
    if (const model::AttributeValue* v = KeyValue(item, *a)) size += model::AttributeSize(*v);
  }
  if (attrs.size() < 2 || size <= limit) return Status::Ok();
  return Status::Validation("Aggregate size for " + std::string(kind) + " key attributes " + names + " of index " +
                            index.name + " has exceeded limit " + std::to_string(limit) + " bytes, with actual size " +
                            std::to_string(size) + " bytes");
}

}  // namespace

bool IndexProjects(const TableMeta& table, const IndexMeta& index, std::string_view name) {
  switch (index.projection) {
    case ProjectionType::kAll: return true;
    case ProjectionType::kInclude:
      if (std::find(index.non_key_attributes.begin(), index.non_key_attributes.end(), name) !=
          index.non_key_attributes.end()) {
        return true;
      }
      [[fallthrough]];
    case ProjectionType::kKeysOnly:
      return model::IsKeyAttribute(table.key_schema, name) || model::IsKeyAttribute(index.key_schema, name);
  }
  return false;
}

model::Item ProjectToIndex(const TableMeta& table, const IndexMeta& index, const model::Item& item) {
  if (index.projection == ProjectionType::kAll) return item;
  model::Item out;
  for (const auto& [name, value] : item) {
    if (IndexProjects(table, index, name)) out.emplace(name, value);
  }
  return out;
}

Status CheckIndexKeys(const std::vector<IndexMeta>& indexes, const model::Item& item) {
  for (const IndexMeta& index : indexes) {
    for (const model::KeyAttribute* attr : model::KeyAttributes(index.key_schema)) {
      auto it = item.find(attr->name);
      if (it == item.end()) continue;
      if (it->second.type() != attr->type) {
        return Status::Validation("One or more parameter values were invalid: Type mismatch for Index Key " +
                                  attr->name + " Expected: " + model::TypeName(attr->type) +
                                  " Actual: " + model::TypeName(it->second.type()) + " IndexName: " + index.name);
      }
      if ((attr->type == model::Type::kS || attr->type == model::Type::kB) && it->second.str().empty()) {
        return Status::Validation(
            "One or more parameter values are not valid. A value specified for a secondary index key is not "
            "supported. The AttributeValue for a key attribute cannot contain an empty " +
            std::string(attr->type == model::Type::kS ? "string" : "binary") + " value. IndexName: " + index.name +
            ", IndexKey: " + attr->name);
      }
      // Index keys have the table's key limits, per attribute (DynamoDB Local's wording).
      size_t limit = model::IsHashAttribute(index.key_schema, attr) ? model::kMaxHashKeySize : model::kMaxRangeKeySize;
      if ((attr->type == model::Type::kS || attr->type == model::Type::kB) && it->second.str().size() > limit) {
        return Status::Validation("One or more parameter values were invalid: Size limit exceeded");
      }
    }
    if (index.key_schema.multi_attribute()) {
      BASALT_RETURN_IF_ERROR(CheckAggregateSize(index, "HASH", model::HashAttributes(index.key_schema),
                                                model::kMaxHashKeySize, item));
      BASALT_RETURN_IF_ERROR(CheckAggregateSize(index, "RANGE", model::RangeAttributes(index.key_schema),
                                                model::kMaxRangeKeySize, item));
    }
  }
  return Status::Ok();
}

void AppendPartitionEncoding(const model::KeySchema& ks, std::span<const model::AttributeValue* const> values,
                             std::string* out) {
  // One attribute keeps its plain encoding (the layout indexes had before
  // multi-attribute keys); several are each escaped, so the tuple is prefix-free.
  if (values.size() == 1 && !ks.multi_attribute()) {
    model::AppendKeyEncoding(*values[0], out);
    return;
  }
  for (const model::AttributeValue* v : values) model::AppendEscapedKeyEncoding(*v, out);
}

std::optional<std::pair<std::string, std::string>> EntryKey(const TableMeta& table, const IndexMeta& index,
                                                            const model::Item& item) {
  std::vector<const model::AttributeValue*> hash, range;
  for (const model::KeyAttribute* a : model::HashAttributes(index.key_schema)) {
    hash.push_back(KeyValue(item, *a));
    if (!hash.back()) return std::nullopt;
  }
  for (const model::KeyAttribute* a : model::RangeAttributes(index.key_schema)) {
    range.push_back(KeyValue(item, *a));
    if (!range.back()) return std::nullopt;
  }
  const model::AttributeValue* table_hash = KeyValue(item, table.key_schema.hash);
  const model::AttributeValue* table_range = nullptr;
  if (!table_hash || (table.key_schema.range && !(table_range = KeyValue(item, *table.key_schema.range)))) {
    return std::nullopt;
  }
  std::pair<std::string, std::string> key;
  AppendPartitionEncoding(index.key_schema, hash, &key.first);
  for (const model::AttributeValue* v : range) model::AppendEscapedKeyEncoding(*v, &key.second);
  if (index.global) model::AppendEscapedKeyEncoding(*table_hash, &key.second);
  if (table_range) model::AppendKeyEncoding(*table_range, &key.second);
  return key;
}

std::optional<IndexEntry> EntryFor(const TableMeta& table, const IndexMeta& index, const model::Item& item) {
  auto key = EntryKey(table, index, item);
  if (!key) return std::nullopt;
  IndexEntry e;
  e.pk = std::move(key->first);
  e.sk = std::move(key->second);
  model::Item projected = ProjectToIndex(table, index, item);
  e.size = model::ItemSize(projected);
  model::EncodeItem(projected, &e.value);
  return e;
}

std::optional<IndexDelta> ComputeIndexDelta(const TableMeta& table, const IndexMeta& index,
                                            const std::optional<model::Item>& old_item,
                                            const std::optional<model::Item>& new_item) {
  std::optional<IndexEntry> before, after;
  if (old_item) before = EntryFor(table, index, *old_item);
  if (new_item) after = EntryFor(table, index, *new_item);
  if (!before && !after) return std::nullopt;
  bool same_key = before && after && before->pk == after->pk && before->sk == after->sk;
  if (same_key && before->value == after->value) return std::nullopt;
  IndexDelta d;
  d.index = &index;
  auto entry_bytes = [](const std::optional<IndexEntry>& e) {
    return e ? static_cast<int64_t>(e->size) + kIndexEntryOverhead : 0;
  };
  d.count_delta = (after ? 1 : 0) - (before ? 1 : 0);
  d.size_delta = entry_bytes(after) - entry_bytes(before);
  if (before && !same_key) {
    d.remove.emplace(before->pk, before->sk);
    d.remove_units = WriteUnits(before->size);
    d.write_units += d.remove_units;
  }
  if (after) {
    d.write_units += WriteUnits(after->size);
    d.put = std::move(after);
  }
  return d;
}

void AppendIndexWrites(const std::vector<IndexDelta>& deltas, std::vector<storage::PartitionWrite>* batch) {
  for (const IndexDelta& d : deltas) {
    if (d.remove) {
      storage::PartitionWrite pw;
      pw.table = d.index->id;
      pw.pk = d.remove->first;
      pw.muts.push_back(storage::Mutation{storage::Mutation::kDelete, d.remove->second, {}, {}});
      if (!d.put) pw.item_count_delta = d.count_delta, pw.size_bytes_delta = d.size_delta;
      batch->push_back(std::move(pw));
    }
    if (d.put) {
      storage::PartitionWrite pw;
      pw.table = d.index->id;
      pw.pk = d.put->pk;
      pw.muts.push_back(storage::Mutation{storage::Mutation::kPut, d.put->sk, d.put->value, {}});
      pw.item_count_delta = d.count_delta;
      pw.size_bytes_delta = d.size_delta;
      batch->push_back(std::move(pw));
    }
  }
}

storage::SortKeyRange SortKeyRangeFor(const expr::KeyComparison& c, bool composite, const std::string& prefix) {
  using K = expr::KeyComparison::Kind;
  auto enc = [&](const model::AttributeValue& v) {
    std::string out = prefix;
    composite ? model::AppendEscapedKeyEncoding(v, &out) : model::AppendKeyEncoding(v, &out);
    return out;
  };
  // The first key after every entry of `v`: the escaped encoding ends with
  // 0x00 0x01, and nothing of v's entries reaches 0x00 0x02.
  auto past = [&](const model::AttributeValue& v) {
    std::string s = enc(v);
    s.back() = 2;
    return s;
  };
  storage::SortKeyRange r;
  // Entries after the equal leading sort attributes all begin with `prefix`.
  if (!prefix.empty()) r.prefix = prefix;
  const model::AttributeValue& a = c.values[0];
  switch (c.kind) {
    case K::kEq:
      if (composite) {
        r.prefix = enc(a);
      } else {
        r.lower = r.upper = enc(a);
      }
      break;
    case K::kLt: r.upper = enc(a), r.upper_inclusive = false; break;
    case K::kLe:
      if (composite) {
        r.upper = past(a), r.upper_inclusive = false;
      } else {
        r.upper = enc(a);
      }
      break;
    case K::kGt:
      if (composite) {
        r.lower = past(a);
      } else {
        r.lower = enc(a), r.lower_inclusive = false;
      }
      break;
    case K::kGe: r.lower = enc(a); break;
    case K::kBetween:
      r.lower = enc(a);
      if (composite) {
        r.upper = past(c.values[1]), r.upper_inclusive = false;
      } else {
        r.upper = enc(c.values[1]);
      }
      break;
    case K::kBeginsWith: {
      std::string p = prefix;
      composite ? model::AppendEscapedKeyPrefix(a, &p) : model::AppendKeyEncoding(a, &p);
      r.prefix = std::move(p);
      break;
    }
  }
  return r;
}

}  // namespace basalt::db
