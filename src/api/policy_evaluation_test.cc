// IAM policy evaluation, table-driven: a policy document, what a request
// asks (action, resource, condition keys) and the decision. The second table
// derives the context from real DynamoDB requests (api/authorize.cc), for
// dynamodb:LeadingKeys and dynamodb:Attributes fine-grained access.
#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include "api/authorize.h"
#include "api/policy_json.h"
#include "api/router.h"

namespace basalt::api {
namespace {

constexpr const char* kTable = "arn:aws:dynamodb:us-east-1:000000000000:table/T";

std::string Decide(std::string_view policy_json, auth::RequestContext ctx) {
  auto policy = ParsePolicy(policy_json);
  if (!policy.ok()) return "malformed";
  std::vector<auth::NamedPolicy> ps{{"p", std::make_shared<const auth::Policy>(*policy)}};
  switch (auth::Evaluate(ps, ctx)) {
    case auth::Decision::kAllow: return "allow";
    case auth::Decision::kExplicitDeny: return "deny";
    case auth::Decision::kImplicitDeny: return "implicit";
  }
  return "?";
}

std::string Stmt(std::string_view effect, std::string_view action, std::string_view resource,
                 std::string_view condition = "") {
  std::string s = R"({"Effect":")" + std::string(effect) + R"(","Action":)" + std::string(action) +
                  R"(,"Resource":)" + std::string(resource);
  if (!condition.empty()) s += R"(,"Condition":)" + std::string(condition);
  return s + "}";
}

std::string Doc(std::initializer_list<std::string> statements) {
  std::string s = R"({"Version":"2012-10-17","Statement":[)";
  bool first = true;
  for (const auto& st : statements) {
    if (!first) s += ",";
    first = false;
    s += st;
  }
  return s + "]}";
}

struct Case {
  std::string name;
  std::string policy;
  std::string action;
  std::string resource;
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;
  std::string want;
};

const std::string kT = std::string("\"") + kTable + "\"";

std::vector<Case> Cases() {
  const std::string get = "dynamodb:GetItem";
  const std::string allow_get = Stmt("Allow", "\"dynamodb:GetItem\"", kT);
  auto cond = [&](std::string c) { return Doc({Stmt("Allow", "\"dynamodb:*\"", "\"*\"", c)}); };
  return {
      // Actions, NotAction and wildcards.
      {"exact action", Doc({allow_get}), get, kTable, {}, "allow"},
      {"other action", Doc({allow_get}), "dynamodb:PutItem", kTable, {}, "implicit"},
      {"action case-insensitive", Doc({Stmt("Allow", "\"DynamoDB:getitem\"", kT)}), get, kTable, {}, "allow"},
      {"action star", Doc({Stmt("Allow", "\"dynamodb:*\"", kT)}), "dynamodb:Scan", kTable, {}, "allow"},
      {"action prefix star", Doc({Stmt("Allow", "\"dynamodb:Get*\"", kT)}), "dynamodb:GetRecords", kTable, {}, "allow"},
      {"action prefix star misses", Doc({Stmt("Allow", "\"dynamodb:Get*\"", kT)}), "dynamodb:Query", kTable, {}, "implicit"},
      {"action question mark", Doc({Stmt("Allow", "\"dynamodb:?etItem\"", kT)}), get, kTable, {}, "allow"},
      {"action list", Doc({Stmt("Allow", R"(["dynamodb:Query","dynamodb:Scan"])", kT)}), "dynamodb:Scan", kTable, {}, "allow"},
      {"all actions", Doc({Stmt("Allow", "\"*\"", "\"*\"")}), "dynamodb:DeleteTable", kTable, {}, "allow"},
      {"partiql action", Doc({Stmt("Allow", "\"dynamodb:PartiQL*\"", kT)}), "dynamodb:PartiQLSelect", kTable, {}, "allow"},
      {"streams action", Doc({Stmt("Allow", "\"dynamodb:GetShardIterator\"", "\"*\"")}), "dynamodb:GetShardIterator",
       std::string(kTable) + "/stream/2026-01-01T00:00:00.000", {}, "allow"},
      {"not action allows others", Doc({R"({"Effect":"Allow","NotAction":"dynamodb:DeleteTable","Resource":"*"})"}),
       get, kTable, {}, "allow"},
      {"not action excludes", Doc({R"({"Effect":"Allow","NotAction":"dynamodb:Delete*","Resource":"*"})"}),
       "dynamodb:DeleteItem", kTable, {}, "implicit"},
      // Resources.
      {"table arn", Doc({allow_get}), get, kTable, {}, "allow"},
      {"other table", Doc({allow_get}), get, "arn:aws:dynamodb:us-east-1:000000000000:table/U", {}, "implicit"},
      {"table wildcard", Doc({Stmt("Allow", "\"dynamodb:*\"", "\"arn:aws:dynamodb:*:*:table/T*\"")}), get,
       "arn:aws:dynamodb:eu-west-1:123456789012:table/Things", {}, "allow"},
      {"index not covered by table arn", Doc({allow_get}), "dynamodb:Query", std::string(kTable) + "/index/I", {}, "implicit"},
      {"index arn", Doc({Stmt("Allow", "\"dynamodb:Query\"", "\"" + std::string(kTable) + "/index/*\"")}),
       "dynamodb:Query", std::string(kTable) + "/index/I", {}, "allow"},
      {"stream arn wildcard", Doc({Stmt("Allow", "\"dynamodb:GetRecords\"", "\"" + std::string(kTable) + "/stream/*\"")}),
       "dynamodb:GetRecords", std::string(kTable) + "/stream/2026-01-01T00:00:00.000", {}, "allow"},
      {"backup arn", Doc({Stmt("Allow", "\"dynamodb:DescribeBackup\"", "\"" + std::string(kTable) + "/backup/*\"")}),
       "dynamodb:DescribeBackup", std::string(kTable) + "/backup/01700000000000-abcdef", {}, "allow"},
      {"export arn", Doc({Stmt("Allow", "\"dynamodb:DescribeExport\"", "\"" + std::string(kTable) + "/export/*\"")}),
       "dynamodb:DescribeExport", std::string(kTable) + "/export/01700000000000-abcdef", {}, "allow"},
      {"resource case-sensitive", Doc({Stmt("Allow", "\"dynamodb:*\"", "\"arn:aws:dynamodb:us-east-1:000000000000:table/t\"")}),
       get, kTable, {}, "implicit"},
      {"not resource", Doc({R"({"Effect":"Allow","Action":"dynamodb:*","NotResource":")" + std::string(kTable) + R"("})"}),
       get, kTable, {}, "implicit"},
      {"list tables star", Doc({Stmt("Allow", "\"dynamodb:ListTables\"", "\"*\"")}), "dynamodb:ListTables", "*", {}, "allow"},
      // Deny beats allow; no statement is an implicit deny.
      {"explicit deny wins", Doc({Stmt("Allow", "\"*\"", "\"*\""), Stmt("Deny", "\"dynamodb:Delete*\"", kT)}),
       "dynamodb:DeleteTable", kTable, {}, "deny"},
      {"deny elsewhere does not apply", Doc({Stmt("Allow", "\"*\"", "\"*\""), Stmt("Deny", "\"dynamodb:Delete*\"", kT)}),
       get, kTable, {}, "allow"},
      {"deny alone", Doc({Stmt("Deny", "\"*\"", "\"*\"")}), get, kTable, {}, "deny"},
      {"empty statement list", R"({"Version":"2012-10-17","Statement":[]})", get, kTable, {}, "implicit"},
      {"single statement object", R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})",
       get, kTable, {}, "allow"},
      // Conditions: string operators.
      {"string equals", cond(R"({"StringEquals":{"dynamodb:Select":"COUNT"}})"), "dynamodb:Query", kTable,
       {{"dynamodb:Select", {"COUNT"}}}, "allow"},
      {"string equals misses", cond(R"({"StringEquals":{"dynamodb:Select":"COUNT"}})"), "dynamodb:Query", kTable,
       {{"dynamodb:Select", {"ALL_ATTRIBUTES"}}}, "implicit"},
      {"string equals absent key", cond(R"({"StringEquals":{"dynamodb:Select":"COUNT"}})"), "dynamodb:Query", kTable, {},
       "implicit"},
      {"string equals if exists absent", cond(R"({"StringEqualsIfExists":{"dynamodb:Select":"COUNT"}})"),
       "dynamodb:Query", kTable, {}, "allow"},
      {"string equals if exists present", cond(R"({"StringEqualsIfExists":{"dynamodb:Select":"COUNT"}})"),
       "dynamodb:Query", kTable, {{"dynamodb:Select", {"ALL_ATTRIBUTES"}}}, "implicit"},
      {"string not equals", cond(R"({"StringNotEquals":{"dynamodb:ReturnValues":["ALL_OLD","ALL_NEW"]}})"),
       "dynamodb:PutItem", kTable, {{"dynamodb:ReturnValues", {"NONE"}}}, "allow"},
      {"string not equals matches", cond(R"({"StringNotEquals":{"dynamodb:ReturnValues":["ALL_OLD","ALL_NEW"]}})"),
       "dynamodb:PutItem", kTable, {{"dynamodb:ReturnValues", {"ALL_OLD"}}}, "implicit"},
      {"string equals ignore case", cond(R"({"StringEqualsIgnoreCase":{"dynamodb:ReturnConsumedCapacity":"total"}})"),
       get, kTable, {{"dynamodb:ReturnConsumedCapacity", {"TOTAL"}}}, "allow"},
      {"string like", cond(R"({"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/dev-*"}})"), get, kTable,
       {{"aws:PrincipalArn", {"arn:aws:iam::000000000000:user/dev-ann"}}}, "allow"},
      {"string not like", cond(R"({"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/dev-*"}})"), get, kTable,
       {{"aws:PrincipalArn", {"arn:aws:iam::000000000000:user/dev-ann"}}}, "implicit"},
      {"condition key case-insensitive", cond(R"({"StringEquals":{"DynamoDB:select":"COUNT"}})"), "dynamodb:Query",
       kTable, {{"dynamodb:Select", {"COUNT"}}}, "allow"},
      {"enclosing operation", cond(R"({"StringEquals":{"dynamodb:EnclosingOperation":"TransactWriteItems"}})"),
       "dynamodb:PutItem", kTable, {{"dynamodb:EnclosingOperation", {"TransactWriteItems"}}}, "allow"},
      {"enclosing operation absent", cond(R"({"StringEquals":{"dynamodb:EnclosingOperation":"TransactWriteItems"}})"),
       "dynamodb:PutItem", kTable, {}, "implicit"},
      {"two keys are ANDed", cond(R"({"StringEquals":{"dynamodb:Select":"COUNT","dynamodb:ReturnConsumedCapacity":"NONE"}})"),
       "dynamodb:Query", kTable, {{"dynamodb:Select", {"COUNT"}}, {"dynamodb:ReturnConsumedCapacity", {"TOTAL"}}}, "implicit"},
      // Set operators.
      {"for all values subset", cond(R"({"ForAllValues:StringEquals":{"dynamodb:Attributes":["pk","a","b"]}})"), get,
       kTable, {{"dynamodb:Attributes", {"pk", "a"}}}, "allow"},
      {"for all values outside", cond(R"({"ForAllValues:StringEquals":{"dynamodb:Attributes":["pk","a"]}})"), get,
       kTable, {{"dynamodb:Attributes", {"pk", "secret"}}}, "implicit"},
      {"for all values absent is true", cond(R"({"ForAllValues:StringEquals":{"dynamodb:Attributes":["pk"]}})"), get,
       kTable, {}, "allow"},
      {"for any value one", cond(R"({"ForAnyValue:StringEquals":{"dynamodb:Attributes":["a"]}})"), get, kTable,
       {{"dynamodb:Attributes", {"pk", "a"}}}, "allow"},
      {"for any value none", cond(R"({"ForAnyValue:StringEquals":{"dynamodb:Attributes":["a"]}})"), get, kTable,
       {{"dynamodb:Attributes", {"pk", "b"}}}, "implicit"},
      {"for any value absent is false", cond(R"({"ForAnyValue:StringEquals":{"dynamodb:Attributes":["a"]}})"), get,
       kTable, {}, "implicit"},
      {"for all values like", cond(R"({"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["user-*"]}})"), get, kTable,
       {{"dynamodb:LeadingKeys", {"user-1", "user-2"}}}, "allow"},
      {"deny for any value secret", Doc({Stmt("Allow", "\"*\"", "\"*\""),
                                          Stmt("Deny", "\"dynamodb:*\"", "\"*\"",
                                               R"({"ForAnyValue:StringEquals":{"dynamodb:Attributes":["ssn"]}})")}),
       get, kTable, {{"dynamodb:Attributes", {"pk", "ssn"}}}, "deny"},
      // Null.
      {"null true when absent", cond(R"({"Null":{"dynamodb:Attributes":"true"}})"), get, kTable, {}, "allow"},
      {"null false when present", cond(R"({"Null":{"dynamodb:Attributes":"false"}})"), get, kTable,
       {{"dynamodb:Attributes", {"pk"}}}, "allow"},
      {"null false when absent", cond(R"({"Null":{"dynamodb:Attributes":"false"}})"), get, kTable, {}, "implicit"},
      // Numeric, date, IP, bool.
      {"numeric less than", cond(R"({"NumericLessThan":{"aws:EpochTime":"2000000000"}})"), get, kTable,
       {{"aws:EpochTime", {"1796450400"}}}, "allow"},
      {"numeric greater than equals misses", cond(R"({"NumericGreaterThanEquals":{"aws:EpochTime":"2000000000"}})"), get,
       kTable, {{"aws:EpochTime", {"1796450400"}}}, "implicit"},
      {"numeric not equals", cond(R"({"NumericNotEquals":{"aws:EpochTime":5}})"), get, kTable,
       {{"aws:EpochTime", {"6"}}}, "allow"},
      {"date before", cond(R"({"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}})"), get, kTable,
       {{"aws:CurrentTime", {"2026-12-05T06:00:00Z"}}}, "allow"},
      {"date after misses", cond(R"({"DateGreaterThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}})"), get, kTable,
       {{"aws:CurrentTime", {"2026-12-05T06:00:00Z"}}}, "implicit"},
      {"date epoch value", cond(R"({"DateGreaterThanEquals":{"aws:CurrentTime":"1796450400"}})"), get, kTable,
       {{"aws:CurrentTime", {"2026-12-05T06:00:00Z"}}}, "allow"},
      {"ip in range", cond(R"({"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.1.0/24"]}})"), get, kTable,
       {{"aws:SourceIp", {"192.168.1.77"}}}, "allow"},
      {"ip outside range", cond(R"({"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})"), get, kTable,
       {{"aws:SourceIp", {"127.0.0.1"}}}, "implicit"},
      {"not ip address", cond(R"({"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}})"), get, kTable,
       {{"aws:SourceIp", {"127.0.0.1"}}}, "allow"},
      {"ipv6 range", cond(R"({"IpAddress":{"aws:SourceIp":"2001:db8::/32"}})"), get, kTable,
       {{"aws:SourceIp", {"2001:db8::1"}}}, "allow"},
      {"bool", cond(R"({"Bool":{"aws:SecureTransport":"true"}})"), get, kTable, {{"aws:SecureTransport", {"true"}}}, "allow"},
      {"arn like", cond(R"({"ArnLike":{"aws:PrincipalArn":"arn:aws:sts::*:assumed-role/reader/*"}})"), get, kTable,
       {{"aws:PrincipalArn", {"arn:aws:sts::000000000000:assumed-role/reader/s1"}}}, "allow"},
      // Policy variables.
      {"variable in condition", cond(R"({"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:username}"]}})"),
       get, kTable, {{"aws:username", {"ann"}}, {"dynamodb:LeadingKeys", {"ann"}}}, "allow"},
      {"variable mismatch", cond(R"({"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:username}"]}})"),
       get, kTable, {{"aws:username", {"ann"}}, {"dynamodb:LeadingKeys", {"bob"}}}, "implicit"},
      {"variable in resource", Doc({Stmt("Allow", "\"*\"", "\"arn:aws:dynamodb:*:*:table/${aws:username}-*\"")}), get,
       "arn:aws:dynamodb:us-east-1:000000000000:table/ann-notes", {{"aws:username", {"ann"}}}, "allow"},
      // Grammar errors.
      {"bad effect", Doc({Stmt("Permit", "\"*\"", "\"*\"")}), get, kTable, {}, "malformed"},
      {"unknown operator", cond(R"({"StringSortOf":{"a":"b"}})"), get, kTable, {}, "malformed"},
      {"action and not action", Doc({R"({"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"})"}), get, kTable,
       {}, "malformed"},
      {"not json", "{", get, kTable, {}, "malformed"},
  };
}

TEST(PolicyEvaluationTest, Table) {
  int n = 0;
  for (const Case& c : Cases()) {
    auth::RequestContext ctx;
    ctx.action = c.action;
    ctx.resource = c.resource;
    for (const auto& [k, v] : c.keys) ctx.Set(k, v);
    EXPECT_EQ(c.want, Decide(c.policy, ctx)) << c.name;
    ++n;
  }
  EXPECT_GE(n, 60);
}

TEST(PolicyEvaluationTest, ResourcePolicyAppliesToThePrincipalsItNames) {
  auto policy = ParsePolicy(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::000000000000:user/ann","111111111111"]},
     "Action":"dynamodb:GetItem","Resource":"*"},
    {"Effect":"Deny","Principal":"*","Action":"dynamodb:DeleteTable","Resource":"*"}]})");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  auth::RequestContext get{"dynamodb:GetItem", kTable, {}};
  auth::RequestContext del{"dynamodb:DeleteTable", kTable, {}};
  auto decide = [&](std::string_view arn, std::string_view account, const auth::RequestContext& c) {
    return auth::EvaluateResourcePolicy(*policy, arn, account, c);
  };
  EXPECT_EQ(auth::Decision::kAllow, decide("arn:aws:iam::000000000000:user/ann", "000000000000", get));
  EXPECT_EQ(auth::Decision::kImplicitDeny, decide("arn:aws:iam::000000000000:user/bob", "000000000000", get));
  EXPECT_EQ(auth::Decision::kAllow, decide("arn:aws:iam::111111111111:user/eve", "111111111111", get));
  EXPECT_EQ(auth::Decision::kExplicitDeny, decide("arn:aws:iam::000000000000:user/ann", "000000000000", del));
}

// Requests against table Tbl (partition key pk, sort key sk), authorized for
// user "ann" by a policy that allows her own partition and some attributes.
class FineGrainedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
    db_ = std::make_unique<db::Database>(engine_.get(), &clock_, db::Options{});
    ASSERT_TRUE(db_->Open().ok());
    RouterOptions options;
    options.legacy_access_key = "AKID";  // the default account, whose namespace is the bare region
    Router router(db_.get(), options);
    auto r = router.Handle(ApiRequest{"DynamoDB_20120810.CreateTable",
                                      "AWS4-HMAC-SHA256 Credential=AKID/20200101/us-east-1/dynamodb/aws4_request",
                                      "h", R"({"TableName":"Tbl","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
      {"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},
      {"AttributeName":"sk","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"})"});
    ASSERT_EQ(200, r.status) << r.body;
    auto policy = ParsePolicy(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":["dynamodb:GetItem","dynamodb:BatchGetItem","dynamodb:Query","dynamodb:PutItem","dynamodb:UpdateItem",
                "dynamodb:DeleteItem","dynamodb:ConditionCheckItem","dynamodb:BatchWriteItem"],
      "Resource":"arn:aws:dynamodb:*:*:table/Tbl",
      "Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:username}"],
                                                "dynamodb:Attributes":["pk","sk","name","email"]},
                   "StringEqualsIfExists":{"dynamodb:Select":"SPECIFIC_ATTRIBUTES"}}}]})");
    ASSERT_TRUE(policy.ok()) << policy.status().message();
    principal_.account = "000000000000";
    principal_.arn = "arn:aws:iam::000000000000:user/ann";
    principal_.policies.push_back({"fgac", std::make_shared<const auth::Policy>(*policy)});
  }

  std::string Check(std::string_view op, std::string_view body) {
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    if (d.HasParseError()) return "bad json";
    Context ctx{db_.get(), db::Scope{"us-east-1", "us-east-1"}, "h"};
    Status st = Authorize(Caller{&principal_, "127.0.0.1", 1796450400}, op, false, d, ctx);
    return st.ok() ? "allow" : st.message().substr(0, st.message().find(" on resource"));
  }

  RealClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<db::Database> db_;
  auth::Principal principal_;
};

constexpr const char* kDenied = "User: arn:aws:iam::000000000000:user/ann is not authorized to perform: dynamodb:";

TEST_F(FineGrainedTest, LeadingKeysAndAttributes) {
  struct C {
    std::string op, body, want;
  };
  const std::vector<C> cases = {
      {"GetItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"1"}},"ProjectionExpression":"#n, email",
        "ExpressionAttributeNames":{"#n":"name"}})", "allow"},
      {"GetItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"bob"},"sk":{"N":"1"}},"ProjectionExpression":"email"})",
       std::string(kDenied) + "GetItem"},
      {"GetItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"1"}}})", std::string(kDenied) + "GetItem"},
      {"GetItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"1"}},"ProjectionExpression":"salary"})",
       std::string(kDenied) + "GetItem"},
      {"GetItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"1"}},"AttributesToGet":["name"]})", "allow"},
      {"GetItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"1"}},"ProjectionExpression":"email.work"})",
       "allow"},
      {"Query", R"({"TableName":"Tbl","KeyConditionExpression":"pk = :p AND sk > :s","ProjectionExpression":"email",
        "ExpressionAttributeValues":{":p":{"S":"ann"},":s":{"N":"0"}}})", "allow"},
      {"Query", R"({"TableName":"Tbl","KeyConditionExpression":"#k = :p","ExpressionAttributeNames":{"#k":"pk"},
        "Select":"SPECIFIC_ATTRIBUTES","ProjectionExpression":"email",
        "ExpressionAttributeValues":{":p":{"S":"bob"}}})", std::string(kDenied) + "Query"},
      {"Query", R"({"TableName":"Tbl","KeyConditionExpression":":p = pk","ProjectionExpression":"email",
        "ExpressionAttributeValues":{":p":{"S":"ann"}}})", "allow"},
      {"Query", R"({"TableName":"Tbl","KeyConditions":{"pk":{"ComparisonOperator":"EQ",
        "AttributeValueList":[{"S":"bob"}]}},"AttributesToGet":["email"]})", std::string(kDenied) + "Query"},
      {"Query", R"({"TableName":"Tbl","KeyConditionExpression":"pk = :p","Select":"ALL_ATTRIBUTES",
        "ExpressionAttributeValues":{":p":{"S":"ann"}}})", std::string(kDenied) + "Query"},
      {"BatchGetItem", R"({"RequestItems":{"Tbl":{"Keys":[{"pk":{"S":"ann"},"sk":{"N":"1"}},
        {"pk":{"S":"ann"},"sk":{"N":"2"}}],"ProjectionExpression":"email"}}})", "allow"},
      {"BatchGetItem", R"({"RequestItems":{"Tbl":{"Keys":[{"pk":{"S":"ann"},"sk":{"N":"1"}},
        {"pk":{"S":"bob"},"sk":{"N":"2"}}],"ProjectionExpression":"email"}}})", std::string(kDenied) + "BatchGetItem"},
      {"PutItem", R"({"TableName":"Tbl","Item":{"pk":{"S":"ann"},"sk":{"N":"1"},"email":{"S":"a@x"}}})", "allow"},
      {"PutItem", R"({"TableName":"Tbl","Item":{"pk":{"S":"ann"},"sk":{"N":"1"},"salary":{"N":"9"}}})",
       std::string(kDenied) + "PutItem"},
      {"UpdateItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"1"}},
        "UpdateExpression":"SET email = :e REMOVE #n","ExpressionAttributeNames":{"#n":"name"},
        "ExpressionAttributeValues":{":e":{"S":"x"}}})", "allow"},
      {"UpdateItem", R"J({"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"1"}},
        "UpdateExpression":"SET salary = if_not_exists(salary, :e)","ExpressionAttributeValues":{":e":{"N":"1"}}})J",
       std::string(kDenied) + "UpdateItem"},
      {"UpdateItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"1"}},
        "AttributeUpdates":{"salary":{"Action":"PUT","Value":{"N":"1"}}}})", std::string(kDenied) + "UpdateItem"},
      {"DeleteItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"bob"},"sk":{"N":"1"}}})", std::string(kDenied) + "DeleteItem"},
      {"DeleteItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"1"}}})", "allow"},
      {"TransactWriteItems", R"J({"TransactItems":[
        {"Put":{"TableName":"Tbl","Item":{"pk":{"S":"ann"},"sk":{"N":"1"},"name":{"S":"A"}}}},
        {"ConditionCheck":{"TableName":"Tbl","Key":{"pk":{"S":"ann"},"sk":{"N":"2"}},"ConditionExpression":"attribute_exists(pk)"}}]})J",
       "allow"},
      {"TransactWriteItems", R"({"TransactItems":[
        {"Put":{"TableName":"Tbl","Item":{"pk":{"S":"ann"},"sk":{"N":"1"}}}},
        {"Update":{"TableName":"Tbl","Key":{"pk":{"S":"bob"},"sk":{"N":"2"}},"UpdateExpression":"SET email = :e",
          "ExpressionAttributeValues":{":e":{"S":"x"}}}}]})", std::string(kDenied) + "UpdateItem"},
      {"BatchWriteItem", R"({"RequestItems":{"Tbl":[{"PutRequest":{"Item":{"pk":{"S":"ann"},"sk":{"N":"1"}}}},
        {"DeleteRequest":{"Key":{"pk":{"S":"bob"},"sk":{"N":"1"}}}}]}})", std::string(kDenied) + "BatchWriteItem"},
      {"Scan", R"({"TableName":"Tbl"})", std::string(kDenied) + "Scan"},
      {"DeleteTable", R"({"TableName":"Tbl"})", std::string(kDenied) + "DeleteTable"},
  };
  for (const C& c : cases) EXPECT_EQ(c.want, Check(c.op, c.body)) << c.op << " " << c.body;
}

TEST_F(FineGrainedTest, DenialNamesTheResourceAndReason) {
  rapidjson::Document d;
  d.Parse(R"({"TableName":"Tbl","IndexName":"byEmail","KeyConditionExpression":"email = :e",
    "ExpressionAttributeValues":{":e":{"S":"x"}}})");
  Context ctx{db_.get(), db::Scope{"us-east-1", "us-east-1"}, "h"};
  Status st = Authorize(Caller{&principal_, "", 0}, "Query", false, d, ctx);
  EXPECT_EQ(Code::kAccessDenied, st.code());
  EXPECT_EQ(std::string(kDenied) + "Query on resource: arn:aws:dynamodb:us-east-1:000000000000:table/Tbl/index/byEmail "
                                   "because no identity-based policy allows the dynamodb:Query action",
            st.message());
}

// A PartiQL statement is authorized on the table (or index) its parse tree
// names, never on a name found in a string literal, whatever whitespace or
// quoting surrounds the name.
TEST_F(FineGrainedTest, PartiQLIsAuthorizedOnTheTableItsParseTreeNames) {
  auto policy = ParsePolicy(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":["dynamodb:PartiQLSelect","dynamodb:PartiQLUpdate"],
     "Resource":["arn:aws:dynamodb:*:*:table/Open","arn:aws:dynamodb:*:*:table/Tbl/index/byName"]}]})");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  principal_.policies = {{"partiql", std::make_shared<const auth::Policy>(*policy)}};
  auto check = [&](std::string_view op, std::string_view body) {
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    Context ctx{db_.get(), db::Scope{"us-east-1", "us-east-1"}, "h"};
    Status st = Authorize(Caller{&principal_, "127.0.0.1", 1796450400}, op, false, d, ctx);
    if (st.ok()) return std::string("allow");
    // "... perform: dynamodb:X on resource: arn:...:table/T because ...": the action and the resource.
    std::string m = st.message();
    size_t a = m.find("dynamodb:"), b = m.find(" because");
    return m.substr(a, m.find(' ', a) - a) + " " + m.substr(m.rfind(':', b) + 1, b - m.rfind(':', b) - 1);
  };
  struct C {
    std::string op, body, want;
  };
  const std::vector<C> cases = {
      {"ExecuteStatement", R"({"Statement":"SELECT * FROM \"Open\" WHERE pk = 'a'"})", "allow"},
      {"ExecuteStatement", R"({"Statement":"SELECT * FROM Tbl WHERE pk = ' FROM Open '"})",
       "dynamodb:PartiQLSelect table/Tbl"},
      {"ExecuteStatement", R"({"Statement":"UPDATE \"Tbl\" SET a = ' FROM Open' WHERE pk = 'k'"})",
       "dynamodb:PartiQLUpdate table/Tbl"},
      {"ExecuteStatement", R"({"Statement":"INSERT INTO \"Tbl\" VALUE {'pk': ' INTO Open', 'sk': 1}"})",
       "dynamodb:PartiQLInsert table/Tbl"},
      {"ExecuteStatement", R"({"Statement":"DELETE FROM\n\"Open\" WHERE pk = 'a'"})", "dynamodb:PartiQLDelete table/Open"},
      {"ExecuteStatement", R"({"Statement":"select *\nfrom\t\"Open\"\nwhere pk = 'a'"})", "allow"},
      {"ExecuteStatement", R"({"Statement":"SELECT * FROM\"Tbl\".\"byName\" WHERE name = 'x'"})", "allow"},
      {"ExecuteStatement", R"({"Statement":"SELECT * FROM \"Tbl\".\"other\""})",
       "dynamodb:PartiQLSelect table/Tbl/index/other"},
      // Not a statement at all: nothing to authorize, and it cannot run (a ValidationException).
      {"ExecuteStatement", R"({"Statement":"SELEC * FROM \"Tbl\""})", "allow"},
      {"BatchExecuteStatement", R"({"Statements":[{"Statement":"SELECT * FROM \"Open\" WHERE pk = 'a'"},
        {"Statement":"SELECT * FROM \"Tbl\" WHERE pk = 'a' AND sk = 1"}]})", "dynamodb:PartiQLSelect table/Tbl"},
      {"ExecuteTransaction", R"J({"TransactStatements":[{"Statement":"UPDATE \"Open\" SET a = 1 WHERE pk = 'a'"},
        {"Statement":"EXISTS(SELECT * FROM \"Tbl\" WHERE pk = 'a' AND sk = 1)"}]})J", "dynamodb:PartiQLSelect table/Tbl"},
  };
  for (const C& c : cases) EXPECT_EQ(c.want, check(c.op, c.body)) << c.op << " " << c.body;
}

// aws:ResourceTag/<key> is the tags of the table a table, index or stream
// ARN belongs to (tag keys match case-insensitively, values exactly).
TEST_F(FineGrainedTest, ResourceTagsAreTheTablesTags) {
  const std::string arn = "arn:aws:dynamodb:us-east-1:000000000000:table/Tbl";
  ASSERT_TRUE(db_->TagResource(db::Scope{"us-east-1", "us-east-1"}, arn, {db::Tag{"Team", "blue"}}).ok());
  auto policy = ParsePolicy(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:DescribeStream"],"Resource":"*",
     "Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}},
    {"Effect":"Deny","Action":"dynamodb:DeleteTable","Resource":"*",
     "Condition":{"StringEquals":{"aws:ResourceTag/Team":"blue"}}},
    {"Effect":"Allow","Action":"dynamodb:DeleteTable","Resource":"*"}]})");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  principal_.policies = {{"abac", std::make_shared<const auth::Policy>(*policy)}};
  EXPECT_EQ("allow", Check("GetItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"x"},"sk":{"N":"1"}}})"));
  EXPECT_EQ("allow", Check("Query", R"({"TableName":"Tbl","IndexName":"byEmail","KeyConditionExpression":"email = :e",
    "ExpressionAttributeValues":{":e":{"S":"x"}}})"));
  EXPECT_EQ(std::string(kDenied) + "DeleteTable", Check("DeleteTable", R"({"TableName":"Tbl"})"));
  // A table without the tag, and one that does not exist, have none.
  EXPECT_EQ(std::string(kDenied) + "GetItem", Check("GetItem", R"({"TableName":"Nope","Key":{"pk":{"S":"x"}}})"));
  ASSERT_TRUE(db_->TagResource(db::Scope{"us-east-1", "us-east-1"}, arn, {db::Tag{"Team", "red"}}).ok());
  EXPECT_EQ(std::string(kDenied) + "GetItem", Check("GetItem", R"({"TableName":"Tbl","Key":{"pk":{"S":"x"},"sk":{"N":"1"}}})"));
  EXPECT_EQ("allow", Check("DeleteTable", R"({"TableName":"Tbl"})"));
}

// A PartiQL statement carries the condition keys of the operation it stands
// for, from its plan: the partition keys it reads or writes (literals,
// parameters, IN lists), the attributes, Select, FullTableScan and RETURNING.
// Without them a LeadingKeys policy (ForAllValues: true on an empty set)
// would let a statement reach every partition.
TEST_F(FineGrainedTest, PartiQLStatementsCarryTheirConditionKeys) {
  auto policy = ParsePolicy(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"dynamodb:PartiQL*","Resource":"arn:aws:dynamodb:*:*:table/Tbl",
     "Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:username}"],
                                               "dynamodb:Attributes":["pk","sk","name","email"]},
                  "StringEqualsIfExists":{"dynamodb:Select":"SPECIFIC_ATTRIBUTES",
                                          "dynamodb:ReturnValues":["NONE","ALL_OLD"]}}},
    {"Effect":"Deny","Action":"dynamodb:PartiQLSelect","Resource":"*",
     "Condition":{"Bool":{"dynamodb:FullTableScan":"true"}}}]})");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  principal_.policies = {{"partiql", std::make_shared<const auth::Policy>(*policy)}};
  struct C {
    std::string op, body, want;
  };
  auto stmt = [](std::string text, std::string params = "") {
    std::string out = R"({"Statement":")" + text + "\"";
    if (!params.empty()) out += R"(,"Parameters":)" + params;
    return out + "}";
  };
  const std::string select_denied = std::string(kDenied) + "PartiQLSelect";
  const std::vector<C> cases = {
      {"ExecuteStatement", stmt("SELECT email FROM Tbl WHERE pk = 'ann' AND sk = 1"), "allow"},
      {"ExecuteStatement", stmt("SELECT email FROM Tbl WHERE pk = 'bob' AND sk = 1"), select_denied},
      {"ExecuteStatement", stmt("SELECT email FROM Tbl WHERE pk = ? AND sk = ?", R"([{"S":"ann"},{"N":"1"}])"),
       "allow"},
      {"ExecuteStatement", stmt("SELECT email FROM Tbl WHERE pk = ?", R"([{"S":"bob"}])"), select_denied},
      {"ExecuteStatement", stmt("SELECT email FROM Tbl WHERE pk = 'ann' AND sk > 3"), "allow"},
      {"ExecuteStatement", stmt("SELECT email FROM Tbl WHERE pk IN ['ann', 'bob']"), select_denied},
      {"ExecuteStatement", stmt("SELECT email, name FROM Tbl WHERE pk IN ['ann']"), "allow"},
      {"ExecuteStatement", stmt("SELECT * FROM Tbl WHERE pk = 'ann'"), select_denied},           // Select
      {"ExecuteStatement", stmt("SELECT salary FROM Tbl WHERE pk = 'ann'"), select_denied},      // Attributes
      {"ExecuteStatement", stmt("SELECT email FROM Tbl WHERE email = 'x'"), select_denied},      // FullTableScan
      {"ExecuteStatement", stmt("INSERT INTO Tbl VALUE {'pk': 'ann', 'sk': 1, 'email': 'x'}"), "allow"},
      {"ExecuteStatement", stmt("INSERT INTO Tbl VALUE {'pk': 'bob', 'sk': 1}"), std::string(kDenied) + "PartiQLInsert"},
      {"ExecuteStatement", stmt("INSERT INTO Tbl VALUE {'pk': 'ann', 'sk': 1, 'salary': 9}"),
       std::string(kDenied) + "PartiQLInsert"},
      {"ExecuteStatement", stmt("UPDATE Tbl SET email = 'x' REMOVE name WHERE pk = 'ann' AND sk = 1"), "allow"},
      {"ExecuteStatement", stmt("UPDATE Tbl SET salary = 1 WHERE pk = 'ann' AND sk = 1"),
       std::string(kDenied) + "PartiQLUpdate"},
      {"ExecuteStatement", stmt("UPDATE Tbl SET email = 'x' WHERE pk = 'bob' AND sk = 1"),
       std::string(kDenied) + "PartiQLUpdate"},
      {"ExecuteStatement", stmt("UPDATE Tbl SET email = 'x' WHERE pk = 'ann' AND sk = 1 RETURNING ALL NEW *"),
       std::string(kDenied) + "PartiQLUpdate"},
      {"ExecuteStatement", stmt("DELETE FROM Tbl WHERE pk = 'ann' AND sk = 1 RETURNING ALL OLD *"), "allow"},
      {"ExecuteStatement", stmt("DELETE FROM Tbl WHERE pk = ? AND sk = 1", R"([{"S":"bob"}])"),
       std::string(kDenied) + "PartiQLDelete"},
      {"BatchExecuteStatement", R"({"Statements":[)" + stmt("SELECT email FROM Tbl WHERE pk = 'ann' AND sk = 1") + "," +
                                    stmt("SELECT email FROM Tbl WHERE pk = 'bob' AND sk = 1") + "]}",
       select_denied},
      {"ExecuteTransaction", R"({"TransactStatements":[)" +
                                 stmt("UPDATE Tbl SET email = 'x' WHERE pk = 'ann' AND sk = 1") + "," +
                                 stmt("EXISTS(SELECT * FROM Tbl WHERE pk = 'bob' AND sk = 1 AND email = 'x')") + "]}",
       select_denied},
      // A write without its full key cannot plan: authorized on its action and table alone, it then fails
      // at execution (ValidationException) before it touches an item.
      {"ExecuteStatement", stmt("DELETE FROM Tbl WHERE pk = 'bob'"), "allow"},
  };
  for (const C& c : cases) EXPECT_EQ(c.want, Check(c.op, c.body)) << c.op << " " << c.body;
}

}  // namespace
}  // namespace basalt::api
