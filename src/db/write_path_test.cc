#include "db/write_path.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>

#include "common/testing.h"
#include "db/catalog.h"
#include "db/read_path.h"
#include "db/stream_record.h"
#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;

AttributeValue S(const char* s) { return AttributeValue::S(s); }
AttributeValue N(const char* n) { return AttributeValue::N(*model::Number::Parse(n)); }

IndexMeta Index(const char* name, bool global, model::KeySchema key, ProjectionType projection) {
  IndexMeta i;
  i.name = name;
  i.global = global;
  i.key_schema = std::move(key);
  i.projection = projection;
  return i;
}

// A table (pk S, sk N) with a GSI on g (ALL), an LSI on l (KEYS_ONLY) and a
// NEW_AND_OLD_IMAGES stream, and the write path over an in-memory engine.
class WritePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
    catalog_ = std::make_unique<Catalog>(&engine_->meta(), &clock_);
    ASSERT_OK(catalog_->Load());
    write_path_ = std::make_unique<WritePath>(engine_.get(), int64_t{10} << 30, &clock_, [this] { ++notified_; });
    TableMeta meta;
    meta.ns = "ns";
    meta.name = "t";
    meta.key_schema = {{"pk", model::Type::kS}, model::KeyAttribute{"sk", model::Type::kN}};
    meta.indexes.push_back(Index("by_g", true, {{"g", model::Type::kS}, std::nullopt}, ProjectionType::kAll));
    meta.indexes.push_back(Index("by_l", false, {{"pk", model::Type::kS}, model::KeyAttribute{"l", model::Type::kN}},
                                 ProjectionType::kKeysOnly));
    meta.stream = TableStream{true, StreamViewType::kNewAndOldImages, 77, "label"};
    ASSERT_OK(catalog_->Create(std::move(meta), &table_));
  }

  Item Row(const char* pk, const char* sk, const char* v) {
    return Item{{"pk", S(pk)}, {"sk", N(sk)}, {"g", S("x")}, {"l", N("5")}, {"v", S(v)}};
  }

  // A write that puts `item` (whose key it takes), or fails with `error`.
  ItemWrite Put(const Item& item, Status error = Status::Ok()) {
    ItemWrite w{table_, *model::KeyFromItem(table_->key_schema, item), nullptr};
    w.change = [item, error](const std::optional<Item>&) -> Result<std::optional<Item>> {
      if (!error.ok()) return error;
      return std::optional<Item>(item);
    };
    return w;
  }

  Status Write(std::vector<ItemWrite> writes, WriteMode mode, WriteOutcome* out) {
    return write_path_->Write(writes, mode, out);
  }

  // The items (or index entries) stored in a key space, in scan order.
  std::string Rows(storage::TableId id) {
    std::string out;
    EXPECT_OK(engine_->ScanSegment(id, 0, 1, std::nullopt, [&](const storage::Row& row) {
      Item item;
      EXPECT_OK(model::DecodeItem(row.value, &item));
      out += (out.empty() ? "" : "; ") + model::DebugString(item);
      return true;
    }));
    return out.empty() ? "(none)" : out;
  }

  // The stream records waiting in the outbox: event and keys.
  std::string Outbox() {
    std::vector<storage::OutboxEntry> entries;
    EXPECT_OK(engine_->ReadOutbox("", 100, &entries));
    std::string out;
    for (const auto& e : entries) {
      StreamRecord r;
      EXPECT_OK(DecodeStreamRecord(e.value, &r));
      const char* event = r.event == StreamRecord::kInsert ? "INSERT" : r.event == StreamRecord::kModify ? "MODIFY" : "REMOVE";
      out += (out.empty() ? "" : "; ") + std::string(event) + " " + model::DebugString(r.keys) + " log " +
             std::to_string(e.log);
    }
    return out.empty() ? "(none)" : out;
  }

  // "t: read R write W [index=U ...]" per table.
  static std::string Capacity(const WriteOutcome& out) {
    std::string s;
    auto num = [](double d) {
      std::string t = std::to_string(d);
      t.erase(t.find_last_not_of('0') + 1);
      if (t.back() == '.') t.pop_back();
      return t;
    };
    for (const ConsumedCapacity& c : out.capacity) {
      s += c.table + ": read " + num(c.read_units) + " write " + num(c.write_units);
      for (const auto& [name, u] : c.global_indexes) s += " " + name + "=" + num(u);
      for (const auto& [name, u] : c.local_indexes) s += " " + name + "=" + num(u);
    }
    for (const auto& [table, list] : out.collections) {
      for (const auto& m : list) s += "; " + table + " collection " + model::DebugString(m.key);
    }
    return s;
  }

  FakeClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<WritePath> write_path_;
  std::shared_ptr<const TableMeta> table_;
  int notified_ = 0;
};

TEST_F(WritePathTest, APutCommitsTheItemItsIndexEntriesAndItsStreamRecordTogether) {
  WriteOutcome out;
  ASSERT_OK(Write({Put(Row("a", "1", "hello"))}, WriteMode::kAtomic, &out));
  EXPECT_EQ(R"({g: S"x", l: N5, pk: S"a", sk: N1, v: S"hello"})", Rows(table_->id));
  EXPECT_EQ(R"({g: S"x", l: N5, pk: S"a", sk: N1, v: S"hello"})", Rows(table_->indexes[0].id));
  EXPECT_EQ(R"({l: N5, pk: S"a", sk: N1})", Rows(table_->indexes[1].id));
  EXPECT_EQ(R"(INSERT {pk: S"a", sk: N1} log 77)", Outbox());
  EXPECT_EQ(R"(t: read 0 write 1 by_g=1 by_l=1; t collection {pk: S"a"})", Capacity(out));
  EXPECT_EQ(1, notified_);
}

TEST_F(WritePathTest, AFailedChangeWritesNothing) {
  WriteOutcome out;
  Status st = Write({Put(Row("a", "1", "v"), Status(Code::kConditionalCheckFailed, "no"))}, WriteMode::kAtomic, &out);
  EXPECT_EQ(Code::kConditionalCheckFailed, st.code());
  EXPECT_EQ("(none)", Rows(table_->id));
  EXPECT_EQ("(none)", Rows(table_->indexes[0].id));
  EXPECT_EQ("(none)", Outbox());
}

TEST_F(WritePathTest, ANewItemWithAnIndexKeyOfTheWrongTypeWritesNothing) {
  Item bad = Row("a", "1", "v");
  bad["g"] = N("3");
  WriteOutcome out;
  Status st = Write({Put(Row("b", "1", "v")), Put(bad)}, WriteMode::kAtomic, &out);
  EXPECT_EQ(
      "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: by_g",
      st.message());
  EXPECT_EQ("(none)", Rows(table_->id));
}

TEST_F(WritePathTest, ATransactionEvaluatesEveryWriteAndCancelsAllWhenOneFails) {
  WriteOutcome out;
  Status st = Write({Put(Row("a", "1", "v")), Put(Row("b", "1", "v"), Status(Code::kConditionalCheckFailed, "no")),
                     Put(Row("c", "1", "v"))},
                    WriteMode::kTransaction, &out);
  EXPECT_EQ(Code::kTransactionCanceled, st.code());
  std::string errors;
  for (const auto& r : out.items) errors += r.error.ok() ? "ok " : r.error.message() + " ";
  EXPECT_EQ("ok no ok ", errors);
  EXPECT_EQ("(none)", Rows(table_->id));
}

TEST_F(WritePathTest, ADryRunReportsWhatWouldFailAndCommitsNothing) {
  WriteOutcome out;
  EXPECT_EQ(Code::kTransactionCanceled, Write({Put(Row("a", "1", "v"))}, WriteMode::kTransactionDryRun, &out).code());
  EXPECT_TRUE(out.items[0].error.ok());
  EXPECT_EQ("(none)", Rows(table_->id));
}

TEST_F(WritePathTest, TransactionsCostTwiceAndAConditionCheckCostsARead) {
  WriteOutcome setup;
  ASSERT_OK(Write({Put(Row("a", "1", "v")), Put(Row("b", "1", "v"))}, WriteMode::kAtomic, &setup));
  ItemWrite check = Put(Row("b", "1", "v"));
  check.change = [](const std::optional<Item>& old) -> Result<std::optional<Item>> { return old; };
  check.check_only = true;
  std::vector<ItemWrite> writes;
  writes.push_back(Put(Row("a", "1", "changed")));
  writes.push_back(std::move(check));
  WriteOutcome out;
  ASSERT_OK(write_path_->Write(writes, WriteMode::kTransaction, &out));
  // The put: 2 x 1 unit, and 2 x 1 on the GSI (whose entry changed); the LSI
  // entry (keys only) did not change. The check: 2 x a consistent read.
  EXPECT_EQ(R"(t: read 0 write 4 by_g=2; t collection {pk: S"a"})", Capacity(out));
}

TEST_F(WritePathTest, TimeToLiveDeletionsAreRecordedAsTheServiceButCostNothing) {
  WriteOutcome setup;
  ASSERT_OK(Write({Put(Row("a", "1", "v"))}, WriteMode::kAtomic, &setup));
  ItemWrite expire = Put(Row("a", "1", "v"));
  expire.change = [](const std::optional<Item>&) -> Result<std::optional<Item>> { return std::optional<Item>(); };
  expire.by_service = true;
  std::vector<ItemWrite> writes;
  writes.push_back(std::move(expire));
  WriteOutcome out;
  ASSERT_OK(write_path_->Write(writes, WriteMode::kAtomic, &out));
  EXPECT_EQ("", Capacity(out));
  EXPECT_EQ("(none)", Rows(table_->id));
  EXPECT_EQ("(none)", Rows(table_->indexes[0].id));
  EXPECT_EQ(R"(INSERT {pk: S"a", sk: N1} log 77; REMOVE {pk: S"a", sk: N1} log 77)", Outbox());
}

// The change is a pure function of the version it reads: when another writer
// commits between the read and the commit, the write reads and evaluates again.
TEST_F(WritePathTest, ALostRaceReadsAndEvaluatesAgain) {
  WriteOutcome setup;
  ASSERT_OK(Write({Put(Row("a", "1", "first"))}, WriteMode::kAtomic, &setup));
  int calls = 0;
  std::string seen;
  ItemWrite w = Put(Row("a", "1", "unused"));
  w.change = [&](const std::optional<Item>& old) -> Result<std::optional<Item>> {
    ++calls;
    seen += old->at("v").str() + " ";
    if (calls == 1) {
      // Another writer gets in: the item's version moves on.
      storage::PartitionWrite pw;
      storage::Key key = StorageKey(*table_, *model::KeyFromItem(table_->key_schema, *old));
      pw.table = key.table;
      pw.pk = key.pk;
      storage::Mutation m{storage::Mutation::kPut, key.sk, {}, {}};
      model::EncodeItem(Row("a", "1", "racer"), &m.value);
      pw.muts.push_back(std::move(m));
      EXPECT_OK(engine_->Commit({&pw, 1}));
    }
    Item next = *old;
    next["v"] = S((old->at("v").str() + "+").c_str());
    return std::optional<Item>(std::move(next));
  };
  std::vector<ItemWrite> writes;
  writes.push_back(std::move(w));
  WriteOutcome out;
  ASSERT_OK(write_path_->Write(writes, WriteMode::kAtomic, &out));
  EXPECT_EQ(2, calls);
  EXPECT_EQ("first racer ", seen);
  EXPECT_EQ(R"({g: S"x", l: N5, pk: S"a", sk: N1, v: S"racer+"})", Rows(table_->id));
}

// Writers follow the definition the catalog published last, even when they
// looked the table up before it changed.
TEST_F(WritePathTest, WritersMaintainTheLiveIndexSet) {
  std::shared_ptr<const TableMeta> before = table_;
  auto meta = std::make_shared<TableMeta>(*table_);
  IndexMeta by_v = Index("by_v", true, {{"v", model::Type::kS}, std::nullopt}, ProjectionType::kKeysOnly);
  by_v.id = *catalog_->NewId();
  meta->indexes.push_back(by_v);
  meta->stream.enabled = false;
  ASSERT_OK(catalog_->Update(meta));
  WriteOutcome out;
  ItemWrite w = Put(Row("a", "1", "v"));
  w.table = before;
  std::vector<ItemWrite> writes;
  writes.push_back(std::move(w));
  ASSERT_OK(write_path_->Write(writes, WriteMode::kAtomic, &out));
  EXPECT_EQ(R"({pk: S"a", sk: N1, v: S"v"})", Rows(by_v.id));
  EXPECT_EQ("(none)", Outbox());
}

TEST_F(WritePathTest, ABackfillPutsItemsIntoTheIndexAndWritesNothingElse) {
  WriteOutcome setup;
  ASSERT_OK(Write({Put(Row("a", "1", "v")), Put(Row("b", "2", "w"))}, WriteMode::kAtomic, &setup));
  ASSERT_OK(engine_->DropTable(table_->indexes[0].id));  // as a new index starts: empty
  std::vector<ItemWrite> writes;
  for (const char* pk : {"a", "b"}) {
    ItemWrite w{table_, model::PrimaryKey{S(pk), N(pk[0] == 'a' ? "1" : "2")}, nullptr};
    w.reindex = table_->indexes[0].id;
    writes.push_back(std::move(w));
  }
  WriteOutcome out;
  {
    std::unique_lock lock(table_->runtime->mu);  // a backfill step holds the runtime
    ASSERT_OK(write_path_->Write(writes, WriteMode::kBackfill, &out));
  }
  EXPECT_EQ(R"({g: S"x", l: N5, pk: S"a", sk: N1, v: S"v"}; {g: S"x", l: N5, pk: S"b", sk: N2, v: S"w"})",
            Rows(table_->indexes[0].id));
  EXPECT_EQ("", Capacity(out));
  EXPECT_EQ(R"(INSERT {pk: S"a", sk: N1} log 77; INSERT {pk: S"b", sk: N2} log 77)", Outbox());
}

TEST_F(WritePathTest, AWriteToADroppedTableFindsItGone) {
  ASSERT_OK(catalog_->Remove(*table_));
  WriteOutcome out;
  Status st = Write({Put(Row("a", "1", "v"))}, WriteMode::kAtomic, &out);
  EXPECT_EQ(Code::kResourceNotFound, st.code());
}

}  // namespace
}  // namespace basalt::db
