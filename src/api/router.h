// The DynamoDB protocol: from an HTTP request's target, authorization and
// JSON body to a response body and status. Knows nothing of sockets.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "auth/audit.h"
#include "auth/principals.h"
#include "auth/resource_policies.h"
#include "common/clock.h"
#include "db/database.h"

namespace basalt::api {

struct ApiRequest {
  std::string_view target;         // X-Amz-Target
  std::string_view authorization;  // Authorization header, empty when absent
  std::string_view host;           // Host header
  std::string_view body;
  // With --auth=sigv4: who signed the request (verified by the caller);
  // null with --auth=none, where the access key id names the account.
  const auth::Principal* principal = nullptr;
  std::string_view source_ip = {};
};

struct ApiResponse {
  int status = 200;
  std::string body;
};

struct RouterOptions {
  bool shared_db = false;  // one table namespace for every account and region
  // --auth=none: the access key id whose account is the default one (which
  // owns tables made before accounts existed); others get accounts of their own.
  std::string legacy_access_key;
  // --auth=sigv4: the principals, for the admin API and policy evaluation.
  auth::PrincipalStore* principals = nullptr;
  const Clock* clock = nullptr;
  // Control-plane calls and denied requests are recorded here when set.
  auth::AuditSink* audit = nullptr;
  // Resource-based policies (PutResourcePolicy ...); null: those operations are unknown.
  auth::ResourcePolicies* resource_policies = nullptr;
};

class Router {
 public:
  Router(db::Database* db, RouterOptions options) : db_(db), options_(std::move(options)) {}

  // Never throws: a stray exception becomes an InternalServerError response.
  ApiResponse Handle(const ApiRequest& request) const;

  // DynamoDB's response for an error (its __type, status and message).
  static ApiResponse ErrorFor(const Status& st);
  // The error's __type without its namespace ("AccessDeniedException").
  static std::string_view ErrorName(const Status& st);

 private:
  // Handle without the metrics.
  ApiResponse Route(const ApiRequest& request) const;
  void Audit(const ApiRequest& req, const std::string& action, const std::string& resource, const Status& st) const;

  db::Database* db_;
  RouterOptions options_;
};

// The region named in a SigV4 Authorization header's credential scope, or
// "us-east-1" when it cannot be found.
std::string RegionFromAuthorization(std::string_view authorization);

}  // namespace basalt::api
