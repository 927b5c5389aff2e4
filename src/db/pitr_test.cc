// Point-in-time recovery against a model: random writes (the ten types,
// a GSI and an LSI, transactions, Time to Live deletions) under a fake
// clock; restores at random instants must equal the model's state at that
// instant, item for item, and the source's indexes as they were then.
#include "db/pitr.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <chrono>
#include <random>
#include <thread>

#include "db/database.h"
#include "model/item.h"
#include "storage/forwarding_engine.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;

AttributeValue Num(const std::string& text) { return AttributeValue::N(*model::Number::Parse(text)); }

std::string Render(const std::vector<std::string>& lines) {
  std::vector<std::string> sorted = lines;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (const auto& l : sorted) out += l + "\n";
  return out;
}

// The embedded engine, whose commits fail while `failing` is set (an
// engine error in the middle of a base copy).
class FailingEngine : public storage::ForwardingEngine {
 public:
  using ForwardingEngine::ForwardingEngine;
  Status Commit(std::span<const storage::PartitionWrite> writes) override {
    if (failing) return Status::Internal("injected commit failure");
    return inner().Commit(writes);
  }
  std::atomic<bool> failing{false};
};

class PitrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::make_unique<FailingEngine>(std::move(*engine));
    db_ = std::make_unique<Database>(engine_.get(), &clock_, Options{});
    ASSERT_TRUE(db_->Open().ok());
    CreateTableInput in;
    in.name = "src";
    in.key_schema.hash = {"pk", model::Type::kS};
    in.key_schema.range = model::KeyAttribute{"sk", model::Type::kN};
    in.attribute_definitions = {{"pk", model::Type::kS}, {"sk", model::Type::kN}, {"g", model::Type::kS},
                                {"l", model::Type::kN}};
    in.billing_mode = BillingMode::kPayPerRequest;
    IndexInput gsi;
    gsi.name = "byg";
    gsi.global = true;
    gsi.key_schema = {{"g", "HASH"}, {"sk", "RANGE"}};
    gsi.projection = ProjectionType::kInclude;
    gsi.non_key_attributes = std::vector<std::string>{"s"};
    in.global_indexes.push_back(gsi);
    in.has_global_indexes = true;
    IndexInput lsi;
    lsi.name = "byl";
    lsi.key_schema = {{"pk", "HASH"}, {"l", "RANGE"}};
    in.local_indexes.push_back(lsi);
    in.has_local_indexes = true;
    ASSERT_TRUE(db_->CreateTable(scope_, in).ok());
    ASSERT_TRUE(db_->UpdateTimeToLive(scope_, "src", "exp", true).ok());
  }

  std::string Dump(const std::string& table, const std::string& index = "") {
    ScanInput in;
    in.table = table;
    in.index = index;
    std::vector<std::string> lines;
    for (;;) {
      auto page = db_->Scan(scope_, in);
      if (!page.ok()) return "error: " + page.status().message();
      for (const Item& item : page->items) lines.push_back(model::DebugString(item));
      if (!page->last_evaluated_key) break;
      in.exclusive_start_key = page->last_evaluated_key;
    }
    return Render(lines);
  }

  // A random item: random key from a small space, attributes of all ten types.
  Item RandomItem() {
    Item item{{"pk", AttributeValue::S("p" + std::to_string(rng_() % 6))},
              {"sk", Num(std::to_string(rng_() % 8))}};
    auto maybe = [&] { return rng_() % 3 != 0; };
    if (maybe()) item.emplace("g", AttributeValue::S(rng_() % 2 ? "red" : "blue"));
    if (maybe()) item.emplace("l", Num(std::to_string(rng_() % 100)));
    if (maybe()) item.emplace("s", AttributeValue::S("v" + std::to_string(rng_())));
    if (maybe()) item.emplace("n", Num(std::to_string(static_cast<int>(rng_() % 2000) - 1000) + ".5"));
    if (maybe()) item.emplace("b", AttributeValue::B(std::string("\x00\x01", 2) + std::to_string(rng_() % 9)));
    if (maybe()) item.emplace("t", AttributeValue::Bool(rng_() % 2 == 0));
    if (maybe()) item.emplace("z", AttributeValue::Null());
    if (maybe()) item.emplace("ss", AttributeValue::SS({"a", "b" + std::to_string(rng_() % 5)}));
    if (maybe()) item.emplace("ns", AttributeValue::NS({*model::Number::Parse("1"), *model::Number::Parse("2")}));
    if (maybe()) item.emplace("bs", AttributeValue::BS({"x", "y"}));
    if (maybe()) item.emplace("li", AttributeValue::L({AttributeValue::S("e"), Num("3")}));
    if (maybe()) item.emplace("m", AttributeValue::M({{"k", AttributeValue::S("v")}}));
    // Some items expire (the sweeper deletes them through the write path).
    if (rng_() % 5 == 0) item.emplace("exp", Num(std::to_string(static_cast<int64_t>(clock_.Now()) - 10)));
    return item;
  }

  static std::string KeyOf(const Item& item) {
    return model::DebugString(item.at("pk")) + "/" + model::DebugString(item.at("sk"));
  }

  void Step() {
    clock_.Advance(0.001 + (rng_() % 3000) / 1000.0);
    switch (rng_() % 6) {
      case 0:
      case 1: {
        Item item = RandomItem();
        PutItemInput in;
        in.table = "src";
        in.item = item;
        ASSERT_TRUE(db_->PutItem(scope_, in).ok());
        model_[KeyOf(item)] = item;
        break;
      }
      case 2: {
        Item item = RandomItem();
        KeyInput in;
        in.table = "src";
        in.key = Item{{"pk", item.at("pk")}, {"sk", item.at("sk")}};
        ASSERT_TRUE(db_->DeleteItem(scope_, in).ok());
        model_.erase(KeyOf(item));
        break;
      }
      case 3: {
        TransactWriteInput in;
        Item a = RandomItem(), b = RandomItem();
        if (KeyOf(a) == KeyOf(b)) break;
        in.actions.push_back(TransactAction{TransactAction::kPut, "src", a, std::nullopt, {}});
        in.actions.push_back(TransactAction{TransactAction::kPut, "src", b, std::nullopt, {}});
        ASSERT_TRUE(db_->TransactWriteItems(scope_, in).ok());
        model_[KeyOf(a)] = a;
        model_[KeyOf(b)] = b;
        break;
      }
      case 4: {
        ASSERT_TRUE(db_->SweepExpired(100000).ok());
        std::erase_if(model_, [](const auto& kv) { return kv.second.count("exp") > 0; });
        break;
      }
      default: break;  // time passes without writes
    }
  }

  std::string ModelDump() {
    std::vector<std::string> lines;
    for (const auto& [k, item] : model_) lines.push_back(model::DebugString(item));
    return Render(lines);
  }

  struct Moment {
    double time;
    std::string items, gsi, lsi;
  };

  Moment Record() { return Moment{clock_.Now(), ModelDump(), Dump("src", "byg"), Dump("src", "byl")}; }

  Result<TableDescription> RestoreAt(const std::string& target, double time) {
    RestoreToPointInTimeInput in;
    in.source = "src";
    in.target = target;
    in.time = time;
    auto d = db_->pitr().Restore(scope_, in);
    db_->backups().WaitIdle();
    return d;
  }

  void ExpectRestoreEquals(const Moment& m, double at, int n) {
    std::string target = "r" + std::to_string(n);
    auto d = RestoreAt(target, at);
    ASSERT_TRUE(d.ok()) << d.status().message();
    EXPECT_EQ(m.items, Dump(target)) << "at " << at;
    EXPECT_EQ(m.gsi, Dump(target, "byg")) << "at " << at;
    EXPECT_EQ(m.lsi, Dump(target, "byl")) << "at " << at;
    ASSERT_TRUE(db_->DeleteTable(scope_, target).ok());
  }

  // Holds the backups worker, so that a base copy queued behind stays in
  // flight, until release_ is set (or the database stops, when a test fails).
  void HoldWorker() {
    Backups* backups = &db_->backups();
    backups->RunInBackground([this, backups] {
      while (!release_ && !backups->stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }

  std::atomic<bool> release_{false};
  std::mt19937 rng_{20261205};
  FakeClock clock_;
  std::unique_ptr<FailingEngine> engine_;
  std::unique_ptr<Database> db_;
  Scope scope_{"us-east-1", "us-east-1"};
  std::map<std::string, Item> model_;
};

TEST_F(PitrTest, RestoresAtRandomInstantsEqualTheModel) {
  for (int i = 0; i < 40; ++i) Step();  // the base copy holds these
  auto enabled = db_->pitr().Update(scope_, "src", true, std::nullopt);
  ASSERT_TRUE(enabled.ok());
  EXPECT_TRUE(enabled->pitr_enabled);
  std::vector<Moment> moments{Record()};
  for (int i = 0; i < 300; ++i) {
    Step();
    ASSERT_EQ(ModelDump(), Dump("src"));
    moments.push_back(Record());
  }
  for (int n = 0; n < 12; ++n) {
    size_t i = rng_() % moments.size();
    // The instant itself, or a moment before the next write.
    double at = moments[i].time;
    if (i + 1 < moments.size() && rng_() % 2) at = (moments[i].time + moments[i + 1].time) / 2;
    ExpectRestoreEquals(moments[i], at, n);
  }
  ExpectRestoreEquals(moments.back(), clock_.Now(), 99);
}

TEST_F(PitrTest, TrimKeepsEveryInstantOfTheWindow) {
  ASSERT_TRUE(db_->pitr().Update(scope_, "src", true, 1).ok());
  db_->backups().WaitIdle();
  std::vector<Moment> moments{Record()};
  for (int i = 0; i < 200; ++i) {
    if (i % 50 == 49) clock_.Advance(30000);  // the window moves past the early writes
    Step();
    ASSERT_EQ(ModelDump(), Dump("src"));
    moments.push_back(Record());
  }
  ASSERT_TRUE(db_->pitr().Trim().ok());
  auto d = db_->pitr().Describe(scope_, "src");
  ASSERT_TRUE(d.ok());
  EXPECT_NEAR(clock_.Now() - 86400, d->earliest, 0.01);
  int n = 0;
  for (size_t i = 0; i < moments.size(); ++i) {
    bool last_before_next = i + 1 == moments.size() || moments[i + 1].time > d->earliest;
    if (!last_before_next) continue;
    double at = std::max(moments[i].time, std::ceil(d->earliest));
    if (i + 1 < moments.size() && at >= moments[i + 1].time) continue;
    if (n++ % 7 == 0) {
      SCOPED_TRACE("moment " + std::to_string(i) + " of " + std::to_string(moments.size()) + ", earliest " +
                   std::to_string(d->earliest) + ", moment time " + std::to_string(moments[i].time));
      ExpectRestoreEquals(moments[i], at, n);
    }
  }
  EXPECT_GT(n, 10);
  auto early = RestoreAt("early", d->earliest - 10);
  EXPECT_EQ(Code::kInvalidRestoreTime, early.status().code());
}

TEST_F(PitrTest, DeletingTheTableLeavesADeletedTableBackupForThirtyFiveDays) {
  ASSERT_TRUE(db_->pitr().Update(scope_, "src", true, std::nullopt).ok());
  db_->backups().WaitIdle();  // the base copy (the table cannot be deleted before it ends)
  for (int i = 0; i < 120; ++i) Step();
  Moment last = Record();
  clock_.Advance(1);
  const double deleted_at = clock_.Now();
  ASSERT_TRUE(db_->DeleteTable(scope_, "src").ok());
  db_->backups().WaitIdle();

  ListBackupsInput list;
  EXPECT_TRUE(db_->backups().ListBackups(scope_, list)->backups.empty());  // USER by default
  list.type = "SYSTEM";
  auto listed = db_->backups().ListBackups(scope_, list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(1u, listed->backups.size());
  const BackupRecord& b = listed->backups[0];
  EXPECT_EQ("src$DeletedTableBackup", b.name);
  EXPECT_EQ(BackupType::kSystem, b.type);
  EXPECT_EQ(BackupStatus::kAvailable, b.status);
  EXPECT_NEAR(deleted_at, b.created, 0.001);
  EXPECT_NEAR(deleted_at + 35 * 86400, b.expires, 0.001);
  EXPECT_EQ(static_cast<int64_t>(model_.size()), b.item_count);

  // It restores the table as it was when it was deleted, indexes included.
  auto restored = db_->backups().RestoreTableFromBackup(scope_, RestoreFromBackupInput{"back", b.Arn(), {}});
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  db_->backups().WaitIdle();
  EXPECT_EQ(last.items, Dump("back"));
  EXPECT_EQ(last.gsi, Dump("back", "byg"));
  EXPECT_EQ(last.lsi, Dump("back", "byl"));
  // A table deleted without PITR leaves none.
  ASSERT_TRUE(db_->DeleteTable(scope_, "back").ok());
  db_->backups().WaitIdle();
  list.type = "ALL";
  EXPECT_EQ(1u, db_->backups().ListBackups(scope_, list)->backups.size());

  // Past its expiry it is gone.
  clock_.Advance(35 * 86400 + 1);
  EXPECT_TRUE(db_->backups().ListBackups(scope_, list)->backups.empty());
  EXPECT_EQ(Code::kBackupNotFound, db_->backups().DescribeBackup(scope_, b.Arn()).status().code());
}

// Its writers write records by commit (db/change_log.h), which a Basalt of
// data format 1 cannot read: enabling PITR stamps the data with format 2.
TEST_F(PitrTest, EnablingStampsTheDataFormatOfRecordsByCommit) {
  std::optional<std::string> stamp;
  ASSERT_TRUE(engine_->meta().Get("basalt_format_version", &stamp).ok());
  EXPECT_FALSE(stamp.has_value());
  ASSERT_TRUE(db_->pitr().Update(scope_, "src", true, std::nullopt).ok());
  ASSERT_TRUE(engine_->meta().Get("basalt_format_version", &stamp).ok());
  EXPECT_EQ("2", stamp.value_or("none"));
}

// A base copy that fails (an engine error) would leave a partial base, and
// restores without the items it did not copy: PITR is disabled again, its
// writers stop logging, and enabling it again starts a whole new base.
TEST_F(PitrTest, ABaseCopyThatFailsDisablesPointInTimeRecoveryAgain) {
  for (int i = 0; i < 40; ++i) Step();
  HoldWorker();
  ASSERT_TRUE(db_->pitr().Update(scope_, "src", true, std::nullopt).ok());
  engine_->failing = true;  // only the copy commits until the worker is idle again
  release_ = true;
  db_->backups().WaitIdle();
  engine_->failing = false;
  auto described = db_->pitr().Describe(scope_, "src");
  ASSERT_TRUE(described.ok());
  EXPECT_FALSE(described->pitr_enabled);
  RestoreToPointInTimeInput in{"src", "back", std::nullopt, true, {}};
  EXPECT_EQ(Code::kPointInTimeRecoveryUnavailable, db_->pitr().Restore(scope_, in).status().code());

  ASSERT_TRUE(db_->pitr().Update(scope_, "src", true, std::nullopt).ok());
  db_->backups().WaitIdle();
  for (int i = 0; i < 20; ++i) Step();
  Moment last = Record();
  clock_.Advance(1);
  ExpectRestoreEquals(last, clock_.Now(), 1);
}

// While the base copy is in flight (held here behind another job of the
// worker) the table cannot be deleted: the copy reads it. Once it is done,
// the deletion leaves the $DeletedTableBackup with every item.
TEST_F(PitrTest, TheTableCannotBeDeletedWhileItsBaseCopyIsInFlight) {
  for (int i = 0; i < 40; ++i) Step();
  HoldWorker();
  ASSERT_TRUE(db_->pitr().Update(scope_, "src", true, std::nullopt).ok());
  auto refused = db_->DeleteTable(scope_, "src");
  EXPECT_EQ(Code::kResourceInUse, refused.status().code());
  EXPECT_EQ(
      "Attempt to change a resource which is still in use: Point in time recovery of table src is being enabled "
      "(its base copy is in progress)",
      refused.status().message());
  release_ = true;
  db_->backups().WaitIdle();
  clock_.Advance(1);
  ASSERT_TRUE(db_->DeleteTable(scope_, "src").ok());
  db_->backups().WaitIdle();
  ListBackupsInput list;
  list.type = "SYSTEM";
  auto listed = db_->backups().ListBackups(scope_, list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(1u, listed->backups.size());
  EXPECT_EQ(BackupStatus::kAvailable, listed->backups[0].status);
  EXPECT_EQ(static_cast<int64_t>(model_.size()), listed->backups[0].item_count);
}

// A stop before the $DeletedTableBackup is filled (the worker busy with
// other work) leaves it CREATING with the deleted table's log: the next
// start fills it again from that log, then drops the log.
TEST_F(PitrTest, ADeletedTableBackupAStopInterruptedIsFilledAtTheNextStart) {
  ASSERT_TRUE(db_->pitr().Update(scope_, "src", true, std::nullopt).ok());
  db_->backups().WaitIdle();
  for (int i = 0; i < 60; ++i) Step();
  Moment last = Record();
  clock_.Advance(1);
  // The worker holds a job until the database stops, so the fill stays queued.
  Backups* backups = &db_->backups();
  backups->RunInBackground([backups] {
    while (!backups->stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  ASSERT_TRUE(db_->DeleteTable(scope_, "src").ok());
  ListBackupsInput list;
  list.type = "SYSTEM";
  ASSERT_EQ(BackupStatus::kCreating, db_->backups().ListBackups(scope_, list)->backups.at(0).status);
  db_.reset();

  db_ = std::make_unique<Database>(engine_.get(), &clock_, Options{});
  ASSERT_TRUE(db_->Open().ok());
  db_->backups().WaitIdle();
  auto listed = db_->backups().ListBackups(scope_, list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(1u, listed->backups.size());
  const BackupRecord& b = listed->backups[0];
  EXPECT_EQ(BackupStatus::kAvailable, b.status);
  EXPECT_EQ(static_cast<int64_t>(model_.size()), b.item_count);
  EXPECT_EQ(0u, b.source_log);  // the log is gone
  ASSERT_TRUE(db_->backups().RestoreTableFromBackup(scope_, RestoreFromBackupInput{"back", b.Arn(), {}}).ok());
  db_->backups().WaitIdle();
  EXPECT_EQ(last.items, Dump("back"));
  EXPECT_EQ(last.gsi, Dump("back", "byg"));
}

// The table is restored as it was defined at the restore time: a GSI
// deleted since comes back (rebuilt from the items), billing and
// throughput are those of that time; trimming keeps the definition in force
// at the start of the window, and disabling PITR drops them all.
TEST_F(PitrTest, RestoresTheDefinitionInForceAtTheRestoreTime) {
  auto definitions = [&] {
    std::vector<std::pair<std::string, std::string>> rows;
    EXPECT_TRUE(engine_->meta().List("pitr-def/", &rows).ok());
    return rows.size();
  };
  auto billing = [&](const std::string& table) {
    auto d = db_->DescribeTable(scope_, table);
    if (!d.ok()) return std::string("error");
    const TableMeta& m = *d->meta;
    if (m.billing_mode == BillingMode::kPayPerRequest) return std::string("PAY_PER_REQUEST");
    return "PROVISIONED " + std::to_string(m.throughput.read_capacity_units) + "/" +
           std::to_string(m.throughput.write_capacity_units);
  };
  ASSERT_TRUE(db_->pitr().Update(scope_, "src", true, 1).ok());
  db_->backups().WaitIdle();
  EXPECT_EQ(1u, definitions());
  for (int i = 0; i < 60; ++i) Step();
  Moment with_gsi = Record();
  const double t_gsi = clock_.Now();

  clock_.Advance(10);
  UpdateTableInput drop;
  drop.name = "src";
  IndexUpdate del;
  del.kind = IndexUpdate::kDelete;
  del.index.name = "byg";
  drop.index_updates.push_back(del);
  ASSERT_TRUE(db_->UpdateTable(scope_, drop).ok());
  clock_.Advance(10);
  const double t_no_gsi = clock_.Now();

  clock_.Advance(10);
  UpdateTableInput provision;
  provision.name = "src";
  provision.billing_mode = BillingMode::kProvisioned;
  ProvisionedThroughput tp;
  tp.read_capacity_units = 7;
  tp.write_capacity_units = 3;
  provision.throughput = tp;
  ASSERT_TRUE(db_->UpdateTable(scope_, provision).ok());
  clock_.Advance(10);
  EXPECT_EQ(3u, definitions());

  auto at_gsi = RestoreAt("then", t_gsi);
  ASSERT_TRUE(at_gsi.ok()) << at_gsi.status().message();
  EXPECT_EQ(with_gsi.items, Dump("then"));
  EXPECT_EQ(with_gsi.gsi, Dump("then", "byg"));
  EXPECT_EQ(with_gsi.lsi, Dump("then", "byl"));
  EXPECT_EQ("PAY_PER_REQUEST", billing("then"));

  ASSERT_TRUE(RestoreAt("between", t_no_gsi).ok());
  EXPECT_EQ(with_gsi.items, Dump("between"));
  EXPECT_EQ("error: The table does not have the specified index: byg", Dump("between", "byg"));
  EXPECT_EQ(with_gsi.lsi, Dump("between", "byl"));
  EXPECT_EQ("PAY_PER_REQUEST", billing("between"));

  ASSERT_TRUE(RestoreAt("now", clock_.Now()).ok());
  EXPECT_EQ("PROVISIONED 7/3", billing("now"));
  EXPECT_EQ("error: The table does not have the specified index: byg", Dump("now", "byg"));

  // A day later the window starts after every change: one definition stays.
  clock_.Advance(86400 + 60);
  ASSERT_TRUE(db_->pitr().Trim().ok());
  EXPECT_EQ(1u, definitions());
  auto earliest = db_->pitr().Describe(scope_, "src")->earliest;
  ASSERT_TRUE(RestoreAt("early", std::ceil(earliest)).ok());
  EXPECT_EQ("PROVISIONED 7/3", billing("early"));
  EXPECT_EQ(with_gsi.items, Dump("early"));

  ASSERT_TRUE(db_->pitr().Update(scope_, "src", false, std::nullopt).ok());
  EXPECT_EQ(0u, definitions());
}

TEST_F(PitrTest, ErrorsAndSettings) {
  RestoreToPointInTimeInput in{"src", "copy", std::nullopt, true, {}};
  EXPECT_EQ(Code::kPointInTimeRecoveryUnavailable, db_->pitr().Restore(scope_, in).status().code());
  EXPECT_EQ("Point in time recovery is not enabled for table 'src'", db_->pitr().Restore(scope_, in).status().message());
  in.source = "nope";
  EXPECT_EQ(Code::kTableNotFound, db_->pitr().Restore(scope_, in).status().code());
  EXPECT_EQ(Code::kTableNotFound, db_->pitr().Describe(scope_, "nope").status().code());
  auto d = db_->pitr().Describe(scope_, "src");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->pitr_enabled);
  ASSERT_TRUE(db_->pitr().Update(scope_, "src", true, 7).ok());
  d = db_->pitr().Describe(scope_, "src");
  EXPECT_TRUE(d->pitr_enabled);
  EXPECT_EQ(7, d->period_days);
  ASSERT_TRUE(db_->pitr().Update(scope_, "src", false, std::nullopt).ok());
  EXPECT_FALSE(db_->pitr().Describe(scope_, "src")->pitr_enabled);
}

}  // namespace
}  // namespace basalt::db
