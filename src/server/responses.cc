#include "server/responses.h"

#include <cstdio>

#include "common/crc32.h"
#include "common/random.h"

namespace basalt::server {
namespace {

constexpr const char* kCoralService = "com.amazon.coral.service#";
constexpr const char* kDynamoNs = "com.amazonaws.dynamodb.v20120810#";

// A JSON string literal; the messages here are Basalt's own and Beast's, but
// escaping keeps the body valid whatever they hold.
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string NewRequestId() {
  // Each character is the integer part of a 64-bit fraction times 36, the
  // fraction's rest going on to the next (a multiply where % and / by 36
  // were ~12 instructions per character, ~990 per request with the string).
  // A fresh draw every 6 characters keeps 33 or more of its bits behind
  // each one, so every character is uniform within 2^-33. RandomBits comes
  // from splitmix64; 52 draws of mt19937_64 cost ~2,500 instructions.
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string id(52, 'A');
  uint64_t fraction = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i % 6 == 0) fraction = RandomBits();
    const unsigned __int128 scaled = static_cast<unsigned __int128>(fraction) * 36;
    id[i] = kChars[static_cast<size_t>(scaled >> 64)];
    fraction = static_cast<uint64_t>(scaled);
  }
  return id;
}

http::Response DynamoErrorResponse(int status, std::string_view type, std::string_view message) {
  http::Response r;
  r.status = status;
  r.body = "{\"__type\":" + JsonString(type) + ",\"message\":" + JsonString(message) + "}";
  r.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
  r.headers.emplace_back("x-amzn-RequestId", NewRequestId());
  r.headers.emplace_back("x-amz-crc32", std::to_string(Crc32(r.body)));
  return r;
}

http::Response RenderHttpError(http::ErrorKind kind, std::string_view detail) {
  switch (kind) {
    case http::ErrorKind::kMalformed:
    case http::ErrorKind::kHeadersTooLarge:
    case http::ErrorKind::kVersionNotSupported:
      // What DynamoDB calls a request it cannot read.
      return DynamoErrorResponse(400, std::string(kCoralService) + "SerializationException", detail);
    case http::ErrorKind::kBodyTooLarge:
      return DynamoErrorResponse(413, std::string(kCoralService) + "RequestEntityTooLargeException", detail);
    case http::ErrorKind::kOverloaded:
      // DynamoDB's throttling error: status 400, and every SDK retries it
      // with back-off.
      return DynamoErrorResponse(400, std::string(kDynamoNs) + "ThrottlingException", detail);
    case http::ErrorKind::kTooManyConnections:
      // The developer guide's ServiceUnavailable: 503, retried by the SDKs.
      return DynamoErrorResponse(503, std::string(kDynamoNs) + "ServiceUnavailable", detail);
    case http::ErrorKind::kUnsupportedEncoding:
      // DynamoDB answers an unsupported Content-Encoding with a 500, as
      // ScyllaDB's Alternator observed and pinned in its test
      // test_garbage_content_encoding (quoted in shared/design/STYLE.md);
      // the reference recommends a 400 but documents nothing
      // (newer-features.md section 2). The type is Coral's, as for the other
      // failures of its HTTP layer; the service's words are not known, so
      // the message is Basalt's.
      return DynamoErrorResponse(500, std::string(kCoralService) + "InternalFailure", detail);
    case http::ErrorKind::kUndecodableBody:
      // A body that cannot be decompressed is one the service cannot read,
      // like malformed JSON. Nothing documents the service's answer to a
      // corrupt, truncated or empty gzip body or one with trailing data;
      // SerializationException is Basalt's choice, with its own words.
      return DynamoErrorResponse(400, std::string(kCoralService) + "SerializationException", detail);
  }
  return DynamoErrorResponse(500, std::string(kDynamoNs) + "InternalServerError", detail);
}

}  // namespace basalt::server
