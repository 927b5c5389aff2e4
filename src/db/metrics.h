// What CloudWatch would show of Basalt's tables: per table (and GSI) and
// operation, the counters behind GET /metrics (server/metrics_text.h
// renders them in the Prometheus text format under CloudWatch's names).
//
// Cheap enough to leave on: each request thread records into a shard of
// its own (a map from table name to counters, under a mutex that only the
// thread and a scrape ever take, so it is never contended on the request
// path); a scrape merges the shards.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "db/capacity.h"

namespace basalt::db {

// CloudWatch's Operation dimension (the data-plane operations).
enum class Operation : uint8_t {
  kGetItem, kPutItem, kUpdateItem, kDeleteItem, kBatchGetItem, kBatchWriteItem, kQuery, kScan,
  kTransactWriteItems, kTransactGetItems, kExecuteStatement, kBatchExecuteStatement, kExecuteTransaction,
  kCount
};
inline constexpr size_t kOperations = static_cast<size_t>(Operation::kCount);
const char* OperationName(Operation op);

// SuccessfulRequestLatency's histogram: upper bounds in milliseconds (the
// last bucket, +Inf, is implied).
inline constexpr std::array<double, 12> kLatencyBucketsMs = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000};

struct OperationSeries {
  uint64_t successes = 0;
  std::array<uint64_t, kLatencyBucketsMs.size() + 1> latency = {};  // not cumulative; last: over the last bound
  double latency_sum_ms = 0;
  uint64_t throttled = 0;      // ThrottledRequests
  uint64_t system_errors = 0;  // SystemErrors
  uint64_t returned_items = 0; // ReturnedItemCount
};

struct TableSeries {
  std::array<OperationSeries, kOperations> ops = {};
  double consumed_read = 0;   // the table's own (with its LSIs')
  double consumed_write = 0;
  std::map<std::string, std::pair<double, double>> gsi_consumed = {};  // (read, write) by GSI
  uint64_t conditional_check_failed = 0;
  uint64_t transaction_conflict = 0;
  uint64_t ttl_deleted = 0;

  void Add(const TableSeries& other);
};

struct MetricsSnapshot {
  std::map<std::string, TableSeries> tables;  // by table name (all regions together)
  uint64_t user_errors = 0;
};

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // One finished request of `op` on `table`: its outcome, how long it took
  // and what it consumed (the capacity list may name other tables too).
  void Record(Operation op, std::string_view table, const Status& st, std::chrono::steady_clock::duration took,
              const std::vector<const ConsumedCapacity*>& capacity, uint64_t returned_items);
  void RecordUserError();
  void RecordTtlDeletion(std::string_view table);

  MetricsSnapshot Snapshot() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, TableSeries, Hash, std::equal_to<>> tables;  // guarded by mu
    uint64_t user_errors = 0;                                                    // guarded by mu
  };
  Shard& Mine();
  static TableSeries& Series(Shard& shard, std::string_view table);

  const uint64_t id_;  // tells apart the thread-local caches of Metrics objects that follow each other
  mutable std::mutex registry_mu_;
  std::vector<std::unique_ptr<Shard>> shards_;  // guarded by registry_mu_; one per recording thread
};

}  // namespace basalt::db
