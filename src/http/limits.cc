#include "http/limits.h"

#include <algorithm>
#include <vector>

namespace basalt::http {

MemoryBudget::MemoryBudget(size_t limit, size_t small_bytes) : limit_(limit), small_bytes_(small_bytes) {}

bool MemoryBudget::FitsLocked(size_t n, size_t total) const {
  // used_ + n == total: nothing is held but by this holder.
  if (used_ + n <= total || used_ + n <= limit_) return true;
  return total <= small_bytes_ && used_ + n <= limit_ + limit_ / 8;
}

bool MemoryBudget::TryGrow(size_t held, size_t more) {
  std::lock_guard lock(mu_);
  if (!FitsLocked(more, held + more)) return false;
  used_ += more;
  peak_ = std::max(peak_, used_);
  return true;
}

bool MemoryBudget::TryAcquire(size_t n) {
  std::lock_guard lock(mu_);
  if (!FitsLocked(n)) return false;
  used_ += n;
  peak_ = std::max(peak_, used_);
  return true;
}

void MemoryBudget::ForceAcquire(size_t n) {
  std::lock_guard lock(mu_);
  used_ += n;
  peak_ = std::max(peak_, used_);
}

void MemoryBudget::Release(size_t n) {
  std::vector<std::function<void()>> granted;
  {
    std::lock_guard lock(mu_);
    used_ -= std::min(n, used_);
    // Oldest first, but a waiter that does not fit does not hold up smaller
    // ones behind it: its own wait is bounded by its deadline.
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (FitsLocked(it->bytes)) {
        used_ += it->bytes;
        peak_ = std::max(peak_, used_);
        granted.push_back(std::move(it->grant));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& grant : granted) grant();
}

uint64_t MemoryBudget::Wait(size_t n, std::function<void()> grant) {
  std::unique_lock lock(mu_);
  uint64_t id = next_id_++;
  if (FitsLocked(n)) {
    used_ += n;
    peak_ = std::max(peak_, used_);
    lock.unlock();
    grant();
    return id;
  }
  waiters_.push_back(Waiter{id, n, std::move(grant)});
  return id;
}

bool MemoryBudget::Cancel(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(waiters_.begin(), waiters_.end(), [id](const Waiter& w) { return w.id == id; });
  if (it == waiters_.end()) return false;
  waiters_.erase(it);
  return true;
}

void MemoryBudget::DropWaiters() {
  std::deque<Waiter> dropped;
  {
    std::lock_guard lock(mu_);
    dropped.swap(waiters_);
  }
}

size_t MemoryBudget::used() const {
  std::lock_guard lock(mu_);
  return used_;
}

size_t MemoryBudget::peak() const {
  std::lock_guard lock(mu_);
  return peak_;
}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    Reset();
    budget_ = other.budget_;
    bytes_ = other.bytes_;
    other.budget_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

bool Reservation::TryGrow(size_t more) {
  if (budget_ == nullptr || !budget_->TryGrow(bytes_, more)) return false;
  bytes_ += more;
  return true;
}

void Reservation::Reset() {
  if (budget_ && bytes_ > 0) budget_->Release(bytes_);
  budget_ = nullptr;
  bytes_ = 0;
}

bool LogThrottle::Allow(std::chrono::steady_clock::time_point now, uint64_t* suppressed) {
  std::lock_guard lock(mu_);
  if (logged_ && now - last_ < interval_) {
    ++suppressed_;
    return false;
  }
  logged_ = true;
  last_ = now;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace basalt::http
