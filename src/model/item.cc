#include "model/item.h"

#include "model/limits.h"

namespace basalt::model {

size_t AttributeSize(const AttributeValue& v) {
  switch (v.type()) {
    case Type::kS:
    case Type::kB: return v.str().size();
    case Type::kN: return v.num().StorageSize();
    case Type::kBool:
    case Type::kNull: return 1;
    case Type::kSS:
    case Type::kBS: {
      size_t n = 0;
      for (const auto& s : v.strs()) n += s.size();
      return n;
    }
    case Type::kNS: {
      size_t n = 0;
      for (const auto& x : v.nums()) n += x.StorageSize();
      return n;
    }
    case Type::kL: {
      size_t n = 3;
      for (const auto& e : v.list()) n += 1 + AttributeSize(e);
      return n;
    }
    case Type::kM: {
      size_t n = 3;
      for (const auto& [k, e] : v.map()) n += 1 + k.size() + AttributeSize(e);
      return n;
    }
  }
  return 0;
}

size_t ItemSize(const Item& item) {
  size_t n = 0;
  for (const auto& [name, v] : item) n += name.size() + AttributeSize(v);
  return n;
}

Status CheckKeyValue(const KeyAttribute& attr, const AttributeValue& v, bool is_range) {
  if (v.type() != attr.type) {
    return Status::Validation(std::string("One or more parameter values were invalid: Type mismatch for key ") +
                              attr.name + " expected: " + TypeName(attr.type) +
                              " actual: " + TypeName(v.type()));
  }
  if (v.type() != Type::kN && v.str().empty()) {
    return Status::Validation(
        std::string("One or more parameter values are not valid. The AttributeValue for a key attribute "
                    "cannot contain an empty ") +
        (v.type() == Type::kS ? "string" : "binary") + " value. Key: " + attr.name);
  }
  size_t size = AttributeSize(v);
  if (!is_range && size > kMaxHashKeySize) {
    // "limit of2048" is DynamoDB's own spelling.
    return Status::Validation(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
        "of2048 bytes");
  }
  if (is_range && size > kMaxRangeKeySize) {
    return Status::Validation(
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size "
        "limit of 1024 bytes");
  }
  return Status::Ok();
}

Result<PrimaryKey> KeyFromItem(const KeySchema& schema, const Item& item) {
  PrimaryKey key;
  auto take = [&](const KeyAttribute& attr, bool is_range) -> Result<AttributeValue> {
    auto it = item.find(attr.name);
    if (it == item.end()) {
      return Status::Validation("One or more parameter values were invalid: Missing the key " + attr.name +
                                " in the item");
    }
    BASALT_RETURN_IF_ERROR(CheckKeyValue(attr, it->second, is_range));
    return it->second;
  };
  BASALT_ASSIGN_OR_RETURN(key.hash, take(schema.hash, false));
  if (schema.range) {
    BASALT_ASSIGN_OR_RETURN(key.range, take(*schema.range, true));
  }
  return key;
}

Result<PrimaryKey> KeyFromKeyMap(const KeySchema& schema, const Item& key_map) {
  size_t expected = schema.range ? 2 : 1;
  auto hash = key_map.find(schema.hash.name);
  auto range = schema.range ? key_map.find(schema.range->name) : key_map.end();
  if (key_map.size() != expected || hash == key_map.end() || (schema.range && range == key_map.end())) {
    return Status::Validation("The provided key element does not match the schema");
  }
  if (hash->second.type() != schema.hash.type ||
      (schema.range && range->second.type() != schema.range->type)) {
    return Status::Validation("The provided key element does not match the schema");
  }
  PrimaryKey key;
  BASALT_RETURN_IF_ERROR(CheckKeyValue(schema.hash, hash->second, false));
  key.hash = hash->second;
  if (schema.range) {
    BASALT_RETURN_IF_ERROR(CheckKeyValue(*schema.range, range->second, true));
    key.range = range->second;
  }
  return key;
}

Item KeyToItem(const KeySchema& schema, const PrimaryKey& key) {
  Item item;
  item.emplace(schema.hash.name, key.hash);
  if (schema.range && key.range) item.emplace(schema.range->name, *key.range);
  return item;
}

}  // namespace basalt::model
