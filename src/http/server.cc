// The only translation unit that includes Boost.Asio and Beast: they are
// heavy to compile, so they stay here.
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

// Reads of a body go through the connection's buffer in chunks of this size
// (Beast reads what the buffer's spare capacity allows, at least 512 bytes,
// so a 16 MiB body could take 32k reads).
constexpr size_t kBodyReadChunk = 64 * 1024;
// A connection keeps at most this much read buffer while it waits for its
// next request: 5,000 idle connections that had each sent one large body
// would otherwise keep 320 MB of 64 KiB buffers.
constexpr size_t kIdleBufferBytes = 8 * 1024;
// After an error response, what the client still sends is read and dropped
// for up to this long before the socket closes: closing a socket with unread
// data sends a reset, which can destroy the response before the client
// reads it (Apache's "lingering close").
constexpr auto kLinger = std::chrono::seconds(2);

// What the acceptor and every session share. Owned by Server::Impl and
// declared before the io_contexts, so it outlives every session.
struct Context {
  ServerOptions options;
  Handler handler;
  ErrorRenderer render_error;
  MemoryBudget budget;
  std::atomic<int> connections{0};

  Context(ServerOptions o, Handler h, ErrorRenderer r)
      : options(std::move(o)), handler(std::move(h)), render_error(std::move(r)), budget(options.memory_budget_bytes) {
    if (!render_error) render_error = PlainErrorResponse;
  }
};

std::string MiB(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// The Date header, formatted once a second per thread.
const std::string& CurrentHttpDate() {
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    cached = HttpDate(now);
  }
  return cached;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  // The acceptor counted this connection in ctx.connections already.
  Session(tcp::socket socket, Context& ctx) : stream_(std::move(socket)), ctx_(ctx), timer_(stream_.get_executor()) {}
  ~Session() { ctx_.connections.fetch_sub(1, std::memory_order_relaxed); }

  void Run() {
    stream_.expires_after(std::chrono::seconds(ctx_.options.header_timeout_seconds));
    ReadHeader();
  }
  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  const ServerOptions& opt() const { return ctx_.options; }

  // Between requests on a kept-alive connection: the idle timeout runs until
  // the next request's first byte, the header timeout from then on.
  void AwaitRequest() {
    if (buffer_.size() > 0) {
      stream_.expires_after(std::chrono::seconds(opt().header_timeout_seconds));
      return ReadHeader();
    }
    if (buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
    stream_.expires_after(std::chrono::seconds(opt().idle_timeout_seconds));
    stream_.async_read_some(buffer_.prepare(512), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->OnReadError(ec);
      self->buffer_.commit(n);
      self->stream_.expires_after(std::chrono::seconds(self->opt().header_timeout_seconds));
      self->ReadHeader();
    });
  }

  // The deadline set by the caller covers the whole request line and headers.
  void ReadHeader() {
    version_ = 11;  // until this request's line says otherwise
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(opt().max_header_bytes));
    parser_->body_limit(opt().max_body_bytes);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    if (req.version() != 10 && req.version() != 11) {
      return Fail(ErrorKind::kVersionNotSupported, "Only HTTP/1.0 and HTTP/1.1 are supported");
    }
    version_ = req.version();
    // A declared body over the limit is refused before any of it is read.
    auto len = parser_->content_length();
    if (len && *len > opt().max_body_bytes) return FailBodyTooLarge();
    // A chunked body's size is known only at its end, so it takes the most
    // it may reach.
    size_t body = len ? static_cast<size_t>(*len) : (parser_->chunked() ? opt().max_body_bytes : 0);
    size_t need = body * std::max<size_t>(opt().body_cost_factor, 1);
    if (need == 0 || ctx_.budget.TryAcquire(need)) {
      body_reservation_ = Reservation(&ctx_.budget, need);
      return StartBody();
    }
    WaitForBudget(need);
  }

  void WaitForBudget(size_t need) {
    waiting_ = true;
    auto self = shared_from_this();
    auto ex = stream_.get_executor();
    wait_id_ = ctx_.budget.Wait(need, [self, ex, need] {
      asio::post(ex, [self, need] { self->OnBudgetGranted(need); });
    });
    timer_.expires_after(std::chrono::milliseconds(opt().memory_wait_ms));
    timer_.async_wait([self](beast::error_code ec) {
      if (ec || !self->waiting_) return;
      // Not cancelled: the grant is on its way, and OnBudgetGranted takes it.
      if (!self->ctx_.budget.Cancel(self->wait_id_)) return;
      self->waiting_ = false;
      self->Fail(ErrorKind::kOverloaded, "Too much request data is in flight on this server (memory budget " +
                                             MiB(self->ctx_.budget.limit()) + "); try again shortly");
    });
  }

  void OnBudgetGranted(size_t need) {
    body_reservation_ = Reservation(&ctx_.budget, need);
    waiting_ = false;
    timer_.cancel();
    StartBody();
  }

  void StartBody() {
    body_start_ = SteadyClock::now();
    body_bytes_ = 0;
    if (parser_->is_done()) return OnRequest();
    if (buffer_.capacity() < kBodyReadChunk) buffer_.reserve(kBodyReadChunk);
    auto& req = parser_->get();
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
      stream_.expires_after(std::chrono::seconds(opt().body_timeout_seconds));
      bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  // The body's deadline moves with its progress: it may stall for
  // body_timeout at most, and must average body_min_bytes_per_second after
  // that grace. A slowloris body of a byte every few seconds is closed after
  // body_timeout; a 16 MiB body at the default 64 KiB/s gets 266 s.
  SteadyClock::time_point BodyDeadline() const {
    auto grace = std::chrono::seconds(opt().body_timeout_seconds);
    auto stall = SteadyClock::now() + grace;
    size_t rate = opt().body_min_bytes_per_second;
    if (rate == 0) return stall;
    auto earned = std::chrono::microseconds(static_cast<int64_t>(static_cast<double>(body_bytes_) * 1e6 / rate));
    return std::min(stall, body_start_ + grace + earned);
  }

  void ReadBody() {
    if (parser_->is_done()) return OnRequest();
    stream_.expires_at(BodyDeadline());
    bhttp::async_read_some(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->OnReadError(ec);
      self->body_bytes_ += n;
      self->ReadBody();
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return FailBodyTooLarge();
    if (ec == bhttp::error::header_limit) {
      return Fail(ErrorKind::kHeadersTooLarge, "The request line and headers exceed " +
                                                   std::to_string(opt().max_header_bytes) + " bytes");
    }
    if (ec == bhttp::error::bad_version) {
      // Beast reads only HTTP/1.x. A client that speaks HTTP/2 without
      // asking first opens with "PRI * HTTP/2.0".
      auto data = buffer_.cdata();
      std::string_view seen(static_cast<const char*>(data.data()), data.size());
      return Fail(ErrorKind::kVersionNotSupported, seen.starts_with("PRI * HTTP/2")
                                                       ? "HTTP/2 is not supported: use HTTP/1.1"
                                                       : "Only HTTP/1.0 and HTTP/1.1 are supported");
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == asio::error::eof ||
        ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted) {
      return Close();
    }
    Fail(ErrorKind::kMalformed, "Malformed HTTP request: " + ec.message());
  }

  void FailBodyTooLarge() {
    Fail(ErrorKind::kBodyTooLarge,
         "The request body exceeds the limit of " + std::to_string(opt().max_body_bytes) + " bytes");
  }

  // Answers an error the server found itself, then closes the connection.
  void Fail(ErrorKind kind, const std::string& detail) {
    body_reservation_.Reset();
    Write(ctx_.render_error(kind, detail), /*keep_alive=*/false, /*linger=*/true);
  }

  void OnRequest() {
    bool keep_alive;
    Response resp;
    {
      auto msg = parser_->release();
      Request req;
      if (remote_.empty()) {  // once per connection
        beast::error_code ep_error;
        auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ep_error);
        if (!ep_error) remote_ = remote.address().to_string();
      }
      req.remote_address = remote_;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      for (const auto& f : msg) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      req.body = std::move(msg.body());
      keep_alive = msg.keep_alive();
      // A compressed body is inflated here, after it has arrived in full
      // (its received size is bounded and paid for like any body), into a
      // buffer that grows only as far as the body limit, each step taken
      // from the budget first.
      size_t factor = std::max<size_t>(opt().body_cost_factor, 1);
      auto grow = [this, factor](size_t n) { return body_reservation_.TryGrow(n * factor); };
      if (auto error = DecodeRequestBody(req, opt().max_body_bytes, grow)) {
        // The body was read to its end, so the connection may go on.
        resp = ctx_.render_error(error->kind, error->detail);
      } else {
        resp = ctx_.handler(req);
      }
    }  // the request body is freed here, before its bytes go back to the budget
    parser_.reset();
    body_reservation_.Reset();
    Write(std::move(resp), keep_alive, /*linger=*/false);
  }

  void Write(Response r, bool keep_alive, bool linger) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->result(static_cast<unsigned>(r.status));
    // An HTTP/1.0 client gets an HTTP/1.0 response (keep_alive then adds
    // "Connection: keep-alive" only if it asked for it).
    res->version(version_);
    res->set(bhttp::field::date, CurrentHttpDate());
    if (!opt().server_header.empty()) res->set(bhttp::field::server, opt().server_header);
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    size_t bytes = res->body().size();
    // The response exists already: it is counted, never refused.
    ctx_.budget.ForceAcquire(bytes);
    response_reservation_ = Reservation(&ctx_.budget, bytes);
    // One write for the whole response, so its deadline cannot follow its
    // progress: it gets the grace plus the time its size takes at the
    // minimum rate.
    auto deadline = std::chrono::seconds(opt().body_timeout_seconds);
    if (size_t rate = opt().body_min_bytes_per_second; rate > 0) {
      deadline += std::chrono::seconds(bytes / rate);
    }
    stream_.expires_after(deadline);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res, linger](beast::error_code ec, size_t) {
      self->response_reservation_.Reset();
      if (ec) return self->Close();
      if (!res->keep_alive()) return linger ? self->LingerThenClose() : self->Close();
      self->AwaitRequest();
    });
  }

  void LingerThenClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLinger);
    Drain();
  }

  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kBodyReadChunk), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      self->Drain();
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Context& ctx_;
  asio::steady_timer timer_;  // the wait for memory budget
  std::string remote_;        // the client address, read once
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Reservation body_reservation_;
  Reservation response_reservation_;
  SteadyClock::time_point body_start_;
  size_t body_bytes_ = 0;
  bool waiting_ = false;  // for memory budget
  uint64_t wait_id_ = 0;
  unsigned version_ = 11;  // of the request being answered: 10 or 11
};

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
    acceptor->async_accept(peer, [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (OutOfDescriptors(ec)) return OnOutOfDescriptors(ec);
      if (!ec) OnAccepted(std::move(socket));
      Accept();
    });
  }

  void OnAccepted(tcp::socket socket) {
    int max = ctx.options.max_connections;
    if (max > 0 && ctx.connections.load(std::memory_order_relaxed) >= max) {
      Refuse(socket.release());
      LogRefusals("connection limit of " + std::to_string(max) + " reached");
      return;
    }
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    ctx.connections.fetch_add(1, std::memory_order_relaxed);
    auto session = std::make_shared<Session>(std::move(socket), ctx);
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
