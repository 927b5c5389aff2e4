#include "db/pitr.h"

#include <chrono>
#include <cmath>
#include <set>

#include "common/coding.h"
#include "common/log.h"
#include "db/bulk_load.h"
#include "db/change_log.h"
#include "db/format_version.h"
#include "db/meta_keys.h"

namespace basalt::db {
namespace {

constexpr double kDay = 86400;

Status TableNotFound(const std::string& name) { return Status(Code::kTableNotFound, "Table not found: " + name); }

uint64_t Micros(double seconds) { return static_cast<uint64_t>(std::llround(seconds * 1e6)); }

// Restorable instants are shown, and trimmed, to the millisecond.
double FloorMillis(double seconds) { return std::floor(seconds * 1000) / 1000; }

}  // namespace

PointInTimeRecovery::~PointInTimeRecovery() {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  trim_cv_.notify_all();
  if (trimmer_.joinable()) trimmer_.join();
}

void PointInTimeRecovery::StartTrimmer(double seconds) {
  if (seconds <= 0) return;
  trimmer_ = std::thread([this, seconds] {
    std::unique_lock l(mu_);
    while (!trim_cv_.wait_for(l, std::chrono::duration<double>(seconds), [&] { return stopping_; })) {
      backups_->RunInBackground([this, seconds] {
        Result<bool> mine = engine_->meta().Lease("pitr-trimmer", std::max(3 * seconds, 3.0));
        if (!mine.ok() || !*mine) return;  // another front-end trims
        if (Status st = Trim(); !st.ok()) Log(LogLevel::kError, "point-in-time recovery trim failed: " + st.message());
      });
    }
  });
}

std::string PointInTimeRecovery::StoreKey(storage::TableId table) { return std::string(kSettingsPrefix) + Hex16(table); }

std::string PointInTimeRecovery::Encode(const State& s) {
  std::string out;
  out.push_back(1);
  out.push_back(s.enabled ? 1 : 0);
  out.push_back(s.base_ready ? 1 : 0);
  PutVarint64(&out, static_cast<uint64_t>(s.days));
  PutF64(&out, s.earliest);
  PutVarint64(&out, s.log);
  return out;
}

Status PointInTimeRecovery::Decode(std::string_view in, State* s) {
  uint8_t format, enabled, ready;
  uint64_t days;
  if (!GetU8(&in, &format) || format != 1 || !GetU8(&in, &enabled) || !GetU8(&in, &ready) ||
      !GetVarint64(&in, &days) || !GetF64(&in, &s->earliest) || !GetVarint64(&in, &s->log)) {
    return Status::Internal("corrupt point-in-time recovery settings");
  }
  s->enabled = enabled != 0;
  s->base_ready = ready != 0;
  s->days = static_cast<int64_t>(days);
  return Status::Ok();
}

Status PointInTimeRecovery::Open() {
  // $DeletedTableBackups a stop interrupted are filled again from their logs.
  const std::set<storage::TableId> owned =
      backups_->ResumeFromLogs([this](storage::TableId log, double at) { return DeletedTableRows(log, at); });
  std::map<storage::TableId, std::shared_ptr<const TableMeta>> tables;
  for (const auto& t : catalog_->All()) tables[t->id] = t;
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(engine_->meta().List(kSettingsPrefix, &rows));
  for (const auto& [key, value] : rows) {
    State s;
    BASALT_RETURN_IF_ERROR(Decode(value, &s));
    storage::TableId id = IdAfter(key, kSettingsPrefix);
    auto table = tables.find(id);
    if (table == tables.end()) {  // the table was deleted
      // Where front-ends share the store, the one deleting it may be filling
      // its $DeletedTableBackup from the log: that one drops the log.
      if (engine_->meta().Shared()) continue;
      if (s.log && !owned.count(s.log)) BASALT_RETURN_IF_ERROR(engine_->DropTable(s.log));
      BASALT_RETURN_IF_ERROR(engine_->meta().Delete(key));
      continue;
    }
    if (s.enabled && !s.base_ready) BASALT_RETURN_IF_ERROR(DisableUnfinished(id, table->second->name, &s));
    if (s.enabled) {
      // Written by an older Basalt maybe: its writers now write records by commit.
      BASALT_RETURN_IF_ERROR(StampFormatVersion(&engine_->meta()));
      std::unique_lock lock(table->second->runtime->mu);
      table->second->runtime->pitr_log = s.log;
    }
    std::lock_guard l(mu_);
    states_[id] = s;
  }
  std::set<storage::TableId> enabled;
  std::lock_guard l(mu_);
  for (const auto& [id, s] : states_) {
    if (s.enabled) enabled.insert(id);
  }
  opened_ = true;
  return definitions_.ForgetAllBut(enabled);
}

ContinuousBackupsDescription PointInTimeRecovery::DescriptionOf(const State* s) const {
  ContinuousBackupsDescription d;
  if (!s || !s->enabled) return d;
  d.pitr_enabled = true;
  d.period_days = s->days;
  double now = clock_->Now();
  d.earliest = std::max(s->earliest, now - s->days * kDay);
  d.latest = now;
  return d;
}

Result<ContinuousBackupsDescription> PointInTimeRecovery::Update(const Scope& scope, const std::string& name,
                                                                 bool enabled, std::optional<int64_t> days) {
  auto lock = catalog_->LockDefinitions();
  auto table = catalog_->Find(scope.ns, name);
  if (!table) return TableNotFound(name);
  std::lock_guard l(mu_);
  if (engine_->meta().Shared()) {
    // Another front-end may have changed the settings since the last re-read.
    std::optional<std::string> stored;
    BASALT_RETURN_IF_ERROR(engine_->meta().Get(StoreKey(table->id), &stored));
    State now;
    if (stored) BASALT_RETURN_IF_ERROR(Decode(*stored, &now));
    TakeUpLocked(*table, now);
  }
  State& s = states_[table->id];
  if (enabled && s.enabled) {  // only the period changes
    if (days) s.days = *days;
    BASALT_RETURN_IF_ERROR(engine_->meta().Put(StoreKey(table->id), Encode(s)));
    engine_->meta().Announce();
    return DescriptionOf(&s);
  }
  if (!enabled) {
    if (s.enabled) {
      {
        std::unique_lock rt(table->runtime->mu);
        table->runtime->pitr_log = 0;
      }
      storage::TableId log = s.log;
      s = State{};
      BASALT_RETURN_IF_ERROR(engine_->meta().Put(StoreKey(table->id), Encode(s)));
      BASALT_RETURN_IF_ERROR(definitions_.Forget(table->id));
      engine_->meta().Announce();
      if (engine_->meta().Shared()) {
        // Once other front-ends have stopped writing it: a later Refresh
        // drops it (a stop before leaves it behind; nothing reaches it again).
        doomed_logs_.emplace_back(log, clock_->Now() + reread_seconds_ + 1);
      } else {
        // After the restores queued before (they still read the log).
        backups_->RunInBackground([this, log] { engine_->DropTable(log).IgnoreError(); });
      }
    }
    return DescriptionOf(&s);
  }
  if (engine_->meta().Shared()) {
    // Taken before the settings are stored: another front-end that finds the
    // base unfinished leaves it alone while this one copies it.
    BASALT_ASSIGN_OR_RETURN(bool mine, engine_->meta().Lease(BaseLease(table->id), kBaseLeaseSeconds));
    if (!mine) return Status::InUse("Point in time recovery of table " + name + " is being enabled");
  }
  BASALT_RETURN_IF_ERROR(StampFormatVersion(&engine_->meta()));  // its writers write records by commit
  BASALT_ASSIGN_OR_RETURN(storage::TableId log, catalog_->NewId());
  std::shared_ptr<storage::Snapshot> snapshot;
  double at;
  {
    // No writer is in flight: every version after the snapshot is logged.
    std::unique_lock rt(table->runtime->mu);
    table->runtime->pitr_log = log;
    snapshot = engine_->NewSnapshot();
    at = FloorMillis(clock_->Now());
  }
  s = State{true, false, days.value_or(35), at, log};
  BASALT_RETURN_IF_ERROR(definitions_.Record(table->id, Micros(at), *table));
  BASALT_RETURN_IF_ERROR(engine_->meta().Put(StoreKey(table->id), Encode(s)));
  engine_->meta().Announce();
  storage::TableId id = table->id;
  copying_.insert(id);
  backups_->RunInBackground([this, id, log, snapshot, at] {
    CopyBase(id, log, snapshot, at);
    std::lock_guard l(mu_);
    copying_.erase(id);
  });
  return DescriptionOf(&s);
}

void PointInTimeRecovery::CopyBase(storage::TableId table, storage::TableId log,
                                   std::shared_ptr<storage::Snapshot> snapshot, double at) {
  // False once disabled meanwhile or the lease went (whoever finds the base
  // unfinished disables PITR).
  auto still_wanted = [&] {
    std::lock_guard l(mu_);
    auto it = states_.find(table);
    return copying_.count(table) && it != states_.end() && it->second.enabled && it->second.log == log;
  };
  const bool shared = engine_->meta().Shared();
  if (shared && !AwaitOtherFrontEnds(still_wanted, AckPrefix(table, log))) {
    DropAcknowledgements(table, log);
    return;
  }
  std::vector<storage::PartitionWrite> batch;
  Status error;
  const uint64_t at_us = Micros(at);
  Status st = engine_->ScanSegment(
      table, 0, 1, std::nullopt,
      [&](const storage::Row& row) {
        storage::PartitionWrite pw;
        pw.table = log;
        pw.pk = std::string(row.pk);
        std::string value(1, '\x01');
        value.append(row.value);
        pw.muts.push_back(
            storage::Mutation{storage::Mutation::kPut, ChangeLogSortKey(row.sk, at_us, 0), std::move(value), {}});
        batch.push_back(std::move(pw));
        if (batch.size() >= 512) {
          if (backups_->stopping() || (shared && !still_wanted())) return false;
          error = engine_->Commit(batch);
          batch.clear();
        }
        return error.ok();
      },
      snapshot.get());
  if (st.ok()) st = error;
  if (backups_->stopping()) return;  // Open disables PITR whose base is incomplete
  if (st.ok() && !batch.empty()) st = engine_->Commit(batch);
  std::shared_ptr<const TableMeta> meta;  // looked up before mu_, as Refresh does
  for (const auto& t : catalog_->All()) {
    if (t->id == table) meta = t;
  }
  {
    std::lock_guard l(mu_);
    auto it = states_.find(table);
    if (it == states_.end() || it->second.log != log || !copying_.count(table)) return;  // disabled meanwhile
    if (st.ok()) {
      const State before = it->second;
      it->second.base_ready = true;
      // Not a cut where the store has none (RADOS): a partition copied late
      // may hold versions logged after `at`, so the window begins now.
      if (shared) it->second.earliest = FloorMillis(clock_->Now());
      st = StoreIfUnchanged(table, before, it->second);
    } else {
      // A partial base would restore the table without the items not
      // copied: PITR is disabled again, as after a crash during the copy.
      Log(LogLevel::kError, "point-in-time recovery base copy of table " + Hex16(table) + " failed: " + st.message() +
                                "; point-in-time recovery is disabled again");
      DisableAfterFailedCopyLocked(table, meta.get(), &it->second);
    }
  }
  if (shared) DropAcknowledgements(table, log);
  engine_->meta().Announce();
}

void PointInTimeRecovery::DisableAfterFailedCopyLocked(storage::TableId table, const TableMeta* meta, State* s) {
  const State before = *s;
  *s = State{};
  if (meta) {
    std::unique_lock rt(meta->runtime->mu);
    meta->runtime->pitr_log = 0;
  }
  (void)definitions_.Forget(table);
  if (Status st = StoreIfUnchanged(table, before, *s); !st.ok()) {
    Log(LogLevel::kError, "point-in-time recovery settings of table " + Hex16(table) + " not stored: " + st.message());
  }
  if (engine_->meta().Shared()) {
    doomed_logs_.emplace_back(before.log, clock_->Now() + reread_seconds_ + 1);  // as Update's disabling
  } else {
    backups_->RunInBackground([this, log = before.log] { engine_->DropTable(log).IgnoreError(); });
  }
}

Result<ContinuousBackupsDescription> PointInTimeRecovery::Describe(const Scope& scope, const std::string& name) {
  auto table = catalog_->Find(scope.ns, name);
  if (!table) return TableNotFound(name);
  std::lock_guard l(mu_);
  auto it = states_.find(table->id);
  return DescriptionOf(it == states_.end() ? nullptr : &it->second);
}

Result<PointInTimeRecovery::EnabledLog> PointInTimeRecovery::LogOf(const Scope& scope, const std::string& name) {
  EnabledLog out;
  out.table = catalog_->Find(scope.ns, name);
  if (!out.table) return TableNotFound(name);
  {
    std::lock_guard l(mu_);
    auto it = states_.find(out.table->id);
    if (it != states_.end()) {
      out.window = DescriptionOf(&it->second);
      out.log = it->second.log;
      // Where the base copy is not a cut (RADOS) the window begins once it
      // is done (CopyBase): until then no instant is in it.
      if (engine_->meta().Shared() && !it->second.base_ready) out.window.earliest = out.window.latest + 1;
    }
  }
  if (!out.window.pitr_enabled) {
    return Status(Code::kPointInTimeRecoveryUnavailable, "Point in time recovery is not enabled for table '" + name + "'");
  }
  return out;
}

Result<TableDescription> PointInTimeRecovery::Restore(const Scope& scope, const RestoreToPointInTimeInput& in) {
  BASALT_ASSIGN_OR_RETURN(EnabledLog enabled, LogOf(scope, in.source));
  const ContinuousBackupsDescription& d = enabled.window;
  const storage::TableId log = enabled.log;
  const std::shared_ptr<const TableMeta>& table = enabled.table;
  BASALT_RETURN_IF_ERROR(backups_->CheckTargetFree(scope, in.target));
  double at = in.use_latest ? d.latest : in.time.value_or(d.latest);
  if (Micros(at) < Micros(FloorMillis(d.earliest)) || at > d.latest) {
    return Status(Code::kInvalidRestoreTime,
                  "RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime");
  }
  const uint64_t at_us = Micros(at);
  Backups::Loader load = [this, log, at_us](const TableMeta& target) {
    BulkLoader loader(engine_, target);
    BASALT_RETURN_IF_ERROR(Replay(log, at_us, [&](std::string_view pk, std::string_view sk, std::string_view item) {
      return loader.Add(pk, sk, item);
    }));
    if (backups_->stopping()) return Status(Code::kInternal, "stopping");
    return loader.Flush();
  };
  // Defined as it was at that instant (its indexes, billing and throughput);
  // as now where none was kept (PITR enabled by a Basalt that kept none).
  BASALT_ASSIGN_OR_RETURN(std::optional<TableMeta> then, definitions_.At(table->id, at_us));
  TableMeta source = then ? std::move(*then) : *table;
  source.runtime.reset();
  RestoreSummary summary{"", table->Arn(), std::floor(at * 1000) / 1000, true};
  return backups_->RestoreTable(scope, in.target, source, in.overrides, summary, load);
}

Status PointInTimeRecovery::SortLog(storage::TableId log, uint64_t up_to_us) {
  return SortChangeLog(engine_, log, up_to_us, [this] { return backups_->stopping(); });
}

Status PointInTimeRecovery::Replay(storage::TableId log, uint64_t at_us, const ReplayVisitor& visit) {
  std::string group_pk, group_sk, best;
  bool have_best = false;
  Status error;
  auto emit = [&] {
    if (have_best) error = visit(group_pk, group_sk, best);
    have_best = false;
  };
  ChangeLogKey k;
  BASALT_RETURN_IF_ERROR(SortLog(log, at_us));
  BASALT_RETURN_IF_ERROR(engine_->ScanSegment(log, 0, 1, std::nullopt, [&](const storage::Row& row) {
    if (IsCommitRecord(row)) return true;  // later than at_us
    if (!ParseChangeLogSortKey(row.sk, &k)) {
      error = Status::Internal("corrupt change-log key");
      return false;
    }
    if (row.pk != group_pk || k.item_sk != group_sk) {
      emit();
      group_pk.assign(row.pk);
      group_sk = k.item_sk;
    }
    if (k.time_us <= at_us) {
      bool put;
      std::string_view item;
      if (!ParseChangeLogValue(row.value, &put, &item)) {
        error = Status::Internal("corrupt change-log record");
        return false;
      }
      have_best = put;
      if (put) best.assign(item);
    }
    return error.ok() && !backups_->stopping();
  }));
  if (error.ok()) emit();
  return error;
}

Status PointInTimeRecovery::ReadAt(const Scope& scope, const std::string& name, std::optional<double> time,
                                   const ReplayVisitor& visit, double* at_out) {
  BASALT_ASSIGN_OR_RETURN(EnabledLog enabled, LogOf(scope, name));
  const ContinuousBackupsDescription& d = enabled.window;
  double at = time.value_or(d.latest);
  if (Micros(at) < Micros(FloorMillis(d.earliest)) || at > d.latest) {
    return Status(Code::kInvalidExportTime, "Export time must be within the point in time recovery window of the table");
  }
  if (at_out) *at_out = at;
  return Replay(enabled.log, Micros(at), visit);
}

Status PointInTimeRecovery::ChangesBetween(const Scope& scope, const std::string& name, double from, double to,
                                           const ChangeVisitor& visit) {
  BASALT_ASSIGN_OR_RETURN(EnabledLog enabled, LogOf(scope, name));
  const ContinuousBackupsDescription& d = enabled.window;
  if (Micros(from) < Micros(FloorMillis(d.earliest)) || to > d.latest || from >= to) {
    return Status(Code::kInvalidExportTime, "Export time must be within the point in time recovery window of the table");
  }
  const uint64_t from_us = Micros(from), to_us = Micros(to);
  // One pass over the log, an item's versions at a time (in time order): the
  // last before `from` is the old image, the last before `to` the new one,
  // and the item changed if a version falls in between.
  Change c;
  std::string group_pk, group_sk;
  bool changed = false;
  Status error;
  auto emit = [&] {
    if (changed) error = visit(c);
    changed = false;
    c = Change{};
  };
  ChangeLogKey k;
  BASALT_RETURN_IF_ERROR(SortLog(enabled.log, to_us));
  BASALT_RETURN_IF_ERROR(engine_->ScanSegment(enabled.log, 0, 1, std::nullopt, [&](const storage::Row& row) {
    if (IsCommitRecord(row)) return true;  // later than to_us
    if (!ParseChangeLogSortKey(row.sk, &k)) {
      error = Status::Internal("corrupt change-log key");
      return false;
    }
    if (row.pk != group_pk || k.item_sk != group_sk) {
      emit();
      group_pk.assign(row.pk);
      group_sk = k.item_sk;
    }
    if (k.time_us >= to_us) return error.ok();
    bool put;
    std::string_view item;
    if (!ParseChangeLogValue(row.value, &put, &item)) {
      error = Status::Internal("corrupt change-log record");
      return false;
    }
    std::optional<std::string>& image = k.time_us < from_us ? c.old_item : c.new_item;
    if (put) {
      image.emplace(item);
    } else {
      image.reset();
    }
    if (k.time_us < from_us) {
      c.new_item = c.old_item;
    } else {
      changed = true;
      c.time_us = k.time_us;
    }
    return error.ok() && !backups_->stopping();
  }));
  if (error.ok()) emit();
  return error;
}

Status PointInTimeRecovery::Trim() {
  double now = clock_->Now();
  std::vector<std::pair<storage::TableId, State>> due;
  {
    std::lock_guard l(mu_);
    for (const auto& [id, s] : states_) {
      if (s.enabled && s.base_ready && now - s.days * kDay > s.earliest) due.emplace_back(id, s);
    }
  }
  for (auto& [id, s] : due) BASALT_RETURN_IF_ERROR(TrimLog(id, &s, FloorMillis(now - s.days * kDay)));
  return Status::Ok();
}

Status PointInTimeRecovery::TrimLog(storage::TableId table, State* s, double horizon) {
  const uint64_t horizon_us = Micros(horizon);
  std::vector<storage::PartitionWrite> batch;
  std::string group_pk, group_sk;
  std::optional<std::string> older;  // the item's latest version at or before the horizon so far
  bool older_is_delete = false;
  Status error;
  ChangeLogKey k;
  auto drop = [&](const std::string& sk) {
    storage::PartitionWrite pw;
    pw.table = s->log;
    pw.pk = group_pk;
    pw.muts.push_back(storage::Mutation{storage::Mutation::kDelete, sk, {}, {}});
    batch.push_back(std::move(pw));
    if (batch.size() >= 512) {
      error = engine_->Commit(batch);
      batch.clear();
    }
  };
  auto end_group = [&] {
    if (older && older_is_delete) drop(*older);  // absent at the horizon: nothing to keep
    older.reset();
  };
  BASALT_RETURN_IF_ERROR(SortLog(s->log, horizon_us));
  BASALT_RETURN_IF_ERROR(engine_->ScanSegment(s->log, 0, 1, std::nullopt, [&](const storage::Row& row) {
    if (IsCommitRecord(row) || !ParseChangeLogSortKey(row.sk, &k)) return true;
    if (row.pk != group_pk || k.item_sk != group_sk) {
      end_group();
      group_pk.assign(row.pk);
      group_sk = k.item_sk;
    }
    if (k.time_us > horizon_us) return error.ok();
    if (older) drop(*older);
    older = std::string(row.sk);
    older_is_delete = row.value.empty() || row.value[0] == '\0';
    return error.ok();
  }));
  end_group();
  BASALT_RETURN_IF_ERROR(error);
  if (!batch.empty()) BASALT_RETURN_IF_ERROR(engine_->Commit(batch));
  std::lock_guard l(mu_);
  auto it = states_.find(table);
  if (it == states_.end() || it->second.log != s->log) return Status::Ok();
  const State before = it->second;
  it->second.earliest = std::max(it->second.earliest, horizon);
  BASALT_RETURN_IF_ERROR(definitions_.Trim(table, horizon_us));
  return StoreIfUnchanged(table, before, it->second);
}

void PointInTimeRecovery::DefinitionChanged(const TableMeta& table) {
  std::lock_guard l(mu_);
  auto it = states_.find(table.id);
  if (it == states_.end() || !it->second.enabled) return;
  if (Status st = definitions_.Record(table.id, Micros(clock_->Now()), table); !st.ok()) {
    Log(LogLevel::kError, "point-in-time recovery could not keep a definition of " + table.name + ": " + st.message());
  }
}

Backups::RowSource PointInTimeRecovery::DeletedTableRows(storage::TableId log, double deleted_at) {
  return [this, log, deleted_at](const Backups::RowSink& add) { return Replay(log, Micros(deleted_at), add); };
}

Status PointInTimeRecovery::CheckDeletable(const TableMeta& table) {
  bool copying;
  {
    std::lock_guard l(mu_);
    copying = copying_.count(table.id) > 0;
  }
  if (engine_->meta().Shared() && !copying) {
    // Another front-end may have enabled it since the last re-read.
    std::optional<std::string> stored;
    BASALT_RETURN_IF_ERROR(engine_->meta().Get(StoreKey(table.id), &stored));
    State s;
    if (stored) BASALT_RETURN_IF_ERROR(Decode(*stored, &s));
    if (s.enabled && !s.base_ready) {
      // Its copier holds the lease while it copies; taken here, the copier
      // died, and the base will never be ready (DisableUnfinished's case).
      BASALT_ASSIGN_OR_RETURN(bool mine, engine_->meta().Lease(BaseLease(table.id), kBaseLeaseSeconds));
      copying = !mine;
    }
  }
  if (!copying) return Status::Ok();
  return Status::InUse("Attempt to change a resource which is still in use: Point in time recovery of table " +
                       table.name + " is being enabled (its base copy is in progress)");
}

void PointInTimeRecovery::ForgetTable(const TableMeta& table) {
  State state;
  {
    std::lock_guard l(mu_);
    auto it = states_.find(table.id);
    if (it == states_.end()) return;
    state = it->second;
    states_.erase(it);
    (void)definitions_.Forget(table.id);
  }
  const storage::TableId log = state.log;
  bool log_owned = false;
  if (state.enabled && state.base_ready && log) {
    // As the service: a table deleted with PITR on leaves the SYSTEM backup
    // <table>$DeletedTableBackup, its items as of the deletion, replayed from
    // the log, which the backup then owns and drops once filled (after a
    // restart too). Its record is stored before the PITR state goes.
    const double at = clock_->Now();
    Status st = backups_->CreateDeletedTableBackup(table, at, log, DeletedTableRows(log, at));
    if (!st.ok()) Log(LogLevel::kError, "no $DeletedTableBackup of " + table.name + ": " + st.message());
    log_owned = st.ok();
  }
  (void)engine_->meta().Delete(StoreKey(table.id));
  if (log && !log_owned) backups_->RunInBackground([this, log] { engine_->DropTable(log).IgnoreError(); });
}

}  // namespace basalt::db
