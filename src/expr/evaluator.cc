// Evaluation of conditions on an item: a pure function of the item.
#include <algorithm>
#include <optional>

#include "expr/expression.h"

namespace basalt::expr {
namespace {

using model::AttributeValue;
using model::Item;
using model::Type;


// DynamoDB Local measures a string in UTF-16 code units (Java's String.length()).
size_t Utf16Length(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    n += len == 4 ? 2 : 1;
    i += len;
  }
  return n;
}

std::optional<AttributeValue> Size(const AttributeValue& v) {
  size_t n = 0;
  switch (v.type()) {
    case Type::kS: n = Utf16Length(v.str()); break;
    case Type::kB: n = v.str().size(); break;
    case Type::kSS:
    case Type::kBS: n = v.strs().size(); break;
    case Type::kNS: n = v.nums().size(); break;
    case Type::kL: n = v.list().size(); break;
    case Type::kM: n = v.map().size(); break;
    default: return std::nullopt;
  }
  auto num = model::Number::Parse(std::to_string(n));
  return AttributeValue::N(num.ok() ? *num : model::Number());
}

std::optional<AttributeValue> Value(const Operand& o, const Item& item) {
  switch (o.kind) {
    case Operand::Kind::kPath: {
      const AttributeValue* v = FindPath(item, o.path);
      if (!v) return std::nullopt;
      return *v;
    }
    case Operand::Kind::kValue: return o.value;
    case Operand::Kind::kSize: {
      if (o.args.empty()) return std::nullopt;
      std::optional<AttributeValue> v = Value(o.args[0], item);
      if (!v) return std::nullopt;
      return Size(*v);
    }
    default: return std::nullopt;
  }
}

bool IsOrdered(Type t) { return t == Type::kN || t == Type::kS || t == Type::kB; }

// Negative, zero or positive; nullopt when the two cannot be ordered.
std::optional<int> Order(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() != b.type() || !IsOrdered(a.type())) return std::nullopt;
  if (a.type() == Type::kN) return a.num().Compare(b.num());
  int c = a.str().compare(b.str());
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool Contains(const AttributeValue& haystack, const AttributeValue& needle) {
  switch (haystack.type()) {
    case Type::kS:
      return needle.type() == Type::kS && haystack.str().find(needle.str()) != std::string::npos;
    case Type::kB:
      return needle.type() == Type::kB && haystack.str().find(needle.str()) != std::string::npos;
    case Type::kSS:
      return needle.type() == Type::kS &&
             std::find(haystack.strs().begin(), haystack.strs().end(), needle.str()) != haystack.strs().end();
    case Type::kBS:
      return needle.type() == Type::kB &&
             std::find(haystack.strs().begin(), haystack.strs().end(), needle.str()) != haystack.strs().end();
    case Type::kNS:
      return needle.type() == Type::kN &&
             std::find(haystack.nums().begin(), haystack.nums().end(), needle.num()) != haystack.nums().end();
    case Type::kL:
      return std::find(haystack.list().begin(), haystack.list().end(), needle) != haystack.list().end();
    default:
      return false;
  }
}

}  // namespace

Result<bool> Evaluate(const Condition& c, const Item& item) {
  switch (c.kind) {
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr: {
      const bool is_and = c.kind == Condition::Kind::kAnd;
      for (const Condition& ch : c.children) {
        BASALT_ASSIGN_OR_RETURN(bool v, Evaluate(ch, item));
        if (v != is_and) return !is_and;
      }
      return is_and;
    }
    case Condition::Kind::kNot: {
      BASALT_ASSIGN_OR_RETURN(bool v, Evaluate(c.children.at(0), item));
      return !v;
    }
    case Condition::Kind::kCompare: {
      auto a = Value(c.args[0], item);
      auto b = Value(c.args[1], item);
      const bool both = a && b;
      switch (c.op) {
        case Condition::Op::kEq: return both && *a == *b;
        case Condition::Op::kNe: return !(both && *a == *b);
        default: break;
      }
      if (!both) return false;
      std::optional<int> o = Order(*a, *b);
      if (!o) return false;
      switch (c.op) {
        case Condition::Op::kLt: return *o < 0;
        case Condition::Op::kLe: return *o <= 0;
        case Condition::Op::kGt: return *o > 0;
        default: return *o >= 0;
      }
    }
    case Condition::Kind::kBetween: {
      auto v = Value(c.args[0], item);
      auto lo = Value(c.args[1], item);
      auto hi = Value(c.args[2], item);
      if (!v || !lo || !hi) return false;
      auto a = Order(*lo, *v);
      auto b = Order(*v, *hi);
      return a && b && *a <= 0 && *b <= 0;
    }
    case Condition::Kind::kIn: {
      auto v = Value(c.args[0], item);
      if (!v) return false;
      for (size_t i = 1; i < c.args.size(); ++i) {
        auto o = Value(c.args[i], item);
        if (o && *o == *v) return true;
      }
      return false;
    }
    case Condition::Kind::kAttributeExists:
      return FindPath(item, c.args[0].path) != nullptr;
    case Condition::Kind::kAttributeNotExists:
      return FindPath(item, c.args[0].path) == nullptr;
    case Condition::Kind::kAttributeType: {
      const std::string& want = c.args[1].value.str();
      static const char* const kTypes[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"};
      if (std::find_if(std::begin(kTypes), std::end(kTypes), [&](const char* k) { return want == k; }) ==
          std::end(kTypes)) {
        return Status::Validation("Invalid ConditionExpression: Invalid attribute type name found; type: " + want +
                                  ", valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}");
      }
      auto v = Value(c.args[0], item);
      return v && want == model::TypeName(v->type());
    }
    case Condition::Kind::kBeginsWith: {
      auto v = Value(c.args[0], item);
      auto p = Value(c.args[1], item);
      if (!v || !p || v->type() != p->type() || (v->type() != Type::kS && v->type() != Type::kB)) return false;
      return v->str().starts_with(p->str());
    }
    case Condition::Kind::kContains: {
      auto v = Value(c.args[0], item);
      auto n = Value(c.args[1], item);
      return v && n && Contains(*v, *n);
    }
  }
  return false;
}

std::vector<std::string> TopLevelNames(const Condition& c) {
  std::vector<std::string> out;
  for (const Operand& o : c.args) {
    if (o.kind == Operand::Kind::kPath && !o.path.empty()) out.push_back(o.path[0].name);
  }
  for (const Condition& child : c.children) {
    for (auto& n : TopLevelNames(child)) out.push_back(std::move(n));
  }
  return out;
}

}  // namespace basalt::expr
