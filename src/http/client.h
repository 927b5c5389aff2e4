// A small HTTP/1.1 client for the server's own outgoing calls (stream
// triggers POST events to handlers). One request per connection, plain
// http:// only, a deadline over the whole exchange.
#pragma once

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace basalt::http {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct Url {
  std::string host;
  std::string port = "80";
  std::string target = "/";  // path and query
};

// Parses "http://host[:port][/path]"; an error for anything else (https
// included: handlers run on the same machine).
Result<Url> ParseUrl(const std::string& text);

// POSTs `body` to `url` with the given headers; an error when the exchange
// fails, takes longer than `timeout_seconds`, or `cancel` turns true (looked
// at every 100 ms). Any HTTP status is a response.
Result<ClientResponse> Post(const Url& url, const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers, double timeout_seconds,
                            const std::atomic<bool>* cancel = nullptr);

// GETs `url` (as Post does, without a body).
Result<ClientResponse> Get(const Url& url, const std::vector<std::pair<std::string, std::string>>& headers,
                           double timeout_seconds);

}  // namespace basalt::http
