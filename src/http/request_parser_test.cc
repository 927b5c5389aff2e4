#include "http/request_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace basalt::http::internal {
namespace {

// Feeds `wire` to a parser `step` bytes at a time, as reads would bring it,
// and renders what it parsed: "METHOD target vN keep|close", one line per
// header, then "body=<...>", or "error: <message>".
std::string Parse(Request* req, std::string_view wire, size_t step, uint64_t body_limit = 1 << 20) {
  RequestParser parser(req);
  parser.body_limit(body_limit);
  std::string buffered;
  size_t given = 0;
  while (!parser.is_done()) {
    if (given == wire.size() && buffered.empty()) return "error: short";
    size_t n = std::min(step, wire.size() - given);
    buffered.append(wire.substr(given, n));
    given += n;
    boost::beast::error_code ec;
    size_t used = parser.put(boost::asio::buffer(buffered), ec);
    buffered.erase(0, used);
    if (ec == boost::beast::http::error::need_more) continue;
    if (ec) return "error: " + ec.message();
    if (used == 0 && n == 0) return "error: stuck";
  }
  std::string out = req->method + " " + req->target + " v" + std::to_string(parser.version()) +
                    (parser.keep_alive() ? " keep" : " close") + "\n";
  for (const auto& [name, value] : req->headers) out += name + ": " + value + "\n";
  return out + "body=" + req->body;
}

constexpr std::string_view kPost =
    "POST / HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "X-Amz-Target: DynamoDB_20120810.GetItem\r\n"
    "x-amz-target: repeated\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "{\"a\"}";

TEST(RequestParserTest, WholeAndByteByByteGiveTheSameRequest) {
  const std::string expected =
      "POST / v11 keep\n"
      "Host: localhost\n"
      "X-Amz-Target: DynamoDB_20120810.GetItem\n"
      "x-amz-target: repeated\n"
      "Content-Length: 5\n"
      "body={\"a\"}";
  Request whole, bytewise;
  EXPECT_EQ(Parse(&whole, kPost, kPost.size()), expected);
  EXPECT_EQ(Parse(&bytewise, kPost, 1), expected);
  EXPECT_EQ(whole.Header("x-amz-target"), "DynamoDB_20120810.GetItem");  // the first of a repeated name
}

TEST(RequestParserTest, ChunkedBodyIsJoined) {
  constexpr std::string_view wire =
      "POST /x?y=1 HTTP/1.1\r\n"
      "Transfer-Encoding: chunked\r\n"
      "\r\n"
      "3\r\nabc\r\n"
      "2;ext=1\r\nde\r\n"
      "0\r\n\r\n";
  Request req;
  EXPECT_EQ(Parse(&req, wire, 4),
            "POST /x?y=1 v11 keep\n"
            "Transfer-Encoding: chunked\n"
            "body=abcde");
}

TEST(RequestParserTest, Http10ClosesUnlessAskedToKeepAlive) {
  Request req;
  EXPECT_EQ(Parse(&req, "GET / HTTP/1.0\r\n\r\n", 64), "GET / v10 close\nbody=");
  EXPECT_EQ(Parse(&req, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 64),
            "GET / v10 keep\nConnection: keep-alive\nbody=");
  EXPECT_EQ(Parse(&req, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 64),
            "GET / v11 close\nConnection: close\nbody=");
}

TEST(RequestParserTest, AKeptRequestStartsEmptyButKeepsTheClientAddress) {
  Request req;
  req.remote_address = "127.0.0.1";
  ASSERT_EQ(Parse(&req, kPost, 7).substr(0, 4), "POST");
  EXPECT_EQ(Parse(&req, "GET /next HTTP/1.1\r\n\r\n", 64), "GET /next v11 keep\nbody=");
  EXPECT_EQ(req.remote_address, "127.0.0.1");
  EXPECT_TRUE(req.sent_body.empty());
}

TEST(RequestParserTest, AKeptRequestsHeadersAreThisRequestsOnlyAndKeepTheirCapacity) {
  Request req;
  const std::string auth(200, 'a');
  ASSERT_EQ(Parse(&req, "POST / HTTP/1.1\r\nAuthorization: " + auth + "\r\nA: 1\r\nB: 2\r\n\r\n", 64),
            "POST / v11 keep\nAuthorization: " + auth + "\nA: 1\nB: 2\nbody=");
  const char* kept = req.headers[0].second.data();
  // Fewer fields, then more, then the first ones again, shorter.
  EXPECT_EQ(Parse(&req, "POST / HTTP/1.1\r\nAuthorization: b\r\n\r\n", 64), "POST / v11 keep\nAuthorization: b\nbody=");
  EXPECT_EQ(req.headers[0].second.data(), kept);  // written over, not allocated
  EXPECT_EQ(Parse(&req, "GET / HTTP/1.1\r\nX: 1\r\nY: 2\r\nZ: 3\r\n\r\n", 5), "GET / v11 keep\nX: 1\nY: 2\nZ: 3\nbody=");
  EXPECT_EQ(Parse(&req, "GET / HTTP/1.1\r\n\r\n", 64), "GET / v11 keep\nbody=");
  // Trailer fields of a chunked body come after the header's.
  EXPECT_EQ(Parse(&req, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTrailer: T\r\n\r\n1\r\nx\r\n0\r\nT: v\r\n\r\n", 3),
            "POST / v11 keep\nTransfer-Encoding: chunked\nTrailer: T\nT: v\nbody=x");
}

TEST(RequestParserTest, LimitsAndMalformedInputAreErrors) {
  Request req;
  EXPECT_EQ(Parse(&req, kPost, 64, /*body_limit=*/4), "error: body limit exceeded");
  EXPECT_EQ(Parse(&req, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n", 64, 4),
            "error: body limit exceeded");
  EXPECT_EQ(Parse(&req, "GET / HTTP/2.0\r\n\r\n", 64), "error: bad version");
  EXPECT_EQ(Parse(&req, "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 64), "error: bad field");
}

}  // namespace
}  // namespace basalt::http::internal
