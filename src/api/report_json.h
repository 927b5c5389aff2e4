// The access-pattern report (patterns/report.h) as JSON, for
// GET /basalt/report?format=json and the web console. Its shape:
//   {"generated_at", "window_seconds", "recording", "dropped", "total_monthly_cost_usd",
//    "patterns": [{"id", "operation", "table", "index" (or null), "shape", "count", "avg_rps",
//                  "peak_rps", "rcu", "wcu", "items_returned", "items_scanned",
//                  "errors": {"conditional", "throttled", "conflicts", "other"},
//                  "latency_ms": {"p50", "p99"}, "item_bytes": {"avg", "p99", "max"},
//                  "monthly_cost_usd", "consistent", "attributes": {...}}],
//    "tables": [{"name", "index" (or null), "key_schema": {"pk", "sk"}, "projection",
//                "item_count", "size_bytes", "avg_rcu", "avg_wcu", "peak_rcu", "peak_wcu",
//                "monthly_cost_usd", "monthly": {"read", "write", "storage", "provisioned"},
//                "patterns", "hot_keys": [{"key", "rps", "rcu_per_s", "wcu_per_s", "share"}],
//                "per_second": [{"t", "reads", "writes"}]}],
//    "findings": [{"kind", "table", "index" (or null), "text"}]}
#pragma once

#include <string>

#include "patterns/report.h"

namespace basalt::api {

std::string ReportJson(const patterns::Report& report, bool recording);

}  // namespace basalt::api
