// --capacity=enforce through the database: the errors of throttled
// requests, GSI back-pressure, transactions and the units they are charged.
#include "db/throttle.h"

#include <gtest/gtest.h>

#include "db/database.h"
#include "model/item.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;

class ThrottleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
    Options options;
    options.enforce_capacity = true;
    db_ = std::make_unique<Database>(engine_.get(), &clock_, options);
    ASSERT_TRUE(db_->Open().ok());
  }

  // A table keyed by pk (S) with provisioned throughput, and a GSI on g.
  void Create(const std::string& name, int64_t rcu, int64_t wcu, int64_t gsi_wcu = 0) {
    CreateTableInput in;
    in.name = name;
    in.key_schema.hash = {"pk", model::Type::kS};
    in.attribute_definitions = {{"pk", model::Type::kS}};
    in.billing_mode = BillingMode::kProvisioned;
    in.throughput = ProvisionedThroughput{rcu, wcu};
    if (gsi_wcu > 0) {
      in.attribute_definitions.push_back({"g", model::Type::kS});
      IndexInput gsi;
      gsi.name = "byg";
      gsi.global = true;
      gsi.key_schema = {{"g", "HASH"}};
      gsi.throughput = ProvisionedThroughput{100, gsi_wcu};
      in.global_indexes.push_back(gsi);
      in.has_global_indexes = true;
    }
    ASSERT_TRUE(db_->CreateTable(scope_, in).ok());
  }

  // "ok" or the error: its code's name, its message and its reasons.
  static std::string Outcome(const Status& st) {
    if (st.ok()) return "ok";
    std::string out;
    switch (st.code()) {
      case Code::kProvisionedThroughputExceeded: out = "ProvisionedThroughputExceeded"; break;
      case Code::kThrottling: out = "Throttling"; break;
      case Code::kRequestLimitExceeded: out = "RequestLimitExceeded"; break;
      case Code::kTransactionCanceled: out = "TransactionCanceled"; break;
      default: out = "code " + std::to_string(static_cast<int>(st.code()));
    }
    out += ": " + st.message();
    if (const auto* t = st.detail<Throttled>()) {
      for (const auto& r : t->reasons) out += " [" + r.reason + " " + r.resource + "]";
    }
    if (const auto* c = st.detail<TransactionCanceled>()) {
      for (const auto& r : c->reasons) out += " <" + r.code + ">";
    }
    return out;
  }

  Status Put(const std::string& table, const std::string& pk, const std::string& g = "", size_t bytes = 10) {
    Item item{{"pk", AttributeValue::S(pk)}, {"data", AttributeValue::S(std::string(bytes, 'x'))}};
    if (!g.empty()) item.emplace("g", AttributeValue::S(g));
    PutItemInput in;
    in.table = table;
    in.item = std::move(item);
    return db_->PutItem(scope_, in).status();
  }

  Status Get(const std::string& table, const std::string& pk) {
    return db_->GetItem(scope_, KeyInput{table, Item{{"pk", AttributeValue::S(pk)}}, false, true, std::nullopt})
        .status();
  }

  FakeClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<Database> db_;
  Scope scope_{"us-east-1", "us-east-1"};
};

TEST_F(ThrottleTest, ProvisionedTableThrottlesWritesPastItsRateAndDoesNotApplyThem) {
  Create("t", 1, 2);
  EXPECT_EQ("ok", Outcome(Put("t", "a")));
  EXPECT_EQ("ok", Outcome(Put("t", "b")));
  EXPECT_EQ(
      "ProvisionedThroughputExceeded: The level of configured provisioned throughput for the table was exceeded. "
      "Consider increasing your provisioning level with the UpdateTable API. "
      "[TableWriteProvisionedThroughputExceeded arn:aws:dynamodb:us-east-1:000000000000:table/t]",
      Outcome(Put("t", "c")));
  // Not applied: c is absent.
  clock_.Advance(1);
  auto c = db_->GetItem(scope_, KeyInput{"t", Item{{"pk", AttributeValue::S("c")}}, false, true, std::nullopt});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->item.has_value());
  // Reads have their own bucket; a second later writes pass again.
  EXPECT_EQ("ok", Outcome(Put("t", "c")));
}

TEST_F(ThrottleTest, AWriteWhoseConditionFailsStillConsumesWriteCapacity) {
  Create("t", 1, 3);
  EXPECT_EQ("ok", Outcome(Put("t", "a", "", 1500)));  // 2 units
  expr::Bindings bindings;
  PutItemInput again{"t", Item{{"pk", AttributeValue::S("a")}}, false};
  again.condition.condition =
      *expr::ParseCondition("attribute_not_exists(pk)", expr::ConditionKind::kCondition, bindings);
  EXPECT_EQ(Code::kConditionalCheckFailed, db_->PutItem(scope_, again).status().code());
  // The failed write took the existing item's 2 units: the table's third
  // unit is gone, so the next write is throttled (it would pass otherwise).
  EXPECT_EQ("ProvisionedThroughputExceeded", Outcome(Put("t", "b")).substr(0, 29));
}

TEST_F(ThrottleTest, ReadsAreThrottledByTheReadRate) {
  Create("t", 1, 5);
  ASSERT_TRUE(Put("t", "a").ok());
  EXPECT_EQ("ok", Outcome(Get("t", "a")));  // 1 RCU, strongly consistent
  EXPECT_EQ(
      "ProvisionedThroughputExceeded: The level of configured provisioned throughput for the table was exceeded. "
      "Consider increasing your provisioning level with the UpdateTable API. "
      "[TableReadProvisionedThroughputExceeded arn:aws:dynamodb:us-east-1:000000000000:table/t]",
      Outcome(Get("t", "a")));
}

// A PartiQL SELECT of one full key is a GetItem to the table's buckets (its
// Query and Scan plans go through Queries, which the Query tests cover);
// in a batch the throttled statement fails alone.
TEST_F(ThrottleTest, PartiQLKeyReadsAreThrottledLikeGetItem) {
  Create("t", 1, 5);
  ASSERT_TRUE(Put("t", "a").ok());
  StatementInput select;
  select.statement = "SELECT * FROM \"t\" WHERE pk = 'a'";
  select.consistent = true;
  auto first = db_->ExecuteStatement(scope_, select);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(1u, first->items.size());
  EXPECT_EQ(
      "ProvisionedThroughputExceeded: The level of configured provisioned throughput for the table was exceeded. "
      "Consider increasing your provisioning level with the UpdateTable API. "
      "[TableReadProvisionedThroughputExceeded arn:aws:dynamodb:us-east-1:000000000000:table/t]",
      Outcome(db_->ExecuteStatement(scope_, select).status()));
  clock_.Advance(1.0);
  auto batch = db_->BatchExecuteStatement(scope_, {select, select});
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  ASSERT_EQ(2u, batch->responses.size());
  EXPECT_EQ("ok", Outcome(batch->responses[0].error));
  EXPECT_EQ("ProvisionedThroughputExceeded", Outcome(batch->responses[1].error).substr(0, 29));
}

TEST_F(ThrottleTest, GsiThatCannotKeepUpThrottlesTheTablesWrites) {
  Create("t", 10, 100, /*gsi_wcu=*/1);
  // A 3 KB item costs 3 WCU on the table and 3 on the GSI, which has 1.
  EXPECT_EQ("ok", Outcome(Put("t", "a", "x", 3000)));
  EXPECT_EQ(
      "ProvisionedThroughputExceeded: The level of configured provisioned throughput for one or more global "
      "secondary indexes of the table was exceeded. Consider increasing your provisioning level for the "
      "under-provisioned global secondary indexes with the UpdateTable API "
      "[IndexWriteProvisionedThroughputExceeded arn:aws:dynamodb:us-east-1:000000000000:table/t/index/byg]",
      Outcome(Put("t", "b", "y")));
  // An item the GSI does not hold is not held back by it.
  EXPECT_EQ("ok", Outcome(Put("t", "c")));
  // The debt of 2 units is repaid in 2 s.
  clock_.Advance(2.5);
  EXPECT_EQ("ok", Outcome(Put("t", "b", "y")));
  auto counts = db_->throttle()->Counts();
  ASSERT_EQ(2u, counts.size());
  EXPECT_EQ("byg", counts[1].index);
  EXPECT_EQ(1u, counts[1].write_events);
  EXPECT_EQ(0u, counts[0].write_events);
}

// A GSI's partitions are those of its entries: a low-cardinality GSI key
// (every item "OPEN") is one hot partition of the GSI at 1,000 WCU, which
// throttles the table's writes though table and GSI have 20,000 WCU each;
// spread over many values the same writes pass.
TEST_F(ThrottleTest, AHotGsiPartitionThrottlesTheTablesWrites) {
  Create("t", 10, 20000, /*gsi_wcu=*/20000);
  int written = 0;
  Status last;
  for (int i = 0; i < 1500 && last.ok(); ++i) {
    last = Put("t", "item" + std::to_string(i), "OPEN");
    if (last.ok()) ++written;
  }
  EXPECT_EQ(1000, written);  // the GSI partition's second of capacity
  EXPECT_EQ(
      "ProvisionedThroughputExceeded: The level of configured provisioned throughput for one or more global "
      "secondary indexes of the table was exceeded. Consider increasing your provisioning level for the "
      "under-provisioned global secondary indexes with the UpdateTable API "
      "[IndexWriteKeyRangeThroughputExceeded arn:aws:dynamodb:us-east-1:000000000000:table/t/index/byg]",
      Outcome(last));
  // A second later, as many writes over many GSI key values all pass.
  clock_.Advance(1.1);
  for (int i = 0; i < 1500; ++i) ASSERT_EQ("ok", Outcome(Put("t", "spread" + std::to_string(i), "g" + std::to_string(i))));
  // Moving an entry to the hot value charges its partition, which refuses it once spent.
  while (Put("t", "more" + std::to_string(written++), "OPEN").ok()) {
  }
  EXPECT_EQ("ProvisionedThroughputExceeded", Outcome(Put("t", "spread1", "OPEN")).substr(0, 29));
  EXPECT_EQ("ok", Outcome(Put("t", "spread1", "")));  // leaving the GSI charges only the old entry's partition
}

TEST_F(ThrottleTest, TransactionalWritesCostTwiceAndAThrottledOneCancelsWithItsReason) {
  Create("t", 10, 4);
  TransactWriteInput in;
  for (const char* pk : {"a", "b"}) {
    TransactAction a;
    a.kind = TransactAction::kPut;
    a.table = "t";
    a.item = Item{{"pk", AttributeValue::S(pk)}};
    in.actions.push_back(a);
  }
  // 2 items x 1 KB x 2 = 4 WCU: all the table holds.
  auto first = db_->TransactWriteItems(scope_, in);
  ASSERT_TRUE(first.ok());
  EXPECT_DOUBLE_EQ(4, first->capacity[0].write_units);
  EXPECT_EQ(
      "TransactionCanceled: Transaction cancelled, please refer cancellation reasons for specific reasons "
      "[ProvisionedThroughputExceeded, ProvisionedThroughputExceeded] <ProvisionedThroughputExceeded> "
      "<ProvisionedThroughputExceeded>",
      Outcome(db_->TransactWriteItems(scope_, in).status()));
  clock_.Advance(1);
  EXPECT_TRUE(db_->TransactWriteItems(scope_, in).ok());
}

TEST_F(ThrottleTest, TransactionalReadsCostTwiceAndAThrottledOneCancels) {
  Create("t", 2, 10);
  ASSERT_TRUE(Put("t", "a").ok());
  std::vector<TransactGet> gets(1);
  gets[0].table = "t";
  gets[0].key = Item{{"pk", AttributeValue::S("a")}};
  auto first = db_->TransactGetItems(scope_, gets);
  ASSERT_TRUE(first.ok());
  EXPECT_DOUBLE_EQ(2, first->capacity[0].read_units);
  EXPECT_EQ(
      "TransactionCanceled: Transaction cancelled, please refer cancellation reasons for specific reasons "
      "[ProvisionedThroughputExceeded] <ProvisionedThroughputExceeded>",
      Outcome(db_->TransactGetItems(scope_, gets).status()));
}

TEST_F(ThrottleTest, OnDemandHotKeyGetsThrottlingExceptionWithTheKeyRangeReason) {
  CreateTableInput in;
  in.name = "od";
  in.key_schema.hash = {"pk", model::Type::kS};
  in.attribute_definitions = {{"pk", model::Type::kS}};
  in.billing_mode = BillingMode::kPayPerRequest;
  ASSERT_TRUE(db_->CreateTable(scope_, in).ok());
  // 1,000 writes of 1 KB to one key within one instant: its partition's second.
  int ok = 0;
  Status last;
  for (int i = 0; i < 1100; ++i) {
    last = Put("od", "hot");
    if (last.ok()) ++ok;
  }
  EXPECT_EQ(1000, ok);
  EXPECT_EQ(
      "Throttling: Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
      "scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot "
      "key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html "
      "[TableWriteKeyRangeThroughputExceeded arn:aws:dynamodb:us-east-1:000000000000:table/od]",
      Outcome(last));
  // Another key is served meanwhile: the table is far below its capacity.
  EXPECT_EQ("ok", Outcome(Put("od", "cold")));
}

TEST_F(ThrottleTest, BatchWritesReturnThrottledRequestsUnprocessed) {
  Create("t", 1, 1);
  std::vector<BatchWriteTableInput> in(1);
  in[0].table = "t";
  for (const char* pk : {"a", "b", "c"}) in[0].requests.push_back(WriteRequest{true, Item{{"pk", AttributeValue::S(pk)}}});
  auto out = db_->BatchWriteItem(scope_, in);
  ASSERT_TRUE(out.ok());
  // The table's balance is positive for the first request only; debt follows.
  ASSERT_EQ(1u, out->unprocessed.count("t"));
  EXPECT_EQ(2u, out->unprocessed["t"].size());
  // When every request is throttled, the batch itself is.
  EXPECT_EQ(Code::kProvisionedThroughputExceeded, db_->BatchWriteItem(scope_, in).status().code());
}

TEST_F(ThrottleTest, UpdateTableThroughputTakesEffectAtOnce) {
  Create("t", 1, 1);
  ASSERT_TRUE(Put("t", "a").ok());
  EXPECT_FALSE(Put("t", "b").ok());
  UpdateTableInput up;
  up.name = "t";
  up.throughput = ProvisionedThroughput{1, 100};
  ASSERT_TRUE(db_->UpdateTable(scope_, up).ok());
  clock_.Advance(0.05);  // 5 units at the new rate
  EXPECT_EQ("ok", Outcome(Put("t", "b")));
}

}  // namespace
}  // namespace basalt::db
