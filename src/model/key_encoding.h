// Order-preserving byte encodings of key attribute values.
//
// The storage engine compares keys with memcmp, so each scalar key type is
// encoded such that bytewise order equals DynamoDB's order for that type:
//   S  the UTF-8 bytes as they are (DynamoDB orders strings by their bytes)
//   B  the raw bytes as they are
//   N  Number::AppendOrderedEncoding:
//        zero      0x02
//        positive  0x03, (e + 130):u8, digit nibbles (d + 1) two per byte, last nibble 0 if odd
//        negative  0x01, the positive form's bytes after the sign inverted, then 0xFF
//      where e is the power of ten of the most significant digit (-130..125).
//      The 0xFF ends a negative number so that -1.2 sorts above -1.23 (whose
//      inverted bytes would otherwise extend -1.2's as a prefix).
// The type of a key attribute is fixed by the table's schema, so no type tag
// is stored. S, B and positive N encodings are not self-delimiting; the
// storage key format (storage/key_format.h) escapes the partition key and
// puts the sort key last.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "model/attribute_value.h"

namespace basalt::model {

void AppendKeyEncoding(const AttributeValue& v, std::string* out);
std::string KeyEncoding(const AttributeValue& v);

// The key encoding escaped to be prefix-free, for keys made of several
// values: every 0x00 is written as 0x00 0xFF, and 0x00 0x01 ends it. Order is
// kept: escaped(a) < escaped(b) exactly when a < b, and no escaped value is a
// prefix of another, so escaped(a) + x < escaped(b) + y whenever a < b.
void AppendEscapedKeyEncoding(const AttributeValue& v, std::string* out);
// The escaped form without its end marker: the escaped encodings of values
// that begin with `v` (S or B) are exactly those that begin with this.
void AppendEscapedKeyPrefix(const AttributeValue& v, std::string* out);

// Decodes a whole encoding of a value of `type` (S, N or B).
Result<AttributeValue> DecodeKeyEncoding(Type type, std::string_view bytes);

}  // namespace basalt::model
