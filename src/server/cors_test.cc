#include "server/cors.h"

#include <gtest/gtest.h>

namespace basalt::server {
namespace {

http::Request Req(std::string method, std::vector<std::pair<std::string, std::string>> headers) {
  http::Request r;
  r.method = std::move(method);
  r.target = "/";
  r.headers = std::move(headers);
  return r;
}

std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "(none)";
}

TEST(CorsPolicyTest, AllowsListedOriginsTrimmedAsLocalDoes) {
  CorsPolicy cors("http://a.example, http://b.example ,http://c.example:8080");
  EXPECT_TRUE(cors.Allows("http://a.example"));
  EXPECT_TRUE(cors.Allows("http://b.example"));
  EXPECT_TRUE(cors.Allows("http://c.example:8080"));
  EXPECT_FALSE(cors.Allows("http://c.example"));
  EXPECT_FALSE(cors.Allows("http://A.example"));  // origins compare exactly
  EXPECT_FALSE(cors.Allows(""));
}

TEST(CorsPolicyTest, StarAllowsEveryOriginAndEmptyNone) {
  EXPECT_TRUE(CorsPolicy("*").Allows("http://anything.example"));
  EXPECT_TRUE(CorsPolicy("http://a.example,*").Allows("https://z.example"));
  EXPECT_FALSE(CorsPolicy("").Allows("http://a.example"));
  EXPECT_FALSE(CorsPolicy("*").Allows(""));
}

TEST(CorsPolicyTest, APreflightEchoesTheRequestedMethodAndHeaders) {
  CorsPolicy cors("http://a.example");
  auto r = cors.Preflight(Req("OPTIONS", {{"Origin", "http://z.example"},
                                          {"Access-Control-Request-Method", "POST"},
                                          {"Access-Control-Request-Headers", "content-type,x-amz-target"}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(200, r->status);
  EXPECT_EQ("", r->body);
  EXPECT_EQ("POST", HeaderOf(*r, "Access-Control-Allow-Methods"));
  EXPECT_EQ("content-type,x-amz-target", HeaderOf(*r, "Access-Control-Allow-Headers"));
  EXPECT_EQ("1728000", HeaderOf(*r, "Access-Control-Max-Age"));
  // The origin is added by AddHeaders, and only when it is allowed.
  EXPECT_EQ("(none)", HeaderOf(*r, "Access-Control-Allow-Origin"));
}

TEST(CorsPolicyTest, APreflightWithoutRequestHeadersIsLocalsValidationError) {
  auto r = CorsPolicy("*").Preflight(
      Req("OPTIONS", {{"Origin", "http://a.example"}, {"Access-Control-Request-Method", "POST"}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(400, r->status);
  EXPECT_EQ(R"({"__type":"com.amazon.coral.validate#ValidationException","message":"Invalid PreFlight Headers"})",
            r->body);
}

TEST(CorsPolicyTest, OnlyOptionsWithOriginAndRequestMethodIsAPreflight) {
  CorsPolicy cors("*");
  EXPECT_FALSE(cors.Preflight(Req("OPTIONS", {{"Access-Control-Request-Method", "POST"}})).has_value());
  EXPECT_FALSE(cors.Preflight(Req("OPTIONS", {{"Origin", "http://a.example"}})).has_value());
  EXPECT_FALSE(cors.Preflight(Req("POST", {{"Origin", "http://a.example"}, {"Access-Control-Request-Method", "POST"}}))
                   .has_value());
}

TEST(CorsPolicyTest, AddsTheOriginOnlyWhenAllowed) {
  CorsPolicy cors("http://a.example");
  http::Response allowed;
  cors.AddHeaders(Req("POST", {{"Origin", "http://a.example"}}), allowed);
  EXPECT_EQ("http://a.example", HeaderOf(allowed, "Access-Control-Allow-Origin"));
  EXPECT_EQ("x-amzn-RequestId,x-amz-crc32", HeaderOf(allowed, "Access-Control-Expose-Headers"));
  EXPECT_EQ("Origin", HeaderOf(allowed, "Vary"));
  http::Response other;
  cors.AddHeaders(Req("POST", {{"Origin", "http://b.example"}}), other);
  EXPECT_TRUE(other.headers.empty());
  http::Response none;
  cors.AddHeaders(Req("POST", {}), none);
  EXPECT_TRUE(none.headers.empty());
}

}  // namespace
}  // namespace basalt::server
