// Online GSI backfill: a GSI added by UpdateTable starts empty, with a
// cursor, and this class walks the table in scan order on a thread of its
// own, a step at a time, putting each item into the index through the write
// path (WriteMode::kBackfill). A step holds the table's runtime exclusively
// while it reads and commits, then moves the cursor; writers in between
// maintain the index only for items at or behind the cursor and leave the
// rest to the backfill, so every item is indexed exactly once. When the walk
// ends the index becomes ACTIVE. Several backfills (of different tables)
// take steps in turn. Front-ends sharing a store (RADOS) fill each index on
// one of them, the holder of the index's lease.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/status.h"
#include "db/catalog.h"
#include "db/table_meta.h"
#include "db/write_path.h"
#include "storage/engine.h"

namespace basalt::db {

class IndexBackfill {
 public:
  IndexBackfill(storage::Engine* engine, Catalog* catalog, WritePath* write_path)
      : engine_(engine), catalog_(catalog), write_path_(write_path) {}
  // Stops the thread; unfinished backfills start over at the next open.
  ~IndexBackfill();

  // Restarts the backfills that no one fills (cut short by a restart, or
  // by the death of the front-end that held their lease): their partial
  // entries and counts are dropped, and writers leave the index to the
  // backfill again. Called at open, and after each catalog re-read where
  // front-ends share the store (the lease of a dead one has lapsed by then).
  Status Resume();
  // Starts filling `index`, a new GSI of `table` whose cursor is set;
  // nothing if this front-end fills it already.
  void Start(std::shared_ptr<const TableMeta> table, IndexMeta index);

 private:
  struct Job {
    std::shared_ptr<const TableMeta> table;
    IndexMeta index;
  };
  // With several front-ends on one store, one fills an index: the holder of
  // its lease (MetaStore::Lease), renewed every step. A backfill whose
  // front-end died is resumed by another once the lease lapses.
  static constexpr double kLeaseSeconds = 30;
  static std::string LeaseName(const IndexMeta& index);
  void Enqueue(Job job);
  void Loop();
  // Indexes the next records after the cursor; true when the walk is over
  // (or the table or index is gone).
  Result<bool> Step(const Job& job);
  // Every item is indexed: the index becomes ACTIVE.
  void Finish(const Job& job);

  storage::Engine* engine_;
  Catalog* catalog_;
  WritePath* write_path_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;   // guarded by mu_
  std::set<uint64_t> filling_;  // guarded by mu_: the indexes this front-end fills (queued or stepping)
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // started with the first job
};

}  // namespace basalt::db
