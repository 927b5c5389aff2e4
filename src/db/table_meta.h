// What Basalt knows about a table: its definition and its lifecycle.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/schema.h"
#include "storage/engine.h"

namespace basalt::db {

// Do not reorder: persisted.
enum class BillingMode : uint8_t { kProvisioned = 0, kPayPerRequest = 1 };
enum class TableClass : uint8_t { kStandard = 0, kStandardInfrequentAccess = 1 };

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

struct ProvisionedThroughput {
  int64_t read_capacity_units = 0;
  int64_t write_capacity_units = 0;
  double last_increase_time = 0;  // epoch seconds, 0 when never
  double last_decrease_time = 0;
  int64_t decreases_today = 0;
};

struct TableMeta {
  std::string ns;            // the region namespace ("" with -sharedDb)
  std::string region;        // the region named in ARNs
  std::string name;
  storage::TableId id = 0;   // the storage key space
  std::string uuid;          // DynamoDB's TableId
  model::KeySchema key_schema;
  std::vector<model::KeyAttribute> attribute_definitions;
  BillingMode billing_mode = BillingMode::kProvisioned;
  ProvisionedThroughput throughput;
  double billing_mode_update_time = 0;  // epoch seconds of the last switch to on-demand
  TableClass table_class = TableClass::kStandard;
  bool deletion_protection = false;
  double creation_time = 0;  // epoch seconds with millisecond precision
  std::vector<Tag> tags;
  // Transient statuses are computed from these (see -delayTransientStatuses).
  double active_at = 0;      // before this: CREATING
  double updated_until = 0;  // before this: UPDATING

  std::string Arn() const;
};

std::string EncodeTableMeta(const TableMeta& meta);
Status DecodeTableMeta(std::string_view in, TableMeta* meta);

}  // namespace basalt::db
