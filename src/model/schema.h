// Table key schemas: which attributes form the primary key, and their types.
#pragma once

#include <optional>
#include <string>

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

// The primary key values of one item, typed and validated against a schema.
struct PrimaryKey {
  AttributeValue hash;
  std::optional<AttributeValue> range;
};

}  // namespace basalt::model
