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

// Reads an encoded item without building it: the visitor is called for each
// part in encoding order. The item's own attributes come as Name + value
// (no BeginMap for the item itself); an M is BeginMap, Name + value per
// entry, EndMap; an L, SS, NS or BS is BeginList, its members, EndList (set
// members arrive as Bytes or Num like scalars; sets never nest). Costs no
// allocation but a Number's digits beyond its small-string buffer: what a
// reader saves over DecodeItem is the map's nodes and strings (see
// StoredItemSize and api's WriteStoredItem).
class ItemVisitor {
 public:
  virtual ~ItemVisitor() = default;
  virtual void Name(std::string_view name) = 0;
  virtual void BeginMap(size_t count) = 0;
  virtual void EndMap() = 0;
  virtual void BeginList(Type type, size_t count) = 0;
  virtual void EndList() = 0;
  virtual void Bytes(Type type, std::string_view s) = 0;  // S or B
  virtual void Num(const Number& n) = 0;
  // A number as stored (Number::AppendOrderedEncoding's bytes): decoded and
  // given to Num, unless a visitor needs only the bytes. False for bytes
  // that are not a number's encoding.
  virtual bool NumBytes(std::string_view enc);
  virtual void Bool(bool b) = 0;
  virtual void Null() = 0;
};
// Fails with kInternal on bytes that are not a valid encoding (the visitor
// may have seen part of them).
Status VisitItem(std::string_view in, ItemVisitor& visitor);

// ItemSize of an encoded item, without decoding it.
Result<size_t> StoredItemSize(std::string_view in);

}  // namespace basalt::model
