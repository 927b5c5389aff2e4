// Where a trigger's batches go: an HTTP endpoint (POST the event; a 2xx
// answer without an X-Amz-Function-Error header is success, which covers
// the Lambda Runtime Interface Emulator and SAM's local endpoint) or a local
// command (the event on stdin; exit status 0 is success; stdout is the
// function's answer).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/status.h"

namespace basalt::triggers {

struct Invocation {
  bool ok = false;
  int status = 0;     // the HTTP status or the exit status (-1: no answer)
  std::string error;  // why it failed, for logs and the failure destination
  std::string body;   // the answer (partial batch responses)
};

class Target {
 public:
  virtual ~Target() = default;
  // Gives up (a failed invocation) after `timeout_seconds`, or soon after
  // `cancel` turns true (the trigger stopping).
  virtual Invocation Invoke(const std::string& event, double timeout_seconds, const std::atomic<bool>* cancel) = 0;
};

// From a FunctionName: "http://..." or "cmd:COMMAND".
Result<std::unique_ptr<Target>> MakeTarget(const std::string& function);

}  // namespace basalt::triggers
