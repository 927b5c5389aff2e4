// An HTTP/1.1 server: keep-alive, many concurrent connections, bounded
// request sizes and timeouts for slow or idle clients, request bodies
// decoded from gzip or deflate (content_coding.h). It knows nothing of
// DynamoDB; the handler decides every response.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace basalt::http {

class Tls;  // tls.h

struct Request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  // Decoded: a body sent with Content-Encoding gzip or deflate arrives here
  // inflated, and its Content-Encoding headers are gone.
  std::string body;
  // When the body was decoded: the bytes and the Content-Encoding headers as
  // they were sent, which a request signature covers. Empty otherwise.
  std::string sent_body;
  std::vector<std::pair<std::string, std::string>> sent_encodings;
  std::string remote_address;  // the client's IP address

  // The first header with this name (case-insensitive), or "".
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Called on a server thread; may block (it runs a storage write). Must not throw.
using Handler = std::function<Response(const Request&)>;

// What went wrong below the handler, for a response the server sends itself.
enum class ErrorKind {
  kMalformed,            // not well-formed HTTP/1.x (bad framing, bad Content-Length)
  kHeadersTooLarge,      // request line and headers over max_header_bytes
  kBodyTooLarge,         // body over max_body_bytes (declared, or as it arrived)
  kVersionNotSupported,  // a protocol other than HTTP/1.0 and 1.1 (an HTTP/2 preface)
  kOverloaded,           // the memory budget stayed full for memory_wait_ms (or
                         // could not hold a body being decompressed)
  kTooManyConnections,   // max_connections reached, or no descriptor left
  kUnsupportedEncoding,  // a Content-Encoding other than gzip, deflate and identity
  kUndecodableBody,      // a body not valid in its Content-Encoding: corrupt,
                         // truncated, empty, or with data after its end
};

// Renders the response for an error the server answers itself; `detail` says
// what was wrong in words. The status and headers are the renderer's to
// choose (Content-Length and Connection are set by the server).
using ErrorRenderer = std::function<Response(ErrorKind kind, std::string_view detail)>;

// A plain-text rendering: 400, 431, 413, 505, 503 or 415 with the detail as body.
Response PlainErrorResponse(ErrorKind kind, std::string_view detail);

// Every resource a client can hold is bounded: connections, the time to send
// a request, the rate of a body, and the bytes of bodies in flight.
struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;        // 0 picks a free port
  int threads = 16;            // handler threads; blocking writes need several
  size_t max_body_bytes = 16 * 1024 * 1024;
  size_t max_header_bytes = 64 * 1024;  // request line and headers together
  // Connections open at once; beyond it a new connection gets a canned
  // kTooManyConnections response and is closed at once. 0: no limit.
  int max_connections = 0;
  // A new connection must deliver its request line and headers within this
  // time, and so must a kept-alive one once the first byte of its next
  // request has arrived.
  int header_timeout_seconds = 10;
  // A kept-alive connection with no request under way is closed after this.
  int idle_timeout_seconds = 60;
  // A body (and a response being written) may stall for at most this long,
  // and must keep up an average of body_min_bytes_per_second beyond this
  // grace: by time t after it started, at least (t - grace) * rate bytes.
  int body_timeout_seconds = 10;
  size_t body_min_bytes_per_second = 64 * 1024;
  // Bytes of request and response bodies held at once (MemoryBudget); a
  // request that does not fit waits this long, then gets kOverloaded.
  size_t memory_budget_bytes = size_t{256} << 20;
  int memory_wait_ms = 1000;
  // What a request takes from the budget, as a multiple of its body size:
  // the body itself plus what the handler needs to decode it. A compressed
  // body takes this much of its received size before it is read, and this
  // much of its decompressed size, step by step, as it is inflated.
  size_t body_cost_factor = 1;
  // The Server header of every response; empty: none.
  std::string server_header;
  // When set, every connection speaks TLS (http/tls.h).
  std::shared_ptr<Tls> tls;
};

// An HTTP date (RFC 9110 5.6.7, IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::time_t t);

class Server {
 public:
  // `render_error` (PlainErrorResponse when empty) answers the errors the
  // server detects itself, so that a protocol on top can give them its shape.
  Server(ServerOptions options, Handler handler, ErrorRenderer render_error = nullptr);
  ~Server();

  // Binds and starts serving on background threads.
  Status Start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Stops accepting, closes connections and joins the threads.
  void Stop();

  // Connections open now, and bytes of the memory budget in use.
  int connections() const;
  size_t budget_used() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace basalt::http
