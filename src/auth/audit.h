// What an audit log records: every control-plane call and every denied
// request (authentication or authorization), with who, what, on what, from
// where and how it ended. The sink (server/audit_log.h writes JSON lines)
// must be thread-safe and must never see a secret.
#pragma once

#include <string_view>

namespace basalt::auth {

struct AuditEvent {
  std::string_view principal;  // ARN, or the claimed access key id when none was verified
  std::string_view action;     // "dynamodb:CreateTable", "basalt:CreateUser"
  std::string_view resource;   // ARN or "*"
  std::string_view source;     // client address
  std::string_view outcome;    // "allowed", "denied" or "failed"
  std::string_view error;      // the error's __type name when not allowed
};

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void Record(const AuditEvent& event) = 0;
};

}  // namespace basalt::auth
