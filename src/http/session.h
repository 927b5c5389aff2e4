// The connection of http/server.cc, shared with http/tls.cc (which runs it
// over TLS): included only by those two files, the only ones that include
// Boost.Asio and Beast.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "common/log.h"
#include "http/content_coding.h"
#include "http/limits.h"
#include "http/request_parser.h"
#include "http/response_head.h"
#include "http/server.h"
#include "http/tls.h"

namespace basalt::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
// A connection's socket and timers are bound to its thread's io_context by
// type: with the type-erased any_io_executor, every operation copied,
// compared and destroyed an executor through function pointers. This and
// the connection's own deadline (Session::ExpireAt), which replaced Beast's
// tcp_stream, took `GET /` from 13,300 instructions to 6,800 and GetItem
// from 46,300 to 39,200 (callgrind, bench/instructions.py).
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Timer = asio::basic_waitable_timer<SteadyClock, asio::wait_traits<SteadyClock>, Executor>;

// Reads of a body go through the connection's buffer in chunks of this size
// (Beast reads what the buffer's spare capacity allows, at least 512 bytes,
// so a 16 MiB body could take 32k reads).
constexpr size_t kBodyReadChunk = 64 * 1024;
// The read that waits for a request asks for this much (a request from an
// SDK, headers and a small body, is 1-2 KiB).
constexpr size_t kFirstReadBytes = 4096;
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

inline std::string MiB(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// The Date header, formatted once a second per thread.
inline const std::string& CurrentHttpDate() {
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    cached = HttpDate(now);
  }
  return cached;
}

// One connection, over a plain TCP stream or a TLS stream on one.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  // The acceptor counted this connection in ctx.connections already.
  Session(Stream stream, Context& ctx)
      : stream_(std::move(stream)), ctx_(ctx), timer_(stream_.get_executor()), deadline_timer_(stream_.get_executor()) {}
  ~Session() { ctx_.connections.fetch_sub(1, std::memory_order_relaxed); }

  void Run() {
    ExpireAfter(std::chrono::seconds(ctx_.options.header_timeout_seconds));
    ReadHeader();
  }
  Executor executor() { return stream_.get_executor(); }

 private:
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;
  using std::enable_shared_from_this<Session<Stream>>::weak_from_this;
  const ServerOptions& opt() const { return ctx_.options; }
  Socket& Lowest() { return beast::get_lowest_layer(stream_); }

  // The connection's deadline: when it passes, the socket is closed and the
  // read or write waiting on it completes with operation_aborted. One timer
  // per connection, armed lazily: moving the deadline later only stores it,
  // and the timer, when it fires before the deadline, waits again for the
  // deadline it finds then. Beast's tcp_stream armed a timer for every read
  // and every write and cancelled it when the operation completed (a timer
  // queue insertion, a cancellation and an aborted handler run through the
  // scheduler, twice per request).
  void ExpireAt(SteadyClock::time_point t) {
    deadline_ = t;
    if (t < armed_for_) Arm(t);
  }
  void ExpireAfter(SteadyClock::duration d) { ExpireAt(SteadyClock::now() + d); }
  void ExpireNever() { deadline_ = SteadyClock::time_point::max(); }

  void Arm(SteadyClock::time_point t) {
    armed_for_ = t;
    deadline_timer_.expires_at(t);  // an earlier wait completes with operation_aborted
    // The wait does not keep the connection alive: a connection that ended
    // is freed at once, not when its deadline would have passed.
    deadline_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->OnTimer();
    });
  }

  void OnTimer() {
    armed_for_ = SteadyClock::time_point::max();
    if (deadline_ == SteadyClock::time_point::max()) return;
    if (SteadyClock::now() < deadline_) return Arm(deadline_);
    beast::error_code ec;
    Lowest().close(ec);
  }

  // Between requests on a kept-alive connection: the idle timeout runs until
  // the next request's first byte, the header timeout from then on.
  void AwaitRequest() {
    if (buffer_.size() > 0) {
      ExpireAfter(std::chrono::seconds(opt().header_timeout_seconds));
      return ReadHeader();
    }
    if (buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
    ExpireAfter(std::chrono::seconds(opt().idle_timeout_seconds));
    ReadMore(kFirstReadBytes, [](Session& s) {
      s.ExpireAfter(std::chrono::seconds(s.opt().header_timeout_seconds));
      s.ReadHeader();
    });
  }

  // The parser is fed from buffer_ by hand rather than through Beast's
  // async_read_header/async_read_some: a request that arrived whole (the
  // usual case) is then parsed and answered within the completion of the
  // read that brought it, where Beast's composed reads completed twice more
  // through the scheduler (~6,000 instructions per GetItem, callgrind).
  //
  // Feeds what buffer_ holds to the parser: true when it made progress,
  // false when it needs more bytes; an error goes to OnReadError (and false).
  bool Feed(bool* failed) {
    *failed = false;
    if (buffer_.size() == 0) return false;
    beast::error_code ec;
    size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) return false;
    if (ec) {
      *failed = true;
      OnReadError(ec);
      return false;
    }
    return used > 0;
  }

  // Reads at least one more byte into buffer_ (up to `want`), then calls
  // next(*this). The deadline is the caller's.
  template <class Next>
  void ReadMore(size_t want, Next next) {
    size_t room = std::max(want, buffer_.capacity() - buffer_.size());
    stream_.async_read_some(buffer_.prepare(room), [self = shared_from_this(), next](beast::error_code ec, size_t n) {
      if (ec) return self->OnReadError(self->parser_ && self->parser_->got_some() && ec == asio::error::eof
                                            ? beast::error_code(bhttp::error::partial_message)
                                            : ec);
      self->buffer_.commit(n);
      next(*self);
    });
  }

  // The deadline set by the caller covers the whole request line and headers.
  void ReadHeader() {
    version_ = 11;  // until this request's line says otherwise
    parser_.emplace(&request_);
    parser_->header_limit(static_cast<uint32_t>(opt().max_header_bytes));
    parser_->body_limit(opt().max_body_bytes);
    ParseHeader();
  }

  void ParseHeader() {
    bool failed = false;
    while (!parser_->is_header_done()) {
      if (Feed(&failed)) continue;
      if (failed) return;
      return ReadMore(kFirstReadBytes, [](Session& s) { s.ParseHeader(); });
    }
    OnHeader({});
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (parser_->version() != 10 && parser_->version() != 11) {
      return Fail(ErrorKind::kVersionNotSupported, "Only HTTP/1.0 and HTTP/1.1 are supported");
    }
    version_ = static_cast<unsigned>(parser_->version());
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
    ExpireNever();  // the wait has its own limit, memory_wait_ms
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
    if (beast::iequals(request_.Header("expect"), "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, version_);
      ExpireAfter(std::chrono::seconds(opt().body_timeout_seconds));
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
    bool failed = false;
    while (!parser_->is_done()) {
      size_t buffered = buffer_.size();
      if (Feed(&failed)) {
        body_bytes_ += buffered - buffer_.size();
        continue;
      }
      if (failed) return;
      ExpireAt(BodyDeadline());
      return ReadMore(kBodyReadChunk, [](Session& s) { s.ReadBody(); });
    }
    OnRequest();
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
        ec == asio::error::connection_reset ||
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
      Request& req = request_;
      if (req.remote_address.empty()) {  // once per connection
        beast::error_code ep_error;
        auto remote = Lowest().remote_endpoint(ep_error);
        if (!ep_error) req.remote_address = remote.address().to_string();
      }
      keep_alive = parser_->keep_alive();
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
      // The request body is freed here, before its bytes go back to the budget.
      std::string().swap(req.body);
      std::string().swap(req.sent_body);
    }
    parser_.reset();
    body_reservation_.Reset();
    Write(std::move(resp), keep_alive, /*linger=*/false);
  }

  // The head is written by hand into head_, whose capacity the connection
  // keeps, and goes out with the body in one gather write (one writev).
  // Beast's serializer did this in ~21,000 instructions per response; this
  // path takes ~4,000 (callgrind, one GetItem: 85,500 -> 62,400 in all;
  // GET /: 36,000 -> 17,800).
  void Write(Response r, bool keep_alive, bool linger) {
    // An HTTP/1.0 client gets an HTTP/1.0 response (with "Connection:
    // keep-alive" only if it asked for it).
    body_ = std::move(r.body);
    head_.clear();
    AppendResponseHead(head_, r, version_, keep_alive, CurrentHttpDate(), opt().server_header, body_.size());
    size_t bytes = body_.size();
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
    ExpireAfter(deadline);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(stream_, buffers,
                      [self = shared_from_this(), keep_alive, linger](beast::error_code ec, size_t) {
                        self->response_reservation_.Reset();
                        std::string().swap(self->body_);  // an idle connection holds no body
                        if (ec) return self->Close();
                        if (!keep_alive) return linger ? self->LingerThenClose() : self->Close();
                        self->AwaitRequest();
                      });
  }

  void LingerThenClose() {
    beast::error_code ec;
    Lowest().shutdown(tcp::socket::shutdown_send, ec);
    ExpireAfter(kLinger);
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
    Lowest().shutdown(tcp::socket::shutdown_send, ec);
    Lowest().close(ec);
  }

  Stream stream_;
  Context& ctx_;
  Timer timer_;           // the wait for memory budget
  Timer deadline_timer_;  // see ExpireAt
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  SteadyClock::time_point armed_for_ = SteadyClock::time_point::max();  // deadline_timer_'s wait, if any
  std::string head_;          // the response head being written
  std::string body_;          // the response body being written
  beast::flat_buffer buffer_;
  std::optional<RequestReader> parser_;  // of the request being read, into request_
  Request request_;  // kept between requests: its header vector's capacity, the client address
  Reservation body_reservation_;
  Reservation response_reservation_;
  SteadyClock::time_point body_start_;
  size_t body_bytes_ = 0;
  bool waiting_ = false;  // for memory budget
  uint64_t wait_id_ = 0;
  unsigned version_ = 11;  // of the request being answered: 10 or 11
};

// Runs a connection accepted on a TLS listener: the handshake, then a
// Session over TLS (http/tls.cc).
void StartTls(Tls& tls, Socket socket, Context& ctx);

}  // namespace basalt::http::internal
