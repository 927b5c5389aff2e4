// GET /metrics: what CloudWatch would show of Basalt's tables, in the
// Prometheus text format (version 0.0.4), with the process's and the
// storage engine's health. CloudWatch's metric names become snake_case
// Prometheus names under `dynamodb_` (ConsumedReadCapacityUnits ->
// dynamodb_consumed_read_capacity_units_total), its dimensions labels
// (table, index, operation); the table in docs/compatibility.md maps them.
#pragma once

#include <optional>
#include <string>

#include "db/database.h"
#include "http/server.h"
#include "server/request_namespace.h"

namespace basalt::server {

// `start_time`: when the process started (epoch seconds).
std::string RenderMetrics(db::Database& database, double start_time);

// GET /metrics (the above), and GET /contributor-insights?table=T[&index=I]
// [&region=R][&account=A or &access_key=K][&top=N (default 10, at most 1000)]: the
// rankings of a table or index with Contributor Insights enabled as JSON
// (api/insights.h), 404 when it is not enabled. nullopt for other requests.
// The namespace as server/request_namespace.h finds it.
std::optional<http::Response> ServeMonitoring(db::Database& database, double start_time, const NamespaceRule& rule,
                                              const http::Request& req);

}  // namespace basalt::server
