// Lambda's event source mapping operations on Basalt's port, in Lambda's
// REST shape (the 2015-03-31 API), so `aws lambda create-event-source-mapping
// --endpoint-url http://localhost:8000` and the SDKs' Lambda clients work:
//
//   POST   /2015-03-31/event-source-mappings/         CreateEventSourceMapping (202)
//   GET    /2015-03-31/event-source-mappings/         ListEventSourceMappings
//          ?EventSourceArn=...&FunctionName=...
//   GET    /2015-03-31/event-source-mappings/UUID     GetEventSourceMapping
//   PUT    /2015-03-31/event-source-mappings/UUID     UpdateEventSourceMapping (202)
//   DELETE /2015-03-31/event-source-mappings/UUID     DeleteEventSourceMapping (202)
//
// FunctionName is the local function, an http:// URL (cmd:COMMAND is refused
// here: anyone who reaches the port could run commands; flags and files may
// declare them); the on-failure destination is a file (file:///path). Errors are Lambda's:
// the type in the X-Amzn-ErrorType header and {"Type": "User", "Message"}.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "triggers/triggers.h"

namespace basalt::triggers {

constexpr std::string_view kMappingPath = "/2015-03-31/event-source-mappings";

struct MappingResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// True for a request target under kMappingPath.
bool IsMappingRequest(std::string_view target);
MappingResponse HandleMappingRequest(Triggers* triggers, const std::string& method, const std::string& target,
                                     const std::string& body);

}  // namespace basalt::triggers
