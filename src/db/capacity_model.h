// DynamoDB's throughput limits as a model: token buckets for one table or
// one global secondary index, with burst, partitions, adaptive capacity and
// on-demand scaling. Pure: time is an argument (seconds), so tests drive it
// with a fake clock; the caller (db/throttle.h) holds the lock.
//
// How a request meets the limits (the service's token-bucket behaviour):
//   admit   a request is admitted when every bucket it draws on holds a
//           positive balance; its cost is not known yet (a write's cost
//           depends on the old item), so it is not checked against it
//   charge  after the request ran, its units are taken from the buckets,
//           which may go into debt; the debt delays the next admission
//
// Buckets of one resource (a table or a GSI), for reads and writes apart:
//   provisioned  the resource's rate (RCU or WCU per second), holding up to
//                300 s of unused capacity (burst). A new resource starts
//                with one second's worth plus what accrued since its
//                creation.
//   on-demand    the instantaneous capacity: at least 12,000 RRU / 4,000 WRU
//                per second, or twice the highest per-second consumption of
//                the last 30 minutes, capped by OnDemandThroughput's
//                maximum and the per-table quota (40,000); one second deep.
//   partitions   the key space is split into hash ranges; each serves at
//                most 3,000 RCU and 1,000 WCU per second (one second deep).
//                Count: max(ceil(RCU / 3000 + WCU / 1000), ceil(size / 10 GB), 1),
//                from the provisioned rates or, on demand, the
//                instantaneous capacity.
// Adaptive capacity: a partition is never held to its share of the table's
// rate (rate / partitions); it may use whatever the table has left, up to
// the per-partition maximum, at once. So a single hot key is throttled at
// 1,000 WCU / 3,000 RCU (KeyRangeThroughputExceeded) while the table as a
// whole is below its rate.
// Hot-item isolation: a hash range that keeps throttling (a throttle at
// least every kHeatGapSeconds) for kHeatIsolationSeconds is split for heat:
// from then on each partition key (item collection) in it has a partition
// of its own, so two hot keys that shared a range get the per-partition
// maximum each, while one hot key still throttles at it. Basalt's choices
// where the reference gives no figure: the 60 seconds, and that an item
// collection is never split by sort key (the service keeps collections whole
// on tables with LSIs and may split others; not modelled). At most
// kMaxIsolatedKeys keys per side are isolated; past that, keys of split
// ranges share their range's partition as before.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace basalt::db {

enum class CapacityOp { kRead = 0, kWrite = 1 };

// Why a request was throttled, DynamoDB's ThrottlingReason limit types.
enum class LimitType {
  kNone,
  kProvisionedThroughputExceeded,   // a provisioned table or GSI is out of capacity
  kKeyRangeThroughputExceeded,      // one partition is at 3,000 RCU / 1,000 WCU
  kMaxOnDemandThroughputExceeded,   // OnDemandThroughput's configured cap
  kAccountLimitExceeded,            // the per-table quota (40,000 units/s)
  kOnDemandScaling,                 // on demand, past twice the previous peak
};

inline constexpr double kBurstSeconds = 300;
inline constexpr double kPartitionReadUnits = 3000;
inline constexpr double kPartitionWriteUnits = 1000;
inline constexpr double kPartitionBytes = 10.0 * (1 << 30);
inline constexpr double kOnDemandInitialRead = 12000;
inline constexpr double kOnDemandInitialWrite = 4000;
inline constexpr double kOnDemandPeakWindowSeconds = 1800;
inline constexpr double kTableQuotaUnits = 40000;
inline constexpr double kHeatIsolationSeconds = 60;
inline constexpr double kHeatGapSeconds = 5;
inline constexpr size_t kMaxIsolatedKeys = 1024;

// A token bucket: `rate` units per second, holding at most `depth` units.
struct TokenBucket {
  double rate = 0;
  double depth = 0;
  double tokens = 0;
  double last = 0;  // when tokens were last brought up to date

  void Reset(double rate_, double depth_, double tokens_, double now) {
    rate = rate_;
    depth = depth_;
    tokens = tokens_;
    last = now;
  }
  void Refill(double now) {
    if (now > last) tokens = std::min(depth, tokens + (now - last) * rate);
    last = std::max(last, now);
  }
};

// What a resource is configured with.
struct CapacityLimits {
  bool on_demand = false;
  double read_rate = 0;   // provisioned RCU
  double write_rate = 0;  // provisioned WCU
  double max_read = 0;    // on demand: OnDemandThroughput caps, 0 for none
  double max_write = 0;
  double warm_read = 0;   // on demand: WarmThroughput, the capacity to start from when above the default
  double warm_write = 0;
  double size_bytes = 0;  // the data size, which also sets the partition count
  bool operator==(const CapacityLimits&) const = default;
};

// The buckets of one table or one global secondary index.
class CapacityResource {
 public:
  // Sets the limits (UpdateTable's changes take effect at once). Balances
  // carry over; a provisioned bucket's balance is cut to its new depth. A
  // new provisioned bucket holds one second's capacity and what accrued in
  // `idle_seconds` since the resource was created.
  void Configure(const CapacityLimits& limits, double now, double idle_seconds = 0);
  const CapacityLimits& limits() const { return limits_; }

  // Whether a request of `op` on the partition of `key_hash` may run now;
  // no `key_hash` (a Scan) checks only the resource as a whole.
  LimitType Admit(double now, CapacityOp op, std::optional<uint64_t> key_hash);
  // Takes `units` consumed by an admitted request.
  void Charge(double now, CapacityOp op, std::optional<uint64_t> key_hash, double units);

  int Partitions() const { return partitions_; }
  // The instantaneous capacity now (on demand) or the provisioned rate.
  double Rate(CapacityOp op) const { return side_[Index(op)].table.rate; }
  // The table bucket's balance (for tests and metrics).
  double Balance(double now, CapacityOp op);

 private:
  // How long a hash range has been throttling.
  struct Heat {
    double since = 0;  // the first throttle of the current hot stretch
    double last = 0;   // the latest throttle
    bool hot = false;
  };
  struct Side {
    TokenBucket table;
    std::map<int, TokenBucket> partitions;  // by hash range, created when first used
    std::map<int, Heat> heat;               // ranges that throttled, until split
    std::set<int> split;                    // ranges split for heat: their keys are isolated
    std::map<uint64_t, TokenBucket> isolated;  // by key hash, in split ranges
    double second_start = 0;                // on demand: this second's consumption
    double second_units = 0;
    double peak = 0;  // the highest per-second consumption in the window
    double peak_at = 0;
  };
  static int Index(CapacityOp op) { return op == CapacityOp::kRead ? 0 : 1; }
  double OnDemandInitial(CapacityOp op) const;  // 12,000 or 4,000 units, or WarmThroughput when above
  double OnDemandRate(CapacityOp op) const;
  int PartitionOf(uint64_t key_hash) const;
  // The bucket that serves `key_hash`: its own when its range was split for
  // heat (made on first use), else its range's; null for a range not yet used
  // unless `create`.
  TokenBucket* PartitionBucket(CapacityOp op, uint64_t key_hash, double now, bool create);
  // A request to `key_hash` was throttled by its range's partition: the
  // range's heat grows, and long enough heat splits it.
  void NoteThrottle(Side& s, uint64_t key_hash, double now);
  void Repartition(double now);
  void TrackPeak(Side& s, double now, double units);

  CapacityLimits limits_;
  bool configured_ = false;
  int partitions_ = 1;
  Side side_[2];
};

}  // namespace basalt::db
