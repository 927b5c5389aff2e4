// The typed DynamoDB data model: the ten attribute types, items, keys.
// expr/ and db/ work on these values only; JSON stays inside api/.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "model/number.h"

namespace basalt::model {

// Do not reorder: the numeric values are written to disk by the item codec.
enum class Type : uint8_t { kS = 0, kN = 1, kB = 2, kBool = 3, kNull = 4, kSS = 5, kNS = 6, kBS = 7, kL = 8, kM = 9 };

// DynamoDB's name for a type: "S", "N", ..., "BOOL", "NULL", "SS", ..., "M".
const char* TypeName(Type t);
// The type's name in the service's messages about update operands and
// actions: STRING, NUMBER, BINARY, BOOLEAN, NULL, STRING_SET, NUMBER_SET,
// BINARY_SET, LIST, MAP.
const char* LongTypeName(Type t);

class AttributeValue;
using AttributeMap = std::map<std::string, AttributeValue, std::less<>>;
using AttributeList = std::vector<AttributeValue>;

class AttributeValue {
 public:
  AttributeValue() : type_(Type::kNull), v_(std::monostate{}) {}

  static AttributeValue S(std::string s) { return AttributeValue(Type::kS, std::move(s)); }
  static AttributeValue B(std::string bytes) { return AttributeValue(Type::kB, std::move(bytes)); }
  static AttributeValue N(Number n) { return AttributeValue(Type::kN, std::move(n)); }
  static AttributeValue Bool(bool b) { return AttributeValue(Type::kBool, b); }
  static AttributeValue Null() { return AttributeValue(); }
  static AttributeValue SS(std::vector<std::string> v) { return AttributeValue(Type::kSS, std::move(v)); }
  static AttributeValue BS(std::vector<std::string> v) { return AttributeValue(Type::kBS, std::move(v)); }
  static AttributeValue NS(std::vector<Number> v) { return AttributeValue(Type::kNS, std::move(v)); }
  static AttributeValue L(AttributeList v) { return AttributeValue(Type::kL, std::move(v)); }
  static AttributeValue M(AttributeMap v) { return AttributeValue(Type::kM, std::move(v)); }

  Type type() const { return type_; }

  // S and B: the string or the raw bytes.
  const std::string& str() const { return std::get<std::string>(v_); }
  const Number& num() const { return std::get<Number>(v_); }
  bool boolean() const { return std::get<bool>(v_); }
  // SS and BS.
  const std::vector<std::string>& strs() const { return std::get<std::vector<std::string>>(v_); }
  const std::vector<Number>& nums() const { return std::get<std::vector<Number>>(v_); }
  const AttributeList& list() const { return std::get<AttributeList>(v_); }
  AttributeList& list() { return std::get<AttributeList>(v_); }
  const AttributeMap& map() const { return std::get<AttributeMap>(v_); }
  AttributeMap& map() { return std::get<AttributeMap>(v_); }

  // Equality as DynamoDB defines it: numbers numerically, sets ignoring order.
  bool operator==(const AttributeValue& o) const;
  bool operator!=(const AttributeValue& o) const { return !(*this == o); }

 private:
  template <typename T>
  AttributeValue(Type t, T&& v) : type_(t), v_(std::forward<T>(v)) {}

  Type type_;
  std::variant<std::monostate, std::string, Number, bool, std::vector<std::string>,
               std::vector<Number>, AttributeList, AttributeMap>
      v_;
};

// An item is its top-level attributes by name.
using Item = AttributeMap;

// The order of two scalars of the same type: N numerically, S and B by their
// bytes. Negative, zero or positive as a <, ==, > b.
int CompareScalars(const AttributeValue& a, const AttributeValue& b);

// A readable rendering for tests and logs, e.g. {a: S"x", n: N7, l: L[BOOLtrue]}.
std::string DebugString(const AttributeValue& v);
std::string DebugString(const Item& item);

}  // namespace basalt::model
