#include "expr/key_condition.h"

namespace basalt::expr {
namespace {

Status Invalid(const std::string& m) { return Status::Validation(m); }

// The comparisons under the ANDs of a key condition, or the operator that
// cannot be in one.
Status Leaves(const Condition& c, std::vector<const Condition*>* leaves) {
  auto invalid = [](const std::string& op) { return Invalid("Invalid operator used in KeyConditionExpression: " + op); };
  switch (c.kind) {
    case Condition::Kind::kOr: return invalid("OR");
    case Condition::Kind::kNot: return invalid("NOT");
    case Condition::Kind::kIn: return invalid("IN");
    case Condition::Kind::kAttributeExists: return invalid("attribute_exists");
    case Condition::Kind::kAttributeNotExists: return invalid("attribute_not_exists");
    case Condition::Kind::kAttributeType: return invalid("attribute_type");
    case Condition::Kind::kContains: return invalid("contains");
    case Condition::Kind::kAnd:
      for (const Condition& ch : c.children) BASALT_RETURN_IF_ERROR(Leaves(ch, leaves));
      return Status::Ok();
    case Condition::Kind::kCompare:
      if (c.op == Condition::Op::kNe) return invalid("<>");
      [[fallthrough]];
    default:
      leaves->push_back(&c);
      return Status::Ok();
  }
}

Status CheckLeaf(const Condition& leaf) {
  int paths = 0;
  for (const Operand& o : leaf.args) {
    if (o.kind == Operand::Kind::kSize) return Invalid("KeyConditionExpressions cannot contain nested operations");
    if (o.kind == Operand::Kind::kPath) ++paths;
  }
  if (paths > 1) {
    return Invalid("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
  }
  if (leaf.kind == Condition::Kind::kBeginsWith && leaf.args[0].kind != Operand::Kind::kPath) {
    return Invalid(
        "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first "
        "operand");
  }
  return Status::Ok();
}

// A comparison, BETWEEN or begins_with with the key on the left.
KeyComparison Normalize(const Condition& c) {
  KeyComparison k;
  auto values_from = [&](size_t first) {
    for (size_t i = first; i < c.args.size(); ++i) {
      if (c.args[i].kind == Operand::Kind::kValue) k.values.push_back(c.args[i].value);
    }
  };
  if (c.kind == Condition::Kind::kBetween || c.kind == Condition::Kind::kBeginsWith) {
    k.kind = c.kind == Condition::Kind::kBetween ? KeyComparison::Kind::kBetween : KeyComparison::Kind::kBeginsWith;
    if (c.args[0].kind == Operand::Kind::kPath) k.path = c.args[0].path;
    values_from(1);
    return k;
  }
  bool flipped = c.args[0].kind != Operand::Kind::kPath && c.args[1].kind == Operand::Kind::kPath;
  const Operand& key = flipped ? c.args[1] : c.args[0];
  const Operand& val = flipped ? c.args[0] : c.args[1];
  if (key.kind == Operand::Kind::kPath) k.path = key.path;
  if (val.kind == Operand::Kind::kValue) k.values.push_back(val.value);
  if (!flipped && key.kind == Operand::Kind::kValue && k.values.empty()) k.values.push_back(key.value);
  switch (c.op) {
    case Condition::Op::kLt: k.kind = flipped ? KeyComparison::Kind::kGt : KeyComparison::Kind::kLt; break;
    case Condition::Op::kLe: k.kind = flipped ? KeyComparison::Kind::kGe : KeyComparison::Kind::kLe; break;
    case Condition::Op::kGt: k.kind = flipped ? KeyComparison::Kind::kLt : KeyComparison::Kind::kGt; break;
    case Condition::Op::kGe: k.kind = flipped ? KeyComparison::Kind::kLe : KeyComparison::Kind::kGe; break;
    default: k.kind = KeyComparison::Kind::kEq; break;
  }
  return k;
}

}  // namespace

Result<KeyTerms> KeyTermsOf(const Condition& key_condition) {
  std::vector<const Condition*> leaves;
  BASALT_RETURN_IF_ERROR(Leaves(key_condition, &leaves));
  for (const Condition* leaf : leaves) BASALT_RETURN_IF_ERROR(CheckLeaf(*leaf));
  if (leaves.size() > 2) return Invalid("Conditions can be of length 1 or 2 only");
  KeyTerms terms;
  for (const Condition* leaf : leaves) terms.comparisons.push_back(Normalize(*leaf));
  const auto& c = terms.comparisons;
  if (c.size() == 2 && !c[0].path.empty() && !c[1].path.empty() && c[0].path[0] == c[1].path[0]) {
    return Invalid("KeyConditionExpressions must only contain one condition per key");
  }
  return terms;
}

Result<KeyCondition> MatchKeySchema(const KeyTerms& terms, const model::KeySchema& schema) {
  std::optional<model::AttributeValue> partition;
  const KeyComparison* sort = nullptr;
  for (const KeyComparison& c : terms.comparisons) {
    if (c.path.size() != 1 || c.path[0].is_index) {
      std::string name = c.path.empty() ? "" : c.path[0].name;
      return Invalid("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: " +
                     name);
    }
    const std::string& name = c.path[0].name;
    if (name == schema.hash.name) {
      if (c.kind != KeyComparison::Kind::kEq) return Invalid("Query key condition not supported");
      partition = c.values[0];
    } else if (schema.range && name == schema.range->name) {
      sort = &c;
    } else {
      return Invalid("Query condition missed key schema element");
    }
  }
  if (!partition) return Invalid("Query condition missed key schema element");
  const Status mismatch =
      Invalid("One or more parameter values were invalid: Condition parameter type does not match schema type");
  if (partition->type() != schema.hash.type) return mismatch;
  if (sort) {
    for (const auto& v : sort->values) {
      if (v.type() != schema.range->type) return mismatch;
    }
  }
  KeyCondition out{std::move(*partition), std::nullopt};
  if (sort) out.sort = *sort;
  return out;
}

}  // namespace basalt::expr
