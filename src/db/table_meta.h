// What Basalt knows about a table: its definition and its lifecycle.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/rw_lock.h"
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

// OnDemandThroughput: the most request units per second an on-demand table or
// index may use; 0 for no cap (the wire's -1). Kept while provisioned, applied
// when on demand.
struct OnDemandCaps {
  int64_t max_read = 0;
  int64_t max_write = 0;
  bool operator==(const OnDemandCaps&) const = default;
};

// WarmThroughput: the instantaneous capacity asked for ahead of traffic (an
// on-demand table starts at it instead of 12,000 / 4,000); 0 when never set.
struct WarmThroughput {
  int64_t read = 0;
  int64_t write = 0;
  bool operator==(const WarmThroughput&) const = default;
};

// SSESpecification. `kms` false: an AWS owned key, which DynamoDB does not
// describe; true: a KMS key, `kms_key` as given (KMSMasterKeyId; "" for the
// AWS managed key). Reported only: Basalt encrypts at rest per server
// (--encryption-key-file), not per table.
struct SseSettings {
  bool kms = false;
  std::string kms_key;
  bool operator==(const SseSettings&) const = default;
};

// Do not reorder: persisted.
enum class ProjectionType : uint8_t { kAll = 0, kKeysOnly = 1, kInclude = 2 };

// A local or global secondary index. Its entries live in a key space of
// their own (`id`), keyed by the index key and then the table key (see
// db/index.h).
struct IndexMeta {
  std::string name;
  bool global = false;
  model::KeySchema key_schema;
  ProjectionType projection = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // for kInclude
  storage::TableId id = 0;
  ProvisionedThroughput throughput;  // GSIs of provisioned tables
  OnDemandCaps on_demand;            // GSIs
  WarmThroughput warm;               // GSIs
  // A GSI added by UpdateTable is CREATING until every existing item is in it.
  bool backfilling = false;
};

// Do not reorder: persisted.
enum class StreamViewType : uint8_t { kKeysOnly = 0, kNewImage = 1, kOldImage = 2, kNewAndOldImages = 3 };

// A table's latest stream (its LatestStreamArn), enabled or not. The
// stream itself, with its shards, lives in db/streams.h and may outlive
// the table by the retention period.
struct TableStream {
  bool enabled = false;
  StreamViewType view = StreamViewType::kKeysOnly;
  uint64_t id = 0;    // the stream and its change log; 0: the table never had a stream
  std::string label;  // LatestStreamLabel, a creation timestamp
};

// Where a backfill has got to: the last table record (partition key, sort
// key) it indexed, in scan order; nullopt before the first.
using BackfillCursor = std::optional<std::pair<std::string, std::string>>;

struct TableMeta;

// In-memory state shared by every version of one table's definition: what
// writers must maintain. The index set and the stream that writes record
// into are those of `live`, the definition the catalog published last; the
// catalog publishes under `mu` held exclusively (Catalog::Update), and a
// writer holds `mu` shared from reading an item until its commit, so it
// never works from an index set or stream that is changing under it. A
// waiting publication or backfill step gets in ahead of new writers.
struct TableRuntime {
  WriterPriorityMutex mu;
  // Not an owner: the catalog owns the definitions (a definition owns its
  // runtime). Set while the table exists; guarded by mu.
  std::weak_ptr<const TableMeta> live;
  std::map<storage::TableId, BackfillCursor> backfill;  // by index id, while backfilling; guarded by mu
  bool dropped = false;                                 // guarded by mu
  // The point-in-time recovery change log writers append to (change_log.h);
  // 0 while PITR is disabled. Guarded by mu.
  storage::TableId pitr_log = 0;
};

struct TableMeta {
  std::string ns;            // the account and region namespace (account.h; "" with -sharedDb)
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
  std::vector<IndexMeta> indexes;
  // Time to Live: the attribute holding expiry times, while enabled (or
  // being enabled); when the setting last changed (ENABLING/DISABLING last
  // the transient period from then).
  std::string ttl_attribute;
  bool ttl_enabled = false;
  double ttl_changed_at = 0;
  TableStream stream;
  OnDemandCaps on_demand;
  WarmThroughput warm;
  SseSettings sse;
  std::shared_ptr<TableRuntime> runtime;  // not persisted

  std::string Arn() const;
  std::string StreamArn() const { return Arn() + "/stream/" + stream.label; }
  std::string IndexArn(const IndexMeta& index) const { return Arn() + "/index/" + index.name; }
  const IndexMeta* FindIndex(std::string_view index_name) const;
};

// A key schema's stored form (also used by db/streams.cc).
void PutKeySchema(std::string* out, const model::KeySchema& ks);
bool GetKeySchema(std::string_view* in, model::KeySchema* ks);

std::string EncodeTableMeta(const TableMeta& meta);
Status DecodeTableMeta(std::string_view in, TableMeta* meta);

}  // namespace basalt::db
