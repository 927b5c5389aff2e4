// The binary form of an item as stored. The format is persistent: change it
// only by adding new type tags.
//
//   item   := varint(count) attr*          (attributes in name order)
//   attr   := str(name) value
//   value  := type:u8 payload               (type = model::Type's numeric value)
//     S, B      : str(bytes)
//     N         : str(Number ordered encoding)
//     BOOL      : u8 (0 or 1)
//     NULL      : (nothing)
//     SS, BS    : varint(count) str*
//     NS        : varint(count) str(Number ordered encoding)*
//     L         : varint(count) value*
//     M         : varint(count) (str(name) value)*
//   str    := varint(length) bytes
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "model/attribute_value.h"

namespace basalt::model {

void EncodeItem(const Item& item, std::string* out);
// Fails with kInternal on bytes that are not a valid encoding.
Status DecodeItem(std::string_view in, Item* item);

}  // namespace basalt::model
