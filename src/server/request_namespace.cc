#include "server/request_namespace.h"

#include <cctype>

#include "auth/sigv4.h"
#include "db/account.h"

namespace basalt::server {
namespace {

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

}  // namespace

std::string QueryParam(std::string_view target, std::string_view name, std::string fallback) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return fallback;
  std::string_view query = target.substr(q + 1);
  std::string key = std::string(name) + "=";
  while (!query.empty()) {
    std::string_view part = query.substr(0, query.find('&'));
    if (part.starts_with(key) && part.size() > key.size()) return PercentDecode(part.substr(key.size()));
    if (part.size() == query.size()) break;
    query.remove_prefix(part.size() + 1);
  }
  return fallback;
}

RequestNamespace NamespaceOf(const http::Request& req, const NamespaceRule& rule) {
  auth::CredentialHint hint = auth::CredentialHintOf(req.Header("Authorization"));
  RequestNamespace out;
  out.region = QueryParam(req.target, "region", hint.region.empty() ? "us-east-1" : std::string(hint.region));
  std::string account = QueryParam(req.target, "account");
  if (account.empty()) {
    std::string key = QueryParam(req.target, "access_key", std::string(hint.access_key_id));
    account = key == rule.legacy_access_key ? std::string(db::kDefaultAccount) : db::AccountForAccessKey(key);
  }
  out.ns = db::NamespaceFor(account, out.region, rule.shared_db);
  return out;
}

}  // namespace basalt::server
