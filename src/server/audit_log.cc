#include "server/audit_log.h"

#include <cmath>
#include <ctime>

#include "common/log.h"

namespace basalt::server {
namespace {

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

}  // namespace

AuditLog::~AuditLog() {
  if (file_) std::fclose(file_);
}

Status AuditLog::Open() {
  std::lock_guard lock(mu_);
  file_ = std::fopen(path_.c_str(), "a");
  if (!file_) return Status::Validation("cannot open the audit log " + path_);
  std::fseek(file_, 0, SEEK_END);
  size_ = static_cast<size_t>(std::ftell(file_));
  return Status::Ok();
}

std::string AuditLog::Line(const auth::AuditEvent& e, double now) {
  std::time_t t = static_cast<std::time_t>(std::floor(now));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[40];
  size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>((now - std::floor(now)) * 1000) % 1000);
  std::string line = "{\"time\":\"" + std::string(stamp) + "\"";
  for (auto [key, value] : {std::pair{"principal", e.principal}, std::pair{"action", e.action},
                            std::pair{"resource", e.resource}, std::pair{"source", e.source},
                            std::pair{"outcome", e.outcome}, std::pair{"error", e.error}}) {
    if (value.empty() && std::string_view(key) == "error") continue;
    line += ",\"";
    line += key;
    line += "\":";
    AppendJsonString(&line, value);
  }
  line += "}";
  return line;
}

void AuditLog::Rotate() {
  std::fclose(file_);
  for (int i = keep_ - 1; i >= 1; --i) {
    std::rename((path_ + "." + std::to_string(i)).c_str(), (path_ + "." + std::to_string(i + 1)).c_str());
  }
  std::rename(path_.c_str(), (path_ + ".1").c_str());
  file_ = std::fopen(path_.c_str(), "a");
  size_ = 0;
}

void AuditLog::Record(const auth::AuditEvent& event) {
  std::string line = Line(event, clock_->Now()) + "\n";
  std::lock_guard lock(mu_);
  if (!file_) return;
  if (size_ + line.size() > max_bytes_ && size_ > 0) {
    Rotate();
    if (!file_) {
      Log(LogLevel::kError, "audit log: cannot reopen " + path_);
      return;
    }
  }
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);  // a line is on its way to disk when the request is answered
  size_ += line.size();
}

}  // namespace basalt::server
