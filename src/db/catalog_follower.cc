#include "db/catalog_follower.h"

#include <chrono>

#include "common/log.h"

namespace basalt::db {

CatalogFollower::~CatalogFollower() { Stop(); }

void CatalogFollower::Stop() {
  if (watching_) meta_->Unwatch();
  watching_ = false;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool CatalogFollower::Start() {
  watching_ = meta_->Watch([this] {
    // On the store's callback thread: only a flag and a wake-up.
    std::lock_guard lock(mu_);
    pending_ = true;
    cv_.notify_all();
  });
  if (!watching_) return false;
  thread_ = std::thread([this] { Loop(); });
  return true;
}

void CatalogFollower::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::duration<double>(period_), [&] { return stop_ || pending_; });
    if (stop_) break;
    pending_ = false;
    lock.unlock();
    if (Status st = catalog_->Refresh(); !st.ok()) {
      Log(LogLevel::kWarn, "could not re-read the table definitions: " + st.message());
    }
    if (after_refresh_) after_refresh_();
    lock.lock();
  }
}

}  // namespace basalt::db
