#include "db/backups.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "common/coding.h"
#include "common/log.h"
#include "common/random.h"
#include "db/bulk_load.h"
#include "db/meta_keys.h"
#include "db/restore_input.h"
#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {
namespace {

Status BackupNotFound() { return Status(Code::kBackupNotFound, "Backup not found for the given BackupARN"); }

std::string TableStatusWord(const TableMeta& meta, double now) {
  if (now < meta.active_at) return "created";
  if (now < meta.updated_until) return "updated";
  return "";
}

}  // namespace

Backups::~Backups() { Stop(); }

void Backups::Stop() {
  {
    std::lock_guard lock(jobs_mu_);
    stopping_ = true;
    stop_ = true;
  }
  jobs_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::string Backups::StoreKey(const std::string& ns, const std::string& id) {
  return NamespacedKey(kBackupPrefix, ns, id);
}

std::string Backups::RestoreKey(storage::TableId table) { return std::string(kRestorePrefix) + Hex16(table); }

std::string Backups::NewBackupId() {
  char buf[40];
  auto millis = static_cast<unsigned long long>(std::floor(clock_->Now() * 1000));
  std::snprintf(buf, sizeof buf, "%014llu-%08x", millis, static_cast<unsigned>(RandomBits() & 0xffffffffu));
  return buf;
}

Result<BackupRecord> Backups::CreateBackup(const Scope& scope, const std::string& table, const std::string& name) {
  auto lock = catalog_->LockDefinitions();
  auto meta = catalog_->Find(scope.ns, table);
  if (!meta) return Status(Code::kTableNotFound, "Table not found: " + table);
  std::string changing = TableStatusWord(*meta, clock_->Now());
  if (!changing.empty()) return Status(Code::kTableInUse, "Table is being " + changing + ": " + table);
  // Under the definitions lock, so the definition and the items are of one moment.
  std::shared_ptr<storage::Snapshot> snapshot = engine_->NewSnapshot();
  BASALT_ASSIGN_OR_RETURN(storage::TableId keyspace, catalog_->NewId());
  BackupRecord r;
  r.id = NewBackupId();
  r.name = name;
  r.created = std::floor(clock_->Now() * 1000) / 1000;
  r.keyspace = keyspace;
  r.table = *meta;
  r.table.runtime.reset();
  Key key{scope.ns, r.id};
  BASALT_RETURN_IF_ERROR(StartFilling(key, r));
  storage::TableId source = meta->id;
  Enqueue([this, key, snapshot, source] { CopyBackup(key, snapshot, source); });
  return r;
}

void Backups::CopyBackup(Key key, std::shared_ptr<storage::Snapshot> snapshot, storage::TableId source) {
  FillBackup(key, [&](const RowSink& add) {
    Status error;
    Status st = engine_->ScanSegment(
        source, 0, 1, std::nullopt,
        [&](const storage::Row& row) {
          error = add(row.pk, row.sk, row.value);
          return error.ok();
        },
        snapshot.get());
    return st.ok() ? error : st;
  });
}

void Backups::FillBackup(Key key, const RowSource& rows) {
  CopyRows(key, rows);
  {
    std::lock_guard l(mu_);
    filling_.erase(key);
  }
  engine_->meta().Announce();  // AVAILABLE, or removed
}

void Backups::CopyRows(const Key& key, const RowSource& rows) {
  storage::TableId keyspace;
  {
    std::lock_guard l(mu_);
    keyspace = backups_.at(key).keyspace;
  }
  constexpr size_t kBatch = 512;
  std::vector<storage::PartitionWrite> batch;
  int64_t count = 0, bytes = 0, batch_count = 0, batch_bytes = 0;
  auto flush = [&] {
    if (batch.empty()) return Status::Ok();
    batch.front().item_count_delta = batch_count;
    batch.front().size_bytes_delta = batch_bytes;
    Status st = engine_->Commit(batch);
    batch.clear();
    batch_count = batch_bytes = 0;
    return st;
  };
  Status st = rows([&](std::string_view pk, std::string_view sk, std::string_view value) {
    model::Item item;
    BASALT_RETURN_IF_ERROR(model::DecodeItem(value, &item));
    int64_t size = static_cast<int64_t>(model::ItemSize(item));
    storage::PartitionWrite pw;
    pw.table = keyspace;
    pw.pk = std::string(pk);
    pw.muts.push_back(storage::Mutation{storage::Mutation::kPut, std::string(sk), std::string(value), {}});
    batch.push_back(std::move(pw));
    ++count, ++batch_count;
    bytes += size, batch_bytes += size;
    if (batch.size() < kBatch) return Status::Ok();
    if (stop_) return Status(Code::kInternal, "stopping");
    return flush();
  });
  if (stop_) return;  // the next Open removes the half copy
  if (st.ok()) st = flush();
  std::lock_guard l(mu_);
  auto it = backups_.find(key);
  if (it == backups_.end()) return;
  if (st.ok()) {
    it->second.status = BackupStatus::kAvailable;
    it->second.item_count = count;
    it->second.size_bytes = bytes;
    st = engine_->meta().Put(StoreKey(key.ns, key.id), EncodeBackupRecord(it->second));
    // AVAILABLE is stored before the log goes: a stop in between leaves the
    // log for the next Open to drop, never a backup with nothing to fill it.
    if (st.ok() && it->second.source_log) {
      if (Status dropped = DropSourceLog(&it->second); !dropped.ok()) {
        Log(LogLevel::kWarn, "backup " + it->second.Arn() + ": its log stays until the next start: " +
                                 dropped.message());
      }
    }
    if (st.ok()) return;
  }
  Log(LogLevel::kError, "backup " + it->second.Arn() + " failed: " + st.message());
  (void)engine_->meta().Delete(StoreKey(key.ns, key.id));
  (void)engine_->DropTable(keyspace);
  if (it->second.source_log) (void)engine_->DropTable(it->second.source_log);
  backups_.erase(it);
}

Status Backups::StartFilling(const Key& key, const BackupRecord& r) {
  {
    // Before the record is stored: this process's Refresh leaves it alone.
    std::lock_guard l(mu_);
    filling_.insert(key);
  }
  Result<bool> mine = TakeLease(FillLease(key));
  Status st = mine.ok() ? engine_->meta().Put(StoreKey(key.ns, key.id), EncodeBackupRecord(r)) : mine.status();
  {
    std::lock_guard l(mu_);
    if (!st.ok()) {
      filling_.erase(key);
      return st;
    }
    backups_[key] = r;
  }
  engine_->meta().Announce();
  return Status::Ok();
}

Status Backups::DropSourceLog(BackupRecord* r) {
  BASALT_RETURN_IF_ERROR(engine_->DropTable(r->source_log));
  r->source_log = 0;
  return engine_->meta().Put(StoreKey(r->table.ns, r->id), EncodeBackupRecord(*r));
}

std::set<storage::TableId> Backups::ResumeFromLogs(const LogReplay& replay) {
  std::set<storage::TableId> logs;
  std::lock_guard l(mu_);
  for (const Key& key : to_resume_) {
    const BackupRecord& r = backups_.at(key);
    logs.insert(r.source_log);
    // The log ends at the deletion (nothing writes to it after), so the
    // replay may reach past the stored millisecond.
    Enqueue([this, key, rows = replay(r.source_log, r.created + 0.001)] { FillBackup(key, rows); });
  }
  to_resume_.clear();
  return logs;
}

Status Backups::CreateDeletedTableBackup(const TableMeta& table, double deleted_at, storage::TableId log,
                                         RowSource rows) {
  BASALT_ASSIGN_OR_RETURN(storage::TableId keyspace, catalog_->NewId());
  BackupRecord r;
  r.id = NewBackupId();
  r.name = table.name + "$DeletedTableBackup";
  r.type = BackupType::kSystem;
  r.created = std::floor(deleted_at * 1000) / 1000;
  r.expires = r.created + kSystemBackupDays * 86400;
  r.keyspace = keyspace;
  r.source_log = log;
  r.table = table;
  r.table.runtime.reset();
  Key key{table.ns, r.id};
  BASALT_RETURN_IF_ERROR(StartFilling(key, r));
  Enqueue([this, key, rows = std::move(rows)] { FillBackup(key, rows); });
  return Status::Ok();
}

void Backups::DropExpiredLocked() {
  const double now = clock_->Now();
  for (auto it = backups_.begin(); it != backups_.end();) {
    const BackupRecord& r = it->second;
    if (r.expires == 0 || r.expires > now || r.status == BackupStatus::kCreating || restoring_from_.count(it->first)) {
      ++it;
      continue;
    }
    if (!engine_->meta().Delete(StoreKey(it->first.ns, r.id)).ok()) {
      ++it;
      continue;
    }
    engine_->DropTable(r.keyspace).IgnoreError();
    it = backups_.erase(it);
  }
}

Result<BackupRecord*> Backups::FindLocked(const Scope& scope, const std::string& arn) {
  auto it = backups_.find(Key{scope.ns, std::string(BackupIdOfArn(arn))});
  if (it == backups_.end() || it->second.Arn() != arn) return BackupNotFound();
  return &it->second;
}

Result<BackupRecord> Backups::DescribeBackup(const Scope& scope, const std::string& arn) {
  std::lock_guard l(mu_);
  DropExpiredLocked();
  BASALT_ASSIGN_OR_RETURN(BackupRecord * r, FindLocked(scope, arn));
  return *r;
}

Result<ListBackupsOutput> Backups::ListBackups(const Scope& scope, const ListBackupsInput& in) {
  ListBackupsOutput out;
  std::lock_guard l(mu_);
  DropExpiredLocked();
  auto it = backups_.lower_bound(Key{scope.ns, ""});
  if (in.exclusive_start_arn) {
    it = backups_.upper_bound(Key{scope.ns, std::string(BackupIdOfArn(*in.exclusive_start_arn))});
  }
  for (; it != backups_.end() && it->first.ns == scope.ns; ++it) {
    const BackupRecord& r = it->second;
    if (in.table && r.table.name != *in.table) continue;
    if (in.lower && r.created < *in.lower) continue;
    if (in.upper && r.created >= *in.upper) continue;
    if (in.type != "ALL" && in.type != BackupTypeName(r.type)) continue;
    if (out.backups.size() == in.limit) {
      out.last_evaluated_arn = out.backups.back().Arn();
      break;
    }
    out.backups.push_back(r);
  }
  return out;
}

Result<BackupRecord> Backups::DeleteBackup(const Scope& scope, const std::string& arn) {
  BackupRecord r;
  {
    std::lock_guard l(mu_);
    BASALT_ASSIGN_OR_RETURN(BackupRecord * found, FindLocked(scope, arn));
    Key key{scope.ns, found->id};
    // Restores by other front-ends are known by their markers.
    bool restoring = restoring_from_.count(key) > 0;
    for (const auto& [id, summary] : restored_) {
      restoring = restoring || (summary.in_progress && summary.source_backup_arn == arn);
    }
    if (found->status == BackupStatus::kCreating || restoring) {
      return Status(Code::kBackupInUse, "Backup is in use: " + arn);
    }
    BASALT_RETURN_IF_ERROR(engine_->meta().Delete(StoreKey(scope.ns, found->id)));
    r = std::move(*found);
    backups_.erase(key);
  }
  engine_->meta().Announce();
  // A failure leaves an unreachable key space behind (ids are never reused).
  engine_->DropTable(r.keyspace).IgnoreError();
  r.status = BackupStatus::kDeleted;
  return r;
}

Result<TableDescription> Backups::RestoreTableFromBackup(const Scope& scope, const RestoreFromBackupInput& in) {
  BackupRecord backup;
  Key key;
  {
    std::lock_guard l(mu_);
    BASALT_ASSIGN_OR_RETURN(BackupRecord * found, FindLocked(scope, in.backup_arn));
    if (found->status != BackupStatus::kAvailable) {
      return Status(Code::kBackupInUse, "Backup is in use: " + in.backup_arn);
    }
    backup = *found;
    key = Key{scope.ns, found->id};
    ++restoring_from_[key];
  }
  auto release = [this, key](const Status&) {
    std::lock_guard l(mu_);
    if (--restoring_from_[key] == 0) restoring_from_.erase(key);
  };
  RestoreSummary summary{backup.Arn(), backup.table.Arn(), backup.created, true};
  storage::TableId keyspace = backup.keyspace;
  Loader load = [this, keyspace](const TableMeta& target) {
    BulkLoader loader(engine_, target);
    Status error;
    BASALT_RETURN_IF_ERROR(engine_->ScanSegment(keyspace, 0, 1, std::nullopt, [&](const storage::Row& row) {
      error = loader.Add(row.pk, row.sk, row.value);
      return error.ok() && !stop_;
    }));
    BASALT_RETURN_IF_ERROR(error);
    if (stop_) return Status(Code::kInternal, "stopping");
    return loader.Flush();
  };
  auto described = RestoreTable(scope, in.target, backup.table, in.overrides, summary, load, release);
  if (!described.ok()) release(described.status());
  return described;
}

Result<TableDescription> Backups::RestoreTable(const Scope& scope, const std::string& target,
                                               const TableMeta& source, const RestoreOverrides& overrides,
                                               RestoreSummary summary, Loader load, Done done) {
  BASALT_ASSIGN_OR_RETURN(CreateTableInput in, MakeRestoreInput(source, overrides, target));
  return CreateAndLoad(scope, in, summary, std::move(load), std::move(done));
}

Status Backups::CheckTargetFree(const Scope& scope, const std::string& target) const {
  if (!catalog_->Find(scope.ns, target)) return Status::Ok();
  return Status(Code::kTableAlreadyExists, "Table already exists: " + target);
}

Result<TableDescription> Backups::CreateAndLoad(const Scope& scope, const CreateTableInput& in,
                                                std::optional<RestoreSummary> summary, Loader load, Done done) {
  BASALT_RETURN_IF_ERROR(CheckTargetFree(scope, in.name));
  auto created = tables_->CreateTable(scope, in, /*held_creating=*/true);
  if (!created.ok()) {
    const Status& st = created.status();
    if (st.code() != Code::kResourceInUse) return st;
    bool exists = st.message().starts_with("Table already exists");
    return Status(exists ? Code::kTableAlreadyExists : Code::kTableInUse, st.message());
  }
  TableDescription d = std::move(*created);
  // The marker says the load is in flight (a crash then removes the table).
  // It is stored under the load's lease, after this process's Refresh
  // knows the load is its own.
  RestoreMarker marker{scope.ns, in.name, summary.value_or(RestoreSummary{})};
  marker.summary.in_progress = true;
  {
    std::lock_guard l(mu_);
    loading_.insert(d.meta->id);
  }
  Result<bool> mine = TakeLease(LoadLease(d.meta->id));
  Status st = mine.ok() ? engine_->meta().Put(RestoreKey(d.meta->id), EncodeRestoreMarker(marker)) : mine.status();
  if (!st.ok()) {
    DropRestoredTable(*d.meta);
    std::lock_guard l(mu_);
    loading_.erase(d.meta->id);
    return st;
  }
  if (summary) {
    std::lock_guard l(mu_);
    restored_[d.meta->id] = *summary;
  }
  engine_->meta().Announce();
  d.restore = summary;
  bool keep = summary.has_value();
  Enqueue([this, table = d.meta, load = std::move(load), done = std::move(done), keep] {
    RunRestore(table, load, done, keep);
    {
      std::lock_guard l(mu_);
      loading_.erase(table->id);
    }
    engine_->meta().Announce();  // the marker says done, or is gone
  });
  return d;
}

void Backups::RunRestore(std::shared_ptr<const TableMeta> table, Loader load, Done done, bool keep_summary) {
  Status st = load(*table);
  if (stop_) return;  // the next Open removes the half-restored table
  if (st.ok()) {
    auto lock = catalog_->LockDefinitions();
    auto current = catalog_->Find(table->ns, table->name);
    if (current && current->id == table->id) {
      auto meta = std::make_shared<TableMeta>(*current);
      meta->active_at = std::floor(clock_->Now() * 1000) / 1000;
      st = catalog_->Update(meta);
    }
  }
  if (st.ok() && keep_summary) {
    RestoreMarker marker;
    {
      std::lock_guard l(mu_);
      auto it = restored_.find(table->id);
      if (it != restored_.end()) {
        it->second.in_progress = false;
        marker = RestoreMarker{table->ns, table->name, it->second};
      }
    }
    st = engine_->meta().Put(RestoreKey(table->id), EncodeRestoreMarker(marker));
  } else if (st.ok()) {
    st = engine_->meta().Delete(RestoreKey(table->id));
  }
  if (!st.ok()) {
    Log(LogLevel::kError, "loading table " + table->name + " failed: " + st.message());
    DropRestoredTable(*table);
    (void)engine_->meta().Delete(RestoreKey(table->id));
    std::lock_guard l(mu_);
    restored_.erase(table->id);
  }
  if (done) done(st);
}

void Backups::DropRestoredTable(const TableMeta& table) {
  auto lock = catalog_->LockDefinitions();
  auto current = catalog_->Find(table.ns, table.name);
  if (current && current->id == table.id) (void)catalog_->Remove(*current);
  (void)engine_->DropTable(table.id);
  for (const IndexMeta& index : table.indexes) (void)engine_->DropTable(index.id);
}

std::optional<RestoreSummary> Backups::RestoreSummaryOf(storage::TableId table) {
  std::lock_guard l(mu_);
  auto it = restored_.find(table);
  if (it == restored_.end()) return std::nullopt;
  return it->second;
}

void Backups::ForgetTable(storage::TableId table) {
  {
    std::lock_guard l(mu_);
    if (!restored_.erase(table)) return;
  }
  (void)engine_->meta().Delete(RestoreKey(table));
}

Status Backups::CheckDeletable(const TableMeta& table) {
  std::lock_guard l(mu_);
  // A copy in flight, this front-end's or another's, is a CREATING record
  // (a $DeletedTableBackup's source is the log, not the table).
  bool copying = std::any_of(backups_.begin(), backups_.end(), [&](const auto& entry) {
    const BackupRecord& r = entry.second;
    return r.status == BackupStatus::kCreating && !r.source_log && r.table.id == table.id;
  });
  if (!copying) return Status::Ok();
  return Status::InUse("Attempt to change a resource which is still in use: Table is being backed up: " + table.name);
}

void Backups::Enqueue(std::function<void()> job) {
  std::lock_guard lock(jobs_mu_);
  if (stopping_) return;
  jobs_.push_back(std::move(job));
  if (!worker_.joinable()) worker_ = std::thread([this] { Loop(); });
  jobs_cv_.notify_all();
}

void Backups::Loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(jobs_mu_);
      busy_ = false;
      jobs_cv_.notify_all();
      jobs_cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      busy_ = true;
    }
    job();
  }
}

void Backups::WaitIdle() {
  std::unique_lock lock(jobs_mu_);
  jobs_cv_.wait(lock, [&] { return stopping_ || (jobs_.empty() && !busy_); });
}

}  // namespace basalt::db
