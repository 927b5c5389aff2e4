#include "server/resources.h"

#include <gtest/gtest.h>

#include <string>

#include "server/responses.h"

namespace basalt::server {
namespace {

TEST(SplitDescriptorsTest, LeavesAShareForStorageAndTheProcess) {
  DescriptorSplit big = SplitDescriptors(20000, 2);
  EXPECT_EQ(4096, big.storage_open_files);
  EXPECT_EQ(20000 - 72 - 4096, big.max_connections);
  DescriptorSplit small = SplitDescriptors(1024, 2);
  EXPECT_EQ(238, small.storage_open_files);
  EXPECT_EQ(714, small.max_connections);
}

TEST(SplitDescriptorsTest, ReservesMoreForMoreThreads) {
  EXPECT_LT(SplitDescriptors(4096, 32).max_connections, SplitDescriptors(4096, 2).max_connections);
}

TEST(SplitDescriptorsTest, ATinyLimitStillAllowsAConnectionAndRocksDbsMinimum) {
  DescriptorSplit tiny = SplitDescriptors(64, 2);
  EXPECT_EQ(20, tiny.storage_open_files);
  EXPECT_EQ(1, tiny.max_connections);
}

TEST(DefaultMemoryBudgetTest, Is256MiBOrAQuarterOfMemory) {
  EXPECT_EQ(size_t{256} << 20, DefaultMemoryBudget(uint64_t{24} << 30));
  EXPECT_EQ(size_t{128} << 20, DefaultMemoryBudget(uint64_t{512} << 20));
  EXPECT_EQ(size_t{16} << 20, DefaultMemoryBudget(uint64_t{32} << 20));
  EXPECT_EQ(size_t{256} << 20, DefaultMemoryBudget(0));
}

TEST(RenderHttpErrorTest, UsesDynamoDbsJsonShape) {
  http::Response r = RenderHttpError(http::ErrorKind::kMalformed, "Malformed HTTP request: bad \"Content-Length\"");
  EXPECT_EQ(400, r.status);
  EXPECT_EQ(
      R"({"__type":"com.amazon.coral.service#SerializationException","message":"Malformed HTTP request: bad \"Content-Length\""})",
      r.body);
  bool json = false;
  for (const auto& [k, v] : r.headers) json |= k == "Content-Type" && v == "application/x-amz-json-1.0";
  EXPECT_TRUE(json);
}

TEST(RenderHttpErrorTest, OverloadIsARetryableThrottlingError) {
  http::Response r = RenderHttpError(http::ErrorKind::kOverloaded, "busy");
  EXPECT_EQ(400, r.status);
  EXPECT_EQ(R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"busy"})", r.body);
  EXPECT_EQ(503, RenderHttpError(http::ErrorKind::kTooManyConnections, "x").status);
  EXPECT_EQ(413, RenderHttpError(http::ErrorKind::kBodyTooLarge, "x").status);
}

TEST(RenderHttpErrorTest, EscapesControlCharacters) {
  http::Response r = DynamoErrorResponse(400, "T", std::string("a\nb\\", 4));
  EXPECT_EQ(R"({"__type":"T","message":"a\u000ab\\"})", r.body);
}

}  // namespace
}  // namespace basalt::server
