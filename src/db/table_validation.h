// The checks of table definitions, in DynamoDB's order and words:
// CreateTable's key schema, attribute definitions, indexes and billing, and
// the changes UpdateTable makes to capacity and to the index set.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "db/requests.h"
#include "db/table_meta.h"

namespace basalt::db {

// A key schema longer than a table's (or a GSI's) may be. The model's
// length constraint on KeySchema (at most 2) was removed when GSIs got
// multi-attribute keys (2025-11); this is DynamoDB Local 3.x's answer since.
inline constexpr std::string_view kKeySchemaTooBig =
    "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table";

// The indexes of a new table, checked with the table's key schema,
// attribute definitions and billing.
Result<std::vector<IndexMeta>> CheckCreateTable(const CreateTableInput& in);

// Checks OnDemandThroughput and applies it, WarmThroughput and
// SSESpecification (of CreateTable or UpdateTable) to `meta`.
Status ApplyTableSettings(const std::optional<OnDemandInput>& on_demand, const std::optional<WarmInput>& warm,
                          const std::optional<SseSettings>& sse, TableMeta* meta);

// Checks UpdateTable's BillingMode and ProvisionedThroughput and applies them
// to `meta` (at time `now`, for the increase and decrease records).
Status ApplyCapacityUpdate(const UpdateTableInput& in, double now, TableMeta* meta);

// Checks UpdateTable's GlobalSecondaryIndexUpdates and applies them to
// `meta`: a new index gets a storage id from `new_id` and starts
// backfilling, and the attribute definitions become those the keys use.
Status ApplyIndexUpdates(const UpdateTableInput& in, const std::function<Result<storage::TableId>()>& new_id,
                         TableMeta* meta);

// A new table's TableId (DynamoDB's: a random UUID).
std::string NewUuid();

}  // namespace basalt::db
