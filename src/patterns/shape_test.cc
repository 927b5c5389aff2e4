#include "patterns/shape.h"

#include <gtest/gtest.h>

#include "common/testing.h"

namespace basalt::patterns {
namespace {

using model::AttributeValue;

// Parsed pieces of one request, owning what a RequestShape borrows.
struct Parsed {
  expr::ValueMap values;
  expr::NameMap names;
  std::set<std::string> used_names, used_values;
  std::optional<expr::KeyTerms> key;
  std::optional<expr::Condition> filter, condition;
  std::optional<expr::Projection> projection;
  std::optional<expr::Update> update;

  expr::Bindings B() { return expr::Bindings{&names, &values, &used_names, &used_values}; }
};

AttributeValue S(std::string s) { return AttributeValue::S(std::move(s)); }
AttributeValue N(const char* n) { return AttributeValue::N(*model::Number::Parse(n)); }

// A Query's shape from its expressions and values.
std::string Query(expr::ValueMap values, const std::string& key, const std::string& filter = "",
                  const std::string& projection = "", const std::string& index = "", uint64_t* hash = nullptr) {
  Parsed p;
  p.values = std::move(values);
  p.names = {{"#s", "status"}};
  auto k = expr::ParseKeyCondition(key, p.B());
  EXPECT_TRUE(k.ok()) << k.status().message();
  p.key = *k;
  RequestShape r;
  r.op = Op::kQuery;
  r.table = "T";
  r.index = index;
  r.key_condition = &*p.key;
  if (!filter.empty()) {
    auto f = expr::ParseCondition(filter, expr::ConditionKind::kFilter, p.B());
    EXPECT_TRUE(f.ok()) << f.status().message();
    p.filter = *f;
    r.filter = &*p.filter;
  }
  if (!projection.empty()) {
    auto pr = expr::ParseProjection(projection, p.names, &p.used_names);
    EXPECT_TRUE(pr.ok());
    p.projection = *pr;
    r.projection = &*p.projection;
  }
  if (hash) *hash = ShapeHash(r);
  return ShapeText(r);
}

TEST(ShapeTest, QueryValuesAreRemovedButEntityPrefixesKept) {
  EXPECT_EQ("Query T.GSI1: GSI1PK = :v AND begins_with(GSI1SK, ORDER#:v), filter status = :v, projection (a, b, c)",
            Query({{":p", S("x1")}, {":s", S("ORDER#")}, {":f", S("open")}},
                  "GSI1PK = :p AND begins_with(GSI1SK, :s)", "#s = :f", "a, b, c", "GSI1"));
  EXPECT_EQ("Query T: PK = USER#:v AND SK BETWEEN ORDER#:v AND ORDER#:v",
            Query({{":p", S("USER#1")}, {":a", S("ORDER#2024")}, {":b", S("ORDER#2025")}},
                  "PK = :p AND SK BETWEEN :a AND :b"));
}

TEST(ShapeTest, ManyRequestsOneShape) {
  uint64_t h1 = 0, h2 = 0, h3 = 0;
  std::string a = Query({{":p", S("USER#1")}, {":f", N("10")}}, "PK = :p", "amount > :f", "", "", &h1);
  // Other values, other placeholder names, other spacing: the same pattern.
  std::string b = Query({{":pk", S("USER#999")}, {":min", N("99999")}}, "PK=:pk", "amount   >   :min", "", "", &h2);
  std::string c = Query({{":x", S("USER#abc")}, {":y", N("-1")}}, "(PK = :x)", "(amount > :y)", "", "", &h3);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(h1, h2);
  EXPECT_EQ(h1, h3);
  EXPECT_EQ("Query T: PK = USER#:v, filter amount > :v", a);
}

TEST(ShapeTest, DifferentShapesDifferentPatterns) {
  uint64_t base = 0, h = 0;
  Query({{":p", S("USER#1")}}, "PK = :p", "", "", "", &base);
  std::set<uint64_t> seen{base};
  Query({{":p", S("ORDER#1")}}, "PK = :p", "", "", "", &h);  // another entity
  EXPECT_TRUE(seen.insert(h).second);
  Query({{":p", S("USER#1")}}, "PK = :p", "", "", "GSI1", &h);  // another index
  EXPECT_TRUE(seen.insert(h).second);
  Query({{":p", S("USER#1")}, {":f", N("1")}}, "PK = :p", "amount > :f", "", "", &h);  // a filter
  EXPECT_TRUE(seen.insert(h).second);
  Query({{":p", S("USER#1")}, {":f", N("1")}}, "PK = :p", "amount < :f", "", "", &h);  // another comparison
  EXPECT_TRUE(seen.insert(h).second);
  Query({{":p", S("USER#1")}}, "PK = :p", "", "a", "", &h);  // a projection
  EXPECT_TRUE(seen.insert(h).second);
  Query({{":p", S("USER#1")}, {":s", S("x")}}, "PK = :p AND SK > :s", "", "", "", &h);  // a sort condition
  EXPECT_TRUE(seen.insert(h).second);
}

TEST(ShapeTest, GetPutUpdateShapes) {
  model::Item key{{"PK", S("USER#7")}, {"SK", S("PROFILE")}};
  RequestShape get;
  get.op = Op::kGetItem;
  get.table = "T";
  get.key = &key;
  get.consistent = true;
  EXPECT_EQ("GetItem T: PK = USER#:v AND SK = :v, consistent", ShapeText(get));

  model::Item item{{"PK", S("ORDER#1")}, {"SK", S("ITEM#3")}, {"qty", N("2")}, {"price", N("9.5")}};
  model::KeySchema keys;
  keys.hash.name = "PK";
  keys.range = model::KeyAttribute{"SK", model::Type::kS};
  Parsed p;
  p.values = {{":z", N("0")}};
  p.names = {{"#s", "status"}};
  p.condition = *expr::ParseCondition("attribute_not_exists(PK)", expr::ConditionKind::kCondition, p.B());
  RequestShape put;
  put.op = Op::kPutItem;
  put.table = "T";
  put.item = &item;
  put.key_schema = &keys;
  put.condition = &*p.condition;
  EXPECT_EQ("PutItem T: PK = ORDER#:v, SK = ITEM#:v, item (PK, SK, price, qty), condition attribute_not_exists(PK)",
            ShapeText(put));
  model::Item other = item;
  other["qty"] = N("100");
  other["PK"] = S("ORDER#999");
  RequestShape put2 = put;
  put2.item = &other;
  EXPECT_EQ(ShapeHash(put), ShapeHash(put2));

  p.update = *expr::ParseUpdate("SET qty = qty + :z, #s = :z REMOVE legacy ADD visits :z", p.B());
  RequestShape upd;
  upd.op = Op::kUpdateItem;
  upd.table = "T";
  upd.key = &key;
  upd.update = &*p.update;
  EXPECT_EQ("UpdateItem T: PK = USER#:v AND SK = :v, update SET qty = qty + :v, status = :v REMOVE legacy ADD visits :v",
            ShapeText(upd));
  AttributeUse use = AttributesOf(upd);
  EXPECT_EQ((std::vector<std::string>{"qty", "status", "legacy", "visits"}), use.written);
}

TEST(ShapeTest, InListsOfAnyLengthAreOneShape) {
  Parsed a, b;
  a.values = {{":a", N("1")}, {":b", N("2")}};
  b.values = {{":a", N("1")}, {":b", N("2")}, {":c", N("3")}};
  a.filter = *expr::ParseCondition("x IN (:a, :b)", expr::ConditionKind::kFilter, a.B());
  b.filter = *expr::ParseCondition("x IN (:a, :b, :c)", expr::ConditionKind::kFilter, b.B());
  RequestShape ra, rb;
  ra.op = rb.op = Op::kScan;
  ra.table = rb.table = "T";
  ra.filter = &*a.filter;
  rb.filter = &*b.filter;
  EXPECT_EQ("Scan T: filter x IN (...)", ShapeText(ra));
  EXPECT_EQ(ShapeHash(ra), ShapeHash(rb));
}

TEST(ShapeTest, PartiqlLiteralsBecomeQuestionMarks) {
  EXPECT_EQ("SELECT * FROM \"T\" WHERE \"PK\" = ? AND total > ?",
            NormaliseStatement("SELECT *  FROM \"T\"\n WHERE \"PK\" = 'USER#1' AND total > 10.5"));
  EXPECT_EQ(NormaliseStatement("SELECT * FROM T WHERE PK = 'a''b' AND n = -3"),
            NormaliseStatement("SELECT * FROM T WHERE PK = 'zz' AND n = 7e3"));
  EXPECT_EQ("INSERT INTO \"T\" VALUE {'PK': ?, 'n': ?}",
            NormaliseStatement("INSERT INTO \"T\" VALUE {'PK': 'USER#1', 'n': 5}"));
  EXPECT_EQ("SELECT a FROM T WHERE x = ? AND y = ?", NormaliseStatement("SELECT a FROM T WHERE x = ? AND y = 2"));
  // Digits inside names stay.
  EXPECT_EQ("SELECT a1 FROM T2.GSI1 WHERE b2 = ?", NormaliseStatement("SELECT a1 FROM T2.GSI1 WHERE b2 = 'q'"));
  RequestShape r;
  r.op = Op::kExecuteStatement;
  r.statement = "SELECT * FROM T WHERE PK = 'x'";
  RequestShape r2 = r;
  r2.statement = "SELECT * FROM T   WHERE PK = 'other'";
  EXPECT_EQ("ExecuteStatement: SELECT * FROM T WHERE PK = ?", ShapeText(r));
  EXPECT_EQ(ShapeHash(r), ShapeHash(r2));
}

TEST(ShapeTest, EntityPrefixNeedsAShortWord) {
  EXPECT_EQ("USER#", EntityPrefix("USER#42"));
  EXPECT_EQ("", EntityPrefix("no prefix"));
  EXPECT_EQ("", EntityPrefix("#42"));
  EXPECT_EQ("", EntityPrefix("hello world#tag"));
}

TEST(ShapeTest, TransactionPartsAreListed) {
  model::Item k1{{"PK", S("USER#1")}}, k2{{"PK", S("ORDER#9")}};
  PartShape parts[] = {{"Put", "Users", &k1, nullptr, nullptr, nullptr},
                       {"ConditionCheck", "Orders", &k2, nullptr, nullptr, nullptr}};
  RequestShape t;
  t.op = Op::kTransactWriteItems;
  t.table = "Users";
  t.parts = parts;
  EXPECT_EQ("TransactWriteItems Users: Put Users PK = USER#:v; ConditionCheck Orders PK = ORDER#:v", ShapeText(t));
}

}  // namespace
}  // namespace basalt::patterns
