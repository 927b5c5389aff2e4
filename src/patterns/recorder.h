// Access-pattern recording: every data-plane request, classified by its
// shape (shape.h), adds to its pattern's figures; every table and index
// keeps the heat of its partition keys and whether they only increase.
//
// Cheap on the request path: the shape is hashed once (no allocation); each
// request thread records into a shard of its own (a mutex only the thread
// and a snapshot take), so recording is never contended. A pattern's text
// and attribute use are made once, when a shard first sees it.
//
// Bounded memory, whatever the traffic (docs/architecture.md):
//   - at most kMaxPatterns patterns a shard (later new shapes count only in
//     `dropped`), and at most kMaxPatterns in a snapshot and in what is
//     persisted (the most requested);
//   - at most kMaxTables tables and indexes a shard with key heat, each three
//     Space-Saving sketches (common/heavy_hitters.h) of kKeyCounters keys:
//     requests, read units and write units by partition key;
//   - per-second counts of the last kKeepSeconds seconds per pattern (older
//     seconds survive only as each pattern's peak).
//   - per table and index, at most kKeyBuffer keys' sums waiting to enter
//     the sketches.
// A shard is about kMaxPatterns x 1 KB + kMaxTables x (3 x kKeyCounters +
// kKeyBuffer) x ~150 B (~1 MB + ~14 MB at most); there is one per request
// thread.
//
// Thread safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/heavy_hitters.h"
#include "common/status.h"
#include "model/attribute_value.h"
#include "patterns/shape.h"

namespace basalt::patterns {

inline constexpr size_t kMaxPatterns = 1000;
inline constexpr size_t kMaxTables = 64;
inline constexpr size_t kKeyCounters = 128;
inline constexpr int64_t kKeepSeconds = 300;
inline constexpr size_t kKeyBuffer = 1024;

// Latency buckets (upper bounds, ms; the last bucket is everything above).
inline constexpr std::array<double, 14> kLatencyBoundsMs = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, 5000};
// Item size buckets: bucket i holds sizes up to 64 << i bytes (the last: above 256 KB).
inline constexpr size_t kSizeBuckets = 14;

enum class Outcome : uint8_t { kOk, kConditional, kThrottled, kConflict, kOther };

// Capacity one request consumed on one table or index (index empty: the
// table itself with its LSIs).
struct UnitsOn {
  std::string_view table;
  std::string_view index;
  double read = 0;
  double write = 0;
};

// One finished request.
struct Observation {
  std::string_view ns;
  const RequestShape* shape = nullptr;
  double now = 0;  // epoch seconds
  Outcome outcome = Outcome::kOk;
  double latency_ms = 0;
  uint64_t returned = 0;  // items returned (Count)
  uint64_t scanned = 0;   // items read (ScannedCount; = returned without a filter)
  std::span<const UnitsOn> units = {};
  uint64_t item_bytes = 0;  // sizes of the items read or written
  uint32_t items_sized = 0;
  uint64_t max_item_bytes = 0;
  // The partition key the request went to (on shape->index when it names
  // one), as contributor insights renders keys; empty when none (a Scan).
  std::string_view pk;
  const model::AttributeValue* pk_value = nullptr;  // writes: for monotonic detection
};

// Units a pattern consumed on one table or index (index empty: the table).
struct TargetUnits {
  std::string table, index;
  double read = 0, write = 0;
};

struct PatternStats {
  uint64_t hash = 0;
  std::string ns, table, index, shape;
  Op op = Op::kGetItem;
  bool consistent = false;
  bool has_filter = false;
  AttributeUse attributes;
  uint64_t count = 0, returned = 0, scanned = 0;
  double rcu = 0, wcu = 0;
  std::vector<TargetUnits> targets;     // rcu and wcu by table and index (write amplification)
  std::array<uint64_t, 4> errors = {};  // conditional, throttled, conflicts, other
  std::array<uint64_t, kLatencyBoundsMs.size() + 1> latency = {};
  std::array<uint64_t, kSizeBuckets> sizes = {};
  uint64_t size_sum = 0, sized = 0, max_size = 0;
  double first_seen = 0, last_seen = 0;
  uint64_t peak_rps = 0;  // the most requests in one second
  double peak_at = 0;

  void Add(const PatternStats& o);  // same pattern
  double LatencyQuantileMs(double q) const;
  uint64_t SizeQuantile(double q) const;
};

// The heat of one table's or index's partition keys.
struct KeyHeatStats {
  std::string ns, table, index;
  std::vector<HeavyHitter> requests, read_units, write_units;  // largest first, kKeyCounters at most
  double total_requests = 0, total_read = 0, total_write = 0;
  // Consecutive writes whose partition key was greater / not greater than the one before.
  uint64_t increasing = 0, not_increasing = 0;
  uint64_t max_item_bytes = 0;
};

struct RecorderSnapshot {
  double started_at = 0;  // the first request recorded since a reset
  double now = 0;
  uint64_t dropped = 0;   // requests of patterns over the bound
  std::vector<PatternStats> patterns;      // most requested first, then by shape
  std::vector<KeyHeatStats> heat;          // by (ns, table, index)
  // Requests a second of each pattern (hash) over the last kKeepSeconds.
  std::map<uint64_t, std::map<int64_t, uint64_t>> seconds;
};

class Recorder {
 public:
  Recorder();
  ~Recorder();

  void Record(const Observation& o);

  // Everything recorded (since the last reset, and before the last restart
  // when loaded), merged. `now` trims the per-second counts.
  RecorderSnapshot Snapshot(double now) const;
  // Forgets everything.
  void Reset();

  // The persisted form (the grammar is at the top of recorder_codec.cc).
  std::string Encode(double now) const;
  // Replaces what is recorded by a persisted state.
  Status Load(std::string_view bytes);

 private:
  struct SecondCount {
    uint64_t hash;
    int64_t second;
    uint64_t count;
  };
  struct Live {
    PatternStats stats;
    int64_t second = -1;
    uint64_t in_second = 0;
  };
  // Per-key sums waiting to enter the sketches: the request path adds to a
  // hash map (no allocation for a key already there); the sketches take the
  // sums when kKeyBuffer keys wait, and at a snapshot (weighted Space-Saving
  // takes sums as it takes single weights).
  struct KeySums {
    double requests = 0, read = 0, write = 0;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct Heat {
    Heat() : requests(kKeyCounters), read_units(kKeyCounters), write_units(kKeyCounters) {}
    std::string ns, table, index;
    SpaceSaving requests, read_units, write_units;
    std::unordered_map<std::string, KeySums, StringHash, std::equal_to<>> pending;
    model::AttributeValue last_written;
    bool has_last = false;
    uint64_t increasing = 0, not_increasing = 0;
    uint64_t max_item_bytes = 0;

    void Flush();
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<uint64_t, Live> patterns;        // guarded by mu
    std::unordered_map<uint64_t, Heat> heat;            // guarded by mu; by the hash of (ns, table, index)
    std::vector<SecondCount> seconds;                   // finished seconds, guarded by mu
    uint64_t dropped = 0;                               // guarded by mu
    double started_at = 0;                              // guarded by mu
  };
  // What was loaded at start, and the per-second history folded out of the shards.
  struct Base {
    RecorderSnapshot state;
    std::map<uint64_t, std::pair<uint64_t, double>> peaks;  // (requests, second) by pattern
  };

  Shard& Mine();
  void RecordHeat(Shard& shard, const Observation& o);
  // Moves the shards' finished seconds into base_ (under mu_).
  void FoldSecondsLocked(double now) const;

  const uint64_t id_;
  mutable std::mutex mu_;                    // taken before a shard's
  std::vector<std::unique_ptr<Shard>> shards_;  // guarded by mu_
  mutable Base base_;                           // guarded by mu_
};

// Adds units to the entry of (table, index), making it when missing.
void AddUnits(std::vector<TargetUnits>* targets, std::string_view table, std::string_view index, double read,
              double write);

// The key used for heat: ns, table and index joined by NUL bytes.
std::string HeatKey(std::string_view ns, std::string_view table, std::string_view index);

}  // namespace basalt::patterns
