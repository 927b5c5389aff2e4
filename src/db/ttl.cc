#include "db/ttl.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {
namespace {

// DynamoDB leaves alone expiry times more than five years in the past.
constexpr double kIgnoredAfterSeconds = 5 * 365 * 24 * 3600.0;

// Whether `item` has expired: its TTL attribute is a number of epoch seconds
// in the past (but not more than five years back).
bool Expired(const model::Item& item, const std::string& attribute, const model::AttributeValue& now,
             const model::AttributeValue& oldest) {
  auto it = item.find(attribute);
  if (it == item.end() || it->second.type() != model::Type::kN) return false;
  return model::CompareScalars(it->second, now) < 0 && model::CompareScalars(it->second, oldest) >= 0;
}

model::AttributeValue Seconds(double t) {
  return model::AttributeValue::N(*model::Number::Parse(std::to_string(static_cast<int64_t>(std::floor(t)))));
}

}  // namespace

TimeToLive::~TimeToLive() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

Result<TimeToLiveDescription> TimeToLive::Describe(const Scope& scope, const std::string& name) {
  BASALT_ASSIGN_OR_RETURN(auto table, catalog_->FindActive(scope.ns, name));
  TimeToLiveDescription d;
  bool settling = clock_->Now() < table->ttl_changed_at + transient_;
  if (table->ttl_enabled) {
    d.status = settling ? "ENABLING" : "ENABLED";
  } else {
    d.status = settling ? "DISABLING" : "DISABLED";
  }
  if (d.status != "DISABLED") d.attribute = table->ttl_attribute;
  return d;
}

Status TimeToLive::Update(const Scope& scope, const std::string& name, const std::string& attribute,
                          bool enabled) {
  auto lock = catalog_->LockDefinitions();
  BASALT_ASSIGN_OR_RETURN(auto current, catalog_->FindActive(scope.ns, name));
  double now = clock_->Now();
  if (now < current->ttl_changed_at + transient_) {
    return Status::Validation("Time to live has been modified multiple times within a fixed interval");
  }
  // DynamoDB Local's wording for these; the service's is not known to differ.
  if (enabled && current->ttl_enabled) {
    return Status::Validation(attribute == current->ttl_attribute ? "TimeToLive is already enabled"
                                                                  : "TimeToLive is active on a different AttributeName");
  }
  if (!enabled && !current->ttl_enabled) return Status::Validation("TimeToLive is already disabled");
  if (!enabled && attribute != current->ttl_attribute) {
    return Status::Validation("TimeToLive is active on a different AttributeName");
  }
  auto meta = std::make_shared<TableMeta>(*current);
  meta->ttl_enabled = enabled;
  meta->ttl_attribute = attribute;
  meta->ttl_changed_at = now;
  return catalog_->Update(meta);
}

Result<size_t> TimeToLive::SweepExpired(size_t max_records) {
  double now = clock_->Now();
  const model::AttributeValue now_value = Seconds(now);
  const model::AttributeValue oldest = Seconds(now - kIgnoredAfterSeconds);
  size_t deleted = 0;
  for (const auto& table : catalog_->All()) {
    if (!table->ttl_enabled || now < table->ttl_changed_at + transient_ ||
        now < table->active_at) {
      continue;
    }
    // Each pass reads on from where the last one stopped, so the work per
    // pass is bounded however large the table.
    BackfillCursor& cursor = cursors_[table->id];
    std::vector<model::PrimaryKey> expired;
    size_t seen = 0;
    Status error;
    BASALT_RETURN_IF_ERROR(engine_->ScanSegment(table->id, 0, 1, cursor, [&](const storage::Row& row) {
      model::Item item;
      if (Status st = model::DecodeItem(row.value, &item); !st.ok()) {
        error = st;
        return false;
      }
      if (Expired(item, table->ttl_attribute, now_value, oldest)) {
        auto key = model::KeyFromItem(table->key_schema, item);
        if (key.ok()) expired.push_back(std::move(*key));
      }
      cursor.emplace(std::string(row.pk), std::string(row.sk));
      return ++seen < max_records;
    }));
    BASALT_RETURN_IF_ERROR(error);
    if (seen < max_records) cursor.reset();  // the end: start over next time
    for (auto& key : expired) {
      // The item may have changed since it was read: delete it only if it is still expired.
      std::vector<ItemWrite> writes;
      writes.push_back(ItemWrite{table, std::move(key),
                                 [&](const std::optional<model::Item>& old) -> Result<std::optional<model::Item>> {
                                   if (!old || !Expired(*old, table->ttl_attribute, now_value, oldest)) {
                                     return Status(Code::kConditionalCheckFailed, "not expired");
                                   }
                                   return std::optional<model::Item>();
                                 },
                                 /*check_only=*/false, /*by_service=*/true});
      WriteOutcome outcome;
      Status st = write_path_->Write(writes, WriteMode::kAtomic, &outcome);
      if (st.ok()) {
        ++deleted;
        if (metrics_) metrics_->RecordTtlDeletion(table->name);
      } else if (st.code() != Code::kConditionalCheckFailed && st.code() != Code::kTransactionConflict &&
                 st.code() != Code::kResourceNotFound) {
        return st;
      }
    }
  }
  // Forget the cursors of tables that are gone.
  std::set<storage::TableId> live;
  for (const auto& t : catalog_->All()) live.insert(t->id);
  std::erase_if(cursors_, [&](const auto& e) { return !live.count(e.first); });
  return deleted;
}

void TimeToLive::StartSweeper(double seconds) {
  if (seconds <= 0) return;
  sweeper_ = std::thread([this, seconds] {
    constexpr size_t kRecordsPerPass = 10000;
    for (;;) {
      {
        std::unique_lock lock(stop_mu_);
        stop_cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return stopping_; });
        if (stopping_) return;
      }
      // With several front-ends on one store, the lease holder sweeps; when
      // it dies, another takes the lease once it expires (a few passes).
      Result<bool> held = engine_->meta().Lease("ttl-sweeper", std::max(3 * seconds, 3.0));
      if (!held.ok() || !*held) continue;
      (void)SweepExpired(kRecordsPerPass);  // a failed pass is retried by the next
    }
  });
}

}  // namespace basalt::db
