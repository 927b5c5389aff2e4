// JSON inside api/: reading request fields with DynamoDB's type rules and
// writing responses. RapidJSON stays behind this header, which no other
// module includes.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/attribute_value.h"

namespace basalt::api {

using JsonValue = rapidjson::Value;
// RapidJSON's Writer, plus Direct: a value whose JSON text the caller writes
// into the output buffer itself (an item from its stored encoding, a string
// escaped 16 bytes per step), where the Writer's RawValue would copy ready
// text byte by byte, ~7 instructions per byte.
class JsonWriter : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using Writer::Writer;
  // A value of `type` whose JSON write(buffer) appends to the output itself,
  // after the separator any value gets.
  template <class Write>
  void Direct(rapidjson::Type type, Write&& write) {
    Prefix(type);
    write(*os_);
    EndValue(true);
  }
};

// DynamoDB's names of JSON kinds in SerializationException messages.
const char* JsonKindName(const JsonValue& v);

// Field readers: nullopt when the field is absent or null; a
// SerializationException when it has the wrong JSON type.
Result<std::optional<std::string>> GetString(const JsonValue& obj, std::string_view field);
Result<std::optional<int64_t>> GetInteger(const JsonValue& obj, std::string_view field);
Result<std::optional<bool>> GetBool(const JsonValue& obj, std::string_view field);
// Object and array fields return a pointer into the document, or null.
Result<const JsonValue*> GetObject(const JsonValue& obj, std::string_view field);
Result<const JsonValue*> GetArray(const JsonValue& obj, std::string_view field);

// Collects "Value ... at '...' failed to satisfy constraint: ..." findings
// and renders them as DynamoDB does: "N validation error(s) detected: a; b".
class ConstraintErrors {
 public:
  void Add(std::string value_repr, std::string_view path, std::string_view constraint);
  void AddNull(std::string_view path) { Add("null", path, "Member must not be null"); }
  bool empty() const { return findings_.empty(); }
  Status ToStatus() const;

 private:
  std::vector<std::string> findings_;
};

// Reads the TableName field of a request, checked by CheckTableName.
Result<std::string> ReadTableName(const JsonValue& request);
// The control-plane operations whose subject is a table (CreateTable,
// DescribeTable, UpdateTable, DeleteTable, the Time to Live operations)
// answer a missing TableName with "The parameter 'TableName' is required but
// was not present in the request" before any constraint (the item
// operations report it as a constraint).
Status RequireTableName(const JsonValue& request);

// Reads a string field that must be one of `allowed`: nullopt when absent or
// not allowed, in which case a finding "Member must satisfy enum value set:
// <enum_set>" is added (DynamoDB's set order varies per field, so it is given).
Result<std::optional<std::string>> GetEnum(const JsonValue& obj, std::string_view field, std::string_view path,
                                           std::initializer_list<std::string_view> allowed,
                                           std::string_view enum_set, ConstraintErrors* errors);

// Checks a table name against DynamoDB's length and pattern constraints.
void CheckTableName(const std::optional<std::string>& name, std::string_view path, ConstraintErrors* errors);

// AttributeValue <-> JSON, with DynamoDB's validation of values (types,
// empty sets, duplicates, NULL must be true, numbers, base64, nesting).
Result<model::AttributeValue> DecodeAttributeValue(const JsonValue& v, int depth = 1);
Result<model::Item> DecodeItem(const JsonValue& v);
void WriteAttributeValue(JsonWriter& w, const model::AttributeValue& v);
void WriteItem(JsonWriter& w, const model::Item& item);
// WriteItem of an item in its stored encoding (model/item_codec.h), written
// as it is read, without building the item. Fails with kInternal on corrupt
// bytes; what the writer holds then is not JSON, for an error response only.
Status WriteStoredItem(JsonWriter& w, std::string_view stored);

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), the rule RapidJSON's
// kParseValidateEncodingFlag applies to each string.
bool IsUtf8(std::string_view s);

// A bound on how deeply a JSON text nests: its number of '{' and '[' bytes
// (those inside strings too), counted 16 bytes per SSE2 step. The router
// parses recursively below a bound, which keeps the stack it takes small.
size_t NestingBound(std::string_view s);

void WriteString(JsonWriter& w, std::string_view s);
void WriteKey(JsonWriter& w, std::string_view s);

}  // namespace basalt::api
