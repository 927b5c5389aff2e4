// On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup
// and RestoreTableFromBackup.
//
// A backup is a consistent cut of one table: CreateBackup takes a storage
// snapshot (writers go on, unblocked) and a background worker copies the
// table's items as of that snapshot into a key space of the backup's own,
// so the backup is durable and outlives its table. The record
// (backup_record.h) says CREATING until the copy has landed, then
// AVAILABLE. Index definitions travel in the record; index entries are
// rebuilt by the restore.
//
// A restore creates the target table held CREATING, loads the backup's
// items with their index entries in bulk (bulk_load.h), then publishes it
// ACTIVE. A marker in the MetaStore says a restore is in flight: after a
// crash, Open removes a half-restored table (the restore failed; nothing
// else changed) and a half-copied backup.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/backup_record.h"
#include "db/bulk_load.h"
#include "db/catalog.h"
#include "db/requests.h"
#include "db/tables.h"
#include "storage/engine.h"

namespace basalt::db {

struct ListBackupsInput {
  std::optional<std::string> table;  // TableName
  std::optional<double> lower;       // TimeRangeLowerBound, inclusive
  std::optional<double> upper;       // TimeRangeUpperBound, exclusive
  std::string type = "USER";         // USER, SYSTEM, AWS_BACKUP, ALL
  std::optional<std::string> exclusive_start_arn;
  size_t limit = 100;
};

struct ListBackupsOutput {
  std::vector<BackupRecord> backups;
  std::optional<std::string> last_evaluated_arn;
};

// The override members a restore accepts.
struct RestoreOverrides {
  std::optional<BillingMode> billing_mode;
  std::optional<ProvisionedThroughput> throughput;
  std::optional<std::vector<IndexInput>> global_indexes;  // replaces the source's GSIs
  std::optional<std::vector<IndexInput>> local_indexes;   // replaces the source's LSIs
  std::optional<OnDemandInput> on_demand;                 // changes the source's caps
  std::optional<SseSettings> sse;                         // replaces the source's
};

struct RestoreFromBackupInput {
  std::string target;
  std::string backup_arn;
  RestoreOverrides overrides;
};

class Backups {
 public:
  Backups(storage::Engine* engine, Catalog* catalog, Tables* tables, const Clock* clock)
      : engine_(engine), catalog_(catalog), tables_(tables), clock_(clock) {}
  // Stops the worker; a copy or restore it abandons is cleaned up by the next Open.
  ~Backups();
  // Ends the worker: the job in progress gives up (a half-made backup or
  // restore is removed at the next start), the queued ones never run. The
  // owner calls it before what the jobs use (point-in-time recovery) goes.
  void Stop();

  // Loads the backups and the restore summaries, and removes what a crash
  // left half done.
  Status Open();
  // Where front-ends share the store: takes up the records and summaries
  // the others stored, and what they left half done when they died
  // (backups_shared.cc); renews the leases of this process's work.
  Status Refresh();

  Result<BackupRecord> CreateBackup(const Scope& scope, const std::string& table, const std::string& name);
  Result<BackupRecord> DescribeBackup(const Scope& scope, const std::string& arn);
  Result<ListBackupsOutput> ListBackups(const Scope& scope, const ListBackupsInput& in);
  // Returns the backup as it was, with status DELETED.
  Result<BackupRecord> DeleteBackup(const Scope& scope, const std::string& arn);
  Result<TableDescription> RestoreTableFromBackup(const Scope& scope, const RestoreFromBackupInput& in);

  // TableAlreadyExists where the target of a restore exists (checked
  // before anything else of a restore's request is).
  Status CheckTargetFree(const Scope& scope, const std::string& target) const;
  // A new table (held CREATING) from `source`'s definition with the
  // overrides, loaded on the worker by `load`, then published ACTIVE; the
  // table's RestoreSummary is `summary`. Shared with point-in-time restores.
  using Loader = std::function<Status(const TableMeta& target)>;
  // Runs on the worker once the load has ended, with its outcome.
  using Done = std::function<void(const Status&)>;
  Result<TableDescription> RestoreTable(const Scope& scope, const std::string& target, const TableMeta& source,
                                        const RestoreOverrides& overrides, RestoreSummary summary, Loader load,
                                        Done done = nullptr);
  // The same from a whole definition (ImportTable); `summary` when the
  // table is a restore's.
  Result<TableDescription> CreateAndLoad(const Scope& scope, const CreateTableInput& in,
                                         std::optional<RestoreSummary> summary, Loader load, Done done = nullptr);

  // What fills a backup: calls its argument with each item (the stored
  // encoding), stopping at the first error.
  using RowSink = std::function<Status(std::string_view pk, std::string_view sk, std::string_view value)>;
  using RowSource = std::function<Status(const RowSink& add)>;
  // The SYSTEM backup `<table>$DeletedTableBackup` of a table deleted with
  // point-in-time recovery on, kept 35 days (then dropped when backups are
  // next listed or described): CREATING until `rows` (the PITR log `log`
  // replayed to the deletion) has filled it on the worker. The backup then
  // owns the log and drops it once filled.
  static constexpr int kSystemBackupDays = 35;
  Status CreateDeletedTableBackup(const TableMeta& table, double deleted_at, storage::TableId log, RowSource rows);
  // After a restart: fills again, from `replay(log, deleted_at)`, the
  // $DeletedTableBackups Open found still CREATING. Returns the logs they
  // own, which their PITR states must not drop.
  using LogReplay = std::function<RowSource(storage::TableId log, double deleted_at)>;
  std::set<storage::TableId> ResumeFromLogs(const LogReplay& replay);

  // A bulk loader into `table` (an import's loader).
  BulkLoader NewLoader(const TableMeta& table) { return BulkLoader(engine_, table); }

  // The RestoreSummary of a table made by a restore.
  std::optional<RestoreSummary> RestoreSummaryOf(storage::TableId table);
  // Forgets a deleted table's RestoreSummary.
  void ForgetTable(storage::TableId table);
  // Refuses to delete a table while a backup of it is being copied.
  Status CheckDeletable(const TableMeta& table);

  // Runs `job` on the worker, after the jobs queued before it (a point-in-
  // time recovery base copy runs before any restore that reads it).
  void RunInBackground(std::function<void()> job) { Enqueue(std::move(job)); }
  // Whether the worker is being stopped (a long job gives up).
  bool stopping() const { return stop_; }

  // Waits until the worker has nothing to do (for tests).
  void WaitIdle();

 private:
  struct Key {
    std::string ns;
    std::string id;
    auto operator<=>(const Key&) const = default;
  };
  static constexpr std::string_view kBackupPrefix = "backup/";
  static constexpr std::string_view kRestorePrefix = "restore/";
  static std::string StoreKey(const std::string& ns, const std::string& id);
  static std::string FillLease(const Key& key);
  static std::string LoadLease(storage::TableId table);
  // True when this process holds the lease now (always, unshared).
  Result<bool> TakeLease(const std::string& name);
  // Open's and Refresh's work: the stored records and markers become this
  // process's; orphaned work is removed or, for a $DeletedTableBackup,
  // queued for ResumeFromLogs.
  Status LoadStored(bool at_open);
  static std::string RestoreKey(storage::TableId table);
  Result<BackupRecord*> FindLocked(const Scope& scope, const std::string& arn);
  void Enqueue(std::function<void()> job);
  void Loop();
  // The worker's jobs.
  void CopyBackup(Key key, std::shared_ptr<storage::Snapshot> snapshot, storage::TableId source);
  // Stores the record of a backup this process fills, under its lease.
  Status StartFilling(const Key& key, const BackupRecord& r);
  // Writes `rows` into the backup's key space and makes it AVAILABLE (or
  // removes it on failure); then drops the log it was filled from, if any.
  void FillBackup(Key key, const RowSource& rows);
  void CopyRows(const Key& key, const RowSource& rows);  // FillBackup's work
  // Drops a filled backup's source log and forgets it.
  Status DropSourceLog(BackupRecord* r);
  // Removes the backups past their BackupExpiryDateTime.
  void DropExpiredLocked();
  void RunRestore(std::shared_ptr<const TableMeta> table, Loader load, Done done, bool keep_summary);
  // Removes a table whose restore failed.
  void DropRestoredTable(const TableMeta& table);
  std::string NewBackupId();

  storage::Engine* engine_;
  Catalog* catalog_;
  Tables* tables_;
  const Clock* clock_;

  std::mutex mu_;
  std::map<Key, BackupRecord> backups_;                     // guarded by mu_
  std::map<Key, int> restoring_from_;                       // restores reading a backup; guarded by mu_
  std::map<storage::TableId, RestoreSummary> restored_;     // guarded by mu_
  std::vector<Key> to_resume_;  // $DeletedTableBackups Open found CREATING; guarded by mu_
  std::set<Key> filling_;                     // backups this process fills; guarded by mu_
  std::set<storage::TableId> loading_;        // tables this process restores; guarded by mu_

  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by jobs_mu_
  bool busy_ = false;                       // guarded by jobs_mu_
  bool stopping_ = false;                   // guarded by jobs_mu_
  std::atomic<bool> stop_{false};           // tells a running job to give up
  std::thread worker_;
};

}  // namespace basalt::db
