// AWS Signature Version 4, as DynamoDB verifies it (reference:
// shared/reference/auth-sigv4-iam.md).
//
//   Authorization := "AWS4-HMAC-SHA256" SP param ("," [SP] param)*
//   param         := "Credential=" akid "/" yyyymmdd "/" region "/" service "/" "aws4_request"
//                  | "SignedHeaders=" name (";" name)*      lowercase, sorted by the client
//                  | "Signature=" 64 lowercase hex digits
//
//   CanonicalRequest := method "\n" uri "\n" query "\n" (name ":" values "\n")* "\n"
//                       signed-headers "\n" hex(sha256(body as sent))
//   StringToSign     := "AWS4-HMAC-SHA256\n" amz-date "\n" scope "\n" hex(sha256(CanonicalRequest))
//   key := HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region), service), "aws4_request")
//
// The verifier takes the client's list of signed headers, never its own,
// recomputes the signature over the body bytes as sent (before any
// Content-Encoding is undone) and compares in constant time.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/crypto.h"
#include "common/clock.h"
#include "common/status.h"

namespace basalt::auth {

struct Principal;  // principals.h

using Headers = std::vector<std::pair<std::string, std::string>>;

// An Authorization header's parts. Views into the header.
struct ParsedAuthorization {
  std::string_view access_key_id;
  std::string_view date;  // yyyymmdd
  std::string_view region;
  std::string_view service;
  std::string_view terminator;
  std::string_view scope;  // date "/" region "/" service "/" terminator
  std::string_view signed_headers;
  std::string_view signature;
};

// Parses a header; IncompleteSignatureException with the service's wording
// for a missing, duplicated or malformed part.
Result<ParsedAuthorization> ParseAuthorization(std::string_view header);

// The access key id and region of a Credential, as cheaply as possible, for
// --auth=none (where nothing is verified). Empty views when absent.
struct CredentialHint {
  std::string_view access_key_id;
  std::string_view region;
};
CredentialHint CredentialHintOf(std::string_view authorization);

// A request as it arrived.
struct SignedRequest {
  std::string_view method;
  std::string_view target;  // path and query
  const Headers* headers = nullptr;
  const Headers* more_headers = nullptr;  // e.g. Content-Encoding headers set aside by the decoder
  std::string_view body;                  // as sent
  std::string_view Header(std::string_view name) const;  // first value, case-insensitive
};

std::string CanonicalRequest(const SignedRequest& req, const ParsedAuthorization& auth,
                             std::string_view payload_hash);

// What a key id stands for.
struct KeyRecord {
  std::string secret;
  std::string session_token;  // temporary credentials only
  double expires_at = 0;      // temporary credentials only; 0 never
  std::shared_ptr<const Principal> principal;
};
using KeyLookup = std::function<std::optional<KeyRecord>(std::string_view access_key_id)>;

// Verifies requests against the keys `lookup` knows. Thread-safe.
class SigV4Verifier {
 public:
  SigV4Verifier(KeyLookup lookup, const Clock* clock) : lookup_(std::move(lookup)), clock_(clock) {}

  // The principal of a correctly signed request, or the service's error:
  // MissingAuthenticationToken, IncompleteSignature, UnrecognizedClient,
  // ExpiredToken or InvalidSignature (wrong signature, scope or time).
  Result<std::shared_ptr<const Principal>> Verify(const SignedRequest& req) const;

  // The signing key for a secret and scope, ready to MAC with; derived once
  // per key and day.
  HmacSha256Key SigningKey(std::string_view secret, const ParsedAuthorization& auth) const;

 private:
  KeyLookup lookup_;
  const Clock* clock_;
  mutable std::mutex mu_;
  // akid "/" scope -> (the secret it was derived from, the signing key)
  mutable std::unordered_map<std::string, std::pair<std::string, HmacSha256Key>> keys_;
};

// "yyyymmddThhmmssZ" of a time in seconds since the epoch.
std::string AmzDate(double seconds);

// Signs a request as a client would (tests and tools): the Authorization
// header value for these headers (which must include host and x-amz-date).
std::string SignForTest(std::string_view access_key_id, std::string_view secret, std::string_view region,
                        const SignedRequest& req);

}  // namespace basalt::auth
