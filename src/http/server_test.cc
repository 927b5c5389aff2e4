// The HTTP server against raw sockets: timeouts, the connection limit, the
// memory budget and the errors it answers itself. Timeouts are a second or
// two here, so the whole suite takes about 10 s.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "http/content_coding.h"

namespace basalt::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class Socket {
 public:
  explicit Socket(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(0, ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr));
  }
  ~Socket() { ::close(fd_); }

  void Send(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  // Everything received until the server closes or `timeout` passes.
  std::string ReadUntilClosed(milliseconds timeout, bool* closed = nullptr) {
    std::string out;
    auto deadline = steady_clock::now() + timeout;
    if (closed) *closed = false;
    while (steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      int left = static_cast<int>(std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count());
      if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  // One response with a Content-Length body.
  std::string ReadResponse(milliseconds timeout = milliseconds(3000)) {
    std::string out;
    auto deadline = steady_clock::now() + timeout;
    while (steady_clock::now() < deadline) {
      size_t head_end = out.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t cl = out.find("Content-Length: ");
        size_t len = cl == std::string::npos ? 0 : std::stoul(out.substr(cl + 16));
        if (out.size() >= head_end + 4 + len) return out;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
};

std::string Post(const std::string& body, const std::string& extra = "") {
  return "POST / HTTP/1.1\r\nHost: x\r\n" + extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

std::string Gzip(const std::string& body) { return *Encode(ContentCoding::kGzip, body); }

// Renders errors so that tests can tell the renderer was used.
Response TestRenderer(ErrorKind kind, std::string_view detail) {
  Response r = PlainErrorResponse(kind, detail);
  r.body = "rendered " + std::to_string(static_cast<int>(kind)) + ": " + std::string(detail);
  return r;
}

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options, Handler handler = nullptr) {
    options.port = 0;
    options.threads = 2;
    if (!handler) {
      handler = [](const Request& req) {
        Response r;
        r.body = "echo " + std::to_string(req.body.size());
        return r;
      };
    }
    server_ = std::make_unique<Server>(options, handler, TestRenderer);
    ASSERT_TRUE(server_->Start().ok());
  }

  uint16_t port() const { return server_->port(); }

  // Waits up to `timeout` for the server's connection count to reach `n`.
  bool ConnectionsReach(int n, milliseconds timeout) {
    auto deadline = steady_clock::now() + timeout;
    while (steady_clock::now() < deadline) {
      if (server_->connections() == n) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return server_->connections() == n;
  }

  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, AnswersKeptAliveRequests) {
  Start(ServerOptions{});
  Socket s(port());
  for (int i = 0; i < 3; ++i) {
    s.Send(Post("abc"));
    std::string resp = s.ReadResponse();
    EXPECT_NE(std::string::npos, resp.find("200 OK")) << resp;
    EXPECT_NE(std::string::npos, resp.find("echo 3")) << resp;
  }
}

TEST_F(ServerTest, ASilentNewConnectionIsClosedAtTheHeaderTimeout) {
  ServerOptions o;
  o.header_timeout_seconds = 1;
  Start(o);
  Socket s(port());
  auto start = steady_clock::now();
  bool closed = false;
  EXPECT_EQ("", s.ReadUntilClosed(milliseconds(3000), &closed));
  EXPECT_TRUE(closed);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
  EXPECT_TRUE(ConnectionsReach(0, milliseconds(1000)));
}

TEST_F(ServerTest, HeadersTricklingInAreClosedAtTheHeaderTimeoutDespiteProgress) {
  ServerOptions o;
  o.header_timeout_seconds = 1;
  Start(o);
  Socket s(port());
  auto start = steady_clock::now();
  s.Send("POST / HTTP/1.1\r\n");
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {
    s.Send("X-A: b\r\n");
    s.ReadUntilClosed(milliseconds(100), &closed);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

TEST_F(ServerTest, AnIdleKeptAliveConnectionIsClosedAtTheIdleTimeout) {
  ServerOptions o;
  o.header_timeout_seconds = 5;
  o.idle_timeout_seconds = 1;
  Start(o);
  Socket s(port());
  s.Send(Post("{}"));
  EXPECT_NE(std::string::npos, s.ReadResponse().find("200 OK"));
  auto start = steady_clock::now();
  bool closed = false;
  s.ReadUntilClosed(milliseconds(4000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

// The connection's one timer is armed for the earliest deadline it was
// given; a later deadline only moves it on when it fires.
TEST_F(ServerTest, AKeptAliveConnectionOutlivesTheShorterDeadlinesOfItsLastRequest) {
  ServerOptions o;
  o.header_timeout_seconds = 1;
  o.body_timeout_seconds = 1;
  o.idle_timeout_seconds = 3;
  Start(o);
  Socket s(port());
  s.Send(Post("{}"));
  EXPECT_NE(std::string::npos, s.ReadResponse().find("200 OK"));
  // Past the header and write deadlines of that request, within the idle timeout.
  bool closed = false;
  s.ReadUntilClosed(milliseconds(1800), &closed);
  ASSERT_FALSE(closed);
  s.Send(Post("{}"));
  EXPECT_NE(std::string::npos, s.ReadResponse().find("200 OK"));
  auto start = steady_clock::now();
  s.ReadUntilClosed(milliseconds(6000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_GT(steady_clock::now() - start, milliseconds(2500));
  EXPECT_LT(steady_clock::now() - start, milliseconds(4500));
}

// An idle connection's deadline is the idle timeout; the first byte of a
// request brings it forward to the header timeout.
TEST_F(ServerTest, AHeadStartedOnAnIdleConnectionHasTheHeaderTimeout) {
  ServerOptions o;
  o.header_timeout_seconds = 1;
  o.idle_timeout_seconds = 10;
  Start(o);
  Socket s(port());
  s.Send(Post("{}"));
  EXPECT_NE(std::string::npos, s.ReadResponse().find("200 OK"));
  bool closed = false;
  s.ReadUntilClosed(milliseconds(1500), &closed);
  ASSERT_FALSE(closed);
  auto start = steady_clock::now();
  s.Send("POST / HTTP/1.1\r\n");
  s.ReadUntilClosed(milliseconds(5000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

TEST_F(ServerTest, AStalledBodyIsClosedAtTheBodyTimeout) {
  ServerOptions o;
  o.body_timeout_seconds = 1;
  Start(o);
  Socket s(port());
  s.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
  auto start = steady_clock::now();
  bool closed = false;
  s.ReadUntilClosed(milliseconds(4000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

TEST_F(ServerTest, ABodyBelowTheMinimumRateIsClosedAlthoughItNeverStalls) {
  ServerOptions o;
  o.body_timeout_seconds = 1;
  o.body_min_bytes_per_second = 1000;  // a byte every 100 ms is 10 B/s
  Start(o);
  Socket s(port());
  s.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
  auto start = steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    s.Send("x");
    s.ReadUntilClosed(milliseconds(100), &closed);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitGetTheRenderedRefusalAndAreClosed) {
  ServerOptions o;
  o.max_connections = 2;
  Start(o);
  Socket a(port()), b(port());
  ASSERT_TRUE(ConnectionsReach(2, milliseconds(1000)));
  Socket c(port());
  bool closed = false;
  std::string refused = c.ReadUntilClosed(milliseconds(2000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_NE(std::string::npos, refused.find("HTTP/1.1 503")) << refused;
  EXPECT_NE(std::string::npos, refused.find("rendered 5: ")) << refused;
  // The connections within the limit still work.
  a.Send(Post("x"));
  EXPECT_NE(std::string::npos, a.ReadResponse().find("200 OK"));
}

TEST_F(ServerTest, MalformedHttpGetsTheRenderedErrorAndAClose) {
  Start(ServerOptions{});
  Socket s(port());
  s.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n");
  bool closed = false;
  std::string resp = s.ReadUntilClosed(milliseconds(4000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_NE(std::string::npos, resp.find("HTTP/1.1 400")) << resp;
  EXPECT_NE(std::string::npos, resp.find("rendered 0: Malformed HTTP request: bad Content-Length")) << resp;
}

TEST_F(ServerTest, OversizedHeadersGetTheRenderedError) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  Start(o);
  Socket s(port());
  s.Send("POST / HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  std::string resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("rendered 1: ")) << resp;
}

TEST_F(ServerTest, AnHttp2PrefaceGetsVersionNotSupported) {
  Start(ServerOptions{});
  Socket s(port());
  s.Send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
  std::string resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("HTTP/1.1 505")) << resp;
  EXPECT_NE(std::string::npos, resp.find("rendered 3: HTTP/2 is not supported")) << resp;
}

TEST_F(ServerTest, ADeclaredBodyOverTheLimitIsRefusedBeforeItIsSent) {
  ServerOptions o;
  o.max_body_bytes = 100;
  Start(o);
  Socket s(port());
  s.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n");
  std::string resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("HTTP/1.1 413")) << resp;
  EXPECT_NE(std::string::npos, resp.find("rendered 2: ")) << resp;
}

TEST_F(ServerTest, ARequestThatDoesNotFitTheBudgetWaitsThenIsRefused) {
  ServerOptions o;
  o.memory_budget_bytes = 1000;
  o.memory_wait_ms = 300;
  Start(o);
  // The first request holds 900 bytes while its body is incomplete.
  Socket holder(port());
  holder.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n" + std::string(100, 'a'));
  std::this_thread::sleep_for(milliseconds(100));
  ASSERT_EQ(900u, server_->budget_used());

  Socket refused(port());
  auto start = steady_clock::now();
  refused.Send(Post(std::string(500, 'b')));
  std::string resp = refused.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("HTTP/1.1 503")) << resp;
  EXPECT_NE(std::string::npos, resp.find("rendered 4: ")) << resp;
  EXPECT_GE(steady_clock::now() - start, milliseconds(250));

  // A request that waits less than the limit goes through once the holder is done.
  Socket waiter(port());
  waiter.Send(Post(std::string(500, 'c')));
  std::this_thread::sleep_for(milliseconds(100));
  holder.Send(std::string(800, 'a'));
  EXPECT_NE(std::string::npos, holder.ReadResponse().find("echo 900"));
  EXPECT_NE(std::string::npos, waiter.ReadResponse().find("echo 500"));
  // The response's bytes are returned when its write completes, which the
  // client may see a moment before the server does.
  for (int i = 0; i < 100 && server_->budget_used() != 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(0u, server_->budget_used());
}

TEST_F(ServerTest, ConnectionsAreCountedUntilTheyClose) {
  Start(ServerOptions{});
  {
    Socket a(port()), b(port()), c(port());
    EXPECT_TRUE(ConnectionsReach(3, milliseconds(1000)));
  }
  EXPECT_TRUE(ConnectionsReach(0, milliseconds(1000)));
}

TEST_F(ServerTest, ResponsesCarryDateAndTheConfiguredServerHeader) {
  ServerOptions o;
  o.server_header = "Server";
  Start(o);
  Socket s(port());
  s.Send(Post("x"));
  std::string resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("\r\nServer: Server\r\n")) << resp;
  EXPECT_TRUE(std::regex_search(resp, std::regex("\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d "
                                                 "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} "
                                                 "\\d\\d:\\d\\d:\\d\\d GMT\r\n")))
      << resp;
  // Errors the server answers itself carry them too.
  s.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n");
  resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("\r\nServer: Server\r\n")) << resp;
  EXPECT_NE(std::string::npos, resp.find("\r\nDate: ")) << resp;
}

TEST(HttpDateTest, IsTheImfFixdate) {
  EXPECT_EQ("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate(784111777));
  EXPECT_EQ("Thu, 01 Jan 1970 00:00:00 GMT", HttpDate(0));
}

TEST_F(ServerTest, AnHttp10RequestGetsAnHttp10ResponseAndAClose) {
  Start(ServerOptions{});
  Socket s(port());
  s.Send("POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}");
  bool closed = false;
  std::string resp = s.ReadUntilClosed(milliseconds(3000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(resp.starts_with("HTTP/1.0 200 OK\r\n")) << resp;
  EXPECT_NE(std::string::npos, resp.find("echo 2")) << resp;
  EXPECT_EQ(std::string::npos, resp.find("keep-alive")) << resp;
}

TEST_F(ServerTest, AnHttp10KeepAliveRequestKeepsTheConnection) {
  Start(ServerOptions{});
  Socket s(port());
  for (int i = 0; i < 2; ++i) {
    s.Send("POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}");
    std::string resp = s.ReadResponse();
    EXPECT_TRUE(resp.starts_with("HTTP/1.0 200 OK\r\n")) << resp;
    EXPECT_NE(std::string::npos, resp.find("Connection: keep-alive\r\n")) << resp;
  }
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  Start(ServerOptions{});
  Socket s(port());
  s.Send(Post("abc", "Connection: close\r\n"));
  bool closed = false;
  std::string resp = s.ReadUntilClosed(milliseconds(3000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(resp.starts_with("HTTP/1.1 200 OK\r\n")) << resp;
  EXPECT_NE(std::string::npos, resp.find("Connection: close\r\n")) << resp;
  EXPECT_NE(std::string::npos, resp.find("echo 3")) << resp;
}

TEST_F(ServerTest, ACompressedBodyReachesTheHandlerDecoded) {
  Start(ServerOptions{}, [](const Request& req) {
    Response r;
    r.body = "got " + req.body + " coding=[" + std::string(req.Header("Content-Encoding")) + "]";
    return r;
  });
  Socket s(port());
  s.Send(Post(Gzip("{\"a\":1}"), "Content-Encoding: gzip\r\n"));
  std::string resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("got {\"a\":1} coding=[]")) << resp;
  s.Send(Post(*Encode(ContentCoding::kDeflate, "{}"), "Content-Encoding: deflate\r\n"));
  resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("got {} coding=[]")) << resp;
}

TEST_F(ServerTest, UndecodableBodiesGetRenderedErrorsAndTheConnectionGoesOn) {
  ServerOptions o;
  o.max_body_bytes = 1 << 20;
  Start(o);
  Socket s(port());
  s.Send(Post("{}", "Content-Encoding: br\r\n"));
  std::string resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("HTTP/1.1 415")) << resp;
  EXPECT_NE(std::string::npos, resp.find("rendered 6: Unsupported Content-Encoding: br")) << resp;
  s.Send(Post("{}", "Content-Encoding: gzip\r\n"));
  resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("rendered 7: The request body is not valid gzip data")) << resp;
  // 64 MiB of zeros: 64 KiB of gzip, refused at 1 MiB.
  s.Send(Post(Gzip(std::string(64 << 20, '\0')), "Content-Encoding: gzip\r\n"));
  resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("HTTP/1.1 413")) << resp;
  EXPECT_NE(std::string::npos, resp.find("rendered 2: The request body exceeds the limit of 1048576 bytes once "
                                         "decompressed")) << resp;
  s.Send(Post("abc"));
  EXPECT_NE(std::string::npos, s.ReadResponse().find("echo 3"));
}

TEST_F(ServerTest, TheDecompressedSizeIsCountedAgainstTheBudget) {
  ServerOptions o;
  o.body_cost_factor = 2;
  size_t used_in_handler = 0;
  Start(o, [&](const Request& req) {
    used_in_handler = server_->budget_used();
    Response r;
    r.body = "echo " + std::to_string(req.body.size());
    return r;
  });
  std::string body(1 << 20, 'a');
  std::string gz = Gzip(body);
  ASSERT_LT(gz.size(), 8192u);
  Socket s(port());
  s.Send(Post(gz, "Content-Encoding: gzip\r\n"));
  EXPECT_NE(std::string::npos, s.ReadResponse().find("echo 1048576"));
  EXPECT_GE(used_in_handler, 2 * body.size());
  for (int i = 0; i < 100 && server_->budget_used() != 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(0u, server_->budget_used());
}

TEST_F(ServerTest, ADecompressionThatDoesNotFitTheBudgetIsOverloaded) {
  ServerOptions o;
  o.memory_budget_bytes = 256 * 1024;
  Start(o);
  // Another request holds most of the budget while its body is incomplete.
  Socket holder(port());
  holder.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\nab");
  std::this_thread::sleep_for(milliseconds(100));
  ASSERT_EQ(200000u, server_->budget_used());
  Socket s(port());
  s.Send(Post(Gzip(std::string(1 << 20, 'a')), "Content-Encoding: gzip\r\n"));
  std::string resp = s.ReadResponse();
  EXPECT_NE(std::string::npos, resp.find("rendered 4: Too much request data")) << resp;
}

}  // namespace
}  // namespace basalt::http
