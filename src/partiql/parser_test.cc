// Tests for the PartiQL parser: each row is a statement and its syntax tree
// rendered by ast::ToString (operators in prefix form), or the exact error.
#include "partiql/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace basalt::partiql {
namespace {

std::string P(std::string_view text) {
  Result<ast::Statement> r = Parse(text);
  if (!r.ok()) return r.status().message();
  return ast::ToString(*r);
}

struct Row {
  std::string statement;
  std::string expected;  // the rendered tree or the exact error
};

void RunTable(const std::vector<Row>& rows) {
  for (const Row& row : rows) EXPECT_EQ(P(row.statement), row.expected) << "statement: " << row.statement;
}

std::string Syntax(std::string_view detail) {
  return "Statement wasn't well formed, can't be processed: " + std::string(detail);
}

TEST(ParserTest, Select) {
  RunTable({
      {"SELECT * FROM \"Music\"", "SELECT * FROM Music"},
      {"select * from Music", "SELECT * FROM Music"},
      {"SELECT * FROM \"Music\".\"GenreIndex\"", "SELECT * FROM Music.GenreIndex"},
      {"SELECT * FROM Music.GenreIndex", "SELECT * FROM Music.GenreIndex"},
      {"SELECT a, a.b[2].c, \"x y\", \"q\".r, a['k'] FROM \"T\"",
       "SELECT [a, a.b[2].c, \"x y\", q.r, a['k']] FROM T"},
      {"SELECT * FROM \"T\" WHERE Artist = 'Acme' AND Year >= 2000",
       "SELECT * FROM T WHERE (AND (= Artist 'Acme') (>= Year 2000))"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY sk DESC", "SELECT * FROM T WHERE (= pk 'a') ORDER BY [sk DESC]"},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY pk, sk ASC",
       "SELECT * FROM T WHERE (= pk 'a') ORDER BY [pk ASC, sk ASC]"},
      {"SELECT * FROM \"T\" WHERE pk = 'a';", "SELECT * FROM T WHERE (= pk 'a')"},
      // Constructs DynamoDB refuses after parsing (the planner reports them).
      {"SELECT DISTINCT a FROM \"T\"", "SELECT DISTINCT [a] FROM T"},
      {"SELECT VALUE a FROM \"T\"", "SELECT VALUE [a] FROM T"},
      {"SELECT a AS b FROM \"T\"", "SELECT [a] (aliased) FROM T"},
      {"SELECT 1x FROM \"T\"", "SELECT [1] (aliased) FROM T"},
      {"SELECT * FROM \"T\" t", "SELECT * FROM T (aliased)"},
      {"SELECT * FROM \"T\" AS t", "SELECT * FROM T (aliased)"},
      {"SELECT * FROM \"T\", \"U\"", "SELECT * FROM T (several)"},
      {"SELECT * FROM \"T\" LIMIT 1", "SELECT * FROM T LIMIT 1"},
      {"SELECT COUNT(*), 'pk', ?, a.* FROM \"T\"", "SELECT [count(*), 'pk', ?0, a.*] FROM T PARAMETERS 1"},
      {"SELECT * FROM \"T\" WHERE a[*].b = 1 AND c.*.d = 2", "SELECT * FROM T WHERE (AND (= a[*].b 1) (= c.*.d 2))"},
      {"SELECT * FROM \"T\" WHERE [1][0] = 1", "SELECT * FROM T WHERE (= ([1])[0] 1)"},
      // DynamoDB Local: `SELECT a[*]` is a syntax error, and stars in write targets too.
      {"SELECT a[*] FROM \"T\"", Syntax("Unexpected token")},
      {"UPDATE \"T\" SET a.* = 1", Syntax("Unexpected token")},
      {"UPDATE \"T\" REMOVE a[*]", Syntax("Unexpected token")},
      {"INSERT INTO \"T\" VALUE {'a': 1,}", Syntax("Unexpected token")},
      {"SELECT * FROM \"T\".\"I\".\"x\"", "SELECT * FROM T.I.x"},
      // Syntax errors.
      {"SELECT", Syntax("Expected expression")},
      {"SELECT * FROM", Syntax("Expected expression")},
      {"SELECT FROM \"T\"", Syntax("Cannot have empty SELECT list")},
      {"SELECT a b c FROM \"T\"", Syntax("Expected FROM after SELECT list")},
      {"SELECT *, a FROM \"T\"", Syntax("Other expressions may not be present in the select list when '*' is used "
                                        "without dot notation.")},
      {"SELECT a, * FROM \"T\"", Syntax("Other expressions may not be present in the select list when '*' is used "
                                        "without dot notation.")},
      {"SELECT * FROM \"T\" WHERE", Syntax("Expected expression")},
      {"SELECT * FROM \"T\" WHERE pk = ", Syntax("Expected expression")},
      {"SELECT * FROM \"T\" WHERE pk == 'a'", Syntax("Unexpected token")},
      {"SELECT * FROM \"T\" WHERE pk = 'a' garbage", Syntax("Unexpected token")},
      {"SELECT * FROM \"T\" WHERE pk = 'a';;", Syntax("Unexpected token")},
      {"SELECT * FROM \"T\" WHERE pk = 'a'; SELECT 1", Syntax("Unexpected keyword")},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER sk", Syntax("Unexpected token")},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY sk DESC DESC", Syntax("Unexpected keyword")},
      {"SELECT * FROM \"T\" WHERE pk = 'a' ORDER BY sk NULLS FIRST", Syntax("Unexpected token")},
      {"SELECT select FROM \"T\"", Syntax("Unexpected keyword")},
      {"SELECT value FROM \"T\"", Syntax("Unexpected keyword")},
      {"SELECT size FROM \"T\"", Syntax("Unexpected keyword")},
      {"SELECT a. FROM \"T\"", Syntax("Unexpected keyword")},
      {"SELECT a[ FROM \"T\"", Syntax("Unexpected keyword")},
      {"SELECT a FROM \"T\" WHERE missing(a)", Syntax("Unexpected token")},
  });
}

TEST(ParserTest, ExpressionsAndPrecedence) {
  const std::string s = "SELECT * FROM T WHERE ";
  RunTable({
      {"SELECT * FROM T WHERE a = 1 OR b = 2 AND c = 3", s + "(OR (= a 1) (AND (= b 2) (= c 3)))"},
      {"SELECT * FROM T WHERE (a = 1 OR b = 2) AND c = 3", s + "(AND (OR (= a 1) (= b 2)) (= c 3))"},
      {"SELECT * FROM T WHERE NOT a = 1 AND b = 2", s + "(AND (NOT (= a 1)) (= b 2))"},
      {"SELECT * FROM T WHERE NOT NOT a <> 1", s + "(NOT (NOT (<> a 1)))"},
      {"SELECT * FROM T WHERE a != 1", s + "(!= a 1)"},
      {"SELECT * FROM T WHERE a < 1 AND b <= 2 AND c > 3 AND d >= 4",
       s + "(AND (AND (AND (< a 1) (<= b 2)) (> c 3)) (>= d 4))"},
      {"SELECT * FROM T WHERE n > 1 = TRUE", s + "(= (> n 1) TRUE)"},
      {"SELECT * FROM T WHERE a BETWEEN 1 AND 5 AND b = 2", s + "(AND (BETWEEN a 1 5) (= b 2))"},
      {"SELECT * FROM T WHERE a NOT BETWEEN 'a' AND 'c'", s + "(NOT BETWEEN a 'a' 'c')"},
      {"SELECT * FROM T WHERE a IN [1, 'x', NULL]", s + "(IN a [1, 'x', NULL])"},
      {"SELECT * FROM T WHERE a IN (1, 2)", s + "(IN a (1, 2))"},
      {"SELECT * FROM T WHERE a NOT IN [1]", s + "(NOT IN a [1])"},
      {"SELECT * FROM T WHERE a IN ?", s + "(IN a ?0) PARAMETERS 1"},
      {"SELECT * FROM T WHERE a IS MISSING", s + "(IS a MISSING)"},
      {"SELECT * FROM T WHERE a IS NOT NULL", s + "(IS NOT a NULL)"},
      {"SELECT * FROM T WHERE a IS int AND b IS BOOL AND c IS varchar",
       s + "(AND (AND (IS a INTEGER) (IS b BOOLEAN)) (IS c CHARACTER_VARYING))"},
      {"SELECT * FROM T WHERE a IS DOUBLE PRECISION", s + "(IS a DOUBLE_PRECISION)"},
      {"SELECT * FROM T WHERE a LIKE 'x%' ESCAPE '!'", s + "(LIKE a 'x%' ESCAPE '!')"},
      {"SELECT * FROM T WHERE a NOT LIKE 'x'", s + "(LIKE a 'x')"},
      {"SELECT * FROM T WHERE begins_with(a, 'x') AND BEGINS_WITH(b, 'y')",
       s + "(AND begins_with(a, 'x') begins_with(b, 'y'))"},
      {"SELECT * FROM T WHERE size(a) > 1 AND Size(b) < 2", s + "(AND (> size(a) 1) (< size(b) 2))"},
      {"SELECT * FROM T WHERE exists(SELECT * FROM T)", s + "exists(SELECT ...)"},
      {"SELECT * FROM T WHERE a = 1 + 2 * 3 - 4", s + "(= a (- (+ 1 (* 2 3)) 4))"},
      {"SELECT * FROM T WHERE a = 'x' || 'y'", s + "(= a (|| 'x' 'y'))"},
      {"SELECT * FROM T WHERE a = -5 AND b = - 5 AND c = -(0.0) AND d = +5 AND e = - -1",
       s + "(AND (AND (AND (AND (= a -5) (= b -5)) (= c -0.0)) (= d 5)) (= e 1))"},
      {"SELECT * FROM T WHERE -a = 1", s + "(= (- a) 1)"},
      {"SELECT * FROM T WHERE a = ((1))", s + "(= a 1)"},
      {"SELECT * FROM T WHERE a = DATE '2020-01-01'", s + "(= a DATE '2020-01-01')"},
      {"SELECT * FROM T WHERE m = {'k': [1, <<'a'>>], 'e': {}} AND l = [] AND t = TRUE AND f = false",
       s + "(AND (AND (AND (= m {'k': [1, <<'a'>>], 'e': {}}) (= l [])) (= t TRUE)) (= f FALSE))"},
      {"SELECT * FROM T WHERE a = ? AND b = ?", s + "(AND (= a ?0) (= b ?1)) PARAMETERS 2"},
      {"SELECT * FROM T WHERE a IS NUMBER", Syntax("Unexpected token")},
      {"SELECT * FROM T WHERE a IS SELECT", Syntax("Unexpected keyword")},
      {"SELECT * FROM T WHERE a IN ()", Syntax("Unexpected token")},
      {"SELECT * FROM T WHERE a NOT = 1", Syntax("Unexpected keyword")},
      {"SELECT * FROM T WHERE a = 1 AND", Syntax("Expected expression")},
      {"SELECT * FROM T WHERE (a = 1", Syntax("Expected expression")},
      {"SELECT * FROM T WHERE a = [1,]", Syntax("Unexpected token")},
      {"SELECT * FROM T WHERE a = {'k' 1}", Syntax("Unexpected token")},
      {"SELECT * FROM T WHERE a = <<1>", Syntax("Expected expression")},
      {"SELECT * FROM T WHERE a = 0x10", Syntax("Unexpected token")},
  });
}

TEST(ParserTest, Insert) {
  RunTable({
      {"INSERT INTO \"Music\" VALUE {'Artist': 'Acme', 'Year': 2000, 'Tags': <<'a', 'b'>>}",
       "INSERT INTO Music VALUE {'Artist': 'Acme', 'Year': 2000, 'Tags': <<'a', 'b'>>}"},
      {"insert into Music value {'a': ?, 'b': ?}", "INSERT INTO Music VALUE {'a': ?0, 'b': ?1} PARAMETERS 2"},
      {"INSERT INTO \"T\" VALUE [{'a': 1}]", "INSERT INTO T VALUE [{'a': 1}]"},
      {"INSERT INTO \"T\" VALUE {'a': 1} AT x", "INSERT INTO T VALUE {'a': 1} (AT)"},
      {"INSERT INTO \"T\" VALUE {'a': 1} RETURNING ALL OLD *", "INSERT INTO T VALUE {'a': 1} (RETURNING)"},
      // reference/partiql.md: the SQL form is "Unexpected keyword" on the service.
      {"INSERT INTO t (a, b) VALUES (?, ?)", Syntax("Unexpected keyword")},
      {"INSERT INTO \"T\" VALUES {'a': 1}", Syntax("Unexpected keyword")},
      {"INSERT \"T\" VALUE {'a': 1}", Syntax("Unexpected token")},
      {"INSERT INTO \"T\" VALUE {'a': 1}, {'a': 2}", Syntax("Unexpected token")},
      {"INSERT INTO \"T\" VALUE {'a': 1} WHERE a = 1", Syntax("Unexpected keyword")},
      {"INSERT INTO 'T' VALUE {'a': 1}", Syntax("Unexpected token")},
  });
}

TEST(ParserTest, Update) {
  RunTable({
      {"UPDATE \"Music\" SET a = 1, b.c[0] = 'x' SET d = d + 1 REMOVE e REMOVE f[2] WHERE pk = 'k'",
       "UPDATE Music SET a = 1 SET b.c[0] = 'x' SET d = (+ d 1) REMOVE e REMOVE f[2] WHERE (= pk 'k')"},
      {"UPDATE \"T\" SET l = list_append(l, [1]) SET s = set_add(s, <<'x'>>) SET t = SET_DELETE(t, <<1>>)",
       "UPDATE T SET l = list_append(l, [1]) SET s = set_add(s, <<'x'>>) SET t = set_delete(t, <<1>>)"},
      {"UPDATE \"T\" SET a = 1 WHERE pk = 'k' RETURNING ALL OLD *",
       "UPDATE T SET a = 1 WHERE (= pk 'k') RETURNING ALL OLD *"},
      {"UPDATE \"T\" SET a = 1 WHERE pk = 'k' RETURNING modified new *",
       "UPDATE T SET a = 1 WHERE (= pk 'k') RETURNING MODIFIED NEW *"},
      {"UPDATE \"T\" SET a = 1 WHERE pk = 'k' RETURNING ALL OLD a", "UPDATE T SET a = 1 WHERE (= pk 'k') RETURNING ALL "
                                                                    "OLD <expr>"},
      {"UPDATE \"T\" SET a = 1 RETURNING ALL OLD *, ALL NEW *", "UPDATE T SET a = 1 RETURNING ALL OLD * (+1 more)"},
      {"UPDATE \"T\" SET a = 1 WHERE pk = 'k' RETURNING NEW *", Syntax("Expected ( MODIFIED | ALL ) ( NEW | OLD ) "
                                                                       "in each returning element.")},
      {"UPDATE \"T\" SET a = 1 WHERE pk = 'k' RETURNING ALL OLD", Syntax("Expected expression")},
      // reference/partiql.md: an unquoted hyphenated table name.
      {"UPDATE Payment-x SET active=? WHERE subscriptionId=?", Syntax("Expected data manipulation")},
      {"UPDATE \"T\" WHERE pk = 'k'", Syntax("Expected data manipulation")},
      {"UPDATE \"T\" SET a WHERE pk = 'k'", Syntax("Expected assignment for SET")},
      {"UPDATE \"T\" SET 1 = 2", Syntax("Unexpected token")},
      {"UPDATE \"T\" REMOVE a, b", Syntax("Unexpected token")},
      {"UPDATE \"T\" REMOVE 'a'", Syntax("Unexpected token")},
      {"UPDATE \"T\" SET a = 1 WHERE pk = 'k' ORDER BY sk", Syntax("Unexpected keyword")},
      {"UPDATE \"T\" SET new = 1", Syntax("Unexpected keyword")},
  });
}

TEST(ParserTest, DeleteExistsAndExpressions) {
  RunTable({
      {"DELETE FROM \"T\" WHERE pk = 'k' AND sk = 1", "DELETE FROM T WHERE (AND (= pk 'k') (= sk 1))"},
      {"DELETE FROM \"T\" WHERE pk = 'k' RETURNING ALL OLD *", "DELETE FROM T WHERE (= pk 'k') RETURNING ALL OLD *"},
      {"DELETE FROM \"T\"", "DELETE FROM T"},
      {"DELETE \"T\" WHERE pk = 'k'", Syntax("Expected FROM after DELETE")},
      {"DELETE FROM \"T\", \"U\" WHERE pk = 'k'", Syntax("Unexpected token")},
      {"EXISTS(SELECT * FROM \"T\" WHERE pk = 'k' AND a = 1)",
       "EXISTS(SELECT * FROM T WHERE (AND (= pk 'k') (= a 1)))"},
      {"exists (select * from \"T\" where pk = ?)", "EXISTS(SELECT * FROM T WHERE (= pk ?0)) PARAMETERS 1"},
      {"1", "EXPRESSION 1"},
      {"a.b", "EXPRESSION a.b"},
      {"[1]", "EXPRESSION [1]"},
      {"upper('a')", "EXPRESSION upper('a')"},
      {"", Syntax("Expected expression")},
      {"   ", Syntax("Expected expression")},
      {"foo bar", Syntax("Unexpected token")},
      {"FOO(", Syntax("Expected expression")},
  });
}

TEST(ParserTest, CommentsAndLayout) {
  RunTable({
      {"SELECT * -- the columns\nFROM \"T\" /* the table */ WHERE pk = 'a'", "SELECT * FROM T WHERE (= pk 'a')"},
      {"SELECT *\n\tFROM \"T\"\r\n WHERE pk = 'a'", "SELECT * FROM T WHERE (= pk 'a')"},
  });
}

TEST(ParserTest, StatementLengthLimit) {
  const std::string prefix = "SELECT * FROM \"T\" WHERE pk = '";
  std::string ok = prefix + std::string(8192 - prefix.size() - 1, 'x') + "'";
  ASSERT_EQ(ok.size(), 8192u);
  EXPECT_TRUE(Parse(ok).ok());
  std::string too_long = prefix + std::string(8192 - prefix.size(), 'x') + "'";
  EXPECT_EQ(P(too_long), "1 validation error detected: Value '" + too_long +
                             "' at 'statement' failed to satisfy constraint: Member must have length less than or "
                             "equal to 8192");
  // Characters, not bytes: 8192 two-byte characters are within the limit.
  std::string wide = "SELECT * FROM \"T\" WHERE pk = '";
  while (Utf16Length(wide) < 8191) wide += "é";
  wide += "'";
  EXPECT_EQ(Utf16Length(wide), 8192u);
  EXPECT_TRUE(Parse(wide).ok());
}

TEST(ParserTest, DeepNestingIsASyntaxErrorNotACrash) {
  std::string deep = "SELECT * FROM \"T\" WHERE " + std::string(3000, '(') + "a = 1" + std::string(3000, ')');
  EXPECT_EQ(P(deep), Syntax("Unexpected token"));
  std::string lists = "SELECT * FROM \"T\" WHERE a = " + std::string(3000, '[') + std::string(3000, ']');
  EXPECT_EQ(P(lists), Syntax("Unexpected token"));
  std::string nots = "SELECT * FROM \"T\" WHERE ";
  for (int i = 0; i < 1000; ++i) nots += "NOT ";
  EXPECT_EQ(P(nots + "a = 1"), Syntax("Unexpected token"));
  std::string minus = "SELECT * FROM \"T\" WHERE a = ";
  for (int i = 0; i < 1000; ++i) minus += "- ";
  EXPECT_EQ(P(minus + "1"), Syntax("Unexpected token"));
}

}  // namespace
}  // namespace basalt::partiql
