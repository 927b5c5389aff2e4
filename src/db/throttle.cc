#include "db/throttle.h"

namespace basalt::db {
namespace {

// The service's texts (shared/reference/capacity-throttling-metrics.md):
// the table one ends with a period, the GSI one does not.
constexpr const char* kTableProvisioned =
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
    "provisioning level with the UpdateTable API.";
constexpr const char* kIndexProvisioned =
    "The level of configured provisioned throughput for one or more global secondary indexes of the table was "
    "exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with "
    "the UpdateTable API";
constexpr const char* kTableOnDemand =
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table "
    "or index so please try again shortly. If exceptions persist, check if you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html";
constexpr const char* kIndexOnDemand =
    "Throughput exceeds the current capacity for one or more global secondary indexes. DynamoDB is automatically "
    "scaling your index so please try again shortly.";
constexpr const char* kAccountLimit =
    "Throughput exceeds the current throughput limit for your account. To request a limit increase, contact AWS "
    "Support at https://aws.amazon.com/support.";

const char* LimitName(LimitType limit) {
  switch (limit) {
    case LimitType::kProvisionedThroughputExceeded: return "ProvisionedThroughputExceeded";
    case LimitType::kKeyRangeThroughputExceeded: return "KeyRangeThroughputExceeded";
    case LimitType::kMaxOnDemandThroughputExceeded: return "MaxOnDemandThroughputExceeded";
    case LimitType::kAccountLimitExceeded: return "AccountLimitExceeded";
    default: return "";
  }
}

CapacityLimits LimitsOf(const TableMeta& table, const IndexMeta* index) {
  CapacityLimits l;
  l.on_demand = table.billing_mode == BillingMode::kPayPerRequest;
  const ProvisionedThroughput& tp = index ? index->throughput : table.throughput;
  if (!l.on_demand) {
    l.read_rate = static_cast<double>(tp.read_capacity_units);
    l.write_rate = static_cast<double>(tp.write_capacity_units);
  } else {
    const OnDemandCaps& caps = index ? index->on_demand : table.on_demand;
    const WarmThroughput& warm = index ? index->warm : table.warm;
    l.max_read = static_cast<double>(caps.max_read);
    l.max_write = static_cast<double>(caps.max_write);
    l.warm_read = static_cast<double>(warm.read);
    l.warm_write = static_cast<double>(warm.write);
  }
  return l;
}

}  // namespace

uint64_t PartitionHash(std::string_view encoded_pk) {
  // FNV-1a, then a final mix so that nearby keys spread over the ranges.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : encoded_pk) h = (h ^ c) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

Status ThrottleError(const TableMeta& table, const IndexMeta* index, CapacityOp op, LimitType limit) {
  const bool on_demand = table.billing_mode == BillingMode::kPayPerRequest;
  Code code = Code::kProvisionedThroughputExceeded;
  std::string message = index ? kIndexProvisioned : kTableProvisioned;
  if (limit == LimitType::kAccountLimitExceeded) {
    code = Code::kRequestLimitExceeded;
    message = kAccountLimit;
  } else if (on_demand) {
    code = Code::kThrottling;
    message = index ? kIndexOnDemand : kTableOnDemand;
  }
  Status st(code, std::move(message));
  if (limit == LimitType::kOnDemandScaling) return st;  // no ThrottlingReason names it
  auto detail = std::make_shared<Throttled>();
  std::string reason = std::string(index ? "Index" : "Table") + (op == CapacityOp::kRead ? "Read" : "Write") +
                       LimitName(limit);
  detail->reasons.push_back(ThrottlingReason{std::move(reason), index ? table.IndexArn(*index) : table.Arn()});
  return std::move(st).WithDetail(std::move(detail));
}

Throttle::Resource* Throttle::Find(const TableMeta& table, const IndexMeta* index) {
  // An LSI shares its table's capacity.
  if (index && !index->global) index = nullptr;
  std::pair<storage::TableId, storage::TableId> id{table.id, index ? index->id : 0};
  Resource* r = nullptr;
  {
    std::shared_lock lock(mu_);
    auto it = resources_.find(id);
    if (it != resources_.end()) r = it->second.get();
  }
  if (!r) {
    std::unique_lock lock(mu_);
    auto& slot = resources_[id];
    if (!slot) {
      slot = std::make_unique<Resource>();
      slot->counts.table = table.name;
      if (index) slot->counts.index = index->name;
    }
    r = slot.get();
  }
  return r;
}

Status Throttle::Admit(const TableMeta& table, const IndexMeta* index, CapacityOp op, const std::string* encoded_pk) {
  if (index && !index->global) index = nullptr;
  Resource* r = Find(table, index);
  const double now = clock_->Now();
  std::optional<uint64_t> hash;
  if (encoded_pk) hash = PartitionHash(*encoded_pk);
  std::lock_guard lock(r->mu);
  CapacityLimits limits = LimitsOf(table, index);
  if (engine_ && now - r->size_checked >= 10) {
    storage::TableStats stats;
    if (engine_->Stats(index ? index->id : table.id, &stats).ok()) r->size_bytes = static_cast<double>(stats.size_bytes);
    r->size_checked = now;
  }
  limits.size_bytes = r->size_bytes;
  // A table's unused capacity accrues from its creation (its bucket is built
  // when first used).
  r->model.Configure(limits, now, now - table.creation_time);
  r->counts.provisioned_read = limits.read_rate;
  r->counts.provisioned_write = limits.write_rate;
  LimitType limit = r->model.Admit(now, op, hash);
  if (limit == LimitType::kNone) return Status::Ok();
  size_t at = static_cast<size_t>(limit);
  if (op == CapacityOp::kRead) {
    ++r->counts.read_events;
    ++r->counts.read_by_limit[at];
  } else {
    ++r->counts.write_events;
    ++r->counts.write_by_limit[at];
  }
  return ThrottleError(table, index, op, limit);
}

void Throttle::Charge(const TableMeta& table, const IndexMeta* index, CapacityOp op, const std::string* encoded_pk,
                      double units) {
  if (index && !index->global) index = nullptr;
  Resource* r = Find(table, index);
  std::optional<uint64_t> hash;
  if (encoded_pk) hash = PartitionHash(*encoded_pk);
  std::lock_guard lock(r->mu);
  r->model.Charge(clock_->Now(), op, hash, units);
}

Status Throttle::AdmitRead(const TableMeta& table, const IndexMeta* index, const std::string* encoded_pk) {
  return Admit(table, index, CapacityOp::kRead, encoded_pk);
}

void Throttle::ChargeRead(const TableMeta& table, const IndexMeta* index, const std::string* encoded_pk,
                          double units) {
  Charge(table, index, CapacityOp::kRead, encoded_pk, units);
}

Status Throttle::AdmitWrite(const TableMeta& table, const std::string& encoded_pk,
                            const std::vector<IndexUnits>& index_units, bool indexes_only) {
  if (!indexes_only) BASALT_RETURN_IF_ERROR(Admit(table, nullptr, CapacityOp::kWrite, &encoded_pk));
  // A GSI that cannot keep up throttles the table's write: the GSI as a
  // whole, and the partitions of the entries the write removes and writes
  // (a low-cardinality GSI key is one hot partition, as on the service).
  for (const IndexUnits& u : index_units) {
    if (!u.global) continue;
    const IndexMeta* index = table.FindIndex(u.index);
    if (!index) continue;
    if (u.partitions.empty()) BASALT_RETURN_IF_ERROR(Admit(table, index, CapacityOp::kWrite, nullptr));
    for (const auto& [pk, units] : u.partitions) BASALT_RETURN_IF_ERROR(Admit(table, index, CapacityOp::kWrite, &pk));
  }
  return Status::Ok();
}

void Throttle::ChargeWrite(const TableMeta& table, const std::string& encoded_pk, double units,
                           const std::vector<IndexUnits>& index_units, double factor) {
  Charge(table, nullptr, CapacityOp::kWrite, &encoded_pk, units);
  for (const IndexUnits& u : index_units) {
    // An LSI's units are the table's; a GSI's its own.
    const IndexMeta* index = u.global ? table.FindIndex(u.index) : nullptr;
    if (u.global && !index) continue;
    if (!index) {
      Charge(table, nullptr, CapacityOp::kWrite, &encoded_pk, factor * u.units);
    } else if (u.partitions.empty()) {
      Charge(table, index, CapacityOp::kWrite, nullptr, factor * u.units);
    } else {
      for (const auto& [pk, units] : u.partitions) Charge(table, index, CapacityOp::kWrite, &pk, factor * units);
    }
  }
}

std::vector<ThrottleCounts> Throttle::Counts() const {
  std::vector<ThrottleCounts> out;
  std::shared_lock lock(mu_);
  for (const auto& [id, r] : resources_) {
    std::lock_guard l(r->mu);
    out.push_back(r->counts);
  }
  return out;
}

}  // namespace basalt::db
