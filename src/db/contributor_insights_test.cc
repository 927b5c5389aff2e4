#include "db/contributor_insights.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "common/testing.h"
#include "db/database.h"
#include "model/item.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;

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


// Contributor Insights through the database: what Scan and the writes to a
// GSI record, and how the settings live with their tables (restart, table
// deletion, index deletion).
class InsightsRecordingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
    Reopen();
    // orders: pk (S) + sk (N); GSI bystatus: status (S) + sk (N), all projected.
    CreateTableInput in;
    in.name = "orders";
    in.key_schema.hash = {"pk", model::Type::kS};
    in.key_schema.range = model::KeyAttribute{"sk", model::Type::kN};
    in.attribute_definitions = {{"pk", model::Type::kS}, {"sk", model::Type::kN}, {"status", model::Type::kS}};
    in.billing_mode = BillingMode::kPayPerRequest;
    IndexInput gsi;
    gsi.name = "bystatus";
    gsi.global = true;
    gsi.key_schema = {{"status", "HASH"}, {"sk", "RANGE"}};
    in.global_indexes.push_back(gsi);
    in.has_global_indexes = true;
    ASSERT_OK(db_->CreateTable(scope_, in));
  }

  void Reopen() {
    db_.reset();
    db_ = std::make_unique<Database>(engine_.get(), &clock_, Options{});
    ASSERT_OK(db_->Open());
  }

  std::shared_ptr<const TableMeta> Table() { return db_->DescribeTable(scope_, "orders")->meta; }

  void Enable(const std::string& index, std::optional<InsightsMode> mode = std::nullopt) {
    ASSERT_OK(db_->insights().Update(scope_.ns, *Table(), index, true, mode));
  }

  void Put(const std::string& pk, const char* sk, const std::string& status, size_t bytes = 10) {
    Item item{{"pk", AttributeValue::S(pk)},
              {"sk", AttributeValue::N(*model::Number::Parse(sk))},
              {"data", AttributeValue::S(std::string(bytes, 'x'))}};
    if (!status.empty()) item.emplace("status", AttributeValue::S(status));
    ASSERT_OK(db_->PutItem(scope_, PutItemInput{"orders", item}));
  }

  std::string Rankings(const std::string& index) {
    auto r = db_->insights().Report(scope_.ns, "orders", index, 10);
    return r ? Render(*r) : "not recording";
  }

  std::string Status(const std::string& index) {
    return db_->insights().Describe(scope_.ns, *Table(), index).status;
  }

  FakeClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<Database> db_;
  Scope scope_{"us-east-1", "us-east-1"};
};

TEST_F(InsightsRecordingTest, ScanCountsEachItemReadByItsShareOfThePage) {
  Put("a1", "1", "OPEN", 2500);
  Put("b1", "1", "OPEN", 2500);
  Put("c1", "1", "OPEN", 10);
  Enable("");
  ScanInput scan;
  scan.table = "orders";
  scan.consistent = true;
  auto page = db_->Scan(scope_, scan);
  ASSERT_OK(page);
  // About 5 KB read rounds to 2 read units, shared by size: two big items
  // of ~2,520 bytes and one of ~30.
  ASSERT_EQ(2, page->capacity.Total());
  // Each share: 2 x the item's size / all the items' sizes.
  auto r = db_->insights().Report(scope_.ns, "orders", "", 10);
  ASSERT_TRUE(r.has_value());
  std::map<std::string, double> pkc;
  for (const auto& h : r->rankings.at(0).top) pkc[h.key] = h.count;
  ASSERT_EQ("PKC", r->rankings.at(0).rule);
  EXPECT_NEAR(0.99, pkc["a1"], 0.01);
  EXPECT_NEAR(0.99, pkc["b1"], 0.01);
  EXPECT_NEAR(0.013, pkc["c1"], 0.002);
  EXPECT_NEAR(2.0, pkc["a1"] + pkc["b1"] + pkc["c1"], 1e-9);
}

TEST_F(InsightsRecordingTest, ScanOfAnIndexCountsUnderTheIndexKeys) {
  Put("a1", "1", "OPEN");
  Put("b1", "2", "OPEN");
  Put("c1", "3", "");  // not in the index
  Enable("bystatus");
  ScanInput scan;
  scan.table = "orders";
  scan.index = "bystatus";
  ASSERT_OK(db_->Scan(scope_, scan));
  // One eventually consistent read unit (0.5), shared by two entries of one size.
  EXPECT_EQ("PKC: OPEN=0.5\nPKT:\nSKC: OPEN|1=0.25 OPEN|2=0.25\nSKT:\n", Rankings("bystatus"));
  EXPECT_EQ("not recording", Rankings(""));
}

TEST_F(InsightsRecordingTest, TableWritesCountUnderTheGsiKeysTheyChange) {
  Enable("bystatus");
  Put("alice", "1", "OPEN");    // puts an entry: 1 WCU under OPEN
  Put("alice", "1", "CLOSED");  // moves it: 1 removed under OPEN, 1 written under CLOSED
  Put("bob", "2", "");          // not in the index: nothing
  EXPECT_EQ("PKC: OPEN=6 CLOSED=3\nPKT:\nSKC: OPEN|1=6 CLOSED|1=3\nSKT:\n", Rankings("bystatus"));
}

TEST_F(InsightsRecordingTest, SettingsOutliveARestartAndRankingsStartAfresh) {
  Enable("", InsightsMode::kThrottledKeys);
  Enable("bystatus");
  Put("alice", "1", "OPEN");
  const auto before = db_->insights().Describe(scope_.ns, *Table(), "");
  Reopen();
  const auto after = db_->insights().Describe(scope_.ns, *Table(), "");
  EXPECT_EQ("ENABLED", after.status);
  EXPECT_EQ(InsightsMode::kThrottledKeys, *after.mode);
  EXPECT_EQ(before.rules, after.rules);
  EXPECT_EQ(before.last_update, after.last_update);
  EXPECT_EQ("ENABLED", Status("bystatus"));
  EXPECT_TRUE(db_->insights().Any());
  EXPECT_EQ("PKC:\nPKT:\nSKC:\nSKT:\n", Rankings("bystatus"));
  Put("alice", "1", "CLOSED");
  EXPECT_NE("PKC:\nPKT:\nSKC:\nSKT:\n", Rankings("bystatus"));
  // Disabled stays disabled, and listed.
  ASSERT_OK(db_->insights().Update(scope_.ns, *Table(), "", false, std::nullopt));
  Reopen();
  EXPECT_EQ("DISABLED", Status(""));
  EXPECT_EQ(2u, db_->insights().List(scope_.ns, "orders").size());
}

TEST_F(InsightsRecordingTest, DeletingTheIndexOrTheTableDropsItsSettings) {
  Enable("");
  Enable("bystatus");
  UpdateTableInput drop;
  drop.name = "orders";
  IndexUpdate del;
  del.kind = IndexUpdate::kDelete;
  del.index.name = "bystatus";
  drop.index_updates.push_back(del);
  ASSERT_OK(db_->UpdateTable(scope_, drop));
  EXPECT_EQ(1u, db_->insights().List(scope_.ns, "orders").size());
  Reopen();
  EXPECT_EQ(1u, db_->insights().List(scope_.ns, "orders").size());
  ASSERT_OK(db_->DeleteTable(scope_, "orders"));
  EXPECT_TRUE(db_->insights().List(scope_.ns, "orders").empty());
  EXPECT_FALSE(db_->insights().Any());
  Reopen();
  EXPECT_TRUE(db_->insights().List(scope_.ns, "").empty());
}

}  // namespace
}  // namespace basalt::db
