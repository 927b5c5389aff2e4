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
  // How many terms a key takes (two, or up to eight on a GSI with
  // multi-attribute keys) is MatchKeySchema's to check.
  KeyTerms terms;
  for (const Condition* leaf : leaves) terms.comparisons.push_back(Normalize(*leaf));
  const auto& c = terms.comparisons;
  for (size_t j = 1; j < c.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      if (!c[i].path.empty() && !c[j].path.empty() && c[i].path[0] == c[j].path[0]) {
        return Invalid("KeyConditionExpressions must only contain one condition per key");
      }
    }
  }
  return terms;
}

namespace {

// The names of attributes, "a, b".
std::string Names(const std::vector<const model::KeyAttribute*>& attrs) {
  std::string out;
  for (const model::KeyAttribute* a : attrs) out += (out.empty() ? "" : ", ") + a->name;
  return out;
}

}  // namespace

Result<KeyCondition> MatchKeySchema(const KeyTerms& terms, const model::KeySchema& schema) {
  const std::vector<const model::KeyAttribute*> hash = model::HashAttributes(schema);
  const std::vector<const model::KeyAttribute*> range = model::RangeAttributes(schema);
  const bool multi = schema.multi_attribute();
  if (!multi && terms.comparisons.size() > 2) return Invalid("Conditions can be of length 1 or 2 only");
  // DynamoDB Local's wording for multi-attribute keys (the service's is not documented).
  if (multi && terms.comparisons.size() > hash.size() + range.size()) return Invalid("Query key condition not supported");
  // The term on each key attribute, by position.
  std::vector<const KeyComparison*> on_hash(hash.size()), on_range(range.size());
  auto position = [](const std::vector<const model::KeyAttribute*>& attrs, const std::string& name) {
    for (size_t i = 0; i < attrs.size(); ++i) {
      if (attrs[i]->name == name) return static_cast<int>(i);
    }
    return -1;
  };
  for (const KeyComparison& c : terms.comparisons) {
    if (c.path.size() != 1 || c.path[0].is_index) {
      std::string name = c.path.empty() ? "" : c.path[0].name;
      return Invalid("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: " +
                     name);
    }
    const std::string& name = c.path[0].name;
    if (int i = position(hash, name); i >= 0) {
      if (!multi && c.kind != KeyComparison::Kind::kEq) return Invalid("Query key condition not supported");
      on_hash[i] = &c;
    } else if (int j = position(range, name); j >= 0) {
      on_range[j] = &c;
    } else {
      return Invalid("Query condition missed key schema element");
    }
  }
  // Every partition attribute by equality.
  std::vector<const model::KeyAttribute*> unequal;
  for (size_t i = 0; i < hash.size(); ++i) {
    if (!on_hash[i] || on_hash[i]->kind != KeyComparison::Kind::kEq) unequal.push_back(hash[i]);
  }
  if (!unequal.empty()) {
    if (!multi) return Invalid("Query condition missed key schema element");
    return Invalid("HASH key attributes " + Names(unequal) + " must have equality conditions specified in the query");
  }
  // Sort attributes left to right: equalities up to the last one used, which
  // may have any comparison.
  size_t used = on_range.size();
  while (used > 0 && !on_range[used - 1]) --used;
  unequal.clear();
  for (size_t j = 0; j + 1 < used; ++j) {
    if (!on_range[j] || on_range[j]->kind != KeyComparison::Kind::kEq) unequal.push_back(range[j]);
  }
  if (!unequal.empty()) {
    return Invalid("RANGE key attributes " + Names(unequal) +
                   " must have equality conditions specified in the query because a condition is present on key "
                   "attribute " + range[used - 1]->name);
  }
  const Status mismatch =
      Invalid("One or more parameter values were invalid: Condition parameter type does not match schema type");
  KeyCondition out;
  for (size_t i = 0; i < hash.size(); ++i) {
    if (on_hash[i]->values[0].type() != hash[i]->type) return mismatch;
    out.partition.push_back(on_hash[i]->values[0]);
  }
  for (size_t j = 0; j < used; ++j) {
    for (const auto& v : on_range[j]->values) {
      if (v.type() != range[j]->type) return mismatch;
    }
    if (j + 1 < used) {
      out.sort_equal.push_back(on_range[j]->values[0]);
    } else {
      out.sort = *on_range[j];
    }
  }
  return out;
}

}  // namespace basalt::expr
