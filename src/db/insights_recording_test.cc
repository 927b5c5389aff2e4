// Contributor Insights through the database: what Scan and the writes to a
// GSI record, and how the settings live with their tables (restart, table
// deletion, index deletion). The rankings are rendered as strings: one line
// per rule, "key=weight" by weight, a partition + sort key as "pk|sk".
#include "db/contributor_insights.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "common/testing.h"
#include "db/database.h"
#include "model/item.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;

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
    if (!r) return "not recording";
    std::string out;
    for (const auto& ranking : r->rankings) {
      out += ranking.rule + ":";
      for (const auto& h : ranking.top) {
        std::string key = h.key;
        for (char& c : key) {
          if (c == '\0') c = '|';
        }
        char weight[32];
        std::snprintf(weight, sizeof weight, "%.2g", h.count);
        out += " " + key + "=" + weight;
      }
      out += "\n";
    }
    return out;
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
  const std::string r = Rankings("");
  for (const char* share : {"a1=0.99", "b1=0.99", "c1=0.01", "a1|1=0.99"}) {
    EXPECT_NE(std::string::npos, r.find(share)) << share << " in " << r;
  }
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
