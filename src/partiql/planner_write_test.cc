// Tests for binding and planning writes and values: INSERT literals and
// their errors, UPDATE and DELETE. Each row is a statement and its plan or
// exact error (DynamoDB Local's texts; see planner_test.cc).
#include <gtest/gtest.h>

#include "partiql/planner_test_util.h"

namespace basalt::partiql {
namespace {

using namespace test_util;  // NOLINT: the table helpers

// ---------------------------------------------------------------------------
// Literals and values

TEST(PlanValuesTest, InsertRoundTrips) {
  RunTable({
      {"INSERT INTO \"T\" VALUE {'pk': 'a', 'sk': 1, 'l': [1, 'x', TRUE, NULL], 'm': {'a': {'b': 1}}, 'ss': <<'a', "
       "'b'>>, 'ns': <<1, 2.5>>, 'big': 12345678901234567890123456789012345678, 'e': 1e3, 'q': 'it''s', 'f': false, "
       "'em': '', 'mt': {}, 'lt': [], 'dot.ted': -0, 'neg': -1.50}",
       "INSERT T ITEM {big: N12345678901234567890123456789012345678, dot.ted: N0, e: N1000, em: S\"\", f: BOOLfalse, l: "
       "L[N1, S\"x\", BOOLtrue, NULL], lt: L[], m: M{a: M{b: N1}}, mt: M{}, neg: N-1.5, ns: NS[1, 2.5], pk: S\"a\", q: "
       "S\"it's\", sk: N1, ss: SS[a, b]} IF_NOT_EXISTS"},
      {"INSERT INTO \"T\" VALUE {'pk': ?, 'sk': ?, 'b': ?, 'bs': ?}",
       "INSERT T ITEM {b: B(2 bytes), bs: BS[x], pk: S\"p\", sk: N2} IF_NOT_EXISTS",
       {S("p"), N("2"), AV::B(std::string("\x00\x01", 2)), AV::BS({"x"})}},
      {"insert into H value {'pk': 'a', 'n': (1)}", "INSERT H ITEM {n: N1, pk: S\"a\"} IF_NOT_EXISTS"},
  });
}

TEST(PlanValuesTest, InsertErrors) {
  RunTable({
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': <<>>}", "Empty bags are not supported at 1:40:2"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': <<1, 'a'>>}", "Unsupported data type in Bag. DynamoDB only supports "
                                                               "either numbers or strings in bags"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': <<TRUE>>}", "Unsupported data type in Bag. DynamoDB only supports "
                                                             "either numbers or strings in bags at 1:42:4"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': <<?>>}", "Unsupported data type in Bag. DynamoDB only supports either "
                                                          "numbers or strings in bags at 1:42:1",
       {N("1")}},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': <<1, 1.0>>}", "Input collection contains duplicates"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': <<'a', 'a'>>}", "Input collection contains duplicates"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': MISSING}", "Unsupported data type: MISSING under key root at 1:40:7"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'm': {'a': MISSING}}", "Unsupported data type: LiteralMissing under key "
                                                                   "root.a at 1:46:7"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'm': {'n': {'a': MISSING}}}", "Unsupported data type: LiteralMissing under "
                                                                          "key root.n.a at 1:52:7"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'm': [1, [2, MISSING]]}", "Unsupported data type: LiteralMissing under key "
                                                                      "root.1.1 at 1:48:7"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': 1, 'x': 2}", "Duplicate keys in tuple. Key: x under root at 1:43:3"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'm': {'a': 1, 'a': 2}}", "Duplicate keys in tuple. Key: a under root at "
                                                                     "1:40:1"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'm': {'n': {'a': 1, 'a': 1}}}", "Duplicate keys in tuple. Key: a under "
                                                                            "root.n at 1:46:1"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 1: 2}", "Tuple keys must be of type String. Actual type: INT under root at "
                                                    "1:35:1"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', \"x\": 2}", "Tuple keys must be of type String. Actual type: "
                                                        "VariableReference under root at 1:35:3"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', ?: 2}", "Tuple keys must be of type String. Actual type: Parameter under "
                                                    "root at 1:35:1",
       {S("k")}},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', '': 2}", "Path component cannot be an empty string"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': -0.0}", "Negative zero decimal is not supported under key root at "
                                                         "1:41:3"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': -(0.0)}", "Negative zero decimal is not supported under key root at "
                                                           "1:42:3"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': -0e0}", "Negative zero decimal is not supported under key root at "
                                                         "1:41:3"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': 1e126}", "Number overflow. Attempting to store a number with "
                                                          "magnitude larger than supported range"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': 1e-131}", "Number underflow. Attempting to store a number with "
                                                           "magnitude smaller than supported range"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': 123456789012345678901234567890123456789}", "DynamoDB only supports "
                                                                                            "precision up to 38 digits"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': 1 + 1}", "Unsupported data type: + under key root at 1:42:1"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': -'a'}", "Unsupported data type: - under key root at 1:40:1"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': size(x)}", "Unsupported data type: size under key root at 1:40:4"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': 'a' || 'b'}", "Unsupported data type: || under key root at 1:44:2"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': pk}", "Unsupported data type: pk under key root at 1:40:2"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': \"x\"}", "Unsupported data type: x under key root at 1:40:3"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'x': DATE '2020-01-01'}", "Unsupported data type: UNKNOWN under key root "
                                                                      "at 1:45:12"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'm': {'a': 1 + 1}}", "Unsupported data type: NAry under key root.a at "
                                                                 "1:48:1"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'm': {'a': size(x)}}", "Unsupported data type: NAry under key root.a at "
                                                                   "1:46:4"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'm': [pk]}", "Unsupported data type: VariableReference under key root.0 "
                                                         "at 1:41:2"},
      // Parameters only at the top of a value.
      {"INSERT INTO \"H\" VALUE {'pk': 'c', 'm': {'a': ?}}", "Unsupported data type: Parameter under key root.a at "
                                                             "1:46:1",
       {N("1")}},
      {"INSERT INTO \"H\" VALUE [{'pk': 'c'}]", "Unsupported format in item expression. Please use struct format {...} "
                                                "to express item values for insert statement. at 1:23:1"},
      {"INSERT INTO \"H\" VALUE <<{'pk': 'c'}>>", "Unsupported format in item expression. Please use struct format "
                                                  "{...} to express item values for insert statement. at 1:23:2"},
      {"INSERT INTO \"H\" VALUE ?", "Unsupported format in item expression. Please use struct format {...} to express "
                                    "item values for insert statement. at 1:23:1",
       {AV::M({{"pk", S("c")}})}},
      {"INSERT INTO \"H\" VALUE {'pk': 'c'} AT x", "AT is not supported in insert statements. at 1:1:6"},
      {"INSERT INTO \"H\" VALUE {'pk': 'c'} RETURNING ALL OLD *", "RETURNING is not supported in INSERT"},
      {"INSERT INTO \"T\".\"G\" VALUE {'pk': 'c', 'sk': 2}", "FROM clause may only contain a single table name in data "
                                                             "manipulation statements"},
      // Keys.
      {"INSERT INTO \"T\" VALUE {'pk': 'c'}", "Key attribute should be present in the item: Key sk"},
      {"INSERT INTO \"T\" VALUE {}", "Key attribute should be present in the item: Key pk"},
      {"INSERT INTO \"T\" VALUE {'pk': 1, 'sk': 1}", "Key attribute's data type should match its data type in table's "
                                                     "schema: Key pk"},
      {"INSERT INTO \"T\" VALUE {'pk': NULL, 'sk': 1}", "Key attribute's data type should match its data type in "
                                                        "table's schema: Key pk"},
      {"INSERT INTO \"T\" VALUE {'pk': '', 'sk': 1}", "One or more parameter values are not valid. The AttributeValue "
                                                      "for a key attribute cannot contain an empty string value. Key: "
                                                      "pk"},
      {"INSERT INTO \"H\" VALUE {'pk': ?}", "One or more parameter values are not valid. The AttributeValue for a key "
                                            "attribute cannot contain an empty string value. Key: pk",
       {S("")}},
  });
}

// ---------------------------------------------------------------------------
// UPDATE and DELETE

TEST(PlanWriteTest, Update) {
  const std::string key = "KEY {pk: S\"u\", sk: N1} ";
  const std::string cond = " IF attribute_exists(pk)";
  RunTable({
      {"UPDATE \"T\" SET n = n + 1 SET l = list_append(l, [2]) SET ss = set_add(ss, <<'b'>>) WHERE pk = 'u' AND sk = 1 "
       "RETURNING ALL NEW *",
       "UPDATE T " + key + "SET n = (+ n N1); SET l = list_append(l, L[N2]); ADD ss SS[b]" + cond +
           " RETURNING ALL_NEW"},
      {"UPDATE \"T\" SET n = n - 1, m.x = 3 REMOVE l[0] WHERE pk = 'u' AND sk = 1 RETURNING MODIFIED OLD *",
       "UPDATE T " + key + "SET n = (- n N1); SET m.x = N3; REMOVE l[0]" + cond + " RETURNING UPDATED_OLD"},
      {"UPDATE \"T\" SET ss = SET_DELETE(ss, <<1, 2>>) WHERE pk = 'u' AND sk = 1 RETURNING MODIFIED NEW *",
       "UPDATE T " + key + "DELETE ss NS[1, 2]" + cond + " RETURNING UPDATED_NEW"},
      {"UPDATE \"T\" SET ss = set_add(ss, ?) WHERE pk = 'u' AND sk = 1 RETURNING ALL OLD *",
       "UPDATE T " + key + "ADD ss BS[x]" + cond + " RETURNING ALL_OLD",
       {AV::BS({"x"})}},
      {"UPDATE \"T\" SET a = if_not_exists(a, 1), b = 1 + 2 + 3, c = m.x, d = NULL, e = {'k': [<<'s'>>]} WHERE 'u' = "
       "pk AND 1 = sk",
       "UPDATE T " + key + "SET a = if_not_exists(a, N1); SET b = (+ (+ N1 N2) N3); SET c = m.x; SET d = NULL; SET e = "
                           "M{k: L[SS[s]]}" + cond},
      {"UPDATE \"T\" SET a = ? WHERE pk = ? AND sk = ?", "UPDATE T " + key + "SET a = S\"v\"" + cond,
       {S("v"), S("u"), N("1")}},
      // The rest of WHERE is the condition, after the existence check.
      {"UPDATE \"T\" SET n = 2 WHERE pk = 'u' AND sk = 1 AND n > 5 AND x IS MISSING",
       "UPDATE T " + key + "SET n = N2 IF (AND attribute_exists(pk) (> n N5) attribute_not_exists(x))"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = 'u' AND sk = 1 AND (pk = 'a' OR n = 1)",
       "UPDATE T " + key + "SET n = N2 IF (AND attribute_exists(pk) (OR (= pk S\"a\") (= n N1)))"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = 'u' AND sk = 1 AND sk = 1 AND sk > 0",
       "UPDATE T " + key + "SET n = N2 IF (AND attribute_exists(pk) (> sk N0))"},
      {"UPDATE \"H\" SET a = 1 WHERE pk = 'u' AND sk = 1", "UPDATE H KEY {pk: S\"u\"} SET a = N1 IF (AND "
                                                           "attribute_exists(pk) (= sk N1))"},
      {"UPDATE \"H\" REMOVE a REMOVE b.c WHERE pk = 'u'", "UPDATE H KEY {pk: S\"u\"} REMOVE a; REMOVE b.c IF "
                                                          "attribute_exists(pk)"},
  });
}

TEST(PlanWriteTest, UpdateErrors) {
  const std::string w = " WHERE pk = 'u' AND sk = 1";
  RunTable({
      {"UPDATE \"T\" SET n = 2", "Where clause does not contain a mandatory equality on all key attributes"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = 'u'", "Where clause does not contain a mandatory equality on all key "
                                                "attributes"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = 'u' AND sk > 1", "Where clause does not contain a mandatory equality on all "
                                                           "key attributes"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = 'u' AND sk = 1 OR n = 1", "Where clause does not contain a mandatory "
                                                                    "equality on all key attributes"},
      {"UPDATE \"T\" SET n = 2 WHERE pk IN ['u'] AND sk = 1", "Where clause does not contain a mandatory equality on "
                                                              "all key attributes"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = sk AND sk = 1", "Where clause does not contain a mandatory equality on all "
                                                          "key attributes"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = 'u' AND sk = 1 AND sk = 2", "Multiple conditions on same key sk. Only single "
                                                                      "item Update/Insert/Delete are supported"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = 'u' AND sk = 1 AND pk = 1", "Multiple conditions on same key pk. Only single "
                                                                      "item Update/Insert/Delete are supported"},
      {"UPDATE \"T\" SET n = 2 WHERE pk.x = 'u' AND sk = 1", "Key attributes must be scalars; list random access '[]' "
                                                             "and map lookup '.' are not allowed: Key pk"},
      {"UPDATE \"T\" SET n = 2 WHERE pk[0] = 'u' AND sk = 1", "Key attributes must be scalars; list random access '[]' "
                                                              "and map lookup '.' are not allowed: Key pk"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = 1 AND sk = 1", "Key attribute's data type should match its data type in "
                                                         "table's schema: Key pk"},
      {"UPDATE \"T\" SET n = 2 WHERE pk = '' AND sk = 1", "One or more parameter values are not valid. The "
                                                          "AttributeValue for a key attribute cannot contain an empty "
                                                          "string value. Key: pk"},
      {"UPDATE \"T\".\"G\" SET n = 1" + w, "This operation is not supported on an index"},
      {"UPDATE \"T\" SET n = 1" + w + " RETURNING ALL OLD n", "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in "
                                                              "RETURNING clause"},
      {"UPDATE \"T\" SET n = 1" + w + " RETURNING ALL OLD *, ALL NEW *", "Invalid syntax with multiple returning "
                                                                         "elements in RETURNING clause"},
      // SET values.
      {"UPDATE \"T\" SET n = n * 2" + w, "Unsupported operator in Update Expression. Operator: *"},
      {"UPDATE \"T\" SET n = 'a' || 'b'" + w, "Unsupported operator in Update Expression. Operator: ||"},
      {"UPDATE \"T\" SET n = -n" + w, "Incorrect number of operands for operator or function; operator or function: "
                                      "-, number of operands: 1"},
      {"UPDATE \"T\" SET n = size(l)" + w, "The function is not allowed in an update expression; function: size"},
      {"UPDATE \"T\" SET n = n + size(l)" + w, "The function is not allowed in an update expression; function: size"},
      {"UPDATE \"T\" SET n = begins_with(s, 'a')" + w, "The function is not allowed in an update expression; "
                                                       "function: begins_with"},
      {"UPDATE \"T\" SET n = upper(s)" + w, "Unrecognized function: upper"},
      {"UPDATE \"T\" SET n = n + set_add(ss, <<'x'>>)" + w, "Unrecognized function: set_add"},
      {"UPDATE \"T\" SET n = MISSING" + w, "MISSING must be compared using IS operator"},
      {"UPDATE \"T\" SET n = n + 'a'" + w, "Incorrect operand type for operator or function; operator or function: +, "
                                           "operand type: S"},
      {"UPDATE \"T\" SET a = list_append(l, 'x')" + w, "Incorrect operand type for operator or function; operator or "
                                                       "function: list_append, operand type: S"},
      {"UPDATE \"T\" SET a = if_not_exists(1, 2)" + w, "Operator or function requires a document path; operator or "
                                                       "function: if_not_exists"},
      {"UPDATE \"T\" SET a = if_not_exists(a)" + w, "Incorrect number of operands for operator or function; operator "
                                                    "or function: if_not_exists, number of operands: 1"},
      {"UPDATE \"T\" SET ss = set_add(ss, 'c')" + w, "The second argument to SET_ADD must be a value with type SET at "
                                                     "1:29:2"},
      {"UPDATE \"T\" SET ss = set_add(ss, ?)" + w, "The second argument to SET_ADD must be a value with type SET at "
                                                   "1:29:2",
       {S("x")}},
      {"UPDATE \"T\" SET ss = set_add(ss, [1])" + w, "The second argument to SET_ADD must be a value with type SET at "
                                                     "1:29:2"},
      {"UPDATE \"T\" SET ss = set_add(zz, <<'c'>>)" + w, "The first argument to SET_ADD must equal the assignment "
                                                         "value"},
      {"UPDATE \"T\" SET ss = set_add(ss)" + w, "SET_ADD must have exactly two arguments at 1:21:7"},
      {"UPDATE \"T\" SET ss = set_delete(ss, <<>>)" + w, "Empty bags are not supported at 1:36:2"},
      // Paths.
      {"UPDATE \"T\" SET n = 1, n = 2" + w, "Two document paths overlap with each other; must remove or rewrite one of "
                                            "these paths; path one: [n], path two: [n]"},
      {"UPDATE \"T\" SET n = 1 REMOVE n" + w, "Two document paths overlap with each other; must remove or rewrite one "
                                              "of these paths; path one: [n], path two: [n]"},
      {"UPDATE \"T\" SET a.b = 2, a = 1" + w, "Two document paths overlap with each other; must remove or rewrite one "
                                              "of these paths; path one: [a], path two: [a, b]"},
      {"UPDATE \"T\" SET a[0] = 2, a.b = 1" + w, "Two document paths conflict with each other; must remove or rewrite "
                                                 "one of these paths; path one: [a, b], path two: [a, [0]]"},
      {"UPDATE \"T\" SET ss = set_add(ss, <<'x'>>) SET ss = set_delete(ss, <<'x'>>)" + w,
       "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [ss], path "
       "two: [ss]"},
      // WHERE is reported before SET.
      {"UPDATE \"T\" SET a = size(x)" + w + " AND zz = 1 + 1", "Unsupported operator in Condition Expression. "
                                                               "Operator: +"},
  });
}

TEST(PlanWriteTest, Delete) {
  RunTable({
      {"DELETE FROM \"T\" WHERE pk = 'u' AND sk = 1", "DELETE T KEY {pk: S\"u\", sk: N1}"},
      {"DELETE FROM \"T\" WHERE pk = 'u' AND sk = 1 RETURNING ALL OLD *",
       "DELETE T KEY {pk: S\"u\", sk: N1} RETURNING ALL_OLD"},
      // A missing item is deleted without error; an existing one must match the rest.
      {"DELETE FROM \"T\" WHERE pk = 'u' AND sk = 1 AND n = 99 AND x IS MISSING",
       "DELETE T KEY {pk: S\"u\", sk: N1} IF (OR attribute_not_exists(pk) (AND (= n N99) attribute_not_exists(x)))"},
      {"DELETE FROM \"H\" WHERE pk = 'u' AND sk = 1", "DELETE H KEY {pk: S\"u\"} IF (OR attribute_not_exists(pk) (= sk "
                                                      "N1))"},
      {"DELETE FROM \"T\" WHERE pk = 'u'", "Where clause does not contain a mandatory equality on all key attributes"},
      {"DELETE FROM \"T\"", "Where clause does not contain a mandatory equality on all key attributes"},
      {"DELETE FROM \"T\".\"G\" WHERE pk = 'u' AND sk = 1", "This operation is not supported on an index"},
      {"DELETE FROM \"T\" WHERE pk = 'u' AND sk = 1 RETURNING ALL NEW *", "Invalid returning clause: RETURNING ALL NEW "
                                                                          "*. Only RETURNING ALL OLD * is allowed in "
                                                                          "DELETE statements."},
      {"DELETE FROM \"T\" WHERE pk = 'u' AND sk = 1 RETURNING MODIFIED OLD *", "Invalid returning clause: RETURNING "
                                                                               "MODIFIED OLD *. Only RETURNING ALL OLD "
                                                                               "* is allowed in DELETE statements."},
  });
}

}  // namespace
}  // namespace basalt::partiql
