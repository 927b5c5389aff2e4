// The most frequent keys of a stream in bounded memory: the Space-Saving
// sketch (Metwally, Agrawal, El Abbadi, 2005), weighted, and a sliding
// window of them.
//
// Space-Saving keeps at most `capacity` counters. A key that has one adds
// its weight to it; a new key takes over the smallest counter, adding its
// weight to the smallest count (which becomes the new counter's `error`).
// Error bound, for a stream of total weight N and k = capacity counters:
//   - every count overestimates its key's true weight by at most its
//     `error`, and every error is at most N / k (the smallest count never
//     exceeds N / k);
//   - every key whose true weight exceeds N / k holds a counter, so the true
//     top keys are found whenever the top-ranked weights exceed N / k, and
//     a key whose count minus error exceeds the next count is surely ranked
//     above it.
// Memory: O(k) entries. Each update is O(log k).
//
// Not thread safe: the user holds a lock (db/contributor_insights.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace basalt {

// One key of a ranking: its estimated weight and how much of it may be overestimate.
struct HeavyHitter {
  std::string key;
  double count = 0;
  double error = 0;
};

class SpaceSaving {
 public:
  explicit SpaceSaving(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}

  void Add(const std::string& key, double weight = 1) {
    total_ += weight;
    auto it = counters_.find(key);
    if (it != counters_.end()) {
      order_.erase({it->second.count, key});
      it->second.count += weight;
      order_.insert({it->second.count, key});
      return;
    }
    Counter c{weight, 0};
    if (counters_.size() >= capacity_) {
      // The smallest counter is taken over by the new key.
      auto smallest = order_.begin();
      c.count += smallest->first;
      c.error = smallest->first;
      counters_.erase(smallest->second);
      order_.erase(smallest);
    }
    counters_.emplace(key, c);
    order_.insert({c.count, key});
  }

  // The `n` largest counts, largest first (ties by key).
  std::vector<HeavyHitter> Top(size_t n) const {
    std::vector<HeavyHitter> out;
    for (auto it = order_.rbegin(); it != order_.rend() && out.size() < n; ++it) {
      out.push_back(HeavyHitter{it->second, it->first, counters_.at(it->second).error});
    }
    return out;
  }

  // Every counter (for merging windows).
  std::vector<HeavyHitter> All() const { return Top(counters_.size()); }

  double total() const { return total_; }
  size_t capacity() const { return capacity_; }
  // The bound on any count's overestimate: N / k.
  double ErrorBound() const { return total_ / static_cast<double>(capacity_); }

 private:
  struct Counter {
    double count;
    double error;
  };
  size_t capacity_;
  double total_ = 0;
  // Smallest count first; among equal counts the greatest key first, so
  // that a ranking (read backwards) lists ties in key order.
  struct Order {
    bool operator()(const std::pair<double, std::string>& a, const std::pair<double, std::string>& b) const {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    }
  };
  std::unordered_map<std::string, Counter> counters_;
  std::set<std::pair<double, std::string>, Order> order_;  // (count, key)
};

// Space-Saving over a sliding window of `window` seconds, kept as `slices`
// sketches of window/slices seconds each: the window slides one slice at a
// time. A ranking sums the slices' counters; a key missing from a slice may
// have had up to that slice's smallest count there, so the merged error
// bound is the sum of the slices' bounds (N / k for the window's N).
class WindowedHeavyHitters {
 public:
  WindowedHeavyHitters(size_t capacity, double window_seconds, int slices)
      : capacity_(capacity), slice_seconds_(window_seconds / std::max(1, slices)), slices_(std::max(1, slices)) {}

  void Add(double now, const std::string& key, double weight = 1) { Slice(now).Add(key, weight); }

  std::vector<HeavyHitter> Top(double now, size_t n) {
    Expire(now);
    if (ring_.size() == 1) return ring_.front().second.Top(n);
    std::map<std::string, HeavyHitter> merged;
    for (const auto& [start, sketch] : ring_) {
      for (const HeavyHitter& h : sketch.All()) {
        HeavyHitter& m = merged[h.key];
        m.key = h.key;
        m.count += h.count;
        m.error += h.error;
      }
    }
    std::vector<HeavyHitter> out;
    out.reserve(merged.size());
    for (auto& [key, h] : merged) out.push_back(std::move(h));
    std::sort(out.begin(), out.end(), [](const HeavyHitter& a, const HeavyHitter& b) {
      return a.count != b.count ? a.count > b.count : a.key < b.key;
    });
    if (out.size() > n) out.resize(n);
    return out;
  }

  // The bound on any merged count's overestimate within the window.
  double ErrorBound(double now) {
    Expire(now);
    double bound = 0;
    for (const auto& [start, sketch] : ring_) bound += sketch.ErrorBound();
    return bound;
  }
  double Total(double now) {
    Expire(now);
    double total = 0;
    for (const auto& [start, sketch] : ring_) total += sketch.total();
    return total;
  }

 private:
  SpaceSaving& Slice(double now) {
    Expire(now);
    double start = std::floor(now / slice_seconds_) * slice_seconds_;
    if (ring_.empty() || ring_.back().first < start) ring_.emplace_back(start, SpaceSaving(capacity_));
    return ring_.back().second;
  }
  void Expire(double now) {
    double oldest = std::floor(now / slice_seconds_) * slice_seconds_ - slice_seconds_ * (slices_ - 1);
    while (!ring_.empty() && ring_.front().first < oldest) ring_.pop_front();
  }

  size_t capacity_;
  double slice_seconds_;
  int slices_;
  std::deque<std::pair<double, SpaceSaving>> ring_;  // (slice start, its sketch), oldest first
};

}  // namespace basalt
