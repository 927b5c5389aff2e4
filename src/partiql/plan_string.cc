// Renderings of plans for tests and logs (declared in planner.h).
#include <string>

#include "partiql/planner.h"

namespace basalt::partiql {
namespace {

using expr::Condition;
using expr::Operand;

std::string PathText(const expr::Path& path) {
  std::string out;
  for (const expr::PathElement& e : path) {
    if (e.is_index) {
      out += "[" + std::to_string(e.index) + "]";
    } else {
      if (!out.empty()) out += ".";
      out += e.name;
    }
  }
  return out;
}

std::string Args(const std::vector<Operand>& args, const char* sep = " ") {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += sep;
    out += ToString(args[i]);
  }
  return out;
}

const char* OpText(Condition::Op op) {
  switch (op) {
    case Condition::Op::kEq:
      return "=";
    case Condition::Op::kNe:
      return "<>";
    case Condition::Op::kLt:
      return "<";
    case Condition::Op::kLe:
      return "<=";
    case Condition::Op::kGt:
      return ">";
    case Condition::Op::kGe:
      return ">=";
  }
  return "?";
}

const char* ReturningText(ReturnValues r) {
  switch (r) {
    case ReturnValues::kNone:
      return "";
    case ReturnValues::kAllOld:
      return " RETURNING ALL_OLD";
    case ReturnValues::kModifiedOld:
      return " RETURNING UPDATED_OLD";
    case ReturnValues::kAllNew:
      return " RETURNING ALL_NEW";
    case ReturnValues::kModifiedNew:
      return " RETURNING UPDATED_NEW";
  }
  return "";
}

}  // namespace

std::string ToString(const Operand& o) {
  switch (o.kind) {
    case Operand::Kind::kPath:
      return PathText(o.path);
    case Operand::Kind::kValue:
      return model::DebugString(o.value);
    case Operand::Kind::kSize:
      return "size(" + Args(o.args) + ")";
    case Operand::Kind::kIfNotExists:
      return "if_not_exists(" + PathText(o.path) + ", " + Args(o.args) + ")";
    case Operand::Kind::kListAppend:
      return "list_append(" + Args(o.args, ", ") + ")";
    case Operand::Kind::kPlus:
      return "(+ " + Args(o.args) + ")";
    case Operand::Kind::kMinus:
      return "(- " + Args(o.args) + ")";
  }
  return "?";
}

std::string ToString(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::kCompare:
      return std::string("(") + OpText(c.op) + " " + Args(c.args) + ")";
    case Condition::Kind::kBetween:
      return "(BETWEEN " + Args(c.args) + ")";
    case Condition::Kind::kIn:
      return "(IN " + Args(c.args) + ")";
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr:
    case Condition::Kind::kNot: {
      std::string out = c.kind == Condition::Kind::kAnd ? "(AND" : c.kind == Condition::Kind::kOr ? "(OR" : "(NOT";
      for (const Condition& child : c.children) out += " " + ToString(child);
      return out + ")";
    }
    case Condition::Kind::kAttributeExists:
      return "attribute_exists(" + Args(c.args) + ")";
    case Condition::Kind::kAttributeNotExists:
      return "attribute_not_exists(" + Args(c.args) + ")";
    case Condition::Kind::kAttributeType:
      return "attribute_type(" + Args(c.args, ", ") + ")";
    case Condition::Kind::kBeginsWith:
      return "begins_with(" + Args(c.args, ", ") + ")";
    case Condition::Kind::kContains:
      return "contains(" + Args(c.args, ", ") + ")";
  }
  return "?";
}

std::string ToString(const expr::Update& u) {
  std::string out;
  for (const expr::UpdateAction& a : u.actions) {
    if (!out.empty()) out += "; ";
    switch (a.kind) {
      case expr::UpdateAction::Kind::kSet:
        out += "SET " + PathText(a.path) + " = " + ToString(a.value);
        break;
      case expr::UpdateAction::Kind::kRemove:
        out += "REMOVE " + PathText(a.path);
        break;
      case expr::UpdateAction::Kind::kAdd:
        out += "ADD " + PathText(a.path) + " " + ToString(a.value);
        break;
      case expr::UpdateAction::Kind::kDelete:
        out += "DELETE " + PathText(a.path) + " " + ToString(a.value);
        break;
    }
  }
  return out;
}

std::string ToString(const Plan& plan) {
  if (const auto* p = std::get_if<SelectPlan>(&plan)) {
    std::string out;
    switch (p->access) {
      case SelectPlan::Access::kGetItem:
        out = "GET ";
        break;
      case SelectPlan::Access::kQuery:
        out = "QUERY ";
        break;
      case SelectPlan::Access::kScan:
        out = "SCAN ";
        break;
    }
    out += p->table + (p->index ? "." + *p->index : "");
    if (p->access == SelectPlan::Access::kGetItem) out += " KEY " + model::DebugString(p->key);
    if (!p->key_conditions.empty()) {
      out += " KEYS [";
      for (size_t i = 0; i < p->key_conditions.size(); ++i) {
        if (i) out += ", ";
        out += ToString(p->key_conditions[i]);
      }
      out += "]";
    }
    if (p->filter) out += " FILTER " + ToString(*p->filter);
    if (!p->projection.paths.empty()) {
      out += " PROJECT [";
      for (size_t i = 0; i < p->projection.paths.size(); ++i) {
        if (i) out += ", ";
        out += PathText(p->projection.paths[i]);
      }
      out += "]";
    }
    if (!p->forward) out += " BACKWARD";
    if (p->single_item) out += " SINGLE";
    return out;
  }
  if (const auto* p = std::get_if<InsertPlan>(&plan)) {
    return "INSERT " + p->table + " ITEM " + model::DebugString(p->item) + (p->must_not_exist ? " IF_NOT_EXISTS" : "");
  }
  if (const auto* p = std::get_if<UpdatePlan>(&plan)) {
    return "UPDATE " + p->table + " KEY " + model::DebugString(p->key) + " " + ToString(p->update) + " IF " +
           ToString(p->condition) + ReturningText(p->returning);
  }
  if (const auto* p = std::get_if<DeletePlan>(&plan)) {
    return "DELETE " + p->table + " KEY " + model::DebugString(p->key) +
           (p->condition ? " IF " + ToString(*p->condition) : "") + ReturningText(p->returning);
  }
  const auto& p = std::get<ConditionCheckPlan>(plan);
  return "CHECK " + p.table + " KEY " + model::DebugString(p.key) + " IF " + ToString(p.condition);
}

}  // namespace basalt::partiql
