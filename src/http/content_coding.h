// Content codings (RFC 9110 section 8.4): request bodies sent with
// Content-Encoding are decoded before the handler sees them, and a response
// coding is chosen from Accept-Encoding. gzip and deflate through zlib;
// nothing here knows of DynamoDB (server/ renders the errors and decides
// which responses to compress).
//
// Decoding is bounded: output grows in steps, each step is asked of the
// caller's memory budget first, and inflating stops one byte past the limit,
// so a body that would inflate to a gigabyte costs the limit and no more.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "http/server.h"

namespace basalt::http {

enum class ContentCoding { kIdentity, kGzip, kDeflate };

// The coding's name in Content-Encoding: "identity", "gzip" or "deflate".
std::string_view CodingName(ContentCoding coding);

// Why a request body could not be decoded; the server answers it through
// the ErrorRenderer. `kind` is one of kUnsupportedEncoding, kUndecodableBody,
// kBodyTooLarge (the decoded size) and kOverloaded (the memory budget).
struct DecodeError {
  ErrorKind kind;
  std::string detail;
};

// Asked before the decoded body grows by `bytes`; false refuses the growth
// (the memory budget is full) and decoding stops with kOverloaded.
using GrowFn = std::function<bool(size_t bytes)>;

// The coding named by a request's Content-Encoding headers: every header,
// comma lists, case-insensitive; "identity" entries are no-ops and "x-gzip"
// is gzip (RFC 9110 8.4.1.3). More than one non-identity coding, or one that
// is not gzip or deflate, is kUnsupportedEncoding.
std::variant<ContentCoding, DecodeError> RequestCoding(const Request& req);

// Decodes `in` into at most `limit` bytes. gzip may hold several members
// (RFC 1952 2.2); anything else after the last one is an error. "deflate"
// is the zlib format (RFC 9110 8.4.1.2, RFC 1950); a raw deflate stream
// (RFC 1951), which some clients send under that name, is accepted too, told
// apart by the zlib header's check bits.
std::variant<std::string, DecodeError> Decode(ContentCoding coding, std::string_view in, size_t limit,
                                              const GrowFn& grow);

// Decodes `req.body` in place as its Content-Encoding says and removes the
// Content-Encoding headers, so the handler sees an identity body (what was
// sent stays in `sent_body` and `sent_encodings`). nullopt on
// success (also when there is nothing to decode).
std::optional<DecodeError> DecodeRequestBody(Request& req, size_t limit, const GrowFn& grow);

// The coding a response to `req` should use, from its Accept-Encoding
// headers (RFC 9110 12.5.3): quality values, "*", several headers,
// case-insensitive; the highest quality wins, a tie goes to gzip, then
// deflate, then identity, and identity not listed ranks below any coding
// that is. No Accept-Encoding at all means identity: any
// coding would be allowed, but clients that send none (botocore) cannot
// read a compressed body.
ContentCoding ResponseCoding(const Request& req);

// `body` compressed with `coding` (gzip, or deflate in the zlib format) at
// zlib's fastest level: JSON compresses well at any level, and this runs on
// the request's thread. nullopt for identity, or if zlib cannot allocate its
// state (then send the body as it is).
std::optional<std::string> Encode(ContentCoding coding, std::string_view body);

}  // namespace basalt::http
