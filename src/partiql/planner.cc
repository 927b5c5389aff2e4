// Planning, with DynamoDB Local's texts for what depends on the key schema:
//   a key value of the wrong type (partition value, the key-condition sort
//   comparison, a write's key): "Key attribute's data type should match its
//   data type in table's schema: Key <name>";
//   another comparison of a key attribute with a value of the wrong type:
//   "One or more parameter values were invalid: Condition parameter type does
//   not match schema type";
//   an empty string or binary key value: "One or more parameter values are not
//   valid. The AttributeValue for a key attribute cannot contain an empty
//   string value. Key: <name>";
//   UPDATE/DELETE/EXISTS: "Where clause does not contain a mandatory equality
//   on all key attributes", "Multiple conditions on same key <name>. Only single
//   item Update/Insert/Delete are supported", "Key attributes must be scalars;
//   list random access '[]' and map lookup '.' are not allowed: Key <name>";
//   INSERT: "Key attribute should be present in the item: Key <name>";
//   ORDER BY: see PlanOrder.
#include "partiql/planner.h"

#include <algorithm>
#include <functional>

#include "partiql/errors.h"

namespace basalt::partiql {
namespace {

using expr::Condition;
using expr::Operand;
using model::AttributeValue;
using model::KeyAttribute;
using model::KeySchema;

// The top-level conjuncts of a WHERE clause, moved out of it (the optional
// stays engaged: a statement still "has a WHERE clause").
std::vector<Condition> Conjuncts(std::optional<Condition>& where) {
  if (!where) return {};
  if (where->kind == Condition::Kind::kAnd) return std::move(where->children);
  std::vector<Condition> out;
  out.push_back(std::move(*where));
  return out;
}

std::optional<Condition> AndOf(std::vector<Condition> parts) {
  if (parts.empty()) return std::nullopt;
  if (parts.size() == 1) return std::move(parts[0]);
  Condition c;
  c.kind = Condition::Kind::kAnd;
  for (Condition& p : parts) {
    if (p.kind == Condition::Kind::kAnd) {
      for (Condition& g : p.children) c.children.push_back(std::move(g));
    } else {
      c.children.push_back(std::move(p));
    }
  }
  return c;
}

bool IsAttribute(const Operand& o, const std::string& name) {
  return o.kind == Operand::Kind::kPath && o.path.size() == 1 && !o.path[0].is_index && o.path[0].name == name;
}

// `name = value` or `value = name`: the value.
const AttributeValue* EqualityOn(const Condition& c, const std::string& name) {
  if (c.kind != Condition::Kind::kCompare || c.op != Condition::Op::kEq) return nullptr;
  if (IsAttribute(c.args[0], name) && c.args[1].kind == Operand::Kind::kValue) return &c.args[1].value;
  if (IsAttribute(c.args[1], name) && c.args[0].kind == Operand::Kind::kValue) return &c.args[0].value;
  return nullptr;
}

Operand PathOperand(const std::string& name) {
  Operand o;
  o.kind = Operand::Kind::kPath;
  o.path.push_back(expr::PathElement{name, 0, false});
  return o;
}

Operand ValueOperand(AttributeValue v) {
  Operand o;
  o.kind = Operand::Kind::kValue;
  o.value = std::move(v);
  return o;
}

Condition KeyEquals(const std::string& name, AttributeValue v) {
  Condition c;
  c.kind = Condition::Kind::kCompare;
  c.op = Condition::Op::kEq;
  c.args = {PathOperand(name), ValueOperand(std::move(v))};
  return c;
}

Condition Exists(const std::string& name, bool exists) {
  Condition c;
  c.kind = exists ? Condition::Kind::kAttributeExists : Condition::Kind::kAttributeNotExists;
  c.args = {PathOperand(name)};
  return c;
}

Status KeyTypeMismatch(const std::string& name) {
  return Status::Validation("Key attribute's data type should match its data type in table's schema: Key " + name);
}

// A key value: its declared type, and not an empty string or binary.
Status CheckKeyValue(const KeyAttribute& k, const AttributeValue& v) {
  if (v.type() != k.type) return KeyTypeMismatch(k.name);
  if (v.type() != model::Type::kN && v.str().empty()) {
    return Status::Validation(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty "
        "string value. Key: " +
        k.name);
  }
  return Status::Ok();
}

// Comparisons of key attributes left in a read's filter: DynamoDB rejects
// values of another type, and empty strings in equalities.
Status CheckKeyComparisons(const Condition& c, const KeySchema& keys) {
  for (const Condition& child : c.children) BASALT_RETURN_IF_ERROR(CheckKeyComparisons(child, keys));
  if (c.kind != Condition::Kind::kCompare && c.kind != Condition::Kind::kBetween && c.kind != Condition::Kind::kIn) {
    return Status::Ok();
  }
  for (const KeyAttribute* k : model::KeyAttributes(keys)) {
    if (std::none_of(c.args.begin(), c.args.end(), [&](const Operand& o) { return IsAttribute(o, k->name); })) continue;
    for (const Operand& o : c.args) {
      if (o.kind != Operand::Kind::kValue) continue;
      if (o.value.type() != k->type) {
        return Status::Validation(
            "One or more parameter values were invalid: Condition parameter type does not match schema type");
      }
      if (c.kind == Condition::Kind::kCompare && c.op == Condition::Op::kEq) {
        BASALT_RETURN_IF_ERROR(CheckKeyValue(*k, o.value));
      }
    }
  }
  return Status::Ok();
}

// The partition values a conjunct fixes: `pk = v`, `pk IN [v, ...]`, or an OR
// of those (reference: `OrderID = 100 or OrderID = 200` is not a scan).
std::optional<std::vector<AttributeValue>> PartitionValues(const Condition& c, const std::string& hash) {
  if (const AttributeValue* v = EqualityOn(c, hash)) return std::vector<AttributeValue>{*v};
  if (c.kind == Condition::Kind::kIn && IsAttribute(c.args[0], hash)) {
    std::vector<AttributeValue> out;
    for (size_t i = 1; i < c.args.size(); ++i) {
      if (c.args[i].kind != Operand::Kind::kValue) return std::nullopt;
      out.push_back(c.args[i].value);
    }
    return out;
  }
  if (c.kind == Condition::Kind::kOr) {
    std::vector<AttributeValue> out;
    for (const Condition& child : c.children) {
      auto vs = PartitionValues(child, hash);
      if (!vs) return std::nullopt;
      out.insert(out.end(), vs->begin(), vs->end());
    }
    return out;
  }
  return std::nullopt;
}

Condition::Op Flip(Condition::Op op) {
  switch (op) {
    case Condition::Op::kLt:
      return Condition::Op::kGt;
    case Condition::Op::kLe:
      return Condition::Op::kGe;
    case Condition::Op::kGt:
      return Condition::Op::kLt;
    case Condition::Op::kGe:
      return Condition::Op::kLe;
    default:
      return op;
  }
}

// A conjunct that can narrow a Query on the sort key, normalised with the key
// on the left (`1 < sk` is `sk > 1`); nullopt when it cannot.
std::optional<Condition> SortKeyCondition(const Condition& c, const KeyAttribute& range) {
  if (c.kind == Condition::Kind::kCompare && c.op != Condition::Op::kNe) {
    if (IsAttribute(c.args[0], range.name) && c.args[1].kind == Operand::Kind::kValue) return c;
    if (IsAttribute(c.args[1], range.name) && c.args[0].kind == Operand::Kind::kValue) {
      Condition n = c;
      std::swap(n.args[0], n.args[1]);
      n.op = Flip(c.op);
      return n;
    }
  }
  if (c.kind == Condition::Kind::kBetween && IsAttribute(c.args[0], range.name) &&
      c.args[1].kind == Operand::Kind::kValue && c.args[2].kind == Operand::Kind::kValue) {
    return c;
  }
  // begins_with on a number key is taken too, and then fails its type check
  // (DynamoDB Local: "Key attribute's data type should match ...").
  if (c.kind == Condition::Kind::kBeginsWith && IsAttribute(c.args[0], range.name) &&
      c.args[1].kind == Operand::Kind::kValue) {
    return c;
  }
  return std::nullopt;
}

// ORDER BY, with DynamoDB's rules in the order DynamoDB Local checks them.
// Sets plan->forward and orders `partitions`.
Status PlanOrder(const BoundStatement& b, const KeySchema& keys, const std::vector<Condition>& conjuncts,
                 std::vector<AttributeValue>* partitions, SelectPlan* plan) {
  if (b.order_by.empty()) return Status::Ok();
  if (!b.where) return Status::Validation("Must have WHERE clause in the statement when using ORDER BY clause.");
  // A "non-optional hash key condition": a conjunct on the hash key (or an OR
  // of them); `pk > 'a'` counts (DynamoDB Local accepts it and scans).
  std::function<bool(const Condition&)> on_hash = [&](const Condition& c) {
    if (c.kind == Condition::Kind::kOr) return std::all_of(c.children.begin(), c.children.end(), on_hash);
    if (c.kind == Condition::Kind::kNot || c.kind == Condition::Kind::kAnd) return false;
    return std::any_of(c.args.begin(), c.args.end(), [&](const Operand& o) { return IsAttribute(o, keys.hash.name); });
  };
  if (std::none_of(conjuncts.begin(), conjuncts.end(), on_hash)) {
    return Status::Validation(
        "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.");
  }
  std::optional<bool> hash_descending;
  for (const OrderKey& k : b.order_by) {
    if (!k.name) return Status::Validation("Argument to ORDER BY must be of type VariableReference. Type: " + k.other);
    if (!model::IsKeyAttribute(keys, *k.name)) {
      return Status::Validation("Variable reference " + *k.name +
                                " in ORDER BY clause must be part of the primary key");
    }
    if (*k.name == keys.hash.name) {
      if (!hash_descending) hash_descending = k.descending;
    } else {
      plan->forward = !k.descending;
    }
  }
  // reference/partiql.md (real service; DynamoDB Local does not check this).
  if (partitions->size() > 1 && !hash_descending) {
    return Status::Validation(
        "Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.");
  }
  if (hash_descending) {
    std::stable_sort(partitions->begin(), partitions->end(), [&](const AttributeValue& a, const AttributeValue& c) {
      int o = model::CompareScalars(a, c);
      return *hash_descending ? o > 0 : o < 0;
    });
  }
  return Status::Ok();
}

Result<Plan> PlanSelect(BoundStatement& b, const KeySchemas& schemas, Context context) {
  SelectPlan plan;
  plan.table = std::move(b.table);
  plan.index = b.index;
  plan.projection = std::move(b.projection);
  const KeySchema& keys = b.index && schemas.index ? *schemas.index : schemas.table;
  std::vector<Condition> rest = Conjuncts(b.where);
  // ORDER BY checks the conjuncts as written; the copy costs only statements that have one.
  const std::vector<Condition> conjuncts = b.order_by.empty() ? std::vector<Condition>() : rest;

  // The partition key: the first conjunct that fixes it.
  std::vector<AttributeValue> partitions;
  bool fixed = false;
  bool by_equality = false;  // `pk = v`, not IN or OR: a single-item read can be one
  for (size_t i = 0; i < rest.size() && !fixed; ++i) {
    auto values = PartitionValues(rest[i], keys.hash.name);
    if (!values) continue;
    fixed = true;
    by_equality = EqualityOn(rest[i], keys.hash.name) != nullptr;
    rest.erase(rest.begin() + i);
    for (AttributeValue& v : *values) {
      BASALT_RETURN_IF_ERROR(CheckKeyValue(keys.hash, v));
      if (std::find(partitions.begin(), partitions.end(), v) == partitions.end()) partitions.push_back(std::move(v));
    }
  }
  // The sort key: the first conjunct that narrows it.
  std::optional<Condition> sort;
  for (size_t i = 0; fixed && keys.range && i < rest.size() && !sort; ++i) {
    sort = SortKeyCondition(rest[i], *keys.range);
    if (!sort) continue;
    rest.erase(rest.begin() + i);
    for (size_t a = 1; a < sort->args.size(); ++a) {
      if (sort->args[a].value.type() != keys.range->type) return KeyTypeMismatch(keys.range->name);
    }
  }
  plan.filter = AndOf(rest);
  if (plan.filter) BASALT_RETURN_IF_ERROR(CheckKeyComparisons(*plan.filter, keys));
  BASALT_RETURN_IF_ERROR(PlanOrder(b, keys, conjuncts, &partitions, &plan));

  if (fixed) {
    const bool sort_eq =
        !keys.range || (sort && sort->kind == Condition::Kind::kCompare && sort->op == Condition::Op::kEq);
    if (b.index || partitions.size() != 1 || !sort_eq) {
      plan.access = SelectPlan::Access::kQuery;
      for (const AttributeValue& v : partitions) {
        std::vector<Condition> parts{KeyEquals(keys.hash.name, v)};
        if (sort) parts.push_back(*sort);
        plan.key_conditions.push_back(*AndOf(std::move(parts)));
      }
    } else {
      plan.access = SelectPlan::Access::kGetItem;
      plan.key[keys.hash.name] = partitions[0];
      if (keys.range) plan.key[keys.range->name] = sort->args[1].value;
      // Only key equalities (a repeated `pk = 'a'` included): a single-item
      // read. DynamoDB Local refuses `pk IN ['a']` in a batch.
      plan.single_item = by_equality && std::all_of(rest.begin(), rest.end(), [&](const Condition& c) {
                           for (const auto& [name, v] : plan.key) {
                             const AttributeValue* e = EqualityOn(c, name);
                             if (e && *e == v) return true;
                           }
                           return false;
                         });
    }
  }
  if (context == Context::kBatch && !plan.single_item) {
    return Status::Validation("Only single item select is supported");
  }
  if (context == Context::kTransaction) {
    if (b.index) return Status::Validation("Reads on indices are not supported within transactions.");
    if (!plan.single_item) {
      return Status::Validation(
          "Select statements within ExecuteTransaction must specify the primary key in the "
          "where clause.");
    }
  }
  return Plan(std::move(plan));
}

// The full primary key of a write, from the top-level `key = value`
// conjuncts; the other conjuncts are returned in `rest`.
Result<model::Item> KeyFromWhere(std::optional<Condition>& where, const KeySchema& keys,
                                 std::vector<Condition>* rest) {
  *rest = Conjuncts(where);
  model::Item key;
  for (const KeyAttribute* k : model::KeyAttributes(keys)) {
    for (auto it = rest->begin(); it != rest->end();) {
      const Condition& c = *it;
      if (c.kind == Condition::Kind::kCompare && c.op == Condition::Op::kEq) {
        for (const Operand& o : c.args) {
          if (o.kind == Operand::Kind::kPath && o.path[0].name == k->name && o.path.size() > 1) {
            return Status::Validation(
                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key " +
                k->name);
          }
        }
      }
      const AttributeValue* v = EqualityOn(c, k->name);
      if (!v) {
        ++it;
        continue;
      }
      auto found = key.find(k->name);
      if (found != key.end() && found->second != *v) {
        return Status::Validation("Multiple conditions on same key " + k->name +
                                  ". Only single item Update/Insert/Delete are supported");
      }
      key[k->name] = *v;
      it = rest->erase(it);
    }
  }
  if (key.size() != model::KeyAttributes(keys).size()) {
    return Status::Validation("Where clause does not contain a mandatory equality on all key attributes");
  }
  for (const KeyAttribute* k : model::KeyAttributes(keys)) BASALT_RETURN_IF_ERROR(CheckKeyValue(*k, key[k->name]));
  return key;
}

Result<Plan> PlanInsert(BoundStatement& b, const KeySchema& keys) {
  for (const KeyAttribute* k : model::KeyAttributes(keys)) {
    auto it = b.item.find(k->name);
    if (it == b.item.end()) return Status::Validation("Key attribute should be present in the item: Key " + k->name);
    BASALT_RETURN_IF_ERROR(CheckKeyValue(*k, it->second));
  }
  return Plan(InsertPlan{std::move(b.table), std::move(b.item), true});
}

}  // namespace

Result<Plan> PlanStatement(BoundStatement b, const KeySchemas& schemas, Context context) {
  const KeySchema& keys = schemas.table;
  switch (b.kind) {
    case BoundStatement::Kind::kSelect:
      return PlanSelect(b, schemas, context);
    case BoundStatement::Kind::kInsert:
      return PlanInsert(b, keys);
    case BoundStatement::Kind::kUpdate: {
      UpdatePlan plan;
      plan.table = std::move(b.table);
      std::vector<Condition> rest;
      BASALT_ASSIGN_OR_RETURN(plan.key, KeyFromWhere(b.where, keys, &rest));
      rest.insert(rest.begin(), Exists(keys.hash.name, true));
      plan.condition = *AndOf(std::move(rest));
      plan.update = std::move(b.update);
      plan.returning = b.returning;
      return Plan(std::move(plan));
    }
    case BoundStatement::Kind::kDelete: {
      DeletePlan plan;
      plan.table = std::move(b.table);
      std::vector<Condition> rest;
      BASALT_ASSIGN_OR_RETURN(plan.key, KeyFromWhere(b.where, keys, &rest));
      if (!rest.empty()) {
        Condition c;
        c.kind = Condition::Kind::kOr;
        c.children.push_back(Exists(keys.hash.name, false));
        c.children.push_back(*AndOf(std::move(rest)));
        plan.condition = std::move(c);
      }
      plan.returning = b.returning;
      return Plan(std::move(plan));
    }
    case BoundStatement::Kind::kExists: {
      constexpr char kSingleItem[] = "EXISTS() must contain a single item read with additional condition";
      if (b.index) return Status::Validation(kSingleItem);
      ConditionCheckPlan plan;
      plan.table = std::move(b.table);
      std::vector<Condition> rest;
      Result<model::Item> key = KeyFromWhere(b.where, keys, &rest);
      if (!key.ok() || rest.empty()) return Status::Validation(kSingleItem);
      plan.key = std::move(*key);
      rest.insert(rest.begin(), Exists(keys.hash.name, true));
      plan.condition = *AndOf(std::move(rest));
      return Plan(std::move(plan));
    }
  }
  return Status::Internal("unknown statement kind");
}

}  // namespace basalt::partiql
