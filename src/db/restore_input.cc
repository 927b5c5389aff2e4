#include "db/restore_input.h"

#include <algorithm>
#include <set>

namespace basalt::db {
namespace {

// The caps a table or index has, as OnDemandThroughput would set them.
std::optional<OnDemandInput> CapsInput(const OnDemandCaps& caps) {
  if (caps.max_read == 0 && caps.max_write == 0) return std::nullopt;
  return OnDemandInput{caps.max_read > 0 ? caps.max_read : -1, caps.max_write > 0 ? caps.max_write : -1};
}

IndexInput ToInput(const IndexMeta& index) {
  IndexInput in;
  in.name = index.name;
  in.global = index.global;
  for (const model::KeyAttribute* a : model::HashAttributes(index.key_schema)) in.key_schema.emplace_back(a->name, "HASH");
  for (const model::KeyAttribute* a : model::RangeAttributes(index.key_schema)) {
    in.key_schema.emplace_back(a->name, "RANGE");
  }
  in.projection = index.projection;
  if (index.projection == ProjectionType::kInclude) in.non_key_attributes = index.non_key_attributes;
  in.on_demand = CapsInput(index.on_demand);
  if (index.warm.read || index.warm.write) in.warm = WarmInput{index.warm.read, index.warm.write};
  return in;
}

}  // namespace

Result<CreateTableInput> MakeRestoreInput(const TableMeta& source, const RestoreOverrides& overrides,
                                          const std::string& target) {
  CreateTableInput in;
  in.name = target;
  in.key_schema = source.key_schema;
  in.billing_mode = overrides.billing_mode.value_or(source.billing_mode);
  bool provisioned = in.billing_mode == BillingMode::kProvisioned;
  if (overrides.throughput) {
    in.throughput = overrides.throughput;
  } else if (provisioned && source.billing_mode == BillingMode::kProvisioned) {
    ProvisionedThroughput tp;
    tp.read_capacity_units = source.throughput.read_capacity_units;
    tp.write_capacity_units = source.throughput.write_capacity_units;
    in.throughput = tp;
  }
  in.table_class = source.table_class;
  in.on_demand = CapsInput(source.on_demand);
  if (overrides.on_demand) {
    OnDemandInput merged = in.on_demand.value_or(OnDemandInput{});
    if (overrides.on_demand->max_read) merged.max_read = overrides.on_demand->max_read;
    if (overrides.on_demand->max_write) merged.max_write = overrides.on_demand->max_write;
    in.on_demand = merged;
  }
  in.sse = overrides.sse ? *overrides.sse : source.sse;
  if (source.warm.read || source.warm.write) in.warm = WarmInput{source.warm.read, source.warm.write};
  for (const IndexMeta& index : source.indexes) {
    if (index.backfilling) continue;  // not part of the table until its backfill ends
    IndexInput i = ToInput(index);
    if (index.global && provisioned) {
      ProvisionedThroughput tp;
      bool had = source.billing_mode == BillingMode::kProvisioned;
      tp.read_capacity_units = had ? index.throughput.read_capacity_units
                                   : in.throughput ? in.throughput->read_capacity_units : 0;
      tp.write_capacity_units = had ? index.throughput.write_capacity_units
                                    : in.throughput ? in.throughput->write_capacity_units : 0;
      i.throughput = tp;
    }
    (index.global ? in.global_indexes : in.local_indexes).push_back(std::move(i));
  }
  if (overrides.global_indexes) in.global_indexes = *overrides.global_indexes;
  if (overrides.local_indexes) in.local_indexes = *overrides.local_indexes;
  in.has_global_indexes = !in.global_indexes.empty();
  in.has_local_indexes = !in.local_indexes.empty();
  // The attribute definitions the restored keys use, with the source's types.
  std::set<std::string> used;
  for (const model::KeyAttribute* a : model::KeyAttributes(in.key_schema)) used.insert(a->name);
  for (const auto* list : {&in.global_indexes, &in.local_indexes}) {
    for (const IndexInput& i : *list) {
      for (const auto& [name, type] : i.key_schema) used.insert(name);
    }
  }
  for (const model::KeyAttribute& a : source.attribute_definitions) {
    if (used.count(a.name)) in.attribute_definitions.push_back(a);
  }
  return in;
}

}  // namespace basalt::db
