#include "db/capacity_model.h"

#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"

namespace basalt::db {
namespace {

// Two keys known to fall into different halves of a two-partition key space.
constexpr uint64_t kLowKey = 1;
constexpr uint64_t kHighKey = ~uint64_t{0};

// Sends `per_second` requests of `units` each second for `seconds`, spread
// evenly over the second, each admitted request charged; returns
// "admitted/throttled" and the limit types met.
std::string Drive(CapacityResource& r, FakeClock& clock, CapacityOp op, uint64_t key, int per_second, double units,
                  int seconds) {
  int admitted = 0, throttled = 0;
  std::string limits;
  for (int s = 0; s < seconds; ++s) {
    for (int i = 0; i < per_second; ++i) {
      clock.Advance(1.0 / per_second);
      LimitType l = r.Admit(clock.Now(), op, key);
      if (l == LimitType::kNone) {
        r.Charge(clock.Now(), op, key, units);
        ++admitted;
        continue;
      }
      ++throttled;
      std::string name = l == LimitType::kProvisionedThroughputExceeded ? "provisioned"
                         : l == LimitType::kKeyRangeThroughputExceeded  ? "key-range"
                         : l == LimitType::kMaxOnDemandThroughputExceeded ? "max-on-demand"
                         : l == LimitType::kAccountLimitExceeded         ? "account"
                                                                         : "scaling";
      if (limits.find(name) == std::string::npos) limits += " " + name;
    }
  }
  return std::to_string(admitted) + "/" + std::to_string(throttled) + limits;
}

CapacityLimits Provisioned(double rcu, double wcu, double size_bytes = 0) {
  CapacityLimits l;
  l.read_rate = rcu;
  l.write_rate = wcu;
  l.size_bytes = size_bytes;
  return l;
}

TEST(CapacityModelTest, ProvisionedBucketAdmitsItsRateAfterTheFirstSecond) {
  FakeClock clock;
  CapacityResource r;
  r.Configure(Provisioned(10, 5), clock.Now());
  // 20 writes/s of 1 WCU against 5 WCU: one second held at creation, then 5/s.
  EXPECT_EQ("55/145 provisioned", Drive(r, clock, CapacityOp::kWrite, kLowKey, 20, 1, 10));
  // Reads have their own bucket.
  EXPECT_EQ("10/0", Drive(r, clock, CapacityOp::kRead, kLowKey, 10, 0.5, 1));
}

TEST(CapacityModelTest, UnusedCapacityIsKeptAsBurstUpToFiveMinutes) {
  FakeClock clock;
  CapacityResource r;
  r.Configure(Provisioned(1, 5), clock.Now());
  clock.Advance(60);  // one idle minute: 300 more units
  EXPECT_DOUBLE_EQ(305, r.Balance(clock.Now(), CapacityOp::kWrite));
  clock.Advance(3600);  // never more than 300 s worth
  EXPECT_DOUBLE_EQ(1500, r.Balance(clock.Now(), CapacityOp::kWrite));
  // The burst is spent above the rate: 100/s for 10 s is 1,000 units of
  // burst plus 50 of rate, all admitted.
  EXPECT_EQ("1000/0", Drive(r, clock, CapacityOp::kWrite, kLowKey, 100, 1, 10));
}

TEST(CapacityModelTest, LargeRequestIsAdmittedAndItsDebtDelaysTheNext) {
  FakeClock clock;
  CapacityResource r;
  r.Configure(Provisioned(1, 5), clock.Now());
  ASSERT_EQ(LimitType::kNone, r.Admit(clock.Now(), CapacityOp::kWrite, kLowKey));
  r.Charge(clock.Now(), CapacityOp::kWrite, kLowKey, 50);  // a 50 KB item
  clock.Advance(8);
  EXPECT_EQ(LimitType::kProvisionedThroughputExceeded, r.Admit(clock.Now(), CapacityOp::kWrite, kLowKey));
  clock.Advance(1.1);  // 45 units of debt take 9 s to repay
  EXPECT_EQ(LimitType::kNone, r.Admit(clock.Now(), CapacityOp::kWrite, kLowKey));
}

TEST(CapacityModelTest, PartitionCountFollowsThroughputAndSize) {
  FakeClock clock;
  CapacityResource r;
  r.Configure(Provisioned(100, 100), clock.Now());
  EXPECT_EQ(1, r.Partitions());
  r.Configure(Provisioned(6000, 2000), clock.Now());  // 6000/3000 + 2000/1000
  EXPECT_EQ(4, r.Partitions());
  r.Configure(Provisioned(100, 100, 25.0 * (1 << 30)), clock.Now());  // 25 GB
  EXPECT_EQ(3, r.Partitions());
  CapacityLimits on_demand;
  on_demand.on_demand = true;
  r.Configure(on_demand, clock.Now());  // 12,000 RRU and 4,000 WRU at first
  EXPECT_EQ(8, r.Partitions());
}

TEST(CapacityModelTest, HotKeyIsThrottledAtThePartitionLimitWhileTheTableIsUnderItsRate) {
  FakeClock clock;
  CapacityResource r;
  r.Configure(Provisioned(10000, 10000), clock.Now());
  clock.Advance(10);  // plenty of burst
  // One key at 1,500 WCU: its partition serves 1,000 a second (after the
  // full second it starts with), though the table has 10,000.
  EXPECT_EQ("10999/4001 key-range", Drive(r, clock, CapacityOp::kWrite, kLowKey, 1500, 1, 10));
  // The same key at 4,000 RCU: 3,000 a second (and the requests admitted on
  // a positive balance below one unit, which leave the bucket in debt).
  EXPECT_EQ("33012/6988 key-range", Drive(r, clock, CapacityOp::kRead, kLowKey, 4000, 1, 10));
  // A key in another partition is not held back meanwhile.
  EXPECT_EQ("500/0", Drive(r, clock, CapacityOp::kWrite, kHighKey, 500, 1, 1));
}

// Two keys of one hash range, each sent `per_second` writes of 1 WCU a
// second (interleaved) for `seconds`: "admitted A/admitted B".
std::string DriveTwo(CapacityResource& r, FakeClock& clock, uint64_t a, uint64_t b, int per_second, int seconds) {
  int admitted[2] = {0, 0};
  for (int i = 0; i < per_second * seconds; ++i) {
    clock.Advance(0.5 / per_second);
    for (int k = 0; k < 2; ++k) {
      uint64_t key = k == 0 ? a : b;
      if (r.Admit(clock.Now(), CapacityOp::kWrite, key) != LimitType::kNone) continue;
      r.Charge(clock.Now(), CapacityOp::kWrite, key, 1);
      ++admitted[k];
    }
    clock.Advance(0.5 / per_second);
  }
  return std::to_string(admitted[0]) + "/" + std::to_string(admitted[1]);
}

// Adaptive capacity isolates hot items: two keys that share a hash range
// share its 1,000 WCU until the range has throttled for a minute, then each
// has a partition of its own; a single key above 1,000 WCU still throttles.
TEST(CapacityModelTest, AHotRangeIsSplitSoItsHotKeysGetAPartitionEach) {
  FakeClock clock;
  CapacityResource r;
  r.Configure(Provisioned(100, 10000), clock.Now());  // 11 partitions; keys 1 and 2 share the first
  ASSERT_EQ(11, r.Partitions());
  // 600 + 600 WCU/s: the range admits about 1,000 a second between them.
  std::string first = DriveTwo(r, clock, 1, 2, 600, 30);
  EXPECT_NEAR(30000 + 1000, std::stoi(first) + std::stoi(first.substr(first.find('/') + 1)), 1200) << first;
  // Past a minute of throttling (the first came after about 5 s, when the
  // range's second of capacity ran out) the range is split: both keys are
  // served in full.
  DriveTwo(r, clock, 1, 2, 600, 40);
  EXPECT_EQ("6000/6000", DriveTwo(r, clock, 1, 2, 600, 10));
  // One key alone at 1,500 WCU/s still throttles at its partition's 1,000.
  EXPECT_EQ("10999/4001 key-range", Drive(r, clock, CapacityOp::kWrite, 1, 1500, 1, 10));
  // Throttles with pauses longer than kHeatGapSeconds do not add up: another range stays whole.
  const uint64_t third = ~uint64_t{0} - 1, fourth = ~uint64_t{0};  // the last range
  for (int i = 0; i < 12; ++i) {
    DriveTwo(r, clock, third, fourth, 600, 3);  // throttles for 3 s
    clock.Advance(kHeatGapSeconds + 1);          // then quiet
  }
  std::string whole = DriveTwo(r, clock, third, fourth, 600, 10);
  EXPECT_LT(std::stoi(whole) + std::stoi(whole.substr(whole.find('/') + 1)), 11500) << whole;
}

TEST(CapacityModelTest, AdaptiveCapacityLetsAHotPartitionUseTheTablesUnusedThroughput) {
  FakeClock clock;
  CapacityResource r;
  // 20 GB: two partitions, each with a share of 50 of the table's 100 WCU.
  r.Configure(Provisioned(100, 100, 20.0 * (1 << 30)), clock.Now());
  ASSERT_EQ(2, r.Partitions());
  // One partition takes all 100 WCU a second for a minute, unthrottled.
  EXPECT_EQ("6000/0", Drive(r, clock, CapacityOp::kWrite, kLowKey, 100, 1, 60));
  // But not more than the table has: at 200/s, 100 a second and the one
  // second's balance it held are admitted, the rest throttled by the table.
  EXPECT_EQ("1101/899 provisioned", Drive(r, clock, CapacityOp::kWrite, kLowKey, 200, 1, 10));
}

TEST(CapacityModelTest, OnDemandServesTwiceThePreviousPeak) {
  FakeClock clock;
  CapacityResource r;
  CapacityLimits l;
  l.on_demand = true;
  r.Configure(l, clock.Now());
  EXPECT_DOUBLE_EQ(4000, r.Rate(CapacityOp::kWrite));
  // Spread over many keys (no partition limit): 6,000 WRU/s is over the
  // first 4,000; the key varies so each partition stays under 1,000.
  auto spread = [&](int per_second, int seconds) {
    int admitted = 0, throttled = 0;
    for (int s = 0; s < seconds; ++s) {
      for (int i = 0; i < per_second; ++i) {
        clock.Advance(1.0 / per_second);
        uint64_t key = uint64_t{0x9E3779B97F4A7C15} * static_cast<uint64_t>(i + 1);
        if (r.Admit(clock.Now(), CapacityOp::kWrite, key) == LimitType::kNone) {
          r.Charge(clock.Now(), CapacityOp::kWrite, key, 1);
          ++admitted;
        } else {
          ++throttled;
        }
      }
    }
    return std::to_string(admitted) + "/" + std::to_string(throttled);
  };
  // 3,000 a second is served; after a second of it, twice that is.
  EXPECT_EQ("9000/0", spread(3000, 3));
  EXPECT_DOUBLE_EQ(6000, r.Rate(CapacityOp::kWrite));
  EXPECT_EQ(4 + 6, r.Partitions());  // 12,000 RRU and 6,000 WRU
  EXPECT_EQ("12000/0", spread(6000, 2));
  EXPECT_DOUBLE_EQ(12000, r.Rate(CapacityOp::kWrite));
  // A fresh table meets 10,000 a second with its 4,000 (and the second it
  // holds): the rest is throttled while it scales.
  CapacityResource fresh;
  fresh.Configure(l, clock.Now());
  int admitted = 0;
  std::string limit;
  for (int i = 0; i < 10000; ++i) {
    clock.Advance(1.0 / 10000);
    uint64_t key = uint64_t{0x9E3779B97F4A7C15} * static_cast<uint64_t>(i + 1);
    LimitType t = fresh.Admit(clock.Now(), CapacityOp::kWrite, key);
    if (t == LimitType::kNone) {
      fresh.Charge(clock.Now(), CapacityOp::kWrite, key, 1);
      ++admitted;
    } else if (t == LimitType::kOnDemandScaling) {
      limit = "scaling";
    }
  }
  EXPECT_NEAR(8000, admitted, 50);  // a few meet a full partition of the eight
  EXPECT_EQ("scaling", limit);
  // A peak older than 30 minutes is forgotten.
  clock.Advance(1900);
  spread(10, 2);
  EXPECT_DOUBLE_EQ(4000, r.Rate(CapacityOp::kWrite));
}

TEST(CapacityModelTest, OnDemandMaximumCapsThroughput) {
  FakeClock clock;
  CapacityResource r;
  CapacityLimits l;
  l.on_demand = true;
  l.max_write = 10;
  r.Configure(l, clock.Now());
  // 20 writes/s against a cap of 10: the first second's 10, then 10 a second.
  EXPECT_EQ("60/40 max-on-demand", Drive(r, clock, CapacityOp::kWrite, kLowKey, 20, 1, 5));
}

TEST(CapacityModelTest, WarmThroughputRaisesTheStartingCapacityNotBelowTheDefault) {
  FakeClock clock;
  CapacityLimits l;
  l.on_demand = true;
  l.warm_write = 10000;
  l.warm_read = 100;  // below the default 12,000: no effect
  CapacityResource r;
  r.Configure(l, clock.Now());
  EXPECT_DOUBLE_EQ(10000, r.Rate(CapacityOp::kWrite));
  EXPECT_DOUBLE_EQ(12000, r.Rate(CapacityOp::kRead));
  // 12,000 RRU / 3,000 and 10,000 WRU / 1,000: 14 partitions from the start.
  EXPECT_EQ(4 + 10, r.Partitions());
  // A cap still wins over the warm capacity.
  l.max_write = 500;
  r.Configure(l, clock.Now());
  EXPECT_DOUBLE_EQ(500, r.Rate(CapacityOp::kWrite));
}

TEST(CapacityModelTest, ThroughputChangesTakeEffectAtOnce) {
  FakeClock clock;
  CapacityResource r;
  r.Configure(Provisioned(1, 1), clock.Now());
  EXPECT_EQ("11/89 provisioned", Drive(r, clock, CapacityOp::kWrite, kLowKey, 10, 1, 10));
  r.Configure(Provisioned(1, 10), clock.Now());
  EXPECT_EQ("100/0", Drive(r, clock, CapacityOp::kWrite, kLowKey, 10, 1, 10));
}

}  // namespace
}  // namespace basalt::db
