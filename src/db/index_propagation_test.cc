#include "db/index_propagation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "db/database.h"
#include "model/item.h"
#include "storage/forwarding_engine.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;

TEST(IndexChangeTest, RoundTripsAndRejectsDamage) {
  IndexChangeRecord change;
  change.item = storage::Key{7, std::string("pk\0x", 4), "sk"};
  change.indexes = {{9, {{"old-g", "e1"}, {"new-g", "e2"}}}, {11, {}}};
  const std::string bytes = EncodeIndexChange(change);
  IndexChangeRecord back;
  ASSERT_TRUE(DecodeIndexChange(bytes, &back));
  EXPECT_EQ(EncodeIndexChange(back), bytes);
  EXPECT_EQ(back.item.pk, change.item.pk);
  ASSERT_EQ(back.indexes.size(), 2u);
  EXPECT_EQ(back.indexes[0].second[1], EntryKeyOf("new-g", "e2"));
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeIndexChange(bytes.substr(0, n), &back)) << n;
  EXPECT_FALSE(DecodeIndexChange(bytes + "x", &back));
}

// The embedded engine, keeping GSIs asynchronously as the rados engine
// does: a commit's index changes wait in a list, which a test may hold
// back, reorder and repeat before the propagation reads it.
class AsyncIndexEngine : public storage::ForwardingEngine {
 public:
  explicit AsyncIndexEngine(std::unique_ptr<storage::Engine> inner) : ForwardingEngine(std::move(inner)) {}

  bool AsyncIndexes() const override { return true; }

  Status Commit(std::span<const storage::PartitionWrite> writes) override {
    std::vector<storage::PartitionWrite> rest;
    std::vector<Waiting> kept;
    for (const storage::PartitionWrite& w : writes) {
      for (const std::string& c : w.index_changes) kept.push_back({w.table, w.pk, {"", 0, c}});
      if (!w.muts.empty() || !w.outbox.empty() || w.item_count_delta || w.size_bytes_delta) {
        rest.push_back(w);
        rest.back().index_changes.clear();
      }
    }
    BASALT_RETURN_IF_ERROR(inner().Commit(rest));
    std::lock_guard lock(mu_);
    for (Waiting& k : kept) {
      k.change.position = std::to_string(next_++);
      waiting_.push_back(std::move(k));
    }
    return Status::Ok();
  }

  Status ReadIndexChanges(storage::TableId table, const std::optional<std::string>& pk, size_t limit,
                          std::vector<storage::IndexChange>* out) override {
    out->clear();
    std::lock_guard lock(mu_);
    if (held_) return Status::Ok();
    for (const Waiting& w : waiting_) {
      if ((table == 0 || w.table == table) && (!pk || w.pk == *pk) && out->size() < limit) {
        out->push_back(w.change);
      }
    }
    return Status::Ok();
  }

  Status RemoveIndexChanges(std::span<const storage::IndexChange> applied, bool) override {
    std::lock_guard lock(mu_);
    for (const storage::IndexChange& c : applied) {
      std::erase_if(waiting_, [&](const Waiting& w) { return w.change.position == c.position; });
    }
    return Status::Ok();
  }

  void Hold(bool held) {
    std::lock_guard lock(mu_);
    held_ = held;
  }
  size_t Waiting_() {
    std::lock_guard lock(mu_);
    return waiting_.size();
  }
  // Every waiting change twice, the copies in reverse commit order first.
  void ReverseAndRepeat() {
    std::lock_guard lock(mu_);
    std::vector<Waiting> twice(waiting_.rbegin(), waiting_.rend());
    twice.insert(twice.end(), waiting_.begin(), waiting_.end());
    for (Waiting& w : twice) w.change.position = std::to_string(next_++);
    waiting_ = std::move(twice);
  }

 private:
  struct Waiting {
    storage::TableId table;
    std::string pk;
    storage::IndexChange change;
  };
  std::mutex mu_;
  std::vector<Waiting> waiting_;
  uint64_t next_ = 0;
  bool held_ = false;
};

class IndexPropagationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto inner = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(inner.ok());
    engine_ = std::make_unique<AsyncIndexEngine>(std::move(*inner));
    db_ = std::make_unique<Database>(engine_.get(), &clock_, Options{});
    ASSERT_TRUE(db_->Open().ok());
    CreateTableInput in;
    in.name = "t";
    in.key_schema.hash = {"pk", model::Type::kS};
    in.attribute_definitions = {{"pk", model::Type::kS}, {"g", model::Type::kS}};
    in.billing_mode = BillingMode::kPayPerRequest;
    IndexInput gsi;
    gsi.name = "by_g";
    gsi.global = true;
    gsi.key_schema = {{"g", "HASH"}};
    in.global_indexes.push_back(gsi);
    in.has_global_indexes = true;
    ASSERT_TRUE(db_->CreateTable(scope_, in).ok());
  }

  void Put(const std::string& pk, const std::string& g, const std::string& v) {
    Item item{{"pk", AttributeValue::S(pk)}, {"v", AttributeValue::S(v)}};
    if (!g.empty()) item.emplace("g", AttributeValue::S(g));
    ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"t", item, false}).ok());
  }

  // A scan, as "g:pk=v" in key order ("pk=v" for the table's items without g skipped).
  std::string Scan(const std::string& index) {
    ScanInput s;
    s.table = "t";
    s.index = index;
    auto page = db_->Scan(scope_, s);
    if (!page.ok()) return "error: " + page.status().message();
    std::vector<std::string> rows;
    for (const Item& item : page->items) {
      if (!item.count("g")) continue;
      rows.push_back(item.at("g").str() + ":" + item.at("pk").str() + "=" + item.at("v").str());
    }
    std::sort(rows.begin(), rows.end());
    std::string out;
    for (const auto& r : rows) out += (out.empty() ? "" : " ") + r;
    return out;
  }

  int64_t IndexCount() {
    auto d = db_->DescribeTable(scope_, "t");
    return d.ok() ? d->indexes.at(0).stats.item_count : -1;
  }

  FakeClock clock_;
  std::unique_ptr<AsyncIndexEngine> engine_;
  std::unique_ptr<Database> db_;
  Scope scope_{"us-east-1", "us-east-1"};
};

TEST_F(IndexPropagationTest, ChangesAppliedOutOfOrderAndTwiceLeaveTheIndexAsTheItemsSay) {
  engine_->Hold(true);
  Put("a", "g1", "1");
  Put("b", "g1", "1");
  Put("c", "g2", "1");
  Put("a", "g2", "2");   // moves to another GSI partition
  Put("b", "g1", "2");   // changes in place
  Put("c", "", "2");     // leaves the index
  Put("d", "g3", "1");
  ASSERT_TRUE(db_->DeleteItem(scope_, KeyInput{"t", Item{{"pk", AttributeValue::S("d")}}, false}).ok());
  Put("e", "g3", "1");
  // Nothing reached the index yet: the changes wait in the items' partitions.
  EXPECT_EQ(9u, engine_->Waiting_());
  EXPECT_EQ("", Scan("by_g"));
  EXPECT_EQ(0, IndexCount());

  engine_->ReverseAndRepeat();
  engine_->Hold(false);
  // A read of the GSI applies what waits for the table first.
  EXPECT_EQ("g1:b=2 g2:a=2 g3:e=1", Scan("by_g"));
  EXPECT_EQ(Scan(""), Scan("by_g"));
  EXPECT_EQ(0u, engine_->Waiting_());
  EXPECT_EQ(3, IndexCount());
  EXPECT_GE(db_->index_propagation().figures().applied, 18u);
}

TEST_F(IndexPropagationTest, TheWritersOwnFrontEndAppliesWithoutARead) {
  Put("a", "g1", "1");
  Put("b", "g2", "1");
  for (int i = 0; i < 500 && (engine_->Waiting_() > 0 || IndexCount() != 2); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(0u, engine_->Waiting_());
  EXPECT_EQ(2, IndexCount());
}

}  // namespace
}  // namespace basalt::db
