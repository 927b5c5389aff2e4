#include "server/handler.h"

#include <algorithm>

#include "auth/principals.h"
#include "common/crc32.h"
#include "common/log.h"
#include "http/content_coding.h"
#include "server/responses.h"

namespace basalt::server {
namespace {

std::string_view Path(std::string_view target) { return target.substr(0, target.find('?')); }

// Basalt's own endpoints and routes, which are not DynamoDB operations: with
// a verifier they need a valid signature of the account's root (they are not
// in IAM's action set), except the paths `public_paths` opens to everyone.
std::optional<http::Response> OwnEndpoints(const HandlerOptions& o, const http::Request& req) {
  std::string_view path = Path(req.target);
  auto claims = [&](const std::string& prefix) { return path.starts_with(prefix); };
  const PathRoute* route = nullptr;
  for (const PathRoute& r : o.routes) {
    if (claims(r.prefix)) route = &r;
  }
  bool claimed = route || std::any_of(o.endpoints.begin(), o.endpoints.end(),
                                      [&](const Endpoint& e) { return claims(e.prefix); });
  if (!claimed) return std::nullopt;
  bool open = std::find(o.public_paths.begin(), o.public_paths.end(), path) != o.public_paths.end() ||
              std::any_of(o.endpoints.begin(), o.endpoints.end(),
                          [&](const Endpoint& e) { return claims(e.prefix) && e.open && e.open(path); });
  if (o.verifier && !open) {  // decided before anything runs
    auth::SignedRequest signed_req{req.method, req.target, &req.headers, &req.sent_encodings,
                                   req.sent_encodings.empty() ? std::string_view(req.body) : req.sent_body};
    auto verified = o.verifier->Verify(signed_req);
    if (!verified.ok() || !(*verified)->root) {
      api::ApiResponse r = verified.ok() ? api::Router::ErrorFor(Status(
                                               Code::kAccessDenied, "User: " + (*verified)->arn +
                                                                        " is not authorized to use " + std::string(path) +
                                                                        ": Basalt's own endpoints are for the root"))
                                         : api::Router::ErrorFor(verified.status());
      http::Response resp;
      resp.status = r.status;
      resp.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
      resp.body = std::move(r.body);
      return resp;
    }
  }
  for (const Endpoint& e : o.endpoints) {
    if (!claims(e.prefix)) continue;
    if (auto answer = e.handler(req)) return answer;
  }
  if (route) return route->handler(req);
  return std::nullopt;
}

http::Response Handle(const api::Router& router, const CorsPolicy& cors, const std::string& version,
                      const HandlerOptions& options, const http::Request& req) {
  const auth::SigV4Verifier* verifier = options.verifier;
  auth::AuditSink* audit = options.audit;
  if (auto preflight = cors.Preflight(req)) return *std::move(preflight);
  if (auto own = OwnEndpoints(options, req)) return *std::move(own);
  if (req.method == "GET" && Path(req.target) == "/") {
    // The health check load balancers and scripts poll, where DynamoDB has
    // one ("healthy: dynamodb.<region>.amazonaws.com"). Only at "/": a GET
    // of any other path is a request like any other, as DynamoDB Local
    // treats it (3.3.0: MissingAuthenticationToken without credentials,
    // else its answer to a request without X-Amz-Target).
    http::Response health;
    health.headers.emplace_back("Content-Type", "text/plain");
    health.body = "healthy: basalt " + version;
    return health;
  }
  if (req.method != "POST" && req.method != "GET") {
    return DynamoErrorResponse(405, "com.amazon.coral.service#UnknownOperationException",
                               "Method " + req.method + " is not allowed: use POST");
  }
  std::shared_ptr<const auth::Principal> principal;
  api::ApiResponse r;
  if (verifier) {
    auth::SignedRequest signed_req{req.method, req.target, &req.headers, &req.sent_encodings,
                                   req.sent_encodings.empty() ? std::string_view(req.body) : req.sent_body};
    auto verified = verifier->Verify(signed_req);
    if (verified.ok()) {
      principal = *std::move(verified);
    } else {
      r = api::Router::ErrorFor(verified.status());
      if (audit) {  // a request that failed authentication: who it claimed to be, what it asked
        std::string_view target = req.Header("X-Amz-Target");
        std::string action = "dynamodb:" + std::string(target.substr(target.find('.') == std::string_view::npos
                                                                          ? target.size()
                                                                          : target.find('.') + 1));
        auth::AuditEvent e{auth::CredentialHintOf(req.Header("Authorization")).access_key_id, action, "*",
                           req.remote_address, "denied", api::Router::ErrorName(verified.status())};
        audit->Record(e);
      }
    }
  }
  if (!verifier || principal) {
    r = router.Handle(api::ApiRequest{req.Header("X-Amz-Target"), req.Header("Authorization"), req.Header("Host"),
                                      req.body, principal.get(), req.remote_address});
  }
  if (r.status == 500) Log(LogLevel::kError, "internal error answering " + std::string(req.Header("X-Amz-Target")));
  http::Response resp;
  resp.status = r.status;
  resp.headers.reserve(4);  // grown one by one, the list was 3 allocations
  resp.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
  resp.headers.emplace_back("x-amzn-RequestId", NewRequestId());
  resp.body = std::move(r.body);
  if (resp.body.size() > kCompressResponsesOver) {
    http::ContentCoding coding = http::ResponseCoding(req);
    if (auto encoded = http::Encode(coding, resp.body)) {
      resp.body = *std::move(encoded);
      resp.headers.emplace_back("Content-Encoding", std::string(http::CodingName(coding)));
    }
  }
  // The CRC of the body as sent, compressed or not: the service's
  // X-Amz-Crc32 covers the gzipped bytes (newer-features.md section 3), and
  // that is what botocore checks (retries/special.py and retryhandler.py
  // compute crc32 over the raw content, read with decode_content=False) and
  // what Go v2 validates before it decompresses. The JavaScript SDK v3 does
  // not check it.
  resp.headers.emplace_back("x-amz-crc32", std::to_string(Crc32(resp.body)));
  return resp;
}

}  // namespace

http::Handler MakeHandler(const api::Router* router, const CorsPolicy* cors, std::string version,
                          HandlerOptions options) {
  return [router, cors, options = std::move(options), version = std::move(version)](const http::Request& req) {
    http::Response resp = Handle(*router, *cors, version, options, req);
    cors->AddHeaders(req, resp);
    return resp;
  };
}

}  // namespace basalt::server
