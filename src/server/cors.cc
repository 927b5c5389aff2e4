#include "server/cors.h"

#include <algorithm>

#include "server/responses.h"

namespace basalt::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

CorsPolicy::CorsPolicy(std::string_view origins) {
  while (!origins.empty()) {
    size_t comma = origins.find(',');
    std::string_view origin = Trim(origins.substr(0, comma));
    origins = comma == std::string_view::npos ? std::string_view() : origins.substr(comma + 1);
    if (origin == "*") any_ = true;
    if (!origin.empty()) origins_.emplace_back(origin);
  }
}

bool CorsPolicy::Allows(std::string_view origin) const {
  if (origin.empty()) return false;
  return any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

std::optional<http::Response> CorsPolicy::Preflight(const http::Request& req) const {
  if (req.method != "OPTIONS" || req.Header("Origin").empty()) return std::nullopt;
  std::string_view method = req.Header("Access-Control-Request-Method");
  if (method.empty()) return std::nullopt;
  std::string_view headers = req.Header("Access-Control-Request-Headers");
  if (headers.empty()) {
    // Local's words and type (its packagePreFlight).
    return DynamoErrorResponse(400, "com.amazon.coral.validate#ValidationException", "Invalid PreFlight Headers");
  }
  http::Response r;
  r.headers.emplace_back("x-amzn-RequestId", NewRequestId());
  r.headers.emplace_back("Access-Control-Allow-Methods", std::string(method));
  r.headers.emplace_back("Access-Control-Allow-Headers", std::string(headers));
  r.headers.emplace_back("Access-Control-Max-Age", "1728000");
  return r;
}

void CorsPolicy::AddHeaders(const http::Request& req, http::Response& resp) const {
  std::string_view origin = req.Header("Origin");
  if (!Allows(origin)) return;
  resp.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  resp.headers.emplace_back("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amz-crc32");
  resp.headers.emplace_back("Vary", "Origin");
}

}  // namespace basalt::server
