// ClientRequestTokens against a real MetaStore: the first answer is kept
// (also by a second TransactionTokens on the same store, as after a restart
// or on another front-end), a different request is a mismatch, a running
// one is in progress, a cancelled one frees the token, and ten minutes end it.
#include "db/transaction_tokens.h"

#include <gtest/gtest.h>

#include "model/item.h"

namespace basalt::db {
namespace {

class TransactionTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
  }

  // "new", the error's code, or the kept answer rendered.
  static std::string Outcome(const std::optional<Result<TransactWriteOutput>>& r) {
    if (!r) return "new";
    if (!r->ok()) return "code " + std::to_string(static_cast<int>(r->status().code()));
    std::string out;
    for (const auto& c : (*r)->capacity) {
      out += c.table + " write " + std::to_string(static_cast<int>(c.write_units));
      for (const auto& [index, u] : c.global_indexes) out += " " + index + " " + std::to_string(static_cast<int>(u));
    }
    for (const auto& [table, metrics] : (*r)->collections) {
      for (const auto& m : metrics) out += "; " + table + " " + model::DebugString(m.key);
    }
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<storage::Engine> engine_;
};

TEST_F(TransactionTokensTest, TheFirstAnswerIsKeptForTenMinutesAcrossInstances) {
  TransactionTokens first(&engine_->meta(), &clock_);
  EXPECT_EQ("new", Outcome(first.Begin("ns", "t1", 42)));
  // While it runs, the token is in progress, here and on another front-end.
  TransactionTokens second(&engine_->meta(), &clock_);
  const std::string in_progress = "code " + std::to_string(static_cast<int>(Code::kTransactionInProgress));
  EXPECT_EQ(in_progress, Outcome(second.Begin("ns", "t1", 42)));

  TransactWriteOutput out;
  ConsumedCapacity c{"orders"};
  c.write_units = 4;
  c.global_indexes["byg"] = 2;
  out.capacity.push_back(c);
  out.collections["orders"].push_back(ItemCollectionMetrics{{{"pk", model::AttributeValue::S("p")}}, 0, 1});
  first.Finish("ns", "t1", &out);

  const std::string kept = R"(orders write 4 byg 2; orders {pk: S"p"})";
  EXPECT_EQ(kept, Outcome(second.Begin("ns", "t1", 42)));
  const std::string mismatch = "code " + std::to_string(static_cast<int>(Code::kIdempotentParameterMismatch));
  EXPECT_EQ(mismatch, Outcome(second.Begin("ns", "t1", 43)));
  EXPECT_EQ("new", Outcome(second.Begin("other-account", "t1", 43)));  // tokens are per account
  clock_.Advance(TransactionTokens::kTokenSeconds + 1);
  EXPECT_EQ("new", Outcome(second.Begin("ns", "t1", 43)));
}

TEST_F(TransactionTokensTest, ACancelledTransactionFreesItsToken) {
  TransactionTokens tokens(&engine_->meta(), &clock_);
  EXPECT_EQ("new", Outcome(tokens.Begin("ns", "t2", 7)));
  tokens.Finish("ns", "t2", nullptr);
  EXPECT_EQ("new", Outcome(tokens.Begin("ns", "t2", 8)));  // another request may use it now
}

}  // namespace
}  // namespace basalt::db
