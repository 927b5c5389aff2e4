// The audit log: one JSON object per line,
//
//   {"time":"2026-12-05T06:00:00.123Z","principal":"arn:aws:iam::000000000000:user/ann",
//    "action":"dynamodb:DeleteTable","resource":"arn:...:table/T","source":"10.0.0.7",
//    "outcome":"denied","error":"AccessDeniedException"}
//
// rotated by size: at `max_bytes` the file becomes FILE.1 (FILE.1 becomes
// FILE.2 ... up to `keep` files) and a new FILE starts. Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "auth/audit.h"
#include "common/clock.h"
#include "common/status.h"

namespace basalt::server {

class AuditLog : public auth::AuditSink {
 public:
  AuditLog(std::string path, size_t max_bytes, int keep, const Clock* clock)
      : path_(std::move(path)), max_bytes_(max_bytes), keep_(keep), clock_(clock) {}
  ~AuditLog() override;

  Status Open();
  void Record(const auth::AuditEvent& event) override;

  // One event's line, without the newline (for tests).
  static std::string Line(const auth::AuditEvent& event, double now);

 private:
  void Rotate();

  std::string path_;
  size_t max_bytes_;
  int keep_;
  const Clock* clock_;
  std::mutex mu_;
  std::FILE* file_ = nullptr;
  size_t size_ = 0;
};

}  // namespace basalt::server
