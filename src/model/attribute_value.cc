#include "model/attribute_value.h"

#include <algorithm>

namespace basalt::model {

const char* LongTypeName(Type t) {
  switch (t) {
    case Type::kS: return "STRING";
    case Type::kN: return "NUMBER";
    case Type::kB: return "BINARY";
    case Type::kBool: return "BOOLEAN";
    case Type::kNull: return "NULL";
    case Type::kSS: return "STRING_SET";
    case Type::kNS: return "NUMBER_SET";
    case Type::kBS: return "BINARY_SET";
    case Type::kL: return "LIST";
    case Type::kM: return "MAP";
  }
  return "";
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kS: return "S";
    case Type::kN: return "N";
    case Type::kB: return "B";
    case Type::kBool: return "BOOL";
    case Type::kNull: return "NULL";
    case Type::kSS: return "SS";
    case Type::kNS: return "NS";
    case Type::kBS: return "BS";
    case Type::kL: return "L";
    case Type::kM: return "M";
  }
  return "?";
}

namespace {

template <typename T, typename Eq>
bool SameMembers(const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
  if (a.size() != b.size()) return false;
  // Sets are small and have no duplicates: a quadratic check keeps this simple.
  for (const T& x : a) {
    if (std::none_of(b.begin(), b.end(), [&](const T& y) { return eq(x, y); })) return false;
  }
  return true;
}

}  // namespace

bool AttributeValue::operator==(const AttributeValue& o) const {
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::kS:
    case Type::kB: return str() == o.str();
    case Type::kN: return num() == o.num();
    case Type::kBool: return boolean() == o.boolean();
    case Type::kNull: return true;
    case Type::kSS:
    case Type::kBS:
      return SameMembers(strs(), o.strs(), [](const auto& x, const auto& y) { return x == y; });
    case Type::kNS:
      return SameMembers(nums(), o.nums(), [](const auto& x, const auto& y) { return x == y; });
    case Type::kL: return list() == o.list();
    case Type::kM: return map() == o.map();
  }
  return false;
}

int CompareScalars(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() == Type::kN) return a.num().Compare(b.num());
  return a.str().compare(b.str());
}

namespace {

void Render(const AttributeValue& v, std::string* out);

void RenderMap(const AttributeMap& m, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out->append(", ");
    first = false;
    out->append(k).append(": ");
    Render(v, out);
  }
  out->push_back('}');
}

void Render(const AttributeValue& v, std::string* out) {
  out->append(TypeName(v.type()));
  switch (v.type()) {
    case Type::kS: out->append("\"").append(v.str()).append("\""); break;
    case Type::kB: out->append("(").append(std::to_string(v.str().size())).append(" bytes)"); break;
    case Type::kN: out->append(v.num().ToString()); break;
    case Type::kBool: out->append(v.boolean() ? "true" : "false"); break;
    case Type::kNull: break;
    case Type::kSS:
    case Type::kBS: {
      out->push_back('[');
      for (size_t i = 0; i < v.strs().size(); ++i) {
        if (i) out->append(", ");
        out->append(v.strs()[i]);
      }
      out->push_back(']');
      break;
    }
    case Type::kNS: {
      out->push_back('[');
      for (size_t i = 0; i < v.nums().size(); ++i) {
        if (i) out->append(", ");
        out->append(v.nums()[i].ToString());
      }
      out->push_back(']');
      break;
    }
    case Type::kL: {
      out->push_back('[');
      for (size_t i = 0; i < v.list().size(); ++i) {
        if (i) out->append(", ");
        Render(v.list()[i], out);
      }
      out->push_back(']');
      break;
    }
    case Type::kM: RenderMap(v.map(), out); break;
  }
}

}  // namespace

std::string DebugString(const AttributeValue& v) {
  std::string out;
  Render(v, &out);
  return out;
}

std::string DebugString(const Item& item) {
  std::string out;
  RenderMap(item, &out);
  return out;
}

}  // namespace basalt::model
