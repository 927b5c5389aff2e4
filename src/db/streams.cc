// DynamoDB Streams (streams.h); the stored forms are in stream_forms.h.
#include "db/streams.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "common/coding.h"
#include "db/stream_forms.h"
#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {
namespace {

constexpr std::string_view kNextSeqKey = "stream_seq";
// The registry's generation: every change to the stored streams (and
// next_seq) writes it, compared with the one this process read, so front-ends
// sharing a store take turns (a stale one re-reads and tries again).
constexpr std::string_view kGenerationKey = "stream_gen";
constexpr double kShipperLeaseSeconds = 5;
constexpr size_t kShipBatch = 1024;
constexpr size_t kMaxRecordsBytes = 1 << 20;  // GetRecords' response limit

using stream_forms::DecodeIterator;
using stream_forms::DecodeStream;
using stream_forms::EncodeIterator;
using stream_forms::EncodeStream;
using stream_forms::Iterator;
using stream_forms::kStreamPrefix;
using stream_forms::StreamKey;

const ShardMeta* FindShard(const StreamMeta& s, std::string_view id) {
  for (const ShardMeta& sh : s.shards) {
    if (sh.id == id) return &sh;
  }
  return nullptr;
}

const ShardMeta* ShardAt(const StreamMeta& s, uint64_t first_seq) {
  for (const ShardMeta& sh : s.shards) {
    if (sh.first_seq == first_seq) return &sh;
  }
  return nullptr;
}

Status StreamNotFound(const std::string& arn) {
  return Status::NotFound("Requested resource not found: Stream: " + arn + " not found");
}

Status Trimmed() {
  return Status(Code::kTrimmedDataAccess,
                "The operation attempted to read past the oldest stream record in a shard.");
}

}  // namespace

Streams::Streams(storage::Engine* engine, const Clock* clock, StreamOptions options)
    : engine_(engine), clock_(clock), options_(options) {}

Streams::~Streams() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (shipper_.joinable()) shipper_.join();
}

Status Streams::Open() {
  shared_ = engine_->meta().Shared();
  {
    std::lock_guard ship_lock(ship_mu_);
    BASALT_RETURN_IF_ERROR(LoadLocked());
  }
  if (!shipper_.joinable()) shipper_ = std::thread([this] { ShipperLoop(); });
  return Status::Ok();
}

Status Streams::LoadLocked() {
  // The generation first: what is read after it is at least as new, so a
  // store that compares with it fails if anything changed since.
  std::optional<std::string> generation;
  BASALT_RETURN_IF_ERROR(engine_->meta().Get(kGenerationKey, &generation));
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(engine_->meta().List(kStreamPrefix, &rows));
  std::optional<std::string> next;
  BASALT_RETURN_IF_ERROR(engine_->meta().Get(kNextSeqKey, &next));
  std::map<uint64_t, StreamMeta> loaded;
  for (const auto& [key, value] : rows) {
    StreamMeta s;
    BASALT_RETURN_IF_ERROR(DecodeStream(value, &s));
    loaded[s.id] = std::move(s);
  }
  std::lock_guard lock(mu_);
  streams_ = std::move(loaded);
  next_seq_ = next ? std::stoull(*next) : 1;
  generation_ = generation;
  return Status::Ok();
}

Status Streams::RefreshLocked() {
  std::optional<std::string> stored;
  BASALT_RETURN_IF_ERROR(engine_->meta().Get(kGenerationKey, &stored));
  {
    std::lock_guard lock(mu_);
    if (stored == generation_) return Status::Ok();
  }
  return LoadLocked();
}

Status Streams::StoreLocked(std::span<const storage::OutboxEntry> shipped, std::span<const storage::LogAppend> appends,
                            std::vector<std::pair<std::string, std::string>> puts) {
  std::optional<std::string> generation;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  const std::string next = std::to_string(generation ? std::stoull(*generation) + 1 : 1);
  puts.emplace_back(std::string(kGenerationKey), next);
  storage::MetaCondition only_if{std::string(kGenerationKey), generation};
  if (Status st = engine_->ShipOutbox(shipped, appends, puts, &only_if); !st.ok()) {
    // The registry ran ahead of storage: go back to what is stored (another
    // front-end's, when the generation moved).
    BASALT_RETURN_IF_ERROR(LoadLocked());
    return st;
  }
  std::lock_guard lock(mu_);
  generation_ = next;
  return Status::Ok();
}

Status Streams::ChangeLocked(const std::function<Status(std::vector<std::pair<std::string, std::string>>* puts)>& change) {
  if (shared_) BASALT_RETURN_IF_ERROR(RefreshLocked());
  for (int attempt = 0;; ++attempt) {
    std::vector<std::pair<std::string, std::string>> puts;
    BASALT_RETURN_IF_ERROR(change(&puts));
    if (puts.empty()) return Status::Ok();
    Status st = StoreLocked({}, {}, std::move(puts));
    // Another front-end changed the registry first: change what it stored.
    if (st.code() != Code::kConditionalCheckFailed || attempt >= 100) return st;
  }
}

ShardMeta Streams::NewShard(const StreamMeta& s, const std::string& parent, uint64_t first_seq, double now) const {
  ShardMeta sh;
  char id[64];
  std::snprintf(id, sizeof id, "shardId-%020" PRId64 "-%08x", static_cast<int64_t>(now * 1000),
                TokenCheck(std::to_string(s.id) + "/" + std::to_string(first_seq)));
  sh.id = id;
  sh.parent = parent;
  sh.first_seq = first_seq;
  sh.created_at = now;
  return sh;
}

Status Streams::Create(const TableMeta& table, double created_at) {
  std::lock_guard ship_lock(ship_mu_);
  return ChangeLocked([&](std::vector<std::pair<std::string, std::string>>* puts) {
    std::lock_guard lock(mu_);
    StreamMeta s;
    s.id = table.stream.id;
    s.ns = table.ns;
    s.arn = table.StreamArn();
    s.label = table.stream.label;
    s.table = table.name;
    s.key_schema = table.key_schema;
    s.view = table.stream.view;
    s.created_at = created_at;
    s.shards.push_back(NewShard(s, "", next_seq_, clock_->Now()));
    puts->emplace_back(StreamKey(s.id), EncodeStream(s));
    streams_[s.id] = std::move(s);
    return Status::Ok();
  });
}

Status Streams::Disable(uint64_t id) {
  // The table's writers no longer record into the stream; what they
  // recorded before goes in before its shard closes.
  std::lock_guard ship_lock(ship_mu_);
  BASALT_RETURN_IF_ERROR(ShipLocked());
  return ChangeLocked([&](std::vector<std::pair<std::string, std::string>>* puts) {
    std::lock_guard lock(mu_);
    auto it = streams_.find(id);
    if (it == streams_.end() || !it->second.enabled) return Status::Ok();
    StreamMeta& s = it->second;
    double now = clock_->Now();
    s.enabled = false;
    s.disabled_at = now;
    if (!s.shards.empty() && !s.shards.back().closed) {
      s.shards.back().closed = true;
      s.shards.back().closed_at = now;
    }
    puts->emplace_back(StreamKey(s.id), EncodeStream(s));
    return Status::Ok();
  });
}

void Streams::Notify() {
  pending_.fetch_add(1);
  // Only an idle shipper needs waking (a wake-up lost in a race costs at
  // most its one-second wait; readers ship what they need themselves).
  if (idle_.load()) wake_.notify_one();
}

Status Streams::Ship() {
  // Taken even when nothing is pending: a pass in progress (the shipper's)
  // has counted its records in next_seq_ before appending them to the log,
  // and a reader must not read the log until they are there.
  std::lock_guard ship_lock(ship_mu_);
  if (shared_) {
    // Other front-ends write and ship too: pending_ knows only this one's
    // writes, and the registry may be behind theirs.
    BASALT_RETURN_IF_ERROR(RefreshLocked());
  } else if (pending_.load(std::memory_order_acquire) == 0) {
    return Status::Ok();
  }
  return ShipLocked();
}

bool Streams::RollIfDue(StreamMeta& s, double now) {
  if (!s.enabled || s.shards.empty()) return false;
  ShardMeta& open = s.shards.back();
  if (open.closed || open.records == 0) return false;
  if (open.records < options_.shard_max_records && now - open.created_at < options_.shard_seconds) return false;
  open.closed = true;
  open.closed_at = now;
  std::string parent = open.id;
  s.shards.push_back(NewShard(s, parent, next_seq_, now));
  return true;
}

Status Streams::ShipLocked() {
  pending_.store(0, std::memory_order_release);
  bool reloaded = false;
  for (int conflicts = 0;;) {
    std::vector<storage::OutboxEntry> entries;
    // Where the store is shared, another front-end's commit may land below
    // the last position shipped: read from the start (shipped records are gone).
    BASALT_RETURN_IF_ERROR(engine_->ReadOutbox(shared_ ? "" : ship_position_, kShipBatch, &entries));
    if (entries.empty()) return Status::Ok();
    {
      // A stream this process has not read yet (another front-end's
      // CreateTable): read the registry again before taking it for removed.
      std::lock_guard lock(mu_);
      reloaded = reloaded || std::all_of(entries.begin(), entries.end(),
                                         [&](const storage::OutboxEntry& e) { return streams_.count(e.log) > 0; });
    }
    if (!reloaded) {
      BASALT_RETURN_IF_ERROR(LoadLocked());
      reloaded = true;
    }
    std::vector<storage::LogAppend> appends;
    appends.reserve(entries.size());
    std::vector<std::pair<std::string, std::string>> meta_puts;
    {
      std::lock_guard lock(mu_);
      double now = clock_->Now();
      std::set<uint64_t> touched;
      for (storage::OutboxEntry& e : entries) {
        auto it = streams_.find(e.log);
        // A removed stream, or one disabled since the commit: the table no
        // longer records into it.
        if (it == streams_.end() || it->second.shards.empty() || !it->second.enabled) continue;
        StreamMeta& s = it->second;
        RollIfDue(s, now);
        ShardMeta& shard = s.shards.back();
        uint64_t seq = next_seq_++;
        ++shard.records;
        shard.last_seq = seq;
        appends.push_back(storage::LogAppend{e.log, seq, std::move(e.value)});
        touched.insert(s.id);
      }
      for (uint64_t id : touched) meta_puts.emplace_back(StreamKey(id), EncodeStream(streams_[id]));
      meta_puts.emplace_back(std::string(kNextSeqKey), std::to_string(next_seq_));
    }
    Status st = StoreLocked(entries, appends, std::move(meta_puts));
    if (!st.ok()) {
      // Another front-end shipped first: ship what is left.
      if (st.code() != Code::kConditionalCheckFailed || ++conflicts > 100) return st;
      continue;
    }
    ship_position_ = entries.back().position;
    if (!appends.empty()) shipped_.notify_all();
    if (entries.size() < kShipBatch) return Status::Ok();
  }
}

Status Streams::Trim() {
  std::lock_guard ship_lock(ship_mu_);
  double now = clock_->Now();
  last_trim_ = now;
  double cutoff = now - options_.retention_seconds;
  if (shared_) BASALT_RETURN_IF_ERROR(RefreshLocked());
  std::vector<StreamMeta> snapshot;
  std::set<uint64_t> rolled;  // streams whose idle shard closed here
  std::vector<std::pair<std::string, std::string>> puts;
  bool removed = false;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, s] : streams_) {
      if (RollIfDue(s, now)) rolled.insert(id);
      snapshot.push_back(s);
    }
  }
  for (StreamMeta& s : snapshot) {
    if (!s.enabled && s.disabled_at <= cutoff) {
      BASALT_RETURN_IF_ERROR(engine_->TrimLog(s.id, std::numeric_limits<uint64_t>::max()));
      BASALT_RETURN_IF_ERROR(engine_->meta().Delete(StreamKey(s.id)));
      std::lock_guard lock(mu_);
      streams_.erase(s.id);
      removed = true;
      continue;
    }
    // The first record young enough to keep; records come roughly in time order.
    uint64_t keep_from = s.trimmed_below;
    uint64_t last = 0;
    for (const ShardMeta& sh : s.shards) last = std::max(last, sh.last_seq);
    bool found = false;
    auto cutoff_ms = static_cast<int64_t>(cutoff * 1000);
    BASALT_RETURN_IF_ERROR(engine_->ReadLog(s.id, s.trimmed_below, [&](uint64_t seq, std::string_view v) {
      if (v.size() >= 8 && static_cast<int64_t>(DecodeFixed64BE(v.data())) >= cutoff_ms) {
        keep_from = seq;
        found = true;
        return false;
      }
      return true;
    }));
    if (!found && last != 0) keep_from = last + 1;
    std::lock_guard lock(mu_);
    auto it = streams_.find(s.id);
    if (it == streams_.end()) continue;
    StreamMeta& live = it->second;
    bool changed = keep_from > live.trimmed_below;
    if (changed) {
      BASALT_RETURN_IF_ERROR(engine_->TrimLog(s.id, keep_from));
      live.trimmed_below = keep_from;
    }
    // Closed shards go once their records are gone and they closed a retention period ago.
    size_t before = live.shards.size();
    std::erase_if(live.shards, [&](const ShardMeta& sh) {
      return sh.closed && sh.closed_at <= cutoff && (sh.records == 0 || sh.last_seq < live.trimmed_below);
    });
    if (changed || before != live.shards.size() || rolled.count(s.id)) {
      puts.emplace_back(StreamKey(s.id), EncodeStream(live));
    }
  }
  if (puts.empty() && !removed) return Status::Ok();
  // The removals are stored already; the generation tells other front-ends.
  // Another front-end changed the registry first: the next pass trims again.
  Status st = StoreLocked({}, {}, std::move(puts));
  return st.code() == Code::kConditionalCheckFailed ? Status::Ok() : st;
}

void Streams::ShipperLoop() {
  double trim_every = std::clamp(options_.retention_seconds / 4, 0.5, 60.0);
  for (;;) {
    {
      std::unique_lock lock(wake_mu_);
      idle_.store(true);
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || pending_.load() > 0; });
      idle_.store(false);
      if (stopping_) return;
    }
    if (shared_) {
      // One front-end of those sharing the store ships in the background
      // (readers on the others ship what they need themselves).
      Result<bool> held = engine_->meta().Lease("stream-shipper", kShipperLeaseSeconds);
      if (!held.ok() || !*held) {
        // Not this one's turn: look again in a second (pending_ stays set,
        // so the wait above would not wait).
        std::unique_lock lock(wake_mu_);
        wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
        continue;
      }
    }
    (void)Ship();  // a failed pass is retried by the next
    {
      // Let records gather: a pass per few writes costs the writers more
      // than it saves (readers ship what they need themselves).
      std::unique_lock lock(wake_mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(5), [&] { return stopping_; });
      if (stopping_) return;
    }
    bool trim_due;
    {
      std::lock_guard lock(ship_mu_);
      trim_due = clock_->Now() - last_trim_ >= trim_every;
    }
    if (trim_due) (void)Trim();
  }
}

std::vector<StreamMeta> Streams::List(const std::string& ns, const std::optional<std::string>& table,
                                      const std::string& start_after) {
  if (shared_) {
    std::lock_guard ship_lock(ship_mu_);
    (void)RefreshLocked();  // another front-end's new streams (on failure: those known)
  }
  std::lock_guard lock(mu_);
  std::vector<StreamMeta> out;
  for (const auto& [id, s] : streams_) {
    if (s.ns != ns || (table && s.table != *table) || (!start_after.empty() && s.arn <= start_after)) continue;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const StreamMeta& a, const StreamMeta& b) { return a.arn < b.arn; });
  return out;
}

std::vector<StreamMeta> Streams::All() const {
  std::lock_guard lock(mu_);
  std::vector<StreamMeta> out;
  for (const auto& [id, s] : streams_) out.push_back(s);
  return out;
}

Result<StreamMeta> Streams::Describe(const std::string& ns, const std::string& arn) {
  BASALT_RETURN_IF_ERROR(Ship());
  std::lock_guard lock(mu_);
  for (const auto& [id, s] : streams_) {
    if (s.ns == ns && s.arn == arn) return s;
  }
  return StreamNotFound(arn);
}

Result<std::string> Streams::GetShardIterator(const std::string& ns, const std::string& arn,
                                              const std::string& shard_id, IteratorType type,
                                              std::optional<uint64_t> seq) {
  if (type == IteratorType::kLatest) {
    BASALT_RETURN_IF_ERROR(Ship());
  } else if (shared_) {
    std::lock_guard ship_lock(ship_mu_);
    BASALT_RETURN_IF_ERROR(RefreshLocked());  // another front-end's new streams and shards
  }
  std::lock_guard lock(mu_);
  const StreamMeta* s = nullptr;
  for (const auto& [id, candidate] : streams_) {
    if (candidate.ns == ns && candidate.arn == arn) s = &candidate;
  }
  // DynamoDB Local's wording for these two.
  if (!s) return Status::NotFound("Stream does not exist");
  const ShardMeta* shard = FindShard(*s, shard_id);
  if (!shard) return Status::NotFound("Shard does not exist");
  // One past the shard's last record, or where its next record will go.
  uint64_t end = shard->closed ? (shard->records ? shard->last_seq + 1 : shard->first_seq) : next_seq_;
  Iterator it{s->id, shard->first_seq, 0, static_cast<int64_t>(clock_->Now() * 1000)};
  switch (type) {
    case IteratorType::kTrimHorizon: it.position = std::max(shard->first_seq, s->trimmed_below); break;
    case IteratorType::kLatest: it.position = end; break;
    case IteratorType::kAtSequenceNumber:
    case IteratorType::kAfterSequenceNumber: {
      // A number past the shard's end gives an iterator that waits there.
      if (*seq < shard->first_seq) return Status::Validation("Invalid SequenceNumber for the shard");
      if (*seq < s->trimmed_below) return Trimmed();
      it.position = *seq;
      if (type == IteratorType::kAfterSequenceNumber && it.position < std::numeric_limits<uint64_t>::max()) {
        ++it.position;
      }
      break;
    }
  }
  return EncodeIterator(s->arn, it);
}

Result<GetRecordsOutput> Streams::GetRecords(const std::string& ns, const std::string& text, size_t limit) {
  Iterator it;
  if (!DecodeIterator(text, &it)) return Status::Validation("Invalid ShardIterator");
  double now = clock_->Now();
  if (now * 1000 - static_cast<double>(it.created_ms) > options_.iterator_seconds * 1000) {
    return Status(Code::kExpiredIterator, "Iterator expired. The iterator was created at time " +
                                              std::to_string(it.created_ms) + " while right now it is " +
                                              std::to_string(static_cast<int64_t>(now * 1000)) +
                                              ". The iterator is valid for 15 minutes.");
  }
  BASALT_RETURN_IF_ERROR(Ship());
  uint64_t bound;  // the last sequence number the shard may hold now
  bool closed;
  ShardMeta shard;
  std::string arn;
  {
    std::lock_guard lock(mu_);
    auto s = streams_.find(it.stream);
    if (s == streams_.end() || s->second.ns != ns) return Status::NotFound("Requested resource not found");
    const ShardMeta* found = ShardAt(s->second, it.shard);
    if (!found || it.position < s->second.trimmed_below) return Trimmed();
    shard = *found;
    arn = s->second.arn;
    closed = shard.closed;
    bound = closed ? shard.last_seq : next_seq_ - 1;
    if (closed && shard.records == 0) bound = 0;
  }
  GetRecordsOutput out;
  uint64_t next = it.position;
  size_t bytes = 0;
  Status error;
  if (bound >= it.position) {
    BASALT_RETURN_IF_ERROR(engine_->ReadLog(it.stream, it.position, [&](uint64_t seq, std::string_view v) {
      if (seq > bound || out.records.size() >= limit) return false;
      StreamRecord r;
      if (Status st = DecodeStreamRecord(v, &r); !st.ok()) {
        error = st;
        return false;
      }
      r.seq = seq;
      bytes += r.size_bytes;
      out.records.push_back(std::move(r));
      next = seq + 1;
      return bytes < kMaxRecordsBytes;
    }));
    BASALT_RETURN_IF_ERROR(error);
  }
  // A closed shard ends once its last record has been read.
  if (closed && (shard.records == 0 || next > shard.last_seq)) return out;
  it.position = next;
  it.created_ms = static_cast<int64_t>(now * 1000);
  out.next_iterator = EncodeIterator(arn, it);
  return out;
}

Result<std::vector<StreamRecord>> Streams::ReadFrom(uint64_t id, uint64_t from, size_t limit) {
  BASALT_RETURN_IF_ERROR(Ship());
  uint64_t bound;
  {
    std::lock_guard lock(mu_);
    if (!streams_.count(id)) return Status::NotFound("stream " + std::to_string(id) + " not found");
    bound = next_seq_ - 1;
  }
  std::vector<StreamRecord> out;
  Status error;
  if (bound < from || limit == 0) return out;
  BASALT_RETURN_IF_ERROR(engine_->ReadLog(id, from, [&](uint64_t seq, std::string_view v) {
    if (seq > bound) return false;
    StreamRecord r;
    if (Status st = DecodeStreamRecord(v, &r); !st.ok()) {
      error = st;
      return false;
    }
    r.seq = seq;
    out.push_back(std::move(r));
    return out.size() < limit;
  }));
  BASALT_RETURN_IF_ERROR(error);
  return out;
}

uint64_t Streams::LastSequence() const {
  std::lock_guard lock(mu_);
  return next_seq_ - 1;
}

void Streams::WaitForRecords(uint64_t after, double seconds) {
  std::unique_lock lock(mu_);
  shipped_.wait_for(lock, std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)),
                    [&] { return next_seq_ - 1 > after; });
}

}  // namespace basalt::db
