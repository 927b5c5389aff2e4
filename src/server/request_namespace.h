// What a request to Basalt's own endpoints (/basalt/..., /contributor-insights)
// is about: its query parameters, and the table namespace it names, found as
// the DynamoDB router finds a request's (db/account.h).
#pragma once

#include <string>
#include <string_view>

#include "http/server.h"

namespace basalt::server {

// The value of query parameter `name` in `target` (percent-decoded, '+' as a
// space), or `fallback` when it is absent or empty.
std::string QueryParam(std::string_view target, std::string_view name, std::string fallback = "");

// How accounts map to namespaces on this server.
struct NamespaceRule {
  bool shared_db = false;         // -sharedDb: one namespace
  std::string legacy_access_key;  // --legacy-access-key: this key id is the default account's
};

struct RequestNamespace {
  std::string ns;
  std::string region;
};

// region: ?region=, else the Authorization header's credential scope, else
// us-east-1. account: ?account= (12 digits), else ?access_key= (mapped as
// --auth=none maps key ids), else the Authorization header's access key id
// (a test suite's own signed request names its own tables), else the
// default account.
RequestNamespace NamespaceOf(const http::Request& req, const NamespaceRule& rule);

}  // namespace basalt::server
