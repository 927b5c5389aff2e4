// Responses Basalt writes outside the DynamoDB router: the errors the HTTP
// server detects itself (malformed HTTP, limits), rendered in DynamoDB's JSON
// error shape, and the request id every response carries.
#pragma once

#include <string>
#include <string_view>

#include "http/server.h"

namespace basalt::server {

// DynamoDB's request ids: 52 upper-case letters and digits.
std::string NewRequestId();

// A DynamoDB-shaped error: `{"__type": type, "message": message}` with the
// service's Content-Type, x-amzn-RequestId and x-amz-crc32.
http::Response DynamoErrorResponse(int status, std::string_view type, std::string_view message);

// The ErrorRenderer installed in the HTTP server:
//   malformed HTTP, oversized headers, HTTP/2   400 SerializationException
//   a compressed body that does not decompress  400 SerializationException
//   an unsupported Content-Encoding             500 InternalFailure (as DynamoDB)
//   a body over 16 MiB (also once decompressed) 413 RequestEntityTooLargeException
//   memory budget full                          400 ThrottlingException (SDKs retry it)
//   too many connections                        503 ServiceUnavailable (SDKs retry it)
http::Response RenderHttpError(http::ErrorKind kind, std::string_view detail);

}  // namespace basalt::server
