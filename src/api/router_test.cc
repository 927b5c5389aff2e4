#include "api/router.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

namespace basalt::api {
namespace {

constexpr const char* kAuth =
    "AWS4-HMAC-SHA256 Credential=AKID/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0";

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
    db_ = std::make_unique<db::Database>(engine_.get(), &clock_, db::Options{});
    ASSERT_TRUE(db_->Open().ok());
    router_ = std::make_unique<Router>(db_.get(), RouterOptions{});
    ASSERT_EQ(200, Call("CreateTable", R"({"TableName":"things","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"})")
                       .status);
  }

  ApiResponse Call(std::string_view op, std::string_view body, std::string_view auth = kAuth) {
    std::string target = "DynamoDB_20120810." + std::string(op);
    return router_->Handle(ApiRequest{target, auth, "localhost:8000", body});
  }

  // "status __type-suffix: message" for one assertion per case.
  std::string Error(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    std::string type = d["__type"].GetString();
    return std::to_string(r.status) + " " + type + ": " + d["message"].GetString();
  }

  RealClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<Router> router_;
};

TEST_F(RouterTest, RequestWithoutAuthorizationIsMissingAuthenticationToken) {
  ApiResponse r = Call("ListTables", "{}", "");
  EXPECT_EQ(400, r.status);
  EXPECT_EQ(
      R"({"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"})",
      r.body);
}

TEST_F(RouterTest, ProtocolErrorsUseCoralNamespaces) {
  EXPECT_EQ("400 com.amazon.coral.service#UnknownOperationException: An unknown operation was requested.",
            Error("Frobnicate", "{}"));
  EXPECT_EQ("400 com.amazon.coral.service#SerializationException: Invalid JSON: Missing a closing quotation mark in string.",
            Error("ListTables", R"({"Limit)"));
  EXPECT_EQ("400 com.amazon.coral.service#SerializationException: STRING_VALUE can not be converted to Long",
            Error("ListTables", R"({"Limit":"x"})"));
  EXPECT_EQ("400 com.amazon.coral.service#SerializationException: Request body must be a JSON object",
            Error("ListTables", "[]"));
}

TEST_F(RouterTest, InvalidUtf8IsASerializationError) {
  std::string body = "{\"TableName\":\"th\xff\xfeings\"}";
  EXPECT_EQ(400, Call("DescribeTable", body).status);
  EXPECT_NE(std::string::npos, Call("DescribeTable", body).body.find("SerializationException"));
}

TEST_F(RouterTest, DeeplyNestedJsonDoesNotOverflowTheStack) {
  std::string body = R"({"TableName":"things","Item":{"pk":{"S":"a"},"x":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}}";
  EXPECT_EQ(400, Call("PutItem", body).status);
}

TEST_F(RouterTest, ConstraintViolationsAreCountedAndJoined) {
  EXPECT_EQ(
      "400 com.amazon.coral.validate#ValidationException: 2 validation errors detected: Value 'a!' at "
      "'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
      "Value 'a!' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
      Error("DescribeTable", R"({"TableName":"a!"})"));
  EXPECT_EQ(
      "400 com.amazon.coral.validate#ValidationException: 1 validation error detected: Value null at 'tableName' "
      "failed to satisfy constraint: Member must not be null",
      Error("GetItem", R"({"Key":{"pk":{"S":"k"}}})"));
  // The control-plane operations answer a missing TableName in words of their own.
  EXPECT_EQ(
      "400 com.amazon.coral.validate#ValidationException: The parameter 'TableName' is required but was not present "
      "in the request",
      Error("DescribeTable", "{}"));
}

TEST_F(RouterTest, ItemValidationMessagesMatchDynamoDb) {
  auto put = [&](std::string_view value) {
    return Error("PutItem", R"({"TableName":"things","Item":{"pk":{"S":"k"},"v":)" + std::string(value) + "}}");
  };
  const std::string v = "400 com.amazon.coral.validate#ValidationException: ";
  EXPECT_EQ(v + "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes", put("{}"));
  EXPECT_EQ(v + "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
                "supported datatypes",
            put(R"({"S":"a","N":"1"})"));
  EXPECT_EQ(v + "One or more parameter values were invalid: An string set  may not be empty", put(R"({"SS":[]})"));
  EXPECT_EQ(v + "One or more parameter values were invalid: Input collection [x, x] contains duplicates",
            put(R"({"SS":["x","x"]})"));
  EXPECT_EQ(v + "Input collection contains duplicates", put(R"({"NS":["1","1.0"]})"));
  EXPECT_EQ(v + "One or more parameter values were invalid: Null attribute value types must have the value of true",
            put(R"({"NULL":false})"));
  EXPECT_EQ("400 com.amazon.coral.service#SerializationException: Base64 encoded value is not valid base64: AQ",
            put(R"({"B":"AQ"})"));
  EXPECT_EQ(v + "One or more parameter values were invalid: Missing the key pk in the item",
            Error("PutItem", R"({"TableName":"things","Item":{"x":{"S":"k"}}})"));
  EXPECT_EQ("400 com.amazonaws.dynamodb.v20120810#ResourceNotFoundException: Requested resource not found",
            Error("PutItem", R"({"TableName":"nothere","Item":{"pk":{"S":"k"}}})"));
}

TEST_F(RouterTest, PutThenGetReturnsCanonicalNumbersAndCapacity) {
  ASSERT_EQ(200, Call("PutItem", R"({"TableName":"things","Item":{"pk":{"S":"k"},"n":{"N":"0012.50"}}})").status);
  ApiResponse r = Call("GetItem", R"({"TableName":"things","Key":{"pk":{"S":"k"}},"ReturnConsumedCapacity":"TOTAL"})");
  EXPECT_EQ(R"({"Item":{"n":{"N":"12.5"},"pk":{"S":"k"}},"ConsumedCapacity":{"TableName":"things","CapacityUnits":0.5}})",
            r.body);
}

TEST(RegionTest, RegionComesFromTheCredentialScope) {
  EXPECT_EQ("eu-west-1", RegionFromAuthorization(
                             "AWS4-HMAC-SHA256 Credential=AK/20240101/eu-west-1/dynamodb/aws4_request, "
                             "SignedHeaders=host, Signature=abc"));
  EXPECT_EQ("us-east-1", RegionFromAuthorization("garbage"));
  EXPECT_EQ("us-east-1", RegionFromAuthorization("AWS4-HMAC-SHA256 Credential=AK/2024"));
}

// Legacy KeyConditions become the same typed key condition as a
// KeyConditionExpression; what DynamoDB cannot index is refused.
TEST_F(RouterTest, LegacyKeyConditionsTakeOnlyIndexableComparisons) {
  auto query = [&](const std::string& conditions) {
    return Error("Query", R"({"TableName":"things","KeyConditions":{)" + conditions + "}}");
  };
  const std::string eq = R"("pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]})";
  EXPECT_EQ("400 com.amazon.coral.validate#ValidationException: Attempted conditional constraint is not an "
            "indexable operation",
            query(R"("pk":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"a"}]})"));
  EXPECT_EQ("400 com.amazon.coral.validate#ValidationException: Attempted conditional constraint is not an "
            "indexable operation",
            query(R"("pk":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"a"}]})"));
  EXPECT_EQ("400 com.amazon.coral.validate#ValidationException: Conditions can be of length 1 or 2 only",
            query(eq + R"(,"x":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},)" +
                  R"("y":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]})"));
  EXPECT_EQ("400 com.amazon.coral.validate#ValidationException: Query condition missed key schema element",
            query(eq + R"(,"x":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]})"));
  ApiResponse ok = Call("Query", R"({"TableName":"things","KeyConditions":{)" + eq + "}}");
  EXPECT_EQ(200, ok.status) << ok.body;
}

}  // namespace
}  // namespace basalt::api
