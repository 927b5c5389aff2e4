#include "db/index_propagation.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "common/clock.h"
#include "common/coding.h"
#include "common/log.h"
#include "db/catalog.h"
#include "db/index.h"
#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {

namespace {

constexpr size_t kSweepLimit = 1000;       // changes per pass of the lease holder
constexpr double kSweepSeconds = 1;        // between passes over every table
constexpr double kLeaseSeconds = 10;       // the lease `index-propagation`
constexpr int kMaxAttempts = 100;          // reconciling one entry or one item
// Partitions applied at once: each application mostly waits on round
// trips to the cluster, which the others' applications fill (4 or 8 made
// no difference to the lag on the 2-core VM, whose one OSD is the limit).
constexpr int kWorkers = 8;

const IndexMeta* FindGsi(const TableMeta& table, storage::TableId id) {
  for (const IndexMeta& index : table.indexes) {
    if (index.id == id && index.global) return &index;
  }
  return nullptr;
}

// The stored size of an index entry, as ComputeIndexDelta counts it.
Result<int64_t> EntryBytes(std::string_view value) {
  model::Item item;
  BASALT_RETURN_IF_ERROR(model::DecodeItem(value, &item));
  return static_cast<int64_t>(model::ItemSize(item)) + kIndexEntryOverhead;
}

// Makes the entry at `key` of index `index` hold `want` (nullopt: nothing),
// with a compare on the version it read, and the index's counters with it.
Status Reconcile(storage::Engine* engine, storage::TableId index, const EntryKeyOf& key,
                 const std::optional<IndexEntry>& want) {
  const storage::Key at{index, key.first, key.second};
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    std::optional<storage::Record> cur;
    BASALT_RETURN_IF_ERROR(engine->Get(at, &cur));
    if (!cur && !want) return Status::Ok();
    if (cur && want && cur->value == want->value) return Status::Ok();
    storage::PartitionWrite w;
    w.table = index;
    w.pk = key.first;
    storage::Mutation m{storage::Mutation::kDelete, key.second, {}, storage::Precondition::For(cur ? cur->version : 0)};
    if (cur) {
      BASALT_ASSIGN_OR_RETURN(int64_t bytes, EntryBytes(cur->value));
      w.item_count_delta -= 1;
      w.size_bytes_delta -= bytes;
    }
    if (want) {
      m.op = storage::Mutation::kPut;
      m.value = want->value;
      w.item_count_delta += 1;
      w.size_bytes_delta += static_cast<int64_t>(want->size) + kIndexEntryOverhead;
    }
    w.muts.push_back(std::move(m));
    Status st = engine->Commit(std::span(&w, 1));
    if (st.ok()) return st;
    if (st.code() != Code::kPreconditionFailed && st.code() != Code::kTransactionConflict) return st;
  }
  return Status::Internal("index entry kept changing while it was propagated");
}

}  // namespace

std::string EncodeIndexChange(const IndexChangeRecord& change) {
  std::string out;
  PutFixed64BE(&out, change.item.table);
  PutLengthPrefixed(&out, change.item.pk);
  PutLengthPrefixed(&out, change.item.sk);
  PutVarint64(&out, change.indexes.size());
  for (const auto& [id, keys] : change.indexes) {
    PutFixed64BE(&out, id);
    PutVarint64(&out, keys.size());
    for (const auto& [pk, sk] : keys) {
      PutLengthPrefixed(&out, pk);
      PutLengthPrefixed(&out, sk);
    }
  }
  return out;
}

bool DecodeIndexChange(std::string_view in, IndexChangeRecord* change) {
  *change = IndexChangeRecord{};
  auto fixed64 = [&](uint64_t* v) {
    if (in.size() < 8) return false;
    *v = DecodeFixed64BE(in.data());
    in.remove_prefix(8);
    return true;
  };
  std::string_view pk, sk;
  uint64_t n = 0;
  if (!fixed64(&change->item.table) || !GetLengthPrefixed(&in, &pk) || !GetLengthPrefixed(&in, &sk) ||
      !GetVarint64(&in, &n) || n > in.size()) {
    return false;
  }
  change->item.pk.assign(pk);
  change->item.sk.assign(sk);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t id = 0, count = 0;
    if (!fixed64(&id) || !GetVarint64(&in, &count) || count > in.size()) return false;
    std::vector<EntryKeyOf> keys;
    for (uint64_t k = 0; k < count; ++k) {
      if (!GetLengthPrefixed(&in, &pk) || !GetLengthPrefixed(&in, &sk)) return false;
      keys.emplace_back(std::string(pk), std::string(sk));
    }
    change->indexes.emplace_back(id, std::move(keys));
  }
  return in.empty();
}

void IndexPropagation::Start() {
  if (!active() || !workers_.empty()) return;
  for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this, i] { Run(/*sweeper=*/i == 0); });
}

void IndexPropagation::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void IndexPropagation::Kept(storage::TableId table, const std::string& pk) {
  {
    std::lock_guard lock(mu_);
    if (kept_.emplace(table, pk).second) queue_.emplace_back(table, pk);
  }
  wake_.notify_one();
}

Status IndexPropagation::CatchUp(storage::TableId table) {
  if (!active()) return Status::Ok();
  // Bounded: under a write load that outruns it, the read goes on with
  // what was applied by then (a GSI may lag, as DynamoDB's).
  bool more = true;
  for (int round = 0; more && round < 10; ++round) {
    BASALT_RETURN_IF_ERROR(ApplyWaiting(table, std::nullopt, kSweepLimit, &more));
  }
  return Status::Ok();
}

// Each worker takes the partition kept first that no other worker is
// applying: first come, first served (taken in key order instead, a
// partition could wait behind newer ones: p99 lag 1.5 s against 0.55 s
// under bench/rados.sh's 8 writers). The sweeper also looks at every
// table once a second, while it holds the lease.
void IndexPropagation::Run(bool sweeper) {
  double next_sweep = 0;
  std::unique_lock lock(mu_);
  auto idle = [&] {
    return std::find_if(queue_.begin(), queue_.end(), [&](const auto& p) { return !busy_.contains(p); });
  };
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop_ || idle() != queue_.end(); });
    if (stop_) break;
    if (auto it = idle(); it != queue_.end()) {
      auto partition = *it;
      queue_.erase(it);
      kept_.erase(partition);
      busy_.insert(partition);
      lock.unlock();
      if (Status st = ApplyWaiting(partition.first, partition.second, kSweepLimit); !st.ok()) {
        Log(LogLevel::kWarn, "index propagation: " + st.message());
      }
      lock.lock();
      busy_.erase(partition);
      if (!kept_.empty()) wake_.notify_one();  // one kept while this was busy
    }
    if (!sweeper) continue;
    if (double now = RealClock().Now(); now >= next_sweep) {
      next_sweep = now + kSweepSeconds;
      lock.unlock();
      Result<bool> held = engine_->meta().Lease("index-propagation", kLeaseSeconds);
      bool more = held.ok() && *held;
      while (more) {
        if (Status st = ApplyWaiting(0, std::nullopt, kSweepLimit, &more); !st.ok()) {
          Log(LogLevel::kWarn, "index propagation: " + st.message());
          break;
        }
      }
      lock.lock();
    }
  }
}

Status IndexPropagation::ApplyWaiting(storage::TableId table, const std::optional<std::string>& pk, size_t limit,
                                      bool* more) {
  std::vector<storage::IndexChange> waiting;
  BASALT_RETURN_IF_ERROR(engine_->ReadIndexChanges(table, pk, limit, &waiting));
  if (more) *more = waiting.size() >= limit;
  if (waiting.empty()) return Status::Ok();
  // Each item once, with every key its changes name, in the order first met.
  std::vector<storage::Key> items;
  std::map<std::tuple<storage::TableId, std::string, std::string>, std::map<storage::TableId, std::set<EntryKeyOf>>>
      keys;
  for (const storage::IndexChange& c : waiting) {
    IndexChangeRecord change;
    if (!DecodeIndexChange(c.value, &change)) {
      Log(LogLevel::kWarn, "index propagation: an unreadable index change is dropped");
      continue;
    }
    auto [it, added] = keys.try_emplace({change.item.table, change.item.pk, change.item.sk});
    if (added) items.push_back(change.item);
    for (auto& [id, ks] : change.indexes) it->second[id].insert(ks.begin(), ks.end());
  }
  Definitions definitions;
  for (const storage::Key& item : items) {
    BASALT_RETURN_IF_ERROR(ApplyItem(item, keys[{item.table, item.pk, item.sk}], &definitions));
  }
  // A partition written again meanwhile is applied again soon: its note
  // stays until then (forgetting it costs the cluster three operations).
  bool again = false;
  if (pk) {
    std::lock_guard lock(mu_);
    again = kept_.contains({table, *pk});
  }
  BASALT_RETURN_IF_ERROR(engine_->RemoveIndexChanges(waiting, again));
  Record(waiting);
  return Status::Ok();
}

Status IndexPropagation::ApplyItem(const storage::Key& item, const std::map<storage::TableId, std::set<EntryKeyOf>>& named,
                                   Definitions* definitions) {
  // The keys to reconcile: those the changes name, and every key an
  // earlier attempt wrote an entry to. That entry came from an item state
  // newer than the changes (read ahead of them); if the item changed again
  // before the attempt's check, the change that did may have been applied
  // by another front-end before this entry landed, which then found
  // nothing there to remove. (Without this, a GSI entry of a deleted item
  // outlived four writers racing on twelve items, 1 run in 5.)
  std::map<storage::TableId, std::set<EntryKeyOf>> keys = named;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    std::optional<storage::Record> read;
    BASALT_RETURN_IF_ERROR(engine_->Get(item, &read));
    std::shared_ptr<const TableMeta> table = definitions->Find(*catalog_, item.table);
    // A table or GSI this front-end does not know may have been made
    // through another one since its last re-read of the definitions.
    bool unknown = !table;
    for (const auto& entry : keys) unknown = unknown || (table && !FindGsi(*table, entry.first));
    if (unknown && !definitions->refreshed) {
      BASALT_RETURN_IF_ERROR(catalog_->Refresh());
      *definitions = Definitions{};
      definitions->refreshed = true;
      table = definitions->Find(*catalog_, item.table);
    }
    if (!table) return Status::Ok();  // deleted, with its indexes
    std::optional<model::Item> now;
    if (read) {
      now.emplace();
      BASALT_RETURN_IF_ERROR(model::DecodeItem(read->value, &*now));
    }
    for (auto& [id, touch] : keys) {
      const IndexMeta* index = FindGsi(*table, id);
      if (!index) continue;  // deleted since
      std::optional<IndexEntry> want = now ? EntryFor(*table, *index, *now) : std::nullopt;
      if (want) touch.emplace(want->pk, want->sk);
      for (const EntryKeyOf& key : touch) {
        const bool wanted = want && want->pk == key.first && want->sk == key.second;
        BASALT_RETURN_IF_ERROR(Reconcile(engine_, id, key, wanted ? want : std::nullopt));
      }
    }
    // Done if the item did not change meanwhile; else its latest state wins.
    std::optional<storage::Record> again;
    BASALT_RETURN_IF_ERROR(engine_->Get(item, &again));
    if ((read ? read->version : 0) == (again ? again->version : 0)) return Status::Ok();
  }
  return Status::Internal("item kept changing while its index changes were propagated");
}

std::shared_ptr<const TableMeta> IndexPropagation::Definitions::Find(const Catalog& catalog, storage::TableId id) {
  if (by_id.empty()) {
    for (auto& t : catalog.All()) by_id[t->id] = t;
  }
  auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : it->second;
}

void IndexPropagation::Record(const std::vector<storage::IndexChange>& applied) {
  const double now = RealClock().Now();
  std::lock_guard lock(figures_mu_);
  for (const storage::IndexChange& c : applied) {
    ++applied_;
    lags_.push_back(std::max(0.0, now - c.committed));
    if (lags_.size() > kLagSamples) lags_.pop_front();
  }
}

IndexPropagation::Figures IndexPropagation::figures() const {
  std::vector<double> lags;
  Figures f;
  {
    std::lock_guard lock(figures_mu_);
    f.applied = applied_;
    lags.assign(lags_.begin(), lags_.end());
  }
  if (lags.empty()) return f;
  std::sort(lags.begin(), lags.end());
  auto at = [&](double q) { return lags[std::min(lags.size() - 1, static_cast<size_t>(q * lags.size()))]; };
  f.lag_p50 = at(0.5);
  f.lag_p99 = at(0.99);
  f.lag_max = lags.back();
  return f;
}

}  // namespace basalt::db
