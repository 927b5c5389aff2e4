#include "db/index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "model/item_codec.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;
using K = expr::KeyComparison::Kind;

AttributeValue S(std::string s) { return AttributeValue::S(std::move(s)); }
AttributeValue N(const char* text) { return AttributeValue::N(*model::Number::Parse(text)); }

TableMeta Table() {
  TableMeta t;
  t.name = "t";
  t.key_schema.hash = {"pk", model::Type::kS};
  t.key_schema.range = model::KeyAttribute{"sk", model::Type::kS};
  return t;
}

IndexMeta Gsi(model::Type range_type, ProjectionType projection = ProjectionType::kKeysOnly) {
  IndexMeta i;
  i.name = "gsi";
  i.global = true;
  i.id = 7;
  i.key_schema.hash = {"g", model::Type::kS};
  i.key_schema.range = model::KeyAttribute{"r", range_type};
  i.projection = projection;
  return i;
}

// Whether an entry sort key lies in a range, as the engine reads ranges.
bool InRange(const storage::SortKeyRange& r, const std::string& sk) {
  if (r.lower && (r.lower_inclusive ? sk < *r.lower : sk <= *r.lower)) return false;
  if (r.upper && (r.upper_inclusive ? sk > *r.upper : sk >= *r.upper)) return false;
  if (r.prefix && sk.compare(0, r.prefix->size(), *r.prefix) != 0) return false;
  return true;
}

// Whether a value satisfies a comparison, by DynamoDB's ordering.
bool Satisfies(const expr::KeyComparison& c, const AttributeValue& v) {
  int a = model::CompareScalars(v, c.values[0]);
  switch (c.kind) {
    case K::kEq: return a == 0;
    case K::kLt: return a < 0;
    case K::kLe: return a <= 0;
    case K::kGt: return a > 0;
    case K::kGe: return a >= 0;
    case K::kBetween: return a >= 0 && model::CompareScalars(v, c.values[1]) <= 0;
    case K::kBeginsWith: return v.str().compare(0, c.values[0].str().size(), c.values[0].str()) == 0;
  }
  return false;
}

// For every comparison on every value, the entries (with several table keys
// per value) in the computed range are exactly those of the values that
// satisfy it, on the index layout.
void CheckRanges(model::Type type, const std::vector<AttributeValue>& values, bool with_prefix) {
  TableMeta table = Table();
  IndexMeta index = Gsi(type);
  std::vector<std::pair<std::string, const AttributeValue*>> entries;
  for (const auto& v : values) {
    for (const char* pk : {"", "a", "a\0b", "zz"}) {
      Item item{{"pk", S(pk[0] ? pk : "x")}, {"sk", S("s")}, {"g", S("G")}, {"r", v}};
      auto key = EntryKey(table, index, item);
      ASSERT_TRUE(key.has_value());
      entries.emplace_back(key->second, &v);
    }
  }
  std::vector<K> kinds{K::kEq, K::kLt, K::kLe, K::kGt, K::kGe};
  if (with_prefix) kinds.push_back(K::kBeginsWith);
  for (const auto& a : values) {
    for (K kind : kinds) {
      expr::KeyComparison c{kind, {}, {a}};
      storage::SortKeyRange r = SortKeyRangeFor(c, true);
      for (const auto& [sk, v] : entries) {
        EXPECT_EQ(InRange(r, sk), Satisfies(c, *v))
            << "kind " << static_cast<int>(kind) << " bound " << model::DebugString(a) << " value "
            << model::DebugString(*v);
      }
    }
    for (const auto& b : values) {
      expr::KeyComparison c{K::kBetween, {}, {a, b}};
      storage::SortKeyRange r = SortKeyRangeFor(c, true);
      for (const auto& [sk, v] : entries) EXPECT_EQ(InRange(r, sk), Satisfies(c, *v));
    }
  }
}

TEST(IndexRangeTest, StringRangesOnTheIndexLayoutSelectExactlyTheMatchingValues) {
  CheckRanges(model::Type::kS,
              {S("a"), S(std::string("a\0", 2)), S(std::string("a\0b", 3)), S("ab"), S("b"), S("\xff"),
               S(std::string("\0", 1))},
              true);
}

TEST(IndexRangeTest, NumberRangesOnTheIndexLayoutSelectExactlyTheMatchingValues) {
  CheckRanges(model::Type::kN, {N("-10"), N("-1.5"), N("-1"), N("0"), N("0.001"), N("1"), N("1.5"), N("10"), N("1E+20")},
              false);
}

TEST(IndexEntryTest, EntriesSortByIndexKeyThenTableKey) {
  TableMeta table = Table();
  IndexMeta index = Gsi(model::Type::kN);
  auto key = [&](const char* pk, const char* r) {
    return *EntryKey(table, index, Item{{"pk", S(pk)}, {"sk", S("s")}, {"g", S("G")}, {"r", N(r)}});
  };
  EXPECT_EQ(key("b", "1").first, key("a", "2").first);  // same index partition
  EXPECT_LT(key("b", "1").second, key("a", "2").second);
  EXPECT_LT(key("a", "2").second, key("b", "2").second);  // equal index keys: by table key
  EXPECT_NE(key("a", "2").second, key("b", "2").second);
}

TEST(IndexEntryTest, ItemsWithoutTheIndexKeysOrWithWrongTypesAreNotIndexed) {
  TableMeta table = Table();
  IndexMeta index = Gsi(model::Type::kN);
  EXPECT_FALSE(EntryFor(table, index, Item{{"pk", S("a")}, {"sk", S("s")}, {"g", S("G")}}));
  EXPECT_FALSE(EntryFor(table, index, Item{{"pk", S("a")}, {"sk", S("s")}, {"g", S("G")}, {"r", S("1")}}));
  EXPECT_TRUE(EntryFor(table, index, Item{{"pk", S("a")}, {"sk", S("s")}, {"g", S("G")}, {"r", N("1")}}));
}

TEST(IndexEntryTest, ProjectionsKeepKeysAndWhatTheyName) {
  TableMeta table = Table();
  Item item{{"pk", S("a")}, {"sk", S("s")}, {"g", S("G")}, {"r", N("1")}, {"x", S("x")}, {"y", S("y")}};
  IndexMeta keys = Gsi(model::Type::kN, ProjectionType::kKeysOnly);
  EXPECT_EQ(ProjectToIndex(table, keys, item).size(), 4u);
  IndexMeta include = Gsi(model::Type::kN, ProjectionType::kInclude);
  include.non_key_attributes = {"x"};
  Item projected = ProjectToIndex(table, include, item);
  EXPECT_EQ(projected.size(), 5u);
  EXPECT_TRUE(projected.count("x"));
  EXPECT_EQ(ProjectToIndex(table, Gsi(model::Type::kN, ProjectionType::kAll), item), item);
}

TEST(IndexDeltaTest, WritesChangeTheIndexOnlyWhenTheEntryChanges) {
  TableMeta table = Table();
  IndexMeta index = Gsi(model::Type::kN, ProjectionType::kKeysOnly);
  Item a{{"pk", S("a")}, {"sk", S("s")}, {"g", S("G")}, {"r", N("1")}, {"x", S("1")}};

  auto insert = ComputeIndexDelta(table, index, std::nullopt, a);
  ASSERT_TRUE(insert);
  EXPECT_FALSE(insert->remove);
  EXPECT_TRUE(insert->put);
  EXPECT_EQ(insert->count_delta, 1);
  EXPECT_EQ(insert->write_units, 1);

  Item unprojected_change = a;
  unprojected_change["x"] = S("2");
  EXPECT_FALSE(ComputeIndexDelta(table, index, a, unprojected_change));

  Item moved = a;
  moved["r"] = N("2");
  auto move = ComputeIndexDelta(table, index, a, moved);
  ASSERT_TRUE(move);
  EXPECT_TRUE(move->remove && move->put);
  EXPECT_EQ(move->count_delta, 0);
  EXPECT_EQ(move->write_units, 2);  // DynamoDB charges the delete and the put

  Item sparse = a;
  sparse.erase("g");
  auto leave = ComputeIndexDelta(table, index, a, sparse);
  ASSERT_TRUE(leave);
  EXPECT_TRUE(leave->remove);
  EXPECT_FALSE(leave->put);
  EXPECT_EQ(leave->count_delta, -1);
  EXPECT_EQ(leave->size_delta, -static_cast<int64_t>(insert->put->size) - kIndexEntryOverhead);

  EXPECT_FALSE(ComputeIndexDelta(table, index, sparse, sparse));
}

TEST(IndexDeltaTest, DeliveryWritesTheRemoveAndThePutInTheIndexKeySpace) {
  TableMeta table = Table();
  IndexMeta index = Gsi(model::Type::kN);
  Item a{{"pk", S("a")}, {"sk", S("s")}, {"g", S("G")}, {"r", N("1")}};
  Item b = a;
  b["g"] = S("H");
  std::vector<IndexDelta> deltas{*ComputeIndexDelta(table, index, a, b)};
  std::vector<storage::PartitionWrite> batch;
  AppendIndexWrites(deltas, &batch);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].table, index.id);
  EXPECT_EQ(batch[0].muts[0].op, storage::Mutation::kDelete);
  EXPECT_EQ(batch[1].muts[0].op, storage::Mutation::kPut);
  EXPECT_EQ(batch[0].item_count_delta + batch[1].item_count_delta, 0);
}

}  // namespace
}  // namespace basalt::db
