#include "db/in_flight.h"

#include "common/coding.h"

namespace basalt::db {

std::string InFlightItems::Identity(const storage::Key& key) {
  std::string id;
  PutFixed64BE(&id, key.table);
  PutLengthPrefixed(&id, key.pk);
  id.append(key.sk);
  return id;
}

bool InFlightItems::Claim(const std::vector<std::string>& keys, std::vector<bool>* held) {
  std::lock_guard lock(mu_);
  held->assign(keys.size(), false);
  bool any = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (held_.count(keys[i])) (*held)[i] = any = true;
  }
  if (any) return false;
  for (const auto& k : keys) held_.insert(k);
  count_.store(held_.size(), std::memory_order_release);
  return true;
}

void InFlightItems::Release(const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  for (const auto& k : keys) held_.erase(k);
  count_.store(held_.size(), std::memory_order_release);
}

bool InFlightItems::AnyHeld(const std::vector<std::string>& keys) const {
  if (Empty()) return false;
  std::lock_guard lock(mu_);
  for (const auto& k : keys) {
    if (held_.count(k)) return true;
  }
  return false;
}

}  // namespace basalt::db
