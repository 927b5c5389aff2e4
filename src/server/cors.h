// Cross-origin requests from browsers, as DynamoDB Local's -cors flag has
// them (the service has no such flag, so Local is the reference; observed
// with DynamoDB Local 3.3.0, whose LocalDynamoDBServerHandler does this):
//   - a preflight (OPTIONS with Origin and Access-Control-Request-Method) is
//     answered 200 with an empty body, echoing the requested method and
//     headers, and Access-Control-Max-Age 1728000 (20 days), whether or not
//     -cors was given; one without Access-Control-Request-Headers gets a
//     400 ValidationException "Invalid PreFlight Headers";
//   - every response (preflights, errors, successes) to a request whose
//     Origin is allowed carries Access-Control-Allow-Origin: <that origin>.
// Basalt differs in two ways. "-cors *" allows every origin, as Local's
// documentation says it should; Local 3.3.0 puts "*" in its set of origins
// and so allows only a request whose Origin is literally "*". And an
// allowed response also exposes x-amzn-RequestId and x-amz-crc32 to
// scripts (which Local does not, leaving the SDK without a request id) and
// says Vary: Origin, since the answer depends on it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/server.h"

namespace basalt::server {

class CorsPolicy {
 public:
  // `origins` is -cors's value: "*", or origins separated by commas (each
  // trimmed, as Local does). Empty: no origin is allowed.
  explicit CorsPolicy(std::string_view origins = "");

  bool Allows(std::string_view origin) const;

  // The answer to `req` if it is a preflight, else nullopt.
  std::optional<http::Response> Preflight(const http::Request& req) const;

  // Adds the headers an allowed origin gets to `resp`.
  void AddHeaders(const http::Request& req, http::Response& resp) const;

 private:
  bool any_ = false;
  std::vector<std::string> origins_;
};

}  // namespace basalt::server
