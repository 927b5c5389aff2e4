#include "db/contributor_insights.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace basalt::db {
namespace {

std::string Render(const InsightsReport& r) {
  std::string out;
  for (const auto& ranking : r.rankings) {
    out += ranking.rule + ":";
    for (const auto& h : ranking.top) {
      std::string key = h.key;
      for (char& c : key) {
        if (c == '\0') c = '|';
      }
      char count[32];
      std::snprintf(count, sizeof count, "%g", h.count);
      out += " " + key + "=" + count;
    }
    out += "\n";
  }
  return out;
}

TableMeta Table(bool sort_key) {
  TableMeta t;
  t.ns = "us-east-1";
  t.name = "orders";
  t.key_schema.hash = {"pk", model::Type::kS};
  if (sort_key) t.key_schema.range = model::KeyAttribute{"sk", model::Type::kN};
  IndexMeta gsi;
  gsi.name = "bystatus";
  gsi.global = true;
  gsi.key_schema.hash = {"status", model::Type::kS};
  t.indexes.push_back(gsi);
  return t;
}

TEST(ContributorInsightsTest, EnableDescribeAndDisableAsTheServiceShowsThem) {
  FakeClock clock;
  ContributorInsights ci(&clock);
  TableMeta t = Table(true);
  EXPECT_EQ("DISABLED", ci.Describe("us-east-1", t, "").status);
  auto up = ci.Update("us-east-1", t, "", true, std::nullopt);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ("ENABLING", up->status);
  EXPECT_EQ(InsightsMode::kAccessedAndThrottledKeys, *up->mode);
  ASSERT_EQ(4u, up->rules.size());
  EXPECT_EQ("DynamoDBContributorInsights-PKC-orders-1700000000000", up->rules[0]);
  clock.Advance(2);
  EXPECT_EQ("ENABLED", ci.Describe("us-east-1", t, "").status);
  EXPECT_TRUE(ci.Any());
  // An index has rules of its own; a hash-only one has no SK rules.
  auto index = ci.Update("us-east-1", t, "bystatus", true, InsightsMode::kThrottledKeys);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(2u, index->rules.size());
  EXPECT_EQ(2u, ci.List("us-east-1", "").size());
  EXPECT_EQ(Code::kResourceNotFound, ci.Update("us-east-1", t, "nope", true, std::nullopt).status().code());
  auto off = ci.Update("us-east-1", t, "", false, std::nullopt);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ("DISABLING", off->status);
  EXPECT_TRUE(off->rules.empty());
  clock.Advance(2);
  EXPECT_EQ("DISABLED", ci.Describe("us-east-1", t, "").status);
}

TEST(ContributorInsightsTest, RanksAccessedAndThrottledKeysWeightedAsTheService) {
  FakeClock clock;
  ContributorInsights ci(&clock);
  TableMeta t = Table(true);
  ASSERT_TRUE(ci.Update("us-east-1", t, "", true, std::nullopt).ok());
  std::string one = "1", two = "2";
  ci.Accessed("us-east-1", "orders", "", "alice", &one, 3 * 1);  // a write of 1 WCU
  ci.Accessed("us-east-1", "orders", "", "bob", &one, 0.5);      // an eventually consistent read
  ci.Accessed("us-east-1", "orders", "", "bob", &two, 0.5);
  ci.Throttled("us-east-1", "orders", "", "bob", &two);
  ci.Accessed("us-east-1", "other", "", "zed", nullptr, 10);  // a table without insights
  auto r = ci.Report("us-east-1", "orders", "", 10);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ("PKC: alice=3 bob=1\nPKT: bob=1\nSKC: alice|1=3 bob|1=0.5 bob|2=0.5\nSKT: bob|2=1\n", Render(*r));
  // The window slides: five minutes later nothing is left.
  clock.Advance(400);
  EXPECT_EQ("PKC:\nPKT:\nSKC:\nSKT:\n", Render(*ci.Report("us-east-1", "orders", "", 10)));
}

TEST(ContributorInsightsTest, ThrottledKeysModeRecordsOnlyThrottles) {
  FakeClock clock;
  ContributorInsights ci(&clock);
  TableMeta t = Table(false);
  ASSERT_TRUE(ci.Update("us-east-1", t, "", true, InsightsMode::kThrottledKeys).ok());
  ci.Accessed("us-east-1", "orders", "", "alice", nullptr, 3);
  ci.Throttled("us-east-1", "orders", "", "alice", nullptr);
  EXPECT_EQ("PKC:\nPKT: alice=1\n", Render(*ci.Report("us-east-1", "orders", "", 10)));
}

}  // namespace
}  // namespace basalt::db
