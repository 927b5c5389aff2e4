// Planning: a bound statement (binder.h) and the key schemas of the table (and
// index) it names become a plan made of Basalt's expression types, for an
// executor in db/ to run. The planner knows nothing of storage or of db/.
//
// Use:
//   Result<ast::Statement> st = Parse(text);                      // syntax
//   Result<BoundStatement> b = Bind(*st, parameters, context);     // parameters, unsupported constructs, WHERE
//   ... look up b->table and b->index (ResourceNotFoundException; DynamoDB
//       Local: "The table does not have the specified index: <name>") ...
//   Result<Plan> plan = PlanStatement(std::move(*b), {table_keys, index_keys}, context);
//
// What each statement plans to:
//   SELECT  kGetItem when WHERE fixes every key attribute of the table by `=`
//           (one item; the rest of WHERE is the filter); kQuery when WHERE
//           fixes the partition key by `=` or IN (one KeyConditionExpression-
//           shaped condition per partition value: `pk = v`, AND-ed with at most
//           one sort-key comparison, key on the left); kScan otherwise, with all
//           of WHERE as the filter (reference/partiql.md, "Query vs full scan").
//   INSERT  the item, which must not exist yet (DuplicateItemException).
//   UPDATE  the item's key (WHERE must fix every key attribute by `=`), the
//           update, and a condition: attribute_exists(<hash key>) AND the rest
//           of WHERE, because an UPDATE of a missing item fails the condition
//           (ConditionalCheckFailedException; UPDATE is not an upsert).
//   DELETE  the key and, when WHERE says more than the key, the condition
//           attribute_not_exists(<hash key>) OR (the rest): deleting a missing
//           item succeeds, deleting one that fails the rest is
//           ConditionalCheckFailedException (reference and DynamoDB Local).
//   EXISTS  a condition check (transactions only): the key and
//           attribute_exists(<hash key>) AND the rest of WHERE, which must not
//           be empty (DynamoDB Local fails the check for a missing item even
//           when the rest is `x IS MISSING`).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "expr/expression.h"
#include "expr/projection.h"
#include "model/attribute_value.h"
#include "model/schema.h"
#include "partiql/binder.h"

namespace basalt::partiql {

struct SelectPlan {
  enum class Access {
    kGetItem,  // one item by its full primary key (table reads only)
    kQuery,    // one Query per entry of key_conditions, in that order
    kScan,     // a Scan of the table or index
  };
  Access access = Access::kScan;
  std::string table;
  std::optional<std::string> index;
  // kGetItem: the key.
  model::Item key;
  // kQuery: `hash = v` or `hash = v AND <sort-key comparison>` (an
  // expr::Condition of kind kCompare, or kAnd of two), key on the left; the
  // sort-key comparison is one of = < <= > >= BETWEEN begins_with.
  std::vector<expr::Condition> key_conditions;
  std::optional<expr::Condition> filter;  // the rest of WHERE, applied after the read
  expr::Projection projection;            // empty: every attribute; shape rows with SelectRow (select_output.h)
  // ORDER BY <sort key> DESC reads backwards. Partition values are read in the
  // statement's order, or in key order (ascending or descending) when ORDER BY
  // names the partition key.
  bool forward = true;
  // WHERE is only `=` on every key attribute of the table: what
  // BatchExecuteStatement and ExecuteTransaction require of a SELECT.
  bool single_item = false;
};

struct InsertPlan {
  std::string table;
  model::Item item;
  bool must_not_exist = true;  // an existing item is DuplicateItemException, not an overwrite
};

struct UpdatePlan {
  std::string table;
  model::Item key;
  expr::Condition condition;  // attribute_exists(hash) AND the rest of WHERE
  expr::Update update;        // SET and REMOVE; set_add/set_delete as ADD/DELETE
  ReturnValues returning = ReturnValues::kNone;
};

struct DeletePlan {
  std::string table;
  model::Item key;
  std::optional<expr::Condition> condition;      // attribute_not_exists(hash) OR (the rest of WHERE)
  ReturnValues returning = ReturnValues::kNone;  // kNone or kAllOld
};

struct ConditionCheckPlan {
  std::string table;
  model::Item key;
  expr::Condition condition;  // attribute_exists(hash) AND the rest of WHERE
};

using Plan = std::variant<SelectPlan, InsertPlan, UpdatePlan, DeletePlan, ConditionCheckPlan>;

// The key schemas the statement's table (and index, for SELECT ... FROM "T"."I") have.
struct KeySchemas {
  model::KeySchema table;
  std::optional<model::KeySchema> index;
};

// Plans a bound statement. Errors are Code::kValidation with DynamoDB's texts
// (listed in planner.cc): key values of the wrong type or empty, writes
// without the full key, ORDER BY rules, and the single-item rules of
// BatchExecuteStatement and ExecuteTransaction (without the "Validation failed
// in TransactStatements[i]: " prefix that ExecuteTransaction adds).
Result<Plan> PlanStatement(BoundStatement statement, const KeySchemas& keys, Context context);

// Renderings for tests and logs. Conditions in prefix form with values as
// model::DebugString prints them, e.g. (AND (= pk S"a") (> sk N1)).
std::string ToString(const expr::Condition& condition);
std::string ToString(const expr::Operand& operand);
std::string ToString(const expr::Update& update);
std::string ToString(const Plan& plan);

}  // namespace basalt::partiql
