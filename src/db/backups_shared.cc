// What the backups keep in the store, loaded at open and, where several
// front-ends share the store (RADOS), followed after each re-read of the
// definitions: records and restore markers other front-ends stored, and
// work they left half done.
//
// A backup being filled holds the lease "backup/" ns "/" id, a restore
// being loaded "restore/" table-id (30 s, renewed with each re-read). Work
// whose lease is free has no process on it (its front-end stopped or died)
// and is dealt with as after a crash: a half-filled backup is removed (a
// $DeletedTableBackup is filled again from its log), a half-loaded table
// dropped. Where no other process shares the store every lease is free,
// so Open does exactly that.
#include "db/backups.h"

#include "common/log.h"
#include "db/meta_keys.h"

namespace basalt::db {
namespace {

constexpr double kLeaseSeconds = 30;

}  // namespace

std::string Backups::FillLease(const Key& key) { return "backup/" + key.ns + "/" + key.id; }

std::string Backups::LoadLease(storage::TableId table) { return "restore/" + Hex16(table); }

Result<bool> Backups::TakeLease(const std::string& name) { return engine_->meta().Lease(name, kLeaseSeconds); }

Status Backups::Open() { return LoadStored(/*at_open=*/true); }

Status Backups::Refresh() {
  if (!engine_->meta().Shared()) return Status::Ok();
  {
    std::lock_guard l(mu_);
    for (const Key& key : filling_) {
      Result<bool> mine = TakeLease(FillLease(key));
      if (mine.ok() && !*mine) Log(LogLevel::kWarn, "backup " + key.id + " lost its lease to another front-end");
    }
    for (storage::TableId table : loading_) {
      Result<bool> mine = TakeLease(LoadLease(table));
      if (mine.ok() && !*mine) Log(LogLevel::kWarn, "restore of " + Hex16(table) + " lost its lease to another front-end");
    }
  }
  return LoadStored(/*at_open=*/false);
}

Status Backups::LoadStored(bool at_open) {
  storage::MetaStore& meta = engine_->meta();
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const TableMeta>> tables;
  for (const auto& t : catalog_->All()) tables[{t->ns, t->name}] = t;
  std::vector<storage::TableId> drop_keyspaces;
  std::vector<std::shared_ptr<const TableMeta>> drop_tables;
  {
    // Under mu_ from the read on: a record or marker this process stores
    // meanwhile is either read here or added after (never undone).
    std::lock_guard l(mu_);
    std::vector<std::pair<std::string, std::string>> rows;
    BASALT_RETURN_IF_ERROR(meta.List(kBackupPrefix, &rows));
    std::map<Key, BackupRecord> backups;
    for (const auto& [key, value] : rows) {
      BackupRecord r;
      BASALT_RETURN_IF_ERROR(DecodeBackupRecord(value, &r));
      Key k{r.table.ns, r.id};
      if (r.status == BackupStatus::kCreating && !filling_.count(k)) {
        BASALT_ASSIGN_OR_RETURN(bool orphan, TakeLease(FillLease(k)));
        if (orphan && r.source_log) {
          // A $DeletedTableBackup's log is still there: it is replayed again
          // (ResumeFromLogs) into a fresh key space.
          Log(LogLevel::kWarn, "backup " + r.Arn() + " was interrupted while CREATING; filling it again");
          drop_keyspaces.push_back(r.keyspace);
          BASALT_ASSIGN_OR_RETURN(r.keyspace, catalog_->NewId());
          BASALT_RETURN_IF_ERROR(meta.Put(key, EncodeBackupRecord(r)));
          filling_.insert(k);
          to_resume_.push_back(k);
        } else if (orphan) {
          // The copy was cut short by a stop or a crash: the backup never became AVAILABLE.
          Log(LogLevel::kWarn, "backup " + r.Arn() + " was interrupted while CREATING; removing it");
          BASALT_RETURN_IF_ERROR(meta.Delete(key));
          drop_keyspaces.push_back(r.keyspace);
          continue;
        }
      } else if (at_open && r.source_log) {
        BASALT_RETURN_IF_ERROR(DropSourceLog(&r));  // filled, but stopped before its log was dropped
      }
      backups[k] = std::move(r);
    }
    rows.clear();
    BASALT_RETURN_IF_ERROR(meta.List(kRestorePrefix, &rows));
    std::map<storage::TableId, RestoreSummary> restored;
    for (const auto& [key, value] : rows) {
      RestoreMarker m;
      BASALT_RETURN_IF_ERROR(DecodeRestoreMarker(value, &m));
      storage::TableId id = IdAfter(key, kRestorePrefix);
      auto table = tables.find({m.ns, m.name});
      bool exists = table != tables.end() && table->second->id == id;
      if ((m.summary.in_progress || !exists) && !loading_.count(id)) {
        BASALT_ASSIGN_OR_RETURN(bool orphan, TakeLease(LoadLease(id)));
        if (orphan) {
          if (exists) {
            Log(LogLevel::kWarn, "restore of table " + m.name + " was interrupted; removing the table");
            drop_tables.push_back(table->second);
          }
          BASALT_RETURN_IF_ERROR(meta.Delete(key));
          continue;
        }
      }
      if (exists || loading_.count(id)) restored[id] = m.summary;
    }
    // Records of this process not stored yet are being stored now (the
    // marker of a restore follows its table's creation): kept.
    for (const auto& [id, summary] : restored_) {
      if (loading_.count(id)) restored.emplace(id, summary);
    }
    backups_.swap(backups);
    restored_.swap(restored);
  }
  for (storage::TableId keyspace : drop_keyspaces) BASALT_RETURN_IF_ERROR(engine_->DropTable(keyspace));
  for (const auto& table : drop_tables) DropRestoredTable(*table);
  return Status::Ok();
}

}  // namespace basalt::db
