#include "db/capacity_model.h"

#include <algorithm>
#include <cmath>

namespace basalt::db {

double CapacityResource::OnDemandInitial(CapacityOp op) const {
  return op == CapacityOp::kRead ? std::max(kOnDemandInitialRead, limits_.warm_read)
                                 : std::max(kOnDemandInitialWrite, limits_.warm_write);
}

double CapacityResource::OnDemandRate(CapacityOp op) const {
  const Side& s = side_[Index(op)];
  double rate = std::max(OnDemandInitial(op), 2 * s.peak);
  rate = std::min(rate, kTableQuotaUnits);
  double cap = op == CapacityOp::kRead ? limits_.max_read : limits_.max_write;
  if (cap > 0) rate = std::min(rate, cap);
  return rate;
}

void CapacityResource::Repartition(double now) {
  double r = side_[0].table.rate, w = side_[1].table.rate;
  if (limits_.on_demand) {
    // The partitions behind the instantaneous capacity, before any cap.
    r = std::min(std::max(OnDemandInitial(CapacityOp::kRead), 2 * side_[0].peak), kTableQuotaUnits);
    w = std::min(std::max(OnDemandInitial(CapacityOp::kWrite), 2 * side_[1].peak), kTableQuotaUnits);
  }
  int by_throughput = static_cast<int>(std::ceil(r / kPartitionReadUnits + w / kPartitionWriteUnits - 1e-9));
  int by_size = static_cast<int>(std::ceil(limits_.size_bytes / kPartitionBytes));
  int count = std::max({1, by_throughput, by_size});
  if (count == partitions_) return;
  // The key space is split anew: every range starts with a full second.
  partitions_ = count;
  for (Side& s : side_) {
    // Isolated keys keep their partitions; ranges are new, so is their heat.
    s.partitions.clear();
    s.heat.clear();
    s.split.clear();
  }
  (void)now;
}

void CapacityResource::Configure(const CapacityLimits& limits, double now, double idle_seconds) {
  if (configured_ && limits == limits_) return;
  const bool first = !configured_ || limits.on_demand != limits_.on_demand;
  limits_ = limits;
  configured_ = true;
  for (CapacityOp op : {CapacityOp::kRead, CapacityOp::kWrite}) {
    Side& s = side_[Index(op)];
    s.table.Refill(now);
    if (limits.on_demand) {
      double rate = OnDemandRate(op);
      s.table.Reset(rate, rate, first ? rate : std::min(s.table.tokens, rate), now);
    } else {
      double rate = op == CapacityOp::kRead ? limits.read_rate : limits.write_rate;
      double depth = rate * kBurstSeconds;
      // A new bucket holds one second of capacity; a changed one keeps its balance.
      double initial = std::min(depth, rate * (1 + std::max(0.0, idle_seconds)));
      s.table.Reset(rate, depth, first ? initial : std::min(s.table.tokens, depth), now);
    }
  }
  Repartition(now);
}

int CapacityResource::PartitionOf(uint64_t key_hash) const {
  // Contiguous hash ranges, as the service splits a key space.
  return static_cast<int>((static_cast<unsigned __int128>(key_hash) * static_cast<unsigned>(partitions_)) >> 64);
}

void CapacityResource::TrackPeak(Side& s, double now, double units) {
  if (now - s.second_start >= 1) {
    // A second ended: it may be the new peak; a peak older than the window is forgotten.
    if (s.second_units >= s.peak || now - s.peak_at > kOnDemandPeakWindowSeconds) {
      s.peak = s.second_units;
      s.peak_at = s.second_start;
    }
    s.second_start = std::floor(now);
    s.second_units = 0;
  }
  s.second_units += units;
}

LimitType CapacityResource::Admit(double now, CapacityOp op, std::optional<uint64_t> key_hash) {
  Side& s = side_[Index(op)];
  if (limits_.on_demand) {
    TrackPeak(s, now, 0);
    double rate = OnDemandRate(op);
    if (rate != s.table.rate) {
      s.table.Refill(now);
      s.table.Reset(rate, rate, std::min(s.table.tokens + (rate - s.table.rate), rate), now);
      Repartition(now);
    }
  }
  s.table.Refill(now);
  if (key_hash) {
    TokenBucket* b = PartitionBucket(op, *key_hash, now, true);
    b->Refill(now);
    if (b->tokens <= 0) {
      NoteThrottle(s, *key_hash, now);
      return LimitType::kKeyRangeThroughputExceeded;
    }
  }
  if (s.table.tokens > 0) return LimitType::kNone;
  if (!limits_.on_demand) return LimitType::kProvisionedThroughputExceeded;
  double cap = op == CapacityOp::kRead ? limits_.max_read : limits_.max_write;
  if (cap > 0 && s.table.rate >= cap) return LimitType::kMaxOnDemandThroughputExceeded;
  if (s.table.rate >= kTableQuotaUnits) return LimitType::kAccountLimitExceeded;
  return LimitType::kOnDemandScaling;
}

void CapacityResource::Charge(double now, CapacityOp op, std::optional<uint64_t> key_hash, double units) {
  Side& s = side_[Index(op)];
  s.table.Refill(now);
  s.table.tokens -= units;
  if (limits_.on_demand) TrackPeak(s, now, units);
  if (key_hash) {
    if (TokenBucket* b = PartitionBucket(op, *key_hash, now, false)) {
      b->Refill(now);
      b->tokens -= units;
    }
  }
}

TokenBucket* CapacityResource::PartitionBucket(CapacityOp op, uint64_t key_hash, double now, bool create) {
  Side& s = side_[Index(op)];
  const double max = op == CapacityOp::kRead ? kPartitionReadUnits : kPartitionWriteUnits;
  const int range = PartitionOf(key_hash);
  if (s.split.count(range)) {
    auto it = s.isolated.find(key_hash);
    if (it != s.isolated.end()) return &it->second;
    if (create && s.isolated.size() < kMaxIsolatedKeys) {
      TokenBucket& b = s.isolated[key_hash];
      b.Reset(max, max, max, now);
      return &b;
    }
  }
  auto it = s.partitions.find(range);
  if (it != s.partitions.end()) return &it->second;
  if (!create) return nullptr;
  TokenBucket& b = s.partitions[range];
  b.Reset(max, max, max, now);
  return &b;
}

void CapacityResource::NoteThrottle(Side& s, uint64_t key_hash, double now) {
  const int range = PartitionOf(key_hash);
  if (s.split.count(range)) return;  // an isolated key at its own maximum: nothing left to split
  Heat& h = s.heat[range];
  if (!h.hot || now - h.last > kHeatGapSeconds) h.since = now;  // a new hot stretch
  h.hot = true;
  h.last = now;
  if (now - h.since < kHeatIsolationSeconds) return;
  s.split.insert(range);
  s.heat.erase(range);
}

double CapacityResource::Balance(double now, CapacityOp op) {
  Side& s = side_[Index(op)];
  s.table.Refill(now);
  return s.table.tokens;
}

}  // namespace basalt::db
