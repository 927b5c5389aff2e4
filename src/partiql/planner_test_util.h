// Helpers of the planner tests: parse, bind and plan a statement against
// fixed tables, and render the plan or the error as one string.
//
// Tables: "T" (pk S, sk N) with index "G" (g S) and "L" (pk S, lsk S);
//         "H" (pk S).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/number.h"
#include "partiql/binder.h"
#include "partiql/parser.h"
#include "partiql/planner.h"

namespace basalt::partiql::test_util {

using model::AttributeValue;
using AV = AttributeValue;
using model::Item;
using model::KeySchema;
using model::Type;

inline AV N(std::string_view text) { return AV::N(*model::Number::Parse(text)); }
inline AV S(std::string s) { return AV::S(std::move(s)); }

inline KeySchemas SchemasFor(const BoundStatement& b) {
  KeySchemas k;
  if (b.table == "H") {
    k.table = KeySchema{{"pk", Type::kS}, std::nullopt};
  } else {
    k.table = KeySchema{{"pk", Type::kS}, model::KeyAttribute{"sk", Type::kN}};
  }
  if (b.index == "G") k.index = KeySchema{{"g", Type::kS}, std::nullopt};
  if (b.index == "L") k.index = KeySchema{{"pk", Type::kS}, model::KeyAttribute{"lsk", Type::kS}};
  return k;
}

inline Result<Plan> MakePlan(std::string_view text, const std::vector<AV>& params, Context context) {
  BASALT_ASSIGN_OR_RETURN(ast::Statement st, Parse(text));
  BASALT_ASSIGN_OR_RETURN(BoundStatement b, Bind(st, params, context));
  return PlanStatement(b, SchemasFor(b), context);
}

inline std::string P(std::string_view text, const std::vector<AV>& params = {},
                     Context context = Context::kExecuteStatement) {
  Result<Plan> r = MakePlan(text, params, context);
  if (!r.ok()) return r.status().message();
  return ToString(*r);
}

struct Row {
  std::string statement;
  std::string expected;
  std::vector<AV> params = {};
};

inline void RunTable(const std::vector<Row>& rows, Context context = Context::kExecuteStatement) {
  for (const Row& row : rows) {
    EXPECT_EQ(P(row.statement, row.params, context), row.expected) << "statement: " << row.statement;
  }
}

}  // namespace basalt::partiql::test_util
