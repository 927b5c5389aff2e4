// Binding: a parsed statement and its parameters become Basalt's expression
// types, with every check DynamoDB makes before it looks at the table.
//
// DynamoDB Local reports a statement's problems in this order, which the
// binder and the planner keep: a SELECT's unsupported syntax (aliases, LIMIT,
// DISTINCT, non-path projections, bad paths); misplaced parameters and the
// parameter count; the WHERE clause and the values (unsupported operators and
// functions, operand checks, literal conversion); then the table (ResourceNotFoundException, checked by
// the caller between Bind and Plan); then what depends on the key schema
// (keys in WHERE, ORDER BY), in planner.h.
//
// WHERE becomes an expr::Condition evaluated by expr::Evaluate, with PartiQL
// mapped onto the condition kinds DynamoDB's expressions have:
//   a = b, a <> b, a != b, <, <=, >, >=  -> kCompare (!= is <>; like DynamoDB's <>, true when a is missing)
//   a [NOT] BETWEEN x AND y              -> kBetween (under kNot)
//   a [NOT] IN [x, y] / IN (x, y)        -> kIn (under kNot)
//   a IS MISSING / IS NOT MISSING        -> attribute_not_exists(a) / attribute_exists(a)
//   a IS NULL / IS NOT NULL              -> attribute_type(a, 'NULL') / NOT attribute_type(a, 'NULL')
//                                           (DynamoDB Local: a missing attribute IS NOT NULL, and is not NULL)
//   a IS STRING | NUMERIC | BOOLEAN | BLOB | LIST | STRUCT | TUPLE
//                                        -> attribute_type(a, 'S' | 'N' | 'BOOL' | 'B' | 'L' | 'M' | 'M')
//   begins_with, contains, attribute_type, attribute_exists, attribute_not_exists, size
//                                        -> the functions of the same name
//   AND, OR, NOT                         -> kAnd, kOr, kNot
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "expr/expression.h"
#include "expr/projection.h"
#include "model/attribute_value.h"
#include "partiql/ast.h"

namespace basalt::partiql {

// Where a statement runs: DynamoDB allows some statements only in some operations.
enum class Context {
  kExecuteStatement,
  kBatch,        // BatchExecuteStatement
  kTransaction,  // ExecuteTransaction
};

// What RETURNING asks for (UPDATE: any; DELETE: ALL OLD only; otherwise none).
enum class ReturnValues { kNone, kAllOld, kModifiedOld, kAllNew, kModifiedNew };

// One ORDER BY key, kept raw: its checks need the key schema.
struct OrderKey {
  std::optional<std::string> name;  // a plain attribute name
  std::string other;                // otherwise what DynamoDB names it ("PATH", or the literal)
  bool descending = false;
};

// A statement bound to its parameters, still independent of the table.
struct BoundStatement {
  enum class Kind { kSelect, kInsert, kUpdate, kDelete, kExists };
  Kind kind = Kind::kSelect;
  std::string table;
  std::optional<std::string> index;  // SELECT ... FROM "T"."I"

  // SELECT, EXISTS, UPDATE, DELETE: the WHERE clause.
  std::optional<expr::Condition> where;
  // SELECT
  expr::Projection projection;  // empty: every attribute
  std::vector<OrderKey> order_by;
  // INSERT
  model::Item item;
  // UPDATE (SET, REMOVE; set_add and set_delete as ADD and DELETE)
  expr::Update update;
  ReturnValues returning = ReturnValues::kNone;
};

// Binds `statement` to `params` (in order, one per `?`). Errors are
// Code::kValidation with DynamoDB's messages:
//   fewer parameters than `?`: "Number of parameters in request and statement
//   don't match." (DynamoDB Local ignores extra parameters, and so does Basalt),
//   checked after a SELECT's list and FROM and before anything else of other
//   statements; a `?` nested in a literal or used as a path index is reported
//   before that;
//   an EXISTS statement outside a transaction: "EXISTS can only be used in
//   ExecuteTransaction write requests."; and the unsupported constructs
//   listed in binder.cc.
Result<BoundStatement> Bind(const ast::Statement& statement, const std::vector<model::AttributeValue>& params,
                            Context context);

// What a statement acts on, for authorization: the IAM action
// ("PartiQLSelect" for SELECT and EXISTS, "PartiQLInsert", "PartiQLUpdate",
// "PartiQLDelete") and the table and index named by its FROM, INTO or UPDATE
// (from the parse tree, so a name inside a string literal is never taken for
// the table). The errors are Bind's for a source it cannot bind; an
// expression statement has no table (an empty one).
struct StatementTarget {
  std::string action;
  std::string table;
  std::optional<std::string> index;
};
Result<StatementTarget> TargetOf(const ast::Statement& statement);

}  // namespace basalt::partiql
