#include "triggers/triggers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/testing.h"
#include "db/database.h"
#include "triggers/lambda_event.h"
#include "triggers/mapping_api.h"

namespace basalt::triggers {
namespace {

using model::AttributeValue;

TEST(TriggerConfigTest, FlagNamesTableAndTarget) {
  auto c = ParseTriggerFlag("orders=http://127.0.0.1:9000/hook");
  ASSERT_OK(c.status());
  EXPECT_EQ("orders", c->table);
  EXPECT_EQ("http://127.0.0.1:9000/hook", c->function);
  EXPECT_EQ(100, c->batch_size);  // Lambda's default for DynamoDB streams
  EXPECT_FALSE(c->starting_latest);
  EXPECT_EQ(c->uuid, ParseTriggerFlag("orders=http://127.0.0.1:9000/hook")->uuid);  // stable across restarts
  EXPECT_TRUE(ParseTriggerFlag("orders=cmd:cat").ok());
  EXPECT_FALSE(ParseTriggerFlag("orders").ok());
  EXPECT_FALSE(ParseTriggerFlag("orders=ftp://x").ok());
  EXPECT_FALSE(ParseTriggerFlag("orders=cmd:").ok());
}

TEST(TriggerConfigTest, FileUsesLambdaNamesAndConstraints) {
  auto list = ParseTriggersFile(R"({"Triggers": [{"TableName": "t", "FunctionName": "cmd:true", "BatchSize": 5,
      "StartingPosition": "LATEST", "BisectBatchOnFunctionError": true, "MaximumRetryAttempts": 2,
      "FunctionResponseTypes": ["ReportBatchItemFailures"],
      "DestinationConfig": {"OnFailure": {"Destination": "file:///tmp/failed.jsonl"}},
      "FilterCriteria": {"Filters": [{"Pattern": "{\"eventName\": [\"INSERT\"]}"}]}}]})");
  ASSERT_OK(list.status());
  ASSERT_EQ(1u, list->size());
  const TriggerConfig& c = (*list)[0];
  EXPECT_EQ(5, c.batch_size);
  EXPECT_TRUE(c.starting_latest);
  EXPECT_TRUE(c.bisect_on_error);
  EXPECT_EQ(2, c.max_retry_attempts);
  EXPECT_TRUE(c.report_batch_item_failures);
  EXPECT_EQ("/tmp/failed.jsonl", c.on_failure_file);
  EXPECT_EQ(1u, c.filter_patterns.size());
  EXPECT_FALSE(c.uuid.empty());

  auto too_big = ParseTriggersFile(R"({"Triggers": [{"TableName": "t", "FunctionName": "cmd:true", "BatchSize": 10001}]})");
  EXPECT_EQ("1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: "
            "Member must have value less than or equal to 10000",
            too_big.status().message());
  EXPECT_FALSE(ParseTriggersFile(R"({"Triggers": [{"TableName": "t", "FunctionName": "cmd:true",
      "FilterCriteria": {"Filters": [{"Pattern": "{\"a\": 1}"}]}}]})").ok());
  EXPECT_FALSE(ParseTriggersFile(R"({"Triggers": [{"TableName": "t", "FunctionName": "cmd:true",
      "MaximumRecordAgeInSeconds": 30}]})").ok());
}

TEST(LambdaEventTest, RecordHasLambdasShape) {
  db::StreamRecord r;
  r.event = db::StreamRecord::kModify;
  r.view = db::StreamViewType::kNewAndOldImages;
  r.created_ms = 1700000000123;
  r.event_id = "abc";
  r.keys = {{"pk", AttributeValue::S("a")}};
  r.new_image = model::Item{{"pk", AttributeValue::S("a")}, {"n", AttributeValue::N(*model::Number::Parse("2"))}};
  r.old_image = model::Item{{"pk", AttributeValue::S("a")}, {"n", AttributeValue::N(*model::Number::Parse("1"))}};
  r.seq = 42;
  r.size_bytes = 9;
  std::string arn = "arn:aws:dynamodb:eu-west-1:000000000000:table/t/stream/2024-01-01T00:00:00.000";
  std::string json = RenderRecord(r, EventSource{arn, RegionOfArn(arn)});
  EXPECT_EQ(
      R"({"eventID":"abc","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb",)"
      R"("awsRegion":"eu-west-1","dynamodb":{"ApproximateCreationDateTime":1700000000,"Keys":{"pk":{"S":"a"}},)"
      R"("NewImage":{"n":{"N":"2"},"pk":{"S":"a"}},"OldImage":{"n":{"N":"1"},"pk":{"S":"a"}},)"
      R"("SequenceNumber":"000000000000000000042","SizeBytes":9,"StreamViewType":"NEW_AND_OLD_IMAGES"},)"
      R"("eventSourceARN":")" + arn + R"("})",
      json);
  EXPECT_EQ("{\"Records\":[" + json + "," + json + "]}", RenderEvent({&json, &json}));
}

TEST(LambdaEventTest, PartialBatchResponsesAsLambdaReadsThem) {
  for (const char* success : {"", "  ", "null", "{}", R"({"batchItemFailures": []})", R"({"batchItemFailures": null})"}) {
    auto r = ParseBatchItemFailures(success);
    ASSERT_OK(r.status());
    EXPECT_TRUE(r->empty()) << success;
  }
  auto some = ParseBatchItemFailures(R"({"batchItemFailures": [{"itemIdentifier": "000000000000000000007"}]})");
  ASSERT_OK(some.status());
  EXPECT_EQ(std::vector<uint64_t>{7}, *some);
  for (const char* failure : {"not json", R"({"batchItemFailures": [{"itemIdentifier": ""}]})",
                              R"({"batchItemFailures": [{"itemIdentifier": null}]})",
                              R"({"batchItemFailures": [{"id": "1"}]})",
                              R"({"batchItemFailures": [{"itemIdentifier": "x1"}]})"}) {
    EXPECT_FALSE(ParseBatchItemFailures(failure).ok()) << failure;
  }
}

// Runners against a real (in-memory) database, with command targets.
class TriggersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
    db_ = std::make_unique<db::Database>(engine_.get(), &clock_, db::Options{});
    ASSERT_OK(db_->Open());
    char tmpl[] = "/tmp/basalt-triggers-test-XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(tmpl));
    dir_ = tmpl;
    db::CreateTableInput in;
    in.name = "t";
    in.key_schema.hash = {"pk", model::Type::kS};
    in.attribute_definitions = {{"pk", model::Type::kS}};
    in.billing_mode = db::BillingMode::kPayPerRequest;
    in.stream = db::StreamSpecInput{true, db::StreamViewType::kNewAndOldImages};
    auto d = db_->CreateTable(scope_, in);
    ASSERT_OK(d.status());
    arn_ = d->meta->StreamArn();
  }
  void TearDown() override {
    triggers_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }

  void Put(const std::string& pk) {
    ASSERT_OK(db_->PutItem(scope_, db::PutItemInput{"t", model::Item{{"pk", AttributeValue::S(pk)}}}).status());
  }

  void StartTriggers(std::vector<TriggerConfig> configs) {
    triggers_ = std::make_unique<Triggers>(&db_->streams(), &engine_->meta(), &clock_);
    ASSERT_OK(triggers_->Start(configs));
  }

  TriggerConfig Config(const std::string& command) {
    TriggerConfig c;
    c.uuid = StableUuid(command);
    c.table = "t";
    c.function = "cmd:" + command;
    return c;
  }

  static std::string Read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }

  // The pk values, in order, of the records in a file of events.
  static std::string Keys(const std::string& text) {
    std::string out;
    const std::string marker = R"("Keys":{"pk":{"S":")";
    for (size_t at = 0; (at = text.find(marker, at)) != std::string::npos;) {
      at += marker.size();
      out += text.substr(at, text.find('"', at) - at) + " ";
    }
    return out;
  }

  // Waits until `path` holds `n` records.
  std::string WaitFor(const std::string& path, size_t n) {
    for (int i = 0; i < 500; ++i) {
      std::string keys = Keys(Read(path));
      if (static_cast<size_t>(std::count(keys.begin(), keys.end(), ' ')) >= n) return keys;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Keys(Read(path));
  }

  RealClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<Triggers> triggers_;
  db::Scope scope_{"", "us-east-1"};
  std::string dir_, arn_;
};

TEST_F(TriggersTest, DeliversInOrderInBatchesAndResumesAfterTheCheckpoint) {
  std::string out = dir_ + "/events";
  TriggerConfig c = Config("(cat; echo) >> " + out);
  c.batch_size = 2;
  c.max_batching_window_seconds = 1;
  for (const char* pk : {"a", "b", "c", "d"}) Put(pk);
  StartTriggers({c});
  EXPECT_EQ("a b c d ", WaitFor(out, 4));
  // Two records per event: one line each (the command's echo may come a moment after its cat).
  std::string text = Read(out);
  for (int i = 0; i < 100 && std::count(text.begin(), text.end(), '\n') < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    text = Read(out);
  }
  EXPECT_EQ(2, std::count(text.begin(), text.end(), '\n'));
  triggers_.reset();
  Put("e");
  StartTriggers({c});
  EXPECT_EQ("a b c d e ", WaitFor(out, 5));  // after the last acknowledged batch: nothing twice
}

TEST_F(TriggersTest, BisectsAFailingBatchAndSendsThePoisonRecordToTheDestination) {
  std::string out = dir_ + "/events", failed = dir_ + "/failed.jsonl";
  // Fails every batch that holds "bad".
  TriggerConfig c = Config("e=$(cat); case \"$e\" in *'\"bad\"'*) exit 1;; esac; echo \"$e\" >> " + out);
  c.batch_size = 4;
  c.max_batching_window_seconds = 1;
  c.bisect_on_error = true;
  c.max_retry_attempts = 0;
  c.on_failure_file = failed;
  for (const char* pk : {"a", "bad", "c", "d"}) Put(pk);
  StartTriggers({c});
  EXPECT_EQ("a c d ", WaitFor(out, 3)) << "[a bad c d] fails; [a bad] fails; [a] succeeds, [bad] fails; [c d] succeeds";
  std::string f;
  for (int i = 0; i < 200 && f.empty(); ++i, std::this_thread::sleep_for(std::chrono::milliseconds(10))) f = Read(failed);
  EXPECT_EQ("bad ", Keys(f));
  EXPECT_NE(std::string::npos, f.find(R"("condition":"RetryAttemptsExhausted")"));
  EXPECT_NE(std::string::npos, f.find(R"("batchSize":1)"));
  auto stats = triggers_->Stats();
  ASSERT_EQ(1u, stats.size());
  EXPECT_EQ(1u, stats[0].records_to_destination);
  std::string metrics = TriggerMetricsText(stats);
  EXPECT_NE(std::string::npos, metrics.find("# TYPE basalt_trigger_records_to_destination_total counter\n"
                                            "basalt_trigger_records_to_destination_total{uuid=\"" + c.uuid +
                                            "\",source=\"t\",function=\"" + c.function.substr(0, 4)))
      << metrics;
  EXPECT_NE(std::string::npos, metrics.find("basalt_trigger_records_delivered_total{")) << metrics;
}

TEST_F(TriggersTest, RecordsOlderThanMaximumRecordAgeGoToTheDestinationUndelivered) {
  std::string out = dir_ + "/events", failed = dir_ + "/failed.jsonl";
  TriggerConfig c = Config("(cat; echo) >> " + out);
  c.max_record_age_seconds = 60;
  c.on_failure_file = failed;
  Put("old");
  // The trigger's clock is two minutes ahead of the records' (made with the real one).
  FakeClock later(clock_.Now() + 120);
  triggers_ = std::make_unique<Triggers>(&db_->streams(), &engine_->meta(), &later);
  ASSERT_OK(triggers_->Start({c}));
  std::string f;
  for (int i = 0; i < 300 && f.empty(); ++i, std::this_thread::sleep_for(std::chrono::milliseconds(10))) f = Read(failed);
  EXPECT_EQ("old ", Keys(f));
  EXPECT_NE(std::string::npos, f.find(R"("condition":"RecordAgeExceeded")"));
  EXPECT_NE(std::string::npos, f.find(R"("approximateInvokeCount":0)"));
  EXPECT_EQ("", Read(out));
}

TEST_F(TriggersTest, StoppingAbandonsAHungInvocation) {
  TriggerConfig c = Config("sleep 30");
  Put("a");
  StartTriggers({c});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the command is running
  auto start = std::chrono::steady_clock::now();
  triggers_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(TriggersTest, FilterCriteriaDropsRecordsThatMatchNoPattern) {
  std::string out = dir_ + "/events";
  TriggerConfig c = Config("(cat; echo) >> " + out);
  c.filter_patterns = {R"({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "keep"}]}}}})"};
  for (const char* pk : {"keep1", "drop", "keep2"}) Put(pk);
  StartTriggers({c});
  EXPECT_EQ("keep1 keep2 ", WaitFor(out, 2));
}

TEST_F(TriggersTest, MappingApiCreatesListsAndDeletes) {
  StartTriggers({});
  std::string body = R"({"EventSourceArn": ")" + arn_ + R"(", "FunctionName": "http://127.0.0.1:9/", "StartingPosition": "LATEST"})";
  MappingResponse command = HandleMappingRequest(triggers_.get(), "POST", "/2015-03-31/event-source-mappings/",
                                                 R"({"EventSourceArn": ")" + arn_ + R"(", "FunctionName": "cmd:true", "StartingPosition": "LATEST"})");
  EXPECT_EQ(400, command.status) << "the API must not run commands";
  std::string with_file = R"({"EventSourceArn": ")" + arn_ + R"(", "FunctionName": "http://127.0.0.1:9/", "StartingPosition": "LATEST",
      "DestinationConfig": {"OnFailure": {"Destination": "file://)" + dir_ + R"(/f.jsonl"}}})";
  EXPECT_EQ(400, HandleMappingRequest(triggers_.get(), "POST", "/2015-03-31/event-source-mappings/", with_file).status)
      << "no destination directory was given";
  triggers_->set_api_destination_dir(dir_ + "/sub");
  EXPECT_EQ(400, HandleMappingRequest(triggers_.get(), "POST", "/2015-03-31/event-source-mappings/", with_file).status)
      << "outside the destination directory";
  triggers_->set_api_destination_dir(dir_);
  MappingResponse allowed = HandleMappingRequest(triggers_.get(), "POST", "/2015-03-31/event-source-mappings/", with_file);
  EXPECT_EQ(202, allowed.status) << allowed.body;
  MappingResponse created = HandleMappingRequest(triggers_.get(), "POST", "/2015-03-31/event-source-mappings/", body);
  ASSERT_EQ(202, created.status) << created.body;
  EXPECT_NE(std::string::npos, created.body.find(R"("State":"Creating")"));
  size_t at = created.body.find(R"("UUID":")") + 8;
  std::string uuid = created.body.substr(at, created.body.find('"', at) - at);
  MappingResponse list = HandleMappingRequest(triggers_.get(), "GET", "/2015-03-31/event-source-mappings/?EventSourceArn=" + arn_, "");
  EXPECT_NE(std::string::npos, list.body.find(uuid)) << list.body;
  EXPECT_NE(std::string::npos, list.body.find("file://" + dir_ + "/f.jsonl")) << list.body;
  MappingResponse missing = HandleMappingRequest(triggers_.get(), "POST", "/2015-03-31/event-source-mappings/",
                                                 R"({"EventSourceArn": ")" + arn_ + R"(", "FunctionName": "http://127.0.0.1:9/"})");
  EXPECT_EQ(400, missing.status);
  EXPECT_EQ("InvalidParameterValueException", missing.headers[0].second);
  MappingResponse updated = HandleMappingRequest(triggers_.get(), "PUT", "/2015-03-31/event-source-mappings/" + uuid,
                                                 R"({"BatchSize": 7, "Enabled": false})");
  ASSERT_EQ(202, updated.status) << updated.body;
  MappingResponse got = HandleMappingRequest(triggers_.get(), "GET", "/2015-03-31/event-source-mappings/" + uuid, "");
  EXPECT_NE(std::string::npos, got.body.find(R"("BatchSize":7)")) << got.body;
  EXPECT_NE(std::string::npos, got.body.find(R"("State":"Disabled")")) << got.body;
  EXPECT_NE(std::string::npos, got.body.find(R"("StartingPosition":"LATEST")")) << got.body;
  EXPECT_EQ(400, HandleMappingRequest(triggers_.get(), "PUT", "/2015-03-31/event-source-mappings/" + uuid,
                                      R"({"StartingPosition": "TRIM_HORIZON"})").status);
  EXPECT_EQ(202, HandleMappingRequest(triggers_.get(), "DELETE", "/2015-03-31/event-source-mappings/" + uuid, "").status);
  MappingResponse gone = HandleMappingRequest(triggers_.get(), "GET", "/2015-03-31/event-source-mappings/" + uuid, "");
  EXPECT_EQ(404, gone.status);
  EXPECT_EQ("ResourceNotFoundException", gone.headers[0].second);
}

}  // namespace
}  // namespace basalt::triggers
