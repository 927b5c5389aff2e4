// Tests for binding and planning reads: each row is a statement (and
// parameters) and its plan rendered as one string, or the exact error. Error
// texts are DynamoDB Local's (checked against it, see
// tests/e2e/test_partiql.py) unless a comment says the reference decided.
// Writes and values are in planner_write_test.cc; the tables in
// planner_test_util.h.
#include "partiql/planner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expr/key_condition.h"
#include "partiql/planner_test_util.h"

namespace basalt::partiql {
namespace {

using namespace test_util;  // NOLINT: the table helpers

// ---------------------------------------------------------------------------
// SELECT: Query or Scan, and with which key condition

TEST(PlanSelectTest, QueryOrScan) {
  RunTable({
      // reference/partiql.md "Query vs full scan", on table T.
      {"SELECT * FROM \"T\" WHERE pk = 'a'", "QUERY T KEYS [(= pk S\"a\")]"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND x = 'y'", "QUERY T KEYS [(= pk S\"a\")] FILTER (= x S\"y\")"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' OR pk = 'b'", "QUERY T KEYS [(= pk S\"a\"), (= pk S\"b\")]"},
      {"SELECT * FROM \"T\" WHERE pk IN ['a', 'c', 'b']", "QUERY T KEYS [(= pk S\"a\"), (= pk S\"c\"), (= pk S\"b\")]"},
      {"SELECT * FROM \"T\" WHERE pk IN ('a', 'a')", "QUERY T KEYS [(= pk S\"a\")]"},
      {"SELECT * FROM \"T\" WHERE pk > 'a'", "SCAN T FILTER (> pk S\"a\")"},
      {"SELECT * FROM \"T\" WHERE x = 'y'", "SCAN T FILTER (= x S\"y\")"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' OR x = 'y'", "SCAN T FILTER (OR (= pk S\"a\") (= x S\"y\"))"},
      {"SELECT * FROM \"T\"", "SCAN T"},
      // The key on either side.
      {"SELECT * FROM \"T\" WHERE 'a' = pk AND 1 < sk", "QUERY T KEYS [(AND (= pk S\"a\") (> sk N1))]"},
      // Sort-key comparisons narrow the query; the first one is the key condition.
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk = 1", "GET T KEY {pk: S\"a\", sk: N1} SINGLE"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk <= 5", "QUERY T KEYS [(AND (= pk S\"a\") (<= sk N5))]"},
      {"SELECT * FROM \"T\" WHERE sk >= 5 AND pk = 'a'", "QUERY T KEYS [(AND (= pk S\"a\") (>= sk N5))]"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk BETWEEN 1 AND 9", "QUERY T KEYS [(AND (= pk S\"a\") (BETWEEN sk N1 "
                                                                      "N9))]"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk > 1 AND sk < 9",
       "QUERY T KEYS [(AND (= pk S\"a\") (> sk N1))] FILTER (< sk N9)"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk <> 1", "QUERY T KEYS [(= pk S\"a\")] FILTER (<> sk N1)"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk IN [1, 2]", "QUERY T KEYS [(= pk S\"a\")] FILTER (IN sk N1 N2)"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND pk = 'b'", "QUERY T KEYS [(= pk S\"a\")] FILTER (= pk S\"b\")"},
      {"SELECT * FROM \"T\" WHERE pk IN ['a', 'b'] AND sk = 1",
       "QUERY T KEYS [(AND (= pk S\"a\") (= sk N1)), (AND (= pk S\"b\") (= sk N1))]"},
      {"SELECT * FROM \"T\" WHERE (pk = 'a' OR pk = 'b') AND sk > 0",
       "QUERY T KEYS [(AND (= pk S\"a\") (> sk N0)), (AND (= pk S\"b\") (> sk N0))]"},
      {"SELECT * FROM \"T\" WHERE sk = 1", "SCAN T FILTER (= sk N1)"},
      // Hash-only table: the partition key is the whole key.
      {"SELECT * FROM \"H\" WHERE pk = 'a'", "GET H KEY {pk: S\"a\"} SINGLE"},
      {"SELECT * FROM \"H\" WHERE pk = 'a' AND n > 1", "GET H KEY {pk: S\"a\"} FILTER (> n N1)"},
      {"SELECT * FROM \"H\" WHERE pk = 'a' AND pk = 'a'", "GET H KEY {pk: S\"a\"} FILTER (= pk S\"a\") SINGLE"},
      // Indexes: their key schema decides.
      {"SELECT * FROM \"T\".\"G\" WHERE g = 'x'", "QUERY T.G KEYS [(= g S\"x\")]"},
      {"SELECT * FROM \"T\".\"G\" WHERE pk = 'a'", "SCAN T.G FILTER (= pk S\"a\")"},
      {"SELECT * FROM \"T\".\"L\" WHERE pk = 'a' AND begins_with(lsk, 'x')",
       "QUERY T.L KEYS [(AND (= pk S\"a\") begins_with(lsk, S\"x\"))]"},
      {"SELECT * FROM \"T\".\"L\" WHERE pk = 'a' AND lsk = 'x'", "QUERY T.L KEYS [(AND (= pk S\"a\") (= lsk S\"x\"))]"},
      // begins_with narrows only string and binary sort keys.
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND begins_with(x, 'b')",
       "QUERY T KEYS [(= pk S\"a\")] FILTER begins_with(x, S\"b\")"},
      // Projections.
      {"SELECT a, b.c[1], \"x y\" FROM \"T\" WHERE pk = 'a'", "QUERY T KEYS [(= pk S\"a\")] PROJECT [a, b.c[1], x y]"},
      {"SELECT a[01], b['k'] FROM \"T\"", "SCAN T PROJECT [a[1], b.k]"},
      {"SELECT a[01], a['k'] FROM \"T\"", "Two document paths conflict with each other; must remove or rewrite one "
                                           "of these paths; path one: [a, k], path two: [a, [1]]"},
  });
}

// The key conditions have the shape of a KeyConditionExpression: db's Query
// reads them back with expr::KeyTermsOf.
TEST(PlanSelectTest, KeyConditionsReadBackAsKeyTerms) {
  auto comparisons = [](std::string_view text) {
    Result<Plan> plan = MakePlan(text, {}, Context::kExecuteStatement);
    EXPECT_TRUE(plan.ok()) << text;
    std::string out;
    for (const expr::Condition& c : std::get<SelectPlan>(*plan).key_conditions) {
      out += "[";
      Result<expr::KeyTerms> terms = expr::KeyTermsOf(c);
      EXPECT_TRUE(terms.ok()) << text;
      if (!terms.ok()) continue;
      for (const expr::KeyComparison& k : terms->comparisons) {
        out += " " + expr::PathToString(k.path) + ":" + std::to_string(static_cast<int>(k.kind));
        for (const AV& v : k.values) out += " " + model::DebugString(v);
      }
      out += " ]";
    }
    return out;
  };
  // KeyComparison::Kind: kEq 0, kLt 1, kLe 2, kGt 3, kGe 4, kBetween 5, kBeginsWith 6.
  EXPECT_EQ(comparisons("SELECT * FROM \"T\" WHERE pk = 'a'"), "[ [pk]:0 S\"a\" ]");
  EXPECT_EQ(comparisons("SELECT * FROM \"T\" WHERE 5 >= sk AND pk = 'a'"), "[ [pk]:0 S\"a\" [sk]:2 N5 ]");
  EXPECT_EQ(comparisons("SELECT * FROM \"T\" WHERE pk IN ['a', 'b'] AND sk BETWEEN 1 AND 2"),
            "[ [pk]:0 S\"a\" [sk]:5 N1 N2 ][ [pk]:0 S\"b\" [sk]:5 N1 N2 ]");
  EXPECT_EQ(comparisons("SELECT * FROM \"T\".\"L\" WHERE pk = 'a' AND begins_with(lsk, 'x')"),
            "[ [pk]:0 S\"a\" [lsk]:6 S\"x\" ]");
}

TEST(PlanSelectTest, Parameters) {
  RunTable({
      {"SELECT * FROM \"T\" WHERE pk = ? AND sk = ?", "GET T KEY {pk: S\"p\", sk: N7} SINGLE",
       {S("p"), N("7")}},
      // Extra parameters are ignored, as DynamoDB Local does.
      {"SELECT * FROM \"T\" WHERE pk = ?", "QUERY T KEYS [(= pk S\"p\")]", {S("p"), S("q")}},
      {"SELECT * FROM \"T\" WHERE pk = ? AND sk = ?", "Number of parameters in request and statement don't match.",
       {S("p")}},
      {"SELECT * FROM \"T\" WHERE pk = ?", "Number of parameters in request and statement don't match."},
      {"SELECT * FROM \"T\" WHERE x IN [?, ?]", "SCAN T FILTER (IN x S\"a\" N1)", {S("a"), N("1")}},
      {"SELECT * FROM \"T\" WHERE x = ?", "SCAN T FILTER (= x B(2 bytes))", {AV::B("\x01\x02")}},
      {"SELECT * FROM \"T\" WHERE x = ?", "SCAN T FILTER (= x L[N1, S\"z\"])", {AV::L({N("1"), S("z")})}},
      // '?' in quotes is the string "?".
      {"SELECT * FROM \"T\" WHERE x = '?'", "SCAN T FILTER (= x S\"?\")", {S("unused")}},
      // A SELECT's list and FROM are checked before the parameter count, WHERE after it.
      {"SELECT a AS b FROM \"T\" WHERE x = ?", "Aliasing is not supported"},
      {"SELECT * FROM \"T\" WHERE x = ? AND a = 1 + 1", "Number of parameters in request and statement don't match."},
      {"DELETE FROM \"T\" WHERE pk = ? RETURNING ALL NEW *", "Number of parameters in request and statement don't "
                                                              "match."},
      // ...but a `?` where no parameter may stand comes first.
      {"SELECT * FROM \"T\" WHERE x = {'k': ?}", "Unsupported data type: Parameter under key root.k at 1:35:1"},
      {"SELECT * FROM \"T\" WHERE x[?] = 1", "Unexpected path component at 1:27:1"},
      {"UPDATE \"T\" SET x = {'a': ?} WHERE pk = 'a' AND sk = 1", "Unsupported data type: Parameter under key root.a "
                                                                  "at 1:26:1"},
      {"INSERT INTO \"T\" VALUE {'pk': ?, 's': <<?>>}", "Unsupported data type in Bag. DynamoDB only supports either "
                                                       "numbers or strings in bags at 1:40:1"},
  });
}

TEST(PlanSelectTest, KeyTypesAndEmptyKeys) {
  RunTable({
      {"SELECT * FROM \"T\" WHERE pk = 1", "Key attribute's data type should match its data type in table's schema: "
                                           "Key pk"},
      {"SELECT * FROM \"T\" WHERE pk = ?", "Key attribute's data type should match its data type in table's schema: "
                                           "Key pk",
       {N("1")}},
      {"SELECT * FROM \"T\" WHERE pk IN ['a', 1]", "Key attribute's data type should match its data type in table's "
                                                   "schema: Key pk"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk = '1'", "Key attribute's data type should match its data type in "
                                                          "table's schema: Key sk"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk < 'z'", "Key attribute's data type should match its data type in "
                                                          "table's schema: Key sk"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND begins_with(sk, 'x')", "Key attribute's data type should match its "
                                                                      "data type in table's schema: Key sk"},
      {"SELECT * FROM \"T\" WHERE sk = 'x'", "One or more parameter values were invalid: Condition parameter type does "
                                             "not match schema type"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk = 1 AND sk = 'x'", "One or more parameter values were invalid: "
                                                                     "Condition parameter type does not match schema "
                                                                     "type"},
      {"SELECT * FROM \"T\" WHERE pk = ''", "One or more parameter values are not valid. The AttributeValue for a key "
                                            "attribute cannot contain an empty string value. Key: pk"},
      {"SELECT * FROM \"T\" WHERE pk IN ['a', '']", "One or more parameter values are not valid. The AttributeValue "
                                                    "for a key attribute cannot contain an empty string value. Key: pk"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk = 1 AND pk = ''", "One or more parameter values are not valid. The "
                                                                    "AttributeValue for a key attribute cannot contain "
                                                                    "an empty string value. Key: pk"},
      // Non-key attributes may hold any type.
      {"SELECT * FROM \"T\" WHERE pk = 'a' AND x < 'z' AND y = ''", "QUERY T KEYS [(= pk S\"a\")] FILTER (AND (< x "
                                                                    "S\"z\") (= y S\"\"))"},
  });
}

// ORDER BY: DynamoDB Local's messages, and the reference's for several
// partition values.
TEST(PlanSelectTest, OrderBy) {
  RunTable({
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY sk DESC", "QUERY T KEYS [(= pk S\"a\")] BACKWARD"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY sk", "QUERY T KEYS [(= pk S\"a\")]"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY \"sk\" DESC", "QUERY T KEYS [(= pk S\"a\")] BACKWARD"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY pk DESC", "QUERY T KEYS [(= pk S\"a\")]"},
      {"SELECT * FROM \"T\" WHERE pk IN ['b', 'c', 'a'] ORDER BY pk",
       "QUERY T KEYS [(= pk S\"a\"), (= pk S\"b\"), (= pk S\"c\")]"},
      {"SELECT * FROM \"T\" WHERE pk IN ['b', 'c', 'a'] ORDER BY pk DESC, sk DESC",
       "QUERY T KEYS [(= pk S\"c\"), (= pk S\"b\"), (= pk S\"a\")] BACKWARD"},
      {"SELECT * FROM \"T\".\"G\" WHERE g = 'x' ORDER BY g DESC", "QUERY T.G KEYS [(= g S\"x\")]"},
      // DynamoDB Local accepts a condition on the hash key that does not fix it, and scans.
      {"SELECT * FROM \"T\" WHERE pk > 'a' ORDER BY sk DESC", "SCAN T FILTER (> pk S\"a\") BACKWARD"},
      {"SELECT * FROM \"T\" ORDER BY sk", "Must have WHERE clause in the statement when using ORDER BY clause."},
      {"SELECT * FROM \"T\" WHERE x = 'a' ORDER BY sk", "Must have at least one non-optional hash key condition in "
                                                        "WHERE clause when using ORDER BY clause."},
      {"SELECT * FROM \"T\" WHERE pk = 'a' OR x = 1 ORDER BY sk", "Must have at least one non-optional hash key "
                                                                  "condition in WHERE clause when using ORDER BY "
                                                                  "clause."},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY x", "Variable reference x in ORDER BY clause must be part of the "
                                                        "primary key"},
      {"SELECT * FROM \"T\".\"G\" WHERE g = 'x' ORDER BY sk", "Variable reference sk in ORDER BY clause must be part of "
                                                              "the primary key"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY a.b DESC", "Argument to ORDER BY must be of type "
                                                               "VariableReference. Type: PATH"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY 1", "Argument to ORDER BY must be of type VariableReference. Type: "
                                                        "1"},
      // The service's rule (reference/partiql.md); DynamoDB Local orders by sk without it.
      {"SELECT * FROM \"T\" WHERE pk = 'a' OR pk = 'b' ORDER BY sk", "Must have hash key in ORDER BY clause when more "
                                                                     "than one hash key condition specified in WHERE "
                                                                     "clause."},
  });
}

TEST(PlanSelectTest, UnsupportedSelects) {
  RunTable({
      {"SELECT DISTINCT pk FROM \"T\"", "Unsupported token in expression: DISTINCT"},
      {"SELECT VALUE a FROM \"T\"", "Select projection doesn't support value or pivot keywords"},
      {"SELECT pk AS p FROM \"T\"", "Aliasing is not supported"},
      {"SELECT * FROM \"T\" t", "Aliasing is not supported"},
      {"SELECT 1x FROM \"T\"", "Aliasing is not supported"},
      {"SELECT * FROM \"T\", \"H\"", "Only select from a single table or index is supported."},
      {"SELECT * FROM \"T\".\"G\".\"x\"", "A path may contain at most 2 components in the FROM clause"},
      {"SELECT * FROM \"T\"[0]", "Invalid list expression in source."},
      {"SELECT * FROM \"\"", "Path component cannot be an empty string"},
      {"SELECT COUNT(*) FROM \"T\"", "Unexpected path component at 1:8:5"},
      {"SELECT pk, COUNT(*) FROM \"T\"", "Unexpected path component at 1:12:5"},
      {"SELECT 'pk' FROM \"T\"", "Unexpected path component at 1:8:4"},
      {"SELECT ? FROM \"T\"", "Unexpected path component at 1:8:1", {S("a")}},
      {"SELECT [1] FROM \"T\"", "Unexpected path component at 1:8:1"},
      {"SELECT a[1.5] FROM \"T\"", "Unexpected path component at 1:10:3"},
      {"SELECT a[?] FROM \"T\"", "Unexpected path component at 1:10:1", {N("1")}},
      {"SELECT a[-1] FROM \"T\"", "List index is not within the allowable range; index: [-1] at 1:11:1"},
      {"SELECT a[1000000000000] FROM \"T\"", "List index is not within the allowable range; index: [1000000000000] at "
                                             "1:10:13"},
      {"SELECT a.* FROM \"T\"", "Changing item's hierarchy while reading isn't supported"},
      {"SELECT * FROM \"T\" WHERE x.* = 1", "Unpivot path component like a.*.b are not supported at 1:27:1"},
      {"SELECT * FROM \"T\" WHERE x[*] = 1", "Wildcard path component like a[*].b are not supported at 1:27:1"},
      {"SELECT \"\" FROM \"T\"", "Path component cannot be an empty string"},
      {"SELECT a.\"\" FROM \"T\"", "Path component cannot be an empty string"},
      {"SELECT a, a FROM \"T\"", "Duplicate identifiers in select clause: a"},
      {"SELECT a.b, a.b FROM \"T\"", "Duplicate identifiers in select clause: b"},
      {"SELECT a.b, a FROM \"T\"", "Two document paths overlap with each other; must remove or rewrite one of these "
                                   "paths; path one: [a], path two: [a, b]"},
      {"SELECT * FROM \"T\" LIMIT 1", "Unsupported clause: LIMIT at 1:25:1"},
      {"SELECT * FROM \"T\" WHERE x = 1 LIMIT 10", "Unsupported clause: LIMIT at 1:37:2"},
  });
}

// ---------------------------------------------------------------------------
// WHERE: the mapping onto expr::Condition, and the errors

TEST(PlanWhereTest, ConditionMapping) {
  const std::string scan = "SCAN T FILTER ";
  RunTable({
      {"SELECT * FROM \"T\" WHERE a = 1 AND (b <> 2 OR c != 3)", scan + "(AND (= a N1) (OR (<> b N2) (<> c N3)))"},
      {"SELECT * FROM \"T\" WHERE NOT a < 1", scan + "(NOT (< a N1))"},
      {"SELECT * FROM \"T\" WHERE a BETWEEN 'a' AND 'c'", scan + "(BETWEEN a S\"a\" S\"c\")"},
      {"SELECT * FROM \"T\" WHERE a NOT BETWEEN 1 AND 2", scan + "(NOT (BETWEEN a N1 N2))"},
      {"SELECT * FROM \"T\" WHERE a IN [1, 'x', NULL, [1], b]", scan + "(IN a N1 S\"x\" NULL L[N1] b)"},
      {"SELECT * FROM \"T\" WHERE a NOT IN (1)", scan + "(NOT (IN a N1))"},
      {"SELECT * FROM \"T\" WHERE a IS MISSING AND b IS NOT MISSING",
       scan + "(AND attribute_not_exists(a) attribute_exists(b))"},
      {"SELECT * FROM \"T\" WHERE a IS NULL AND b IS NOT NULL",
       scan + "(AND attribute_type(a, S\"NULL\") (NOT attribute_type(b, S\"NULL\")))"},
      {"SELECT * FROM \"T\" WHERE a IS STRING AND b IS NUMERIC AND c IS BOOLEAN AND d IS BLOB",
       scan + "(AND attribute_type(a, S\"S\") attribute_type(b, S\"N\") attribute_type(c, S\"BOOL\") attribute_type(d, "
              "S\"B\"))"},
      {"SELECT * FROM \"T\" WHERE a IS LIST AND b IS STRUCT AND c IS TUPLE AND d IS BOOL",
       scan + "(AND attribute_type(a, S\"L\") attribute_type(b, S\"M\") attribute_type(c, S\"M\") attribute_type(d, "
              "S\"BOOL\"))"},
      {"SELECT * FROM \"T\" WHERE 'a' IS STRING", scan + "attribute_type(S\"a\", S\"S\")"},
      {"SELECT * FROM \"T\" WHERE begins_with(a, 'x') AND contains(b, 1) AND attribute_type(c, 'SS')",
       scan + "(AND begins_with(a, S\"x\") contains(b, N1) attribute_type(c, S\"SS\"))"},
      {"SELECT * FROM \"T\" WHERE attribute_exists(a.b[0]) OR attribute_not_exists(c)",
       scan + "(OR attribute_exists(a.b[0]) attribute_not_exists(c))"},
      {"SELECT * FROM \"T\" WHERE size(a) > 2 AND size('abc') = 3", scan + "(AND (> size(a) N2) (= size(S\"abc\") N3))"},
      {"SELECT * FROM \"T\" WHERE a = b AND 1 = 2", scan + "(AND (= a b) (= N1 N2))"},
      {"SELECT * FROM \"T\" WHERE m = {'k': [1, <<'a', 'b'>>]} AND n = <<2, 1>>",
       scan + "(AND (= m M{k: L[N1, SS[a, b]]}) (= n NS[2, 1]))"},
      {"SELECT * FROM \"T\" WHERE a = -0 AND b = 1e3 AND c = 0.50", scan + "(AND (= a N0) (= b N1000) (= c N0.5))"},
      {"SELECT * FROM \"T\" WHERE a = 12345678901234567890123456789012345678",
       scan + "(= a N12345678901234567890123456789012345678)"},
      {"SELECT * FROM \"T\" WHERE a = TRUE AND b = NULL", scan + "(AND (= a BOOLtrue) (= b NULL))"},
      {"SELECT * FROM \"T\" WHERE a[2].b = 'it''s'", scan + "(= a[2].b S\"it's\")"},
  });
}

TEST(PlanWhereTest, Errors) {
  RunTable({
      {"SELECT * FROM \"T\" WHERE a", "WHERE clause must contain an expression that resolves to a boolean"},
      {"SELECT * FROM \"T\" WHERE TRUE", "WHERE clause must contain an expression that resolves to a boolean"},
      {"SELECT * FROM \"T\" WHERE size(l)", "WHERE clause must contain an expression that resolves to a boolean"},
      {"SELECT * FROM \"T\" WHERE a = 5 AND TRUE", "The arguments to AND/OR must be Expressions"},
      {"SELECT * FROM \"T\" WHERE NOT 'a'", "The argument to NOT must be a Type or Expression"},
      {"SELECT * FROM \"T\" WHERE NOT size(l)", "Incorrect operand type for operator or function; operator or "
                                                "function: NOT, operand type: N"},
      {"SELECT * FROM \"T\" WHERE n = 5 OR size(l)", "Incorrect operand type for operator or function; operator or "
                                                     "function: OR, operand type: N"},
      {"SELECT * FROM \"T\" WHERE a + 1 = 2", "Unsupported operator in Condition Expression. Operator: +"},
      {"SELECT * FROM \"T\" WHERE a = 1 + 1", "Unsupported operator in Condition Expression. Operator: +"},
      {"SELECT * FROM \"T\" WHERE -a = -5", "Unsupported operator in Condition Expression. Operator: -"},
      {"SELECT * FROM \"T\" WHERE a LIKE 'x%'", "Unsupported operator in Condition Expression. Operator: like"},
      {"SELECT * FROM \"T\" WHERE a = 'x' || 'y'", "Unsupported operator in Condition Expression. Operator: ||"},
      {"SELECT * FROM \"T\" WHERE upper(a) = 'x'", "Unrecognized function: upper"},
      {"SELECT * FROM \"T\" WHERE exists(a)", "Unrecognized function: exists"},
      {"SELECT * FROM \"T\" WHERE a = b AND upper(x)", "Unrecognized function: upper"},
      {"SELECT * FROM \"T\" WHERE exists(SELECT * FROM \"T\" WHERE pk = 'a')", "Unsupported token in expression: "
                                                                             "SELECT at 1:32:6"},
      {"SELECT * FROM \"T\" WHERE if_not_exists(s, 'a') = 'abc'", "The function is not allowed in a condition "
                                                                  "expression; function: if_not_exists"},
      {"SELECT * FROM \"T\" WHERE l = list_append(l, [1])", "The function is not allowed in a condition expression; "
                                                            "function: list_append"},
      {"SELECT * FROM \"T\" WHERE begins_with(a, 'x') = TRUE", "The function is not allowed to be used this way in an "
                                                               "expression; function: begins_with"},
      {"SELECT * FROM \"T\" WHERE s = MISSING", "MISSING must be compared using IS operator"},
      {"SELECT * FROM \"T\" WHERE a IN 1", "IN operator must have a left hand argument of type Variable Reference and "
                                           "right hand argument of type Seq with at least one member"},
      {"SELECT * FROM \"T\" WHERE a IN []", "IN operator must have a left hand argument of type Variable Reference and "
                                            "right hand argument of type Seq with at least one member"},
      {"SELECT * FROM \"T\" WHERE size(s) IS NUMERIC", "The left hand side argument to IS must be a Variable "
                                                       "Reference, Literal, or Path"},
      {"SELECT * FROM \"T\" WHERE ss IS BAG", "Unsupported data type for IS operator: BAG. Supported data types are "
                                              "[MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST] at "
                                              "1:28:2"},
      {"SELECT * FROM \"T\" WHERE s IS INT", "Unsupported data type for IS operator: INTEGER. Supported data types "
                                             "are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, "
                                             "LIST] at 1:27:2"},
      {"SELECT * FROM \"T\" WHERE 'a' IS MISSING", "Operator or function requires a document path; operator or "
                                                   "function: attribute_not_exists"},
      // The operand checks of DynamoDB's expressions, after the whole clause is translated.
      {"SELECT * FROM \"T\" WHERE begins_with(zz, 1) AND a = 1 + 1", "Unsupported operator in Condition Expression. "
                                                                      "Operator: +"},
      {"SELECT * FROM \"T\" WHERE begins_with(a, 1)", "Incorrect operand type for operator or function; operator or "
                                                      "function: begins_with, operand type: N"},
      {"SELECT * FROM \"T\" WHERE begins_with(size(s), 'a')", "Incorrect operand type for operator or function; "
                                                              "operator or function: begins_with, operand type: N"},
      {"SELECT * FROM \"T\" WHERE begins_with(s)", "Incorrect number of operands for operator or function; operator "
                                                   "or function: begins_with, number of operands: 1"},
      {"SELECT * FROM \"T\" WHERE contains(s)", "Incorrect number of operands for operator or function; operator or "
                                                "function: contains, number of operands: 1"},
      {"SELECT * FROM \"T\" WHERE size(s, 1) = 1", "Incorrect number of operands for operator or function; operator "
                                                   "or function: size, number of operands: 2"},
      {"SELECT * FROM \"T\" WHERE size(1) = 1", "Incorrect operand type for operator or function; operator or "
                                                "function: size, operand type: N"},
      {"SELECT * FROM \"T\" WHERE attribute_exists('abc')", "Operator or function requires a document path; operator "
                                                            "or function: attribute_exists"},
      {"SELECT * FROM \"T\" WHERE attribute_exists(s, s)", "Incorrect number of operands for operator or function; "
                                                           "operator or function: attribute_exists, number of "
                                                           "operands: 2"},
      {"SELECT * FROM \"T\" WHERE attribute_type(s, 'Q')", "Invalid attribute type name found; type: Q, valid types: "
                                                           "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}"},
      {"SELECT * FROM \"T\" WHERE attribute_type(s, 1)", "Incorrect operand type for operator or function; operator "
                                                         "or function: attribute_type, operand type: N"},
      {"SELECT * FROM \"T\" WHERE attribute_type(s)", "Incorrect number of operands for operator or function; "
                                                      "operator or function: attribute_type, number of operands: 1"},
      {"SELECT * FROM \"T\" WHERE n < TRUE", "Incorrect operand type for operator or function; operator or function: "
                                             "<, operand type: BOOL"},
      {"SELECT * FROM \"T\" WHERE n = n", "The first operand must be distinct from the remaining operands for this "
                                          "operator or function; operator: =, first operand: [n]"},
      {"SELECT * FROM \"T\" WHERE n IN [n]", "The first operand must be distinct from the remaining operands for this "
                                             "operator or function; operator: IN, first operand: [n]"},
      {"SELECT * FROM \"T\" WHERE n BETWEEN n AND 5", "The first operand must be distinct from the remaining operands "
                                                      "for this operator or function; operator: BETWEEN, first "
                                                      "operand: [n]"},
      {"SELECT * FROM \"T\" WHERE n BETWEEN 6 AND 1", "The BETWEEN operator requires upper bound to be greater than or "
                                                      "equal to lower bound; lower bound operand: AttributeValue: "
                                                      "{N:6}, upper bound operand: AttributeValue: {N:1}"},
      {"SELECT * FROM \"T\" WHERE n BETWEEN 'a' AND 1", "The BETWEEN operator requires same data type for lower and "
                                                        "upper bounds; lower bound operand: AttributeValue: {S:a}, "
                                                        "upper bound operand: AttributeValue: {N:1}"},
      {"SELECT * FROM \"T\" WHERE a = [1][0]", "A path cannot start with a list index at 1:29:1"},
      {"SELECT * FROM \"T\" WHERE a = DATE '2020-01-01'", "Unsupported token in expression: UNKNOWN at 1:34:12"},
      {"SELECT * FROM \"T\" WHERE attribute_type(x, x)", "The first operand must be distinct from the remaining "
                                                         "operands for this operator or function; operator: "
                                                         "attribute_type, first operand: [x]"},
  });
}

TEST(PlanWhereTest, InLimit) {
  std::string in = "SELECT * FROM \"T\" WHERE n IN [";
  for (int i = 0; i < 100; ++i) in += (i ? "," : "") + std::to_string(i);
  EXPECT_EQ(P(in + "]").substr(0, 25), "SCAN T FILTER (IN n N0 N1");
  EXPECT_EQ(P(in + ",100]"), "The IN operator is provided with too many operands; number of operands: 101");
}

// The planned filters evaluate with expr::Evaluate as DynamoDB Local
// evaluates the PartiQL (test_partiql.py checks the same items end to end).
TEST(PlanWhereTest, FiltersEvaluateAsDynamoDbLocal) {
  const Item item = {{"pk", S("k")}, {"s", S("abc")}, {"n", N("5")}, {"nul", AV::Null()}, {"b", AV::Bool(true)},
                     {"l", AV::L({N("1"), N("2")})}, {"ss", AV::SS({"x", "y"})}};
  struct Case {
    std::string where;
    bool matches;
  };
  const std::vector<Case> cases = {
      {"nul IS NULL", true},        {"s IS NULL", false},          {"zz IS NULL", false},
      {"zz IS NOT NULL", true},     {"nul = NULL", true},          {"nul <> NULL", false},
      {"zz IS MISSING", true},      {"s IS MISSING", false},       {"s IS STRING", true},
      {"n IS NUMERIC", true},       {"b IS BOOLEAN", true},        {"l IS LIST", true},
      {"ss IS BLOB", false},        {"s IS NOT STRING", false},    {"zz <> 1", true},
      {"n != 5", false},            {"size(l) = 2", true},         {"size(n) < 5", false},
      {"contains(ss, 'x')", true},  {"contains(s, 'b')", true},    {"begins_with(s, 'ab')", true},
      {"begins_with('ab', s)", false}, {"n IN [1, 'x', 5]", true}, {"n NOT BETWEEN 1 AND 2", true},
      {"ss = <<'y', 'x'>>", true},  {"l = [1, 2]", true},          {"n > 4.99999999999999999999999999", true},
      {"n = 'a' OR s = 1", false},  {"1 = 1", true},               {"1 = 2", false},
      {"'a' IS STRING", true},
  };
  for (const Case& c : cases) {
    Result<Plan> plan = MakePlan("SELECT * FROM \"T\" WHERE " + c.where, {}, Context::kExecuteStatement);
    ASSERT_TRUE(plan.ok()) << c.where << ": " << plan.status().message();
    const auto& select = std::get<SelectPlan>(*plan);
    ASSERT_TRUE(select.filter) << c.where;
    Result<bool> r = expr::Evaluate(*select.filter, item);
    ASSERT_TRUE(r.ok()) << c.where << ": " << r.status().message();
    EXPECT_EQ(*r, c.matches) << c.where;
  }
}

// ---------------------------------------------------------------------------
// Statement kinds and contexts

TEST(PlanContextTest, BareExpressionsAndExists) {
  RunTable({
      {"1", "Unsupported operation: Literal"},
      {"'a'", "Unsupported operation: Literal"},
      {"a", "Unsupported operation: VariableReference"},
      {"a.b", "Unsupported operation: Path"},
      {"[1]", "Unsupported operation: Seq"},
      {"{'a': 1}", "Unsupported operation: Struct"},
      {"?", "Unsupported operation: Parameter", {S("x")}},
      {"1 + 1", "EXISTS can only be used in ExecuteTransaction write requests."},
      {"EXISTS(SELECT * FROM \"H\" WHERE pk = 'w1')", "EXISTS can only be used in ExecuteTransaction write requests."},
  });
  RunTable({{"EXISTS(SELECT * FROM \"H\" WHERE pk = 'w1' AND n = 5)",
             "CHECK H KEY {pk: S\"w1\"} IF (AND attribute_exists(pk) (= n N5))"},
            {"EXISTS(SELECT * FROM \"T\" WHERE pk = 'a' AND sk = 1 AND x IS MISSING)",
             "CHECK T KEY {pk: S\"a\", sk: N1} IF (AND attribute_exists(pk) attribute_not_exists(x))"},
            {"EXISTS(SELECT * FROM \"H\" WHERE pk = 'w1')", "EXISTS() must contain a single item read with additional "
                                                            "condition"},
            {"EXISTS(SELECT * FROM \"H\" WHERE n = 5)", "EXISTS() must contain a single item read with additional "
                                                        "condition"},
            {"EXISTS(SELECT * FROM \"T\".\"G\" WHERE g = 'x' AND n = 5)", "EXISTS() must contain a single item read "
                                                                          "with additional condition"}},
           Context::kTransaction);
}

TEST(PlanContextTest, BatchAndTransactionReadsAreSingleItems) {
  RunTable({{"SELECT * FROM \"H\" WHERE pk = 'w1'", "GET H KEY {pk: S\"w1\"} SINGLE"},
            {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk = 1 AND pk = 'a'",
             "GET T KEY {pk: S\"a\", sk: N1} FILTER (= pk S\"a\") SINGLE"},
            {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk = 1 ORDER BY sk", "GET T KEY {pk: S\"a\", sk: N1} SINGLE"},
            {"SELECT * FROM \"T\" WHERE pk = 'a'", "Only single item select is supported"},
            {"SELECT * FROM \"H\" WHERE pk = 'w1' AND n = 5", "Only single item select is supported"},
            {"SELECT * FROM \"H\" WHERE pk IN ['w1']", "Only single item select is supported"},
            {"SELECT * FROM \"T\".\"G\" WHERE g = 'x'", "Only single item select is supported"},
            {"SELECT * FROM \"H\"", "Only single item select is supported"}},
           Context::kBatch);
  RunTable({{"SELECT n, s FROM \"H\" WHERE pk = 'w1'", "GET H KEY {pk: S\"w1\"} PROJECT [n, s] SINGLE"},
            {"SELECT * FROM \"H\" WHERE pk = 'w1' AND n = 5", "Select statements within ExecuteTransaction must "
                                                              "specify the primary key in the where clause."},
            {"SELECT * FROM \"T\" WHERE pk = 'a' AND sk = 1 AND sk = 2", "Select statements within ExecuteTransaction "
                                                                         "must specify the primary key in the where "
                                                                         "clause."},
            {"SELECT * FROM \"T\".\"G\" WHERE g = 'x'", "Reads on indices are not supported within transactions."}},
           Context::kTransaction);
}

TEST(PlanContextTest, BindKeepsTableAndIndexForTheLookup) {
  Result<ast::Statement> st = Parse("SELECT * FROM \"Music\".\"ByGenre\" WHERE g = 'x'");
  ASSERT_TRUE(st.ok());
  Result<BoundStatement> b = Bind(*st, {}, Context::kExecuteStatement);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->table, "Music");
  EXPECT_EQ(b->index, std::optional<std::string>("ByGenre"));
  EXPECT_EQ(b->kind, BoundStatement::Kind::kSelect);
}

}  // namespace
}  // namespace basalt::partiql
