// Binding of whole statements. The checks and their texts (DynamoDB Local's,
// in the order it reports them):
//   SELECT  VALUE/PIVOT: "Select projection doesn't support value or pivot keywords"
//           DISTINCT: "Unsupported token in expression: DISTINCT"
//           aliases (SELECT a AS b, FROM "T" t): "Aliasing is not supported"
//           FROM "A", "B": "Only select from a single table or index is supported."
//           FROM "T"."I"."x": "A path may contain at most 2 components in the FROM clause"
//           FROM "T"[0]: "Invalid list expression in source."
//           a projection that is not a path: "Unexpected path component at <pos>"
//           a.* or a[*] in the projection: "Changing item's hierarchy while reading isn't supported"
//           two paths with one name: "Duplicate identifiers in select clause: <name>" (a.d, x.d)
//           overlapping paths: "Two document paths overlap with each other; ..."
//           LIMIT n: "Unsupported clause: LIMIT at <pos of n>"
//   INSERT  INTO "T"."I": "FROM clause may only contain a single table name in data manipulation statements"
//           AT: "AT is not supported in insert statements. at <pos of INSERT>"
//           RETURNING: "RETURNING is not supported in INSERT"
//           a value that is not {...}: "Unsupported format in item expression. Please use struct
//           format {...} to express item values for insert statement. at <pos>"
//   UPDATE, DELETE on "T"."I": "This operation is not supported on an index"
//           RETURNING x: "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"
//           two elements: "Invalid syntax with multiple returning elements in RETURNING clause"
//           DELETE ... RETURNING other than ALL OLD *: "Invalid returning clause: RETURNING ALL NEW *.
//           Only RETURNING ALL OLD * is allowed in DELETE statements."
//   a bare expression: "Unsupported operation: Literal" (Path, VariableReference, Seq, Struct, Parameter)
#include "partiql/binder.h"

#include <algorithm>

#include "partiql/condition_binder.h"
#include "partiql/errors.h"
#include "partiql/literals.h"
#include "partiql/select_output.h"

namespace basalt::partiql {
namespace {

using ast::Expr;
using model::AttributeValue;

struct Target {
  std::string table;
  std::optional<std::string> index;
};

// FROM "T" or FROM "T"."I".
Result<Target> BindSource(const ast::Source& src) {
  if (src.several) return Unsupported("Only select from a single table or index is supported.");
  if (src.aliased) return Unsupported("Aliasing is not supported");
  const Expr& p = src.path;
  if (p.kind != Expr::Kind::kPath) return Unsupported("Unexpected from source");
  if (p.steps.size() > 1) return Unsupported("A path may contain at most 2 components in the FROM clause");
  Target t;
  BASALT_ASSIGN_OR_RETURN(expr::Path path, BindPath(p));
  if (!p.steps.empty() && p.steps[0].kind != ast::PathStep::Kind::kName) {
    return Unsupported("Invalid list expression in source.");
  }
  t.table = path[0].name;
  if (path.size() > 1) t.index = path[1].name;
  return t;
}

// What DynamoDB Local names an ORDER BY argument that is not an attribute name.
std::string OrderArgName(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kPath:
      return "PATH";
    case Expr::Kind::kNumber:
    case Expr::Kind::kString:
      return e.text;
    case Expr::Kind::kBool:
      return e.boolean ? "true" : "false";
    case Expr::Kind::kNull:
      return "null";
    default:
      return "NAry";
  }
}

Result<ReturnValues> BindReturning(const ast::Returning& r) {
  if (r.elements == 0) return ReturnValues::kNone;
  if (r.elements > 1) return Unsupported("Invalid syntax with multiple returning elements in RETURNING clause");
  if (!r.star) return Unsupported("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
  if (r.all) return r.old ? ReturnValues::kAllOld : ReturnValues::kAllNew;
  return r.old ? ReturnValues::kModifiedOld : ReturnValues::kModifiedNew;
}

// Binds a WHERE clause, the translation errors first and the operand checks after.
Status BindWhere(const std::optional<Expr>& where, const std::vector<AttributeValue>& params,
                 std::optional<expr::Condition>* out) {
  if (!where) return Status::Ok();
  ConditionBinder b(params);
  BASALT_ASSIGN_OR_RETURN(expr::Condition c, b.BindWhere(*where));
  BASALT_RETURN_IF_ERROR(b.deferred());
  *out = std::move(c);
  return Status::Ok();
}

// `?` where DynamoDB takes no parameter: below the top of a list, map or set
// literal, or as a path index. DynamoDB Local reports these before a missing
// parameter (`x = {'k': ?}` without parameters is about the `?`), with the
// texts the value converter and path binder use. `where` is the key path of
// literal values (literals.h).
Status ParameterPlaces(const Expr& e, const std::string& where, bool nested, bool item_root = false) {
  switch (e.kind) {
    case Expr::Kind::kParameter:
      if (nested) return UnsupportedAt("Unsupported data type: Parameter under key " + where, e.loc);
      return Status::Ok();
    case Expr::Kind::kList:
      for (size_t i = 0; i < e.children.size(); ++i) {
        BASALT_RETURN_IF_ERROR(ParameterPlaces(e.children[i], where + "." + std::to_string(i), true));
      }
      return Status::Ok();
    case Expr::Kind::kStruct:
      for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
        const Expr& k = e.children[i];
        const std::string child = item_root ? where : where + "." + k.text;
        BASALT_RETURN_IF_ERROR(ParameterPlaces(e.children[i + 1], child, !item_root));
      }
      return Status::Ok();
    case Expr::Kind::kBag:
      for (const Expr& c : e.children) {
        if (c.kind == Expr::Kind::kParameter) {
          return UnsupportedAt("Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags",
                               c.loc);
        }
      }
      return Status::Ok();
    case Expr::Kind::kPath:
      for (const ast::PathStep& s : e.steps) {
        if (s.kind == ast::PathStep::Kind::kIndex && s.index[0].kind == Expr::Kind::kParameter) {
          return UnsupportedAt("Unexpected path component", s.index[0].loc);
        }
      }
      for (const Expr& c : e.children) BASALT_RETURN_IF_ERROR(ParameterPlaces(c, "root", false));
      return Status::Ok();
    case Expr::Kind::kIn:
      // The members of an IN list are operands of their own (`x IN [?, ?]`).
      BASALT_RETURN_IF_ERROR(ParameterPlaces(e.children[0], "root", false));
      if (e.children[1].kind != Expr::Kind::kList) return ParameterPlaces(e.children[1], "root", false);
      for (const Expr& c : e.children[1].children) BASALT_RETURN_IF_ERROR(ParameterPlaces(c, "root", false));
      return Status::Ok();
    default:
      // Operators and calls: each operand is a value of its own.
      for (const Expr& c : e.children) BASALT_RETURN_IF_ERROR(ParameterPlaces(c, "root", false));
      return Status::Ok();
  }
}

// Misplaced parameters, then their number (DynamoDB Local ignores extra
// parameters, and so does Basalt; the reference says nothing either way).
Status CheckParameters(const std::vector<const Expr*>& exprs, const Expr* item, size_t needed, size_t given) {
  for (const Expr* e : exprs) BASALT_RETURN_IF_ERROR(ParameterPlaces(*e, "root", false));
  if (item) BASALT_RETURN_IF_ERROR(ParameterPlaces(*item, "root", false, /*item_root=*/true));
  if (given < needed) return Status::Validation(std::string(kParameterCountMismatch));
  return Status::Ok();
}

Status BindProjection(const ast::SelectStatement& s, expr::Projection* out) {
  if (s.star) return Status::Ok();
  for (const Expr& item : s.projection) {
    if (item.kind != Expr::Kind::kPath) return UnsupportedAt("Unexpected path component", item.loc);
    for (const ast::PathStep& step : item.steps) {
      if (step.kind == ast::PathStep::Kind::kDotStar || step.kind == ast::PathStep::Kind::kBracketStar) {
        return Unsupported("Changing item's hierarchy while reading isn't supported");
      }
    }
    BASALT_ASSIGN_OR_RETURN(expr::Path p, BindPath(item));
    // PartiQL names a selected path by its last step (select_output.h).
    const std::string name = SelectedName(p);
    if (std::any_of(out->paths.begin(), out->paths.end(),
                    [&](const expr::Path& q) { return SelectedName(q) == name; })) {
      return Unsupported("Duplicate identifiers in select clause: " + name);
    }
    out->paths.push_back(std::move(p));
  }
  return CheckPathsDisjoint(out->paths);
}

Result<BoundStatement> BindSelect(const ast::SelectStatement& s, const std::vector<AttributeValue>& params,
                                  size_t needed) {
  if (s.value) return Unsupported("Select projection doesn't support value or pivot keywords");
  if (s.distinct) return Unsupported("Unsupported token in expression: DISTINCT");
  if (s.aliased) return Unsupported("Aliasing is not supported");
  BoundStatement b;
  b.kind = BoundStatement::Kind::kSelect;
  BASALT_ASSIGN_OR_RETURN(Target t, BindSource(s.from));
  b.table = std::move(t.table);
  b.index = std::move(t.index);
  BASALT_RETURN_IF_ERROR(BindProjection(s, &b.projection));
  if (s.limit) return UnsupportedAt("Unsupported clause: LIMIT", s.limit->loc);
  // DynamoDB Local checks the parameters after the SELECT list and FROM, before WHERE.
  std::vector<const Expr*> exprs;
  if (s.where) exprs.push_back(&*s.where);
  BASALT_RETURN_IF_ERROR(CheckParameters(exprs, nullptr, needed, params.size()));
  BASALT_RETURN_IF_ERROR(BindWhere(s.where, params, &b.where));
  for (const ast::OrderBy& o : s.order_by) {
    OrderKey k;
    k.descending = o.descending;
    if (o.key.kind == Expr::Kind::kPath && o.key.steps.empty()) {
      k.name = o.key.text;
    } else {
      k.other = OrderArgName(o.key);
    }
    b.order_by.push_back(std::move(k));
  }
  return b;
}

// INSERT INTO, UPDATE, DELETE FROM: a table, never an index.
Result<std::string> BindDmlTarget(const Expr& target, bool insert) {
  BASALT_ASSIGN_OR_RETURN(expr::Path p, BindPath(target));
  if (p.size() > 1) {
    return Unsupported(insert ? "FROM clause may only contain a single table name in data manipulation statements"
                              : "This operation is not supported on an index");
  }
  return p[0].name;
}

Result<BoundStatement> BindInsert(const ast::InsertStatement& s, const std::vector<AttributeValue>& params) {
  BoundStatement b;
  b.kind = BoundStatement::Kind::kInsert;
  BASALT_ASSIGN_OR_RETURN(b.table, BindDmlTarget(s.target, true));
  if (s.at) return UnsupportedAt("AT is not supported in insert statements.", s.loc);
  if (s.returning) return Unsupported("RETURNING is not supported in INSERT");
  if (s.value.kind != Expr::Kind::kStruct) {
    return UnsupportedAt(
        "Unsupported format in item expression. Please use struct format {...} to express item values for insert "
        "statement.",
        s.value.loc);
  }
  BASALT_ASSIGN_OR_RETURN(AttributeValue item, ConvertValue(s.value, params, /*item_root=*/true));
  b.item = item.map();
  return b;
}

// set_add(path, <<...>>) and set_delete(path, <<...>>) as the whole value of
// `SET path = ...` are DynamoDB's ADD and DELETE actions on a set.
Result<expr::UpdateAction> BindSetFunction(const ast::UpdateAction& a, const expr::Path& target,
                                           const std::vector<AttributeValue>& params) {
  const Expr& call = a.value;
  const bool add = call.text == "set_add";
  const std::string name = add ? "SET_ADD" : "SET_DELETE";
  if (call.children.size() != 2) return UnsupportedAt(name + " must have exactly two arguments", call.loc);
  const Expr& first = call.children[0];
  Result<expr::Path> p = first.kind == Expr::Kind::kPath ? BindPath(first) : Result<expr::Path>(expr::Path{});
  if (!p.ok() || *p != target) return Unsupported("The first argument to " + name + " must equal the assignment value");
  const Expr& second = call.children[1];
  // DynamoDB Local points at the first argument here.
  const Status not_a_set =
      UnsupportedAt("The second argument to " + name + " must be a value with type SET", first.loc);
  if (second.kind != Expr::Kind::kBag && second.kind != Expr::Kind::kParameter) return not_a_set;
  BASALT_ASSIGN_OR_RETURN(AttributeValue v, ConvertValue(second, params));
  if (v.type() != model::Type::kSS && v.type() != model::Type::kNS && v.type() != model::Type::kBS) return not_a_set;
  expr::UpdateAction action;
  action.kind = add ? expr::UpdateAction::Kind::kAdd : expr::UpdateAction::Kind::kDelete;
  action.path = target;
  action.value.kind = expr::Operand::Kind::kValue;
  action.value.value = std::move(v);
  return action;
}

Result<BoundStatement> BindUpdate(const ast::UpdateStatement& s, const std::vector<AttributeValue>& params) {
  BoundStatement b;
  b.kind = BoundStatement::Kind::kUpdate;
  BASALT_ASSIGN_OR_RETURN(b.table, BindDmlTarget(s.target, false));
  BASALT_ASSIGN_OR_RETURN(b.returning, BindReturning(s.returning));
  // DynamoDB Local reports the WHERE clause's problems before the SET values'.
  BASALT_RETURN_IF_ERROR(BindWhere(s.where, params, &b.where));
  ConditionBinder values(params);
  std::vector<expr::Path> paths;
  for (const ast::UpdateAction& a : s.actions) {
    BASALT_ASSIGN_OR_RETURN(expr::Path target, BindPath(a.target));
    expr::UpdateAction action;
    if (a.kind == ast::UpdateAction::Kind::kRemove) {
      action.kind = expr::UpdateAction::Kind::kRemove;
      action.path = target;
    } else if (a.value.kind == Expr::Kind::kCall && (a.value.text == "set_add" || a.value.text == "set_delete")) {
      BASALT_ASSIGN_OR_RETURN(action, BindSetFunction(a, target, params));
    } else {
      action.kind = expr::UpdateAction::Kind::kSet;
      action.path = target;
      BASALT_ASSIGN_OR_RETURN(action.value, values.BindSetValue(a.value));
    }
    paths.push_back(std::move(target));
    b.update.actions.push_back(std::move(action));
  }
  BASALT_RETURN_IF_ERROR(values.deferred());
  BASALT_RETURN_IF_ERROR(CheckPathsDisjoint(paths));
  return b;
}

Result<BoundStatement> BindDelete(const ast::DeleteStatement& s, const std::vector<AttributeValue>& params) {
  BoundStatement b;
  b.kind = BoundStatement::Kind::kDelete;
  BASALT_ASSIGN_OR_RETURN(b.table, BindDmlTarget(s.from.path, false));
  BASALT_ASSIGN_OR_RETURN(b.returning, BindReturning(s.returning));
  if (b.returning != ReturnValues::kNone && b.returning != ReturnValues::kAllOld) {
    const ast::Returning& r = s.returning;
    return Unsupported(std::string("Invalid returning clause: RETURNING ") + (r.all ? "ALL" : "MODIFIED") +
                       (r.old ? " OLD" : " NEW") + " *. Only RETURNING ALL OLD * is allowed in DELETE statements.");
  }
  BASALT_RETURN_IF_ERROR(BindWhere(s.where, params, &b.where));
  return b;
}

// What DynamoDB Local calls a statement that is only an expression.
Status UnsupportedExpression(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kString:
    case Expr::Kind::kNumber:
    case Expr::Kind::kBool:
    case Expr::Kind::kNull:
      return Unsupported("Unsupported operation: Literal");
    case Expr::Kind::kMissing:
      return Unsupported("Unsupported operation: LiteralMissing");
    case Expr::Kind::kPath:
      return Unsupported(e.steps.empty() ? "Unsupported operation: VariableReference" : "Unsupported operation: Path");
    case Expr::Kind::kList:
    case Expr::Kind::kBag:
      return Unsupported("Unsupported operation: Seq");
    case Expr::Kind::kStruct:
      return Unsupported("Unsupported operation: Struct");
    case Expr::Kind::kParameter:
      return Unsupported("Unsupported operation: Parameter");
    default:
      // DynamoDB Local answers any operator or call (`1 + 1`, `upper('a')`) so.
      return Unsupported("EXISTS can only be used in ExecuteTransaction write requests.");
  }
}

}  // namespace

Result<BoundStatement> Bind(const ast::Statement& statement, const std::vector<AttributeValue>& params,
                            Context context) {
  const size_t needed = statement.parameter_count;
  const size_t given = params.size();
  if (const auto* s = std::get_if<ast::SelectStatement>(&statement.body)) return BindSelect(*s, params, needed);
  if (const auto* s = std::get_if<ast::InsertStatement>(&statement.body)) {
    BASALT_RETURN_IF_ERROR(CheckParameters({}, &s->value, needed, given));
    return BindInsert(*s, params);
  }
  if (const auto* s = std::get_if<ast::UpdateStatement>(&statement.body)) {
    std::vector<const Expr*> exprs;
    if (s->where) exprs.push_back(&*s->where);
    for (const ast::UpdateAction& a : s->actions) {
      exprs.push_back(&a.target);
      if (a.kind == ast::UpdateAction::Kind::kSet) exprs.push_back(&a.value);
    }
    BASALT_RETURN_IF_ERROR(CheckParameters(exprs, nullptr, needed, given));
    return BindUpdate(*s, params);
  }
  if (const auto* s = std::get_if<ast::DeleteStatement>(&statement.body)) {
    std::vector<const Expr*> exprs;
    if (s->where) exprs.push_back(&*s->where);
    BASALT_RETURN_IF_ERROR(CheckParameters(exprs, nullptr, needed, given));
    return BindDelete(*s, params);
  }
  if (const auto* s = std::get_if<ast::ExistsStatement>(&statement.body)) {
    if (context != Context::kTransaction) {
      return Unsupported("EXISTS can only be used in ExecuteTransaction write requests.");
    }
    BASALT_ASSIGN_OR_RETURN(BoundStatement b, BindSelect(s->select, params, needed));
    b.kind = BoundStatement::Kind::kExists;
    return b;
  }
  BASALT_RETURN_IF_ERROR(CheckParameters({}, nullptr, needed, given));
  return UnsupportedExpression(std::get<ast::ExpressionStatement>(statement.body).expr);
}

Result<StatementTarget> TargetOf(const ast::Statement& statement) {
  StatementTarget t;
  const ast::SelectStatement* select = nullptr;
  if (const auto* s = std::get_if<ast::SelectStatement>(&statement.body)) select = s;
  if (const auto* s = std::get_if<ast::ExistsStatement>(&statement.body)) select = &s->select;
  if (select) {
    BASALT_ASSIGN_OR_RETURN(Target source, BindSource(select->from));
    t.action = "PartiQLSelect";
    t.table = std::move(source.table);
    t.index = std::move(source.index);
  } else if (const auto* s = std::get_if<ast::InsertStatement>(&statement.body)) {
    t.action = "PartiQLInsert";
    BASALT_ASSIGN_OR_RETURN(t.table, BindDmlTarget(s->target, true));
  } else if (const auto* s = std::get_if<ast::UpdateStatement>(&statement.body)) {
    t.action = "PartiQLUpdate";
    BASALT_ASSIGN_OR_RETURN(t.table, BindDmlTarget(s->target, false));
  } else if (const auto* s = std::get_if<ast::DeleteStatement>(&statement.body)) {
    t.action = "PartiQLDelete";
    BASALT_ASSIGN_OR_RETURN(t.table, BindDmlTarget(s->from.path, false));
  } else {
    t.action = "PartiQLSelect";
  }
  return t;
}

}  // namespace basalt::partiql
