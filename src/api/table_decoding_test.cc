#include "api/table_decoding.h"

#include <gtest/gtest.h>

#include <string>

#include "common/testing.h"

namespace basalt::api {
namespace {

std::string Render(const db::IndexInput& i) {
  std::string s = std::string(i.global ? "GSI " : "LSI ") + i.name + " [";
  for (const auto& [name, type] : i.key_schema) s += name + " " + type + ", ";
  s += "] projection " + std::to_string(static_cast<int>(i.projection));
  if (i.non_key_attributes) {
    s += " +";
    for (const auto& a : *i.non_key_attributes) s += " " + a;
  }
  if (i.throughput) {
    s += " rcu " + std::to_string(i.throughput->read_capacity_units) + " wcu " +
         std::to_string(i.throughput->write_capacity_units);
  }
  return s;
}

// A CreateTable input as one line per part, or the error.
std::string CreateTable(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  Result<db::CreateTableInput> in = DecodeCreateTable(d);
  if (!in.ok()) return "error: " + in.status().message();
  std::string s = in->name + ": " + in->key_schema.hash.name + " " + model::TypeName(in->key_schema.hash.type);
  if (in->key_schema.range) s += ", " + in->key_schema.range->name + " " + model::TypeName(in->key_schema.range->type);
  s += "; billing " + std::to_string(static_cast<int>(in->billing_mode));
  if (in->throughput) {
    s += " rcu " + std::to_string(in->throughput->read_capacity_units) + " wcu " +
         std::to_string(in->throughput->write_capacity_units);
  }
  for (const auto& i : in->local_indexes) s += "; " + Render(i);
  for (const auto& i : in->global_indexes) s += "; " + Render(i);
  for (const auto& t : in->tags) s += "; tag " + t.key + "=" + t.value;
  if (in->stream) s += "; stream " + std::string(in->stream->enabled ? "on " : "off ") +
                       std::to_string(static_cast<int>(in->stream->view));
  if (in->deletion_protection) s += "; protected";
  return s;
}

std::string UpdateTable(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  Result<db::UpdateTableInput> in = DecodeUpdateTable(d);
  if (!in.ok()) return "error: " + in.status().message();
  std::string s = in->name + ":";
  if (in->billing_mode) s += " billing " + std::to_string(static_cast<int>(*in->billing_mode));
  if (in->throughput) s += " rcu " + std::to_string(in->throughput->read_capacity_units);
  for (const auto& u : in->index_updates) {
    s += std::string(" ") + (u.kind == db::IndexUpdate::kCreate ? "create " : u.kind == db::IndexUpdate::kDelete ? "delete " : "update ") +
         Render(u.index);
  }
  if (in->stream) s += std::string(" stream ") + (in->stream->enabled ? "on" : "off");
  return s;
}

TEST(DecodeCreateTableTest, ReadsEveryPart) {
  EXPECT_EQ(CreateTable(R"({"TableName": "orders",
      "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
      "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                               {"AttributeName": "g", "AttributeType": "B"}],
      "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
      "LocalSecondaryIndexes": [{"IndexName": "by_l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "g", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
      "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                  "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]},
                                  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 2}}],
      "Tags": [{"Key": "team", "Value": "core"}],
      "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"},
      "DeletionProtectionEnabled": true})"),
            "orders: pk S, sk N; billing 0 rcu 5 wcu 7; LSI by_l [pk HASH, g RANGE, ] projection 1; "
            "GSI by_g [g HASH, ] projection 2 + a b rcu 1 wcu 2; tag team=core; stream on 1; protected");
}

TEST(DecodeCreateTableTest, ConstraintViolationsAreReportedTogetherInTheServicesOrder) {
  EXPECT_EQ(CreateTable(R"({"TableName": "x", "KeySchema": [{"AttributeName": "pk", "KeyType": "SIDEWAYS"}],
      "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "Q"}], "BillingMode": "FREE"})"),
            "error: 4 validation errors detected: "
            "Value 'x' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; "
            "Value 'SIDEWAYS' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum "
            "value set: [HASH, RANGE]; "
            "Value 'Q' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must "
            "satisfy enum value set: [B, N, S]; "
            "Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: "
            "[PROVISIONED, PAY_PER_REQUEST]");
}

TEST(DecodeCreateTableTest, TheKeySchemaShapeIsCheckedAfterTheMembers) {
  const char* two_hashes = R"({"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
      "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}],
      "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]})";
  EXPECT_EQ(CreateTable(two_hashes),
            "error: Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  EXPECT_EQ(CreateTable(R"({"TableName": "things", "KeySchema": "pk"})"),
            "error: STRING_VALUE can not be converted to List");
  EXPECT_EQ(CreateTable(R"({"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
      "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
      "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
      "StreamSpecification": {"StreamEnabled": true}})"),
            "error: Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams.");
}

TEST(DecodeUpdateTableTest, ReadsIndexUpdatesAndStreams) {
  EXPECT_EQ(UpdateTable(R"({"TableName": "orders", "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "S"}],
      "GlobalSecondaryIndexUpdates": [
        {"Create": {"IndexName": "by_h", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"}}},
        {"Update": {"IndexName": "by_g", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}},
        {"Delete": {"IndexName": "old"}}],
      "StreamSpecification": {"StreamEnabled": false}})"),
            "orders: create GSI by_h [h HASH, ] projection 0 update GSI by_g [] projection 0 rcu 3 wcu 4 "
            "delete GSI old [] projection 0 stream off");
}

TEST(DecodeUpdateTableTest, AnUpdateWithNothingToChangeIsRefused) {
  EXPECT_EQ(UpdateTable(R"({"TableName": "orders"})"), "error: Nothing to update");
  EXPECT_EQ(UpdateTable(R"({"TableName": "orders", "GlobalSecondaryIndexUpdates": [{}]})"),
            "error: Update global secondary index action is null");
  EXPECT_EQ(UpdateTable(R"({"TableName": "orders", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "by_g"}}]})"),
            "error: 1 validation error detected: Value null at "
            "'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput' failed to satisfy constraint: Member "
            "must not be null");
}

}  // namespace
}  // namespace basalt::api
