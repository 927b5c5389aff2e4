// The persisted form of a Recorder (stored in the MetaStore by db/; see
// Database::SavePatterns), written whole:
//
//   state    := "BPR1" started_at:f64 dropped:varint
//               varint(n) pattern^n  varint(n) heat^n
//               varint(n) (hash:fixed64 requests:varint at:f64)^n        peaks
//               varint(n) (hash:fixed64 varint(m) (second:varint count:varint)^m)^n
//   pattern  := hash:fixed64 ns:lp table:lp index:lp shape:lp op:u8 flags:u8
//               names(read) names(written) names(filtered)
//               count:varint returned:varint scanned:varint rcu:f64 wcu:f64
//               varint(n) (table:lp index:lp read:f64 write:f64)^n          units by target
//               errors:varint^4 latency:varint^15 sizes:varint^14
//               size_sum:varint sized:varint max_size:varint
//               first_seen:f64 last_seen:f64 peak_rps:varint peak_at:f64
//   flags    := bit 0 consistent, bit 1 has_filter, bit 2 all_read
//   names    := varint(n) lp^n
//   heat     := ns:lp table:lp index:lp hitters(requests) hitters(read) hitters(write)
//               total_requests:f64 total_read:f64 total_write:f64
//               increasing:varint not_increasing:varint max_item_bytes:varint
//   hitters  := varint(n) (key:lp count:f64 error:f64)^n
// lp is a varint length and the bytes; f64 a double's bits, big-endian.
#include "common/coding.h"
#include "patterns/recorder.h"

namespace basalt::patterns {
namespace {

constexpr std::string_view kMagic = "BPR1";

void PutNames(std::string* out, const std::vector<std::string>& names) {
  PutVarint64(out, names.size());
  for (const std::string& n : names) PutLengthPrefixed(out, n);
}

bool GetNames(std::string_view* in, std::vector<std::string>* names) {
  uint64_t n = 0;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  names->resize(n);
  for (std::string& s : *names) {
    if (!GetString(in, &s)) return false;
  }
  return true;
}

void PutHitters(std::string* out, const std::vector<HeavyHitter>& hs) {
  PutVarint64(out, hs.size());
  for (const HeavyHitter& h : hs) {
    PutLengthPrefixed(out, h.key);
    PutF64(out, h.count);
    PutF64(out, h.error);
  }
}

bool GetHitters(std::string_view* in, std::vector<HeavyHitter>* hs) {
  uint64_t n = 0;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  hs->resize(n);
  for (HeavyHitter& h : *hs) {
    if (!GetString(in, &h.key) || !GetF64(in, &h.count) || !GetF64(in, &h.error)) return false;
  }
  return true;
}

bool GetFixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = DecodeFixed64BE(in->data());
  in->remove_prefix(8);
  return true;
}

bool GetTargets(std::string_view* in, std::vector<TargetUnits>* ts) {
  uint64_t n = 0;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  ts->resize(n);
  for (TargetUnits& t : *ts) {
    if (!GetString(in, &t.table) || !GetString(in, &t.index) || !GetF64(in, &t.read) || !GetF64(in, &t.write)) {
      return false;
    }
  }
  return true;
}

template <size_t N>
void PutCounts(std::string* out, const std::array<uint64_t, N>& a) {
  for (uint64_t v : a) PutVarint64(out, v);
}

template <size_t N>
bool GetCounts(std::string_view* in, std::array<uint64_t, N>* a) {
  for (uint64_t& v : *a) {
    if (!GetVarint64(in, &v)) return false;
  }
  return true;
}

void PutPattern(std::string* out, const PatternStats& p) {
  PutFixed64BE(out, p.hash);
  PutLengthPrefixed(out, p.ns);
  PutLengthPrefixed(out, p.table);
  PutLengthPrefixed(out, p.index);
  PutLengthPrefixed(out, p.shape);
  out->push_back(static_cast<char>(p.op));
  out->push_back(static_cast<char>((p.consistent ? 1 : 0) | (p.has_filter ? 2 : 0) | (p.attributes.all_read ? 4 : 0)));
  PutNames(out, p.attributes.read);
  PutNames(out, p.attributes.written);
  PutNames(out, p.attributes.filtered);
  PutVarint64(out, p.count);
  PutVarint64(out, p.returned);
  PutVarint64(out, p.scanned);
  PutF64(out, p.rcu);
  PutF64(out, p.wcu);
  PutVarint64(out, p.targets.size());
  for (const TargetUnits& t : p.targets) {
    PutLengthPrefixed(out, t.table);
    PutLengthPrefixed(out, t.index);
    PutF64(out, t.read);
    PutF64(out, t.write);
  }
  PutCounts(out, p.errors);
  PutCounts(out, p.latency);
  PutCounts(out, p.sizes);
  PutVarint64(out, p.size_sum);
  PutVarint64(out, p.sized);
  PutVarint64(out, p.max_size);
  PutF64(out, p.first_seen);
  PutF64(out, p.last_seen);
  PutVarint64(out, p.peak_rps);
  PutF64(out, p.peak_at);
}

bool GetPattern(std::string_view* in, PatternStats* p) {
  uint8_t op = 0, flags = 0;
  if (!GetFixed64(in, &p->hash) || !GetString(in, &p->ns) || !GetString(in, &p->table) ||
      !GetString(in, &p->index) || !GetString(in, &p->shape) || !GetU8(in, &op) || !GetU8(in, &flags)) {
    return false;
  }
  if (op >= static_cast<uint8_t>(Op::kCount)) return false;
  p->op = static_cast<Op>(op);
  p->consistent = flags & 1;
  p->has_filter = flags & 2;
  p->attributes.all_read = flags & 4;
  return GetNames(in, &p->attributes.read) && GetNames(in, &p->attributes.written) &&
         GetNames(in, &p->attributes.filtered) && GetVarint64(in, &p->count) && GetVarint64(in, &p->returned) &&
         GetVarint64(in, &p->scanned) && GetF64(in, &p->rcu) && GetF64(in, &p->wcu) && GetTargets(in, &p->targets) &&
         GetCounts(in, &p->errors) &&
         GetCounts(in, &p->latency) && GetCounts(in, &p->sizes) && GetVarint64(in, &p->size_sum) &&
         GetVarint64(in, &p->sized) && GetVarint64(in, &p->max_size) && GetF64(in, &p->first_seen) &&
         GetF64(in, &p->last_seen) && GetVarint64(in, &p->peak_rps) && GetF64(in, &p->peak_at);
}

}  // namespace

std::string Recorder::Encode(double now) const {
  RecorderSnapshot s = Snapshot(now);
  std::map<uint64_t, std::pair<uint64_t, double>> peaks;
  {
    std::lock_guard lock(mu_);
    peaks = base_.peaks;
  }
  std::string out(kMagic);
  PutF64(&out, s.started_at);
  PutVarint64(&out, s.dropped);
  PutVarint64(&out, s.patterns.size());
  for (const PatternStats& p : s.patterns) PutPattern(&out, p);
  PutVarint64(&out, s.heat.size());
  for (const KeyHeatStats& h : s.heat) {
    PutLengthPrefixed(&out, h.ns);
    PutLengthPrefixed(&out, h.table);
    PutLengthPrefixed(&out, h.index);
    PutHitters(&out, h.requests);
    PutHitters(&out, h.read_units);
    PutHitters(&out, h.write_units);
    PutF64(&out, h.total_requests);
    PutF64(&out, h.total_read);
    PutF64(&out, h.total_write);
    PutVarint64(&out, h.increasing);
    PutVarint64(&out, h.not_increasing);
    PutVarint64(&out, h.max_item_bytes);
  }
  PutVarint64(&out, peaks.size());
  for (const auto& [hash, peak] : peaks) {
    PutFixed64BE(&out, hash);
    PutVarint64(&out, peak.first);
    PutF64(&out, peak.second);
  }
  PutVarint64(&out, s.seconds.size());
  for (const auto& [hash, by_second] : s.seconds) {
    PutFixed64BE(&out, hash);
    PutVarint64(&out, by_second.size());
    for (const auto& [sec, n] : by_second) {
      PutVarint64(&out, static_cast<uint64_t>(sec));
      PutVarint64(&out, n);
    }
  }
  return out;
}

Status Recorder::Load(std::string_view in) {
  const Status corrupt = Status::Internal("the recorded access patterns are unreadable");
  if (!in.starts_with(kMagic)) return corrupt;
  in.remove_prefix(kMagic.size());
  Base base;
  RecorderSnapshot& s = base.state;
  uint64_t n = 0;
  if (!GetF64(&in, &s.started_at) || !GetVarint64(&in, &s.dropped) || !GetVarint64(&in, &n) || n > in.size()) {
    return corrupt;
  }
  s.patterns.resize(n);
  for (PatternStats& p : s.patterns) {
    if (!GetPattern(&in, &p)) return corrupt;
  }
  if (!GetVarint64(&in, &n) || n > in.size()) return corrupt;
  s.heat.resize(n);
  for (KeyHeatStats& h : s.heat) {
    if (!GetString(&in, &h.ns) || !GetString(&in, &h.table) || !GetString(&in, &h.index) ||
        !GetHitters(&in, &h.requests) || !GetHitters(&in, &h.read_units) || !GetHitters(&in, &h.write_units) ||
        !GetF64(&in, &h.total_requests) || !GetF64(&in, &h.total_read) || !GetF64(&in, &h.total_write) ||
        !GetVarint64(&in, &h.increasing) || !GetVarint64(&in, &h.not_increasing) ||
        !GetVarint64(&in, &h.max_item_bytes)) {
      return corrupt;
    }
  }
  if (!GetVarint64(&in, &n) || n > in.size()) return corrupt;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t hash = 0, requests = 0;
    double at = 0;
    if (!GetFixed64(&in, &hash) || !GetVarint64(&in, &requests) || !GetF64(&in, &at)) return corrupt;
    base.peaks[hash] = {requests, at};
  }
  if (!GetVarint64(&in, &n) || n > in.size()) return corrupt;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t hash = 0, m = 0;
    if (!GetFixed64(&in, &hash) || !GetVarint64(&in, &m) || m > in.size()) return corrupt;
    for (uint64_t j = 0; j < m; ++j) {
      uint64_t sec = 0, count = 0;
      if (!GetVarint64(&in, &sec) || !GetVarint64(&in, &count)) return corrupt;
      s.seconds[hash][static_cast<int64_t>(sec)] = count;
    }
  }
  if (!in.empty()) return corrupt;
  // The loaded per-second counts are history now: peaks keep what they showed.
  std::lock_guard lock(mu_);
  base_ = std::move(base);
  for (const auto& shard : shards_) {
    std::lock_guard shard_lock(shard->mu);
    shard->patterns.clear();
    shard->heat.clear();
    shard->seconds.clear();
    shard->dropped = 0;
    shard->started_at = 0;
  }
  return Status::Ok();
}

}  // namespace basalt::patterns
