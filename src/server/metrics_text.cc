#include "server/metrics_text.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <sstream>

#include "api/insights.h"
#include "storage/key_format.h"

namespace basalt::server {
namespace {

// Writes one family: its HELP (the CloudWatch name it stands for) and TYPE once, then its samples.
class Family {
 public:
  Family(std::ostringstream& out, const std::string& name, const std::string& type, const std::string& help)
      : out_(out), name_(name) {
    out_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  }
  void Sample(const std::string& labels, double value, const std::string& suffix = "") {
    out_ << name_ << suffix;
    if (!labels.empty()) out_ << "{" << labels << "}";
    out_ << " " << Number(value) << "\n";
  }
  static std::string Number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
  }

 private:
  std::ostringstream& out_;
  std::string name_;
};

// A label value, escaped as the text format wants.
std::string Quote(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string Labels(const std::string& table, const std::string& index = "", const std::string& op = "") {
  std::string l = "table=" + Quote(table);
  if (!index.empty()) l += ",index=" + Quote(index);
  if (!op.empty()) l += ",operation=" + Quote(op);
  return l;
}

void Process(std::ostringstream& out, double start_time) {
  long pages = 0, resident = 0;
  if (std::ifstream statm("/proc/self/statm"); statm >> pages >> resident) {
    Family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
        .Sample("", static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)));
    Family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.")
        .Sample("", static_cast<double>(pages) * static_cast<double>(sysconf(_SC_PAGESIZE)));
  }
  int fds = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++fds;
    closedir(d);
    Family(out, "process_open_fds", "gauge", "Number of open file descriptors.").Sample("", fds - 3);  // . .. and d
  }
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line)) {
    // utime and stime are fields 14 and 15, counted after the command in parentheses.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    Family(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
        .Sample("", (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK)));
  }
  Family(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
      .Sample("", start_time);
}

}  // namespace

std::string RenderMetrics(db::Database& database, double start_time) {
  std::ostringstream out;
  db::MetricsSnapshot snap = database.metrics().Snapshot();
  auto tables = database.catalog().All();

  {
    Family read(out, "dynamodb_consumed_read_capacity_units_total", "counter", "ConsumedReadCapacityUnits");
    for (const auto& [name, t] : snap.tables) {
      if (name.empty()) continue;
      read.Sample(Labels(name), t.consumed_read);
      for (const auto& [index, rw] : t.gsi_consumed) read.Sample(Labels(name, index), rw.first);
    }
    Family write(out, "dynamodb_consumed_write_capacity_units_total", "counter", "ConsumedWriteCapacityUnits");
    for (const auto& [name, t] : snap.tables) {
      if (name.empty()) continue;
      write.Sample(Labels(name), t.consumed_write);
      for (const auto& [index, rw] : t.gsi_consumed) write.Sample(Labels(name, index), rw.second);
    }
  }
  {
    // Provisioned tables and their GSIs only, as CloudWatch has them.
    Family read(out, "dynamodb_provisioned_read_capacity_units", "gauge", "ProvisionedReadCapacityUnits");
    std::ostringstream writes;
    Family write(writes, "dynamodb_provisioned_write_capacity_units", "gauge", "ProvisionedWriteCapacityUnits");
    for (const auto& t : tables) {
      if (t->billing_mode != db::BillingMode::kProvisioned) continue;
      read.Sample(Labels(t->name), static_cast<double>(t->throughput.read_capacity_units));
      write.Sample(Labels(t->name), static_cast<double>(t->throughput.write_capacity_units));
      for (const db::IndexMeta& i : t->indexes) {
        if (!i.global) continue;
        read.Sample(Labels(t->name, i.name), static_cast<double>(i.throughput.read_capacity_units));
        write.Sample(Labels(t->name, i.name), static_cast<double>(i.throughput.write_capacity_units));
      }
    }
    out << writes.str();
  }
  {
    std::vector<db::ThrottleCounts> counts;
    if (database.throttle()) counts = database.throttle()->Counts();
    Family read(out, "dynamodb_read_throttle_events_total", "counter", "ReadThrottleEvents");
    for (const auto& c : counts) read.Sample(Labels(c.table, c.index), static_cast<double>(c.read_events));
    Family write(out, "dynamodb_write_throttle_events_total", "counter", "WriteThrottleEvents");
    for (const auto& c : counts) write.Sample(Labels(c.table, c.index), static_cast<double>(c.write_events));
    // The eight metrics of 2025 (Read/Write x ProvisionedThroughput/AccountLimit/KeyRangeThroughput/
    // MaxOnDemandThroughput x ThrottleEvents) as one family with two labels.
    Family by_limit(out, "dynamodb_throttle_events_by_limit_total", "counter",
                    "Read|Write + ProvisionedThroughput|AccountLimit|KeyRangeThroughput|MaxOnDemandThroughput + "
                    "ThrottleEvents");
    const std::pair<db::LimitType, const char*> kLimits[] = {
        {db::LimitType::kProvisionedThroughputExceeded, "ProvisionedThroughput"},
        {db::LimitType::kAccountLimitExceeded, "AccountLimit"},
        {db::LimitType::kKeyRangeThroughputExceeded, "KeyRangeThroughput"},
        {db::LimitType::kMaxOnDemandThroughputExceeded, "MaxOnDemandThroughput"}};
    for (const auto& c : counts) {
      for (const auto& [limit, name] : kLimits) {
        size_t at = static_cast<size_t>(limit);
        std::string base = Labels(c.table, c.index) + ",limit=" + Quote(name);
        by_limit.Sample(base + ",operation_type=\"Read\"", static_cast<double>(c.read_by_limit[at]));
        by_limit.Sample(base + ",operation_type=\"Write\"", static_cast<double>(c.write_by_limit[at]));
      }
    }
  }
  auto per_operation = [&](const std::string& name, const std::string& help, auto value) {
    Family f(out, name, "counter", help);
    for (const auto& [table, t] : snap.tables) {
      for (size_t i = 0; i < db::kOperations; ++i) {
        const db::OperationSeries& o = t.ops[i];
        if (o.successes == 0 && o.throttled == 0 && o.system_errors == 0) continue;
        f.Sample(Labels(table, "", db::OperationName(static_cast<db::Operation>(i))), value(o));
      }
    }
  };
  per_operation("dynamodb_throttled_requests_total", "ThrottledRequests",
                [](const db::OperationSeries& o) { return static_cast<double>(o.throttled); });
  per_operation("dynamodb_system_errors_total", "SystemErrors",
                [](const db::OperationSeries& o) { return static_cast<double>(o.system_errors); });
  per_operation("dynamodb_returned_item_count_total", "ReturnedItemCount",
                [](const db::OperationSeries& o) { return static_cast<double>(o.returned_items); });
  {
    Family f(out, "dynamodb_successful_request_latency_seconds", "histogram",
             "SuccessfulRequestLatency (CloudWatch reports milliseconds; here seconds)");
    for (const auto& [table, t] : snap.tables) {
      for (size_t i = 0; i < db::kOperations; ++i) {
        const db::OperationSeries& o = t.ops[i];
        if (o.successes == 0) continue;
        std::string labels = Labels(table, "", db::OperationName(static_cast<db::Operation>(i)));
        uint64_t cumulative = 0;
        for (size_t b = 0; b < o.latency.size(); ++b) {
          cumulative += o.latency[b];
          std::string le = b < db::kLatencyBucketsMs.size() ? Family::Number(db::kLatencyBucketsMs[b] / 1000) : "+Inf";
          f.Sample(labels + ",le=\"" + le + "\"", static_cast<double>(cumulative), "_bucket");
        }
        f.Sample(labels, o.latency_sum_ms / 1000, "_sum");
        f.Sample(labels, static_cast<double>(o.successes), "_count");
      }
    }
  }
  auto per_table = [&](const std::string& name, const std::string& help, auto value) {
    Family f(out, name, "counter", help);
    for (const auto& [table, t] : snap.tables) {
      if (!table.empty()) f.Sample(Labels(table), value(t));
    }
  };
  per_table("dynamodb_conditional_check_failed_requests_total", "ConditionalCheckFailedRequests",
            [](const db::TableSeries& t) { return static_cast<double>(t.conditional_check_failed); });
  per_table("dynamodb_transaction_conflict_total", "TransactionConflict",
            [](const db::TableSeries& t) { return static_cast<double>(t.transaction_conflict); });
  per_table("dynamodb_time_to_live_deleted_item_count_total", "TimeToLiveDeletedItemCount",
            [](const db::TableSeries& t) { return static_cast<double>(t.ttl_deleted); });
  Family(out, "dynamodb_user_errors_total", "counter", "UserErrors").Sample("", static_cast<double>(snap.user_errors));
  {
    // A backfill walks the table in hash order: how far its cursor's hash
    // has got is how far it has got.
    Family f(out, "dynamodb_online_index_percentage_progress", "gauge", "OnlineIndexPercentageProgress");
    for (const auto& t : tables) {
      if (!t->runtime) continue;
      std::shared_lock lock(t->runtime->mu);
      for (const db::IndexMeta& i : t->indexes) {
        if (!i.global || !i.backfilling) continue;
        double progress = 0;
        auto it = t->runtime->backfill.find(i.id);
        if (it != t->runtime->backfill.end() && it->second) {
          progress = 100.0 * storage::PartitionHash(it->second->first) / 4294967296.0;
        }
        f.Sample(Labels(t->name, i.name), progress);
      }
    }
  }
  {
    // Contributor Insights' top 10 keys of each rule, while enabled.
    Family f(out, "dynamodb_contributor_insights_key_weight", "gauge",
             "Contributor Insights: the weight of a top key over the last 5 minutes (PKC/SKC: 3 x write units + read "
             "units; PKT/SKT: throttled requests)");
    for (const auto& r : database.insights().Reports(10)) {
      for (const auto& ranking : r.rankings) {
        for (size_t i = 0; i < ranking.top.size(); ++i) {
          std::string key = ranking.top[i].key;
          size_t nul = key.find('\0');
          std::string labels = Labels(r.table, r.index) + ",rule=" + Quote(ranking.rule) +
                               ",rank=\"" + std::to_string(i + 1) + "\",partition_key=" + Quote(key.substr(0, nul));
          if (nul != std::string::npos) labels += ",sort_key=" + Quote(key.substr(nul + 1));
          f.Sample(labels, ranking.top[i].count);
        }
      }
    }
  }
  Family(out, "basalt_capacity_enforced", "gauge", "1 with --capacity=enforce, 0 with --capacity=report")
      .Sample("", database.throttle() ? 1 : 0);
  Family(out, "basalt_tables", "gauge", "Tables in every region (CloudWatch's TableCount)")
      .Sample("", static_cast<double>(tables.size()));
  if (database.index_propagation().active()) {
    const db::IndexPropagation::Figures g = database.index_propagation().figures();
    Family(out, "basalt_gsi_changes_applied", "counter",
           "Asynchronous GSIs: index changes this front-end applied (its own writes' and others' left over)")
        .Sample("", static_cast<double>(g.applied));
    Family lag(out, "basalt_gsi_propagation_lag_seconds", "gauge",
               "Asynchronous GSIs: time from an item's commit to its GSI entries, over the last changes applied here");
    lag.Sample("quantile=\"0.5\"", g.lag_p50);
    lag.Sample("quantile=\"0.99\"", g.lag_p99);
    lag.Sample("quantile=\"1\"", g.lag_max);
  }
  Process(out, start_time);
  for (const auto& [name, value] : database.engine()->Health()) {
    const bool counter = name.starts_with("rados_txn") || name.ends_with("_total");
    Family(out, "basalt_" + name, counter ? "counter" : "gauge", "Storage engine: " + name)
        .Sample("", value);
  }
  return out.str();
}


std::optional<http::Response> ServeMonitoring(db::Database& database, double start_time, const NamespaceRule& rule,
                                              const http::Request& req) {
  std::string_view target = req.target;
  std::string_view path = target.substr(0, target.find('?'));
  http::Response r;
  if (path == "/metrics") {
    r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.body = RenderMetrics(database, start_time);
    return r;
  }
  if (path != "/contributor-insights") return std::nullopt;
  std::string top_text = QueryParam(target, "top");
  size_t top = top_text.empty() ? 10 : std::min<size_t>(1000, std::strtoul(top_text.c_str(), nullptr, 10));
  r.headers.emplace_back("Content-Type", "application/json");
  auto json = api::InsightsJson(database, NamespaceOf(req, rule).ns, QueryParam(target, "table"),
                               QueryParam(target, "index"), top);
  if (!json) {
    r.status = 404;
    r.body = R"({"message":"Contributor Insights is not enabled on this table or index"})";
    return r;
  }
  r.body = std::move(*json);
  return r;
}

}  // namespace basalt::server
