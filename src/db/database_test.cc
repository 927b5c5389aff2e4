#include "db/database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>

#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;

AttributeValue Num(const char* text) { return AttributeValue::N(*model::Number::Parse(text)); }

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
    Reopen(0);
  }

  void Reopen(double transient) {
    db_ = std::make_unique<Database>(engine_.get(), &clock_, Options{transient});
    ASSERT_TRUE(db_->Open().ok());
  }

  CreateTableInput HashRange(const std::string& name) {
    CreateTableInput in;
    in.name = name;
    in.key_schema.hash = {"pk", model::Type::kS};
    in.key_schema.range = model::KeyAttribute{"sk", model::Type::kN};
    in.attribute_definitions = {{"pk", model::Type::kS}, {"sk", model::Type::kN}};
    in.billing_mode = BillingMode::kPayPerRequest;
    return in;
  }

  // A Query of `table` for the partition key value "p".
  static QueryInput QueryOfP(const std::string& table) {
    expr::ValueMap values{{":p", AttributeValue::S("p")}};
    expr::Bindings bindings;
    bindings.values = &values;
    QueryInput q;
    q.table = table;
    q.key_condition = *expr::ParseKeyCondition("pk = :p", bindings);
    return q;
  }

  Item Row(const std::string& pk, const char* sk, std::string payload = "") {
    Item item{{"pk", AttributeValue::S(pk)}, {"sk", Num(sk)}};
    if (!payload.empty()) item.emplace("data", AttributeValue::S(std::move(payload)));
    return item;
  }

  std::string Get(const std::string& table, const Item& key, bool consistent = true) {
    auto r = db_->GetItem(scope_, KeyInput{table, key, false, consistent, std::nullopt});
    if (!r.ok()) return "error: " + r.status().message();
    return r->item ? model::DebugString(*r->item) : "absent";
  }

  FakeClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<Database> db_;
  Scope scope_{"us-east-1", "us-east-1"};
};

TEST_F(DatabaseTest, CreatedTableIsDescribedAndListed) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("orders")).ok());
  auto d = db_->DescribeTable(scope_, "orders");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ("ACTIVE", d->status);
  EXPECT_EQ("arn:aws:dynamodb:us-east-1:000000000000:table/orders", d->meta->Arn());
  auto list = db_->ListTables(scope_, "", 100);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(std::vector<std::string>{"orders"}, list->names);
}

TEST_F(DatabaseTest, DuplicateTableIsResourceInUse) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("t1x")).ok());
  auto again = db_->CreateTable(scope_, HashRange("t1x"));
  EXPECT_EQ(Code::kResourceInUse, again.status().code());
  EXPECT_EQ("Table already exists: t1x", again.status().message());
}

TEST_F(DatabaseTest, RegionsAreSeparateNamespaces) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("shared")).ok());
  Scope eu{"eu-west-1", "eu-west-1"};
  EXPECT_EQ(Code::kResourceNotFound, db_->DescribeTable(eu, "shared").status().code());
  EXPECT_TRUE(db_->CreateTable(eu, HashRange("shared")).ok());
}

TEST_F(DatabaseTest, KeySchemaMustMatchAttributeDefinitions) {
  CreateTableInput in = HashRange("bad");
  in.attribute_definitions = {{"pk", model::Type::kS}, {"other", model::Type::kS}};
  EXPECT_EQ(
      "One or more parameter values were invalid: Some index key attributes are not defined in "
      "AttributeDefinitions. Keys: [pk, sk], AttributeDefinitions: [pk, other]",
      db_->CreateTable(scope_, in).status().message());
  in.attribute_definitions = {{"pk", model::Type::kS}, {"sk", model::Type::kN}, {"x", model::Type::kS}};
  EXPECT_EQ(
      "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
      "number of attributes defined in AttributeDefinitions",
      db_->CreateTable(scope_, in).status().message());
}

TEST_F(DatabaseTest, PutGetDeleteRoundTripAndCountStatistics) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("items")).ok());
  ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"items", Row("a", "1", "x"), false}).ok());
  ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"items", Row("a", "2"), false}).ok());
  EXPECT_EQ("{data: S\"x\", pk: S\"a\", sk: N1}", Get("items", Row("a", "1.0")));
  auto d = db_->DescribeTable(scope_, "items");
  EXPECT_EQ(2, d->stats.item_count);
  EXPECT_EQ(static_cast<int64_t>(model::ItemSize(Row("a", "1", "x")) + model::ItemSize(Row("a", "2"))),
            d->stats.size_bytes);

  auto del = db_->DeleteItem(scope_, KeyInput{"items", Row("a", "1"), true});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ("{data: S\"x\", pk: S\"a\", sk: N1}", model::DebugString(*del->item));
  EXPECT_EQ("absent", Get("items", Row("a", "1")));
  EXPECT_EQ(1, db_->DescribeTable(scope_, "items")->stats.item_count);
}

TEST_F(DatabaseTest, CapacityFollowsDynamoDbRounding) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("cap")).ok());
  Item small = Row("c", "1");
  Item big = Row("c", "1", std::string(5000, 'x'));  // ~5 KB
  auto put = db_->PutItem(scope_, PutItemInput{"cap", big, false});
  EXPECT_EQ(5, put->capacity.write_units);
  // Replacing charges the larger of the old and new item.
  auto replace = db_->PutItem(scope_, PutItemInput{"cap", small, false});
  EXPECT_EQ(5, replace->capacity.write_units);
  ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"cap", big, false}).ok());
  auto strong = db_->GetItem(scope_, KeyInput{"cap", small, false, true, std::nullopt});
  auto eventual = db_->GetItem(scope_, KeyInput{"cap", small, false, false, std::nullopt});
  EXPECT_EQ(2, strong->capacity.read_units);
  EXPECT_EQ(1, eventual->capacity.read_units);
  auto missing = db_->GetItem(scope_, KeyInput{"cap", Row("zz", "1"), false, false, std::nullopt});
  EXPECT_EQ(0.5, missing->capacity.read_units);
}

TEST_F(DatabaseTest, OversizedItemIsRejected) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("big")).ok());
  Item item = Row("b", "1");
  size_t base = model::ItemSize(item) + 4;  // + "data"
  item.emplace("data", AttributeValue::S(std::string(400 * 1024 - base, 'x')));
  EXPECT_TRUE(db_->PutItem(scope_, PutItemInput{"big", item, false}).ok());
  item["data"] = AttributeValue::S(std::string(400 * 1024 - base + 1, 'x'));
  EXPECT_EQ("Item size has exceeded the maximum allowed size",
            db_->PutItem(scope_, PutItemInput{"big", item, false}).status().message());
}

TEST_F(DatabaseTest, DeletionProtectionBlocksDeleteUntilDisabled) {
  CreateTableInput in = HashRange("guarded");
  in.deletion_protection = true;
  ASSERT_TRUE(db_->CreateTable(scope_, in).ok());
  EXPECT_EQ(Code::kValidation, db_->DeleteTable(scope_, "guarded").status().code());
  UpdateTableInput off;
  off.name = "guarded";
  off.deletion_protection = false;
  ASSERT_TRUE(db_->UpdateTable(scope_, off).ok());
  EXPECT_TRUE(db_->DeleteTable(scope_, "guarded").ok());
  EXPECT_EQ(Code::kResourceNotFound, db_->DescribeTable(scope_, "guarded").status().code());
}

TEST_F(DatabaseTest, DeletedTableLeavesNothingForItsSuccessor) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("reborn")).ok());
  ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"reborn", Row("a", "1"), false}).ok());
  ASSERT_TRUE(db_->DeleteTable(scope_, "reborn").ok());
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("reborn")).ok());
  EXPECT_EQ("absent", Get("reborn", Row("a", "1")));
  EXPECT_EQ(0, db_->DescribeTable(scope_, "reborn")->stats.item_count);
}

TEST_F(DatabaseTest, TransientStatusesFollowTheClock) {
  Reopen(0.5);
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("slow")).ok());
  EXPECT_EQ("CREATING", db_->DescribeTable(scope_, "slow")->status);
  EXPECT_EQ(Code::kResourceNotFound, db_->PutItem(scope_, PutItemInput{"slow", Row("a", "1"), false}).status().code());
  clock_.Advance(1);
  EXPECT_EQ("ACTIVE", db_->DescribeTable(scope_, "slow")->status);
  ASSERT_TRUE(db_->DeleteTable(scope_, "slow").ok());
  EXPECT_EQ("DELETING", db_->DescribeTable(scope_, "slow")->status);
  EXPECT_EQ(Code::kResourceInUse, db_->CreateTable(scope_, HashRange("slow")).status().code());
  clock_.Advance(1);
  EXPECT_EQ(Code::kResourceNotFound, db_->DescribeTable(scope_, "slow").status().code());
}

TEST_F(DatabaseTest, ListTablesPagesWithLastEvaluatedName) {
  for (const char* n : {"aaa", "bbb", "ccc"}) ASSERT_TRUE(db_->CreateTable(scope_, HashRange(n)).ok());
  auto p1 = db_->ListTables(scope_, "", 2);
  EXPECT_EQ((std::vector<std::string>{"aaa", "bbb"}), p1->names);
  EXPECT_EQ("bbb", p1->last_evaluated.value_or(""));
  auto p2 = db_->ListTables(scope_, "bbb", 2);
  EXPECT_EQ(std::vector<std::string>{"ccc"}, p2->names);
  EXPECT_FALSE(p2->last_evaluated);
}

TEST_F(DatabaseTest, BatchWriteRejectsDuplicateKeysAndWritesNothing) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("batch")).ok());
  BatchWriteTableInput t{"batch", {{true, Row("a", "1")}, {false, Row("a", "1.0")}}};
  EXPECT_EQ("Provided list of item keys contains duplicates", db_->BatchWriteItem(scope_, {t}).status().message());
  EXPECT_EQ("absent", Get("batch", Row("a", "1")));
}

TEST_F(DatabaseTest, BatchGetReturnsFoundItemsAndChargesPerItem) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("bget")).ok());
  BatchWriteTableInput w{"bget", {{true, Row("a", "1")}, {true, Row("a", "2")}}};
  ASSERT_TRUE(db_->BatchWriteItem(scope_, {w}).ok());
  BatchGetTableInput g{"bget", {Row("a", "1"), Row("a", "2"), Row("a", "3")}, true, std::nullopt};
  auto out = db_->BatchGetItem(scope_, {g});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(2u, out->responses["bget"].size());
  EXPECT_TRUE(out->unprocessed.empty());
  EXPECT_EQ(3, out->capacity[0].read_units);

  // With stored_items the same items come undecoded, at the same cost.
  g.stored_items = true;
  auto stored = db_->BatchGetItem(scope_, {g});
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->responses["bget"].empty());
  ASSERT_EQ(2u, stored->stored_responses["bget"].size());
  for (size_t i = 0; i < 2; ++i) {
    model::Item item;
    ASSERT_TRUE(model::DecodeItem(stored->stored_responses["bget"][i].bytes, &item).ok());
    EXPECT_EQ(model::DebugString(out->responses["bget"][i]), model::DebugString(item));
  }
  EXPECT_EQ(3, stored->capacity[0].read_units);

  // GetItem likewise.
  KeyInput k{"bget", Row("a", "2"), false, true, std::nullopt};
  auto typed = db_->GetItem(scope_, k);
  k.stored_item = true;
  auto one = db_->GetItem(scope_, k);
  ASSERT_TRUE(typed.ok() && one.ok() && typed->item && one->stored_item);
  EXPECT_FALSE(one->item);
  model::Item item;
  ASSERT_TRUE(model::DecodeItem(one->stored_item->bytes, &item).ok());
  EXPECT_EQ(model::DebugString(*typed->item), model::DebugString(item));
  EXPECT_EQ(typed->capacity.read_units, one->capacity.read_units);
  k.key = Row("a", "3");
  one = db_->GetItem(scope_, k);
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->item || one->stored_item);
}

// Concurrent writers through the write path never lose an item.
TEST_F(DatabaseTest, ConcurrentPutsAreAllStored) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("conc")).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::string sk = std::to_string(t * 1000 + i);
        ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"conc", Row("p", sk.c_str()), false}).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(1600, db_->DescribeTable(scope_, "conc")->stats.item_count);
}

// A Query page stops once the items it has read reach 1 MB, and Limit counts
// items read before the filter; both leave LastEvaluatedKey at the last item read.
TEST_F(DatabaseTest, PagesStopAtOneMegabyteAndAtLimit) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("pages")).ok());
  const std::string payload(100 * 1024, 'x');  // each item a little over 100 KB
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"pages", Row("p", std::to_string(i).c_str(), payload), false}).ok());
  }
  QueryInput q = QueryOfP("pages");
  auto page = db_->Query(scope_, q);
  ASSERT_TRUE(page.ok()) << page.status().message();
  // 10 items are under 1 MB (10 x 100 KB + keys); the 11th reaches it.
  EXPECT_EQ(11, page->scanned_count);
  ASSERT_TRUE(page->last_evaluated_key);
  EXPECT_EQ("{pk: S\"p\", sk: N10}", model::DebugString(*page->last_evaluated_key));
  // Read units: the sizes summed, then rounded up per 4 KB, halved (eventual).
  size_t bytes = 11 * model::ItemSize(Row("p", "10", payload));
  EXPECT_EQ(std::ceil(bytes / 4096.0) / 2, page->capacity.read_units);

  q.limit = 3;
  q.exclusive_start_key = page->last_evaluated_key;
  page = db_->Query(scope_, q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(3, page->scanned_count);
  EXPECT_EQ("{pk: S\"p\", sk: N13}", model::DebugString(*page->last_evaluated_key));
  q.exclusive_start_key = page->last_evaluated_key;
  page = db_->Query(scope_, q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(1, page->scanned_count);  // the last item: no LastEvaluatedKey
  EXPECT_FALSE(page->last_evaluated_key);
}

// With stored_items the page's items come undecoded, and the page is the
// same: items, counts, LastEvaluatedKey, capacity. A filter (or a
// projection) needs the items typed, so they come as before.
TEST_F(DatabaseTest, StoredItemsMakeTheSamePageAsTypedItems) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("stored")).ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"stored", Row("p", std::to_string(i).c_str(), "v"), false}).ok());
  }
  QueryInput q = QueryOfP("stored");
  q.limit = 3;
  auto typed = db_->Query(scope_, q);
  q.stored_items = true;
  auto stored = db_->Query(scope_, q);
  ASSERT_TRUE(typed.ok() && stored.ok());
  EXPECT_TRUE(stored->items.empty());
  ASSERT_EQ(3u, stored->stored_items.size());
  for (size_t i = 0; i < 3; ++i) {
    model::Item item;
    ASSERT_TRUE(model::DecodeItem(stored->stored_items[i].bytes, &item).ok());
    EXPECT_EQ(model::ItemSize(item), stored->stored_items[i].size);
    EXPECT_EQ(model::DebugString(typed->items[i]), model::DebugString(item));
  }
  EXPECT_EQ(typed->count, stored->count);
  EXPECT_EQ(typed->scanned_count, stored->scanned_count);
  ASSERT_TRUE(stored->last_evaluated_key);
  EXPECT_EQ("{pk: S\"p\", sk: N2}", model::DebugString(*stored->last_evaluated_key));
  EXPECT_EQ(typed->capacity.read_units, stored->capacity.read_units);

  auto filter = expr::ParseCondition("attribute_not_exists(absent_attr)", expr::ConditionKind::kFilter, expr::Bindings{});
  ASSERT_TRUE(filter.ok()) << filter.status().message();
  q.filter = *filter;
  auto filtered = db_->Query(scope_, q);
  ASSERT_TRUE(filtered.ok()) << filtered.status().message();
  EXPECT_TRUE(filtered->stored_items.empty());
  EXPECT_EQ(3, filtered->scanned_count);
}

UpdateTableInput CreateGsi(const std::string& table) {
  UpdateTableInput u;
  u.name = table;
  u.attribute_definitions = {{"g", model::Type::kS}};
  IndexUpdate create;
  create.index.name = "by_g";
  create.index.global = true;
  create.index.key_schema = {{"g", "HASH"}};
  u.index_updates.push_back(create);
  return u;
}

// Every item with the index key is in the index exactly once, with its
// current value: compares a scan of the index with a scan of the table.
void ExpectIndexMatchesTable(Database* db, const Scope& scope, const std::string& table) {
  std::map<std::string, std::string> expected;  // table sk -> g
  ScanInput s;
  s.table = table;
  for (;;) {
    auto page = db->Scan(scope, s);
    ASSERT_TRUE(page.ok());
    for (const auto& item : page->items) {
      if (item.count("g")) expected[model::DebugString(item.at("sk"))] = item.at("g").str();
    }
    if (!page->last_evaluated_key) break;
    s.exclusive_start_key = page->last_evaluated_key;
  }
  std::map<std::string, std::string> indexed;
  ScanInput si;
  si.table = table;
  si.index = "by_g";
  si.select = Select::kAllProjectedAttributes;
  for (;;) {
    auto page = db->Scan(scope, si);
    ASSERT_TRUE(page.ok()) << page.status().message();
    for (const auto& item : page->items) {
      EXPECT_TRUE(indexed.emplace(model::DebugString(item.at("sk")), item.at("g").str()).second) << "indexed twice";
    }
    if (!page->last_evaluated_key) break;
    si.exclusive_start_key = page->last_evaluated_key;
  }
  EXPECT_EQ(expected, indexed);
  auto d = db->DescribeTable(scope, table);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(1u, d->indexes.size());
  EXPECT_EQ(static_cast<int64_t>(expected.size()), d->indexes[0].stats.item_count);
}

bool IndexActive(Database* db, const Scope& scope, const std::string& table) {
  auto d = db->DescribeTable(scope, table);
  return d.ok() && !d->indexes.empty() && d->indexes[0].status == "ACTIVE";
}

// A GSI added to a table with items is backfilled while writers change,
// add and delete items; when it is ACTIVE every item is indexed exactly once.
TEST_F(DatabaseTest, BackfillUnderConcurrentWritesIndexesEveryItemOnce) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("bf")).ok());
  auto item = [&](int i, int version) {
    Item it = Row("p" + std::to_string(i % 50), std::to_string(i).c_str());
    if (i % 3 != 0) it.emplace("g", AttributeValue::S("g" + std::to_string((i + version) % 7)));
    return it;
  };
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"bf", item(i, 0), false}).ok());
  ASSERT_TRUE(db_->UpdateTable(scope_, CreateGsi("bf")).ok());
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (int n = 0; !stop; ++n) {
        int i = (n * 7919 + t * 104729) % 3500;  // some of them new items
        if (n % 5 == 0) {
          Item key = Row("p" + std::to_string(i % 50), std::to_string(i).c_str());
          ASSERT_TRUE(db_->DeleteItem(scope_, KeyInput{"bf", key, false}).ok());
        } else {
          ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"bf", item(i, n), false}).ok());
        }
      }
    });
  }
  for (int waited = 0; waited < 3000 && !IndexActive(db_.get(), scope_, "bf"); ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // writes on the ACTIVE index too
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_TRUE(IndexActive(db_.get(), scope_, "bf"));
  ExpectIndexMatchesTable(db_.get(), scope_, "bf");
}

// A backfill cut short (the database closed in the middle) starts over when
// the database opens again, and ends with the same index.
TEST_F(DatabaseTest, BackfillResumesAfterReopen) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("bfr")).ok());
  for (int i = 0; i < 2000; ++i) {
    Item it = Row("p" + std::to_string(i % 10), std::to_string(i).c_str());
    it.emplace("g", AttributeValue::S("g" + std::to_string(i % 3)));
    ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"bfr", it, false}).ok());
  }
  ASSERT_TRUE(db_->UpdateTable(scope_, CreateGsi("bfr")).ok());
  Reopen(0);
  for (int waited = 0; waited < 3000 && !IndexActive(db_.get(), scope_, "bfr"); ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(IndexActive(db_.get(), scope_, "bfr"));
  ExpectIndexMatchesTable(db_.get(), scope_, "bfr");
}

// On a table with an LSI, an item collection (the items of one partition key
// and their LSI entries) may not grow past the limit; other collections and
// shrinking writes are unaffected, and writes report the collection's size.
TEST_F(DatabaseTest, ItemCollectionsOfTablesWithLsisAreLimited) {
  Options options;
  options.item_collection_limit = 1000;
  db_ = std::make_unique<Database>(engine_.get(), &clock_, options);
  ASSERT_TRUE(db_->Open().ok());
  CreateTableInput in = HashRange("coll");
  in.attribute_definitions.push_back({"l", model::Type::kS});
  IndexInput lsi;
  lsi.name = "by_l";
  lsi.key_schema = {{"pk", "HASH"}, {"l", "RANGE"}};
  in.local_indexes.push_back(lsi);
  in.has_local_indexes = true;
  ASSERT_TRUE(db_->CreateTable(scope_, in).ok());

  auto put = [&](const std::string& pk, const char* sk) {
    Item item = Row(pk, sk, std::string(150, 'x'));
    item.emplace("l", AttributeValue::S("l"));
    return db_->PutItem(scope_, PutItemInput{"coll", item, false});
  };
  // Each item counts twice: in the table and, projected ALL, in the LSI.
  size_t per_item = 2 * (model::ItemSize(Row("a", "1", std::string(150, 'x'))) + 2);
  int fits = static_cast<int>(1000 / per_item);
  for (int i = 0; i < fits; ++i) {
    auto r = put("a", std::to_string(i).c_str());
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_TRUE(r->collection);
    EXPECT_EQ(0, r->collection->low_gb);
    EXPECT_EQ(1, r->collection->high_gb);
    EXPECT_EQ("{pk: S\"a\"}", model::DebugString(r->collection->key));
  }
  auto over = put("a", "99");
  EXPECT_EQ(Code::kItemCollectionSizeLimitExceeded, over.status().code());
  EXPECT_TRUE(put("b", "99").ok());  // another collection
  ASSERT_TRUE(db_->DeleteItem(scope_, KeyInput{"coll", Row("a", "0"), false}).ok());
  EXPECT_TRUE(put("a", "99").ok());  // room again
  // Tables without LSIs have no collection limit and report nothing.
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("plain")).ok());
  auto plain = db_->PutItem(scope_, PutItemInput{"plain", Row("a", "1", std::string(2000, 'x')), false});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->collection);
}

TEST(InFlightItemsTest, ClaimsAreAllOrNothingAndReleased) {
  InFlightItems items;
  std::vector<bool> held;
  EXPECT_FALSE(items.AnyHeld({"a"}));
  ASSERT_TRUE(items.Claim({"a", "b"}, &held));
  EXPECT_TRUE(items.AnyHeld({"x", "b"}));
  EXPECT_FALSE(items.Claim({"c", "b"}, &held));  // b is taken: c is not claimed either
  EXPECT_EQ((std::vector<bool>{false, true}), held);
  EXPECT_FALSE(items.AnyHeld({"c"}));
  items.Release({"a", "b"});
  EXPECT_FALSE(items.AnyHeld({"a", "b"}));
  EXPECT_TRUE(items.Claim({"c", "b"}, &held));
}

// A transaction whose one condition fails writes nothing, and reports a
// reason per action in request order.
TEST_F(DatabaseTest, TransactionsAreAllOrNothingWithAReasonPerAction) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("txn")).ok());
  ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"txn", Row("a", "1", "old"), false}).ok());
  ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"txn", Row("c", "1", "checked"), false}).ok());
  expr::ValueMap values{{":v", AttributeValue::S("nope")}};
  expr::NameMap names{{"#d", "data"}};  // a reserved word
  expr::Bindings bindings;
  bindings.values = &values;
  bindings.names = &names;
  TransactWriteInput in;
  TransactAction put{TransactAction::kPut, "txn", Row("b", "1", "new"), std::nullopt, {}};
  TransactAction del{TransactAction::kDelete, "txn", Row("a", "1"), std::nullopt, {}};
  TransactAction check{TransactAction::kConditionCheck, "txn", Row("c", "1"), std::nullopt, {}};
  check.condition.condition = *expr::ParseCondition("#d = :v", expr::ConditionKind::kCondition, bindings);
  check.condition.return_old_on_failure = true;
  in.actions = {put, del};
  in.actions.push_back(check);
  auto canceled = db_->TransactWriteItems(scope_, in);
  ASSERT_EQ(Code::kTransactionCanceled, canceled.status().code());
  EXPECT_EQ(
      "Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, "
      "ConditionalCheckFailed]",
      canceled.status().message());
  const auto* detail = canceled.status().detail<TransactionCanceled>();
  ASSERT_TRUE(detail);
  ASSERT_EQ(3u, detail->reasons.size());
  ASSERT_TRUE(detail->reasons[2].item);
  EXPECT_EQ("{data: S\"checked\", pk: S\"c\", sk: N1}", model::DebugString(*detail->reasons[2].item));
  EXPECT_EQ("None", detail->reasons[0].code);
  EXPECT_EQ("absent", Get("txn", Row("b", "1")));
  EXPECT_EQ("{data: S\"old\", pk: S\"a\", sk: N1}", Get("txn", Row("a", "1")));

  in.actions.pop_back();  // without the failing check, both apply, at twice the units
  auto done = db_->TransactWriteItems(scope_, in);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ("absent", Get("txn", Row("a", "1")));
  EXPECT_EQ("{data: S\"new\", pk: S\"b\", sk: N1}", Get("txn", Row("b", "1")));
  ASSERT_EQ(1u, done->capacity.size());
  EXPECT_EQ(4, done->capacity[0].write_units);
  EXPECT_EQ(2, db_->DescribeTable(scope_, "txn")->stats.item_count);
}

// The same ClientRequestToken and request answer again without applying
// again; another request under the token is refused.
TEST_F(DatabaseTest, ClientRequestTokensMakeTransactionsIdempotent) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("idem")).ok());
  TransactWriteInput in;
  in.client_token = "token";
  in.fingerprint = 1;
  expr::ValueMap values{{":one", Num("1")}};
  expr::Bindings bindings;
  bindings.values = &values;
  TransactAction add{TransactAction::kUpdate, "idem", Row("c", "1"), std::nullopt, {}};
  add.update = *expr::ParseUpdate("ADD n :one", bindings);
  in.actions = {add};
  ASSERT_TRUE(db_->TransactWriteItems(scope_, in).ok());
  ASSERT_TRUE(db_->TransactWriteItems(scope_, in).ok());
  EXPECT_EQ("{n: N1, pk: S\"c\", sk: N1}", Get("idem", Row("c", "1")));
  in.fingerprint = 2;
  EXPECT_EQ(Code::kIdempotentParameterMismatch, db_->TransactWriteItems(scope_, in).status().code());
  clock_.Advance(601);  // the window has passed: the token is free again
  ASSERT_TRUE(db_->TransactWriteItems(scope_, in).ok());
  EXPECT_EQ("{n: N2, pk: S\"c\", sk: N1}", Get("idem", Row("c", "1")));
}

// The sweeper deletes items whose TTL attribute is a past epoch time, a
// bounded number of records per pass, going on where the last pass stopped.
TEST_F(DatabaseTest, SweeperDeletesExpiredItemsInBoundedPasses) {
  ASSERT_TRUE(db_->CreateTable(scope_, HashRange("ttl")).ok());
  ASSERT_TRUE(db_->UpdateTimeToLive(scope_, "ttl", "exp", true).ok());
  const int64_t now = static_cast<int64_t>(clock_.Now());
  for (int i = 0; i < 30; ++i) {
    Item item = Row("p", std::to_string(i).c_str());
    // even: expired a minute ago; odd: expires in a minute
    item.emplace("exp", Num(std::to_string(now + (i % 2 ? 60 : -60)).c_str()));
    ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{"ttl", item, false}).ok());
  }
  size_t deleted = 0;
  for (int pass = 0; pass < 3; ++pass) {  // 10 records per pass: three passes read the table once
    auto n = db_->SweepExpired(10);
    ASSERT_TRUE(n.ok()) << n.status().message();
    EXPECT_LE(*n, 10u);
    deleted += *n;
  }
  EXPECT_EQ(15u, deleted);
  EXPECT_EQ(15, db_->DescribeTable(scope_, "ttl")->stats.item_count);
  clock_.Advance(120);  // now the odd ones have expired too
  for (int pass = 0; pass < 3; ++pass) ASSERT_TRUE(db_->SweepExpired(10).ok());
  EXPECT_EQ(0, db_->DescribeTable(scope_, "ttl")->stats.item_count);
  ASSERT_TRUE(db_->UpdateTimeToLive(scope_, "ttl", "exp", false).ok());
  EXPECT_EQ("DISABLED", db_->DescribeTimeToLive(scope_, "ttl")->status);
}

}  // namespace
}  // namespace basalt::db
