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
  for (Side& s : side_) s.partitions.clear();
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
    const double max = op == CapacityOp::kRead ? kPartitionReadUnits : kPartitionWriteUnits;
    auto [it, added] = s.partitions.try_emplace(PartitionOf(*key_hash));
    if (added) it->second.Reset(max, max, max, now);
    it->second.Refill(now);
    if (it->second.tokens <= 0) return LimitType::kKeyRangeThroughputExceeded;
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
    auto it = s.partitions.find(PartitionOf(*key_hash));
    if (it != s.partitions.end()) {
      it->second.Refill(now);
      it->second.tokens -= units;
    }
  }
}

double CapacityResource::Balance(double now, CapacityOp op) {
  Side& s = side_[Index(op)];
  s.table.Refill(now);
  return s.table.tokens;
}

}  // namespace basalt::db
