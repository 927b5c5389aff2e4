// Tests for the shape of SELECT results: each row is a projection and the
// item DynamoDB Local returns for it (observed, see select_output.h).
#include "partiql/select_output.h"

#include <gtest/gtest.h>

#include "model/number.h"
#include "partiql/binder.h"
#include "partiql/parser.h"

namespace basalt::partiql {
namespace {

using model::AttributeValue;
using AV = AttributeValue;

AV N(std::string_view t) { return AV::N(*model::Number::Parse(t)); }

// {pk: 'proj', a: {b: [10, {c: 'x', e: 'y'}, 30], d: 1, f: {g: {h: 2}}}, l: [[1, 2], [3]], top: 5}
const model::Item& Sample() {
  static const model::Item item = {
      {"pk", AV::S("proj")},
      {"a", AV::M({{"b", AV::L({N("10"), AV::M({{"c", AV::S("x")}, {"e", AV::S("y")}}), N("30")})},
                   {"d", N("1")},
                   {"f", AV::M({{"g", AV::M({{"h", N("2")}})}})}})},
      {"l", AV::L({AV::L({N("1"), N("2")}), AV::L({N("3")})})},
      {"top", N("5")},
  };
  return item;
}

std::string Row(const std::string& select_list) {
  Result<ast::Statement> st = Parse("SELECT " + select_list + " FROM \"T\"");
  if (!st.ok()) return st.status().message();
  Result<BoundStatement> b = Bind(*st, {}, Context::kExecuteStatement);
  if (!b.ok()) return b.status().message();
  return model::DebugString(SelectRow(b->projection, Sample()));
}

TEST(SelectOutputTest, PathsAreNamedByTheirLastStep) {
  struct Case {
    std::string list;
    std::string row;
  };
  const std::vector<Case> cases = {
      {"top", "{top: N5}"},
      {"a.d", "{d: N1}"},
      {"a.f.g", "{g: M{h: N2}}"},
      {"a.f.g.h", "{h: N2}"},
      {"a.b", "{b: L[N10, M{c: S\"x\", e: S\"y\"}, N30]}"},
      {"a.b[1]", "{b[1]: M{c: S\"x\", e: S\"y\"}}"},
      {"a.b[1].c", "{b[1]: M{c: S\"x\"}}"},
      {"a.b[1].c, a.b[1].e", "{b[1]: M{c: S\"x\", e: S\"y\"}}"},
      {"a.b[0], a.b[2]", "{b[0]: N10, b[2]: N30}"},
      {"l[0][1], l[1][0]", "{l[0][1]: N2, l[1][0]: N3}"},
      {"l[1]", "{l[1]: L[N3]}"},
      {"top, a.d", "{d: N1, top: N5}"},
      {"a['d']", "{d: N1}"},
      // Paths that select nothing are left out.
      {"a.zz", "{}"},
      {"a.b[1].zz", "{}"},
      {"a.b[0].c", "{}"},
      {"top[0]", "{}"},
      {"a.f.g.h, a.f.q", "{h: N2}"},
      {"a.b[1].c, z.b[1].e", "{b[1]: M{c: S\"x\"}}"},
      // Names must be distinct.
      {"a.d, x.d", "Duplicate identifiers in select clause: d"},
      {"a.b[1].c, x.c", "Duplicate identifiers in select clause: c"},
      {"a.b, a.b", "Duplicate identifiers in select clause: b"},
  };
  for (const Case& c : cases) EXPECT_EQ(Row(c.list), c.row) << "SELECT " << c.list;
}

TEST(SelectOutputTest, SelectStarIsTheWholeItem) {
  EXPECT_EQ(model::DebugString(SelectRow(expr::Projection{}, Sample())), model::DebugString(Sample()));
}

TEST(SelectOutputTest, SelectedNames) {
  auto name = [](std::initializer_list<expr::PathElement> p) { return SelectedName(expr::Path(p)); };
  EXPECT_EQ(name({{"a", 0, false}}), "a");
  EXPECT_EQ(name({{"a", 0, false}, {"b", 0, false}}), "b");
  EXPECT_EQ(name({{"a", 0, false}, {"", 1, true}}), "a[1]");
  EXPECT_EQ(name({{"a", 0, false}, {"", 1, true}, {"c", 0, false}}), "c");
  EXPECT_EQ(name({{"l", 0, false}, {"", 0, true}, {"", 1, true}}), "l[0][1]");
}

}  // namespace
}  // namespace basalt::partiql
