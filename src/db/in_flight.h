// Items that transactions are writing, from their first read to their
// commit. As in DynamoDB, another transaction that touches one is cancelled
// (TransactionConflict) and a single-item write to one fails with
// TransactionConflictException, instead of waiting (so there is no deadlock).
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/engine.h"

namespace basalt::db {

class InFlightItems {
 public:
  // Claims every key, or none: false if any is held, with `held[i]` telling which.
  bool Claim(const std::vector<std::string>& keys, std::vector<bool>* held);
  void Release(const std::vector<std::string>& keys);
  // Whether any of the keys is held (cheap while no transaction runs).
  bool AnyHeld(const std::vector<std::string>& keys) const;
  // Whether no key is held: no transaction is running. Lock-free, so callers
  // can skip building identities.
  bool Empty() const { return count_.load(std::memory_order_acquire) == 0; }

  // The identity of an item's storage key.
  static std::string Identity(const storage::Key& key);

 private:
  mutable std::mutex mu_;
  std::unordered_set<std::string> held_;  // guarded by mu_
  std::atomic<size_t> count_{0};          // held_.size(), read without mu_
};

}  // namespace basalt::db
