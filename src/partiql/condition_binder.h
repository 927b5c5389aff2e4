// Binding of WHERE clauses and SET values to expr::Condition and
// expr::Operand trees (the mapping is written down in binder.h).
//
// DynamoDB translates a statement's WHERE to its own condition expression and
// then validates that expression, so its errors come in two rounds: first
// what cannot be translated, wherever it is (DynamoDB Local: `begins_with(zz,
// 1) AND a = 1 + 1` reports the `+`, not begins_with's operand), then the
// operand checks of DynamoDB's expressions, with the same texts as
// expr/parser.cc (operand types and counts, distinct operands, BETWEEN bounds,
// attribute_type names). The binder therefore fails at once on the first and
// defers the second until the whole clause is translated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "expr/expression.h"
#include "model/attribute_value.h"
#include "partiql/ast.h"

namespace basalt::partiql {

// A document path: attribute names, `.name`, `[n]` and `['name']` steps.
// Errors: "Path component cannot be an empty string", "List index is not
// within the allowable range; index: [-1] at 1:11:1", "Unexpected path
// component at ...", and DynamoDB's refusals of `.*` and `[*]`.
Result<expr::Path> BindPath(const ast::Expr& e);

class ConditionBinder {
 public:
  explicit ConditionBinder(const std::vector<model::AttributeValue>& params) : params_(params) {}

  // The WHERE clause of any statement.
  Result<expr::Condition> BindWhere(const ast::Expr& where);

  // The right side of `SET path = <value>`: values, paths, `+`, `-`,
  // if_not_exists and list_append.
  Result<expr::Operand> BindSetValue(const ast::Expr& value);

  // The first deferred check that failed (ok when none did).
  const Status& deferred() const { return deferred_; }

 private:
  Result<expr::Condition> BindBoolean(const ast::Expr& e);
  Result<expr::Condition> BindLogicalOperand(const ast::Expr& e, std::string_view op);
  Result<expr::Condition> BindCall(const ast::Expr& e);
  Result<expr::Operand> BindOperand(const ast::Expr& e);
  Result<expr::Operand> ValueOf(const ast::Expr& e);
  Result<std::vector<expr::Operand>> BindOperands(const std::vector<ast::Expr>& exprs);

  // Deferred checks, as in expr/parser.cc.
  void Defer(std::string message);
  void CheckTypes(const std::vector<expr::Operand>& ops, std::string_view fn, std::initializer_list<model::Type> ok);
  bool CheckCount(const std::vector<expr::Operand>& ops, std::string_view fn, size_t n);
  void CheckDistinct(const std::vector<expr::Operand>& ops, std::string_view op);
  bool RequirePath(const expr::Operand& o, std::string_view fn);

  const std::vector<model::AttributeValue>& params_;
  Status deferred_;
};

// Two paths of one update or projection that overlap (one is a prefix of the
// other) or conflict (they first differ by a name against an index), with
// DynamoDB's message naming the later path first ("path one: [a], path two:
// [a, b]" for `SET a.b = 2, a = 1`).
Status CheckPathsDisjoint(const std::vector<expr::Path>& paths);

}  // namespace basalt::partiql
