// The HTTP handler: what Basalt adds around the DynamoDB router. CORS
// (cors.h), the health check at GET /, GET /metrics and
// GET /contributor-insights (metrics_text.h), response compression as the client's
// Accept-Encoding allows, and the headers every DynamoDB response carries
// (x-amzn-RequestId, and x-amz-crc32 over the bytes as sent).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/router.h"
#include "auth/audit.h"
#include "auth/sigv4.h"
#include "http/server.h"
#include "server/cors.h"

namespace basalt::server {

// DynamoDB gzips a response for a client that accepts it once the body is
// over a small size: "~4 KB" as a user recalled it, and AWS staff confirm
// that small payloads stay uncompressed (reference/newer-features.md
// section 3). The exact figure is not documented; 4 KiB is the guess.
constexpr size_t kCompressResponsesOver = 4096;

// Requests whose path starts with `prefix` go to `handler` instead of the
// DynamoDB router (Lambda's event source mapping API, triggers/mapping_api.h).
struct PathRoute {
  std::string prefix;
  http::Handler handler;
};

// Basalt's own endpoints, tried in order before the routes: the monitoring
// ones (GET /metrics, GET /contributor-insights; server/metrics_text.h) and
// the admin ones under /basalt/ (server/admin.h). An endpoint claims the
// requests whose path starts with `prefix` (so authentication is decided
// before it runs) and answers them, or returns nullopt for one that is not
// its own after all.
struct Endpoint {
  std::string prefix;
  std::function<std::optional<http::Response>(const http::Request&)> handler;
  // The paths of the endpoint that need no signature even with a verifier
  // (the console's static files, which hold no data); none when empty.
  std::function<bool(std::string_view path)> open = nullptr;
};

// `router` and `cors` must outlive the handler. `version` goes into the
// health check's answer.
struct HandlerOptions {
  std::vector<PathRoute> routes;
  std::vector<Endpoint> endpoints;
  // With a `verifier` (--auth=sigv4) every request but the health check must
  // carry a valid signature over the bytes as sent; Basalt's own endpoints
  // and routes a signature of the account's root, except `public_paths`
  // (exact paths, e.g. /metrics with --metrics-public).
  const auth::SigV4Verifier* verifier = nullptr;
  auth::AuditSink* audit = nullptr;
  std::vector<std::string> public_paths;
};
http::Handler MakeHandler(const api::Router* router, const CorsPolicy* cors, std::string version,
                          HandlerOptions options = {});

}  // namespace basalt::server
