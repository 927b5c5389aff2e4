// The HTTP handler: what Basalt adds around the DynamoDB router. CORS
// (cors.h), the health check at GET /, response compression as the client's
// Accept-Encoding allows, and the headers every DynamoDB response carries
// (x-amzn-RequestId, and x-amz-crc32 over the bytes as sent).
#pragma once

#include <cstddef>
#include <string>

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

// `router` and `cors` must outlive the handler. `version` goes into the
// health check's answer.
// With a `verifier` (--auth=sigv4) every request but the health check must
// carry a valid signature over the bytes as sent.
http::Handler MakeHandler(const api::Router* router, const CorsPolicy* cors, std::string version,
                          const auth::SigV4Verifier* verifier = nullptr, auth::AuditSink* audit = nullptr);

}  // namespace basalt::server
