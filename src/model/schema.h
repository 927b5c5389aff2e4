// Table key schemas: which attributes form the primary key, and their types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/attribute_value.h"

namespace basalt::model {

// A key attribute: its name and scalar type (S, N or B).
struct KeyAttribute {
  std::string name;
  Type type = Type::kS;
  bool operator==(const KeyAttribute&) const = default;
};

// A table's key is one partition (HASH) attribute and at most one sort
// (RANGE) attribute. A global secondary index may have multi-attribute keys
// (DynamoDB, November 2025): up to four partition attributes and up to four
// sort attributes, in order; the first of each are `hash` and `range`, the
// others `extra_hash` and `extra_range` (extra_range only with a range).
struct KeySchema {
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
  std::vector<KeyAttribute> extra_hash = {};
  std::vector<KeyAttribute> extra_range = {};
  bool operator==(const KeySchema&) const = default;

  bool multi_attribute() const { return !extra_hash.empty() || !extra_range.empty(); }
};

// The partition key attributes, in order.
inline std::vector<const KeyAttribute*> HashAttributes(const KeySchema& ks) {
  std::vector<const KeyAttribute*> out{&ks.hash};
  for (const auto& a : ks.extra_hash) out.push_back(&a);
  return out;
}

// The sort key attributes, in order (none when there is no sort key).
inline std::vector<const KeyAttribute*> RangeAttributes(const KeySchema& ks) {
  std::vector<const KeyAttribute*> out;
  if (!ks.range) return out;
  out.push_back(&*ks.range);
  for (const auto& a : ks.extra_range) out.push_back(&a);
  return out;
}

// The key attributes: the partition attributes, then the sort attributes.
inline std::vector<const KeyAttribute*> KeyAttributes(const KeySchema& ks) {
  std::vector<const KeyAttribute*> out = HashAttributes(ks);
  for (const KeyAttribute* a : RangeAttributes(ks)) out.push_back(a);
  return out;
}

inline std::vector<std::string> KeyNames(const KeySchema& ks) {
  std::vector<std::string> out;
  for (const KeyAttribute* a : KeyAttributes(ks)) out.push_back(a->name);
  return out;
}

inline bool IsKeyAttribute(const KeySchema& ks, std::string_view name) {
  for (const KeyAttribute* a : KeyAttributes(ks)) {
    if (a->name == name) return true;
  }
  return false;
}

// Whether `attr` (an element of ks) is one of its partition attributes.
inline bool IsHashAttribute(const KeySchema& ks, const KeyAttribute* attr) {
  for (const KeyAttribute* a : HashAttributes(ks)) {
    if (a == attr) return true;
  }
  return false;
}

// The primary key values of one item, typed and validated against a schema.
struct PrimaryKey {
  AttributeValue hash;
  std::optional<AttributeValue> range;
};

}  // namespace basalt::model
