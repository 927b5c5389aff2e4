// The syntax tree of a PartiQL statement, as the parser (parser.h) builds it.
//
// The tree keeps more than DynamoDB supports (aliases, LIMIT, arithmetic
// anywhere, function calls of any name) because DynamoDB parses first and
// rejects unsupported constructs afterwards, with messages of their own
// ("Aliasing is not supported", "Unsupported clause: LIMIT at 1:27:1"); the
// planner (planner.h) reports those. Values are moved, never shared.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "partiql/lexer.h"

namespace basalt::partiql::ast {

struct Expr;

// One step after the first name of a path: `.name`, `."name"`, `[expr]`,
// `.*` or `[*]`.
struct PathStep {
  enum class Kind { kName, kIndex, kDotStar, kBracketStar };
  Kind kind = Kind::kName;
  std::string name;         // kName
  std::vector<Expr> index;  // kIndex: the expression between the brackets (one)
  Location loc;
};

struct Expr {
  enum class Kind {
    kPath,          // text: first name; steps (children[0]: the expression the steps apply to, when not a name)
    kString,        // text: the unescaped string
    kNumber,        // text: as written, with a leading '-' when a unary minus was folded in
    kBool,          // boolean
    kNull,          // NULL
    kMissing,       // MISSING
    kParameter,     // ordinal: 0-based position among the statement's `?`
    kList,          // [a, b] (or a parenthesized list after IN: paren_list)
    kStruct,        // {k: v, ...}: children alternate key, value
    kBag,           // <<a, b>>
    kCall,          // text: function name as written; children: arguments; star: f(*)
    kUnary,         // text: "-", "+" or "NOT"; children[0]
    kBinary,        // text: the operator ("AND", "OR", "=", "<>", "!=", "<", "+", "||", "LIKE", ...)
    kBetween,       // children: value, low, high; negated for NOT BETWEEN
    kIn,            // children: value, collection; negated for NOT IN
    kIs,            // children[0] IS [NOT] text (a type name in upper case); negated
    kTypedLiteral,  // DATE '...', TIME '...': unsupported by DynamoDB
  };
  Kind kind = Kind::kPath;
  Location loc;  // the token DynamoDB's messages point at (operator, function name, literal)
  std::string text;
  bool quoted = false;          // kPath: the first name was "quoted"
  bool boolean = false;         // kBool
  bool negated = false;         // kBetween, kIn, kIs
  bool star = false;            // kCall: COUNT(*)
  bool paren_list = false;      // kList written as (a, b)
  size_t ordinal = 0;           // kParameter
  std::vector<PathStep> steps;  // kPath
  std::vector<Expr> children;
  std::optional<Location> subquery;  // kCall: a SELECT as the argument (`EXISTS(SELECT ...)` in WHERE)
};

// FROM "Table" or FROM "Table"."Index": the source as a path.
struct Source {
  Expr path;
  bool aliased = false;  // FROM "T" t, FROM "T" AS t, AT, BY
  bool several = false;  // FROM "A", "B"
};

struct OrderBy {
  Expr key;
  bool descending = false;
};

struct SelectStatement {
  Location loc;                  // SELECT
  bool star = false;             // SELECT *
  bool distinct = false;         // SELECT DISTINCT
  bool value = false;            // SELECT VALUE / PIVOT
  bool aliased = false;          // SELECT a AS b
  std::vector<Expr> projection;  // when !star
  Source from;
  std::optional<Expr> where;
  std::vector<OrderBy> order_by;
  std::optional<Expr> limit;  // LIMIT n: unsupported by DynamoDB
};

struct InsertStatement {
  Location loc;  // INSERT
  Expr target;   // the table path
  Expr value;
  bool at = false;         // INSERT ... AT x
  bool returning = false;  // INSERT ... RETURNING ...
};

// One returning element: (ALL | MODIFIED) (OLD | NEW) <*>.
struct Returning {
  bool all = true;      // ALL or MODIFIED
  bool old = true;      // OLD or NEW
  bool star = true;     // false: something else followed, e.g. `ALL OLD a`
  size_t elements = 0;  // 0: no RETURNING clause
};

struct UpdateAction {
  enum class Kind { kSet, kRemove };
  Kind kind = Kind::kSet;
  Expr target;  // a path (as parsed: any expression, checked by the planner)
  Expr value;   // kSet
};

struct UpdateStatement {
  Location loc;  // UPDATE
  Expr target;
  std::vector<UpdateAction> actions;  // in the order written
  std::optional<Expr> where;
  Returning returning;
};

struct DeleteStatement {
  Location loc;  // DELETE
  Source from;
  std::optional<Expr> where;
  Returning returning;
};

// EXISTS(SELECT ...): a condition check, allowed only in write transactions.
struct ExistsStatement {
  Location loc;  // EXISTS
  SelectStatement select;
};

// A statement that is just an expression (`1`, `a.b`): PartiQL parses it,
// DynamoDB rejects it ("Unsupported operation: Literal").
struct ExpressionStatement {
  Expr expr;
};

struct Statement {
  using Body = std::variant<SelectStatement, InsertStatement, UpdateStatement, DeleteStatement, ExistsStatement,
                            ExpressionStatement>;
  Statement();
  Statement(Body body, size_t parameter_count);
  // Defined in ast.cc: inlined, GCC 12 takes the moves of the variant for
  // reads of uninitialized memory (-Wmaybe-uninitialized).
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&);
  Statement& operator=(const Statement&);
  ~Statement();

  Body body;
  size_t parameter_count = 0;  // how many `?` the statement has
};

// A one-line rendering of the tree for tests, e.g.
//   SELECT [a.b[2], "c"] FROM Music WHERE (= Artist 'Acme') ORDER BY [Year DESC]
std::string ToString(const Expr& expr);
std::string ToString(const Statement& statement);

}  // namespace basalt::partiql::ast
