// The modeling method's arithmetic (shared/seeds/004: "Constants for
// Reference"), as pure functions: on-demand cost from AVERAGE request
// units per second, storage per GB-month, provisioned capacity at the PEAK
// and where it breaks even, and a partition's load against its limits.
#pragma once

#include <algorithm>
#include <cmath>

namespace basalt::patterns {

struct Prices {
  double rru_per_million = 0.125;   // on-demand read request unit (the method's figure)
  double wru_per_million = 0.625;   // on-demand write request unit (the method's figure)
  double storage_gb_month = 0.25;   // the method's figure; a GB is 2^30 bytes
  // Provisioned capacity (us-east-1, Standard table class; the method gives
  // none): per RCU-hour and WCU-hour.
  double rcu_hour = 0.00013;
  double wcu_hour = 0.00065;
};

inline constexpr double kMonthSeconds = 2'592'000;  // the method's 30-day month
inline constexpr double kMonthHours = kMonthSeconds / 3600;
inline constexpr double kPartitionRcu = 3000;  // per partition per second
inline constexpr double kPartitionWcu = 1000;
inline constexpr double kItemLimitBytes = 400 * 1024;

// On-demand: units per second on average, for a month, at the price per million.
inline double OnDemandReadMonthly(double avg_rru_per_s, const Prices& p = {}) {
  return avg_rru_per_s * kMonthSeconds * p.rru_per_million / 1e6;
}
inline double OnDemandWriteMonthly(double avg_wru_per_s, const Prices& p = {}) {
  return avg_wru_per_s * kMonthSeconds * p.wru_per_million / 1e6;
}
inline double StorageMonthly(double bytes, const Prices& p = {}) {
  return bytes / (1024.0 * 1024 * 1024) * p.storage_gb_month;
}

// Provisioned: whole units at the peak, for every hour of the month.
inline double ProvisionedReadMonthly(double peak_rcu_per_s, const Prices& p = {}) {
  return std::ceil(peak_rcu_per_s) * p.rcu_hour * kMonthHours;
}
inline double ProvisionedWriteMonthly(double peak_wcu_per_s, const Prices& p = {}) {
  return std::ceil(peak_wcu_per_s) * p.wcu_hour * kMonthHours;
}

// The utilisation (average / provisioned) above which provisioned capacity
// costs less than on-demand for the same traffic: a unit-hour provisioned
// against 3,600 on-demand units.
inline double ReadBreakEven(const Prices& p = {}) { return p.rcu_hour / (3600 * p.rru_per_million / 1e6); }
inline double WriteBreakEven(const Prices& p = {}) { return p.wcu_hour / (3600 * p.wru_per_million / 1e6); }

// A partition's share of its limits (1 = at the limit): reads against 3,000
// RCU/s, writes against 1,000 WCU/s, whichever is nearer.
inline double PartitionLoad(double rcu_per_s, double wcu_per_s) {
  return std::max(rcu_per_s / kPartitionRcu, wcu_per_s / kPartitionWcu);
}

// The table-wide rate at which a key with this share of the traffic takes
// its partition to the limit (infinite for a share of 0).
inline double RateAtPartitionLimit(double share, double limit) {
  return share > 0 ? limit / share : INFINITY;
}

}  // namespace basalt::patterns
