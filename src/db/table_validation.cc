#include "db/table_validation.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "common/random.h"
#include "model/limits.h"

namespace basalt::db {
namespace {

std::string Invalid(const std::string& what) { return "One or more parameter values were invalid: " + what; }

// DynamoDB's error when some of `keys` are not in `shown` (the
// AttributeDefinitions of the request), or Ok.
Status CheckKeysDefined(const std::vector<std::string>& keys, const std::vector<model::KeyAttribute>& defined,
                        const std::vector<model::KeyAttribute>& shown) {
  bool missing = std::any_of(keys.begin(), keys.end(), [&](const std::string& k) {
    return std::none_of(defined.begin(), defined.end(), [&](const auto& d) { return d.name == k; });
  });
  if (!missing) return Status::Ok();
  std::string msg = "Some index key attributes are not defined in AttributeDefinitions. Keys: [";
  for (size_t i = 0; i < keys.size(); ++i) msg += (i ? ", " : "") + keys[i];
  msg += "], AttributeDefinitions: [";
  for (size_t i = 0; i < shown.size(); ++i) msg += (i ? ", " : "") + shown[i].name;
  return Status::Validation(Invalid(msg + "]"));
}

// Every attribute named by the table's and its indexes' key schemas must be
// defined, and nothing else.
Status CheckAttributeDefinitions(const std::vector<model::KeyAttribute>& defs,
                                 const std::vector<std::string>& key_names) {
  std::set<std::string> defined;
  for (const auto& a : defs) {
    if (!defined.insert(a.name).second) return Status::Validation("Cannot have two attributes with the same name");
  }
  BASALT_RETURN_IF_ERROR(CheckKeysDefined(key_names, defs, defs));
  std::set<std::string> used(key_names.begin(), key_names.end());
  if (defs.size() != used.size()) {
    return Status::Validation(
        Invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in "
                "AttributeDefinitions"));
  }
  return Status::Ok();
}

model::Type TypeOf(const std::vector<model::KeyAttribute>& defs, const std::string& name) {
  for (const auto& d : defs) {
    if (d.name == name) return d.type;
  }
  return model::Type::kS;  // undefined names are reported by CheckAttributeDefinitions
}

// An index's key schema: a HASH element and an optional RANGE one; a GSI's
// may have up to four of each (multi-attribute keys), HASH ones first. The
// messages of the multi-attribute checks are DynamoDB Local's (3.x): the
// service's are not documented.
Result<model::KeySchema> BuildKeySchema(const IndexInput& in, const std::vector<model::KeyAttribute>& defs) {
  const auto& ks = in.key_schema;
  if (ks[0].second != "HASH") {
    return Status::Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  size_t hashes = 1;
  while (hashes < ks.size() && ks[hashes].second == "HASH") ++hashes;
  const size_t ranges = ks.size() - hashes;
  const bool multi = in.global && (hashes > 1 || ranges > 1);
  if (ks.size() > (in.global ? 8u : 2u)) return Status::Validation(std::string(kKeySchemaTooBig));
  if (!multi) {
    if (ks.size() == 2 && ks[1].second != "RANGE") {
      return Status::Validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    }
    if (ks.size() == 2 && ks[0].first == ks[1].first) {
      return Status::Validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
  } else {
    for (size_t i = hashes; i < ks.size(); ++i) {
      if (ks[i].second != "RANGE") {
        return Status::Validation(
            "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second");
      }
    }
    if (hashes > 4) return Status::Validation("Too many partition keys. GSI can have at most 4 partition keys");
    if (ranges > 4) return Status::Validation("Too many sort keys. GSI can have at most 4 sort keys");
    std::set<std::string> names;
    for (const auto& [name, type] : ks) {
      if (!names.insert(name).second) return Status::Validation("Two keys can not have the same name");
    }
  }
  model::KeySchema out;
  out.hash = {ks[0].first, TypeOf(defs, ks[0].first)};
  for (size_t i = 1; i < hashes; ++i) out.extra_hash.push_back({ks[i].first, TypeOf(defs, ks[i].first)});
  if (hashes < ks.size()) out.range = model::KeyAttribute{ks[hashes].first, TypeOf(defs, ks[hashes].first)};
  for (size_t i = hashes + 1; i < ks.size(); ++i) out.extra_range.push_back({ks[i].first, TypeOf(defs, ks[i].first)});
  return out;
}

// OnDemandThroughput applied to `caps` (`of`: "table" or "index"), with
// DynamoDB Local's messages (the service's are not documented). The
// reference has "at least one must be given": one alone is accepted (DynamoDB
// Local wants both).
Status ApplyOnDemand(const OnDemandInput& in, const char* of, OnDemandCaps* caps) {
  constexpr const char* kAtLeastOne = "Table read and write throughput must be at least 1, and cannot be null";
  if (!in.max_read && !in.max_write) return Status::Validation(kAtLeastOne);
  OnDemandCaps next = *caps;
  for (auto [v, name, out] : {std::tuple{in.max_read, "MaxReadRequestUnits", &next.max_read},
                              std::tuple{in.max_write, "MaxWriteRequestUnits", &next.max_write}}) {
    if (!v) continue;
    if (*v == 0) return Status::Validation(kAtLeastOne);
    if (*v < -1) {
      return Status::Validation(
          Invalid(std::string("Requested ") + name + " for OnDemandThroughput for " + of + " is outside of valid range"));
    }
    if (*v > model::kMaxTableReadCapacity) {
      return Status::Validation("Cannot increase provisioned throughput to more than 40,000 units per table");
    }
    *out = *v == -1 ? 0 : *v;
  }
  *caps = next;
  return Status::Ok();
}

void ApplyWarm(const WarmInput& in, WarmThroughput* warm) {
  if (in.read) warm->read = *in.read;
  if (in.write) warm->write = *in.write;
}

// An index definition checked against its table.
Result<IndexMeta> BuildIndex(const IndexInput& in, const std::vector<model::KeyAttribute>& defs,
                             const model::KeySchema& table_key, BillingMode billing) {
  IndexMeta m;
  m.name = in.name;
  m.global = in.global;
  BASALT_ASSIGN_OR_RETURN(m.key_schema, BuildKeySchema(in, defs));
  if (!in.global) {
    if (!table_key.range) {
      return Status::Validation(Invalid(
          "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"));
    }
    if (!m.key_schema.range) {
      return Status::Validation(Invalid("Index KeySchema does not have a range key for index: " + m.name));
    }
    if (m.key_schema.hash.name != table_key.hash.name) {
      return Status::Validation(Invalid("Index KeySchema does not have the same leading hash key as table "
                                        "KeySchema for index: " + m.name + ". index hash key: " +
                                        m.key_schema.hash.name + ", table hash key: " + table_key.hash.name));
    }
  }
  m.projection = in.projection;
  if (in.projection == ProjectionType::kInclude) {
    if (!in.non_key_attributes || in.non_key_attributes->empty()) {
      return Status::Validation(Invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified"));
    }
    m.non_key_attributes = *in.non_key_attributes;
  } else if (in.non_key_attributes) {
    return Status::Validation(Invalid(std::string("ProjectionType is ") +
                                      (in.projection == ProjectionType::kAll ? "ALL" : "KEYS_ONLY") +
                                      ", but NonKeyAttributes is specified"));
  }
  if (in.global) {
    if (billing == BillingMode::kProvisioned && !in.throughput) {
      return Status::Validation(Invalid("ProvisionedThroughput must be specified for index: " + m.name));
    }
    if (billing == BillingMode::kPayPerRequest && in.throughput) {
      return Status::Validation(Invalid("ProvisionedThroughput should not be specified for index: " + m.name +
                                        " when BillingMode is PAY_PER_REQUEST"));
    }
    if (in.throughput) m.throughput = *in.throughput;
    if (in.on_demand) BASALT_RETURN_IF_ERROR(ApplyOnDemand(*in.on_demand, "index", &m.on_demand));
    if (in.warm) ApplyWarm(*in.warm, &m.warm);
  } else if (in.throughput) {
    return Status::Validation(Invalid("ProvisionedThroughput should not be specified for LocalSecondaryIndex"));
  }
  return m;
}

// The indexes of a new table, checked.
Result<std::vector<IndexMeta>> BuildIndexes(const CreateTableInput& in) {
  if (in.has_local_indexes && in.local_indexes.empty()) {
    return Status::Validation(Invalid("List of LocalSecondaryIndexes is empty"));
  }
  if (in.has_global_indexes && in.global_indexes.empty()) {
    return Status::Validation(Invalid("List of GlobalSecondaryIndexes is empty"));
  }
  if (in.local_indexes.size() > static_cast<size_t>(model::kMaxLocalIndexes)) {
    return Status::Validation(Invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5"));
  }
  if (in.global_indexes.size() > static_cast<size_t>(model::kMaxGlobalIndexes)) {
    return Status::Validation(Invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20"));
  }
  std::vector<IndexMeta> out;
  std::set<std::string> names;
  size_t projected = 0;
  for (const auto* list : {&in.local_indexes, &in.global_indexes}) {
    for (const IndexInput& i : *list) {
      if (!names.insert(i.name).second) return Status::Validation(Invalid("Duplicate index name: " + i.name));
      BASALT_ASSIGN_OR_RETURN(IndexMeta m, BuildIndex(i, in.attribute_definitions, in.key_schema, in.billing_mode));
      projected += m.non_key_attributes.size();
      out.push_back(std::move(m));
    }
  }
  if (projected > static_cast<size_t>(model::kMaxProjectedAttributes)) {
    return Status::Validation(Invalid("Number of projected attributes in all indexes exceeds limit of 100"));
  }
  return out;
}

Status CheckKeySchema(const CreateTableInput& in, const std::vector<IndexMeta>& indexes) {
  std::vector<std::string> names = model::KeyNames(in.key_schema);
  for (const IndexMeta& i : indexes) {
    for (const auto& n : model::KeyNames(i.key_schema)) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  return CheckAttributeDefinitions(in.attribute_definitions, names);
}

Status CheckBilling(BillingMode mode, const std::optional<ProvisionedThroughput>& tp) {
  if (mode == BillingMode::kProvisioned && !tp) {
    return Status::Validation("No provisioned throughput specified for the table");
  }
  if (mode == BillingMode::kPayPerRequest && tp) {
    return Status::Validation(
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
        "specified when BillingMode is PAY_PER_REQUEST");
  }
  if (tp && (tp->read_capacity_units > model::kMaxTableReadCapacity ||
             tp->write_capacity_units > model::kMaxTableWriteCapacity)) {
    return Status(Code::kLimitExceeded,
                  "Subscriber limit exceeded: Provisioned throughput for a single table cannot exceed "
                  "40000 read capacity units and 40000 write capacity units.");
  }
  return Status::Ok();
}






}  // namespace

std::string NewUuid() {
  uint64_t a = RandomBits(), b = RandomBits();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}


Status ApplyTableSettings(const std::optional<OnDemandInput>& on_demand, const std::optional<WarmInput>& warm,
                          const std::optional<SseSettings>& sse, TableMeta* meta) {
  if (on_demand) BASALT_RETURN_IF_ERROR(ApplyOnDemand(*on_demand, "table", &meta->on_demand));
  if (warm) ApplyWarm(*warm, &meta->warm);
  if (sse) meta->sse = *sse;
  return Status::Ok();
}

Result<std::vector<IndexMeta>> CheckCreateTable(const CreateTableInput& in) {
  BASALT_ASSIGN_OR_RETURN(std::vector<IndexMeta> indexes, BuildIndexes(in));
  BASALT_RETURN_IF_ERROR(CheckKeySchema(in, indexes));
  BASALT_RETURN_IF_ERROR(CheckBilling(in.billing_mode, in.throughput));
  return indexes;
}

Status ApplyCapacityUpdate(const UpdateTableInput& in, double now, TableMeta* meta) {
  if (!in.billing_mode && !in.throughput) return Status::Ok();
  BillingMode mode = in.billing_mode.value_or(meta->billing_mode);
  if (mode == BillingMode::kProvisioned && !in.throughput &&
      meta->billing_mode == BillingMode::kPayPerRequest) {
    return Status::Validation("No provisioned throughput specified for the table");
  }
  if (mode == BillingMode::kPayPerRequest && in.throughput) {
    BASALT_RETURN_IF_ERROR(CheckBilling(mode, in.throughput));
  }
  if (in.throughput) BASALT_RETURN_IF_ERROR(CheckBilling(BillingMode::kProvisioned, in.throughput));
  if (in.throughput && mode == meta->billing_mode &&
      in.throughput->read_capacity_units == meta->throughput.read_capacity_units &&
      in.throughput->write_capacity_units == meta->throughput.write_capacity_units) {
    const auto& c = meta->throughput;
    const auto& r = *in.throughput;
    return Status::Validation(
        "The provisioned throughput for the table will not change. The requested value equals the current "
        "value. Current ReadCapacityUnitsForTable: " +
        std::to_string(c.read_capacity_units) +
        ". Requested ReadCapacityUnitsForTable: " + std::to_string(r.read_capacity_units) +
        ". Current WriteCapacityUnitsForTable: " + std::to_string(c.write_capacity_units) +
        ". Requested WriteCapacityUnitsForTable: " + std::to_string(r.write_capacity_units) +
        ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher "
        "limits.");
  }
  if (mode == BillingMode::kPayPerRequest) {
    if (meta->billing_mode != mode) meta->billing_mode_update_time = now;
    meta->throughput.read_capacity_units = 0;
    meta->throughput.write_capacity_units = 0;
  } else if (in.throughput) {
    auto& tp = meta->throughput;
    bool increase = in.throughput->read_capacity_units > tp.read_capacity_units ||
                    in.throughput->write_capacity_units > tp.write_capacity_units;
    bool decrease = in.throughput->read_capacity_units < tp.read_capacity_units ||
                    in.throughput->write_capacity_units < tp.write_capacity_units;
    if (increase) tp.last_increase_time = now;
    if (decrease && meta->billing_mode == BillingMode::kProvisioned) {
      tp.last_decrease_time = now;
      ++tp.decreases_today;
    }
    tp.read_capacity_units = in.throughput->read_capacity_units;
    tp.write_capacity_units = in.throughput->write_capacity_units;
  }
  meta->billing_mode = mode;
  return Status::Ok();
}

Status ApplyIndexUpdates(const UpdateTableInput& in, const std::function<Result<storage::TableId>()>& new_id,
                         TableMeta* meta) {
  for (const IndexMeta& i : meta->indexes) {
    if (i.backfilling) {
      return Status(Code::kLimitExceeded,
                    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per "
                    "table");
    }
  }
  std::set<std::string> named;
  for (const IndexUpdate& u : in.index_updates) {
    if (!named.insert(u.index.name).second) {
      // DynamoDB Local's wording; the service's is not known.
      return Status::Validation("Only one global secondary index update per index is allowed simultaneously.");
    }
  }
  size_t structural = 0;
  for (const IndexUpdate& u : in.index_updates) structural += u.kind != IndexUpdate::kUpdate;
  if (structural > 1) {
    return Status(Code::kLimitExceeded,
                  "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
  }
  std::vector<model::KeyAttribute> defs = meta->attribute_definitions;
  for (const model::KeyAttribute& a : in.attribute_definitions) {
    auto it = std::find_if(defs.begin(), defs.end(), [&](const auto& d) { return d.name == a.name; });
    if (it == defs.end()) {
      defs.push_back(a);
    } else if (it->type != a.type) {
      // DynamoDB Local's wording; the service's is not known.
      return Status::Validation("invalid attribute, SchemaElement redefined should be of same type as previously defined");
    }
  }
  for (const IndexUpdate& u : in.index_updates) {
    const std::string& name = u.index.name;
    auto existing = std::find_if(meta->indexes.begin(), meta->indexes.end(),
                                 [&](const IndexMeta& i) { return i.name == name; });
    switch (u.kind) {
      case IndexUpdate::kCreate: {
        if (existing != meta->indexes.end()) {
          return Status::Validation(Invalid("Index with name: " + name + " already exists"));
        }
        size_t globals = std::count_if(meta->indexes.begin(), meta->indexes.end(),
                                       [](const IndexMeta& i) { return i.global; });
        if (globals >= static_cast<size_t>(model::kMaxGlobalIndexes)) {
          return Status(Code::kLimitExceeded,
                        "Subscriber limit exceeded: The number of global secondary indexes has reached the limit of "
                        "20");
        }
        if (in.attribute_definitions.empty()) {
          return Status::Validation(
              "One or more parameter values were invalid: Some index key attributes are not defined in "
              "AttributeDefinitions");
        }
        BASALT_ASSIGN_OR_RETURN(IndexMeta index, BuildIndex(u.index, defs, meta->key_schema, meta->billing_mode));
        BASALT_RETURN_IF_ERROR(CheckKeysDefined(model::KeyNames(index.key_schema), defs, in.attribute_definitions));
        BASALT_ASSIGN_OR_RETURN(index.id, new_id());
        index.backfilling = true;
        meta->indexes.push_back(std::move(index));
        break;
      }
      case IndexUpdate::kDelete:
        if (existing == meta->indexes.end() || !existing->global) {
          return Status::NotFound("Requested resource not found: Index: " + name + " not found");
        }
        meta->indexes.erase(existing);
        break;
      case IndexUpdate::kUpdate:
        if (existing == meta->indexes.end() || !existing->global) {
          return Status::NotFound("Requested resource not found: Index: " + name + " not found");
        }
        if (meta->billing_mode == BillingMode::kPayPerRequest && u.index.throughput) {
          return Status::Validation(Invalid(
              "ProvisionedThroughput cannot be specified for index: " + name + " when BillingMode is PAY_PER_REQUEST"));
        }
        if (u.index.on_demand) BASALT_RETURN_IF_ERROR(ApplyOnDemand(*u.index.on_demand, "index", &existing->on_demand));
        if (u.index.warm) ApplyWarm(*u.index.warm, &existing->warm);
        if (u.index.throughput && u.index.throughput->read_capacity_units == existing->throughput.read_capacity_units &&
            u.index.throughput->write_capacity_units == existing->throughput.write_capacity_units) {
          // DynamoDB Local's wording; the service's is not known.
          return Status::Validation("The requested throughput value equals the current value");
        }
        if (u.index.throughput) existing->throughput = *u.index.throughput;
        break;
    }
  }
  // Attribute definitions are what the keys of the table and its indexes use.
  std::vector<std::string> used = model::KeyNames(meta->key_schema);
  for (const IndexMeta& i : meta->indexes) {
    for (const auto& n : model::KeyNames(i.key_schema)) used.push_back(n);
  }
  std::erase_if(defs, [&](const model::KeyAttribute& d) {
    return std::find(used.begin(), used.end(), d.name) == used.end();
  });
  meta->attribute_definitions = std::move(defs);
  return Status::Ok();
}

}  // namespace basalt::db
