#include "db/streams.h"

#include <gtest/gtest.h>

#include "db/database.h"
#include "model/item.h"

namespace basalt::db {
namespace {

using model::AttributeValue;
using model::Item;

class StreamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
    Reopen();
  }

  void Reopen() {
    db_.reset();
    Options options;
    options.streams = stream_options_;
    db_ = std::make_unique<Database>(engine_.get(), &clock_, options);
    ASSERT_TRUE(db_->Open().ok());
  }

  // A hash-key table with a stream; returns the stream's ARN.
  std::string CreateStreamed(const std::string& name, StreamViewType view) {
    CreateTableInput in;
    in.name = name;
    in.key_schema.hash = {"pk", model::Type::kS};
    in.attribute_definitions = {{"pk", model::Type::kS}};
    in.billing_mode = BillingMode::kPayPerRequest;
    in.stream = StreamSpecInput{true, view};
    auto d = db_->CreateTable(scope_, in);
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? (*d).meta->StreamArn() : "";
  }

  Item Row(const std::string& pk, const std::string& v = "") {
    Item item{{"pk", AttributeValue::S(pk)}};
    if (!v.empty()) item.emplace("v", AttributeValue::S(v));
    return item;
  }

  void Put(const std::string& table, Item item) {
    ASSERT_TRUE(db_->PutItem(scope_, PutItemInput{table, std::move(item)}).ok());
  }

  void Delete(const std::string& table, const std::string& pk) {
    KeyInput in;
    in.table = table;
    in.key = Row(pk);
    ASSERT_TRUE(db_->DeleteItem(scope_, in).ok());
  }

  StreamMeta Describe(const std::string& arn) {
    auto s = db_->streams().Describe(scope_.ns, arn);
    EXPECT_TRUE(s.ok());
    return s.ok() ? *s : StreamMeta{};
  }

  std::string Iterator(const std::string& arn, const std::string& shard, IteratorType type = IteratorType::kTrimHorizon,
                       std::optional<uint64_t> seq = std::nullopt) {
    auto it = db_->streams().GetShardIterator(scope_.ns, arn, shard, type, seq);
    EXPECT_TRUE(it.ok()) << it.status().message();
    return it.ok() ? *it : "";
  }

  // Every record of a shard from TRIM_HORIZON, following NextShardIterator
  // in pages of `page`; `ended` tells whether the shard ended.
  std::vector<StreamRecord> ReadShard(const std::string& arn, const std::string& shard, size_t page,
                                      bool* ended) {
    std::vector<StreamRecord> out;
    std::string it = Iterator(arn, shard);
    *ended = false;
    for (int i = 0; i < 100; ++i) {
      auto r = db_->streams().GetRecords(scope_.ns, it, page);
      EXPECT_TRUE(r.ok()) << r.status().message();
      if (!r.ok()) break;
      for (auto& rec : r->records) out.push_back(std::move(rec));
      if (!r->next_iterator) {
        *ended = true;
        break;
      }
      if (r->records.empty()) break;
      it = *r->next_iterator;
    }
    return out;
  }

  StreamOptions stream_options_;
  FakeClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<Database> db_;
  Scope scope_{"us-east-1", "us-east-1"};
};

TEST_F(StreamsTest, RecordsFollowTheWritesThatChangeSomething) {
  std::string arn = CreateStreamed("events", StreamViewType::kNewAndOldImages);
  Put("events", Row("a", "1"));
  Put("events", Row("a", "1"));  // unchanged: no record
  Put("events", Row("a", "2"));
  Delete("events", "a");
  Delete("events", "a");  // nothing to delete: no record
  StreamMeta s = Describe(arn);
  ASSERT_EQ(1u, s.shards.size());
  bool ended;
  auto records = ReadShard(arn, s.shards[0].id, 1000, &ended);
  EXPECT_FALSE(ended);
  ASSERT_EQ(3u, records.size());
  EXPECT_EQ(StreamRecord::kInsert, records[0].event);
  EXPECT_FALSE(records[0].old_image);
  EXPECT_EQ(Row("a", "1"), *records[0].new_image);
  EXPECT_EQ(StreamRecord::kModify, records[1].event);
  EXPECT_EQ(Row("a", "1"), *records[1].old_image);
  EXPECT_EQ(Row("a", "2"), *records[1].new_image);
  EXPECT_EQ(StreamRecord::kRemove, records[2].event);
  EXPECT_EQ(Row("a", "2"), *records[2].old_image);
  EXPECT_FALSE(records[2].new_image);
  for (const auto& r : records) {
    EXPECT_EQ(Row("a"), r.keys);
    EXPECT_EQ(32u, r.event_id.size());
  }
  EXPECT_LT(records[0].seq, records[1].seq);
  EXPECT_LT(records[1].seq, records[2].seq);
  EXPECT_NE(records[0].event_id, records[1].event_id);
  // SizeBytes: the keys and the images the record carries, in item-size terms.
  EXPECT_EQ(model::ItemSize(Row("a")) + model::ItemSize(Row("a", "1")) + model::ItemSize(Row("a", "2")),
            records[1].size_bytes);
}

TEST_F(StreamsTest, ViewTypeDecidesTheImages) {
  std::string arn = CreateStreamed("keys", StreamViewType::kKeysOnly);
  Put("keys", Row("a", "1"));
  Put("keys", Row("a", "2"));
  bool ended;
  auto records = ReadShard(arn, Describe(arn).shards[0].id, 1000, &ended);
  ASSERT_EQ(2u, records.size());
  for (const auto& r : records) {
    EXPECT_FALSE(r.new_image);
    EXPECT_FALSE(r.old_image);
    EXPECT_EQ(model::ItemSize(Row("a")), r.size_bytes);
  }
}

TEST_F(StreamsTest, ShardsRollOverWithParentLinks) {
  stream_options_.shard_max_records = 3;
  Reopen();
  std::string arn = CreateStreamed("rolled", StreamViewType::kNewImage);
  for (int i = 0; i < 7; ++i) Put("rolled", Row("k" + std::to_string(i), "x"));
  StreamMeta s = Describe(arn);
  ASSERT_EQ(3u, s.shards.size());
  EXPECT_EQ("", s.shards[0].parent);
  EXPECT_EQ(s.shards[0].id, s.shards[1].parent);
  EXPECT_EQ(s.shards[1].id, s.shards[2].parent);
  EXPECT_TRUE(s.shards[0].closed && s.shards[1].closed && !s.shards[2].closed);
  std::vector<std::string> seen;
  for (size_t i = 0; i < s.shards.size(); ++i) {
    bool ended;
    auto records = ReadShard(arn, s.shards[i].id, 2, &ended);
    EXPECT_EQ(i < 2, ended) << i;  // closed shards end; the open one goes on
    for (const auto& r : records) seen.push_back(r.keys.at("pk").str());
  }
  EXPECT_EQ((std::vector<std::string>{"k0", "k1", "k2", "k3", "k4", "k5", "k6"}), seen);
}

TEST_F(StreamsTest, ShardsRollOverWithAge) {
  stream_options_.shard_seconds = 60;
  Reopen();
  std::string arn = CreateStreamed("aged", StreamViewType::kKeysOnly);
  Put("aged", Row("a", "1"));
  clock_.Advance(30);
  Put("aged", Row("b", "1"));
  EXPECT_EQ(1u, Describe(arn).shards.size());
  clock_.Advance(31);
  // An old shard with records closes at the next write, or at the next trim pass when idle.
  ASSERT_TRUE(db_->streams().Trim().ok());
  StreamMeta s = Describe(arn);
  ASSERT_EQ(2u, s.shards.size());
  EXPECT_TRUE(s.shards[0].closed);
  EXPECT_EQ(2u, s.shards[0].records);
  EXPECT_EQ(s.shards[0].id, s.shards[1].parent);
  Reopen();  // the roll-over was stored
  EXPECT_EQ(2u, Describe(arn).shards.size());
  clock_.Advance(61);
  ASSERT_TRUE(db_->streams().Trim().ok());
  EXPECT_EQ(2u, Describe(arn).shards.size());  // an empty open shard stays open
}

TEST_F(StreamsTest, IteratorTypesStartWhereTheySay) {
  std::string arn = CreateStreamed("iters", StreamViewType::kKeysOnly);
  for (int i = 0; i < 3; ++i) Put("iters", Row("k" + std::to_string(i), "x"));
  std::string shard = Describe(arn).shards[0].id;
  bool ended;
  auto all = ReadShard(arn, shard, 1000, &ended);
  ASSERT_EQ(3u, all.size());
  auto read = [&](const std::string& it) {
    auto r = db_->streams().GetRecords(scope_.ns, it, 1000);
    EXPECT_TRUE(r.ok());
    std::vector<uint64_t> seqs;
    if (r.ok()) for (const auto& rec : r->records) seqs.push_back(rec.seq);
    return seqs;
  };
  EXPECT_EQ((std::vector<uint64_t>{all[1].seq, all[2].seq}),
            read(Iterator(arn, shard, IteratorType::kAtSequenceNumber, all[1].seq)));
  EXPECT_EQ((std::vector<uint64_t>{all[2].seq}),
            read(Iterator(arn, shard, IteratorType::kAfterSequenceNumber, all[1].seq)));
  std::string latest = Iterator(arn, shard, IteratorType::kLatest);
  EXPECT_TRUE(read(latest).empty());
  Put("iters", Row("k9", "x"));
  EXPECT_EQ(1u, read(latest).size());
  auto before = db_->streams().GetShardIterator(scope_.ns, arn, shard, IteratorType::kAtSequenceNumber,
                                                all[0].seq - 1);
  EXPECT_EQ(Code::kValidation, before.status().code());
}

TEST_F(StreamsTest, RetentionTrimsRecordsAndDisabledStreams) {
  stream_options_.retention_seconds = 100;
  Reopen();
  std::string arn = CreateStreamed("kept", StreamViewType::kKeysOnly);
  Put("kept", Row("old1", "x"));
  Put("kept", Row("old2", "x"));
  std::string shard = Describe(arn).shards[0].id;
  std::string early = Iterator(arn, shard);
  clock_.Advance(150);
  Put("kept", Row("new", "x"));
  ASSERT_TRUE(db_->streams().Trim().ok());
  bool ended;
  auto records = ReadShard(arn, shard, 1000, &ended);
  ASSERT_EQ(1u, records.size());
  EXPECT_EQ("new", records[0].keys.at("pk").str());
  auto trimmed = db_->streams().GetRecords(scope_.ns, early, 1000);
  EXPECT_EQ(Code::kTrimmedDataAccess, trimmed.status().code());

  // A disabled stream stays readable for the retention period, then goes.
  UpdateTableInput off;
  off.name = "kept";
  off.stream = StreamSpecInput{false};
  ASSERT_TRUE(db_->UpdateTable(scope_, off).ok());
  StreamMeta s = Describe(arn);
  EXPECT_FALSE(s.enabled);
  EXPECT_TRUE(s.shards.back().closed);
  records = ReadShard(arn, shard, 1000, &ended);
  EXPECT_EQ(1u, records.size());
  EXPECT_TRUE(ended);
  clock_.Advance(101);
  ASSERT_TRUE(db_->streams().Trim().ok());
  EXPECT_EQ(Code::kResourceNotFound, db_->streams().Describe(scope_.ns, arn).status().code());
}

TEST_F(StreamsTest, IteratorsExpireAfterFifteenMinutes) {
  std::string arn = CreateStreamed("expiring", StreamViewType::kKeysOnly);
  std::string it = Iterator(arn, Describe(arn).shards[0].id);
  clock_.Advance(15 * 60 + 1);
  EXPECT_EQ(Code::kExpiredIterator, db_->streams().GetRecords(scope_.ns, it, 10).status().code());
  EXPECT_EQ(Code::kValidation, db_->streams().GetRecords(scope_.ns, it + "x", 10).status().code());
}

TEST_F(StreamsTest, StreamsAndSequenceNumbersSurviveAReopen) {
  std::string arn = CreateStreamed("durable", StreamViewType::kKeysOnly);
  Put("durable", Row("a", "1"));
  Reopen();
  Put("durable", Row("b", "1"));
  bool ended;
  auto records = ReadShard(arn, Describe(arn).shards[0].id, 1000, &ended);
  ASSERT_EQ(2u, records.size());
  EXPECT_LT(records[0].seq, records[1].seq);
}

TEST_F(StreamsTest, ReenablingStartsANewStream) {
  std::string first = CreateStreamed("again", StreamViewType::kKeysOnly);
  UpdateTableInput off;
  off.name = "again";
  off.stream = StreamSpecInput{false};
  ASSERT_TRUE(db_->UpdateTable(scope_, off).ok());
  EXPECT_EQ("Table has no stream to disable", db_->UpdateTable(scope_, off).status().message());
  UpdateTableInput on;
  on.name = "again";
  on.stream = StreamSpecInput{true, StreamViewType::kOldImage};
  auto d = db_->UpdateTable(scope_, on);
  ASSERT_TRUE(d.ok());
  std::string second = d->meta->StreamArn();
  EXPECT_NE(first, second);
  EXPECT_EQ("Table already has an enabled stream", db_->UpdateTable(scope_, on).status().message());
  auto listed = db_->streams().List(scope_.ns, std::string("again"), "");
  EXPECT_EQ(2u, listed.size());
}

}  // namespace
}  // namespace basalt::db
