#include "partiql/literals.h"

#include <algorithm>
#include <string>

#include "model/number.h"
#include "partiql/errors.h"

namespace basalt::partiql {
namespace {

using ast::Expr;
using model::AttributeValue;
using model::Type;

// How DynamoDB Local names a value it cannot store, at the top of a value
// (`top`) and below it.
std::string KindName(const Expr& e, bool top) {
  switch (e.kind) {
    case Expr::Kind::kPath:
      return top ? e.text : "VariableReference";
    case Expr::Kind::kMissing:
      return top ? "MISSING" : "LiteralMissing";
    case Expr::Kind::kParameter:
      return "Parameter";
    case Expr::Kind::kTypedLiteral:
      return "UNKNOWN";
    case Expr::Kind::kCall:
    case Expr::Kind::kUnary:
    case Expr::Kind::kBinary:
      if (!top) return "NAry";
      return e.kind == Expr::Kind::kBinary && e.text == "LIKE" ? "like" : e.text;
    default:
      return top ? "NAry" : "NAry";
  }
}

// The type DynamoDB Local names for a map key that is not a string.
std::string KeyTypeName(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kNumber:
      return e.text.find_first_of(".eE") == std::string::npos ? "INT" : "DECIMAL";
    case Expr::Kind::kBool:
      return "BOOL";
    case Expr::Kind::kNull:
      return "NULL";
    case Expr::Kind::kPath:
      return "VariableReference";
    case Expr::Kind::kParameter:
      return "Parameter";
    case Expr::Kind::kMissing:
      return "LiteralMissing";
    case Expr::Kind::kList:
      return "Seq";
    case Expr::Kind::kBag:
      return "Seq";
    case Expr::Kind::kStruct:
      return "Struct";
    default:
      return "NAry";
  }
}

Status Unsupported(const Expr& e, const std::string& where, bool top) {
  return UnsupportedAt("Unsupported data type: " + KindName(e, top) + " under key " + where, e.loc);
}

class Converter {
 public:
  explicit Converter(const std::vector<AttributeValue>& params) : params_(params) {}

  Result<AttributeValue> Convert(const Expr& e, const std::string& where, bool top, bool item_root) {
    switch (e.kind) {
      case Expr::Kind::kString:
        return AttributeValue::S(e.text);
      case Expr::Kind::kNumber:
        return NumberValue(e, where);
      case Expr::Kind::kBool:
        return AttributeValue::Bool(e.boolean);
      case Expr::Kind::kNull:
        return AttributeValue::Null();
      case Expr::Kind::kParameter:
        if (!top || e.ordinal >= params_.size()) return Unsupported(e, where, top);
        return params_[e.ordinal];
      case Expr::Kind::kList: {
        model::AttributeList list;
        for (size_t i = 0; i < e.children.size(); ++i) {
          BASALT_ASSIGN_OR_RETURN(AttributeValue v,
                                  Convert(e.children[i], where + "." + std::to_string(i), false, false));
          list.push_back(std::move(v));
        }
        return AttributeValue::L(std::move(list));
      }
      case Expr::Kind::kStruct:
        return Struct(e, where, item_root);
      case Expr::Kind::kBag:
        return Bag(e, where);
      default:
        return Unsupported(e, where, top);
    }
  }

 private:
  Result<AttributeValue> Struct(const Expr& e, const std::string& where, bool item_root) {
    model::AttributeMap map;
    for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
      const Expr& k = e.children[i];
      if (k.kind != Expr::Kind::kString) {
        return UnsupportedAt("Tuple keys must be of type String. Actual type: " + KeyTypeName(k) + " under " + where,
                             k.loc);
      }
      // DynamoDB Local: "Path component cannot be an empty string", no position.
      if (k.text.empty()) return Status::Validation("Path component cannot be an empty string");
      if (map.count(k.text)) {
        // DynamoDB Local points at the repeated key in an INSERT's item and at
        // the map itself below it.
        return UnsupportedAt("Duplicate keys in tuple. Key: " + k.text + " under " + where, item_root ? k.loc : e.loc);
      }
      const std::string child = item_root ? where : where + "." + k.text;
      BASALT_ASSIGN_OR_RETURN(AttributeValue v, Convert(e.children[i + 1], child, item_root, false));
      map.emplace(k.text, std::move(v));
    }
    return AttributeValue::M(std::move(map));
  }

  // <<...>>: a string set or a number set.
  Result<AttributeValue> Bag(const Expr& e, const std::string& where) {
    if (e.children.empty()) return UnsupportedAt("Empty bags are not supported", e.loc);
    constexpr char kBagTypes[] =
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags";
    std::vector<std::string> strs;
    std::vector<model::Number> nums;
    for (const Expr& c : e.children) {
      if (c.kind == Expr::Kind::kString) {
        strs.push_back(c.text);
      } else if (c.kind == Expr::Kind::kNumber) {
        BASALT_ASSIGN_OR_RETURN(AttributeValue n, NumberValue(c, where));
        nums.push_back(n.num());
      } else {
        return UnsupportedAt(kBagTypes, c.loc);
      }
    }
    // Mixed strings and numbers: DynamoDB Local gives no position.
    if (!strs.empty() && !nums.empty()) return Status::Validation(kBagTypes);
    const bool duplicates =
        strs.empty() ? std::any_of(nums.begin(), nums.end(),
                                   [&](const model::Number& n) { return std::count(nums.begin(), nums.end(), n) > 1; })
                     : std::any_of(strs.begin(), strs.end(),
                                   [&](const std::string& s) { return std::count(strs.begin(), strs.end(), s) > 1; });
    if (duplicates) return Status::Validation("Input collection contains duplicates");
    return strs.empty() ? AttributeValue::NS(std::move(nums)) : AttributeValue::SS(std::move(strs));
  }

  const std::vector<AttributeValue>& params_;
};

}  // namespace

bool IsValueExpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kString:
    case Expr::Kind::kNumber:
    case Expr::Kind::kBool:
    case Expr::Kind::kNull:
    case Expr::Kind::kParameter:
    case Expr::Kind::kList:
    case Expr::Kind::kStruct:
    case Expr::Kind::kBag:
      return true;
    default:
      return false;
  }
}

Result<AttributeValue> NumberValue(const Expr& e, const std::string& where) {
  const bool decimal = e.text.find_first_of(".eE") != std::string::npos;
  Result<model::Number> n = model::Number::Parse(e.text);
  if (!n.ok()) {
    // DynamoDB Local words the precision limit differently for literals.
    if (n.status().message().find("38 significant digits") != std::string::npos) {
      return Status::Validation("DynamoDB only supports precision up to 38 digits");
    }
    return std::move(n).take_status();
  }
  if (decimal && e.text[0] == '-' && n->is_zero()) {
    return UnsupportedAt("Negative zero decimal is not supported under key " + where, e.loc);
  }
  return AttributeValue::N(*n);
}

Result<AttributeValue> ConvertValue(const Expr& e, const std::vector<AttributeValue>& params, bool item_root) {
  return Converter(params).Convert(e, "root", true, item_root);
}

}  // namespace basalt::partiql
