// Rules about whole items: DynamoDB's size arithmetic and primary-key checks.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "model/attribute_value.h"
#include "model/schema.h"

namespace basalt::model {

// The size DynamoDB charges for a value: S by UTF-8 bytes, B by raw bytes,
// N by Number::StorageSize, BOOL and NULL 1 byte, sets the sum of their
// members, L and M 3 bytes plus, per element, 1 byte and the element's size
// (and, in M, the key's length).
size_t AttributeSize(const AttributeValue& v);

// An item's size: the sum over top-level attributes of name length plus value size.
size_t ItemSize(const Item& item);

// Extracts and checks the primary key of a full item (PutItem): every key
// attribute present with its declared type, not empty, within its size limit.
Result<PrimaryKey> KeyFromItem(const KeySchema& schema, const Item& item);

// Checks a `Key` parameter (GetItem, DeleteItem, ...): exactly the key
// attributes, with their declared types, not empty, within size limits.
Result<PrimaryKey> KeyFromKeyMap(const KeySchema& schema, const Item& key);

// The key as an item holding only the key attributes.
Item KeyToItem(const KeySchema& schema, const PrimaryKey& key);

// Checks one key value: type, emptiness and size. `is_range` picks the limit.
Status CheckKeyValue(const KeyAttribute& attr, const AttributeValue& v, bool is_range);

}  // namespace basalt::model
