// Contributor Insights: per table and index, whether it is on and in which
// mode (UpdateContributorInsights, DescribeContributorInsights,
// ListContributorInsights), and the data the service keeps in CloudWatch
// for it: the most accessed and most throttled keys.
//
// Rules, as the service names them (DynamoDBContributorInsights-<code>-<resource>-<created>):
//   PKC  most accessed partition keys          SKC  ... partition + sort keys (tables with a sort key)
//   PKT  most throttled partition keys         SKT  ... partition + sort keys
// Accesses are weighted as the service weighs them, ConsumedThroughputUnits
// = 3 x write units + read units; throttles count 1 each. THROTTLED_KEYS
// mode records only the throttles. Each rule is a sliding window
// (WindowedHeavyHitters, common/heavy_hitters.h: 5 minutes in 10 slices of
// 30 s, 1,000 counters a slice; a count overestimates by at most the
// window's total weight / 1,000 per slice, summed over the slices).
//
// The settings (status, mode, rule names) are stored in the MetaStore and
// outlive a restart; the rankings live in memory only, so a restart starts
// their windows afresh. Settings go with their table (ForgetTable) and index
// (DefinitionChanged), as the service's rules do. The rooms record into it
// only while some table has it enabled (Any()).
//
// Stored form, one entry per table or index whose setting was ever changed:
//   key    "insights/" hex16(table id) "/" index-name        (index-name empty: the table)
//   value  version:u8(1) enabled:u8 mode:u8 last-update:f64 created-ms:varint
//   mode   0 ACCESSED_AND_THROTTLED_KEYS, 1 THROTTLED_KEYS (meaningful while enabled)
//
// Thread safe: one mutex.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "common/heavy_hitters.h"
#include "common/status.h"
#include "db/table_meta.h"
#include "model/schema.h"
#include "storage/engine.h"

namespace basalt::db {

enum class InsightsMode { kAccessedAndThrottledKeys, kThrottledKeys };

// What DescribeContributorInsights and ListContributorInsights show.
struct InsightsDescription {
  std::string table;
  std::string index;                    // empty: the table itself
  std::string status = "DISABLED";      // ENABLING, ENABLED, DISABLING, DISABLED
  std::optional<InsightsMode> mode;     // while enabled
  std::vector<std::string> rules;       // while enabled
  double last_update = 0;               // epoch seconds; 0 when never changed
};

// One rule's ranking.
struct InsightsRanking {
  std::string rule;  // PKC, SKC, PKT, SKT
  std::vector<HeavyHitter> top;  // keys as KeyText renders them
  double total = 0;              // the window's total weight
  double error_bound = 0;        // no count overestimates by more
};

struct InsightsReport {
  std::string table;
  std::string index;
  double window_seconds = 0;
  std::vector<InsightsRanking> rankings;
};

// A key as the rankings show it: S as is, N in canonical text, B in base64;
// a partition + sort key as the two joined by a NUL byte (split by readers).
std::string KeyText(const model::AttributeValue& v);

class ContributorInsights {
 public:
  // `meta` keeps the settings; null keeps them in memory only (tests).
  explicit ContributorInsights(const Clock* clock, storage::MetaStore* meta = nullptr) : clock_(clock), meta_(meta) {}

  // Loads the stored settings of `tables` (the catalog's); settings of
  // tables or indexes that no longer exist are dropped.
  Status Open(const std::vector<std::shared_ptr<const TableMeta>>& tables);
  // The table was deleted: its settings and rankings, and its indexes', go.
  void ForgetTable(const TableMeta& table);
  // The table's definition changed: settings of indexes it no longer has go.
  void DefinitionChanged(const TableMeta& table);

  // ENABLE or DISABLE on a table or one of its indexes (`index` empty for
  // the table); answers with the status the change starts (ENABLING,
  // DISABLING). Errors: an unknown index is ResourceNotFoundException.
  Result<InsightsDescription> Update(const std::string& ns, const TableMeta& table, const std::string& index,
                                     bool enable, std::optional<InsightsMode> mode);
  InsightsDescription Describe(const std::string& ns, const TableMeta& table, const std::string& index);
  // The table's (or every table's, `table` empty) settings that were ever changed, by table and index.
  std::vector<InsightsDescription> List(const std::string& ns, const std::string& table);

  // Whether any table records now (cheap: one atomic load).
  bool Any() const { return enabled_.load(std::memory_order_relaxed) > 0; }
  // Whether the table (`index` empty) or index records now.
  bool Records(const std::string& ns, const std::string& table, const std::string& index);
  // An access of `units` (3 x write units + read units) to a key of
  // `table` (or its index), or a throttled request for it.
  void Accessed(const std::string& ns, const std::string& table, const std::string& index, const std::string& pk,
                const std::string* sk, double units);
  void Throttled(const std::string& ns, const std::string& table, const std::string& index, const std::string& pk,
                 const std::string* sk);
  // Either of the two for one item of `table` by its primary key: accessed
  // for `units` (already weighted), or throttled when `units` is null.
  void RecordItem(const TableMeta& table, const model::PrimaryKey& key, const double* units);
  // The same for an item of the table or of its index `index` (empty: the
  // table), keyed by the key attributes `schema` names in `item` (several
  // partition or sort attributes joined by ", ", as Query's keys are).
  // Nothing is rendered unless that table or index records.
  void RecordKeys(const TableMeta& table, const std::string& index, const model::KeySchema& schema,
                  const model::Item& item, const double* units);

  // The top `n` keys of every rule of a table or index, while enabled.
  std::optional<InsightsReport> Report(const std::string& ns, const std::string& table, const std::string& index,
                                       size_t n);
  // Every enabled table's and index's report (for /metrics), all regions.
  std::vector<InsightsReport> Reports(size_t n);

  static constexpr double kWindowSeconds = 300;
  static constexpr int kSlices = 10;
  static constexpr size_t kCounters = 1000;

 private:
  using Id = std::tuple<std::string, std::string, std::string>;  // (ns, table, index)
  struct State {
    InsightsDescription description;
    std::string ns;
    storage::TableId table_id = 0;
    bool has_sort_key = false;
    bool enabled = false;
    double changed_at = 0;  // ENABLING / DISABLING until a moment after
    int64_t created_ms = 0;  // when the rules were created (their names end with it)
    std::map<std::string, std::unique_ptr<WindowedHeavyHitters>> rules;  // by code, while enabled
  };
  void Refresh(State& s, double now);  // ENABLING -> ENABLED, DISABLING -> DISABLED
  void CreateRules(State& s);           // the sketches and rule names, while enabled
  Status Store(const State& s);         // the settings, in the MetaStore
  InsightsReport ReportOf(const State& s, size_t n, double now);

  const Clock* clock_;
  storage::MetaStore* meta_;
  std::mutex mu_;
  std::map<Id, State> states_;  // guarded by mu_
  std::atomic<int> enabled_{0};
};

}  // namespace basalt::db
