#include "http/response_head.h"

#include <gtest/gtest.h>

namespace basalt::http {
namespace {

std::string Head(const Response& r, unsigned version, bool keep_alive, std::string_view server = "") {
  std::string out;
  AppendResponseHead(out, r, version, keep_alive, "Sat, 05 Dec 2026 19:00:00 GMT", server, 17);
  return out;
}

TEST(ResponseHeadTest, KeptAliveHttp11) {
  Response r;
  r.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"x-amzn-RequestId", "ABC"}};
  EXPECT_EQ(Head(r, 11, true),
            "HTTP/1.1 200 OK\r\n"
            "Date: Sat, 05 Dec 2026 19:00:00 GMT\r\n"
            "Content-Type: application/x-amz-json-1.0\r\n"
            "x-amzn-RequestId: ABC\r\n"
            "Content-Length: 17\r\n"
            "\r\n");
}

TEST(ResponseHeadTest, ClosingHttp11AndServerHeader) {
  Response r;
  r.status = 413;
  EXPECT_EQ(Head(r, 11, false, "Basalt"),
            "HTTP/1.1 413 Payload Too Large\r\n"
            "Date: Sat, 05 Dec 2026 19:00:00 GMT\r\n"
            "Server: Basalt\r\n"
            "Content-Length: 17\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(ResponseHeadTest, Http10SaysKeepAliveOnlyWhenKept) {
  Response r;
  r.status = 503;
  EXPECT_EQ(Head(r, 10, true),
            "HTTP/1.0 503 Service Unavailable\r\n"
            "Date: Sat, 05 Dec 2026 19:00:00 GMT\r\n"
            "Content-Length: 17\r\n"
            "Connection: keep-alive\r\n"
            "\r\n");
  EXPECT_EQ(Head(r, 10, false),
            "HTTP/1.0 503 Service Unavailable\r\n"
            "Date: Sat, 05 Dec 2026 19:00:00 GMT\r\n"
            "Content-Length: 17\r\n"
            "\r\n");
}

// A repeated name keeps its last value; the handler's Content-Length and
// Connection give way to the server's own.
TEST(ResponseHeadTest, LastOfARepeatedNameWinsAndFramingIsTheServers) {
  Response r;
  r.status = 304;
  r.headers = {{"Vary", "Origin"},       {"content-length", "99"}, {"ETag", "\"1\""},
               {"vary", "Accept-Encoding"}, {"Connection", "upgrade"}};
  EXPECT_EQ(Head(r, 11, true),
            "HTTP/1.1 304 Not Modified\r\n"
            "Date: Sat, 05 Dec 2026 19:00:00 GMT\r\n"
            "ETag: \"1\"\r\n"
            "vary: Accept-Encoding\r\n"
            "Content-Length: 17\r\n"
            "\r\n");
}

TEST(ResponseHeadTest, UnnamedStatus) {
  EXPECT_EQ(ReasonPhrase(299), "Unknown");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
}

}  // namespace
}  // namespace basalt::http
