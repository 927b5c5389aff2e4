#include "api/json.h"

#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <set>

#include "common/base64.h"
#include "model/item_codec.h"
#include "model/limits.h"

namespace basalt::api {

const char* JsonKindName(const JsonValue& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "NULL_VALUE";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "BOOLEAN_VALUE";
    case rapidjson::kObjectType: return "START_OBJECT";
    case rapidjson::kArrayType: return "START_ARRAY";
    case rapidjson::kStringType: return "STRING_VALUE";
    case rapidjson::kNumberType: return "NUMBER_VALUE";
  }
  return "VALUE";
}

namespace {

Status WrongType(const JsonValue& v, const char* expected) {
  return Status::Serialization(std::string(JsonKindName(v)) + " can not be converted to " + expected);
}

// The name's length is known (a literal's, at compile time): RapidJSON's
// FindMember(const char*) measures it with a strlen loop first, which was
// ~900 of a GetItem's ~37,700 instructions and ~1,450 of a PutItem's ~71,400
// over their dozen lookups (callgrind, bench/instructions.py).
const JsonValue* Member(const JsonValue& obj, std::string_view field) {
  const JsonValue name(rapidjson::StringRef(field.data(), field.size()));
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

}  // namespace

Result<std::optional<std::string>> GetString(const JsonValue& obj, std::string_view field) {
  const JsonValue* v = Member(obj, field);
  if (!v) return std::optional<std::string>();
  if (!v->IsString()) return WrongType(*v, "String");
  return std::optional<std::string>(std::string(v->GetString(), v->GetStringLength()));
}

Result<std::optional<int64_t>> GetInteger(const JsonValue& obj, std::string_view field) {
  const JsonValue* v = Member(obj, field);
  if (!v) return std::optional<int64_t>();
  if (v->IsInt64()) return std::optional<int64_t>(v->GetInt64());
  if (v->IsNumber()) {
    return Status::Serialization("NUMBER_VALUE can not be converted to Long: value out of range");
  }
  return WrongType(*v, "Long");
}

Result<std::optional<bool>> GetBool(const JsonValue& obj, std::string_view field) {
  const JsonValue* v = Member(obj, field);
  if (!v) return std::optional<bool>();
  if (!v->IsBool()) return WrongType(*v, "Boolean");
  return std::optional<bool>(v->GetBool());
}

Result<const JsonValue*> GetObject(const JsonValue& obj, std::string_view field) {
  const JsonValue* v = Member(obj, field);
  if (v && !v->IsObject()) return WrongType(*v, "Structure");
  return v;
}

Result<const JsonValue*> GetArray(const JsonValue& obj, std::string_view field) {
  const JsonValue* v = Member(obj, field);
  if (v && !v->IsArray()) return WrongType(*v, "List");
  return v;
}

void ConstraintErrors::Add(std::string value_repr, std::string_view path, std::string_view constraint) {
  findings_.push_back("Value " + value_repr + " at '" + std::string(path) +
                      "' failed to satisfy constraint: " + std::string(constraint));
}

Status ConstraintErrors::ToStatus() const {
  if (findings_.empty()) return Status::Ok();
  std::string msg = std::to_string(findings_.size()) +
                    (findings_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < findings_.size(); ++i) {
    if (i) msg += "; ";
    msg += findings_[i];
  }
  return Status::Validation(msg);
}

Result<std::string> ReadTableName(const JsonValue& req) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto name, GetString(req, "TableName"));
  CheckTableName(name, "tableName", &errors);
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  return *name;
}

Status RequireTableName(const JsonValue& req) {
  auto it = req.FindMember("TableName");
  if (it != req.MemberEnd() && !it->value.IsNull()) return Status::Ok();
  return Status::Validation("The parameter 'TableName' is required but was not present in the request");
}

Result<std::optional<std::string>> GetEnum(const JsonValue& obj, std::string_view field, std::string_view path,
                                           std::initializer_list<std::string_view> allowed,
                                           std::string_view enum_set, ConstraintErrors* errors) {
  BASALT_ASSIGN_OR_RETURN(auto v, GetString(obj, field));
  if (!v) return v;
  for (std::string_view a : allowed) {
    if (*v == a) return v;
  }
  errors->Add("'" + *v + "'", path, "Member must satisfy enum value set: " + std::string(enum_set));
  return std::optional<std::string>();
}

void CheckTableName(const std::optional<std::string>& name, std::string_view path, ConstraintErrors* errors) {
  if (!name) {
    errors->AddNull(path);
    return;
  }
  std::string repr = "'" + *name + "'";
  bool pattern_ok = !name->empty();
  for (char c : *name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) pattern_ok = false;
  }
  if (!pattern_ok) errors->Add(repr, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  if (name->size() < model::kMinTableNameLength) {
    errors->Add(repr, path, "Member must have length greater than or equal to 3");
  }
  if (name->size() > model::kMaxTableNameLength) {
    errors->Add(repr, path, "Member must have length less than or equal to 255");
  }
}

namespace {

std::string_view Str(const JsonValue& v) { return {v.GetString(), v.GetStringLength()}; }

Status Invalid(std::string m) {
  return Status::Validation("One or more parameter values were invalid: " + std::move(m));
}

Result<std::string> DecodeBinary(const JsonValue& v) {
  if (!v.IsString()) return WrongType(v, "Blob");
  std::string bytes;
  if (!Base64Decode(Str(v), &bytes)) {
    return Status::Serialization("Base64 encoded value is not valid base64: " + std::string(Str(v)));
  }
  return bytes;
}

Result<model::Number> DecodeNumber(const JsonValue& v) {
  if (!v.IsString()) return WrongType(v, "String");
  return model::Number::Parse(Str(v));
}

std::string JoinForMessage(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s + "]";
}

}  // namespace

Result<model::AttributeValue> DecodeAttributeValue(const JsonValue& v, int depth) {
  using model::AttributeValue;
  if (!v.IsObject()) return WrongType(v, "AttributeValue");
  if (depth > model::kMaxNestingDepth) {
    return Status::Validation(
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond "
        "supported limit");
  }
  const JsonValue* value = nullptr;
  std::string_view type;
  int set = 0;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string_view name = Str(it->name);
    static const std::set<std::string_view> kTypes = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"};
    if (!kTypes.count(name) || it->value.IsNull()) continue;
    ++set;
    value = &it->value;
    type = name;
  }
  if (set == 0) {
    return Status::Validation(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  if (set > 1) {
    return Status::Validation(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
        "datatypes");
  }
  const JsonValue& x = *value;
  if (type == "S") {
    if (!x.IsString()) return WrongType(x, "String");
    return AttributeValue::S(std::string(Str(x)));
  }
  if (type == "N") {
    BASALT_ASSIGN_OR_RETURN(model::Number n, DecodeNumber(x));
    return AttributeValue::N(std::move(n));
  }
  if (type == "B") {
    BASALT_ASSIGN_OR_RETURN(std::string b, DecodeBinary(x));
    return AttributeValue::B(std::move(b));
  }
  if (type == "BOOL") {
    if (!x.IsBool()) return WrongType(x, "Boolean");
    return AttributeValue::Bool(x.GetBool());
  }
  if (type == "NULL") {
    if (!x.IsBool()) return WrongType(x, "Boolean");
    if (!x.GetBool()) return Invalid("Null attribute value types must have the value of true");
    return AttributeValue::Null();
  }
  if (type == "SS" || type == "BS") {
    if (!x.IsArray()) return WrongType(x, "List");
    bool binary = type == "BS";
    if (x.Empty()) return Invalid(binary ? "Binary sets should not be empty" : "An string set  may not be empty");
    std::vector<std::string> members;
    std::set<std::string> seen;
    bool dup = false;
    for (const auto& e : x.GetArray()) {
      std::string m;
      if (binary) {
        BASALT_ASSIGN_OR_RETURN(m, DecodeBinary(e));
      } else {
        if (!e.IsString()) return WrongType(e, "String");
        m.assign(Str(e));
      }
      if (!seen.insert(m).second) dup = true;
      members.push_back(std::move(m));
    }
    if (dup) {
      if (binary) return Invalid("Input collection of type BS contains duplicates.");
      return Invalid("Input collection " + JoinForMessage(members) + " contains duplicates");
    }
    return binary ? AttributeValue::BS(std::move(members)) : AttributeValue::SS(std::move(members));
  }
  if (type == "NS") {
    if (!x.IsArray()) return WrongType(x, "List");
    if (x.Empty()) return Invalid("An number set  may not be empty");
    std::vector<model::Number> members;
    for (const auto& e : x.GetArray()) {
      BASALT_ASSIGN_OR_RETURN(model::Number n, DecodeNumber(e));
      members.push_back(std::move(n));
    }
    // Numbers compare numerically: 1 and 1.0 are the same member.
    std::vector<model::Number> sorted = members;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 1; i < sorted.size(); ++i) {
      if (sorted[i] == sorted[i - 1]) return Status::Validation("Input collection contains duplicates");
    }
    return AttributeValue::NS(std::move(members));
  }
  if (type == "L") {
    if (!x.IsArray()) return WrongType(x, "List");
    model::AttributeList list;
    list.reserve(x.Size());
    for (const auto& e : x.GetArray()) {
      BASALT_ASSIGN_OR_RETURN(AttributeValue av, DecodeAttributeValue(e, depth + 1));
      list.push_back(std::move(av));
    }
    return AttributeValue::L(std::move(list));
  }
  // M
  if (!x.IsObject()) return WrongType(x, "Map");
  model::AttributeMap map;
  for (auto it = x.MemberBegin(); it != x.MemberEnd(); ++it) {
    BASALT_ASSIGN_OR_RETURN(AttributeValue av, DecodeAttributeValue(it->value, depth + 1));
    map.insert_or_assign(std::string(Str(it->name)), std::move(av));
  }
  return AttributeValue::M(std::move(map));
}

Result<model::Item> DecodeItem(const JsonValue& v) {
  if (!v.IsObject()) return WrongType(v, "Map");
  model::Item item;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    if (it->name.GetStringLength() == 0) return Status::Validation("Empty attribute name");
    BASALT_ASSIGN_OR_RETURN(model::AttributeValue av, DecodeAttributeValue(it->value));
    item.insert_or_assign(std::string(Str(it->name)), std::move(av));
  }
  return item;
}

void WriteKey(JsonWriter& w, std::string_view s) { w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void WriteAttributeValue(JsonWriter& w, const model::AttributeValue& v) {
  using model::Type;
  w.StartObject();
  WriteKey(w, model::TypeName(v.type()));
  switch (v.type()) {
    case Type::kS: WriteString(w, v.str()); break;
    case Type::kB: WriteString(w, Base64Encode(v.str())); break;
    case Type::kN: WriteString(w, v.num().ToString()); break;
    case Type::kBool: w.Bool(v.boolean()); break;
    case Type::kNull: w.Bool(true); break;
    case Type::kSS:
      w.StartArray();
      for (const auto& s : v.strs()) WriteString(w, s);
      w.EndArray();
      break;
    case Type::kBS:
      w.StartArray();
      for (const auto& s : v.strs()) WriteString(w, Base64Encode(s));
      w.EndArray();
      break;
    case Type::kNS:
      w.StartArray();
      for (const auto& n : v.nums()) WriteString(w, n.ToString());
      w.EndArray();
      break;
    case Type::kL:
      w.StartArray();
      for (const auto& e : v.list()) WriteAttributeValue(w, e);
      w.EndArray();
      break;
    case Type::kM: WriteItem(w, v.map()); break;
  }
  w.EndObject();
}

void WriteItem(JsonWriter& w, const model::Item& item) {
  w.StartObject();
  for (const auto& [name, v] : item) {
    WriteKey(w, name);
    WriteAttributeValue(w, v);
  }
  w.EndObject();
}

// ASCII, 16 bytes per SSE2 step (a request body is nearly all ASCII), and
// each other sequence by its lead byte's ranges. RapidJSON's own check runs
// a call and a table lookup per byte of every string: ~4,200 instructions
// of a ~300-byte PutItem, against ~150 here.
bool IsUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
#if defined(__SSE2__)
    while (end - p >= 16) {
      const int high = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
      if (high != 0) {
        p += __builtin_ctz(high);
        break;
      }
      p += 16;
    }
    if (p == end) break;
#endif
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    // The lead byte gives the length and the range of the second byte;
    // the bytes after the second are 0x80-0xBF.
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong below
      if (c == 0xED) hi = 0x9F;  // surrogates above
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;  // overlong below
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;  // a continuation byte, C0, C1 or F5-FF
    }
    if (end - p < static_cast<ptrdiff_t>(n) || p[1] < lo || p[1] > hi) return false;
    for (size_t i = 2; i < n; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += n;
  }
  return true;
}

size_t NestingBound(std::string_view s) {
  size_t n = 0, i = 0;
#if defined(__SSE2__)
  const __m128i brace = _mm_set1_epi8('{');
  const __m128i bracket = _mm_set1_epi8('[');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    n += static_cast<size_t>(
        __builtin_popcount(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, brace), _mm_cmpeq_epi8(x, bracket)))));
  }
#endif
  for (; i < s.size(); ++i) n += s[i] == '{' || s[i] == '[';
  return n;
}

namespace {

// How many bytes at the start of `s` a JSON string takes as they are (none
// of '"', '\\' or a byte below 0x20). SSE2 (part of x86-64) checks 16 bytes
// per step: an 80-byte string costs ~50 instructions instead of ~1,000 one
// byte at a time.
size_t PlainPrefix(std::string_view s) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control = _mm_set1_epi8(0x1F);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // max(x, 0x1F) == 0x1F exactly where x <= 0x1F, unsigned.
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                     _mm_cmpeq_epi8(_mm_max_epu8(x, control), control));
    if (const int mask = _mm_movemask_epi8(hit)) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return i;
}

// A JSON string as RapidJSON's Writer escapes it without its SSE2 scan (see
// src/CMakeLists.txt): quote and backslash escaped, \b \t \n \f \r, other
// bytes below 0x20 as \u00XX, everything else (UTF-8 included) as it is.
// Then `suffix`, unless it is 0. Written straight into the response's
// buffer: a string with nothing to escape (nearly all) is one Push of its
// bytes and a memcpy.
void AppendJsonString(rapidjson::StringBuffer* out, std::string_view s, char suffix = 0) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  size_t plain = PlainPrefix(s);
  if (plain == s.size()) {
    char* p = out->Push(s.size() + 2 + (suffix ? 1 : 0));
    *p++ = '"';
    std::memcpy(p, s.data(), s.size());
    p += s.size();
    *p++ = '"';
    if (suffix) *p = suffix;
    return;
  }
  out->Put('"');
  for (;;) {
    std::memcpy(out->Push(plain), s.data(), plain);
    if (plain == s.size()) break;
    const auto c = static_cast<unsigned char>(s[plain]);
    s.remove_prefix(plain + 1);
    out->Put('\\');
    switch (c) {
      case '"': out->Put('"'); break;
      case '\\': out->Put('\\'); break;
      case '\b': out->Put('b'); break;
      case '\t': out->Put('t'); break;
      case '\n': out->Put('n'); break;
      case '\f': out->Put('f'); break;
      case '\r': out->Put('r'); break;
      default: {
        char* p = out->Push(5);
        std::memcpy(p, "u00", 3);
        p[3] = kHex[c >> 4];
        p[4] = kHex[c & 0xF];
      }
    }
    plain = PlainPrefix(s);
  }
  out->Put('"');
  if (suffix) out->Put(suffix);
}

void Append(rapidjson::StringBuffer* out, std::string_view s) { std::memcpy(out->Push(s.size()), s.data(), s.size()); }

// The codec's visitor writing DynamoDB JSON text: each value an object of
// its type name, an M's entries and the item's own attributes as members,
// straight into the response's buffer. (It wrote into a string that was then
// copied into the response, through std::string appends that are calls and
// a resize that zero-fills: ~1,100 more instructions per item of the Query
// bench.) What reading from the stored bytes saves is decoding the item (see
// db/read_path.cc, AddStored).
class JsonTextWriter : public model::ItemVisitor {
 public:
  explicit JsonTextWriter(rapidjson::StringBuffer* out) : out_(out) {}

  void Name(std::string_view name) override {
    Separate();
    AppendJsonString(out_, name, ':');
    first_ = true;  // the value that follows takes no comma
  }
  void BeginMap(size_t) override {
    Separate();
    Append(out_, "{\"M\":{");
    first_ = true;
  }
  void EndMap() override {
    Append(out_, "}}");
    first_ = false;
  }
  void BeginList(model::Type type, size_t) override {
    Separate();
    in_set_ = type != model::Type::kL;  // sets hold scalars only, so they never nest
    Append(out_, "{\"");
    Append(out_, model::TypeName(type));
    Append(out_, "\":[");
    first_ = true;
  }
  void EndList() override {
    in_set_ = false;
    Append(out_, "]}");
    first_ = false;
  }
  void Bytes(model::Type type, std::string_view s) override {
    Open(type == model::Type::kS ? std::string_view("{\"S\":") : std::string_view("{\"B\":"));
    if (type == model::Type::kS) {
      AppendJsonString(out_, s, Closing());
    } else {
      AppendJsonString(out_, Base64Encode(s), Closing());
    }
  }
  void Num(const model::Number& n) override {
    Open("{\"N\":");
    AppendJsonString(out_, n.ToString(), Closing());
  }
  void Bool(bool b) override {
    Open("{\"BOOL\":");
    Append(out_, b ? "true" : "false");
    Close();
  }
  void Null() override {
    Open("{\"NULL\":");
    Append(out_, "true");
    Close();
  }

 private:
  // A comma before every member or element but the first of its container.
  void Separate() {
    if (!first_) out_->Put(',');
    first_ = false;
  }
  // A scalar is {"T":value}, except as a set's member.
  void Open(std::string_view head) {
    Separate();
    if (!in_set_) Append(out_, head);
  }
  void Close() {
    if (!in_set_) out_->Put('}');
  }
  char Closing() const { return in_set_ ? 0 : '}'; }  // Close, as AppendJsonString's suffix

  rapidjson::StringBuffer* out_;
  bool in_set_ = false;
  bool first_ = true;
};

}  // namespace

void WriteString(JsonWriter& w, std::string_view s) {
  // Escaped here, 16 bytes per step, rather than by the Writer one byte at a
  // time (its SSE2 scan is off, src/CMakeLists.txt says why).
  w.Direct(rapidjson::kStringType, [&](rapidjson::StringBuffer& out) { AppendJsonString(&out, s); });
}

Status WriteStoredItem(JsonWriter& w, std::string_view stored) {
  Status st;
  w.Direct(rapidjson::kObjectType, [&](rapidjson::StringBuffer& out) {
    out.Put('{');
    JsonTextWriter writer(&out);
    st = model::VisitItem(stored, writer);
    out.Put('}');
  });
  return st;
}

}  // namespace basalt::api
