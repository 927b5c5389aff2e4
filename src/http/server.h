// An HTTP/1.1 server: keep-alive, many concurrent connections, bounded
// request sizes and timeouts for slow or idle clients. It knows nothing of
// DynamoDB; the handler decides every response.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace basalt::http {

struct Request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

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

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;        // 0 picks a free port
  int threads = 16;            // handler threads; blocking writes need several
  size_t max_body_bytes = 16 * 1024 * 1024;
  int idle_timeout_seconds = 120;  // a kept-alive connection with no request is closed
  int request_timeout_seconds = 60;  // a request must arrive whole within this time
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();

  // Binds and starts serving on background threads.
  Status Start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Stops accepting, closes connections and joins the threads.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace basalt::http
