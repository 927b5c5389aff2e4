// Point-in-time recovery: UpdateContinuousBackups, DescribeContinuousBackups
// and RestoreTableToPointInTime.
//
// Enabling PITR gives the table a change log (change_log.h) that its
// writers append to in the same commit as each item version, and copies
// the table as of that moment into the log as its base (on the backups
// worker, from a snapshot taken while no writer is in flight). A restore
// to time T replays the log: per item, the last version at or before T,
// loaded in bulk into a new table with its indexes (Backups::RestoreTable).
// Trim drops the versions no instant of the window needs. The table is
// restored as it was defined at T (pitr_definitions.h).
//
// Settings (MetaStore key "pitr/" table-id as 16 hex digits):
//   pitr := u8(format=1) u8(enabled) u8(base_ready) varint(days) f64(earliest) varint(log)
//
// Where front-ends share the store (RADOS), the settings are the truth and
// each front-end follows them (Refresh, after each catalog re-read), so its
// writers log the tables another front-end enabled PITR on. The base copy
// starts once the others have acknowledged that (AwaitOtherFrontEnds), so
// every write lands in the copy or in the log, and the copy is not a cut
// (each partition is read as it is when the copy reaches it): the window
// begins when the copy ends.
// The copy runs under the lease "pitr-base/" id, so a front-end that finds
// a base unfinished disables PITR only when the one copying it died; the
// trimmer runs on the holder of the lease "pitr-trimmer".
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "db/backups.h"
#include "db/catalog.h"
#include "db/pitr_definitions.h"
#include "db/requests.h"
#include "storage/engine.h"

namespace basalt::db {

struct ContinuousBackupsDescription {
  bool pitr_enabled = false;
  int64_t period_days = 35;
  double earliest = 0;  // EarliestRestorableDateTime, while enabled
  double latest = 0;    // LatestRestorableDateTime, while enabled
};

struct RestoreToPointInTimeInput {
  std::string source;  // SourceTableName (or the name in SourceTableArn)
  std::string target;
  std::optional<double> time;  // RestoreDateTime, epoch seconds
  bool use_latest = false;     // UseLatestRestorableTime
  RestoreOverrides overrides;
};

class PointInTimeRecovery {
 public:
  PointInTimeRecovery(storage::Engine* engine, Catalog* catalog, Backups* backups, const Clock* clock)
      : engine_(engine), catalog_(catalog), backups_(backups), clock_(clock), definitions_(&engine->meta()) {}
  ~PointInTimeRecovery();

  // Loads the settings and hands each enabled table's log to its writers;
  // PITR whose base copy a crash cut short is disabled again.
  Status Open();
  // Where front-ends share the store: takes up the settings other front-ends
  // stored (PITR enabled or disabled, a base copy finished, a window
  // trimmed), handing each table's log to its writers or taking it away.
  Status Refresh();
  // How often, at the longest, another front-end re-reads the settings
  // (its catalog follower's period): a base copy waits it out.
  void set_reread_seconds(double seconds) { reread_seconds_ = seconds; }

  Result<ContinuousBackupsDescription> Update(const Scope& scope, const std::string& table, bool enabled,
                                              std::optional<int64_t> days);
  Result<ContinuousBackupsDescription> Describe(const Scope& scope, const std::string& table);
  Result<TableDescription> Restore(const Scope& scope, const RestoreToPointInTimeInput& in);

  // Visits the items of the table as they were at `time` (default: now),
  // replayed from its log; runs on the backups worker (an export). Errors as
  // ExportTableToPointInTime's: TableNotFound, PointInTimeRecoveryUnavailable,
  // InvalidExportTime. `at_out` receives the instant read.
  using ReplayVisitor = std::function<Status(std::string_view pk, std::string_view sk, std::string_view item)>;
  Status ReadAt(const Scope& scope, const std::string& table, std::optional<double> time, const ReplayVisitor& visit,
                double* at_out = nullptr);

  // The items that changed in [from, to) (INCREMENTAL_EXPORT), each once:
  // its image before `from` and its last image before `to` (the stored item
  // encoding; absent when there was none or it was deleted), and the time of
  // that last change. Errors as ReadAt's.
  struct Change {
    std::optional<std::string> old_item;
    std::optional<std::string> new_item;
    uint64_t time_us = 0;
  };
  using ChangeVisitor = std::function<Status(const Change&)>;
  Status ChangesBetween(const Scope& scope, const std::string& table, double from, double to,
                        const ChangeVisitor& visit);

  // Drops, from every log, the versions older than its window that no
  // instant in the window needs, and moves EarliestRestorableDateTime up.
  Status Trim();
  // Queues a Trim on the backups worker every `seconds` (0: never).
  void StartTrimmer(double seconds);
  // The catalog stored a new definition of the table (Catalog::ObserveUpdates):
  // kept while the table has PITR on, for restores to the times it was in force.
  void DefinitionChanged(const TableMeta& table);
  // Refuses to delete a table while its base copy is in flight, here or on
  // another front-end (as the service refuses while a backup is taken): the
  // copy reads the table, and without it there is no $DeletedTableBackup.
  // Called with the catalog's definitions lock held (Tables::DeleteTable).
  Status CheckDeletable(const TableMeta& table);
  // A table was deleted: its log goes with it, after it has filled the
  // table's SYSTEM backup `<table>$DeletedTableBackup` (Backups).
  void ForgetTable(const TableMeta& table);

 private:
  struct State {
    bool enabled = false;
    bool base_ready = false;
    int64_t days = 35;
    double earliest = 0;
    storage::TableId log = 0;
  };
  static constexpr std::string_view kSettingsPrefix = "pitr/";
  // The lease of a base copy, renewed with each re-read of the settings.
  static constexpr double kBaseLeaseSeconds = 30;
  static std::string StoreKey(storage::TableId table);
  static std::string Encode(const State& s);
  static Status Decode(std::string_view in, State* s);
  ContinuousBackupsDescription DescriptionOf(const State* s) const;
  // A table's log and window, or the error of a table without PITR.
  struct EnabledLog {
    std::shared_ptr<const TableMeta> table;
    ContinuousBackupsDescription window;
    storage::TableId log = 0;
  };
  Result<EnabledLog> LogOf(const Scope& scope, const std::string& table);
  void CopyBase(storage::TableId table, storage::TableId log, std::shared_ptr<storage::Snapshot> snapshot,
                double at);
  // Where front-ends share the store: waits until every other front-end has
  // re-read the settings, so its writers log the table: until each watcher
  // of the store has stored its acknowledgement under `acks`, or for one
  // re-read period at the longest. Checks `still_wanted` meanwhile; false
  // when stopping or no longer wanted.
  //
  //   acknowledgement := "pitr-ack/" hex16(table) "/" hex16(log) "/" hex16(process id) -> ""
  bool AwaitOtherFrontEnds(const std::function<bool()>& still_wanted, const std::string& acks);
  static std::string AckPrefix(storage::TableId table, storage::TableId log);
  bool AllAcknowledged(const std::string& acks);
  void DropAcknowledgements(storage::TableId table, storage::TableId log);
  static std::string BaseLease(storage::TableId table);
  // A base copy left unfinished (enabled, not base_ready): PITR is disabled
  // and the log dropped, unless another front-end is still copying it.
  Status DisableUnfinished(storage::TableId table, const std::string& name, State* s);
  // A base copy failed: PITR of the table (`meta`, if it still exists) is
  // disabled (state, writers, definitions, stored settings) and its log
  // dropped; under mu_.
  void DisableAfterFailedCopyLocked(storage::TableId table, const TableMeta* meta, State* s);
  // Stores `now` where the key still holds `before` (another front-end may
  // have changed it meanwhile; then Refresh takes up what it stored).
  Status StoreIfUnchanged(storage::TableId table, const State& before, const State& now);
  // Makes `stored` this front-end's state of `table` and hands its log to
  // the table's writers (or takes it away); under mu_.
  void TakeUpLocked(const TableMeta& table, const State& stored);
  static bool Same(const State& a, const State& b) { return Encode(a) == Encode(b); }
  Status TrimLog(storage::TableId table, State* s, double horizon);
  // Sorts the log's records by commit up to `up_to_us` into records by item
  // (change_log.h), which the readers below read.
  Status SortLog(storage::TableId log, uint64_t up_to_us);
  // Visits, per item of the log, its last version at or before `at_us` (if not a deletion).
  Status Replay(storage::TableId log, uint64_t at_us, const ReplayVisitor& visit);
  // What fills a deleted table's $DeletedTableBackup: its log replayed to the deletion.
  Backups::RowSource DeletedTableRows(storage::TableId log, double deleted_at);

  storage::Engine* engine_;
  Catalog* catalog_;
  Backups* backups_;
  const Clock* clock_;
  DefinitionHistory definitions_;  // written under mu_
  std::mutex mu_;
  std::map<storage::TableId, State> states_;  // by table id; guarded by mu_
  std::set<storage::TableId> copying_;        // base copies of this process; guarded by mu_
  bool opened_ = false;                       // Open is done (Refresh waits for it); guarded by mu_
  std::set<storage::TableId> acknowledged_;   // logs this front-end acknowledged; guarded by mu_
  // Logs of PITR disabled here, with when the others have stopped writing
  // them (Refresh drops them then); guarded by mu_.
  std::vector<std::pair<storage::TableId, double>> doomed_logs_;
  double reread_seconds_ = 5;
  std::condition_variable trim_cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread trimmer_;
};

}  // namespace basalt::db
