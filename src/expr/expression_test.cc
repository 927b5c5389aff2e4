// Tests for the expression language: ConditionExpression, FilterExpression,
// KeyConditionExpression and UpdateExpression. Every error text below was
// checked against DynamoDB Local (see the notes where Basalt deliberately differs).
// The tests are tables: one row per expression.
#include "expr/expression.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expr/key_condition.h"
#include "expr/lexer.h"
#include "expr/reserved_words.h"
#include "model/attribute_value.h"
#include "model/number.h"

namespace basalt::expr {
namespace {

using model::AttributeValue;
using model::Item;
using AV = AttributeValue;

AV N(std::string_view text) {
  Result<model::Number> r = model::Number::Parse(text);
  EXPECT_TRUE(r.ok()) << text;
  return AV::N(r.ok() ? r.value() : model::Number());
}
AV S(std::string s) { return AV::S(std::move(s)); }
AV B(std::string s) { return AV::B(std::move(s)); }
AV SS(std::vector<std::string> v) { return AV::SS(std::move(v)); }
AV BS(std::vector<std::string> v) { return AV::BS(std::move(v)); }
AV NS(std::vector<std::string_view> v) {
  std::vector<model::Number> nums;
  for (auto t : v) nums.push_back(N(t).num());
  return AV::NS(std::move(nums));
}
AV L(model::AttributeList v) { return AV::L(std::move(v)); }
AV M(model::AttributeMap v) { return AV::M(std::move(v)); }

const NameMap& Names() {
  static const NameMap names = {{"#a", "a"}, {"#b", "b"}, {"#n", "name"}, {"#dot", "x.y"}, {"#pk", "pk"}};
  return names;
}

const ValueMap& Values() {
  static const ValueMap values = {
      {":s", S("x")},      {":s2", S("y")},        {":pre", S("ab")},     {":n", N("1")},
      {":n2", N("2")},     {":n5", N("5")},        {":n10", N("10")},     {":neg", N("-3.5")},
      {":b", B("\x01\x02")}, {":b1", B("\x01")},   {":ss", SS({"a", "b"})}, {":ss1", SS({"a"})},
      {":ns", NS({"1", "2"})}, {":bs", BS({"\x01"})}, {":l", L({S("z")})}, {":m", M({{"k", S("v")}})},
      {":t", AV::Bool(true)}, {":null", AV::Null()}, {":S", S("S")},      {":N", S("N")},
      {":SS", S("SS")},    {":NS", S("NS")},       {":B", S("B")},        {":BS", S("BS")},
      {":BOOL", S("BOOL")}, {":NULL", S("NULL")},  {":L", S("L")},        {":M", S("M")},
      {":x", S("x")},      {":big", N("9.9999999999999999999999999999999999999E+125")},
      {":p38", N("12345678901234567890123456789012345678")}, {":tiny", N("1E-130")},
  };
  return values;
}

constexpr char kCond[] = "Invalid ConditionExpression: ";
constexpr char kUpd[] = "Invalid UpdateExpression: ";
constexpr char kKey[] = "Invalid KeyConditionExpression: ";

std::string Syntax(std::string_view token, std::string_view near) {
  return "Syntax error; token: \"" + std::string(token) + "\", near: \"" + std::string(near) + "\"";
}

// Parses and evaluates a condition: "true", "false" or the error message.
std::string Cond(std::string_view text, const Item& item = {}, ConditionKind kind = ConditionKind::kCondition) {
  std::set<std::string> un, uv;
  Bindings b{&Names(), &Values(), &un, &uv};
  Result<Condition> c = ParseCondition(text, kind, b);
  if (!c.ok()) return c.status().message();
  Result<bool> r = Evaluate(*c, item);
  if (!r.ok()) return r.status().message();
  return *r ? "true" : "false";
}

// Parses and applies an update: DebugString of the new item, or the error message.
std::string Upd(std::string_view text, const Item& item = {}) {
  std::set<std::string> un, uv;
  Bindings b{&Names(), &Values(), &un, &uv};
  Result<Update> u = ParseUpdate(text, b);
  if (!u.ok()) return u.status().message();
  Result<Item> r = ApplyUpdate(*u, item, {"pk", "sk"});
  if (!r.ok()) return r.status().message();
  return model::DebugString(*r);
}

struct CondRow {
  std::string expression;
  Item item;
  std::string expected;  // "true", "false" or the exact error
};

void RunConditionTable(const std::vector<CondRow>& rows, ConditionKind kind = ConditionKind::kCondition) {
  for (const CondRow& row : rows) {
    EXPECT_EQ(Cond(row.expression, row.item, kind), row.expected) << "expression: " << row.expression;
  }
}

struct UpdRow {
  std::string expression;
  Item before;
  std::string expected;  // DebugString of the item after, or the exact error
};

void RunUpdateTable(const std::vector<UpdRow>& rows) {
  for (const UpdRow& row : rows) {
    EXPECT_EQ(Upd(row.expression, row.before), row.expected) << "expression: " << row.expression;
  }
}

const std::string T = "true";
const std::string F = "false";

// ---------------------------------------------------------------------------
// Lexer and syntax errors

TEST(LexerTest, TokensAsDynamoDbSplitsThem) {
  std::vector<Token> t = Tokenize("a.b[01] <>:v #n AND and é");
  std::vector<std::string> texts;
  for (const Token& x : t) texts.emplace_back(x.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"a", ".", "b", "[", "0", "1", "]", "<>", ":v", "#n", "AND", "and", "é",
                                             ""}));
  EXPECT_EQ(t[10].kind, TokenKind::kKeyword);
  EXPECT_EQ(t[11].kind, TokenKind::kKeyword);
  EXPECT_EQ(t.back().kind, TokenKind::kEof);
}

TEST(ConditionSyntaxTest, Table) {
  const std::string p = kCond;
  RunConditionTable({
      {"a = ", {}, p + Syntax("<EOF>", "= ")},
      {"a = :s AND", {}, p + Syntax("<EOF>", "AND")},
      {"a =  = b", {}, p + Syntax("=", "=  = b")},
      {"a   b", {}, p + Syntax("b", "a   b")},
      {"(a = :s", {}, p + Syntax("<EOF>", ":s")},
      {"a = :s)", {}, p + Syntax(")", ":s)")},
      {"a = :s) ", {}, p + Syntax(")", ":s) ")},
      {" ) a", {}, p + Syntax(")", " ) a")},
      {"a.b. = :s", {}, p + Syntax("=", ". = :s")},
      {"a = :s :s", {}, p + Syntax(":s", ":s :s")},
      {"a = :s  AND  OR b", {}, p + Syntax("OR", "AND  OR b")},
      {"a", {}, p + Syntax("<EOF>", "a")},
      {"   ", {}, p + Syntax("<EOF>", "   ")},
      {"a IN ()", {}, p + Syntax(")", "()")},
      {"a @ b", {}, p + Syntax("@", "a @ b")},
      {"a = 'x'", {}, p + Syntax("'", "= 'x")},
      {"a = \"x\"", {}, p + Syntax("\"", "= \"x")},
      {"a = 123", {}, p + Syntax("123", "= 123")},
      {"a[1 = :s", {}, p + Syntax("=", "1 = :s")},
      {"a = :s-1", {}, p + Syntax("-", ":s-1")},
      {"a.1 = :s", {}, p + Syntax("1", ".1 =")},
      {"# = :s", {}, p + Syntax("#", "# =")},
      {"a = :", {}, p + Syntax(":", "= :")},
      {"a[1]x = :s", {}, p + Syntax("x", "]x =")},
      {"a != :s", {}, p + Syntax("!", "a !=")},
      {"a == :s", {}, p + Syntax("=", "== :s")},
      {"a < = :s", {}, p + Syntax("=", "< = :s")},
      {"a =< :s", {}, p + Syntax("<", "=< :s")},
      {"a 1a", {}, p + Syntax("1", "a 1a")},
      {"a[01] = :s", {}, p + Syntax("1", "01]")},
      {"a[1.5] = :s", {}, p + Syntax(".", "1.5")},
      {"a[-1] = :s", {}, p + Syntax("-", "[-1")},
      {"_a = :s", {}, p + Syntax("_", "_a")},
      {"é = :s", {}, p + Syntax("é", "é =")},
      {"a = :s ANDb", {}, p + Syntax("ANDb", ":s ANDb")},
      {"set = :s", {}, p + Syntax("set", "set =")},
      {"and = :s", {}, p + Syntax("and", "and =")},
      {"a = :s AND (", {}, p + Syntax("<EOF>", "(")},
      {"a AND b = :s", {}, p + Syntax("AND", "a AND b")},
      {"(a) AND b = :s", {}, p + Syntax("AND", ") AND b")},
      {"(a)", {}, p + Syntax("<EOF>", ")")},
      {"(a = :s) = :s", {}, p + Syntax("=", ") = :s")},
      {"(a, b) = :s", {}, p + Syntax(",", "a, b")},
      {"NOT (a)", {}, p + Syntax("<EOF>", ")")},
      {"(NOT a)", {}, p + Syntax(")", "a)")},
      {"NOT", {}, p + Syntax("<EOF>", "NOT")},
      {"a OR", {}, p + Syntax("OR", "a OR")},
      {"OR a", {}, p + Syntax("OR", "OR a")},
      {"a = NOT b", {}, p + Syntax("NOT", "= NOT b")},
      {"a BETWEEN :n", {}, p + Syntax("<EOF>", ":n")},
      {"a BETWEEN :n OR :n", {}, p + Syntax("OR", ":n OR :n")},
      {"a BETWEEN :n AND :n2 = :s", {}, p + Syntax("=", ":n2 = :s")},
      {"a < :n BETWEEN :n AND :n2", {}, p + Syntax("BETWEEN", ":n BETWEEN :n")},
      {"a IN (:s,)", {}, p + Syntax(")", ",)")},
      {"a IN (:s :s)", {}, p + Syntax(":s", ":s :s)")},
      {"a IN :s", {}, p + Syntax(":s", "IN :s")},
      {"a = :s IN (:s)", {}, p + Syntax("IN", ":s IN (")},
      {"attribute_exists()", {}, p + Syntax(")", "()")},
      {"(a).b = :s", {}, p + Syntax(".", ").b")},
      {"f(a)(b) = :s", {}, p + Syntax("(", ")(b")},
      {"a = b + :n", {}, p + Syntax("+", "b + :n")},
      {"", {}, p + "The expression can not be empty;"},
  });
}

// ---------------------------------------------------------------------------
// Condition parse-time errors, in DynamoDB's order of checking

TEST(ConditionErrorTest, Table) {
  const std::string p = kCond;
  const std::string distinct =
      p + "The first operand must be distinct from the remaining operands for this operator or function; operator: ";
  const std::string type = p + "Incorrect operand type for operator or function; operator or function: ";
  const std::string count = p + "Incorrect number of operands for operator or function; operator or function: ";
  const std::string this_way = p + "The function is not allowed to be used this way in an expression; function: ";
  RunConditionTable({
      // placeholders and reserved words
      {"#x = :s", {}, p + "An expression attribute name used in the document path is not defined; attribute name: #x"},
      {"a = :zz", {}, p + "An expression attribute value used in expression is not defined; attribute value: :zz"},
      {"a = :1", {}, p + "An expression attribute value used in expression is not defined; attribute value: :1"},
      {"name = :s", {}, p + "Attribute name is a reserved keyword; reserved keyword: name"},
      {"Name = :s", {}, p + "Attribute name is a reserved keyword; reserved keyword: Name"},
      {"a.status = :s", {}, p + "Attribute name is a reserved keyword; reserved keyword: status"},
      {"#x.name = :s", {}, p + "Attribute name is a reserved keyword; reserved keyword: name"},
      {"#x = name", {}, p + "Attribute name is a reserved keyword; reserved keyword: name"},
      {"#x = :zz", {}, p + "An expression attribute name used in the document path is not defined; attribute name: #x"},
      {":zz = #x", {}, p + "An expression attribute value used in expression is not defined; attribute value: :zz"},
      {"a[2147483648] = :s", {}, p + "List index is not within the allowable range; index: [2147483648]"},
      // functions
      {"foo(a)", {}, p + "Invalid function name; function: foo"},
      {"Begins_with(a, :s)", {}, p + "Invalid function name; function: Begins_with"},
      {"ATTRIBUTE_EXISTS(a)", {}, p + "Invalid function name; function: ATTRIBUTE_EXISTS"},
      {"a = foo(b)", {}, p + "Invalid function name; function: foo"},
      {"size(a)", {}, this_way + "size"},
      {"NOT size(a)", {}, this_way + "size"},
      {"(size(a))", {}, this_way + "size"},
      {"attribute_exists(a) = :s", {}, this_way + "attribute_exists"},
      {"a = begins_with(b, :s)", {}, this_way + "begins_with"},
      {"if_not_exists(a, :s) = :s", {}, p + "The function is not allowed in a condition expression; function: if_not_exists"},
      {"list_append(a, :l) = :s", {}, p + "The function is not allowed in a condition expression; function: list_append"},
      {"attribute_exists(a, b)", {}, count + "attribute_exists, number of operands: 2"},
      {"begins_with(a)", {}, count + "begins_with, number of operands: 1"},
      {"begins_with(a, :s, :s)", {}, count + "begins_with, number of operands: 3"},
      {"contains(:n)", {}, count + "contains, number of operands: 1"},
      {"size(a, b) = :n", {}, count + "size, number of operands: 2"},
      {"attribute_type(a)", {}, count + "attribute_type, number of operands: 1"},
      {"attribute_exists(:s)", {}, p + "Operator or function requires a document path; operator or function: attribute_exists"},
      {"attribute_not_exists(:s)", {}, p + "Operator or function requires a document path; operator or function: attribute_not_exists"},
      {"attribute_exists(size(a))", {}, p + "Operator or function requires a document path; operator or function: attribute_exists"},
      // operand types
      {"begins_with(a, :n)", {}, type + "begins_with, operand type: N"},
      {"begins_with(a, :ss)", {}, type + "begins_with, operand type: SS"},
      {"begins_with(:n, :s)", {}, type + "begins_with, operand type: N"},
      {"begins_with(a, size(b))", {}, type + "begins_with, operand type: N"},
      {"a < :ss", {}, type + "<, operand type: SS"},
      {"a <= :l", {}, type + "<=, operand type: L"},
      {"a > :m", {}, type + ">, operand type: M"},
      {"a >= :t", {}, type + ">=, operand type: BOOL"},
      {"a < :null", {}, type + "<, operand type: NULL"},
      {"a BETWEEN :ss AND :ss", {}, type + "BETWEEN, operand type: SS"},
      {"size(:n) = :n", {}, type + "size, operand type: N"},
      {"size(:t) = :n", {}, type + "size, operand type: BOOL"},
      {"size(size(a)) = :n", {}, type + "size, operand type: N"},
      {"attribute_type(a, :n)", {}, type + "attribute_type, operand type: N"},
      {"attribute_type(a, :ss)", {}, type + "attribute_type, operand type: SS"},
      {"attribute_type(a, b)", {}, type + "attribute_type, operand type: {M,FLOAT,DECIMAL,L,N,INTSET,DECIMALSET,BS,NULL,INT,HDS,DICT,FS,DOUBLESET,S,DOUBLE,B,HD,SS,NS,BOOL}"},
      {"attribute_type(a, :x)", {}, p + "Invalid attribute type name found; type: x, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}"},
      // distinct operands
      {"a = a", {}, distinct + "=, first operand: [a]"},
      {"a = #a", {}, distinct + "=, first operand: [a]"},
      {"a < a", {}, distinct + "<, first operand: [a]"},
      {"a.b = a.b", {}, distinct + "=, first operand: [a, b]"},
      {"a[0] = a[0]", {}, distinct + "=, first operand: [a, [0]]"},
      {"a IN (b, a)", {}, distinct + "IN, first operand: [a]"},
      {"a BETWEEN :n AND a", {}, distinct + "BETWEEN, first operand: [a]"},
      {"begins_with(a, a)", {}, distinct + "begins_with, first operand: [a]"},
      {"contains(a, a)", {}, distinct + "contains, first operand: [a]"},
      // BETWEEN bounds
      {"a BETWEEN :n2 AND :n", {}, p + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"},
      {"a BETWEEN :s2 AND :s", {}, p + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:y}, upper bound operand: AttributeValue: {S:x}"},
      {"a BETWEEN :n AND :s", {}, p + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"},
      {"a BETWEEN :b AND :n", {}, p + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=2 cap=2]}, upper bound operand: AttributeValue: {N:1}"},
      // parentheses
      {"((a = :s))", {}, p + "The expression has redundant parentheses;"},
      {"((a)) = :s", {}, p + "The expression has redundant parentheses;"},
      {"NOT ((a = :s))", {}, p + "The expression has redundant parentheses;"},
      {"a IN (((:s)))", {}, p + "The expression has redundant parentheses;"},
      {"((size(a))) = :n", {}, p + "The expression has redundant parentheses;"},
      // which error wins when there are several
      {"name = :s AND", {}, p + Syntax("<EOF>", "AND")},
      {"#zz = :s AND ((a = :s))", {}, p + "The expression has redundant parentheses;"},
      {"foo(a) AND name = :s", {}, p + "Invalid function name; function: foo"},
      {"name = :s AND foo(a)", {}, p + "Attribute name is a reserved keyword; reserved keyword: name"},
      {"#zz = :s AND size(a)", {}, this_way + "size"},
      {"begins_with(a) AND name = :s", {}, p + "Attribute name is a reserved keyword; reserved keyword: name"},
      {"begins_with(a, :n) AND #zz = :s", {}, type + "begins_with, operand type: N"},
      {"#zz = :s AND begins_with(a, :n)", {}, p + "An expression attribute name used in the document path is not defined; attribute name: #zz"},
      {"a = a AND #zz = :s", {}, distinct + "=, first operand: [a]"},
      {"attribute_type(a, :x) AND a = a", {}, p + "Invalid attribute type name found; type: x, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}"},
      {"begins_with(:zz, :n, :n)", {}, p + "An expression attribute value used in expression is not defined; attribute value: :zz"},
  });
}

TEST(ConditionErrorTest, InTakesAtMostOneHundredOperands) {
  std::string in100 = "a IN (:n";
  for (int i = 1; i < 100; ++i) in100 += ", :n";
  EXPECT_EQ(Cond(in100 + ")"), F);
  EXPECT_EQ(Cond(in100 + ", :n)"),
            std::string(kCond) + "The IN operator is provided with too many operands; number of operands: 101");
}

TEST(ConditionErrorTest, FilterAndKeyConditionPrefixes) {
  EXPECT_EQ(Cond("a = ", {}, ConditionKind::kFilter), "Invalid FilterExpression: " + Syntax("<EOF>", "= "));
  EXPECT_EQ(Cond("name = :s", {}, ConditionKind::kKeyCondition),
            std::string(kKey) + "Attribute name is a reserved keyword; reserved keyword: name");
}

// ---------------------------------------------------------------------------
// Condition evaluation

TEST(ConditionEvalTest, Table) {
  const Item item = {
      {"pk", S("k")},
      {"s", S("hello")},
      {"s2", S("hello")},
      {"n", N("5")},
      {"n2", N("5.0")},
      {"b", B("\x01\x02\x03")},
      {"ss", SS({"a", "b"})},
      {"ns", NS({"1", "2"})},
      {"bs", BS({"\x01"})},
      {"l", L({S("z"), N("1"), M({{"k", S("v")}})})},
      {"m", M({{"k", S("v")}, {"deep", M({{"x", N("10")}})}})},
      {"t", AV::Bool(true)},
      {"nul", AV::Null()},
      {"e", S("é")},
      {"x.y", S("dotted")},
      {"name", S("reserved")},
  };
  RunConditionTable({
      // comparisons
      {"n = :n5", item, T}, {"n = :n", item, F}, {"n <> :n", item, T}, {"n <> :n5", item, F},
      {"n = n2", item, T},  // numbers compare numerically
      {"n < :n10", item, T}, {"n <= :n5", item, T}, {"n > :n10", item, F}, {"n >= :n5", item, T},
      {"n > :neg", item, T},
      {"s = s2", item, T}, {"s < :s", item, T}, {"s > :s", item, F},  // bytewise: "hello" < "x"
      {"b > :b", item, T}, {"b < :b1", item, F},
      {"s < :n", item, F}, {"n = :s", item, F},  // mismatched types are false
      {"n <> :s", item, T},
      {"nope = :s", item, F}, {"nope <> :s", item, T}, {"nope < :s", item, F},
      {"ss = :ss", item, T}, {"l[0] = :s", item, F}, {"l[2].k = m.k", item, T},
      {"m.deep.x = :n10", item, T}, {"l[9] = :s", item, F},
      {":n < :n2", item, T}, {":n = :n", item, T}, {":n < :s", item, F},
      {"#dot = :s", item, F}, {"#n = :s", item, F}, {"#n <> :s", item, T},
      {"(n) = :n5", item, T}, {"(:n5) = n", item, T},
      // BETWEEN and IN
      {"n BETWEEN :n AND :n10", item, T}, {"n BETWEEN :n AND :n2", item, F},
      {"n BETWEEN :n5 AND :n5", item, T}, {"s BETWEEN :n AND :n10", item, F},
      {"s BETWEEN :pre AND :s", item, T}, {"nope BETWEEN :n AND :n2", item, F},
      {"n IN (:n, :n5)", item, T}, {"n IN (:n, :n2)", item, F}, {"s IN (:n, s2)", item, T},
      {"nope IN (:n)", item, F}, {":n IN (:n)", item, T},
      // logic and precedence: NOT > AND > OR
      {"n = :n5 AND s = s2", item, T}, {"n = :n5 AND s = :s", item, F},
      {"n = :n OR s = s2", item, T}, {"n = :n OR s = :s", item, F},
      {"NOT n = :n", item, T}, {"NOT NOT n = :n", item, F}, {"not n = :n", item, T},
      {"n = :n5 OR n = :n AND n = :n", item, T},     // OR binds last
      {"(n = :n5 OR n = :n) AND n = :n", item, F},
      {"NOT n = :n5 OR n = :n5", item, T},           // (NOT a) OR b
      {"NOT (n = :n5 OR n = :n5)", item, F},
      {"NOT n = :n AND n = :n", item, F},            // (NOT a) AND b
      {"n = :n5 and s = s2 Or n = :n", item, T},
      // attribute_exists / attribute_not_exists
      {"attribute_exists(s)", item, T}, {"attribute_exists(nope)", item, F},
      {"attribute_not_exists(nope)", item, T}, {"attribute_not_exists(s)", item, F},
      {"attribute_exists(m.deep.x)", item, T}, {"attribute_exists(m.nope)", item, F},
      {"attribute_exists(l[2].k)", item, T}, {"attribute_exists(l[3])", item, F},
      {"attribute_exists(s.x)", item, F}, {"attribute_exists(#dot)", item, T}, {"attribute_exists(nul)", item, T},
      // attribute_type
      {"attribute_type(s, :S)", item, T}, {"attribute_type(s, :N)", item, F}, {"attribute_type(n, :N)", item, T},
      {"attribute_type(b, :B)", item, T}, {"attribute_type(ss, :SS)", item, T}, {"attribute_type(ns, :NS)", item, T},
      {"attribute_type(bs, :BS)", item, T}, {"attribute_type(l, :L)", item, T}, {"attribute_type(m, :M)", item, T},
      {"attribute_type(t, :BOOL)", item, T}, {"attribute_type(nul, :NULL)", item, T},
      {"attribute_type(nope, :S)", item, F}, {"attribute_type(:s, :S)", item, T},
      // begins_with
      {"begins_with(s, :pre)", item, F}, {"begins_with(s, s2)", item, T}, {"begins_with(b, :b)", item, T},
      {"begins_with(b, :b1)", item, T}, {"begins_with(s, :b1)", item, F}, {"begins_with(n, :s)", item, F},
      {"begins_with(nope, :s)", item, F}, {"begins_with(:pre, :pre)", item, T},
      // contains
      {"contains(s, :s)", item, F}, {"contains(s, s2)", item, T}, {"contains(ss, :ss1)", item, F},
      {"contains(l, :s)", item, F}, {"contains(l, :n)", item, T}, {"contains(l, m)", item, F},
      {"contains(ns, :n)", item, T}, {"contains(ns, :n5)", item, F}, {"contains(bs, :b1)", item, T},
      {"contains(b, :b1)", item, T}, {"contains(n, :n)", item, F}, {"contains(nope, :s)", item, F},
      {"contains(m, :s)", item, F}, {"contains(:ss, :s)", item, F},
      // size: characters of a string (UTF-16 units, as DynamoDB Local counts), bytes, elements
      {"size(s) = :n5", item, T}, {"size(e) = :n", item, T}, {"size(b) = :n", item, F},
      {"size(ss) = :n2", item, T}, {"size(ns) = :n2", item, T}, {"size(l) > :n2", item, T},
      {"size(m) = :n2", item, T}, {"size(n) = :n", item, F}, {"NOT size(n) = :n", item, T},
      {"size(nope) = :n", item, F}, {"size(:s) = :n", item, T}, {"size(s) = size(s2)", item, T},
      {"size(l) BETWEEN :n AND :n5", item, T}, {"n IN (size(s))", item, T},
  });
}

TEST(ConditionEvalTest, AbsentItemIsEmpty) {
  RunConditionTable({
      {"attribute_not_exists(pk)", {}, T},
      {"attribute_exists(pk)", {}, F},
      {"pk <> :s", {}, T},
  });
}

TEST(ConditionBindingsTest, RecordsUsedPlaceholders) {
  std::set<std::string> un = {"#earlier"}, uv;
  Bindings b{&Names(), &Values(), &un, &uv};
  ASSERT_TRUE(ParseCondition("#a = :s AND (#dot.x < :n OR size(#a) = :n)", ConditionKind::kFilter, b).ok());
  EXPECT_EQ(un, (std::set<std::string>{"#a", "#dot", "#earlier"}));
  EXPECT_EQ(uv, (std::set<std::string>{":n", ":s"}));
}

// ---------------------------------------------------------------------------
// KeyConditionExpression

TEST(KeyConditionTest, Table) {
  const std::string p = kKey;
  auto key = [](std::string_view text) {
    std::set<std::string> un, uv;
    Bindings b{&Names(), &Values(), &un, &uv};
    Result<KeyTerms> c = ParseKeyCondition(text, b);
    return c.ok() ? std::string("ok") : c.status().message();
  };
  struct Row {
    std::string expression, expected;
  };
  const std::vector<Row> rows = {
      {"pk = :s", "ok"},
      {"pk = :s AND sk = :s", "ok"},
      {"pk = :s AND sk < :s", "ok"},
      {"pk = :s AND sk BETWEEN :s AND :s2", "ok"},
      {"pk = :s AND begins_with(sk, :s)", "ok"},
      {":s = pk AND :s < sk", "ok"},
      {"(pk = :s) AND (sk = :s)", "ok"},
      {"pk = :s OR sk = :s", "Invalid operator used in KeyConditionExpression: OR"},
      {"NOT pk = :s", "Invalid operator used in KeyConditionExpression: NOT"},
      {"pk = :s AND NOT sk = :s", "Invalid operator used in KeyConditionExpression: NOT"},
      {"pk IN (:s)", "Invalid operator used in KeyConditionExpression: IN"},
      {"pk <> :s", "Invalid operator used in KeyConditionExpression: <>"},
      {"pk = :s AND contains(sk, :s)", "Invalid operator used in KeyConditionExpression: contains"},
      {"pk = :s AND attribute_exists(sk)", "Invalid operator used in KeyConditionExpression: attribute_exists"},
      {"pk = :s AND attribute_type(sk, :S)", "Invalid operator used in KeyConditionExpression: attribute_type"},
      {"pk = :s AND size(sk) = :n", "KeyConditionExpressions cannot contain nested operations"},
      // More than two terms can be a key of a GSI with multi-attribute keys:
      // MatchKeySchema counts them (KeyConditionTest.TermsAreMatchedToTheKeySchema).
      {"pk = :s AND sk = :s AND x = :s", "ok"},
      {"pk = :s AND sk = :s AND pk = :n", "KeyConditionExpressions must only contain one condition per key"},
      {"pk = :s AND pk = :s", "KeyConditionExpressions must only contain one condition per key"},
      {"pk = sk", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
      {"pk = :s AND begins_with(:s, sk)",
       "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first "
       "operand"},
      {"((pk = :s AND sk = :s))", p + "The expression has redundant parentheses;"},
      {"pk = :s AND begins_with(sk, :n)",
       p + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
      {"pk = :s AND sk = sk",
       p + "The first operand must be distinct from the remaining operands for this operator or function; operator: "
           "=, first operand: [sk]"},
      {"pk = :zz", p + "An expression attribute value used in expression is not defined; attribute value: :zz"},
  };
  for (const Row& r : rows) EXPECT_EQ(key(r.expression), r.expected) << r.expression;
}

TEST(KeyConditionTest, TermsAreMatchedToTheKeySchema) {
  model::KeySchema table{{"pk", model::Type::kS}, model::KeyAttribute{"sk", model::Type::kS}};
  // A GSI with a three-attribute partition key and a three-attribute sort key.
  model::KeySchema multi{{"a", model::Type::kS}, model::KeyAttribute{"d", model::Type::kS},
                         {{"b", model::Type::kS}, {"c", model::Type::kS}},
                         {{"e", model::Type::kS}, {"f", model::Type::kS}}};
  auto match = [](std::string_view text, const model::KeySchema& ks) -> std::string {
    std::set<std::string> un, uv;
    Bindings b{&Names(), &Values(), &un, &uv};
    Result<KeyTerms> terms = ParseKeyCondition(text, b);
    if (!terms.ok()) return terms.status().message();
    Result<KeyCondition> k = MatchKeySchema(*terms, ks);
    if (!k.ok()) return k.status().message();
    std::string out = "partition " + std::to_string(k->partition.size()) + ", equal " +
                      std::to_string(k->sort_equal.size());
    if (k->sort) out += ", sort on " + PathToString(k->sort->path);
    return out;
  };
  const std::string hash_error = " must have equality conditions specified in the query";
  struct Row {
    std::string expression;
    const model::KeySchema* schema;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"pk = :s", &table, "partition 1, equal 0"},
      {"pk = :s AND sk > :s", &table, "partition 1, equal 0, sort on [sk]"},
      {"pk = :s AND sk = :s AND x = :s", &table, "Conditions can be of length 1 or 2 only"},
      {"sk = :s", &table, "Query condition missed key schema element"},
      {"pk > :s", &table, "Query key condition not supported"},
      {"pk = :n", &table, "One or more parameter values were invalid: Condition parameter type does not match schema type"},
      {"a = :s AND b = :s AND c = :s", &multi, "partition 3, equal 0"},
      {"a = :s AND b = :s AND c = :s AND d = :s AND e = :s AND f > :s", &multi, "partition 3, equal 2, sort on [f]"},
      {"a = :s AND b = :s AND c = :s AND begins_with(d, :s)", &multi, "partition 3, equal 0, sort on [d]"},
      {"a = :s", &multi, "HASH key attributes b, c" + hash_error},
      {"a > :s AND b = :s AND c = :s", &multi, "HASH key attributes a" + hash_error},
      {"a = :s AND b = :s AND c = :s AND f = :s", &multi,
       "RANGE key attributes d, e must have equality conditions specified in the query because a condition is "
       "present on key attribute f"},
      {"a = :s AND b = :s AND c = :s AND d > :s AND e = :s", &multi,
       "RANGE key attributes d must have equality conditions specified in the query because a condition is present "
       "on key attribute e"},
      {"a = :s AND b = :s AND c = :s AND x = :s", &multi, "Query condition missed key schema element"},
      {"a = :s AND b = :s AND c = :s AND d = :s AND e = :s AND f = :s AND pk = :s", &multi,
       "Query key condition not supported"},
  };
  for (const Row& r : rows) EXPECT_EQ(match(r.expression, *r.schema), r.expected) << r.expression;
}

TEST(KeyConditionTest, ComparisonsPutTheKeyOnTheLeft) {
  std::set<std::string> un, uv;
  Bindings b{&Names(), &Values(), &un, &uv};
  Result<KeyTerms> c = ParseKeyCondition(":s < sk AND #pk = :s", b);
  ASSERT_TRUE(c.ok()) << c.status().message();
  std::vector<KeyComparison> k = c->comparisons;
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[0].kind, KeyComparison::Kind::kGt);
  EXPECT_EQ(PathToString(k[0].path), "[sk]");
  EXPECT_EQ(k[0].values, (std::vector<AV>{S("x")}));
  EXPECT_EQ(k[1].kind, KeyComparison::Kind::kEq);
  EXPECT_EQ(PathToString(k[1].path), "[pk]");

  c = ParseKeyCondition("pk = :s AND sk BETWEEN :s AND :s2", b);
  ASSERT_TRUE(c.ok());
  k = c->comparisons;
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[1].kind, KeyComparison::Kind::kBetween);
  EXPECT_EQ(k[1].values, (std::vector<AV>{S("x"), S("y")}));
  c = ParseKeyCondition("pk = :s AND begins_with(sk, :pre)", b);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->comparisons[1].kind, KeyComparison::Kind::kBeginsWith);
}

// ---------------------------------------------------------------------------
// UpdateExpression: parse errors

TEST(UpdateErrorTest, Table) {
  const std::string p = kUpd;
  const std::string type = p + "Incorrect operand type for operator or function; operator or function: ";
  const std::string overlap =
      p + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ";
  const std::string conflict =
      p + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ";
  RunUpdateTable({
      {"", {}, p + "The expression can not be empty;"},
      {"SET", {}, p + Syntax("<EOF>", "SET")},
      {"SET a :s", {}, p + Syntax(":s", "a :s")},
      {"SET a = :s,", {}, p + Syntax("<EOF>", ",")},
      {"SET a = :s WHERE", {}, p + Syntax("WHERE", ":s WHERE")},
      {"SET a = :s REMOVE", {}, p + Syntax("<EOF>", "REMOVE")},
      {"SET a = :s, REMOVE b", {}, p + Syntax("REMOVE", ", REMOVE b")},
      {"SET a + :n = :n", {}, p + Syntax("+", "a + :n")},
      {"SET a = :n +", {}, p + Syntax("<EOF>", "+")},
      {"SET a = -:n", {}, p + Syntax("-", "= -:n")},
      {"SET a = :n AND :n", {}, p + Syntax("AND", ":n AND :n")},
      {"SET a = :n + :n + :n", {}, p + Syntax("+", ":n + :n")},
      {"SET a = (:n + :n) + :n", {}, p + Syntax("+", ") + :n")},
      {"SET a = :n + (:n + :n)", {}, p + Syntax("+", ":n + :n")},
      {"SET a = if_not_exists(a, :n + :n)", {}, p + Syntax("+", ":n + :n")},
      {"ADD a b", {}, p + Syntax("b", "a b")},
      {"ADD a size(b)", {}, p + Syntax("size", "a size(")},
      {"ADD a", {}, p + Syntax("<EOF>", "a")},
      {"DELETE a", {}, p + Syntax("<EOF>", "a")},
      {"a = :s", {}, p + Syntax("a", "a =")},
      {"SET a = :s SET b = :s", {}, p + "The \"SET\" section can only be used once in an update expression;"},
      {"REMOVE a REMOVE b", {}, p + "The \"REMOVE\" section can only be used once in an update expression;"},
      {"ADD a :n ADD b :n", {}, p + "The \"ADD\" section can only be used once in an update expression;"},
      {"DELETE a :ss DELETE b :ss", {}, p + "The \"DELETE\" section can only be used once in an update expression;"},
      {"SET a = ((:n))", {}, p + "The expression has redundant parentheses;"},
      {"SET name = :s", {}, p + "Attribute name is a reserved keyword; reserved keyword: name"},
      {"SET a = :n + name", {}, p + "Attribute name is a reserved keyword; reserved keyword: name"},
      {"SET #zz = :s", {}, p + "An expression attribute name used in the document path is not defined; attribute name: #zz"},
      {"SET a = :zz", {}, p + "An expression attribute value used in expression is not defined; attribute value: :zz"},
      {"SET a = foo(b)", {}, p + "Invalid function name; function: foo"},
      {"SET a = List_append(:l, :l)", {}, p + "Invalid function name; function: List_append"},
      {"SET a = size(b)", {}, p + "The function is not allowed in an update expression; function: size"},
      {"SET a = attribute_exists(b)", {}, p + "The function is not allowed in an update expression; function: attribute_exists"},
      {"SET a = list_append(a, size(b))", {}, p + "The function is not allowed in an update expression; function: size"},
      {"SET a = list_append(list_append(:l, :l), :l)", {}, p + "The function is not allowed to be used this way in an expression; function: list_append"},
      {"SET a = if_not_exists(a, list_append(:l, :l))", {}, p + "The function is not allowed to be used this way in an expression; function: list_append"},
      {"SET a = if_not_exists(a)", {}, p + "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
      {"SET a = list_append(:l, :l, :l)", {}, p + "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 3"},
      {"SET a = if_not_exists(:n, a)", {}, p + "Operator or function requires a document path; operator or function: if_not_exists"},
      {"SET a = if_not_exists(a, a)", {}, p + "The first operand must be distinct from the remaining operands for this operator or function; operator: if_not_exists, first operand: [a]"},
      {"SET a = a + :s", {}, type + "+, operand type: S"},
      {"SET a = :n + :s", {}, type + "+, operand type: S"},
      {"SET a = :s - :n", {}, type + "-, operand type: S"},
      {"SET a = :l + :n", {}, type + "+, operand type: L"},
      {"SET a = :n - :ss", {}, type + "-, operand type: SS"},
      {"SET a = list_append(a, :s)", {}, type + "list_append, operand type: S"},
      {"SET a = list_append(:s, :l)", {}, type + "list_append, operand type: S"},
      {"ADD a :s", {}, p + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
      {"ADD a :b", {}, p + "Incorrect operand type for operator or function; operator: ADD, operand type: BINARY, typeSet: ALLOWED_FOR_ADD_OPERAND"},
      {"ADD a :t", {}, p + "Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN, typeSet: ALLOWED_FOR_ADD_OPERAND"},
      {"ADD a :null", {}, p + "Incorrect operand type for operator or function; operator: ADD, operand type: NULL, typeSet: ALLOWED_FOR_ADD_OPERAND"},
      {"ADD a :l", {}, p + "Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"},
      {"ADD a :m", {}, p + "Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"},
      {"DELETE a :n", {}, p + "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
      {"DELETE a :s", {}, p + "Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
      {"DELETE a :l", {}, p + "Incorrect operand type for operator or function; operator: DELETE, operand type: LIST, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
      // overlapping and conflicting paths, named in the order written
      {"SET a = :s, a.b = :s", {}, overlap + "[a], path two: [a, b]"},
      {"SET a.b = :s, a = :s", {}, overlap + "[a, b], path two: [a]"},
      {"SET a = :s REMOVE a", {}, overlap + "[a], path two: [a]"},
      {"SET a = :s, #a = :s", {}, overlap + "[a], path two: [a]"},
      {"REMOVE a[0], a[0]", {}, overlap + "[a, [0]], path two: [a, [0]]"},
      {"SET a[1] = :s, a[1].b = :s", {}, overlap + "[a, [1]], path two: [a, [1], b]"},
      {"REMOVE a.b ADD a :n", {}, overlap + "[a, b], path two: [a]"},
      {"ADD a :ss DELETE a :ss", {}, overlap + "[a], path two: [a]"},
      {"SET a[0] = :s, a.b = :s", {}, conflict + "[a, [0]], path two: [a, b]"},
      {"SET a.b = :s, a[0] = :s", {}, conflict + "[a, b], path two: [a, [0]]"},
      // overlap is checked before placeholders and operand types
      {"SET a = :zz, #a = :s", {}, overlap + "[a], path two: [a]"},
      {"SET b = :n + :s, a = :s, a = :s", {}, overlap + "[a], path two: [a]"},
      {"SET b = :zz, #zz = :s", {}, p + "An expression attribute name used in the document path is not defined; attribute name: #zz"},
  });
}

// ---------------------------------------------------------------------------
// UpdateExpression: applying

TEST(UpdateApplyTest, Table) {
  const Item base = {{"pk", S("k")}};
  auto with = [&](Item extra) {
    Item i = base;
    for (auto& [k, v] : extra) i[k] = v;
    return i;
  };
  const std::string invalid_path = "The document path provided in the update expression is invalid for update";
  const std::string wrong_type = "An operand in the update expression has an incorrect data type";
  const std::string nope = "The provided expression refers to an attribute that does not exist in the item";
  RunUpdateTable({
      // SET
      {"SET a = :n", base, "{a: N1, pk: S\"k\"}"},
      {"set a = :s remove b", with({{"b", N("1")}}), "{a: S\"x\", pk: S\"k\"}"},
      {"SET a = a + :n", with({{"a", N("5")}}), "{a: N6, pk: S\"k\"}"},
      {"SET a = :n - a", with({{"a", N("5")}}), "{a: N-4, pk: S\"k\"}"},
      {"SET a = :n + :n", base, "{a: N2, pk: S\"k\"}"},
      {"SET a = (:n + :n)", base, "{a: N2, pk: S\"k\"}"},
      {"SET a = (:n)", base, "{a: N1, pk: S\"k\"}"},
      {"SET a = :n - :n", base, "{a: N0, pk: S\"k\"}"},
      {"SET a = a + :neg", with({{"a", N("0.5")}}), "{a: N-3, pk: S\"k\"}"},
      {"SET a = :p38 + :n", base, "{a: N12345678901234567890123456789012345679, pk: S\"k\"}"},
      {"SET a = b", with({{"b", S("q")}}), "{a: S\"q\", b: S\"q\", pk: S\"k\"}"},
      {"SET a = b, b = a", with({{"a", S("1")}, {"b", S("2")}}), "{a: S\"2\", b: S\"1\", pk: S\"k\"}"},
      {"SET a = if_not_exists(a, :n)", base, "{a: N1, pk: S\"k\"}"},
      {"SET a = if_not_exists(a, :n)", with({{"a", S("q")}}), "{a: S\"q\", pk: S\"k\"}"},
      {"SET a = if_not_exists(b, :n)", with({{"b", N("7")}}), "{a: N7, b: N7, pk: S\"k\"}"},
      {"SET a = if_not_exists(a, :n) + :n", base, "{a: N2, pk: S\"k\"}"},
      {"SET a = if_not_exists(b, if_not_exists(c, :n))", base, "{a: N1, pk: S\"k\"}"},
      {"SET a = if_not_exists(a.b, :n)", base, "{a: N1, pk: S\"k\"}"},
      {"SET a = list_append(a, :l)", with({{"a", L({S("q")})}}), "{a: L[S\"q\", S\"z\"], pk: S\"k\"}"},
      {"SET a = list_append(:l, a)", with({{"a", L({S("q")})}}), "{a: L[S\"z\", S\"q\"], pk: S\"k\"}"},
      {"SET a = list_append(if_not_exists(a, :l), :l)", base, "{a: L[S\"z\", S\"z\"], pk: S\"k\"}"},
      {"SET a.b = :s", with({{"a", M({})}}), "{a: M{b: S\"x\"}, pk: S\"k\"}"},
      {"SET a.b = :s, b = :s", with({{"a", M({})}}), "{a: M{b: S\"x\"}, b: S\"x\", pk: S\"k\"}"},
      {"SET a[0] = :s", with({{"a", L({S("q"), S("r")})}}), "{a: L[S\"x\", S\"r\"], pk: S\"k\"}"},
      {"SET a[5] = :s", with({{"a", L({S("q")})}}), "{a: L[S\"q\", S\"x\"], pk: S\"k\"}"},
      {"SET a[3] = :s, a[4] = :s2", with({{"a", L({S("0")})}}), "{a: L[S\"0\", S\"x\", S\"y\"], pk: S\"k\"}"},
      {"SET a[1].b = :s", with({{"a", L({S("0"), M({})})}}), "{a: L[S\"0\", M{b: S\"x\"}], pk: S\"k\"}"},
      {"SET #dot = :s", base, "{pk: S\"k\", x.y: S\"x\"}"},
      // SET errors found when applying
      {"SET a = a + :n", base, nope},
      {"SET a = b", base, nope},
      {"SET a = list_append(a, :l)", base, nope},
      {"SET a = :n + a", with({{"a", S("q")}}), wrong_type},
      {"SET a = list_append(a, :l)", with({{"a", S("q")}}), wrong_type},
      {"SET a[0] = :s", with({{"a", S("q")}}), invalid_path},
      {"SET a[0] = :s", base, invalid_path},
      {"SET a.b = :s", base, invalid_path},
      {"SET a.b.c = :s", with({{"a", M({})}}), invalid_path},
      {"SET a.b = :s", with({{"a", L({})}}), invalid_path},
      {"SET a = :big + :big", base,
       "Number overflow. Attempting to store a number with magnitude larger than supported range"},
      {"SET pk = :s", base, "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"},
      {"SET pk.x = :s", base, "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"},
      {"REMOVE sk", base, "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"},
      // REMOVE
      {"REMOVE a, b", with({{"a", S("q")}, {"b", S("q")}}), "{pk: S\"k\"}"},
      {"REMOVE nope", base, "{pk: S\"k\"}"},
      {"REMOVE a[0], a[2]", with({{"a", L({S("0"), S("1"), S("2"), S("3")})}}), "{a: L[S\"1\", S\"3\"], pk: S\"k\"}"},
      {"REMOVE a[2], a[0]", with({{"a", L({S("0"), S("1"), S("2"), S("3")})}}), "{a: L[S\"1\", S\"3\"], pk: S\"k\"}"},
      {"REMOVE a[9]", with({{"a", L({S("0")})}}), "{a: L[S\"0\"], pk: S\"k\"}"},
      {"REMOVE a.b", with({{"a", M({{"b", N("1")}, {"c", N("2")}})}}), "{a: M{c: N2}, pk: S\"k\"}"},
      {"REMOVE a.b", with({{"a", S("q")}}), invalid_path},
      {"REMOVE a.b", base, invalid_path},
      {"REMOVE a[0]", with({{"a", S("q")}}), invalid_path},
      {"SET a[1] = :s REMOVE a[0]", with({{"a", L({S("0"), S("1")})}}), "{a: L[S\"x\"], pk: S\"k\"}"},
      {"REMOVE a[0] SET a[1] = :s", with({{"a", L({S("0"), S("1")})}}), "{a: L[S\"x\"], pk: S\"k\"}"},
      {"SET a[0] = :s REMOVE a[1]", with({{"a", L({S("0"), S("1")})}}), "{a: L[S\"x\"], pk: S\"k\"}"},
      // ADD
      {"ADD a :n", with({{"a", N("5")}}), "{a: N6, pk: S\"k\"}"},
      {"ADD a :n", base, "{a: N1, pk: S\"k\"}"},
      {"ADD a :neg", with({{"a", N("5")}}), "{a: N1.5, pk: S\"k\"}"},
      {"ADD a :ss", with({{"a", SS({"c"})}}), "{a: SS[c, a, b], pk: S\"k\"}"},
      {"ADD a :ss", with({{"a", SS({"b"})}}), "{a: SS[b, a], pk: S\"k\"}"},
      {"ADD a :ss", base, "{a: SS[a, b], pk: S\"k\"}"},
      {"ADD a :ns", with({{"a", NS({"1"})}}), "{a: NS[1, 2], pk: S\"k\"}"},
      {"ADD a :n, b :n", base, "{a: N1, b: N1, pk: S\"k\"}"},
      {"ADD a.b :n", with({{"a", M({})}}), "{a: M{b: N1}, pk: S\"k\"}"},
      {"ADD a[0] :n", with({{"a", L({N("1")})}}), "{a: L[N2], pk: S\"k\"}"},
      {"ADD a :n", with({{"a", S("q")}}), wrong_type},
      {"ADD a :n", with({{"a", NS({"1"})}}), wrong_type},
      {"ADD a :ns", with({{"a", SS({"c"})}}), wrong_type},
      {"ADD a.b :n", base, invalid_path},
      {"ADD a :big", with({{"a", N("9.9999999999999999999999999999999999999E+125")}}),
       "Number overflow. Attempting to store a number with magnitude larger than supported range"},
      // DELETE
      {"DELETE a :ss", with({{"a", SS({"a", "b", "c"})}}), "{a: SS[c], pk: S\"k\"}"},
      {"DELETE a :ss", with({{"a", SS({"a", "b"})}}), "{pk: S\"k\"}"},
      {"DELETE a :ss", base, "{pk: S\"k\"}"},
      {"DELETE a :ns", with({{"a", NS({"1", "2", "3"})}}), "{a: NS[3], pk: S\"k\"}"},
      {"DELETE a :bs", with({{"a", BS({"\x01"})}}), "{pk: S\"k\"}"},
      {"DELETE a.b :ss", with({{"a", M({{"b", SS({"a", "c"})}})}}), "{a: M{b: SS[c]}, pk: S\"k\"}"},
      {"DELETE a :ns", with({{"a", SS({"a"})}}), wrong_type},
      {"DELETE a :ss", with({{"a", S("a")}}), wrong_type},
      // all four clauses
      {"SET a = :n REMOVE b ADD c :n DELETE d :ss1", with({{"b", N("1")}, {"c", N("1")}, {"d", SS({"a", "z"})}}),
       "{a: N1, c: N2, d: SS[z], pk: S\"k\"}"},
      {"DELETE d :ss1 ADD c :n REMOVE b SET a = :n", with({{"b", N("1")}, {"c", N("1")}, {"d", SS({"a", "z"})}}),
       "{a: N1, c: N2, d: SS[z], pk: S\"k\"}"},
  });
}

TEST(UpdateTest, RecordsUsedPlaceholdersAndUpdatedPaths) {
  std::set<std::string> un, uv;
  Bindings b{&Names(), &Values(), &un, &uv};
  Result<Update> u = ParseUpdate("SET #a = if_not_exists(#b, :n) REMOVE c[1] ADD d :ns DELETE e.f :ss", b);
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(un, (std::set<std::string>{"#a", "#b"}));
  EXPECT_EQ(uv, (std::set<std::string>{":n", ":ns", ":ss"}));
  std::vector<std::string> paths;
  for (const Path& p : UpdatedPaths(*u)) paths.push_back(PathToString(p));
  EXPECT_EQ(paths, (std::vector<std::string>{"[a]", "[c, [1]]", "[d]", "[e, f]"}));
}

TEST(ReservedWordsTest, CaseInsensitiveAndComplete) {
  for (const char* w : {"ABORT", "abort", "Name", "STATUS", "user", "YEAR", "zone", "ADD", "and", "BETWEEN"}) {
    EXPECT_TRUE(IsReservedWord(w)) << w;
  }
  for (const char* w : {"size", "begins_with", "a", "pk", "ZONES", "attribute_exists", ""}) {
    EXPECT_FALSE(IsReservedWord(w)) << w;
  }
}

}  // namespace
}  // namespace basalt::expr

namespace basalt::expr {
namespace {

// The parse cache keys on the text only: the same text must still resolve
// against each request's own placeholders, and errors must repeat exactly.
TEST(ParseCacheTest, SameTextResolvesAgainstEachRequestsValues) {
  NameMap names = {{"#v", "version"}};
  for (const char* expected : {"1", "2", "3"}) {
    ValueMap values = {{":v", model::AttributeValue::N(*model::Number::Parse(expected))}};
    std::set<std::string> used_names, used_values;
    Bindings b{&names, &values, &used_names, &used_values};
    auto c = ParseCondition("#v = :v", ConditionKind::kCondition, b);
    ASSERT_TRUE(c.ok()) << c.status().message();
    model::Item item{{"version", model::AttributeValue::N(*model::Number::Parse(expected))}};
    EXPECT_TRUE(*Evaluate(*c, item)) << expected;
    EXPECT_EQ(std::set<std::string>{":v"}, used_values);
  }
}

TEST(ParseCacheTest, CachedErrorsRepeatExactly) {
  Bindings b{};
  for (int i = 0; i < 3; ++i) {
    auto c = ParseCondition("a = = b", ConditionKind::kFilter, b);
    EXPECT_EQ("Invalid FilterExpression: Syntax error; token: \"=\", near: \"= = b\"", c.status().message());
    auto k = ParseCondition("a = = b", ConditionKind::kCondition, b);
    EXPECT_EQ("Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = b\"", k.status().message());
  }
}

}  // namespace
}  // namespace basalt::expr

namespace basalt::expr {
namespace {

std::string Repeat(const std::string& part, const std::string& sep, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? sep : "") + part;
  return out;
}

// Limits as DynamoDB Local reports them: 4096 bytes per expression, 300
// operators per condition (comparisons, functions, AND/OR/NOT, BETWEEN, IN).
TEST(ExpressionLimitsTest, ExpressionsOver4096BytesAreRejected) {
  ValueMap values = {{":v", model::AttributeValue::S("q")}};
  NameMap names;
  std::set<std::string> un, uv;
  Bindings b{&names, &values, &un, &uv};
  std::string cond = "a = :v" + std::string(4090, ' ');
  EXPECT_TRUE(ParseCondition(cond, ConditionKind::kCondition, b).ok());
  EXPECT_EQ("Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097",
            ParseCondition(cond + " ", ConditionKind::kCondition, b).status().message());
  EXPECT_EQ("Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;",
            ParseUpdate("SET a = :v" + std::string(4087, ' '), b).status().message());
  std::set<std::string> used;
  EXPECT_EQ("Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;",
            ParseProjection("a" + std::string(4096, ' '), names, &used).status().message());
}

TEST(ExpressionLimitsTest, ConditionsOver300OperatorsAreRejected) {
  ValueMap values = {{":v", model::AttributeValue::S("q")}};
  NameMap names;
  std::set<std::string> un, uv;
  Bindings b{&names, &values, &un, &uv};
  const std::string too_many = "Invalid ConditionExpression: The expression contains too many operators; operator count: 301";
  EXPECT_TRUE(ParseCondition(Repeat("a = :v", " OR ", 150), ConditionKind::kCondition, b).ok());
  EXPECT_EQ(too_many, ParseCondition(Repeat("a = :v", " OR ", 151), ConditionKind::kCondition, b).status().message());
  EXPECT_EQ(too_many, ParseCondition(Repeat("size(a) = :v", " OR ", 101), ConditionKind::kCondition, b).status().message());
  EXPECT_TRUE(ParseCondition(Repeat("NOT a = :v", " OR ", 76), ConditionKind::kCondition, b).ok());
}

}  // namespace
}  // namespace basalt::expr

namespace basalt::expr {
namespace {

// Found by the expression fuzzer: 4 KB of '(' overflowed the stack.
TEST(ExpressionLimitsTest, DeepNestingIsAnErrorNotAStackOverflow) {
  ValueMap values = {{":v", model::AttributeValue::S("q")}};
  NameMap names;
  std::set<std::string> un, uv;
  Bindings b{&names, &values, &un, &uv};
  std::string parens(4000, '(');
  EXPECT_EQ("Invalid ConditionExpression: The expression has redundant parentheses;",
            ParseCondition("j" + parens, ConditionKind::kCondition, b).status().message());
  EXPECT_EQ("Invalid ConditionExpression: The expression has redundant parentheses;",
            ParseCondition(std::string(2000, '(') + "a = :v" + std::string(2000, ')'), ConditionKind::kCondition, b)
                .status()
                .message());
  std::string nots;
  for (int i = 0; i < 600; ++i) nots += "NOT ";
  EXPECT_EQ("Invalid ConditionExpression: The expression contains too many operators; operator count: 301",
            ParseCondition(nots + "a = :v", ConditionKind::kCondition, b).status().message());
  EXPECT_FALSE(ParseUpdate("SET a = " + parens, b).ok());
}

}  // namespace
}  // namespace basalt::expr
