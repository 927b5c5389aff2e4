#include "db/backups.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "db/database.h"
#include "model/item.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;

AttributeValue Num(const char* text) { return AttributeValue::N(*model::Number::Parse(text)); }

class BackupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
    Reopen();
  }

  void Reopen() {
    db_.reset();
    db_ = std::make_unique<Database>(engine_.get(), &clock_, Options{});
    ASSERT_TRUE(db_->Open().ok());
  }

  // A table keyed (pk S, sk N) with a GSI on g and an LSI on l.
  void CreateIndexed(const std::string& name) {
    CreateTableInput in;
    in.name = name;
    in.key_schema.hash = {"pk", model::Type::kS};
    in.key_schema.range = model::KeyAttribute{"sk", model::Type::kN};
    in.attribute_definitions = {{"pk", model::Type::kS}, {"sk", model::Type::kN}, {"g", model::Type::kS},
                                {"l", model::Type::kS}};
    in.billing_mode = BillingMode::kPayPerRequest;
    IndexInput gsi;
    gsi.name = "byg";
    gsi.global = true;
    gsi.key_schema = {{"g", "HASH"}};
    in.global_indexes.push_back(gsi);
    in.has_global_indexes = true;
    IndexInput lsi;
    lsi.name = "byl";
    lsi.key_schema = {{"pk", "HASH"}, {"l", "RANGE"}};
    lsi.projection = ProjectionType::kKeysOnly;
    in.local_indexes.push_back(lsi);
    in.has_local_indexes = true;
    ASSERT_TRUE(db_->CreateTable(scope_, in).ok());
  }

  void Put(const std::string& table, const std::string& pk, const char* sk, const std::string& g = "",
           const std::string& l = "") {
    Item item{{"pk", AttributeValue::S(pk)}, {"sk", Num(sk)}};
    if (!g.empty()) item.emplace("g", AttributeValue::S(g));
    if (!l.empty()) item.emplace("l", AttributeValue::S(l));
    PutItemInput in;
    in.table = table;
    in.item = std::move(item);
    ASSERT_TRUE(db_->PutItem(scope_, in).ok());
  }

  // Every item of the table (or index), sorted, one per line.
  std::string Dump(const std::string& table, const std::string& index = "") {
    ScanInput in;
    in.table = table;
    in.index = index;
    auto page = db_->Scan(scope_, in);
    if (!page.ok()) return "error: " + page.status().message();
    std::vector<std::string> lines;
    for (const Item& item : page->items) lines.push_back(model::DebugString(item));
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }

  std::string Status(const std::string& table) {
    auto d = db_->DescribeTable(scope_, table);
    return d.ok() ? d->status : d.status().message();
  }

  Backups& backups() { return db_->backups(); }

  FakeClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<Database> db_;
  Scope scope_{"us-east-1", "us-east-1"};
};

TEST_F(BackupsTest, RestoreHoldsTheItemsAndIndexesOfTheCut) {
  CreateIndexed("src");
  Put("src", "a", "1", "x", "p");
  Put("src", "a", "2", "y");
  Put("src", "b", "1", "x", "q");
  std::string items = Dump("src"), gsi = Dump("src", "byg"), lsi = Dump("src", "byl");
  auto backup = backups().CreateBackup(scope_, "src", "first");
  ASSERT_TRUE(backup.ok()) << backup.status().message();
  EXPECT_EQ(BackupStatus::kCreating, backup->status);
  Put("src", "c", "1", "z");  // after the cut
  backups().WaitIdle();
  auto described = backups().DescribeBackup(scope_, backup->Arn());
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(BackupStatus::kAvailable, described->status);
  EXPECT_EQ(3, described->item_count);
  EXPECT_GT(described->size_bytes, 0);

  auto restored = backups().RestoreTableFromBackup(scope_, {"copy", backup->Arn(), {}});
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ("CREATING", restored->status);
  ASSERT_TRUE(restored->restore);
  EXPECT_TRUE(restored->restore->in_progress);
  backups().WaitIdle();
  EXPECT_EQ("ACTIVE", Status("copy"));
  EXPECT_EQ(items, Dump("copy"));
  EXPECT_EQ(gsi, Dump("copy", "byg"));
  EXPECT_EQ(lsi, Dump("copy", "byl"));
  auto d = db_->DescribeTable(scope_, "copy");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(3, d->stats.item_count);
  ASSERT_TRUE(d->restore);
  EXPECT_FALSE(d->restore->in_progress);
  EXPECT_EQ(backup->Arn(), d->restore->source_backup_arn);
}

TEST_F(BackupsTest, BackupOutlivesItsTableAndARestart) {
  CreateIndexed("gone");
  Put("gone", "a", "1", "x");
  auto backup = backups().CreateBackup(scope_, "gone", "keep");
  ASSERT_TRUE(backup.ok());
  backups().WaitIdle();
  ASSERT_TRUE(db_->DeleteTable(scope_, "gone").ok());
  Reopen();
  auto described = backups().DescribeBackup(scope_, backup->Arn());
  ASSERT_TRUE(described.ok());
  EXPECT_EQ("gone", described->table.name);
  ASSERT_TRUE(backups().RestoreTableFromBackup(scope_, {"gone", backup->Arn(), {}}).ok());
  backups().WaitIdle();
  EXPECT_EQ("{g: S\"x\", pk: S\"a\", sk: N1}\n", Dump("gone"));
  Reopen();  // the restore summary survives too
  auto d = db_->DescribeTable(scope_, "gone");
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->restore);
  EXPECT_EQ(backup->Arn(), d->restore->source_backup_arn);
}

TEST_F(BackupsTest, OverridesReplaceIndexesAndBilling) {
  CreateIndexed("src");
  Put("src", "a", "1", "x", "p");
  auto backup = backups().CreateBackup(scope_, "src", "b1");
  ASSERT_TRUE(backup.ok());
  backups().WaitIdle();
  RestoreOverrides o;
  o.global_indexes.emplace();  // no GSIs
  o.billing_mode = BillingMode::kProvisioned;
  o.throughput = ProvisionedThroughput{5, 6};
  auto restored = backups().RestoreTableFromBackup(scope_, {"lean", backup->Arn(), o});
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  backups().WaitIdle();
  auto d = db_->DescribeTable(scope_, "lean");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(BillingMode::kProvisioned, d->meta->billing_mode);
  EXPECT_EQ(5, d->meta->throughput.read_capacity_units);
  ASSERT_EQ(1u, d->meta->indexes.size());
  EXPECT_EQ("byl", d->meta->indexes[0].name);
  EXPECT_EQ(Dump("src", "byl"), Dump("lean", "byl"));
}

TEST_F(BackupsTest, ErrorsAreTheServicesOwn) {
  EXPECT_EQ(Code::kTableNotFound, backups().CreateBackup(scope_, "nope", "b").status().code());
  EXPECT_EQ("Table not found: nope", backups().CreateBackup(scope_, "nope", "b").status().message());
  std::string missing = "arn:aws:dynamodb:us-east-1:000000000000:table/t/backup/01489173575360-b308cd7d";
  EXPECT_EQ(Code::kBackupNotFound, backups().DescribeBackup(scope_, missing).status().code());
  EXPECT_EQ(Code::kBackupNotFound, backups().DeleteBackup(scope_, missing).status().code());
  EXPECT_EQ(Code::kBackupNotFound, backups().RestoreTableFromBackup(scope_, {"x", missing, {}}).status().code());
  CreateIndexed("src");
  auto backup = backups().CreateBackup(scope_, "src", "b1");
  ASSERT_TRUE(backup.ok());
  backups().WaitIdle();
  auto exists = backups().RestoreTableFromBackup(scope_, {"src", backup->Arn(), {}});
  EXPECT_EQ(Code::kTableAlreadyExists, exists.status().code());
  EXPECT_EQ("Table already exists: src", exists.status().message());
  auto deleted = backups().DeleteBackup(scope_, backup->Arn());
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(BackupStatus::kDeleted, deleted->status);
  EXPECT_EQ(Code::kBackupNotFound, backups().DescribeBackup(scope_, backup->Arn()).status().code());
}

TEST_F(BackupsTest, ATableWhoseBackupIsBeingCopiedCannotBeDeleted) {
  CreateIndexed("src");
  Put("src", "a", "1");
  // Holds the worker, so the copy waits CREATING behind this job.
  std::atomic<bool> release{false};
  backups().RunInBackground([&] {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  auto backup = backups().CreateBackup(scope_, "src", "nightly");
  ASSERT_TRUE(backup.ok());
  auto refused = db_->DeleteTable(scope_, "src");
  EXPECT_EQ(Code::kResourceInUse, refused.status().code());
  EXPECT_EQ("Attempt to change a resource which is still in use: Table is being backed up: src",
            refused.status().message());
  release.store(true);
  backups().WaitIdle();
  EXPECT_TRUE(db_->DeleteTable(scope_, "src").ok());
}

TEST_F(BackupsTest, ListBackupsFiltersAndPages) {
  CreateIndexed("one");
  CreateIndexed("two");
  std::vector<std::string> arns;
  for (const char* t : {"one", "two", "one"}) {
    auto b = backups().CreateBackup(scope_, t, "b");
    ASSERT_TRUE(b.ok());
    arns.push_back(b->Arn());
    clock_.Advance(10);
  }
  backups().WaitIdle();
  ListBackupsInput in;
  auto all = backups().ListBackups(scope_, in);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(3u, all->backups.size());
  in.table = "one";
  EXPECT_EQ(2u, backups().ListBackups(scope_, in)->backups.size());
  in.table.reset();
  in.limit = 2;
  auto first = backups().ListBackups(scope_, in);
  ASSERT_EQ(2u, first->backups.size());
  ASSERT_TRUE(first->last_evaluated_arn);
  in.exclusive_start_arn = first->last_evaluated_arn;
  auto second = backups().ListBackups(scope_, in);
  ASSERT_EQ(1u, second->backups.size());
  EXPECT_EQ(arns[2], second->backups[0].Arn());
  EXPECT_FALSE(second->last_evaluated_arn);
  ListBackupsInput window;
  window.lower = all->backups[1].created;
  window.upper = all->backups[2].created;
  auto w = backups().ListBackups(scope_, window);
  ASSERT_EQ(1u, w->backups.size());
  EXPECT_EQ(arns[1], w->backups[0].Arn());
  window = {};
  window.type = "SYSTEM";
  EXPECT_EQ(0u, backups().ListBackups(scope_, window)->backups.size());
}

TEST_F(BackupsTest, InterruptedRestoreIsRemovedAtOpen) {
  CreateIndexed("src");
  for (int i = 0; i < 3000; ++i) Put("src", "p" + std::to_string(i), "1", "x");
  auto backup = backups().CreateBackup(scope_, "src", "big");
  ASSERT_TRUE(backup.ok());
  backups().WaitIdle();
  ASSERT_TRUE(backups().RestoreTableFromBackup(scope_, {"half", backup->Arn(), {}}).ok());
  Reopen();  // stops the worker, most likely mid-restore
  // Either the restore finished before the stop, or the table is gone.
  std::string status = Status("half");
  if (status == "ACTIVE") {
    EXPECT_EQ(3000, db_->DescribeTable(scope_, "half")->stats.item_count);
  } else {
    EXPECT_EQ("Requested resource not found: Table: half not found", status);
  }
  EXPECT_EQ("AVAILABLE", std::string(BackupStatusName(backups().DescribeBackup(scope_, backup->Arn())->status)));
}

// Writers run transactions that put both items of a pair with the same
// generation; a consistent cut (a backup, a point-in-time restore) taken
// while they run must never hold a pair whose items differ.
TEST_F(BackupsTest, CutsTakenUnderTransactionalLoadAreConsistent) {
  CreateIndexed("pairs");
  ASSERT_TRUE(db_->pitr().Update(scope_, "pairs", true, std::nullopt).ok());
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int g = 1; !stop; ++g) {
        std::string pair = "pair" + std::to_string((w * 7 + g) % 10);
        TransactWriteInput in;
        for (const char* sk : {"1", "2"}) {
          Item item{{"pk", AttributeValue::S(pair)}, {"sk", Num(sk)},
                    {"g", AttributeValue::S(std::to_string(w) + "." + std::to_string(g))}};
          in.actions.push_back(TransactAction{TransactAction::kPut, "pairs", item, std::nullopt, {}});
        }
        auto r = db_->TransactWriteItems(scope_, in);  // conflicts with another writer are fine
        (void)r;
      }
    });
  }
  std::vector<std::string> arns;
  std::vector<double> instants;
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    clock_.Advance(1);
    instants.push_back(clock_.Now());
    clock_.Advance(0.5);
    auto b = backups().CreateBackup(scope_, "pairs", "cut" + std::to_string(i));
    EXPECT_TRUE(b.ok());
    if (b.ok()) arns.push_back(b->Arn());
  }
  stop = true;
  for (auto& t : writers) t.join();
  backups().WaitIdle();
  std::vector<std::string> targets;
  for (size_t i = 0; i < arns.size(); ++i) {
    targets.push_back("cut" + std::to_string(i));
    ASSERT_TRUE(backups().RestoreTableFromBackup(scope_, {targets.back(), arns[i], {}}).ok());
  }
  for (size_t i = 0; i < instants.size(); ++i) {
    RestoreToPointInTimeInput in{"pairs", "pitr" + std::to_string(i), instants[i], false, {}};
    ASSERT_TRUE(db_->pitr().Restore(scope_, in).ok());
    targets.push_back(in.target);
  }
  backups().WaitIdle();
  for (const std::string& t : targets) {
    ScanInput in;
    in.table = t;
    auto page = db_->Scan(scope_, in);
    ASSERT_TRUE(page.ok());
    std::map<std::string, std::vector<std::string>> pairs;
    for (const Item& item : page->items) pairs[item.at("pk").str()].push_back(item.at("g").str());
    EXPECT_FALSE(pairs.empty()) << t;
    for (const auto& [pair, gens] : pairs) {
      ASSERT_EQ(2u, gens.size()) << t << " " << pair;
      EXPECT_EQ(gens[0], gens[1]) << t << " " << pair;
    }
  }
}

TEST_F(BackupsTest, DataOfANewerFormatIsRefused) {
  ASSERT_TRUE(engine_->meta().Put("basalt_format_version", "3").ok());
  db_.reset();
  db_ = std::make_unique<Database>(engine_.get(), &clock_, Options{});
  basalt::Status st = db_->Open();
  EXPECT_EQ(Code::kInternal, st.code());
  EXPECT_EQ(
      "this data was written by a newer Basalt (data format 3); this Basalt reads data format 2 and older: run the "
      "newer Basalt, or restore a backup taken before the upgrade",
      st.message());
  ASSERT_TRUE(engine_->meta().Put("basalt_format_version", "1").ok());
  Reopen();
}

}  // namespace
}  // namespace basalt::db
