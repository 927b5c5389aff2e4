// Tests for ProjectionExpression: parsing (paths, placeholders, DynamoDB's
// error messages) and applying a projection to an item.
#include "expr/projection.h"

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/attribute_value.h"
#include "model/number.h"

namespace basalt::model {

// Found by argument-dependent lookup: failed EXPECT_EQs on items print them in full.
void PrintTo(const AttributeValue& v, std::ostream* os) { *os << DebugString(v); }
void PrintTo(const Item& item, std::ostream* os) { *os << DebugString(item); }

}  // namespace basalt::model

namespace basalt::expr {

void PrintTo(const PathElement& e, std::ostream* os) {
  *os << (e.is_index ? "[" + std::to_string(e.index) + "]" : "\"" + e.name + "\"");
}

namespace {

using model::AttributeValue;
using model::Item;
using AV = AttributeValue;

constexpr char kPrefix[] = "Invalid ProjectionExpression: ";

AV N(std::string_view text) {
  Result<model::Number> r = model::Number::Parse(text);
  EXPECT_TRUE(r.ok()) << text;
  return AV::N(r.ok() ? r.value() : model::Number());
}

PathElement Name(std::string name) { return PathElement{std::move(name), 0, false}; }
PathElement Index(size_t i) { return PathElement{"", i, true}; }

const NameMap& DefaultNames() {
  static const NameMap names = {{"#n", "name"}, {"#a", "a"}, {"#dot", "x.y"}, {"#unused", "unused"}, {"#m", "name"}};
  return names;
}

// Parses `text`, expecting success, and returns its paths.
std::vector<Path> Paths(std::string_view text, const NameMap& names = DefaultNames()) {
  std::set<std::string> used;
  Result<Projection> r = ParseProjection(text, names, &used);
  EXPECT_TRUE(r.ok()) << "'" << text << "': " << r.status().message();
  return r.ok() ? r->paths : std::vector<Path>{};
}

// Parses `text`, expecting a ValidationException, and returns its message.
std::string ParseError(std::string_view text, const NameMap& names = DefaultNames()) {
  std::set<std::string> used;
  Result<Projection> r = ParseProjection(text, names, &used);
  if (r.ok()) {
    std::string paths;
    for (const Path& p : r->paths) paths += PathToString(p) + " ";
    return "parsed as " + paths;
  }
  EXPECT_EQ(r.status().code(), Code::kValidation) << r.status().message();
  return r.status().message();
}

std::string SyntaxError(std::string_view token, std::string_view near) {
  return std::string(kPrefix) + "Syntax error; token: \"" + std::string(token) + "\", near: \"" + std::string(near) +
         "\"";
}

// ---------------------------------------------------------------------------
// ParseProjection: valid expressions
// ---------------------------------------------------------------------------

TEST(ParseProjectionTest, TopLevelName) { EXPECT_EQ(Paths("a"), (std::vector<Path>{{Name("a")}})); }

TEST(ParseProjectionTest, SeveralTopLevelNamesKeepTheirOrder) {
  EXPECT_EQ(Paths("c,a,b"), (std::vector<Path>{{Name("c")}, {Name("a")}, {Name("b")}}));
}

TEST(ParseProjectionTest, NamesMayContainDigitsAndUnderscoresAfterALetter) {
  EXPECT_EQ(Paths("a1_b2, Z"), (std::vector<Path>{{Name("a1_b2")}, {Name("Z")}}));
}

TEST(ParseProjectionTest, NestedMapPath) { EXPECT_EQ(Paths("a.b"), (std::vector<Path>{{Name("a"), Name("b")}})); }

TEST(ParseProjectionTest, ListIndexPath) { EXPECT_EQ(Paths("a[0]"), (std::vector<Path>{{Name("a"), Index(0)}})); }

TEST(ParseProjectionTest, MixedMapAndListPath) {
  EXPECT_EQ(Paths("a.b[2].c"), (std::vector<Path>{{Name("a"), Name("b"), Index(2), Name("c")}}));
}

TEST(ParseProjectionTest, ConsecutiveListIndexes) {
  EXPECT_EQ(Paths("a[0][12]"), (std::vector<Path>{{Name("a"), Index(0), Index(12)}}));
}

TEST(ParseProjectionTest, IndexesGoUpTo2147483647) {
  EXPECT_EQ(Paths("a[999999999]"), (std::vector<Path>{{Name("a"), Index(999999999)}}));
  EXPECT_EQ(Paths("a[2147483647]"), (std::vector<Path>{{Name("a"), Index(2147483647)}}));
}

TEST(ParseProjectionTest, PlaceholdersResolveToTheirNames) {
  EXPECT_EQ(Paths("#n"), (std::vector<Path>{{Name("name")}}));
  EXPECT_EQ(Paths("#a.#n[1]"), (std::vector<Path>{{Name("a"), Name("name"), Index(1)}}));
  EXPECT_EQ(Paths("x, #n, y"), (std::vector<Path>{{Name("x")}, {Name("name")}, {Name("y")}}));
}

TEST(ParseProjectionTest, PlaceholderValueIsOneNameEvenWithADot) {
  // "#dot" stands for the attribute named "x.y", not the path x.y.
  EXPECT_EQ(Paths("#dot"), (std::vector<Path>{{Name("x.y")}}));
}

TEST(ParseProjectionTest, SpacesAroundEveryTokenAreAllowed) {
  EXPECT_EQ(Paths("  a . b [ 2 ] . c ,\tx\n"),
            (std::vector<Path>{{Name("a"), Name("b"), Index(2), Name("c")}, {Name("x")}}));
  EXPECT_EQ(Paths("a , b"), (std::vector<Path>{{Name("a")}, {Name("b")}}));
}

TEST(ParseProjectionTest, SiblingPathsDoNotOverlap) {
  EXPECT_EQ(Paths("a.b, a.c"), (std::vector<Path>{{Name("a"), Name("b")}, {Name("a"), Name("c")}}));
  EXPECT_EQ(Paths("a[0], a[1]"), (std::vector<Path>{{Name("a"), Index(0)}, {Name("a"), Index(1)}}));
  // Same prefix as text but different names: "ab" is not under "a".
  EXPECT_EQ(Paths("a, ab"), (std::vector<Path>{{Name("a")}, {Name("ab")}}));
}

TEST(ParseProjectionTest, UsedNamesRecordsEachPlaceholderUsed) {
  std::set<std::string> used;
  Result<Projection> r = ParseProjection("#n, #a.#n, b", DefaultNames(), &used);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(used, (std::set<std::string>{"#a", "#n"}));  // never "#unused" or "#dot"
}

TEST(ParseProjectionTest, UsedNamesAccumulateAcrossExpressions) {
  // Callers share one set between the expressions of a request.
  std::set<std::string> used = {"#from_condition"};
  ASSERT_TRUE(ParseProjection("#dot", DefaultNames(), &used).ok());
  EXPECT_EQ(used, (std::set<std::string>{"#dot", "#from_condition"}));
}

TEST(ParseProjectionTest, NoPlaceholdersMeansNoUsedNames) {
  std::set<std::string> used;
  ASSERT_TRUE(ParseProjection("a.b[0]", DefaultNames(), &used).ok());
  EXPECT_TRUE(used.empty());
}

TEST(PathToStringTest, RendersNamesAndIndexesAsDynamoDbDoes) {
  EXPECT_EQ(PathToString({Name("a")}), "[a]");
  EXPECT_EQ(PathToString({Name("a"), Name("b"), Index(2), Name("c")}), "[a, b, [2], c]");
}

TEST(ProjectionOfNamesTest, EachNameIsOneTopLevelPath) {
  EXPECT_EQ(ProjectionOfNames({"a", "x.y"}).paths, (std::vector<Path>{{Name("a")}, {Name("x.y")}}));
}

// ---------------------------------------------------------------------------
// ParseProjection: errors
// ---------------------------------------------------------------------------

TEST(ParseProjectionErrorTest, EmptyOrBlankExpressionIsRejected) {
  EXPECT_EQ(ParseError(""), std::string(kPrefix) + "The expression can not be empty;");
  // DynamoDB Local reports a blank expression as a syntax error at its end.
  EXPECT_EQ(ParseError(" \t\n"), SyntaxError("<EOF>", " \t\n"));
}

// "near" spans from the start of the token before the offending one to the
// end of the token after it, with the original spacing (checked against
// DynamoDB Local). At the end of input the offending token is <EOF>.
TEST(ParseProjectionErrorTest, TrailingCommaReportsEndOfInput) {
  EXPECT_EQ(ParseError("a,"), SyntaxError("<EOF>", ","));
  EXPECT_EQ(ParseError("a, b,"), SyntaxError("<EOF>", ","));
}

TEST(ParseProjectionErrorTest, TrailingDotOrOpenBracketReportsEndOfInput) {
  EXPECT_EQ(ParseError("a."), SyntaxError("<EOF>", "."));
  EXPECT_EQ(ParseError("a.b."), SyntaxError("<EOF>", "."));
  EXPECT_EQ(ParseError("a["), SyntaxError("<EOF>", "["));
  EXPECT_EQ(ParseError("a[1"), SyntaxError("<EOF>", "1"));
}

TEST(ParseProjectionErrorTest, LeadingOrDoubledCommaIsTheOffendingToken) {
  EXPECT_EQ(ParseError(",a"), SyntaxError(",", ",a"));
  EXPECT_EQ(ParseError("a,,b"), SyntaxError(",", ",,b"));
}

TEST(ParseProjectionErrorTest, MissingCommaReportsTheSecondNameNearTheFirst) {
  EXPECT_EQ(ParseError("a b"), SyntaxError("b", "a b"));
  EXPECT_EQ(ParseError("abc def"), SyntaxError("def", "abc def"));
  EXPECT_EQ(ParseError("foo.bar baz"), SyntaxError("baz", "bar baz"));
  EXPECT_EQ(ParseError("a, b c"), SyntaxError("c", "b c"));
}

TEST(ParseProjectionErrorTest, CharactersOutsideTheGrammarAreOffendingTokens) {
  EXPECT_EQ(ParseError("a-b"), SyntaxError("-", "a-b"));
  EXPECT_EQ(ParseError("a("), SyntaxError("(", "a("));
  EXPECT_EQ(ParseError("a=b"), SyntaxError("=", "a=b"));
  EXPECT_EQ(ParseError("a]"), SyntaxError("]", "a]"));
  EXPECT_EQ(ParseError("a..b"), SyntaxError(".", "..b"));
}

TEST(ParseProjectionErrorTest, NamesCannotStartWithADigit) {
  EXPECT_EQ(ParseError("1a"), SyntaxError("1", "1a"));
  EXPECT_EQ(ParseError("_a"), SyntaxError("_", "_a"));
  EXPECT_EQ(ParseError("a.1"), SyntaxError("1", ".1"));
}

TEST(ParseProjectionErrorTest, ListIndexMustBeANonNegativeInteger) {
  EXPECT_EQ(ParseError("a[]"), SyntaxError("]", "[]"));
  EXPECT_EQ(ParseError("a[x]"), SyntaxError("x", "[x]"));
  EXPECT_EQ(ParseError("a[-1]"), SyntaxError("-", "[-1"));
  EXPECT_EQ(ParseError("a[01]"), SyntaxError("1", "01]"));
  EXPECT_EQ(ParseError("a[0]b"), SyntaxError("b", "]b"));
}

TEST(ParseProjectionErrorTest, ListIndexBeyondInt32IsOutOfRange) {
  EXPECT_EQ(ParseError("a[2147483648]"),
            std::string(kPrefix) + "List index is not within the allowable range; index: [2147483648]");
}

TEST(ParseProjectionErrorTest, ReservedWordsMustBePlaceholders) {
  EXPECT_EQ(ParseError("a, name"), std::string(kPrefix) + "Attribute name is a reserved keyword; reserved keyword: name");
  EXPECT_EQ(ParseError("a.Status"), std::string(kPrefix) + "Attribute name is a reserved keyword; reserved keyword: Status");
}

TEST(ParseProjectionErrorTest, LoneHashIsASyntaxError) {
  for (const char* text : {"#", "a.#", "#, a"}) {
    const std::string message = ParseError(text);
    EXPECT_TRUE(message.starts_with(std::string(kPrefix) + "Syntax error; token: ")) << text << ": " << message;
  }
}

TEST(ParseProjectionErrorTest, UndefinedPlaceholderIsNamed) {
  const std::string undefined =
      std::string(kPrefix) + "An expression attribute name used in the document path is not defined; attribute name: ";
  EXPECT_EQ(ParseError("#missing"), undefined + "#missing");
  EXPECT_EQ(ParseError("a.#missing[0]"), undefined + "#missing");
  EXPECT_EQ(ParseError("a, #n, #nope"), undefined + "#nope");
  // Placeholder names are case-sensitive.
  EXPECT_EQ(ParseError("#N"), undefined + "#N");
}

TEST(ParseProjectionErrorTest, OverlappingPathsNameBothPaths) {
  const std::string overlap = std::string(kPrefix) +
                              "Two document paths overlap with each other; must remove or rewrite one of these "
                              "paths; path one: ";
  EXPECT_EQ(ParseError("a, a"), overlap + "[a], path two: [a]");
  EXPECT_EQ(ParseError("a.b, a"), overlap + "[a, b], path two: [a]");
  EXPECT_EQ(ParseError("a, a.b"), overlap + "[a], path two: [a, b]");
  EXPECT_EQ(ParseError("a[0], a"), overlap + "[a, [0]], path two: [a]");
  EXPECT_EQ(ParseError("x, a.b[1], y, a.b[1].c"), overlap + "[a, b, [1]], path two: [a, b, [1], c]");
}

TEST(ParseProjectionErrorTest, OverlapIsCheckedOnResolvedPlaceholders) {
  const std::string overlap = std::string(kPrefix) +
                              "Two document paths overlap with each other; must remove or rewrite one of these "
                              "paths; path one: ";
  EXPECT_EQ(ParseError("#a, a"), overlap + "[a], path two: [a]");
  EXPECT_EQ(ParseError("#n.x, #m"), overlap + "[name, x], path two: [name]");
}

// ---------------------------------------------------------------------------
// ApplyProjection
// ---------------------------------------------------------------------------

Item Project(std::string_view expression, const Item& item, const NameMap& names = DefaultNames()) {
  std::set<std::string> used;
  Result<Projection> p = ParseProjection(expression, names, &used);
  EXPECT_TRUE(p.ok()) << expression << ": " << p.status().message();
  if (!p.ok()) return Item{{"<parse error>", AV::S(p.status().message())}};
  return ApplyProjection(*p, item);
}

Item SampleItem() {
  return Item{
      {"id", AV::S("i1")},
      {"s", AV::S("text")},
      {"n", N("42")},
      {"tags", AV::SS({"x", "y"})},
      {"m", AV::M({{"b", N("1")}, {"c", N("2")}, {"d", AV::M({{"e", N("3")}, {"f", N("4")}})}})},
      {"l", AV::L({N("10"), N("11"), N("12"), N("13")})},
      {"people", AV::L({AV::M({{"name", AV::S("Ann")}, {"age", N("30")}}),
                        AV::M({{"name", AV::S("Bob")}, {"age", N("40")}}), AV::S("not a map")})},
      {"grid", AV::L({AV::L({N("0"), N("1")}), AV::L({N("2"), N("3")})})},
      {"x.y", AV::S("dotted name")},
  };
}

TEST(ApplyProjectionTest, TopLevelNamesSelectWholeValues) {
  const Item item = SampleItem();
  EXPECT_EQ(Project("id, tags, m", item),
            (Item{{"id", item.at("id")}, {"tags", item.at("tags")}, {"m", item.at("m")}}));
}

TEST(ApplyProjectionTest, NestedMapPathsKeepTheMapStructure) {
  EXPECT_EQ(Project("m.b, m.d.e", SampleItem()), (Item{{"m", AV::M({{"b", N("1")}, {"d", AV::M({{"e", N("3")}})}})}}));
}

TEST(ApplyProjectionTest, ListElementsComeBackInListOrderAndCompacted) {
  EXPECT_EQ(Project("l[3], l[1]", SampleItem()), (Item{{"l", AV::L({N("11"), N("13")})}}));
  EXPECT_EQ(Project("l[2]", SampleItem()), (Item{{"l", AV::L({N("12")})}}));
}

TEST(ApplyProjectionTest, OutOfRangeListIndexesAreOmitted) {
  EXPECT_EQ(Project("l[1], l[9]", SampleItem()), (Item{{"l", AV::L({N("11")})}}));
  EXPECT_EQ(Project("l[4]", SampleItem()), Item{});
  EXPECT_EQ(Project("l[999999999]", SampleItem()), Item{});
}

TEST(ApplyProjectionTest, PathsIntoListsOfMapsKeepBothShapes) {
  EXPECT_EQ(Project("people[1].#n, people[0].age", SampleItem()),
            (Item{{"people", AV::L({AV::M({{"age", N("30")}}), AV::M({{"name", AV::S("Bob")}})})}}));
  EXPECT_EQ(Project("people[0].#n, people[0].age", SampleItem()),
            (Item{{"people", AV::L({AV::M({{"age", N("30")}, {"name", AV::S("Ann")}})})}}));
}

TEST(ApplyProjectionTest, NestedListIndexesSelectInnerElements) {
  EXPECT_EQ(Project("grid[1][0], grid[0][1]", SampleItem()),
            (Item{{"grid", AV::L({AV::L({N("1")}), AV::L({N("2")})})}}));
}

TEST(ApplyProjectionTest, MissingPathsAreOmitted) {
  EXPECT_EQ(Project("nope", SampleItem()), Item{});
  EXPECT_EQ(Project("m.nope", SampleItem()), Item{});  // no empty "m" either
  EXPECT_EQ(Project("m.d.nope, id", SampleItem()), (Item{{"id", AV::S("i1")}}));
  EXPECT_EQ(Project("m.b, m.nope", SampleItem()), (Item{{"m", AV::M({{"b", N("1")}})}}));
}

TEST(ApplyProjectionTest, ListElementsWithNothingSelectedAreDropped) {
  // people[2] is a string, so people[2].name selects nothing and leaves no hole.
  EXPECT_EQ(Project("people[2].#n, people[1].#n", SampleItem()),
            (Item{{"people", AV::L({AV::M({{"name", AV::S("Bob")}})})}}));
  EXPECT_EQ(Project("people[0].nope, people[1].nope", SampleItem()), Item{});
}

TEST(ApplyProjectionTest, PathThroughANonMapIsOmitted) {
  EXPECT_EQ(Project("s.x", SampleItem()), Item{});     // through a string
  EXPECT_EQ(Project("n.x", SampleItem()), Item{});     // through a number
  EXPECT_EQ(Project("tags.x", SampleItem()), Item{});  // through a set
  EXPECT_EQ(Project("l.x", SampleItem()), Item{});     // a name step into a list
}

TEST(ApplyProjectionTest, IndexIntoANonListIsOmitted) {
  EXPECT_EQ(Project("m[0]", SampleItem()), Item{});     // an index step into a map
  EXPECT_EQ(Project("s[0]", SampleItem()), Item{});     // into a string
  EXPECT_EQ(Project("tags[0]", SampleItem()), Item{});  // into a set
}

TEST(ApplyProjectionTest, PlaceholderNamesSelectAttributesWithDots) {
  EXPECT_EQ(Project("#dot", SampleItem()), (Item{{"x.y", AV::S("dotted name")}}));
  EXPECT_EQ(Project("x.y", SampleItem()), Item{});  // the path x -> y, which does not exist
}

TEST(ApplyProjectionTest, EmptyItemGivesEmptyResult) { EXPECT_EQ(Project("a, b.c, d[0]", Item{}), Item{}); }

TEST(ApplyProjectionTest, AttributesToGetProjectionSelectsTopLevelNames) {
  EXPECT_EQ(ApplyProjection(ProjectionOfNames({"x.y", "n", "missing"}), SampleItem()),
            (Item{{"n", N("42")}, {"x.y", AV::S("dotted name")}}));
}

}  // namespace
}  // namespace basalt::expr
