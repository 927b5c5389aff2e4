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

struct KeySchema {
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
  bool operator==(const KeySchema&) const = default;
};

// The key attributes: the hash key, then the range key if there is one.
inline std::vector<const KeyAttribute*> KeyAttributes(const KeySchema& ks) {
  std::vector<const KeyAttribute*> out{&ks.hash};
  if (ks.range) out.push_back(&*ks.range);
  return out;
}

inline std::vector<std::string> KeyNames(const KeySchema& ks) {
  std::vector<std::string> out{ks.hash.name};
  if (ks.range) out.push_back(ks.range->name);
  return out;
}

inline bool IsKeyAttribute(const KeySchema& ks, std::string_view name) {
  return ks.hash.name == name || (ks.range && ks.range->name == name);
}

// The primary key values of one item, typed and validated against a schema.
struct PrimaryKey {
  AttributeValue hash;
  std::optional<AttributeValue> range;
};

}  // namespace basalt::model
