// With tls.cc, the only translation units that include Boost.Asio and Beast
// (through session.h, the connection they share): they are heavy to
// compile, so they stay here.
//
// What a client can hold, and for how long:
//   a connection      max_connections; beyond it, a canned response and close
//   a new connection  header_timeout for the request line and headers
//   an idle keep-alive idle_timeout until the next request's first byte
//   a body            body_timeout without progress, and a minimum rate
//   memory            MemoryBudget (declared body size times body_cost_factor,
//                     plus the decompressed size times it for a compressed
//                     body, then response size)
#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fcntl.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "http/content_coding.h"
#include "http/limits.h"
#include "http/session.h"
#include "http/tls.h"

namespace basalt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

Response PlainErrorResponse(ErrorKind kind, std::string_view detail) {
  Response r;
  switch (kind) {
    case ErrorKind::kMalformed:
    case ErrorKind::kUndecodableBody: r.status = 400; break;
    case ErrorKind::kUnsupportedEncoding: r.status = 415; break;
    case ErrorKind::kHeadersTooLarge: r.status = 431; break;
    case ErrorKind::kBodyTooLarge: r.status = 413; break;
    case ErrorKind::kVersionNotSupported: r.status = 505; break;
    case ErrorKind::kOverloaded:
    case ErrorKind::kTooManyConnections: r.status = 503; break;
  }
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::string(detail);
  return r;
}

std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  // Names spelled out rather than strftime's %a and %b, which follow the locale.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

namespace {

using internal::Context;
using internal::MiB;
using internal::Session;

bool OutOfDescriptors(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space || ec == asio::error::no_memory ||
         ec.value() == ENFILE;
}

}  // namespace

// One io_context per thread, each run by its thread alone. A connection
// belongs to one of them for its whole life, so its handlers never run
// concurrently and need no strand, and a request is read, handled and
// answered on one core. With one shared io_context and a strand per
// connection, the hand-offs between threads cost ~15% more CPU per request
// (TransactGetItems of 10 items, two threads on two cores: 88 vs 75 us),
// and GetItem throughput was two thirds of what it is now.
struct Server::Impl {
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;

  Impl(ServerOptions options, Handler handler, ErrorRenderer render)
      : ctx(std::move(options), std::move(handler), std::move(render)) {}

  Context ctx;  // outlives the sessions, which the contexts below own
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<WorkGuard> guards;  // keep each context running while it has no connection
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> backoff;  // the pause after running out of descriptors
  std::vector<std::thread> threads;
  size_t next = 0;  // the context that gets the next connection; used on the acceptor's thread only
  uint16_t port = 0;
  // A descriptor held in reserve: when accept fails for want of descriptors,
  // closing it lets the acceptor take the waiting connections one at a time
  // and refuse them, so their clients hear at once rather than at their
  // connect timeout.
  int reserve_fd = -1;
  // The canned kTooManyConnections response, as bytes: rendered once, so its
  // request id (if the renderer adds one) is the same for every refusal.
  std::string refusal;
  LogThrottle limit_log{std::chrono::seconds(10)};
  uint64_t refused = 0;  // since the last log line; acceptor's thread only

  void Accept() {
    asio::io_context& peer = *contexts[next];
    next = (next + 1) % contexts.size();
    acceptor->async_accept(peer, [this](beast::error_code ec, internal::Socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (OutOfDescriptors(ec)) return OnOutOfDescriptors(ec);
      if (!ec) OnAccepted(std::move(socket));
      Accept();
    });
  }

  void OnAccepted(internal::Socket socket) {
    int max = ctx.options.max_connections;
    if (max > 0 && ctx.connections.load(std::memory_order_relaxed) >= max) {
      Refuse(socket.release());
      LogRefusals("connection limit of " + std::to_string(max) + " reached");
      return;
    }
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    ctx.connections.fetch_add(1, std::memory_order_relaxed);
    if (ctx.options.tls) {  // the handshake first (http/tls.cc)
      internal::StartTls(*ctx.options.tls, std::move(socket), ctx);
      return;
    }
    auto session = std::make_shared<Session<internal::Socket>>(std::move(socket), ctx);
    auto executor = session->executor();
    asio::post(executor, [session] { session->Run(); });
  }

  // Sends the canned refusal and closes, without ever reading a request:
  // what the client sent already is read first, so that the close is an
  // orderly one rather than a reset that may destroy the response.
  void Refuse(int fd) {
    char sink[4096];
    for (int i = 0; i < 16 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
    }
    [[maybe_unused]] ssize_t n = ::send(fd, refusal.data(), refusal.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
    ++refused;
  }

  void LogRefusals(const std::string& why) {
    uint64_t suppressed = 0;
    if (!limit_log.Allow(SteadyClock::now(), &suppressed)) return;
    Log(LogLevel::kWarn, "refused " + std::to_string(refused) + " connection(s) in the last 10 s: " + why);
    refused = 0;
  }

  // Accept failed for want of a descriptor. Retrying at once would spin (the
  // listening socket stays readable: ~8,700 failed accepts a second, a whole
  // core), so the waiting connections are refused with the reserve
  // descriptor and the acceptor pauses 100 ms.
  void OnOutOfDescriptors(const beast::error_code& ec) {
    if (reserve_fd >= 0) {
      ::close(reserve_fd);
      reserve_fd = -1;
    }
    for (int i = 0; i < 1024; ++i) {
      int fd = ::accept4(acceptor->native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;
      Refuse(fd);
    }
    reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    LogRefusals("accept failed: " + ec.message() + " (raise the descriptor limit or lower --max-connections)");
    backoff->expires_after(std::chrono::milliseconds(100));
    backoff->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
  }

  // No Date header: the bytes are rendered once, and a stale date would be wrong.
  static std::string Serialize(Response r, const std::string& server_header) {
    bhttp::response<bhttp::string_body> res;
    res.result(static_cast<unsigned>(r.status));
    res.version(11);
    if (!server_header.empty()) res.set(bhttp::field::server, server_header);
    for (auto& [k, v] : r.headers) res.set(k, v);
    res.body() = std::move(r.body);
    res.keep_alive(false);
    res.prepare_payload();
    std::ostringstream out;
    out << res;
    return out.str();
  }
};

Server::Server(ServerOptions options, Handler handler, ErrorRenderer render_error)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(render_error))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  const ServerOptions& options = impl_->ctx.options;
  beast::error_code ec;
  auto address = asio::ip::make_address(options.host, ec);
  if (ec) return Status::Validation("invalid host address: " + options.host);
  tcp::endpoint endpoint(address, options.port);
  int n = std::max(1, options.threads);
  for (int i = 0; i < n; ++i) {
    impl_->contexts.push_back(std::make_unique<asio::io_context>(1));
    impl_->guards.emplace_back(impl_->contexts.back()->get_executor());
  }
  impl_->acceptor = std::make_unique<tcp::acceptor>(*impl_->contexts[0]);
  impl_->backoff = std::make_unique<asio::steady_timer>(*impl_->contexts[0]);
  auto& acc = *impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) acc.non_blocking(true, ec);  // OnOutOfDescriptors accepts on it directly
  if (ec) {
    return Status::IoError("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                           ec.message());
  }
  impl_->port = acc.local_endpoint().port();
  impl_->reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  impl_->refusal = Impl::Serialize(impl_->ctx.render_error(ErrorKind::kTooManyConnections,
                                                          "The server has too many open connections; try again shortly"),
                                   options.server_header);
  impl_->Accept();
  for (auto& ctx : impl_->contexts) {
    impl_->threads.emplace_back([ctx = ctx.get()] { ctx->run(); });
  }
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port; }

int Server::connections() const { return impl_->ctx.connections.load(std::memory_order_relaxed); }

size_t Server::budget_used() const { return impl_->ctx.budget.used(); }

void Server::Stop() {
  if (!impl_ || impl_->threads.empty()) return;
  asio::post(*impl_->contexts[0], [this] {
    beast::error_code ec;
    impl_->acceptor->close(ec);
  });
  for (auto& ctx : impl_->contexts) ctx->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->guards.clear();
  // Sessions waiting for memory are held by the budget; they must go while
  // their io_contexts still exist.
  impl_->ctx.budget.DropWaiters();
  if (impl_->reserve_fd >= 0) {
    ::close(impl_->reserve_fd);
    impl_->reserve_fd = -1;
  }
}

}  // namespace basalt::http
