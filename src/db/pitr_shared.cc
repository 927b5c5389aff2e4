// Point-in-time recovery where several front-ends share the store (RADOS):
// each follows the settings the others store (pitr.h), base copies run
// under a lease, and the settings change with a compare-and-put.
#include "db/pitr.h"

#include <chrono>
#include <thread>

#include "common/log.h"
#include "db/meta_keys.h"

namespace basalt::db {

std::string PointInTimeRecovery::BaseLease(storage::TableId table) { return "pitr-base/" + Hex16(table); }

Status PointInTimeRecovery::DisableUnfinished(storage::TableId table, const std::string& name, State* s) {
  if (engine_->meta().Shared()) {
    BASALT_ASSIGN_OR_RETURN(bool mine, engine_->meta().Lease(BaseLease(table), kBaseLeaseSeconds));
    if (!mine) return Status::Ok();  // the front-end enabling it is still copying
  }
  Log(LogLevel::kWarn, "point-in-time recovery of table " + name +
                           " was being enabled by a Basalt that stopped during its base copy; it is disabled");
  const State before = *s;
  BASALT_RETURN_IF_ERROR(engine_->DropTable(s->log));
  if (engine_->meta().Shared()) DropAcknowledgements(table, s->log);
  s->enabled = false;
  s->log = 0;
  return StoreIfUnchanged(table, before, *s);
}

Status PointInTimeRecovery::StoreIfUnchanged(storage::TableId table, const State& before, const State& now) {
  Status st = engine_->meta().PutIf(StoreKey(table), Encode(before), Encode(now));
  if (st.code() == Code::kConditionalCheckFailed) {
    Log(LogLevel::kInfo, "point-in-time recovery settings of table " + Hex16(table) +
                             " changed on another front-end; taking up theirs");
    return Status::Ok();  // Refresh takes up what is stored
  }
  return st;
}

void PointInTimeRecovery::TakeUpLocked(const TableMeta& table, const State& stored) {
  State& local = states_[table.id];
  if (Same(local, stored)) return;
  local = stored;
  std::unique_lock rt(table.runtime->mu);
  table.runtime->pitr_log = stored.enabled ? stored.log : 0;
}

Status PointInTimeRecovery::Refresh() {
  if (!engine_->meta().Shared()) return Status::Ok();
  {
    std::lock_guard l(mu_);
    if (!opened_) return Status::Ok();  // Open takes up the settings (and the logs backups own) first
  }
  // $DeletedTableBackups whose front-end died while filling them (Backups::Refresh found them).
  backups_->ResumeFromLogs([this](storage::TableId log, double at) { return DeletedTableRows(log, at); });
  std::map<storage::TableId, std::shared_ptr<const TableMeta>> tables;
  for (const auto& t : catalog_->All()) tables[t->id] = t;
  std::lock_guard l(mu_);
  // Read under mu_: a change this front-end makes meanwhile is not undone.
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(engine_->meta().List(kSettingsPrefix, &rows));
  std::map<storage::TableId, State> stored;
  for (const auto& [key, value] : rows) BASALT_RETURN_IF_ERROR(Decode(value, &stored[IdAfter(key, kSettingsPrefix)]));
  for (auto it = copying_.begin(); it != copying_.end();) {
    Result<bool> mine = engine_->meta().Lease(BaseLease(*it), kBaseLeaseSeconds);
    if (mine.ok() && !*mine) {
      Log(LogLevel::kWarn, "the base copy of table " + Hex16(*it) + " lost its lease; it stops");
      it = copying_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [id, s] : stored) {
    auto table = tables.find(id);
    if (table == tables.end()) continue;  // deleted: the front-end deleting it deals with the log
    if (s.enabled && !s.base_ready && !copying_.count(id)) {
      BASALT_RETURN_IF_ERROR(DisableUnfinished(id, table->second->name, &s));
    }
    TakeUpLocked(*table->second, s);
    if (s.enabled && !s.base_ready && !copying_.count(id) && acknowledged_.insert(s.log).second) {
      // This front-end's writers log the table now: the copier may start.
      std::string key = AckPrefix(id, s.log) + Hex16(engine_->meta().ProcessId());
      if (Status st = engine_->meta().Put(key, ""); !st.ok()) acknowledged_.erase(s.log);
    }
  }
  // Logs of PITR disabled here that every other front-end has stopped writing.
  for (auto it = doomed_logs_.begin(); it != doomed_logs_.end();) {
    if (it->second > clock_->Now()) {
      ++it;
      continue;
    }
    backups_->RunInBackground([this, log = it->first] { engine_->DropTable(log).IgnoreError(); });
    it = doomed_logs_.erase(it);
  }
  // Settings no longer stored: PITR of a table deleted (and forgotten) elsewhere.
  for (auto it = states_.begin(); it != states_.end();) {
    if (!stored.count(it->first) && !tables.count(it->first)) {
      it = states_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

std::string PointInTimeRecovery::AckPrefix(storage::TableId table, storage::TableId log) {
  return "pitr-ack/" + Hex16(table) + "/" + Hex16(log) + "/";
}

bool PointInTimeRecovery::AllAcknowledged(const std::string& acks) {
  storage::MetaStore& meta = engine_->meta();
  Result<std::vector<uint64_t>> watchers = meta.Watchers();
  if (!watchers.ok()) return false;
  std::vector<std::pair<std::string, std::string>> rows;
  if (!meta.List(acks, &rows).ok()) return false;
  std::set<uint64_t> acknowledged;
  for (const auto& [key, value] : rows) acknowledged.insert(IdAfter(key, acks));
  for (uint64_t id : *watchers) {
    if (id != meta.ProcessId() && !acknowledged.count(id)) return false;
  }
  return true;  // a front-end starting later reads the settings first
}

bool PointInTimeRecovery::AwaitOtherFrontEnds(const std::function<bool()>& still_wanted, const std::string& acks) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(reread_seconds_ + 1);
  while (std::chrono::steady_clock::now() < until) {
    if (backups_->stopping() || !still_wanted()) return false;
    if (AllAcknowledged(acks)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void PointInTimeRecovery::DropAcknowledgements(storage::TableId table, storage::TableId log) {
  std::vector<std::pair<std::string, std::string>> rows;
  if (!engine_->meta().List(AckPrefix(table, log), &rows).ok()) return;
  for (const auto& [key, value] : rows) (void)engine_->meta().Delete(key);
}

}  // namespace basalt::db
