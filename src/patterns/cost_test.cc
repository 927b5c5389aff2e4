#include "patterns/cost.h"

#include <gtest/gtest.h>

namespace basalt::patterns {
namespace {

// Hand computations with the method's constants (shared/seeds/004):
// RRU $0.125/million, WRU $0.625/million, storage $0.25/GB-month, a month
// of 2,592,000 seconds, partitions of 3,000 RCU / 1,000 WCU.

TEST(CostTest, OnDemandUsesTheAverageRate) {
  // "MainTable: 1000 RPS reads + 100 RPS writes": 1000 x 2,592,000 x 0.125 / 10^6 = $324.
  EXPECT_DOUBLE_EQ(324.0, OnDemandReadMonthly(1000));
  // 100 x 2,592,000 x 0.625 / 10^6 = $162.
  EXPECT_DOUBLE_EQ(162.0, OnDemandWriteMonthly(100));
  // 500 eventually consistent reads/s of items up to 4 KB are 250 RRU/s: $81.
  EXPECT_DOUBLE_EQ(81.0, OnDemandReadMonthly(500 * 0.5));
  // A transactional write of a 1 KB item is 2 WRU: 10/s cost 20 x 2,592,000 x 0.625 / 10^6 = $32.40.
  EXPECT_DOUBLE_EQ(32.4, OnDemandWriteMonthly(10 * 2));
}

TEST(CostTest, StorageIsPerGigabyteMonth) {
  EXPECT_DOUBLE_EQ(2.5, StorageMonthly(10.0 * 1024 * 1024 * 1024));
  EXPECT_DOUBLE_EQ(0.125, StorageMonthly(512.0 * 1024 * 1024));
}

TEST(CostTest, ProvisionedUsesWholeUnitsAtThePeak) {
  // 1,000 RCU x $0.00013 x 720 hours = $93.60; 100 WCU x $0.00065 x 720 = $46.80.
  EXPECT_NEAR(93.6, ProvisionedReadMonthly(1000), 1e-9);
  EXPECT_NEAR(46.8, ProvisionedWriteMonthly(100), 1e-9);
  EXPECT_NEAR(46.8, ProvisionedWriteMonthly(99.2), 1e-9);  // rounded up to 100 units
  // Break-even: $0.00013 an RCU-hour against 3,600 reads at $0.125/million = $0.00045: 28.9%.
  EXPECT_NEAR(0.00013 / 0.00045, ReadBreakEven(), 1e-12);
  EXPECT_NEAR(0.00065 / 0.00225, WriteBreakEven(), 1e-12);
  // At the break-even utilisation both cost the same: peak 1,000 RCU, average 288.9.
  EXPECT_NEAR(ProvisionedReadMonthly(1000), OnDemandReadMonthly(1000 * ReadBreakEven()), 1e-9);
}

TEST(CostTest, PartitionLoadAgainstTheLimits) {
  // "Pattern #1 at 500 RPS distributed across ~10K users = 0.05 RPS per partition".
  EXPECT_NEAR(0.05 / 3000, PartitionLoad(500.0 / 10000, 0), 1e-15);
  EXPECT_DOUBLE_EQ(0.6, PartitionLoad(1500, 600));  // writes are nearer their limit
  EXPECT_DOUBLE_EQ(1.0, PartitionLoad(3000, 0));
  // A key with a quarter of the writes hits 1,000 WCU when the table takes 4,000.
  EXPECT_DOUBLE_EQ(4000, RateAtPartitionLimit(0.25, kPartitionWcu));
  EXPECT_TRUE(std::isinf(RateAtPartitionLimit(0, kPartitionWcu)));
}

}  // namespace
}  // namespace basalt::patterns
