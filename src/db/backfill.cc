#include "db/backfill.h"

#include <chrono>
#include <vector>

#include "common/log.h"
#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {

IndexBackfill::~IndexBackfill() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string IndexBackfill::LeaseName(const IndexMeta& index) { return "backfill-" + std::to_string(index.id); }

Status IndexBackfill::Resume() {
  for (const auto& table : catalog_->All()) {
    for (const IndexMeta& index : table->indexes) {
      if (!index.backfilling) continue;
      {
        // Claimed before anything is dropped, so a Start of the same index
        // (UpdateTable's) cannot begin meanwhile.
        std::lock_guard lock(mu_);
        if (stopping_ || !filling_.insert(index.id).second) continue;  // filled here already
      }
      // Another front-end sharing the store may be filling it now: its
      // entries must not be dropped under it.
      Result<bool> mine = engine_->meta().Lease(LeaseName(index), kLeaseSeconds);
      if (!mine.ok() || !*mine) {
        std::lock_guard lock(mu_);
        filling_.erase(index.id);
        BASALT_RETURN_IF_ERROR(mine.status());
        continue;
      }
      Log(LogLevel::kInfo, "filling index " + index.name + " of " + table->name + " from the start");
      Status dropped = engine_->DropTable(index.id);
      if (!dropped.ok()) {
        std::lock_guard lock(mu_);
        filling_.erase(index.id);
        return dropped;
      }
      {
        std::unique_lock lock(table->runtime->mu);
        table->runtime->backfill[index.id] = std::nullopt;
      }
      Enqueue(Job{table, index});
    }
  }
  return Status::Ok();
}

void IndexBackfill::Start(std::shared_ptr<const TableMeta> table, IndexMeta index) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !filling_.insert(index.id).second) return;
  }
  Enqueue(Job{std::move(table), std::move(index)});
}

void IndexBackfill::Enqueue(Job job) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  jobs_.push_back(std::move(job));
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  cv_.notify_one();
}

void IndexBackfill::Loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Result<bool> done = Step(job);
    if (done.ok() && *done) Finish(job);
    if ((done.ok() && *done) || done.status().code() == Code::kResourceInUse) {  // done, or another front-end's
      std::lock_guard lock(mu_);
      filling_.erase(job.index.id);
      continue;
    }
    std::unique_lock lock(mu_);
    if (!done.ok()) {
      // Storage failed; try again shortly rather than leave the index CREATING.
      cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping_; });
    }
    jobs_.push_back(std::move(job));  // the other backfills take their steps first
  }
}

Result<bool> IndexBackfill::Step(const Job& job) {
  constexpr size_t kStepRecords = 256;  // writers to the table wait for one step at most
  const TableMeta& table = *job.table;
  TableRuntime& rt = *table.runtime;
  // Renewed each step; lost only if a step stalled past the lease and
  // another front-end took the backfill over (Resume at its start): this
  // one then stops, and its writers maintain the index for every item.
  Result<bool> mine = engine_->meta().Lease(LeaseName(job.index), kLeaseSeconds);
  std::unique_lock lock(rt.mu);
  auto cursor_it = rt.backfill.find(job.index.id);
  if (rt.dropped || cursor_it == rt.backfill.end()) return true;  // the table or index is gone
  BASALT_RETURN_IF_ERROR(mine.status());
  if (!*mine) {
    Log(LogLevel::kWarn, "the backfill of index " + job.index.name + " went to another front-end");
    rt.backfill.erase(cursor_it);
    return Status(Code::kResourceInUse, "backfill taken over");
  }
  std::vector<ItemWrite> writes;
  BackfillCursor last = cursor_it->second;
  Status error;
  BASALT_RETURN_IF_ERROR(engine_->ScanSegment(table.id, 0, 1, cursor_it->second, [&](const storage::Row& row) {
    model::Item item;
    if (Status st = model::DecodeItem(row.value, &item); !st.ok()) {
      error = st;
      return false;
    }
    auto key = model::KeyFromItem(table.key_schema, item);
    if (!key.ok()) {
      error = key.status();
      return false;
    }
    ItemWrite w{job.table, std::move(*key), nullptr};
    w.reindex = job.index.id;
    writes.push_back(std::move(w));
    last.emplace(std::string(row.pk), std::string(row.sk));
    return writes.size() < kStepRecords;
  }));
  BASALT_RETURN_IF_ERROR(error);
  if (!writes.empty()) {
    WriteOutcome outcome;
    BASALT_RETURN_IF_ERROR(write_path_->Write(writes, WriteMode::kBackfill, &outcome));
  }
  if (writes.size() < kStepRecords) {
    rt.backfill.erase(cursor_it);
    return true;
  }
  cursor_it->second = std::move(last);
  return false;
}

void IndexBackfill::Finish(const Job& job) {
  auto lock = catalog_->LockDefinitions();
  auto current = catalog_->Find(job.table->ns, job.table->name);
  if (!current || current->runtime != job.table->runtime) return;
  auto meta = std::make_shared<TableMeta>(*current);
  for (IndexMeta& i : meta->indexes) {
    if (i.id == job.index.id) i.backfilling = false;
  }
  catalog_->Update(meta).IgnoreError();  // on failure the index is backfilled again after a restart
}

}  // namespace basalt::db
