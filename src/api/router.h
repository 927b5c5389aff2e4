// The DynamoDB protocol: from an HTTP request's target, authorization and
// JSON body to a response body and status. Knows nothing of sockets.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "db/database.h"

namespace basalt::api {

struct ApiRequest {
  std::string_view target;         // X-Amz-Target
  std::string_view authorization;  // Authorization header, empty when absent
  std::string_view host;           // Host header
  std::string_view body;
};

struct ApiResponse {
  int status = 200;
  std::string body;
};

struct RouterOptions {
  bool shared_db = false;  // one table namespace for every region
};

class Router {
 public:
  Router(db::Database* db, RouterOptions options) : db_(db), options_(options) {}

  // Never throws: a stray exception becomes an InternalServerError response.
  ApiResponse Handle(const ApiRequest& request) const;

 private:
  // Handle without the metrics.
  ApiResponse Route(const ApiRequest& request) const;

  db::Database* db_;
  RouterOptions options_;
};

// The region named in a SigV4 Authorization header's credential scope, or
// "us-east-1" when it cannot be found.
std::string RegionFromAuthorization(std::string_view authorization);

}  // namespace basalt::api
