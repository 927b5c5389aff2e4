// A thread-safe memo of a pure function of some text (a parsed expression
// or statement), of bounded size: real traffic sends the same few texts
// again and again, and a miss costs only the work the cache saves.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace basalt {

template <typename V>
class BoundedCache {
 public:
  explicit BoundedCache(size_t capacity) : capacity_(capacity) {}

  // The value cached for `key`, or a new one that `fill(V*)` fills in place
  // (so a value may point into itself) and that is then cached.
  template <typename Fill>
  std::shared_ptr<const V> Get(std::string_view key, Fill fill) {
    {
      std::lock_guard lock(mu_);
      auto it = entries_.find(std::string(key));
      if (it != entries_.end()) return it->second;
    }
    auto value = std::make_shared<V>();
    fill(value.get());
    std::lock_guard lock(mu_);
    // When full, drop an arbitrary entry: the hot ones come back at once.
    if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
    entries_.emplace(std::string(key), value);
    return value;
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const V>> entries_;  // guarded by mu_
};

}  // namespace basalt
