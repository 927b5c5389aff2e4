#include "common/heavy_hitters.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <unordered_map>

namespace basalt {
namespace {

std::string Render(const std::vector<HeavyHitter>& top) {
  std::string out;
  for (const auto& h : top) out += h.key + "=" + std::to_string(static_cast<int>(h.count)) + " ";
  return out;
}

TEST(HeavyHittersTest, SmallStreamIsCountedExactly) {
  SpaceSaving s(10);
  for (const char* k : {"a", "b", "a", "c", "a", "b"}) s.Add(k);
  EXPECT_EQ("a=3 b=2 c=1 ", Render(s.Top(5)));
}

TEST(HeavyHittersTest, NewKeyTakesOverTheSmallestCounterWithItsCountAsError) {
  SpaceSaving s(2);
  s.Add("a", 5);
  s.Add("b", 2);
  s.Add("c", 1);  // replaces b: 2 + 1, error 2
  auto top = s.Top(2);
  EXPECT_EQ("a=5 c=3 ", Render(top));
  EXPECT_DOUBLE_EQ(2, top[1].error);
  EXPECT_DOUBLE_EQ(4, s.ErrorBound());  // N / k = 8 / 2
}

// 1,000,000 requests over 100,000 keys drawn from a Zipf distribution
// (exponent 1.0): the sketch of 1,000 counters ranks the true top 10 keys
// in the true order, every count is within the stated bound of the truth.
TEST(HeavyHittersTest, FindsTheTrueTopTenOfAMillionZipfRequests) {
  constexpr int kKeys = 100000;
  constexpr int kRequests = 1000000;
  std::vector<double> cdf(kKeys);
  double sum = 0;
  for (int i = 0; i < kKeys; ++i) cdf[i] = (sum += 1.0 / (i + 1));
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> uniform(0, sum);
  // Keys are named out of rank order, so the sketch cannot lean on names.
  auto name = [](int rank) { return "k" + std::to_string((rank * 7919) % kKeys); };
  SpaceSaving sketch(1000);
  std::unordered_map<std::string, double> exact;
  for (int i = 0; i < kRequests; ++i) {
    int rank = static_cast<int>(std::lower_bound(cdf.begin(), cdf.end(), uniform(rng)) - cdf.begin());
    std::string key = name(rank);
    sketch.Add(key);
    exact[key] += 1;
  }
  std::vector<std::pair<double, std::string>> truth;
  for (const auto& [k, c] : exact) truth.emplace_back(c, k);
  std::sort(truth.begin(), truth.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  auto top = sketch.Top(10);
  ASSERT_EQ(10u, top.size());
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(truth[i].second, top[i].key) << "rank " << i;
    EXPECT_GE(top[i].count, exact[top[i].key]);
    EXPECT_LE(top[i].count - exact[top[i].key], top[i].error);
    EXPECT_LE(top[i].error, sketch.ErrorBound());
  }
  EXPECT_DOUBLE_EQ(1000, sketch.ErrorBound());  // N / k
}

// The algorithm as first written, over an ordered set: the model the heap
// must match counter for counter, ties and take-overs included.
class SetModel {
 public:
  explicit SetModel(size_t capacity) : capacity_(capacity) {}
  void Add(const std::string& key, double weight) {
    auto it = counters_.find(key);
    if (it != counters_.end()) {
      order_.erase({it->second.first, key});
      it->second.first += weight;
      order_.insert({it->second.first, key});
      return;
    }
    std::pair<double, double> c{weight, 0};
    if (counters_.size() >= capacity_) {
      auto smallest = order_.begin();
      c.first += smallest->first;
      c.second = smallest->first;
      counters_.erase(smallest->second);
      order_.erase(smallest);
    }
    counters_.emplace(key, c);
    order_.insert({c.first, key});
  }
  std::string Render() const {
    std::string out;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      out += it->second + "=" + std::to_string(it->first) + "/" + std::to_string(counters_.at(it->second).second) + " ";
    }
    return out;
  }

 private:
  struct Order {
    bool operator()(const std::pair<double, std::string>& a, const std::pair<double, std::string>& b) const {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    }
  };
  size_t capacity_;
  std::map<std::string, std::pair<double, double>> counters_;
  std::set<std::pair<double, std::string>, Order> order_;
};

std::string RenderAll(const SpaceSaving& s) {
  std::string out;
  for (const auto& h : s.All()) out += h.key + "=" + std::to_string(h.count) + "/" + std::to_string(h.error) + " ";
  return out;
}

TEST(HeavyHittersTest, MatchesTheOrderedSetModelThroughTiesAndTakeOvers) {
  std::mt19937_64 rng(23);
  for (size_t capacity : {1, 2, 3, 8, 64}) {
    SpaceSaving sketch(capacity);
    SetModel model(capacity);
    // Few distinct weights and a key space a few times the capacity: many
    // equal counts, and a take-over every few updates.
    for (int i = 0; i < 20000; ++i) {
      const std::string key = "k" + std::to_string(rng() % (capacity * 4 + 1));
      const double weight = static_cast<double>(rng() % 3) * 0.5 + (rng() % 4 == 0 ? 0 : 1);
      sketch.Add(key, weight);
      model.Add(key, weight);
      if (i % 997 == 0) {
        ASSERT_EQ(model.Render(), RenderAll(sketch)) << "capacity " << capacity << " step " << i;
      }
    }
    EXPECT_EQ(model.Render(), RenderAll(sketch)) << "capacity " << capacity;
  }
}

TEST(HeavyHittersTest, WindowForgetsWhatSlidOut) {
  WindowedHeavyHitters w(10, 60, 6);  // six slices of 10 s
  w.Add(1000, "old", 5);
  w.Add(1030, "new", 2);
  EXPECT_EQ("old=5 new=2 ", Render(w.Top(1035, 10)));
  EXPECT_DOUBLE_EQ(7, w.Total(1035));
  EXPECT_EQ("new=2 ", Render(w.Top(1065, 10)));  // the slice of 1000 s has slid out
  EXPECT_EQ("", Render(w.Top(1200, 10)));
}

}  // namespace
}  // namespace basalt
