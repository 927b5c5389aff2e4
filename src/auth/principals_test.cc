// Principals survive a restart, their secrets are stored sealed, and a
// wrong server key is an error rather than garbage.
#include "auth/principals.h"
#include "auth/resource_policies.h"

#include <gtest/gtest.h>

#include "common/testing.h"

namespace basalt::auth {
namespace {

// Policies here are opaque: the parser records the document's text as the Sid.
Result<Policy> FakeParser(std::string_view json) {
  if (json == "bad") return Status::Validation("bad policy");
  Policy p;
  p.statements.push_back(Statement{std::string(json), Effect::kAllow, false, {"*"}, false, {"*"}, {}, {}});
  return p;
}

class PrincipalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::RocksDbOptions o;
    o.in_memory = true;
    auto e = storage::OpenRocksDb(o);
    ASSERT_TRUE(e.ok());
    engine_ = std::move(*e);
  }
  PrincipalStore Store(char key = 'k') {
    return PrincipalStore(&engine_->meta(), SecretBox(std::string(32, key)), FakeParser, &clock_);
  }
  std::unique_ptr<storage::Engine> engine_;
  FakeClock clock_;
};

TEST_F(PrincipalsTest, UsersKeysAndPoliciesSurviveReload) {
  auto store = Store();
  ASSERT_OK(store.CreateUser("alice", "123456789012").status());
  ASSERT_OK(store.PutPolicy("user", "alice", "p1", "doc1"));
  EXPECT_EQ(Code::kValidation, store.PutPolicy("user", "alice", "p2", "bad").code());
  auto key = store.CreateAccessKey("alice");
  ASSERT_OK(key.status());
  EXPECT_EQ(20u, key->access_key_id.size());
  EXPECT_EQ("arn:aws:iam::123456789012:user/alice", key->principal_arn);

  std::vector<std::pair<std::string, std::string>> rows;
  ASSERT_OK(engine_->meta().List("auth/key/", &rows));
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ(std::string::npos, rows[0].second.find(key->secret_access_key));  // sealed, not in clear

  auto again = Store();
  ASSERT_OK(again.Load());
  auto rec = again.Lookup(key->access_key_id);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(key->secret_access_key, rec->secret);
  EXPECT_EQ("arn:aws:iam::123456789012:user/alice", rec->principal->arn);
  ASSERT_EQ(1u, rec->principal->policies.size());
  EXPECT_EQ("doc1", rec->principal->policies[0].policy->statements[0].sid);

  EXPECT_FALSE(Store('x').Load().ok());  // the wrong server key: a clear error at start
}

TEST_F(PrincipalsTest, RoleSessionsExpireAndFollowTheRolesPolicies) {
  auto store = Store();
  ASSERT_OK(store.CreateRole("reader", "000000000000").status());
  auto creds = store.AssumeRole("reader", "s1", 900);
  ASSERT_OK(creds.status());
  EXPECT_EQ("arn:aws:sts::000000000000:assumed-role/reader/s1", creds->principal_arn);
  EXPECT_TRUE(creds->access_key_id.starts_with("ASIA"));
  auto rec = store.Lookup(creds->access_key_id);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(creds->session_token, rec->session_token);
  EXPECT_EQ(0u, rec->principal->policies.size());
  ASSERT_OK(store.PutPolicy("role", "reader", "read", "doc"));
  EXPECT_EQ(1u, store.Lookup(creds->access_key_id)->principal->policies.size());

  auto reloaded = Store();
  ASSERT_OK(reloaded.Load());
  EXPECT_TRUE(reloaded.Lookup(creds->access_key_id).has_value());
  clock_.Advance(1000);
  auto after = Store();
  ASSERT_OK(after.Load());
  EXPECT_FALSE(after.Lookup(creds->access_key_id).has_value());
}

TEST_F(PrincipalsTest, RootIsKnownWithoutStorage) {
  auto store = Store();
  store.SetRoot("ROOTKEY", "rootsecret");
  auto rec = store.Lookup("ROOTKEY");
  ASSERT_TRUE(rec.has_value());
  EXPECT_TRUE(rec->principal->root);
  EXPECT_EQ("arn:aws:iam::000000000000:root", rec->principal->arn);
  EXPECT_FALSE(store.Lookup("OTHER").has_value());
}

// Deleting a table drops its policy and its streams', not those of tables
// whose names start with its name; and not from memory only.
TEST_F(PrincipalsTest, ForgetTableDropsTheTablesPoliciesOnly) {
  const std::string t = "arn:aws:dynamodb:us-east-1:000000000000:table/T";
  const std::vector<std::string> arns = {t, t + "/stream/2026-12-06T00:00:00.000", t + "-x", t + "2",
                                         t + "2/stream/2026-12-06T00:00:00.000", "arn:aws:dynamodb:us-east-1:000000000000:table/U"};
  auto stored = [&] {
    ResourcePolicies reloaded(&engine_->meta(), FakeParser, &clock_);
    EXPECT_TRUE(reloaded.Load().ok());
    std::string out;
    for (const auto& arn : arns) out += reloaded.Get(arn) ? arn.substr(arn.find("table/")) + "\n" : "";
    return out;
  };
  ResourcePolicies policies(&engine_->meta(), FakeParser, &clock_);
  for (const auto& arn : arns) ASSERT_OK(policies.Put(arn, "doc", std::nullopt).status());
  ASSERT_OK(policies.ForgetTable(t));
  EXPECT_FALSE(policies.Get(t));
  EXPECT_EQ("table/T-x\ntable/T2\ntable/T2/stream/2026-12-06T00:00:00.000\ntable/U\n", stored());
  // At start, the policies whose table is gone (per the caller) go too.
  ASSERT_OK(policies.ForgetOrphans([](const std::string& arn) { return arn.find("table/T2") != std::string::npos; }));
  EXPECT_EQ("table/T-x\ntable/U\n", stored());
}

}  // namespace
}  // namespace basalt::auth
