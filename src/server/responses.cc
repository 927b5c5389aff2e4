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
  // 12 base-36 digits come from each 64-bit draw of RandomBits (36^12 <
  // 2^64), so 5 draws make the 52 characters; 52 draws of mt19937_64 cost
  // ~2,500 instructions per request, this ~300.
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string id(52, 'A');
  uint64_t draw = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i % 12 == 0) draw = RandomBits();
    id[i] = kChars[draw % 36];
    draw /= 36;
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
