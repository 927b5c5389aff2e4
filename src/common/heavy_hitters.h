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
// Memory: O(k) entries. Each update is O(log k): a binary heap of the
// counters, smallest first.
//
// Not thread safe: the user holds a lock (db/contributor_insights.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
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

  // Weights are not negative: a count only grows.
  void Add(std::string_view key, double weight = 1) {
    total_ += weight;
    if (auto it = index_.find(key); it != index_.end()) {
      Counter* c = it->second;
      c->count += weight;
      SiftDown(c->pos);
      return;
    }
    if (heap_.size() < capacity_) {
      heap_.push_back(std::make_unique<Counter>(Counter{std::string(key), weight, 0, heap_.size()}));
      index_.emplace(heap_.back()->key, heap_.back().get());
      SiftUp(heap_.size() - 1);
      return;
    }
    // The smallest counter is taken over by the new key. Its index entry is
    // moved to the new key, not freed and allocated again (~150
    // instructions of each take-over, callgrind).
    Counter* c = heap_.front().get();
    auto entry = index_.extract(c->key);
    c->key.assign(key);
    c->error = c->count;
    c->count += weight;
    entry.key() = c->key;
    index_.insert(std::move(entry));
    SiftDown(0);
  }

  // The `n` largest counts, largest first (ties by key).
  std::vector<HeavyHitter> Top(size_t n) const {
    std::vector<const Counter*> ranked;
    ranked.reserve(heap_.size());
    for (const auto& c : heap_) ranked.push_back(c.get());
    const auto above = [](const Counter* a, const Counter* b) { return Below(b, a); };
    const size_t k = std::min(n, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<ptrdiff_t>(k), ranked.end(), above);
    std::vector<HeavyHitter> out;
    out.reserve(k);
    for (size_t i = 0; i < k; ++i) out.push_back(HeavyHitter{ranked[i]->key, ranked[i]->count, ranked[i]->error});
    return out;
  }

  // Every counter (for merging windows).
  std::vector<HeavyHitter> All() const { return Top(heap_.size()); }

  double total() const { return total_; }
  size_t capacity() const { return capacity_; }
  // The bound on any count's overestimate: N / k.
  double ErrorBound() const { return total_ / static_cast<double>(capacity_); }

 private:
  struct Counter {
    std::string key;
    double count;
    double error;
    size_t pos;  // in heap_
  };
  // The order of counters: smallest count first; among equal counts the
  // greatest key first, so that a ranking (read backwards) lists ties in key
  // order and the counter taken over is always the same one.
  static bool Below(const Counter* a, const Counter* b) {
    return a->count != b->count ? a->count < b->count : a->key > b->key;
  }
  void Place(size_t i, std::unique_ptr<Counter> c) {
    c->pos = i;
    heap_[i] = std::move(c);
  }
  void SiftUp(size_t i) {
    std::unique_ptr<Counter> c = std::move(heap_[i]);
    while (i > 0 && Below(c.get(), heap_[(i - 1) / 2].get())) {
      Place(i, std::move(heap_[(i - 1) / 2]));
      i = (i - 1) / 2;
    }
    Place(i, std::move(c));
  }
  void SiftDown(size_t i) {
    std::unique_ptr<Counter> c = std::move(heap_[i]);
    for (;;) {
      size_t child = 2 * i + 1;
      if (child >= heap_.size()) break;
      if (child + 1 < heap_.size() && Below(heap_[child + 1].get(), heap_[child].get())) ++child;
      if (!Below(heap_[child].get(), c.get())) break;
      Place(i, std::move(heap_[child]));
      i = child;
    }
    Place(i, std::move(c));
  }

  size_t capacity_;
  double total_ = 0;
  // A binary min-heap of the counters in Below's order, and each key's
  // counter. The set of (count, key) pairs this replaces cost a node
  // allocation, two key copies and string comparisons down the tree per
  // update: ~1,450 instructions per new key of PutItem's heat, ~450 here.
  // The counters live on the heap so that index_'s views and pointers stay
  // put as heap_ moves them.
  std::vector<std::unique_ptr<Counter>> heap_;
  std::unordered_map<std::string_view, Counter*> index_;  // views of the counters' own keys
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
