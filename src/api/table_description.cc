#include "api/table_description.h"

#include <algorithm>
#include <cmath>

#include "api/handlers.h"
#include "api/table_settings.h"

namespace basalt::api {
namespace {

const char* ModelTypeName(model::Type t) { return model::TypeName(t); }

void WriteTimestamp(JsonWriter& w, double seconds) {
  // Epoch seconds with millisecond precision, as DynamoDB prints them.
  w.Double(std::round(seconds * 1000) / 1000);
}

void WriteKeySchema(JsonWriter& w, const model::KeySchema& ks) {
  w.Key("KeySchema");
  w.StartArray();
  auto key = [&](const model::KeyAttribute& a, const char* type) {
    w.StartObject();
    w.Key("AttributeName");
    WriteString(w, a.name);
    w.Key("KeyType");
    w.String(type);
    w.EndObject();
  };
  for (const model::KeyAttribute* a : model::HashAttributes(ks)) key(*a, "HASH");
  for (const model::KeyAttribute* a : model::RangeAttributes(ks)) key(*a, "RANGE");
  w.EndArray();
}

// The instantaneous capacity a table or index has without WarmThroughput:
// on demand, 12,000 read and 4,000 write units; provisioned, its provisioned
// capacity.
db::WarmThroughput WarmDefaults(const db::TableMeta& table, const db::ProvisionedThroughput& tp) {
  if (table.billing_mode == db::BillingMode::kPayPerRequest) return {12000, 4000};
  return {tp.read_capacity_units, tp.write_capacity_units};
}

void WriteIndexes(JsonWriter& w, const db::TableDescription& d, bool global) {
  bool any = std::any_of(d.indexes.begin(), d.indexes.end(),
                         [&](const db::IndexDescription& i) { return i.meta->global == global; });
  if (!any) return;
  w.Key(global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
  w.StartArray();
  for (const db::IndexDescription& i : d.indexes) {
    const db::IndexMeta& m = *i.meta;
    if (m.global != global) continue;
    w.StartObject();
    w.Key("IndexName");
    WriteString(w, m.name);
    WriteKeySchema(w, m.key_schema);
    w.Key("Projection");
    w.StartObject();
    w.Key("ProjectionType");
    w.String(m.projection == db::ProjectionType::kAll        ? "ALL"
             : m.projection == db::ProjectionType::kKeysOnly ? "KEYS_ONLY"
                                                             : "INCLUDE");
    if (m.projection == db::ProjectionType::kInclude) {
      w.Key("NonKeyAttributes");
      w.StartArray();
      for (const auto& a : m.non_key_attributes) WriteString(w, a);
      w.EndArray();
    }
    w.EndObject();
    if (global) {
      w.Key("IndexStatus");
      WriteString(w, i.status);
      if (i.backfilling) {
        w.Key("Backfilling");
        w.Bool(*i.backfilling);
      }
      w.Key("ProvisionedThroughput");
      w.StartObject();
      w.Key("NumberOfDecreasesToday");
      w.Int64(0);
      w.Key("ReadCapacityUnits");
      w.Int64(m.throughput.read_capacity_units);
      w.Key("WriteCapacityUnits");
      w.Int64(m.throughput.write_capacity_units);
      w.EndObject();
      WriteOnDemandThroughput(w, m.on_demand);
      WriteWarmThroughput(w, m.warm, WarmDefaults(*d.meta, m.throughput), i.backfilling && *i.backfilling ? "UPDATING" : "ACTIVE");
    }
    w.Key("IndexSizeBytes");
    w.Int64(i.stats.size_bytes);
    w.Key("ItemCount");
    w.Int64(i.stats.item_count);
    w.Key("IndexArn");
    WriteString(w, d.meta->IndexArn(m));
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

void WriteTableDescription(JsonWriter& w, const db::TableDescription& d) {
  const db::TableMeta& m = *d.meta;
  w.StartObject();
  w.Key("AttributeDefinitions");
  w.StartArray();
  for (const auto& a : m.attribute_definitions) {
    w.StartObject();
    w.Key("AttributeName");
    WriteString(w, a.name);
    w.Key("AttributeType");
    w.String(ModelTypeName(a.type));
    w.EndObject();
  }
  w.EndArray();
  w.Key("TableName");
  WriteString(w, m.name);
  WriteKeySchema(w, m.key_schema);
  w.Key("TableStatus");
  WriteString(w, d.status);
  w.Key("CreationDateTime");
  WriteTimestamp(w, m.creation_time);
  w.Key("ProvisionedThroughput");
  w.StartObject();
  if (m.throughput.last_increase_time > 0) {
    w.Key("LastIncreaseDateTime");
    WriteTimestamp(w, m.throughput.last_increase_time);
  }
  if (m.throughput.last_decrease_time > 0) {
    w.Key("LastDecreaseDateTime");
    WriteTimestamp(w, m.throughput.last_decrease_time);
  }
  w.Key("NumberOfDecreasesToday");
  w.Int64(m.throughput.decreases_today);
  w.Key("ReadCapacityUnits");
  w.Int64(m.throughput.read_capacity_units);
  w.Key("WriteCapacityUnits");
  w.Int64(m.throughput.write_capacity_units);
  w.EndObject();
  WriteOnDemandThroughput(w, m.on_demand);
  WriteWarmThroughput(w, m.warm, WarmDefaults(m, m.throughput), d.status);
  w.Key("TableSizeBytes");
  w.Int64(d.stats.size_bytes);
  w.Key("ItemCount");
  w.Int64(d.stats.item_count);
  w.Key("TableArn");
  WriteString(w, m.Arn());
  w.Key("TableId");
  WriteString(w, m.uuid);
  WriteIndexes(w, d, false);
  WriteIndexes(w, d, true);
  // A table that was ever on demand keeps a summary, also after switching back.
  if (m.billing_mode == db::BillingMode::kPayPerRequest || m.billing_mode_update_time > 0) {
    w.Key("BillingModeSummary");
    w.StartObject();
    w.Key("BillingMode");
    w.String(m.billing_mode == db::BillingMode::kPayPerRequest ? "PAY_PER_REQUEST" : "PROVISIONED");
    w.Key("LastUpdateToPayPerRequestDateTime");
    WriteTimestamp(w, m.billing_mode_update_time);
    w.EndObject();
  }
  if (m.table_class != db::TableClass::kStandard) {
    w.Key("TableClassSummary");
    w.StartObject();
    w.Key("TableClass");
    w.String("STANDARD_INFREQUENT_ACCESS");
    w.EndObject();
  }
  WriteSseDescription(w, m);
  if (m.stream.enabled) {
    w.Key("StreamSpecification");
    w.StartObject();
    w.Key("StreamEnabled");
    w.Bool(true);
    w.Key("StreamViewType");
    w.String(StreamViewTypeName(m.stream.view));
    w.EndObject();
  }
  if (m.stream.id != 0) {
    w.Key("LatestStreamLabel");
    WriteString(w, m.stream.label);
    w.Key("LatestStreamArn");
    WriteString(w, m.StreamArn());
  }
  if (d.restore) {
    w.Key("RestoreSummary");
    w.StartObject();
    if (!d.restore->source_backup_arn.empty()) {
      w.Key("SourceBackupArn");
      WriteString(w, d.restore->source_backup_arn);
    }
    w.Key("SourceTableArn");
    WriteString(w, d.restore->source_table_arn);
    w.Key("RestoreDateTime");
    WriteTimestamp(w, d.restore->restore_time);
    w.Key("RestoreInProgress");
    w.Bool(d.restore->in_progress);
    w.EndObject();
  }
  w.Key("DeletionProtectionEnabled");
  w.Bool(m.deletion_protection);
  w.EndObject();
}


void WriteDescriptionResponse(JsonWriter& out, const char* key, const db::TableDescription& d) {
  out.StartObject();
  out.Key(key);
  WriteTableDescription(out, d);
  out.EndObject();
}

}  // namespace basalt::api
