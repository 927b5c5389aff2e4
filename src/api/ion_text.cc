#include "api/ion_text.h"

#include <cctype>
#include <cstdio>

#include "common/base64.h"

namespace basalt::api {
namespace {

void AppendString(std::string* out, const std::string& s, char quote) {
  out->push_back(quote);
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out->append(buf);
    } else {
      out->push_back(static_cast<char>(c));  // UTF-8 passes through
    }
  }
  out->push_back(quote);
}

void AppendFieldName(std::string* out, const std::string& name) {
  bool identifier = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) identifier &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  identifier &= name != "null" && name != "true" && name != "false" && name != "nan";
  if (identifier) {
    out->append(name);
  } else {
    AppendString(out, name, '\'');
  }
}

// An Ion decimal: the exponent marked d, and a point where the text has
// neither point nor exponent (else it would read as an integer).
void AppendDecimal(std::string* out, const model::Number& n) {
  std::string text = n.ToString();
  bool point = false, exponent = false;
  for (char& c : text) {
    if (c == '.') point = true;
    if (c == 'e' || c == 'E') {
      c = 'd';
      exponent = true;
    }
  }
  out->append(text);
  if (!point && !exponent) out->push_back('.');
}

void AppendValue(std::string* out, const model::AttributeValue& v) {
  using model::Type;
  switch (v.type()) {
    case Type::kS: AppendString(out, v.str(), '"'); return;
    case Type::kN: AppendDecimal(out, v.num()); return;
    case Type::kB: out->append("{{" + Base64Encode(v.str()) + "}}"); return;
    case Type::kBool: out->append(v.boolean() ? "true" : "false"); return;
    case Type::kNull: out->append("null"); return;
    case Type::kSS:
    case Type::kBS: {
      out->append(v.type() == Type::kSS ? "$dynamodb_SS::[" : "$dynamodb_BS::[");
      bool first = true;
      for (const std::string& s : v.strs()) {
        if (!first) out->push_back(',');
        first = false;
        if (v.type() == Type::kSS) {
          AppendString(out, s, '"');
        } else {
          out->append("{{" + Base64Encode(s) + "}}");
        }
      }
      out->push_back(']');
      return;
    }
    case Type::kNS: {
      out->append("$dynamodb_NS::[");
      bool first = true;
      for (const model::Number& n : v.nums()) {
        if (!first) out->push_back(',');
        first = false;
        AppendDecimal(out, n);
      }
      out->push_back(']');
      return;
    }
    case Type::kL: {
      out->push_back('[');
      bool first = true;
      for (const model::AttributeValue& e : v.list()) {
        if (!first) out->push_back(',');
        first = false;
        AppendValue(out, e);
      }
      out->push_back(']');
      return;
    }
    case Type::kM: {
      out->push_back('{');
      bool first = true;
      for (const auto& [name, e] : v.map()) {
        if (!first) out->push_back(',');
        first = false;
        AppendFieldName(out, name);
        out->push_back(':');
        AppendValue(out, e);
      }
      out->push_back('}');
      return;
    }
  }
}

void AppendStruct(std::string* out, const model::Item& item) {
  out->push_back('{');
  bool first = true;
  for (const auto& [name, v] : item) {
    if (!first) out->push_back(',');
    first = false;
    AppendFieldName(out, name);
    out->push_back(':');
    AppendValue(out, v);
  }
  out->push_back('}');
}

}  // namespace

std::string IonItemLine(const model::Item& item) {
  std::string out = "$ion_1_0 {Item:";
  AppendStruct(&out, item);
  out.push_back('}');
  return out;
}

std::string IonChangeLine(int64_t write_time_us, const model::Item& keys, const model::Item* old_image,
                          const model::Item* new_image) {
  std::string out = "$ion_1_0 {Metadata:{WriteTimestampMicros:" + std::to_string(write_time_us) + ".},Keys:";
  AppendStruct(&out, keys);
  if (old_image) {
    out.append(",OldImage:");
    AppendStruct(&out, *old_image);
  }
  if (new_image) {
    out.append(",NewImage:");
    AppendStruct(&out, *new_image);
  }
  out.push_back('}');
  return out;
}

}  // namespace basalt::api
