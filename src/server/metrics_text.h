// GET /metrics: what CloudWatch would show of Basalt's tables, in the
// Prometheus text format (version 0.0.4), with the process's and the
// storage engine's health. CloudWatch's metric names become snake_case
// Prometheus names under `dynamodb_` (ConsumedReadCapacityUnits ->
// dynamodb_consumed_read_capacity_units_total), its dimensions labels
// (table, index, operation); the table in docs/compatibility.md maps them.
#pragma once

#include <string>

#include "db/database.h"

namespace basalt::server {

// `start_time`: when the process started (epoch seconds).
std::string RenderMetrics(db::Database& database, double start_time);

}  // namespace basalt::server
