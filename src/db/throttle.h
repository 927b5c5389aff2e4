// --capacity=enforce: the tables' and GSIs' throughput limits applied to
// requests, with DynamoDB's errors. One CapacityResource (capacity_model.h)
// per table and per GSI, built when first used and reconfigured from the
// table's current definition on every request (UpdateTable's throughput
// takes effect at once). An LSI draws on its table's capacity.
//
// The rooms of db/ call it around what they do, only when enforcing (a
// null Throttle* is report mode, which costs one branch):
//   reads    AdmitRead before reading, ChargeRead with the units consumed
//   writes   the write path calls AdmitWrite after evaluating a write (when
//            the GSIs it changes are known) and before committing, and
//            ChargeWrite after the commit; a throttled write is not applied
// A throttled request gets ProvisionedThroughputExceededException
// (provisioned), ThrottlingException (on demand) or RequestLimitExceeded
// (the per-table quota), with its ThrottlingReasons.
//
// Thread safe: a reader-writer lock over the resources, a mutex per resource.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/capacity.h"
#include "db/capacity_model.h"
#include "db/table_meta.h"
#include "storage/engine.h"

namespace basalt::db {

// One ThrottlingReason of a throttling error: `reason` is ResourceType +
// OperationType + LimitType (TableWriteKeyRangeThroughputExceeded),
// `resource` the table's or index's ARN.
struct ThrottlingReason {
  std::string reason;
  std::string resource;
};

// The detail of a throttling error.
struct Throttled : ErrorDetail {
  std::vector<ThrottlingReason> reasons;
};

// The hash that places a partition key (its stored encoding) in a key range.
uint64_t PartitionHash(std::string_view encoded_pk);

// The error of a request throttled on `table` (or its GSI `index`).
Status ThrottleError(const TableMeta& table, const IndexMeta* index, CapacityOp op, LimitType limit);

// Throttle events of one table or GSI, for metrics (ReadThrottleEvents ...).
struct ThrottleCounts {
  std::string table;
  std::string index;  // empty for the table
  double provisioned_read = 0, provisioned_write = 0;  // the configured rates (0 on demand)
  uint64_t read_events = 0, write_events = 0;
  // By LimitType (index = the enum's value), reads and writes.
  std::array<uint64_t, 6> read_by_limit = {}, write_by_limit = {};
};

class Throttle {
 public:
  // `engine` (may be null) gives the tables' sizes, which set their
  // partition counts (looked at every 10 s per table or GSI).
  explicit Throttle(const Clock* clock, storage::Engine* engine = nullptr) : clock_(clock), engine_(engine) {}

  // A read of `table` (or of its index `index`; an LSI reads its table's
  // capacity) in the partition of `encoded_pk`; none for a Scan.
  Status AdmitRead(const TableMeta& table, const IndexMeta* index, const std::string* encoded_pk);
  void ChargeRead(const TableMeta& table, const IndexMeta* index, const std::string* encoded_pk, double units);

  // A write to `table` in the partition of `encoded_pk` that changes the
  // indexes named in `index_units` (only GSIs draw on their own capacity, in
  // the partitions of their entries: IndexUnits::partitions).
  // `indexes_only`: the table itself admitted the write before (a batch's).
  Status AdmitWrite(const TableMeta& table, const std::string& encoded_pk, const std::vector<IndexUnits>& index_units,
                    bool indexes_only = false);
  void ChargeWrite(const TableMeta& table, const std::string& encoded_pk, double units,
                   const std::vector<IndexUnits>& index_units, double factor);

  // The throttle events so far, by table and GSI.
  std::vector<ThrottleCounts> Counts() const;

 private:
  struct Resource {
    std::mutex mu;
    CapacityResource model;  // guarded by mu
    ThrottleCounts counts;   // guarded by mu
    double size_bytes = 0;   // guarded by mu
    double size_checked = -1e18;  // guarded by mu
  };
  Resource* Find(const TableMeta& table, const IndexMeta* index);
  Status Admit(const TableMeta& table, const IndexMeta* index, CapacityOp op, const std::string* encoded_pk);
  void Charge(const TableMeta& table, const IndexMeta* index, CapacityOp op, const std::string* encoded_pk,
              double units);

  const Clock* clock_;
  storage::Engine* engine_;
  mutable std::shared_mutex mu_;
  // By (table storage id, GSI storage id or 0); ids are never reused.
  std::map<std::pair<storage::TableId, storage::TableId>, std::unique_ptr<Resource>> resources_;
};

}  // namespace basalt::db
