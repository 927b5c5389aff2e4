// libFuzzer target for the request decoder: the whole path from a request
// body to a response, against an in-memory database holding three tables
// (one with an LSI, a GSI and a stream).
// The first input byte picks the operation; the rest is the JSON body.
// Any crash, sanitizer report, hang or a response that is not a 200/400 JSON
// object (500 means an unexpected internal failure) is a finding.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/router.h"
#include "common/clock.h"
#include "db/database.h"
#include "storage/engine.h"

namespace {

struct Env {
  basalt::RealClock clock;
  std::unique_ptr<basalt::storage::Engine> engine;
  std::unique_ptr<basalt::db::Database> db;
  std::unique_ptr<basalt::api::Router> router;
};

constexpr const char* kAuth =
    "AWS4-HMAC-SHA256 Credential=AK/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0";

Env* Setup() {
  auto* env = new Env;
  env->engine = std::move(*basalt::storage::OpenRocksDb({"", true, basalt::storage::Durability::kRelaxed}));
  env->db = std::make_unique<basalt::db::Database>(env->engine.get(), &env->clock, basalt::db::Options{});
  if (!env->db->Open().ok()) std::abort();
  env->router = std::make_unique<basalt::api::Router>(env->db.get(), basalt::api::RouterOptions{});
  for (const char* body :
       {R"({"TableName":"hash","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"})",
        R"({"TableName":"range","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"B"},{"AttributeName":"sk","AttributeType":"N"}],"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})",
        R"({"TableName":"indexed","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"l","AttributeType":"S"},{"AttributeName":"g","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"},"LocalSecondaryIndexes":[{"IndexName":"lsi","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],"GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]}}]})"}) {
    if (env->router->Handle({"DynamoDB_20120810.CreateTable", kAuth, "h", body}).status != 200) std::abort();
  }
  return env;
}

// Table-changing operations are left out so the two tables stay in place.
constexpr const char* kTargets[] = {
    "DynamoDB_20120810.PutItem",       "DynamoDB_20120810.GetItem",     "DynamoDB_20120810.DeleteItem",
    "DynamoDB_20120810.BatchGetItem",  "DynamoDB_20120810.BatchWriteItem", "DynamoDB_20120810.DescribeTable",
    "DynamoDB_20120810.ListTables",    "DynamoDB_20120810.UpdateTable", "DynamoDB_20120810.CreateTable",
    "DynamoDB_20120810.UpdateItem",    "DynamoDB_20120810.Query",       "DynamoDB_20120810.Scan",
    "DynamoDB_20120810.Unknown",       "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.TransactGetItems",
    "DynamoDB_20120810.UpdateTimeToLive", "DynamoDB_20120810.DescribeTimeToLive",
    "DynamoDBStreams_20120810.ListStreams", "DynamoDBStreams_20120810.DescribeStream",
    "DynamoDBStreams_20120810.GetShardIterator", "DynamoDBStreams_20120810.GetRecords",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Env* env = Setup();
  if (size == 0) return 0;
  const char* target = kTargets[data[0] % (sizeof kTargets / sizeof kTargets[0])];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  basalt::api::ApiResponse r = env->router->Handle({target, kAuth, "h", body});
  if (r.status != 200 && r.status != 400) std::abort();
  if (r.body.empty() || r.body.front() != '{' || r.body.back() != '}') std::abort();
  return 0;
}
