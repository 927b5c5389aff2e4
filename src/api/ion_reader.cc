#include "api/ion_reader.h"

#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/base64.h"

namespace basalt::api {
namespace {

using model::AttributeValue;

// A recursive-descent reader over the text; `pos_` moves as values are read.
class IonReader {
 public:
  explicit IonReader(std::string_view text) : in_(text) {}

  // Skips whitespace, comments and version markers; false at the end.
  bool MoreValues() {
    while (true) {
      SkipSpace();
      if (in_.substr(pos_).starts_with("$ion_1_0")) {
        pos_ += 8;
        continue;
      }
      return pos_ < in_.size();
    }
  }

  Result<AttributeValue> Value(int depth = 0) {
    if (depth > 64) return Error("nesting deeper than 64 levels");
    SkipSpace();
    std::vector<std::string> annotations;
    while (true) {
      size_t save = pos_;
      auto symbol = Symbol();
      if (!symbol) break;
      SkipSpace();
      if (!in_.substr(pos_).starts_with("::")) {
        pos_ = save;
        break;
      }
      pos_ += 2;
      SkipSpace();
      annotations.push_back(*symbol);
    }
    if (pos_ >= in_.size()) return Error("a value was expected");
    char c = in_[pos_];
    if (in_.substr(pos_).starts_with("{{")) return Blob();
    if (c == '{') return Struct(depth);
    if (c == '[') {
      BASALT_ASSIGN_OR_RETURN(model::AttributeList list, List(depth));
      if (annotations.empty()) return AttributeValue::L(std::move(list));
      return Set(annotations.back(), std::move(list));
    }
    if (c == '"' || in_.substr(pos_).starts_with("'''")) {
      BASALT_ASSIGN_OR_RETURN(std::string s, String());
      return AttributeValue::S(std::move(s));
    }
    if (c == '-' || c == '+' || std::isdigit(static_cast<unsigned char>(c))) return Number();
    auto symbol = Symbol();
    if (!symbol) return Error("unexpected character");
    if (*symbol == "true" || *symbol == "false") return AttributeValue::Bool(*symbol == "true");
    if (*symbol == "null") {
      if (pos_ < in_.size() && in_[pos_] == '.') {  // a typed null: null.string, null.struct, ...
        ++pos_;
        if (!Symbol()) return Error("a type was expected after null.");
      }
      return AttributeValue::Null();
    }
    return AttributeValue::S(std::move(*symbol));
  }

  Status Error(const std::string& what) const {
    return Status::Validation("Ion text at offset " + std::to_string(pos_) + ": " + what);
  }

 private:
  void SkipSpace() {
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (in_.substr(pos_).starts_with("//")) {
        size_t end = in_.find('\n', pos_);
        pos_ = end == std::string_view::npos ? in_.size() : end + 1;
      } else if (in_.substr(pos_).starts_with("/*")) {
        size_t end = in_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? in_.size() : end + 2;
      } else {
        return;
      }
    }
  }

  // An identifier or a quoted symbol; nullopt (nothing read) otherwise.
  std::optional<std::string> Symbol() {
    if (pos_ >= in_.size()) return std::nullopt;
    char c = in_[pos_];
    if (c == '\'' && !in_.substr(pos_).starts_with("'''")) {
      auto s = Quoted('\'');
      if (!s.ok()) return std::nullopt;
      return *s;
    }
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$')) return std::nullopt;
    size_t start = pos_;
    while (pos_ < in_.size() &&
           (std::isalnum(static_cast<unsigned char>(in_[pos_])) || in_[pos_] == '_' || in_[pos_] == '$')) {
      ++pos_;
    }
    return std::string(in_.substr(start, pos_ - start));
  }

  static void AppendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // The text between `quote`s at pos_ (one character, or ''' when `triple`), escapes resolved.
  Result<std::string> Quoted(char quote, bool triple = false) {
    pos_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (pos_ >= in_.size()) return Error("an unterminated string");
      char c = in_[pos_];
      if (triple ? in_.substr(pos_).starts_with("'''") : c == quote) {
        pos_ += triple ? 3 : 1;
        return out;
      }
      if (!triple && (c == '\n' || c == '\r')) return Error("a new line inside a quoted string");
      ++pos_;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= in_.size()) return Error("an unterminated escape");
      char e = in_[pos_++];
      int hex_digits = 0;
      switch (e) {
        case '"': case '\'': case '\\': case '/': case '?': out.push_back(e); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case '0': out.push_back('\0'); break;
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'v': out.push_back('\v'); break;
        case '\n': break;  // a line continuation
        case 'x': hex_digits = 2; break;
        case 'u': hex_digits = 4; break;
        case 'U': hex_digits = 8; break;
        default: return Error(std::string("an unknown escape \\") + e);
      }
      if (hex_digits == 0) continue;
      if (pos_ + hex_digits > in_.size()) return Error("a short hex escape");
      uint32_t cp = 0;
      for (int i = 0; i < hex_digits; ++i) {
        char h = in_[pos_++];
        if (!std::isxdigit(static_cast<unsigned char>(h))) return Error("a bad hex escape");
        cp = cp * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0'
                                                                                       : std::tolower(h) - 'a' + 10);
      }
      if (cp > 0x10FFFF) return Error("a code point out of range");
      AppendUtf8(&out, cp);
    }
  }

  // A "string", or adjacent '''long strings''' (concatenated).
  Result<std::string> String() {
    if (in_[pos_] == '"') return Quoted('"');
    std::string out;
    while (in_.substr(pos_).starts_with("'''")) {
      BASALT_ASSIGN_OR_RETURN(std::string part, Quoted('\'', true));
      out += part;
      size_t save = pos_;
      SkipSpace();
      if (!in_.substr(pos_).starts_with("'''")) pos_ = save;
    }
    return out;
  }

  Result<AttributeValue> Blob() {
    size_t end = in_.find("}}", pos_ + 2);
    if (end == std::string_view::npos) return Error("an unterminated blob");
    std::string text;
    for (char c : in_.substr(pos_ + 2, end - pos_ - 2)) {
      if (!std::isspace(static_cast<unsigned char>(c))) text.push_back(c);
    }
    std::string bytes;
    if (!Base64Decode(text, &bytes)) return Error("a blob that is not base64");
    pos_ = end + 2;
    return AttributeValue::B(std::move(bytes));
  }

  // An Ion int in hex (`0x1F`) or binary (`0b101`), in decimal; nullopt for
  // any other text (a digit of the wrong radix is left for the number parser
  // to refuse).
  static std::optional<std::string> RadixInt(std::string_view text) {
    bool negative = text.starts_with('-');
    if (negative) text.remove_prefix(1);
    if (text.size() < 3 || text[0] != '0') return std::nullopt;
    int radix = text[1] == 'x' || text[1] == 'X' ? 16 : text[1] == 'b' || text[1] == 'B' ? 2 : 0;
    if (radix == 0) return std::nullopt;
    std::string digits = "0";  // decimal, least significant digit first
    for (char c : text.substr(2)) {
      int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
              : std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10 : radix;
      if (d >= radix) return std::nullopt;
      for (char& digit : digits) {  // digits = digits * radix + d
        d += (digit - '0') * radix;
        digit = static_cast<char>('0' + d % 10);
        d /= 10;
      }
      for (; d > 0; d /= 10) digits.push_back(static_cast<char>('0' + d % 10));
    }
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    if (negative && digits != "0") digits.push_back('-');
    return std::string(digits.rbegin(), digits.rend());
  }

  Result<AttributeValue> Number() {
    size_t start = pos_;
    std::string text;
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == '_') {
        ++pos_;
        if (c == '_') continue;  // a digit separator
        text.push_back(c == 'd' || c == 'D' ? 'e' : c);
      } else {
        break;
      }
    }
    if (!text.empty() && text.back() == '.') text.pop_back();  // `103.` is the decimal 103
    if (auto decimal = RadixInt(text)) text = std::move(*decimal);
    auto n = model::Number::Parse(text);
    if (!n.ok()) {
      pos_ = start;
      return Error("a number DynamoDB cannot hold: " + std::string(in_.substr(start, text.size())));
    }
    return AttributeValue::N(std::move(*n));
  }

  Result<AttributeValue> Struct(int depth) {
    ++pos_;
    model::AttributeMap map;
    while (true) {
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == '}') {
        ++pos_;
        return AttributeValue::M(std::move(map));
      }
      std::optional<std::string> name;
      if (pos_ < in_.size() && (in_[pos_] == '"' || in_.substr(pos_).starts_with("'''"))) {
        BASALT_ASSIGN_OR_RETURN(std::string s, String());
        name = std::move(s);
      } else {
        name = Symbol();
      }
      if (!name) return Error("a field name was expected");
      SkipSpace();
      if (pos_ >= in_.size() || in_[pos_] != ':') return Error("':' was expected after a field name");
      ++pos_;
      Result<AttributeValue> v = Value(depth + 1);
      if (!v.ok()) return std::move(v).take_status();
      if (!map.emplace(std::move(*name), std::move(*v)).second) return Error("a field given twice");
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
      } else if (pos_ >= in_.size() || in_[pos_] != '}') {
        return Error("',' or '}' was expected");
      }
    }
  }

  Result<model::AttributeList> List(int depth) {
    ++pos_;
    model::AttributeList list;
    while (true) {
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ']') {
        ++pos_;
        return list;
      }
      Result<AttributeValue> v = Value(depth + 1);
      if (!v.ok()) return std::move(v).take_status();
      list.push_back(std::move(*v));
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
      } else if (pos_ >= in_.size() || in_[pos_] != ']') {
        return Error("',' or ']' was expected");
      }
    }
  }

  // A list annotated as one of DynamoDB's sets: its members typed and
  // distinct. A set that is not valid is noted (its top-level value is then
  // an error) and read on as a list, so that the next value is found.
  Result<AttributeValue> Set(const std::string& annotation, model::AttributeList list) {
    auto invalid = [&](const std::string& why) {
      if (!invalid_) invalid_ = Status::Validation(why);
      return AttributeValue::L(std::move(list));
    };
    model::Type member = annotation == "$dynamodb_SS"   ? model::Type::kS
                         : annotation == "$dynamodb_NS" ? model::Type::kN
                         : annotation == "$dynamodb_BS" ? model::Type::kB
                                                        : model::Type::kNull;
    if (member == model::Type::kNull) return AttributeValue::L(std::move(list));
    if (list.empty()) return invalid("An " + annotation.substr(10) + " set may not be empty");
    std::set<std::string> seen;
    std::vector<std::string> strs;
    std::vector<model::Number> nums;
    for (AttributeValue& v : list) {
      if (v.type() != member) return invalid("A member of " + annotation + " has another type");
      std::string key = member == model::Type::kN ? v.num().ToString() : v.str();
      if (!seen.insert(key).second) return invalid("Input collection contains duplicates");
      if (member == model::Type::kN) {
        nums.push_back(v.num());
      } else {
        strs.push_back(v.str());
      }
    }
    if (member == model::Type::kS) return AttributeValue::SS(std::move(strs));
    if (member == model::Type::kB) return AttributeValue::BS(std::move(strs));
    return AttributeValue::NS(std::move(nums));
  }

  std::string_view in_;
  size_t pos_ = 0;

 public:
  std::optional<Status> invalid_;  // the first invalid set of the value being read
};

}  // namespace

Status ReadIonItems(std::string_view text, const std::function<Status(Result<model::Item>)>& visit) {
  IonReader reader(text);
  while (reader.MoreValues()) {
    reader.invalid_.reset();
    Result<AttributeValue> v = reader.Value();
    if (!v.ok()) {
      BASALT_RETURN_IF_ERROR(visit(v.status()));
      return Status::Ok();  // a syntax error: no way to find the next value
    }
    if (reader.invalid_) {
      BASALT_RETURN_IF_ERROR(visit(*reader.invalid_));
      continue;
    }
    if (v->type() != model::Type::kM) {
      BASALT_RETURN_IF_ERROR(visit(Status::Validation("A top-level value is not a struct")));
      continue;
    }
    const model::AttributeMap& top = v->map();
    auto item = top.find("Item");
    if (item == top.end() || item->second.type() != model::Type::kM) {
      BASALT_RETURN_IF_ERROR(visit(Status::Validation("The value has no Item struct")));
      continue;
    }
    BASALT_RETURN_IF_ERROR(visit(model::Item(item->second.map())));
  }
  return Status::Ok();
}

}  // namespace basalt::api
