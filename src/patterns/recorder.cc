#include "patterns/recorder.h"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace basalt::patterns {
namespace {

std::atomic<uint64_t> next_recorder_id{1};

size_t LatencyBucket(double ms) {
  size_t i = 0;
  while (i < kLatencyBoundsMs.size() && ms > kLatencyBoundsMs[i]) ++i;
  return i;
}

size_t SizeBucket(uint64_t bytes) {
  size_t i = 0;
  while (i + 1 < kSizeBuckets && bytes > (uint64_t{64} << i)) ++i;
  return i;
}

void MergeHitters(std::vector<HeavyHitter>* into, const std::vector<HeavyHitter>& from) {
  std::map<std::string, HeavyHitter> merged;
  for (const HeavyHitter& h : *into) merged[h.key] = h;
  for (const HeavyHitter& h : from) {
    HeavyHitter& m = merged[h.key];
    m.key = h.key;
    m.count += h.count;
    m.error += h.error;
  }
  into->clear();
  for (auto& [k, h] : merged) into->push_back(std::move(h));
  std::sort(into->begin(), into->end(), [](const HeavyHitter& a, const HeavyHitter& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
  if (into->size() > kKeyCounters) into->resize(kKeyCounters);
}

void MergeHeat(KeyHeatStats* into, const KeyHeatStats& from) {
  MergeHitters(&into->requests, from.requests);
  MergeHitters(&into->read_units, from.read_units);
  MergeHitters(&into->write_units, from.write_units);
  into->total_requests += from.total_requests;
  into->total_read += from.total_read;
  into->total_write += from.total_write;
  into->increasing += from.increasing;
  into->not_increasing += from.not_increasing;
  into->max_item_bytes = std::max(into->max_item_bytes, from.max_item_bytes);
}

}  // namespace

void AddUnits(std::vector<TargetUnits>* targets, std::string_view table, std::string_view index, double read,
              double write) {
  for (TargetUnits& t : *targets) {
    if (t.table == table && t.index == index) {
      t.read += read;
      t.write += write;
      return;
    }
  }
  targets->push_back(TargetUnits{std::string(table), std::string(index), read, write});
}

std::string HeatKey(std::string_view ns, std::string_view table, std::string_view index) {
  std::string k;
  k.reserve(ns.size() + table.size() + index.size() + 2);
  k.append(ns);
  k.push_back('\0');
  k.append(table);
  k.push_back('\0');
  k.append(index);
  return k;
}

void PatternStats::Add(const PatternStats& o) {
  count += o.count;
  returned += o.returned;
  scanned += o.scanned;
  rcu += o.rcu;
  wcu += o.wcu;
  for (const TargetUnits& t : o.targets) AddUnits(&targets, t.table, t.index, t.read, t.write);
  for (size_t i = 0; i < errors.size(); ++i) errors[i] += o.errors[i];
  for (size_t i = 0; i < latency.size(); ++i) latency[i] += o.latency[i];
  for (size_t i = 0; i < sizes.size(); ++i) sizes[i] += o.sizes[i];
  size_sum += o.size_sum;
  sized += o.sized;
  max_size = std::max(max_size, o.max_size);
  if (o.count > 0) {
    first_seen = first_seen == 0 ? o.first_seen : std::min(first_seen, o.first_seen);
    last_seen = std::max(last_seen, o.last_seen);
  }
  if (o.peak_rps > peak_rps || (o.peak_rps == peak_rps && o.peak_at < peak_at)) {
    peak_rps = o.peak_rps;
    peak_at = o.peak_at;
  }
}

double PatternStats::LatencyQuantileMs(double q) const {
  uint64_t total = 0;
  for (uint64_t n : latency) total += n;
  if (total == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  uint64_t seen = 0;
  for (size_t i = 0; i < latency.size(); ++i) {
    seen += latency[i];
    if (seen >= rank) return i < kLatencyBoundsMs.size() ? kLatencyBoundsMs[i] : kLatencyBoundsMs.back() * 2;
  }
  return kLatencyBoundsMs.back() * 2;
}

uint64_t PatternStats::SizeQuantile(double q) const {
  if (sized == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(sized)));
  uint64_t seen = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    seen += sizes[i];
    if (seen >= rank) return std::min<uint64_t>(uint64_t{64} << i, max_size);  // a bucket's bound, at most the largest
  }
  return max_size;
}

Recorder::Recorder() : id_(next_recorder_id.fetch_add(1)) {}
Recorder::~Recorder() = default;

Recorder::Shard& Recorder::Mine() {
  thread_local std::vector<std::pair<uint64_t, Shard*>> cache;
  for (const auto& [id, shard] : cache) {
    if (id == id_) return *shard;
  }
  std::lock_guard lock(mu_);
  shards_.push_back(std::make_unique<Shard>());
  cache.emplace_back(id_, shards_.back().get());
  return *shards_.back();
}

void Recorder::Record(const Observation& o) {
  const uint64_t hash = ShapeHash(*o.shape) ^ std::hash<std::string_view>()(o.ns);
  Shard& shard = Mine();
  std::lock_guard lock(shard.mu);
  if (shard.started_at == 0) shard.started_at = o.now;
  auto it = shard.patterns.find(hash);
  if (it == shard.patterns.end()) {
    if (shard.patterns.size() >= kMaxPatterns) {
      ++shard.dropped;
      return;
    }
    it = shard.patterns.emplace(hash, Live{}).first;
    PatternStats& s = it->second.stats;
    s.hash = hash;
    s.ns = o.ns;
    s.table = o.shape->table;
    s.index = o.shape->index;
    s.shape = ShapeText(*o.shape);
    s.op = o.shape->op;
    s.consistent = o.shape->consistent;
    s.has_filter = o.shape->filter != nullptr;
    s.attributes = AttributesOf(*o.shape);
    s.first_seen = o.now;
  }
  Live& live = it->second;
  PatternStats& s = live.stats;
  ++s.count;
  s.returned += o.returned;
  s.scanned += o.scanned;
  for (const UnitsOn& u : o.units) {
    s.rcu += u.read;
    s.wcu += u.write;
    AddUnits(&s.targets, u.table, u.index, u.read, u.write);
  }
  if (o.outcome != Outcome::kOk) ++s.errors[static_cast<size_t>(o.outcome) - 1];
  ++s.latency[LatencyBucket(o.latency_ms)];
  if (o.items_sized > 0) {
    uint64_t avg = o.item_bytes / o.items_sized;
    s.sizes[SizeBucket(avg)] += o.items_sized;
    s.size_sum += o.item_bytes;
    s.sized += o.items_sized;
    s.max_size = std::max(s.max_size, o.max_item_bytes);
  }
  s.last_seen = o.now;
  const int64_t second = static_cast<int64_t>(o.now);
  if (second != live.second) {
    if (live.second >= 0 && shard.seconds.size() < 1u << 20) shard.seconds.push_back({hash, live.second, live.in_second});
    live.second = second;
    live.in_second = 0;
  }
  ++live.in_second;
  if (!o.pk.empty() || !o.units.empty()) RecordHeat(shard, o);
}

void Recorder::RecordHeat(Shard& shard, const Observation& o) {
  // Heat goes to the table or index the key belongs to; units to every table and index they name.
  const bool write = !IsRead(o.shape->op);
  for (const UnitsOn& u : o.units) {
    bool keyed = !o.pk.empty() && u.table == o.shape->table && u.index == o.shape->index;
    if (!keyed && o.pk.empty()) continue;
    // Index write amplification lands on the index's own heat only by units (its keys are not known here).
    if (!keyed) continue;
    const uint64_t id = std::hash<std::string_view>()(o.ns) * 31 + std::hash<std::string_view>()(u.table) * 7 +
                        std::hash<std::string_view>()(u.index);
    auto it = shard.heat.find(id);
    if (it == shard.heat.end()) {
      if (shard.heat.size() >= kMaxTables) return;
      it = shard.heat.try_emplace(id).first;
      it->second.ns = o.ns;
      it->second.table = u.table;
      it->second.index = u.index;
    }
    Heat& h = it->second;
    auto k = h.pending.find(o.pk);
    if (k == h.pending.end()) {
      if (h.pending.size() >= kKeyBuffer) h.Flush();
      k = h.pending.emplace(std::string(o.pk), KeySums{}).first;
    }
    k->second.requests += 1;
    k->second.read += u.read;
    k->second.write += u.write;
    h.max_item_bytes = std::max(h.max_item_bytes, o.max_item_bytes);
    if (write && o.pk_value && o.outcome == Outcome::kOk) {
      if (h.has_last && h.last_written.type() == o.pk_value->type()) {
        if (model::CompareScalars(*o.pk_value, h.last_written) > 0) {
          ++h.increasing;
        } else if (!(*o.pk_value == h.last_written)) {
          ++h.not_increasing;
        }
      }
      h.last_written = *o.pk_value;
      h.has_last = true;
    }
    return;
  }
}

void Recorder::Heat::Flush() {
  for (const auto& [key, sums] : pending) {
    requests.Add(key, sums.requests);
    if (sums.read > 0) read_units.Add(key, sums.read);
    if (sums.write > 0) write_units.Add(key, sums.write);
  }
  pending.clear();
}

void Recorder::FoldSecondsLocked(double now) const {
  const int64_t oldest = static_cast<int64_t>(now) - kKeepSeconds;
  auto& seconds = base_.state.seconds;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    for (const SecondCount& c : shard->seconds) {
      // Older seconds still count toward the peak below.
      seconds[c.hash][c.second] += c.count;
    }
    shard->seconds.clear();
  }
  // Peaks over every second seen, then the history trimmed.
  for (auto& [hash, by_second] : seconds) {
    auto& peak = base_.peaks[hash];
    for (const auto& [sec, n] : by_second) {
      if (n > peak.first) peak = {n, static_cast<double>(sec)};
    }
    by_second.erase(by_second.begin(), by_second.lower_bound(oldest));
  }
  std::erase_if(seconds, [](const auto& e) { return e.second.empty(); });
}

RecorderSnapshot Recorder::Snapshot(double now) const {
  std::lock_guard lock(mu_);
  FoldSecondsLocked(now);
  RecorderSnapshot out;
  out.now = now;
  out.started_at = base_.state.started_at;
  out.dropped = base_.state.dropped;
  std::map<uint64_t, PatternStats> merged;
  for (const PatternStats& p : base_.state.patterns) merged.emplace(p.hash, p);
  std::map<std::string, KeyHeatStats> heat;
  for (const KeyHeatStats& h : base_.state.heat) heat.emplace(HeatKey(h.ns, h.table, h.index), h);
  std::map<uint64_t, std::map<int64_t, uint64_t>> seconds = base_.state.seconds;
  for (const auto& shard : shards_) {
    std::lock_guard shard_lock(shard->mu);
    if (shard->started_at > 0 && (out.started_at == 0 || shard->started_at < out.started_at)) {
      out.started_at = shard->started_at;
    }
    out.dropped += shard->dropped;
    for (const auto& [hash, live] : shard->patterns) {
      auto [it, inserted] = merged.emplace(hash, live.stats);
      if (!inserted) it->second.Add(live.stats);
      if (live.second >= 0) seconds[hash][live.second] += live.in_second;  // the second in progress
    }
    for (auto& [id, h] : shard->heat) {
      h.Flush();
      KeyHeatStats s;
      s.ns = h.ns;
      s.table = h.table;
      s.index = h.index;
      const std::string key = HeatKey(h.ns, h.table, h.index);
      s.requests = h.requests.All();
      s.read_units = h.read_units.All();
      s.write_units = h.write_units.All();
      s.total_requests = h.requests.total();
      s.total_read = h.read_units.total();
      s.total_write = h.write_units.total();
      s.increasing = h.increasing;
      s.not_increasing = h.not_increasing;
      s.max_item_bytes = h.max_item_bytes;
      auto [it, inserted] = heat.emplace(key, s);
      if (!inserted) MergeHeat(&it->second, s);
    }
  }
  for (auto& [hash, p] : merged) {
    auto peak = base_.peaks.find(hash);
    if (peak != base_.peaks.end() && peak->second.first > p.peak_rps) {
      p.peak_rps = peak->second.first;
      p.peak_at = peak->second.second;
    }
    auto s = seconds.find(hash);
    if (s != seconds.end()) {
      for (const auto& [sec, n] : s->second) {
        if (n > p.peak_rps) {
          p.peak_rps = n;
          p.peak_at = static_cast<double>(sec);
        }
      }
    }
    out.patterns.push_back(std::move(p));
  }
  std::sort(out.patterns.begin(), out.patterns.end(), [](const PatternStats& a, const PatternStats& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.shape != b.shape) return a.shape < b.shape;
    return a.ns < b.ns;
  });
  if (out.patterns.size() > kMaxPatterns) {
    for (size_t i = kMaxPatterns; i < out.patterns.size(); ++i) out.dropped += out.patterns[i].count;
    out.patterns.resize(kMaxPatterns);
  }
  for (auto& [key, h] : heat) out.heat.push_back(std::move(h));
  out.seconds = std::move(seconds);
  return out;
}

void Recorder::Reset() {
  std::lock_guard lock(mu_);
  base_ = Base{};
  for (const auto& shard : shards_) {
    std::lock_guard shard_lock(shard->mu);
    shard->patterns.clear();
    shard->heat.clear();
    shard->seconds.clear();
    shard->dropped = 0;
    shard->started_at = 0;
  }
}

}  // namespace basalt::patterns
