#include "http/request_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace basalt::http::internal {
namespace {

// Feeds `wire` to a parser `step` bytes at a time, as reads would bring it,
// and renders what it parsed: "METHOD target vN keep|close", one line per
// header, then "body=<...>", or "error: <message>".
template <class Parser>
std::string ParseWith(Parser& parser, Request* req, std::string_view wire, size_t step, uint64_t body_limit,
                      uint32_t header_limit) {
  parser.body_limit(body_limit);
  parser.header_limit(header_limit);
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
    if (ec == boost::beast::http::error::need_more) {
      if (given == wire.size()) return "error: short";
      continue;
    }
    if (ec) return "error: " + ec.message();
    if (used == 0 && n == 0) return "error: stuck";
  }
  std::string out = req->method + " " + req->target + " v" + std::to_string(parser.version()) +
                    (parser.keep_alive() ? " keep" : " close") +
                    (parser.content_length() ? " length=" + std::to_string(*parser.content_length()) : "") + "\n";
  for (const auto& [name, value] : req->headers) out += name + ": " + value + "\n";
  return out + "body=" + req->body + (buffered.empty() ? "" : " rest=" + buffered);
}

// The connection's RequestReader, checked against Beast's parser alone on
// the same bytes; `path` (if given) says which of the two parsed it.
std::string Parse(Request* req, std::string_view wire, size_t step, uint64_t body_limit = 1 << 20,
                  std::string* path = nullptr, uint32_t header_limit = 1024) {
  RequestReader reader(req);
  std::string read = ParseWith(reader, req, wire, step, body_limit, header_limit);
  if (path) *path = reader.by_beast() ? "beast" : "hand";
  Request alone;
  RequestParser beast(&alone);
  EXPECT_EQ(ParseWith(beast, &alone, wire, step, body_limit, header_limit), read) << "Beast reads it otherwise: " << wire;
  return read;
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
      "POST / v11 keep length=5\n"
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

// Heads of the common shape are parsed by hand, and each reads as Beast
// reads it (Parse compares the two); the others go to Beast.
TEST(RequestParserTest, CommonHeadsAreParsedByHandAsBeastParsesThem) {
  const std::string hand[] = {
      "GET / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\n",
      "POST /a?b=c&d=%20 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
      "POST / HTTP/1.0\r\nconnection: KEEP-ALIVE\r\ncontent-length: 0\r\n\r\n",
      "POST / HTTP/1.1\r\nConnection: Close\r\nCONTENT-LENGTH: 2\r\n\r\nxyREST",
      "M!#$%&'*+-.^_`|~9 * HTTP/1.1\r\nx-Y_z: \t  spaced\tvalue \t \r\nEmpty:\r\nBlank: \t \r\n\r\n",
      "GET / HTTP/1.1\r\nA: \"quoted\" (comment) <>@,;:\\/[]?={}~\r\n\r\n",
      "GET /x HTTP/1.1\r\nA: 1\r\n\r\nGET /y HTTP/1.1\r\n\r\n",  // pipelined: the next one stays
  };
  const std::string beast[] = {
      "GET / HTTP/1.1\r\nFolded: a\r\n b\r\n\r\n",                     // obs-fold
      "GET / HTTP/1.1\r\nA: caf\xc3\xa9\r\n\r\n",                         // obs-text
      "GET /\xc3\xa9 HTTP/1.1\r\n\r\n",                                   // obs-text in the target
      "GET /\ta HTTP/1.1\r\n\r\n",                                        // HTAB in the target
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",  // twice
      "POST / HTTP/1.1\r\nContent-Length: 01\r\n\r\nx",                  // a leading zero
      "POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\nx",                // a list
      "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n\r\n",
      "GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n",
      "GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n",
      "GET / HTTP/1.1\nA: 1\r\n\r\n",                                      // a bare LF
      "GET / HTTP/1.1\r\nA: 1\r2\r\n\r\n",                                // a bare CR
      "GET / HTTP/1.1\r\nA : 1\r\n\r\n",                                   // space before the colon
      "GET / HTTP/1.1\r\n: 1\r\n\r\n",                                     // no name
      "GET  / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.2\r\n\r\n",
      "GET / http/1.1\r\n\r\n",
      "\r\nGET / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nA: \x7f\r\n\r\n",                                  // DEL
      "GET / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n",                  // over the body limit (1000)
      "GET / HTTP/1.1\r\nA: " + std::string(1100, 'a') + "\r\n\r\n",     // over the header limit (1024)
  };
  for (size_t step : {1, 7, 4096}) {
    for (const std::string& wire : hand) {
      Request req;
      std::string path;
      Parse(&req, wire, step, /*body_limit=*/1000, &path);
      EXPECT_EQ(path, "hand") << wire;
    }
    for (const std::string& wire : beast) {
      Request req;
      std::string path;
      Parse(&req, wire, step, /*body_limit=*/1000, &path);
      EXPECT_EQ(path, "beast") << wire;
    }
  }
  Request req;
  EXPECT_EQ(Parse(&req, hand[5], 4096),
            "M!#$%&'*+-.^_`|~9 * v11 keep\nx-Y_z: spaced\tvalue\nEmpty: \nBlank: \nbody=");
  EXPECT_EQ(Parse(&req, hand[7], 4096), "GET /x v11 keep\nA: 1\nbody= rest=GET /y HTTP/1.1\r\n\r\n");
}

// A head of thousands of bytes: the CR and LF counts of the SIMD check are
// summed every 255 steps of 16 bytes, and a stray CR or LF past that point
// still sends the head to Beast.
TEST(RequestParserTest, LongHeadsAreCountedWhole) {
  std::string head = "POST / HTTP/1.1\r\n";
  for (int i = 0; i < 700; ++i) head += "X-" + std::to_string(i) + ": value\r\n";
  ASSERT_GT(head.size(), 255u * 16 * 2);
  for (size_t at : {size_t{20}, size_t{4085}, size_t{8170}, head.size() - 3}) {
    for (char stray : {'\r', '\n'}) {
      std::string wire = head;
      wire.insert(at, 1, stray);
      wire += "Content-Length: 1\r\n\r\nx";
      Request req;
      std::string path;
      Parse(&req, wire, 4096, 1000, &path, 65536);
      EXPECT_EQ(path, "beast") << at;
    }
  }
  Request req;
  std::string path;
  const std::string read = Parse(&req, head + "Content-Length: 1\r\n\r\nx", 1000, 1000, &path, 65536);
  EXPECT_EQ(path, "hand");
  EXPECT_EQ(req.headers.size(), 701u);
  EXPECT_TRUE(read.ends_with("X-699: value\nContent-Length: 1\nbody=x")) << read.substr(read.size() - 100);
}

// The connection takes a body's size from its memory budget between the
// head and the body: the body's memory is not taken before its first bytes.
TEST(RequestParserTest, ABodyIsNotAllocatedWithItsHead) {
  Request req;
  RequestReader reader(&req);
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n";
  boost::beast::error_code ec;
  ASSERT_EQ(reader.put(boost::asio::buffer(head), ec), head.size());
  ASSERT_TRUE(reader.is_header_done());
  EXPECT_FALSE(reader.by_beast());
  EXPECT_LT(req.body.capacity(), 1000u);
  EXPECT_EQ(reader.put(boost::asio::buffer(std::string(10, 'b')), ec), 10u);
  EXPECT_GE(req.body.capacity(), 1000000u);
  EXPECT_FALSE(reader.is_done());
}

TEST(RequestParserTest, LimitsAndMalformedInputAreErrors) {
  Request req;
  EXPECT_EQ(Parse(&req, kPost, 64, /*body_limit=*/4), "error: body limit exceeded");
  EXPECT_EQ(Parse(&req, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n", 64, 4),
            "error: body limit exceeded");
  EXPECT_EQ(Parse(&req, "GET / HTTP/2.0\r\n\r\n", 64), "error: bad version");
  EXPECT_EQ(Parse(&req, "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 64), "error: bad field");
}

// A malformed request line is refused as soon as it is in, not when the
// rest of the head arrives or the header timeout passes. Beast alone does
// that only when the line is in its first read (step 4096 here, compared by
// Parse); when the line comes in pieces it waits for a whole head.
TEST(RequestParserTest, AMalformedRequestLineIsRefusedBeforeTheHeadIsWhole) {
  for (size_t step : {size_t{1}, size_t{7}, size_t{4096}}) {
    for (std::string_view line : {"GARBAGE\r\n", "GET /\r\n", "GET / HTTP/1.1 x\r\n", "GET  / HTTP/1.1\r\n"}) {
      const std::string wire = std::string(line) + "Host: x\r\n";
      Request req;
      RequestReader reader(&req);
      const std::string read = ParseWith(reader, &req, wire, step, 1 << 20, 1024);
      EXPECT_TRUE(read.starts_with("error: bad ")) << line << " step " << step << ": " << read;
      EXPECT_TRUE(reader.by_beast()) << line;
      if (step == 4096) {
        Request again;
        EXPECT_EQ(Parse(&again, wire, step), read) << line;
      }
    }
    Request req;
    std::string path;
    EXPECT_EQ(Parse(&req, "POST / HTTP/1.1\r\nHost: x\r\n", step, 1 << 20, &path), "error: short");
    EXPECT_EQ(path, "hand");
  }
}

}  // namespace
}  // namespace basalt::http::internal
