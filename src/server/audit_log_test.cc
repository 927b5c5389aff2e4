#include "server/audit_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace basalt::server {
namespace {

TEST(AuditLogTest, LineIsOneJsonObject) {
  auth::AuditEvent e{"arn:aws:iam::000000000000:user/a\"b", "dynamodb:DeleteTable", "*", "10.0.0.7", "denied",
                     "AccessDeniedException"};
  EXPECT_EQ(
      "{\"time\":\"2026-12-05T06:00:00.250Z\",\"principal\":\"arn:aws:iam::000000000000:user/a\\\"b\","
      "\"action\":\"dynamodb:DeleteTable\",\"resource\":\"*\",\"source\":\"10.0.0.7\",\"outcome\":\"denied\","
      "\"error\":\"AccessDeniedException\"}",
      AuditLog::Line(e, 1796450400.25));
  auth::AuditEvent ok{"k", "dynamodb:ListTables", "*", "", "allowed", ""};
  EXPECT_EQ(std::string::npos, AuditLog::Line(ok, 0).find("error"));
}

TEST(AuditLogTest, RotatesBySize) {
  auto dir = std::filesystem::temp_directory_path() / ("audit-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "audit.log").string();
  FakeClock clock;
  {
    AuditLog log(path, 400, 2, &clock);
    ASSERT_TRUE(log.Open().ok());
    auth::AuditEvent e{"k", "dynamodb:CreateTable", "arn:aws:dynamodb:us-east-1:000000000000:table/T", "127.0.0.1",
                       "allowed", ""};
    for (int i = 0; i < 10; ++i) log.Record(e);
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(path + ".1"));
  EXPECT_TRUE(std::filesystem::exists(path + ".2"));
  EXPECT_FALSE(std::filesystem::exists(path + ".3"));
  EXPECT_LE(std::filesystem::file_size(path), 400u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace basalt::server
