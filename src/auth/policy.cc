#include "auth/policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>

namespace basalt::auth {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IEquals(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

// Replaces ${key} with the key's single value (policies of Version
// 2012-10-17), ${*} ${?} ${$} with the character itself.
std::string Substitute(std::string_view v, const Policy& p, const RequestContext& ctx) {
  if (p.version != "2012-10-17" || v.find("${") == std::string_view::npos) return std::string(v);
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    size_t close = v[i] == '$' && i + 1 < v.size() && v[i + 1] == '{' ? v.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out.push_back(v[i]);
      continue;
    }
    std::string_view name = v.substr(i + 2, close - i - 2);
    if (name == "*" || name == "?" || name == "$") {
      out.append(name);
    } else if (const auto* vals = ctx.Find(name); vals && vals->size() == 1) {
      out.append((*vals)[0]);
    } else {
      out.append("\x01");  // an unknown variable matches nothing
    }
    i = close;
  }
  return out;
}

std::optional<double> ParseNumber(std::string_view s) {
  std::string t(s);
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  if (t.empty() || *end != '\0') return std::nullopt;
  return d;
}

std::optional<double> ParseDate(std::string_view s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return ParseNumber(s);  // epoch seconds
  }
  std::string t(s);
  for (const char* fmt : {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"}) {
    std::tm tm{};
    const char* end = strptime(t.c_str(), fmt, &tm);
    if (end && (*end == '\0' || (*end == '.' || *end == 'Z'))) return static_cast<double>(timegm(&tm));
  }
  return std::nullopt;
}

// Is address `ip` inside `cidr` ("10.0.0.0/8", "2001:db8::/32" or a bare address)?
bool IpInRange(std::string_view ip, std::string_view cidr) {
  std::string net(cidr.substr(0, cidr.find('/')));
  int bits = -1;
  if (size_t slash = cidr.find('/'); slash != std::string_view::npos) {
    auto n = ParseNumber(cidr.substr(slash + 1));
    if (!n) return false;
    bits = static_cast<int>(*n);
  }
  unsigned char a[16], b[16];
  std::string addr(ip);
  int family = addr.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (inet_pton(family, addr.c_str(), a) != 1 || inet_pton(family, net.c_str(), b) != 1) return false;
  int total = family == AF_INET ? 32 : 128;
  if (bits < 0 || bits > total) bits = total;
  for (int i = 0; i < bits; ++i) {
    int byte = i / 8, bit = 7 - i % 8;
    if (((a[byte] >> bit) & 1) != ((b[byte] >> bit) & 1)) return false;
  }
  return true;
}

// The operator without "Not": true when the request value matches the policy value.
bool MatchOne(std::string_view base, std::string_view req, std::string_view pol) {
  if (base == "StringEquals" || base == "ArnEquals") return base == "ArnEquals" ? WildcardMatch(pol, req, false) : req == pol;
  if (base == "StringEqualsIgnoreCase") return IEquals(req, pol);
  if (base == "StringLike" || base == "ArnLike") return WildcardMatch(pol, req, false);
  if (base == "Bool") return IEquals(req, pol);
  if (base == "IpAddress") return IpInRange(req, pol);
  if (base.starts_with("Numeric") || base.starts_with("Date")) {
    bool numeric = base.starts_with("Numeric");
    auto x = numeric ? ParseNumber(req) : ParseDate(req);
    auto y = numeric ? ParseNumber(pol) : ParseDate(pol);
    if (!x || !y) return false;
    std::string_view rel = base.substr(numeric ? 7 : 4);
    if (rel == "Equals") return *x == *y;
    if (rel == "LessThan") return *x < *y;
    if (rel == "LessThanEquals") return *x <= *y;
    if (rel == "GreaterThan") return *x > *y;
    if (rel == "GreaterThanEquals") return *x >= *y;
  }
  return false;
}

// Splits "StringNotEquals" into ("StringEquals", negated); "NotIpAddress" into ("IpAddress", negated).
std::pair<std::string, bool> Positive(std::string_view op) {
  if (op == "NotIpAddress") return {"IpAddress", true};
  for (std::string_view family : {"String", "Numeric", "Date", "Arn"}) {
    if (op.starts_with(family) && op.substr(family.size()).starts_with("Not")) {
      return {std::string(family) + std::string(op.substr(family.size() + 3)), true};
    }
  }
  return {std::string(op), false};
}

bool ConditionHolds(const Condition& c, const Policy& p, const RequestContext& ctx) {
  const std::vector<std::string>* req = ctx.Find(c.key);
  bool absent = !req || req->empty();
  if (c.op == "Null") {
    bool want_absent = !c.values.empty() && IEquals(c.values[0], "true");
    return absent == want_absent;
  }
  // Not a structured binding: clang 14 (scripts/fuzz.sh) cannot capture one in a lambda.
  const std::pair<std::string, bool> positive = Positive(c.op);
  const std::string& base = positive.first;
  const bool negated = positive.second;
  std::vector<std::string> values;
  values.reserve(c.values.size());
  for (const auto& v : c.values) values.push_back(Substitute(v, p, ctx));
  // One request value against the policy's values: OR across them (for a
  // negated operator: matches none of them).
  auto value_ok = [&](const std::string& r) {
    bool any = std::any_of(values.begin(), values.end(), [&](const std::string& v) { return MatchOne(base, r, v); });
    return negated ? !any : any;
  };
  switch (c.set) {
    case SetOperator::kForAllValues:
      return absent || std::all_of(req->begin(), req->end(), value_ok);
    case SetOperator::kForAnyValue:
      return !absent && std::any_of(req->begin(), req->end(), value_ok);
    case SetOperator::kNone:
      if (absent) return c.if_exists || negated;
      return std::any_of(req->begin(), req->end(), value_ok);
  }
  return false;
}

bool ActionMatches(const Statement& s, std::string_view action) {
  bool any = std::any_of(s.actions.begin(), s.actions.end(),
                         [&](const std::string& a) { return WildcardMatch(a, action, /*ignore_case=*/true); });
  return s.not_action ? !any : any;
}

bool ResourceMatches(const Statement& s, const Policy& p, const RequestContext& ctx) {
  bool any = std::any_of(s.resources.begin(), s.resources.end(), [&](const std::string& r) {
    return WildcardMatch(Substitute(r, p, ctx), ctx.resource, false);
  });
  return s.not_resource ? !any : any;
}

}  // namespace

bool IsKnownOperator(std::string_view op) {
  if (op == "Null" || op == "Bool") return true;
  const std::string base = Positive(op).first;  // not a binding: clang 14 cannot capture one
  static const char* kKnown[] = {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "NumericEquals",
                                 "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
                                 "NumericGreaterThanEquals", "DateEquals", "DateLessThan", "DateLessThanEquals",
                                 "DateGreaterThan", "DateGreaterThanEquals", "IpAddress", "ArnEquals", "ArnLike"};
  return std::any_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return base == k; });
}

void RequestContext::Set(std::string_view key, std::vector<std::string> values) { keys[Lower(key)] = std::move(values); }

const std::vector<std::string>* RequestContext::Find(std::string_view key) const {
  auto it = keys.find(Lower(key));
  return it == keys.end() ? nullptr : &it->second;
}

bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  // Iterative glob with backtracking to the last '*'.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto eq = [&](char a, char b) {
    return ignore_case ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)) : a == b;
  };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || eq(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool StatementMatches(const Statement& s, const Policy& p, const RequestContext& ctx) {
  if (!ActionMatches(s, ctx.action) || !ResourceMatches(s, p, ctx)) return false;
  return std::all_of(s.conditions.begin(), s.conditions.end(),
                     [&](const Condition& c) { return ConditionHolds(c, p, ctx); });
}

Decision Evaluate(const std::vector<NamedPolicy>& policies, const RequestContext& ctx) {
  bool allowed = false;
  for (const auto& np : policies) {
    for (const Statement& s : np.policy->statements) {
      if (!StatementMatches(s, *np.policy, ctx)) continue;
      if (s.effect == Effect::kDeny) return Decision::kExplicitDeny;
      allowed = true;
    }
  }
  return allowed ? Decision::kAllow : Decision::kImplicitDeny;
}

std::string AccessDeniedMessage(std::string_view principal_arn, const RequestContext& ctx, Decision d,
                                std::string_view policy_type) {
  std::string m = "User: " + std::string(principal_arn) + " is not authorized to perform: " + ctx.action +
                  " on resource: " + ctx.resource + " because ";
  if (d == Decision::kExplicitDeny) {
    return m + "with an explicit deny in a" + (policy_type.starts_with("i") ? "n " : " ") + std::string(policy_type) +
           " policy";
  }
  return m + "no " + std::string(policy_type) + " policy allows the " + ctx.action + " action";
}

Decision EvaluateResourcePolicy(const Policy& policy, std::string_view principal_arn, std::string_view account,
                                const RequestContext& ctx) {
  bool allowed = false;
  for (const Statement& s : policy.statements) {
    bool names_caller = std::any_of(s.principals.begin(), s.principals.end(), [&](const std::string& p) {
      return p == "*" || p == account || p == "arn:aws:iam::" + std::string(account) + ":root" ||
             WildcardMatch(p, principal_arn, false);
    });
    if (!names_caller || !StatementMatches(s, policy, ctx)) continue;
    if (s.effect == Effect::kDeny) return Decision::kExplicitDeny;
    allowed = true;
  }
  return allowed ? Decision::kAllow : Decision::kImplicitDeny;
}

}  // namespace basalt::auth
