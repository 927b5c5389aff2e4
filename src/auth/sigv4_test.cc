// SigV4 verification against requests signed by botocore (the expected
// signatures below were produced by botocore.auth.SigV4Auth at the fixed
// time 20261205T060000Z), and the forged variants each rejected with the
// service's error.
#include "auth/sigv4.h"

#include <gtest/gtest.h>

#include "auth/crypto.h"
#include "auth/principals.h"

namespace basalt::auth {
namespace {

constexpr double kSignedAt = 1796450400;  // 2026-12-05T06:00:00Z
constexpr const char* kBody = "{\"TableName\":\"t\"}";
constexpr const char* kRootAuth =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=20ffa7d7c2484138c6d92a6b112137a5a65e8b6106487d07da3447c4b1995451";
constexpr const char* kSessionAuth =
    "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261205/eu-west-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
    "Signature=cd518ad1a13f6b51156d27af0aafca86fe60556be4d16315eec6e18febd0674f";

struct Fixture {
  FakeClock clock{kSignedAt + 30};
  std::shared_ptr<const Principal> user = std::make_shared<Principal>(Principal{"000000000000", "arn:user", false, {}});
  double session_expiry = kSignedAt + 3600;
  SigV4Verifier verifier{[this](std::string_view akid) -> std::optional<KeyRecord> {
                           if (akid == "AKIDEXAMPLE") return KeyRecord{"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", 0, user};
                           if (akid == "ASIAEXAMPLE") return KeyRecord{"secret2", "TOKEN/abc==", session_expiry, user};
                           return std::nullopt;
                         },
                         &clock};
  Headers headers{{"Content-Type", "application/x-amz-json-1.0"},
                  {"X-Amz-Target", "DynamoDB_20120810.DescribeTable"},
                  {"X-Amz-Date", "20261205T060000Z"},
                  {"Host", "localhost:8000"},
                  {"Authorization", kRootAuth}};
  std::string body = kBody;

  void Set(std::string_view name, std::string value) {
    for (auto& [k, v] : headers) {
      if (k == name) {
        v = std::move(value);
        return;
      }
    }
    headers.emplace_back(std::string(name), std::move(value));
  }
  // "OK" or "<code>: <message>".
  std::string Verify() {
    SignedRequest req{"POST", "/", &headers, nullptr, body};
    auto r = verifier.Verify(req);
    if (r.ok()) return "OK";
    const char* names[] = {"", "Validation", "Serialization", "UnknownOperation", "MissingAuthentication",
                           "UnrecognizedClient", "InvalidSignature", "IncompleteSignature", "ExpiredToken"};
    int c = static_cast<int>(r.status().code());
    return std::string(c < 9 ? names[c] : "other") + ": " + r.status().message();
  }
};

constexpr const char* kMismatch =
    "InvalidSignature: The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

TEST(SigV4Test, BotocoreSignedRequestVerifies) {
  Fixture f;
  EXPECT_EQ("OK", f.Verify());
}

TEST(SigV4Test, TemporaryCredentialsNeedTheirToken) {
  Fixture f;
  f.Set("Authorization", kSessionAuth);
  EXPECT_EQ("UnrecognizedClient: The security token included in the request is invalid.", f.Verify());
  f.Set("X-Amz-Security-Token", "TOKEN/abc==");
  EXPECT_EQ("OK", f.Verify());
  f.Set("X-Amz-Security-Token", "TOKEN/abd==");
  EXPECT_EQ("UnrecognizedClient: The security token included in the request is invalid.", f.Verify());
  f.Set("X-Amz-Security-Token", "TOKEN/abc==");
  f.clock.Advance(3600);
  EXPECT_EQ("ExpiredToken: The security token included in the request is expired", f.Verify());
}

TEST(SigV4Test, ForgeriesAreRejected) {
  {
    Fixture f;  // the body changed after signing
    f.body = "{\"TableName\":\"u\"}";
    EXPECT_EQ(kMismatch, f.Verify());
  }
  {
    Fixture f;  // a signed header changed
    f.Set("X-Amz-Target", "DynamoDB_20120810.DeleteTable");
    EXPECT_EQ(kMismatch, f.Verify());
  }
  {
    Fixture f;  // an unsigned header named as signed
    f.Set("X-Extra", "1");
    std::string a = kRootAuth;
    a.replace(a.find("x-amz-target,"), 13, "x-amz-target;x-extra,");
    f.Set("Authorization", a);
    EXPECT_EQ(kMismatch, f.Verify());
  }
  {
    Fixture f;  // the region in the scope changed
    std::string a = kRootAuth;
    a.replace(a.find("us-east-1"), 9, "us-west-2");
    f.Set("Authorization", a);
    EXPECT_EQ(kMismatch, f.Verify());
  }
  {
    Fixture f;  // another service in the scope
    std::string a = kRootAuth;
    a.replace(a.find("/dynamodb/"), 10, "/s3/");
    f.Set("Authorization", a);
    EXPECT_EQ("InvalidSignature: Credential should be scoped to correct service: 'dynamodb'. ", f.Verify());
  }
  {
    Fixture f;  // an unknown key
    std::string a = kRootAuth;
    a.replace(a.find("AKIDEXAMPLE"), 11, "AKIDUNKNOWN");
    f.Set("Authorization", a);
    EXPECT_EQ("UnrecognizedClient: The security token included in the request is invalid.", f.Verify());
  }
  {
    Fixture f;  // truncated
    std::string a = kRootAuth;
    f.Set("Authorization", a.substr(0, a.find(", Signature")));
    EXPECT_EQ(std::string("IncompleteSignature: Authorization header requires 'Signature' parameter. Authorization=") +
                  a.substr(0, a.find(", Signature")),
              f.Verify());
  }
  {
    Fixture f;  // a parameter twice
    f.Set("Authorization", std::string(kRootAuth) + ", Signature=00");
    EXPECT_EQ(std::string("IncompleteSignature: Authorization header has duplicate 'Signature' parameter. "
                          "Authorization=") + kRootAuth + ", Signature=00",
              f.Verify());
  }
  {
    Fixture f;
    f.headers.pop_back();
    EXPECT_EQ("MissingAuthentication: Request is missing Authentication Token", f.Verify());
  }
}

TEST(SigV4Test, ClockSkewOfMoreThanFiveMinutesIsRefused) {
  Fixture f;
  f.clock.Advance(330);  // now 06:06:00
  EXPECT_EQ(
      "InvalidSignature: Signature expired: 20261205T060000Z is now earlier than 20261205T060100Z "
      "(20261205T060600Z - 5 min.)",
      f.Verify());
  Fixture g;
  g.clock.Advance(-30 - 360);  // now 05:54:00
  EXPECT_EQ(
      "InvalidSignature: Signature not yet current: 20261205T060000Z is still later than 20261205T055900Z "
      "(20261205T055400Z + 5 min.)",
      g.Verify());
}

TEST(SigV4Test, SignForTestRoundTrips) {
  Fixture f;
  f.headers.pop_back();
  SignedRequest req{"POST", "/", &f.headers, nullptr, f.body};
  f.Set("Authorization", SignForTest("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", req));
  EXPECT_EQ(kRootAuth, f.headers.back().second);
  EXPECT_EQ("OK", f.Verify());
}

TEST(SigV4Test, CredentialHintFindsKeyAndRegion) {
  CredentialHint h = CredentialHintOf(kSessionAuth);
  EXPECT_EQ("ASIAEXAMPLE", h.access_key_id);
  EXPECT_EQ("eu-west-1", h.region);
  EXPECT_EQ("", CredentialHintOf("AWS4-HMAC-SHA256 Credential=a/b/c").region);
  // Found also where it is not right after the algorithm.
  h = CredentialHintOf("AWS4-HMAC-SHA256  SignedHeaders=host, Credential=AKID/20261207/ap-south-1/dynamodb/aws4_request");
  EXPECT_EQ("AKID", h.access_key_id);
  EXPECT_EQ("ap-south-1", h.region);
  EXPECT_EQ("", CredentialHintOf("AWS4-HMAC-SHA256 Signature=abc").access_key_id);
}

// HMAC with precomputed pads: RFC 4231 test cases 2 (a short key) and 6
// (a key longer than SHA-256's 64-byte block, hashed first); the appended
// hex equals the plain form.
TEST(CryptoTest, PrecomputedHmacAndAppendedHexEqualThePlainForms) {
  EXPECT_EQ("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            Hex(HmacSha256Key("Jefe").Mac("what do ya want for nothing?")));
  EXPECT_EQ("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            Hex(HmacSha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")));
  for (size_t n : {0, 1, 32, 63, 64, 65, 200}) {
    std::string data(n * 3 + 1, 'd');
    std::string out = "x";
    AppendHexSha256(data, &out);
    EXPECT_EQ("x" + HexSha256(data), out) << n;
  }
}

TEST(CryptoTest, SecretBoxOpensOnlyWithItsKey) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.Seal("secret");
  EXPECT_EQ(std::string::npos, sealed.find("secret"));
  auto opened = box.Open(sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ("secret", *opened);
  EXPECT_FALSE(SecretBox(std::string(32, 'x')).Open(sealed).ok());
}

}  // namespace
}  // namespace basalt::auth
