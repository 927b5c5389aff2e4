// Keeps a front-end's catalog in step with the other front-ends sharing its
// store (several Basalts on one RADOS pool and namespace): a change one of
// them announces (MetaStore::Announce, a RADOS notify) wakes this one's
// thread to re-read the definitions (Catalog::Refresh) at once, so a table
// created, updated or deleted elsewhere is seen here within the notify's
// round trip. It also re-reads every `period` seconds, in case a
// notification was lost (a watch broken and not yet restored).
//
// On the embedded engine no other process shares the store: Start returns
// false and no thread runs.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "db/catalog.h"
#include "storage/engine.h"

namespace basalt::db {

class CatalogFollower {
 public:
  CatalogFollower(Catalog* catalog, storage::MetaStore* meta, double period_seconds)
      : catalog_(catalog), meta_(meta), period_(period_seconds) {}
  // Ends the watch, then the thread.
  ~CatalogFollower();

  // Starts following when other processes may share the store.
  bool Start();
  // Ends the watch and the thread (the destructor does too); the owner calls
  // it before what `after_refresh` uses goes.
  void Stop();
  // Runs after each re-read, on the follower's thread (set before Start):
  // background work that other front-ends may have left undone.
  void set_after_refresh(std::function<void()> f) { after_refresh_ = std::move(f); }

 private:
  void Loop();

  Catalog* catalog_;
  storage::MetaStore* meta_;
  double period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;  // guarded by mu_: a change was announced
  bool stop_ = false;     // guarded by mu_
  bool watching_ = false;
  std::function<void()> after_refresh_;
  std::thread thread_;
};

}  // namespace basalt::db
