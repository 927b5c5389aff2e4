#include "db/metrics.h"

#include <algorithm>
#include <atomic>

#include "db/requests.h"

namespace basalt::db {
namespace {

std::atomic<uint64_t> next_metrics_id{1};

bool IsThrottle(Code c) {
  return c == Code::kProvisionedThroughputExceeded || c == Code::kThrottling || c == Code::kRequestLimitExceeded;
}

}  // namespace

const char* OperationName(Operation op) {
  static const char* const kNames[] = {"GetItem",
                                       "PutItem",
                                       "UpdateItem",
                                       "DeleteItem",
                                       "BatchGetItem",
                                       "BatchWriteItem",
                                       "Query",
                                       "Scan",
                                       "TransactWriteItems",
                                       "TransactGetItems",
                                       "ExecuteStatement",
                                       "BatchExecuteStatement",
                                       "ExecuteTransaction"};
  return kNames[static_cast<size_t>(op)];
}

void TableSeries::Add(const TableSeries& o) {
  for (size_t i = 0; i < kOperations; ++i) {
    OperationSeries& a = ops[i];
    const OperationSeries& b = o.ops[i];
    a.successes += b.successes;
    for (size_t j = 0; j < a.latency.size(); ++j) a.latency[j] += b.latency[j];
    a.latency_sum_ms += b.latency_sum_ms;
    a.throttled += b.throttled;
    a.system_errors += b.system_errors;
    a.returned_items += b.returned_items;
  }
  consumed_read += o.consumed_read;
  consumed_write += o.consumed_write;
  for (const auto& [name, rw] : o.gsi_consumed) {
    auto& mine = gsi_consumed[name];
    mine.first += rw.first;
    mine.second += rw.second;
  }
  conditional_check_failed += o.conditional_check_failed;
  transaction_conflict += o.transaction_conflict;
  ttl_deleted += o.ttl_deleted;
}

Metrics::Metrics() : id_(next_metrics_id.fetch_add(1)) {}
Metrics::~Metrics() = default;

Metrics::Shard& Metrics::Mine() {
  // Each thread finds its shard of this Metrics without a shared lock.
  thread_local std::vector<std::pair<uint64_t, Shard*>> cache;
  for (const auto& [id, shard] : cache) {
    if (id == id_) return *shard;
  }
  std::lock_guard lock(registry_mu_);
  shards_.push_back(std::make_unique<Shard>());
  cache.emplace_back(id_, shards_.back().get());
  return *shards_.back();
}

TableSeries& Metrics::Series(Shard& shard, std::string_view table) {
  auto it = shard.tables.find(table);
  if (it == shard.tables.end()) it = shard.tables.emplace(std::string(table), TableSeries{}).first;
  return it->second;
}

void Metrics::Record(Operation op, std::string_view table, const Status& st, std::chrono::steady_clock::duration took,
                     const std::vector<const ConsumedCapacity*>& capacity, uint64_t returned_items) {
  // A request refused before it reached a table (a missing table, a bad
  // key) is only a user error, which the router counts: tables named by
  // such requests get no series, so made-up names cannot grow the map.
  const Code code = st.code();
  if (!st.ok() && !IsThrottle(code) && code != Code::kInternal && code != Code::kIoError &&
      code != Code::kConditionalCheckFailed && code != Code::kTransactionConflict &&
      code != Code::kTransactionCanceled) {
    return;
  }
  Shard& shard = Mine();
  std::lock_guard lock(shard.mu);  // only a scrape ever waits for it
  TableSeries& t = Series(shard, table);
  OperationSeries& o = t.ops[static_cast<size_t>(op)];
  if (st.ok()) {
    double ms = std::chrono::duration<double, std::milli>(took).count();
    size_t bucket = std::lower_bound(kLatencyBucketsMs.begin(), kLatencyBucketsMs.end(), ms) - kLatencyBucketsMs.begin();
    ++o.latency[bucket];
    o.latency_sum_ms += ms;
    ++o.successes;
    o.returned_items += returned_items;
  } else if (IsThrottle(st.code())) {
    ++o.throttled;
  } else if (st.code() == Code::kInternal || st.code() == Code::kIoError) {
    ++o.system_errors;
  } else if (st.code() == Code::kConditionalCheckFailed) {
    ++t.conditional_check_failed;
  } else if (st.code() == Code::kTransactionConflict) {
    ++t.transaction_conflict;
  } else if (st.code() == Code::kTransactionCanceled) {
    if (const auto* c = st.detail<TransactionCanceled>()) {
      for (const auto& r : c->reasons) {
        if (r.code == "TransactionConflict") ++t.transaction_conflict;
        if (r.code == "ConditionalCheckFailed") ++t.conditional_check_failed;
        if (r.code == "ProvisionedThroughputExceeded" || r.code == "ThrottlingError") ++o.throttled;
      }
    }
  }
  for (const ConsumedCapacity* c : capacity) {
    TableSeries& ct = c->table == table ? t : Series(shard, c->table);
    ct.consumed_read += c->read_units;
    ct.consumed_write += c->write_units;
    // LSIs draw on the table's capacity; a GSI's units are its own. Which
    // of a GSI's units are reads: those of Query and Scan.
    const bool reads = op == Operation::kQuery || op == Operation::kScan;
    for (const auto& [name, u] : c->local_indexes) (reads ? ct.consumed_read : ct.consumed_write) += u;
    for (const auto& [name, u] : c->global_indexes) {
      auto& g = ct.gsi_consumed[name];
      (reads ? g.first : g.second) += u;
    }
  }
}

void Metrics::RecordUserError() {
  Shard& shard = Mine();
  std::lock_guard lock(shard.mu);
  ++shard.user_errors;
}

void Metrics::RecordTtlDeletion(std::string_view table) {
  Shard& shard = Mine();
  std::lock_guard lock(shard.mu);
  ++Series(shard, table).ttl_deleted;
}

MetricsSnapshot Metrics::Snapshot() const {
  MetricsSnapshot out;
  std::lock_guard lock(registry_mu_);
  for (const auto& shard : shards_) {
    std::lock_guard l(shard->mu);
    out.user_errors += shard->user_errors;
    for (const auto& [name, series] : shard->tables) out.tables[name].Add(series);
  }
  return out;
}

}  // namespace basalt::db
