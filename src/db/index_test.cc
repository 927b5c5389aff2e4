#include "db/index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "model/item_codec.h"
#include "model/key_encoding.h"

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

// A GSI with multi-attribute keys: partition (g S, h N), sort (r1 S, r2 N).
IndexMeta MultiGsi() {
  IndexMeta i = Gsi(model::Type::kS);
  i.key_schema.range = model::KeyAttribute{"r1", model::Type::kS};
  i.key_schema.extra_hash = {{"h", model::Type::kN}};
  i.key_schema.extra_range = {{"r2", model::Type::kN}};
  return i;
}

// Entries of every (r1, r2) pair (with several table keys each) sort as the
// pairs do, and for every query shape on the sort attributes (an equality on
// r1 and a comparison on r2, or a comparison on r1 alone) the computed range
// holds exactly the entries of the pairs that satisfy it: values with NUL
// bytes, shared prefixes and negative numbers included.
TEST(IndexRangeTest, MultiAttributeSortKeysSelectExactlyTheMatchingTuples) {
  TableMeta table = Table();
  IndexMeta index = MultiGsi();
  const std::vector<AttributeValue> firsts{S(""), S("a"), S(std::string("a\0", 2)), S(std::string("a\0b", 3)),
                                           S("ab"), S("b"), S("\xff")};
  const std::vector<AttributeValue> seconds{N("-10"), N("-1.5"), N("0"), N("0.001"), N("1"), N("1E+20")};
  struct Entry {
    std::string sk;
    const AttributeValue* r1;
    const AttributeValue* r2;
  };
  std::vector<Entry> entries;
  for (const auto& r1 : firsts) {
    if (r1.str().empty()) continue;  // an empty string cannot be a key value
    for (const auto& r2 : seconds) {
      for (const char* pk : {"a", "zz"}) {
        Item item{{"pk", S(pk)}, {"sk", S("s")}, {"g", S("G")}, {"h", N("3")}, {"r1", r1}, {"r2", r2}};
        auto key = EntryKey(table, index, item);
        ASSERT_TRUE(key.has_value());
        entries.push_back({key->second, &r1, &r2});
      }
    }
  }
  // Order: by r1, then r2, then the table key.
  for (const Entry& x : entries) {
    for (const Entry& y : entries) {
      int by_r1 = model::CompareScalars(*x.r1, *y.r1);
      int by_r2 = model::CompareScalars(*x.r2, *y.r2);
      if (by_r1 < 0 || (by_r1 == 0 && by_r2 < 0)) {
        EXPECT_LT(x.sk, y.sk);
      }
    }
  }
  std::vector<K> kinds{K::kEq, K::kLt, K::kLe, K::kGt, K::kGe};
  for (const auto& a : firsts) {
    if (a.str().empty()) continue;
    std::string prefix;
    model::AppendEscapedKeyEncoding(a, &prefix);
    for (const auto& b : seconds) {
      for (K kind : kinds) {
        expr::KeyComparison c{kind, {}, {b}};
        storage::SortKeyRange r = SortKeyRangeFor(c, true, prefix);
        for (const Entry& e : entries) {
          EXPECT_EQ(InRange(r, e.sk), model::CompareScalars(*e.r1, a) == 0 && Satisfies(c, *e.r2))
              << model::DebugString(a) << " " << static_cast<int>(kind) << " " << model::DebugString(b);
        }
      }
      for (const auto& b2 : seconds) {
        expr::KeyComparison c{K::kBetween, {}, {b, b2}};
        storage::SortKeyRange r = SortKeyRangeFor(c, true, prefix);
        for (const Entry& e : entries) {
          EXPECT_EQ(InRange(r, e.sk), model::CompareScalars(*e.r1, a) == 0 && Satisfies(c, *e.r2));
        }
      }
    }
    for (K kind : {K::kEq, K::kLt, K::kLe, K::kGt, K::kGe, K::kBeginsWith}) {
      expr::KeyComparison c{kind, {}, {a}};
      storage::SortKeyRange r = SortKeyRangeFor(c, true);
      for (const Entry& e : entries) EXPECT_EQ(InRange(r, e.sk), Satisfies(c, *e.r1)) << static_cast<int>(kind);
    }
  }
}

TEST(IndexEntryTest, MultiAttributePartitionKeysAreEscapedTuples) {
  TableMeta table = Table();
  IndexMeta index = MultiGsi();
  auto partition = [&](const char* g, const char* h) {
    return EntryKey(table, index, Item{{"pk", S("a")}, {"sk", S("s")}, {"g", S(g)}, {"h", N(h)}, {"r1", S("x")},
                                       {"r2", N("1")}})
        ->first;
  };
  // ("a", 12) and ("a1", 2) would collide as a plain concatenation.
  EXPECT_NE(partition("a", "12"), partition("a1", "2"));
  EXPECT_EQ(partition("a", "12"), partition("a", "12"));
  // An item missing any key attribute, or with one of the wrong type, is not in the index.
  Item full{{"pk", S("a")}, {"sk", S("s")}, {"g", S("G")}, {"h", N("1")}, {"r1", S("x")}, {"r2", N("1")}};
  EXPECT_TRUE(EntryFor(table, index, full));
  for (const char* missing : {"g", "h", "r1", "r2"}) {
    Item sparse = full;
    sparse.erase(missing);
    EXPECT_FALSE(EntryFor(table, index, sparse)) << missing;
  }
  Item wrong = full;
  wrong["h"] = S("1");
  EXPECT_FALSE(EntryFor(table, index, wrong));
}

}  // namespace
}  // namespace basalt::db
