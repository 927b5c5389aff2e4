#include "auth/sigv4.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "auth/crypto.h"

namespace basalt::auth {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr const char* kBadSignature =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.";
constexpr double kSkewSeconds = 300;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 3986 percent-encoding of everything but unreserved characters (and
// '/' in paths), as botocore's quote().
std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string UriDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view p = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (p.empty()) continue;
    size_t eq = p.find('=');
    params.emplace_back(UriEncode(UriDecode(p.substr(0, eq)), false),
                        eq == std::string_view::npos ? "" : UriEncode(UriDecode(p.substr(eq + 1)), false));
  }
  std::sort(params.begin(), params.end());  // by name, then value: duplicates keep a defined order
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

// A header's values for the canonical request: trimmed, runs of spaces
// collapsed, repeats joined by ','.
void AppendHeaderValues(const SignedRequest& req, std::string_view name, std::string* out) {
  bool first = true;
  auto add = [&](const Headers* hs) {
    if (!hs) return;
    for (const auto& [k, v] : *hs) {
      if (!IEquals(k, name)) continue;
      if (!first) out->push_back(',');
      first = false;
      bool space = false;
      for (char c : Trim(v)) {
        if (c == ' ' || c == '\t') {
          space = true;
          continue;
        }
        if (space) out->push_back(' ');
        space = false;
        out->push_back(c);
      }
    }
  };
  add(req.headers);
  add(req.more_headers);
}

Status Incomplete(std::string_view missing, std::string_view header) {
  return Status(Code::kIncompleteSignature, std::string(missing) + " Authorization=" + std::string(header));
}

// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Seconds since the epoch of "yyyymmddThhmmssZ" or an RFC 1123 date.
std::optional<double> ParseRequestTime(std::string_view s) {
  if (s.size() == 16 && s[8] == 'T' && s[15] == 'Z') {
    int v[6];
    const int at[6] = {0, 4, 6, 9, 11, 13}, len[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0; i < 6; ++i) {
      v[i] = 0;
      for (int j = 0; j < len[i]; ++j) {
        char c = s[at[i] + j];
        if (c < '0' || c > '9') return std::nullopt;
        v[i] = v[i] * 10 + (c - '0');
      }
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60) return std::nullopt;
    return static_cast<double>(DaysFromCivil(v[0], static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2])) * 86400 +
                               v[3] * 3600 + v[4] * 60 + v[5]);
  }
  std::tm tm{};
  std::string text(s);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<double>(timegm(&tm));
}

}  // namespace

std::string_view SignedRequest::Header(std::string_view name) const {
  for (const Headers* hs : {headers, more_headers}) {
    if (!hs) continue;
    for (const auto& [k, v] : *hs) {
      if (IEquals(k, name)) return v;
    }
  }
  return {};
}

std::string AmzDate(double seconds) {
  std::time_t t = static_cast<std::time_t>(std::floor(seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Result<ParsedAuthorization> ParseAuthorization(std::string_view header) {
  ParsedAuthorization out;
  std::string_view rest = Trim(header);
  if (!rest.starts_with(kAlgorithm) || rest.size() == kAlgorithm.size() || rest[kAlgorithm.size()] != ' ') {
    // Another scheme (AWS's v2 signatures, Basic ...) is not a SigV4 header.
    return Status(Code::kIncompleteSignature,
                  "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
                  "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=" +
                      std::string(header));
  }
  rest.remove_prefix(kAlgorithm.size() + 1);
  std::string_view credential;
  bool has_credential = false, has_signed = false, has_signature = false;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view param = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (param.empty()) continue;
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) {
      return Incomplete("'" + std::string(param) + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" +
                            std::string(header) + "'.",
                        header);
    }
    std::string_view key = param.substr(0, eq), value = param.substr(eq + 1);
    bool* seen = key == "Credential" ? &has_credential : key == "SignedHeaders" ? &has_signed
                                                      : key == "Signature"   ? &has_signature
                                                                             : nullptr;
    if (!seen) continue;  // unknown parameters are ignored, as the service does
    if (*seen) return Incomplete("Authorization header has duplicate '" + std::string(key) + "' parameter.", header);
    *seen = true;
    if (key == "Credential") credential = value;
    if (key == "SignedHeaders") out.signed_headers = value;
    if (key == "Signature") out.signature = value;
  }
  std::string missing;
  if (!has_credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!has_signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!has_signed) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) {
    missing.pop_back();
    return Incomplete(missing, header);
  }
  // akid/date/region/service/terminator
  std::string_view parts[5];
  std::string_view c = credential;
  for (int i = 0; i < 5; ++i) {
    size_t slash = i < 4 ? c.find('/') : std::string_view::npos;
    if (i < 4 && slash == std::string_view::npos) {
      return Incomplete("Credential should be scoped to a valid region. Credential=" + std::string(credential) + ".",
                        header);
    }
    parts[i] = c.substr(0, slash);
    if (i < 4) c.remove_prefix(slash + 1);
  }
  out.access_key_id = parts[0];
  out.date = parts[1];
  out.region = parts[2];
  out.service = parts[3];
  out.terminator = parts[4];
  out.scope = credential.substr(parts[0].size() + 1);
  return out;
}

CredentialHint CredentialHintOf(std::string_view auth) {
  CredentialHint hint;
  // Where every SDK puts it, checked first: a search from the start costs
  // ~450 instructions of every request (libstdc++'s find runs memchr for
  // 'C' and compares at each hit).
  constexpr std::string_view kUsual = "AWS4-HMAC-SHA256 Credential=";
  size_t pos = auth.starts_with(kUsual) ? kUsual.size() - 11 : auth.find("Credential=");
  if (pos == std::string_view::npos) return hint;
  std::string_view rest = auth.substr(pos + 11);
  // A plain loop: libstdc++'s find_first_of runs memchr over the set for
  // every character, 1,000 instructions of every request (callgrind).
  size_t end = 0;
  while (end < rest.size() && rest[end] != ',' && rest[end] != ' ') ++end;
  rest = rest.substr(0, end);
  size_t slash = rest.find('/');
  hint.access_key_id = rest.substr(0, slash);
  if (slash == std::string_view::npos) return hint;
  rest.remove_prefix(slash + 1);             // date/region/service/terminator
  size_t s1 = rest.find('/');
  if (s1 == std::string_view::npos) return hint;
  rest.remove_prefix(s1 + 1);                // region/service/terminator
  size_t s2 = rest.find('/');
  if (s2 == std::string_view::npos) return hint;
  std::string_view tail = rest.substr(s2 + 1);  // service/terminator: both must be there
  if (tail.find('/') == std::string_view::npos) return hint;
  hint.region = rest.substr(0, s2);
  return hint;
}

std::string CanonicalRequest(const SignedRequest& req, const ParsedAuthorization& auth,
                             std::string_view payload_hash) {
  std::string_view path = req.target.substr(0, req.target.find('?'));
  std::string_view query;
  if (size_t q = req.target.find('?'); q != std::string_view::npos) query = req.target.substr(q + 1);
  std::string out;
  out.reserve(256);
  out.append(req.method).push_back('\n');
  out.append(path.empty() ? "/" : UriEncode(path, true)).push_back('\n');
  out.append(CanonicalQuery(query)).push_back('\n');
  std::string_view names = auth.signed_headers;
  while (!names.empty()) {
    size_t semi = names.find(';');
    std::string_view name = names.substr(0, semi);
    names = semi == std::string_view::npos ? std::string_view() : names.substr(semi + 1);
    for (char ch : name) out.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
    out.push_back(':');
    AppendHeaderValues(req, name, &out);
    out.push_back('\n');
  }
  out.push_back('\n');
  out.append(auth.signed_headers).push_back('\n');
  out.append(payload_hash);
  return out;
}

HmacSha256Key SigV4Verifier::SigningKey(std::string_view secret, const ParsedAuthorization& auth) const {
  std::string cache_key;
  cache_key.reserve(auth.access_key_id.size() + auth.scope.size() + 1);
  cache_key.append(auth.access_key_id).push_back('/');
  cache_key.append(auth.scope);  // date/region/service/terminator
  {
    std::lock_guard lock(mu_);
    if (auto it = keys_.find(cache_key); it != keys_.end() && it->second.first == secret) return it->second.second;
  }
  std::string k = HmacSha256("AWS4" + std::string(secret), auth.date);
  k = HmacSha256(k, auth.region);
  k = HmacSha256(k, auth.service);
  HmacSha256Key signing(HmacSha256(k, "aws4_request"));
  std::lock_guard lock(mu_);
  if (keys_.size() >= 4096) keys_.clear();  // a day's keys come back within one request each
  keys_[std::move(cache_key)] = {std::string(secret), signing};
  return signing;
}

Result<std::shared_ptr<const Principal>> SigV4Verifier::Verify(const SignedRequest& req) const {
  std::string_view header = req.Header("Authorization");
  if (header.empty()) {
    return Status(Code::kMissingAuthentication, "Request is missing Authentication Token");
  }
  BASALT_ASSIGN_OR_RETURN(ParsedAuthorization auth, ParseAuthorization(header));
  std::string_view amz_date = req.Header("X-Amz-Date");
  if (amz_date.empty()) amz_date = req.Header("Date");
  std::optional<double> when = amz_date.empty() ? std::nullopt : ParseRequestTime(amz_date);
  if (!when) {
    return Incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", header);
  }
  std::optional<KeyRecord> key = lookup_(auth.access_key_id);
  if (!key) return Status(Code::kUnrecognizedClient, "The security token included in the request is invalid.");
  std::string_view token = req.Header("X-Amz-Security-Token");
  if (!ConstantTimeEquals(token, key->session_token)) {
    return Status(Code::kUnrecognizedClient, "The security token included in the request is invalid.");
  }
  const double now = clock_->Now();
  if (key->expires_at > 0 && now >= key->expires_at) {
    return Status(Code::kExpiredToken, "The security token included in the request is expired");
  }
  if (auth.service != "dynamodb") {
    return Status(Code::kInvalidSignature, "Credential should be scoped to correct service: 'dynamodb'. ");
  }
  if (auth.terminator != "aws4_request") {
    return Status(Code::kInvalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                                               std::string(auth.terminator) + "'. ");
  }
  // X-Amz-Date is already in the scope's form; a Date header is rewritten to it.
  std::string request_date = amz_date.size() == 16 ? std::string(amz_date) : AmzDate(*when);
  if (auth.date != std::string_view(request_date).substr(0, 8)) {
    return Status(Code::kInvalidSignature,
                  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                      std::string(auth.date) + "' != '" + request_date.substr(0, 8) + "', from '" + request_date + "'.");
  }
  if (*when < now - kSkewSeconds) {
    return Status(Code::kInvalidSignature, "Signature expired: " + request_date + " is now earlier than " +
                                               AmzDate(now - kSkewSeconds) + " (" + AmzDate(now) + " - 5 min.)");
  }
  if (*when > now + kSkewSeconds) {
    return Status(Code::kInvalidSignature, "Signature not yet current: " + request_date + " is still later than " +
                                               AmzDate(now + kSkewSeconds) + " (" + AmzDate(now) + " + 5 min.)");
  }
  // A declared payload hash takes the body's place in the canonical request
  // (botocore's rule), but it must be the hash of what was sent.
  std::string body_hash;
  AppendHexSha256(req.body, &body_hash);
  std::string_view declared = req.Header("X-Amz-Content-SHA256");
  if (!declared.empty() && declared != body_hash) return Status(Code::kInvalidSignature, kBadSignature);
  std::string canonical = CanonicalRequest(req, auth, body_hash);
  // The string to sign, built in one buffer (the hashes are hex appended in place).
  std::string to_sign;
  to_sign.reserve(kAlgorithm.size() + amz_date.size() + auth.scope.size() + 3 + 64);
  to_sign.append(kAlgorithm).push_back('\n');
  to_sign.append(amz_date).push_back('\n');
  to_sign.append(auth.scope).push_back('\n');
  AppendHexSha256(canonical, &to_sign);
  std::string expected = Hex(SigningKey(key->secret, auth).Mac(to_sign));
  if (!ConstantTimeEquals(expected, auth.signature)) return Status(Code::kInvalidSignature, kBadSignature);
  return key->principal;
}

std::string SignForTest(std::string_view access_key_id, std::string_view secret, std::string_view region,
                        const SignedRequest& req) {
  std::string amz_date(req.Header("X-Amz-Date"));
  std::vector<std::string> names;
  for (const auto& [k, v] : *req.headers) {
    std::string n;
    for (char c : k) n.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  std::string signed_headers;
  for (const auto& n : names) signed_headers += (signed_headers.empty() ? "" : ";") + n;
  std::string scope = amz_date.substr(0, 8) + "/" + std::string(region) + "/dynamodb/aws4_request";
  std::string header = "AWS4-HMAC-SHA256 Credential=" + std::string(access_key_id) + "/" + scope +
                       ", SignedHeaders=" + signed_headers + ", Signature=";
  ParsedAuthorization auth = *ParseAuthorization(header + "x");
  std::string canonical = CanonicalRequest(req, auth, HexSha256(req.body));
  std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + HexSha256(canonical);
  std::string k = HmacSha256("AWS4" + std::string(secret), auth.date);
  k = HmacSha256(HmacSha256(HmacSha256(k, auth.region), auth.service), "aws4_request");
  return header + Hex(HmacSha256(k, to_sign));
}

}  // namespace basalt::auth
