#include "api/legacy.h"

namespace basalt::api {
namespace {

using expr::Condition;
using expr::Operand;
using model::AttributeValue;
using model::Type;

Status Invalid(const std::string& m) { return Status::Validation("One or more parameter values were invalid: " + m); }

Operand PathOperand(const std::string& name) {
  Operand o;
  o.kind = Operand::Kind::kPath;
  o.path = expr::Path{expr::PathElement{name, 0, false}};
  return o;
}

Operand ValueOperand(AttributeValue v) {
  Operand o;
  o.kind = Operand::Kind::kValue;
  o.value = std::move(v);
  return o;
}

Condition Function(Condition::Kind kind, const std::string& name, std::vector<AttributeValue> values = {}) {
  Condition c;
  c.kind = kind;
  c.args.push_back(PathOperand(name));
  for (auto& v : values) c.args.push_back(ValueOperand(std::move(v)));
  return c;
}

Condition Compare(Condition::Op op, const std::string& name, AttributeValue v) {
  Condition c = Function(Condition::Kind::kCompare, name, {std::move(v)});
  c.op = op;
  return c;
}

Condition Combine(Condition::Kind kind, std::vector<Condition> children) {
  if (children.size() == 1) return std::move(children[0]);
  Condition c;
  c.kind = kind;
  c.children = std::move(children);
  return c;
}

bool IsScalar(Type t) { return t == Type::kS || t == Type::kN || t == Type::kB; }

struct OperatorRule {
  const char* name;
  int min_args;
  int max_args;
};

constexpr OperatorRule kOperators[] = {
    {"EQ", 1, 1}, {"NE", 1, 1},       {"LE", 1, 1},           {"LT", 1, 1},          {"GE", 1, 1},
    {"GT", 1, 1}, {"NOT_NULL", 0, 0}, {"NULL", 0, 0},         {"CONTAINS", 1, 1},    {"NOT_CONTAINS", 1, 1},
    {"BEGINS_WITH", 1, 1},            {"IN", 1, 1 << 30},     {"BETWEEN", 2, 2},
};

// One attribute's condition in ComparisonOperator form.
Result<Condition> OperatorCondition(const std::string& name, const std::string& op,
                                    std::vector<AttributeValue> values) {
  const OperatorRule* rule = nullptr;
  for (const auto& r : kOperators) {
    if (op == r.name) rule = &r;
  }
  if (!rule) return Status::Validation("Comparison type does not exist in DynamoDB");
  if (static_cast<int>(values.size()) < rule->min_args || static_cast<int>(values.size()) > rule->max_args) {
    return Invalid("Invalid number of argument(s) for the " + op + " ComparisonOperator");
  }
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i].type() != values[0].type()) {
      return Invalid("AttributeValues inside AttributeValueList must be of same type");
    }
  }
  // Operators other than equality work on scalars only (BEGINS_WITH: S and B).
  bool scalar_only = op != "EQ" && op != "NE" && !values.empty();
  if (scalar_only && (!IsScalar(values[0].type()) || (op == "BEGINS_WITH" && values[0].type() == Type::kN))) {
    return Invalid("ComparisonOperator " + op + " is not valid for " + model::TypeName(values[0].type()) +
                   " AttributeValue type");
  }
  using K = Condition::Kind;
  using Op = Condition::Op;
  if (op == "EQ") return Compare(Op::kEq, name, std::move(values[0]));
  if (op == "NE") return Compare(Op::kNe, name, std::move(values[0]));
  if (op == "LE") return Compare(Op::kLe, name, std::move(values[0]));
  if (op == "LT") return Compare(Op::kLt, name, std::move(values[0]));
  if (op == "GE") return Compare(Op::kGe, name, std::move(values[0]));
  if (op == "GT") return Compare(Op::kGt, name, std::move(values[0]));
  if (op == "NOT_NULL") return Function(K::kAttributeExists, name);
  if (op == "NULL") return Function(K::kAttributeNotExists, name);
  if (op == "CONTAINS") return Function(K::kContains, name, std::move(values));
  if (op == "NOT_CONTAINS") {
    // Unlike NOT contains(...), NOT_CONTAINS is false for a missing attribute.
    Condition negated;
    negated.kind = K::kNot;
    negated.children.push_back(Function(K::kContains, name, std::move(values)));
    return Combine(K::kAnd, {Function(K::kAttributeExists, name), std::move(negated)});
  }
  if (op == "BEGINS_WITH") return Function(K::kBeginsWith, name, std::move(values));
  if (op == "IN") return Function(K::kIn, name, std::move(values));
  // BETWEEN
  if (model::CompareScalars(values[0], values[1]) > 0) {
    return Status::Validation(
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
  }
  return Function(K::kBetween, name, std::move(values));
}

Result<std::vector<AttributeValue>> ValueList(const JsonValue& spec) {
  std::vector<AttributeValue> values;
  BASALT_ASSIGN_OR_RETURN(const JsonValue* list, GetArray(spec, "AttributeValueList"));
  if (!list) return values;
  for (const auto& v : list->GetArray()) {
    BASALT_ASSIGN_OR_RETURN(AttributeValue av, DecodeAttributeValue(v));
    values.push_back(std::move(av));
  }
  return values;
}

}  // namespace

Result<Condition> ExpectedToCondition(const JsonValue& expected, const JsonValue* conditional_operator) {
  if (!expected.IsObject()) {
    return Status::Serialization(std::string(JsonKindName(expected)) + " can not be converted to Map");
  }
  Condition::Kind join = Condition::Kind::kAnd;
  if (conditional_operator) {
    if (expected.MemberCount() < 2) {
      return Status::Validation("ConditionalOperator can only be used when Filter or Expected has two or more elements");
    }
    std::string op = conditional_operator->IsString() ? conditional_operator->GetString() : "";
    if (op != "AND" && op != "OR") {
      ConstraintErrors errors;
      errors.Add("'" + op + "'", "conditionalOperator", "Member must satisfy enum value set: [AND, OR]");
      return errors.ToStatus();
    }
    if (op == "OR") join = Condition::Kind::kOr;
  }
  std::vector<Condition> parts;
  for (auto it = expected.MemberBegin(); it != expected.MemberEnd(); ++it) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    const JsonValue& spec = it->value;
    if (!spec.IsObject()) {
      return Status::Serialization(std::string(JsonKindName(spec)) + " can not be converted to ExpectedAttributeValue");
    }
    BASALT_ASSIGN_OR_RETURN(const JsonValue* value_json, GetObject(spec, "Value"));
    BASALT_ASSIGN_OR_RETURN(auto exists, GetBool(spec, "Exists"));
    BASALT_ASSIGN_OR_RETURN(auto op, GetString(spec, "ComparisonOperator"));
    BASALT_ASSIGN_OR_RETURN(std::vector<AttributeValue> list, ValueList(spec));
    bool has_list = spec.HasMember("AttributeValueList") && !spec["AttributeValueList"].IsNull();
    std::optional<AttributeValue> value;
    if (value_json) {
      Result<AttributeValue> decoded = DecodeAttributeValue(*value_json);
      if (!decoded.ok()) return decoded.status();
      value.emplace(std::move(decoded).value());
    }
    if (value && has_list) return Invalid("Value and AttributeValueList cannot be used together for Attribute: " + name);
    if (op) {
      if (exists) return Invalid("Exists and ComparisonOperator cannot be used together for Attribute: " + name);
      if (!value && !has_list && *op != "NULL" && *op != "NOT_NULL") {
        return Invalid("Value or AttributeValueList must be used with ComparisonOperator: " + *op +
                       " for Attribute: " + name);
      }
      if (value) list.push_back(std::move(*value));
      BASALT_ASSIGN_OR_RETURN(Condition c, OperatorCondition(name, *op, std::move(list)));
      parts.push_back(std::move(c));
      continue;
    }
    if (has_list) return Invalid("AttributeValueList can only be used with a ComparisonOperator for Attribute: " + name);
    if (exists.has_value() && !*exists) {
      if (value) return Invalid("Value cannot be used when Exists is false for Attribute: " + name);
      parts.push_back(Function(Condition::Kind::kAttributeNotExists, name));
      continue;
    }
    if (!value) {
      return Invalid(std::string("Value must be provided when Exists is ") + (exists ? "true" : "null") +
                     " for Attribute: " + name);
    }
    parts.push_back(Compare(Condition::Op::kEq, name, std::move(*value)));
  }
  if (parts.empty()) {
    // An empty Expected holds no condition: always true.
    Condition c;
    c.kind = Condition::Kind::kAnd;
    return c;
  }
  return Combine(join, std::move(parts));
}

Result<expr::Update> AttributeUpdatesToUpdate(const JsonValue& updates) {
  if (!updates.IsObject()) {
    return Status::Serialization(std::string(JsonKindName(updates)) + " can not be converted to Map");
  }
  expr::Update update;
  update.attribute_updates = true;
  for (auto it = updates.MemberBegin(); it != updates.MemberEnd(); ++it) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    const JsonValue& spec = it->value;
    if (!spec.IsObject()) {
      return Status::Serialization(std::string(JsonKindName(spec)) + " can not be converted to AttributeValueUpdate");
    }
    BASALT_ASSIGN_OR_RETURN(const JsonValue* value_json, GetObject(spec, "Value"));
    ConstraintErrors errors;
    BASALT_ASSIGN_OR_RETURN(auto action, GetEnum(spec, "Action", "attributeUpdates.value.action",
                                                 {"ADD", "PUT", "DELETE"}, "[ADD, PUT, DELETE]", &errors));
    BASALT_RETURN_IF_ERROR(errors.ToStatus());
    std::string act = action.value_or("PUT");
    std::optional<AttributeValue> value;
    if (value_json) {
      Result<AttributeValue> decoded = DecodeAttributeValue(*value_json);
      if (!decoded.ok()) return decoded.status();
      value.emplace(std::move(decoded).value());
    }
    expr::UpdateAction a;
    a.path = expr::Path{expr::PathElement{name, 0, false}};
    if (!value) {
      if (act != "DELETE") return Invalid("Only DELETE action is allowed when no attribute value is specified");
      a.kind = expr::UpdateAction::Kind::kRemove;
    } else if (act == "PUT") {
      a.kind = expr::UpdateAction::Kind::kSet;
      a.value = ValueOperand(std::move(*value));
    } else if (act == "DELETE") {
      Type t = value->type();
      if (t != Type::kSS && t != Type::kNS && t != Type::kBS) {
        return Invalid(std::string("DELETE action with value is not supported for the type ") + model::LongTypeName(t));
      }
      a.kind = expr::UpdateAction::Kind::kDelete;
      a.value = ValueOperand(std::move(*value));
    } else if (value->type() == Type::kL) {
      // Legacy ADD appends to a list (creating it when absent).
      a.kind = expr::UpdateAction::Kind::kSet;
      Operand existing;
      existing.kind = Operand::Kind::kIfNotExists;
      existing.path = a.path;
      existing.args.push_back(ValueOperand(AttributeValue::L({})));
      Operand append;
      append.kind = Operand::Kind::kListAppend;
      append.args.push_back(std::move(existing));
      append.args.push_back(ValueOperand(std::move(*value)));
      a.value = std::move(append);
    } else {
      Type t = value->type();
      if (t != Type::kN && t != Type::kSS && t != Type::kNS && t != Type::kBS) {
        return Invalid(std::string("ADD action is not supported for the type ") + model::LongTypeName(t));
      }
      a.kind = expr::UpdateAction::Kind::kAdd;
      a.value = ValueOperand(std::move(*value));
    }
    update.actions.push_back(std::move(a));
  }
  return update;
}

}  // namespace basalt::api
