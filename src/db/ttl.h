// Time to Live: UpdateTimeToLive, DescribeTimeToLive, and the sweeper that
// deletes expired items through the write path (so indexes and streams
// follow, and the stream records say the service deleted them).
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "db/catalog.h"
#include "db/metrics.h"
#include "db/requests.h"
#include "db/write_path.h"
#include "storage/engine.h"

namespace basalt::db {

class TimeToLive {
 public:
  // `transient_seconds`: how long ENABLING and DISABLING last.
  TimeToLive(storage::Engine* engine, Catalog* catalog, WritePath* write_path, const Clock* clock,
             double transient_seconds)
      : engine_(engine), catalog_(catalog), write_path_(write_path), clock_(clock), transient_(transient_seconds) {}
  // Stops the sweeper.
  ~TimeToLive();

  Status Update(const Scope& scope, const std::string& table, const std::string& attribute, bool enabled);
  Result<TimeToLiveDescription> Describe(const Scope& scope, const std::string& table);

  // One pass of the sweeper: deletes expired items, reading at most
  // `max_records` records. Returns how many it deleted.
  Result<size_t> SweepExpired(size_t max_records);
  // Runs a pass every `seconds` on a thread of its own (none when 0).
  void StartSweeper(double seconds);

  // Counts deletions by table (TimeToLiveDeletedItemCount); set before the sweeper starts.
  void set_metrics(Metrics* metrics) { metrics_ = metrics; }

 private:
  storage::Engine* engine_;
  Catalog* catalog_;
  WritePath* write_path_;
  const Clock* clock_;
  double transient_;
  Metrics* metrics_ = nullptr;
  std::map<storage::TableId, BackfillCursor> cursors_;  // where each table's sweep goes on; sweeper only

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread sweeper_;
};

}  // namespace basalt::db
