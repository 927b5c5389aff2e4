// CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
// RestoreTableFromBackup.
#include <cmath>

#include "api/backup_handlers.h"
#include "api/handlers.h"
#include "api/table_decoding.h"
#include "api/table_description.h"
#include "api/table_settings.h"

namespace basalt::api {
namespace {

constexpr size_t kMinArnLength = 37;
constexpr size_t kMaxArnLength = 1024;

void WriteTime(JsonWriter& w, double seconds) { w.Double(std::round(seconds * 1000) / 1000); }

void WriteKeySchemaOf(JsonWriter& w, const model::KeySchema& ks) {
  w.Key("KeySchema");
  w.StartArray();
  auto key = [&](const model::KeyAttribute* a, const char* type) {
    w.StartObject();
    w.Key("AttributeName");
    WriteString(w, a->name);
    w.Key("KeyType");
    w.String(type);
    w.EndObject();
  };
  for (const model::KeyAttribute* a : model::HashAttributes(ks)) key(a, "HASH");
  for (const model::KeyAttribute* a : model::RangeAttributes(ks)) key(a, "RANGE");
  w.EndArray();
}

void WriteThroughput(JsonWriter& w, const db::ProvisionedThroughput& tp) {
  w.Key("ProvisionedThroughput");
  w.StartObject();
  w.Key("ReadCapacityUnits");
  w.Int64(tp.read_capacity_units);
  w.Key("WriteCapacityUnits");
  w.Int64(tp.write_capacity_units);
  w.EndObject();
}

void WriteSourceIndexes(JsonWriter& w, const db::TableMeta& t, bool global) {
  bool any = false;
  for (const db::IndexMeta& i : t.indexes) any |= i.global == global && !i.backfilling;
  if (!any) return;
  w.Key(global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
  w.StartArray();
  for (const db::IndexMeta& i : t.indexes) {
    if (i.global != global || i.backfilling) continue;
    w.StartObject();
    w.Key("IndexName");
    WriteString(w, i.name);
    WriteKeySchemaOf(w, i.key_schema);
    w.Key("Projection");
    w.StartObject();
    w.Key("ProjectionType");
    w.String(i.projection == db::ProjectionType::kAll        ? "ALL"
             : i.projection == db::ProjectionType::kKeysOnly ? "KEYS_ONLY"
                                                             : "INCLUDE");
    if (i.projection == db::ProjectionType::kInclude) {
      w.Key("NonKeyAttributes");
      w.StartArray();
      for (const auto& a : i.non_key_attributes) WriteString(w, a);
      w.EndArray();
    }
    w.EndObject();
    if (global) WriteThroughput(w, i.throughput);
    w.EndObject();
  }
  w.EndArray();
}

// A table given by name or by ARN (the backup operations take either).
std::optional<std::string> TableNameOf(std::optional<std::string> name_or_arn) {
  if (!name_or_arn || !name_or_arn->starts_with("arn:")) return name_or_arn;
  size_t pos = name_or_arn->find(":table/");
  if (pos == std::string::npos) return name_or_arn;
  std::string name = name_or_arn->substr(pos + 7);
  return name.substr(0, name.find('/'));
}

void CheckArn(const std::optional<std::string>& arn, std::string_view path, bool required, ConstraintErrors* errors) {
  if (!arn) {
    if (required) errors->AddNull(path);
    return;
  }
  if (arn->size() < kMinArnLength) {
    errors->Add("'" + *arn + "'", path, "Member must have length greater than or equal to 37");
  } else if (arn->size() > kMaxArnLength) {
    errors->Add("'" + *arn + "'", path, "Member must have length less than or equal to 1024");
  }
}

Result<std::optional<double>> GetTime(const JsonValue& req, const char* field) {
  auto it = req.FindMember(field);
  if (it == req.MemberEnd() || it->value.IsNull()) return std::optional<double>();
  if (!it->value.IsNumber()) {
    return Status::Serialization(std::string(JsonKindName(it->value)) + " can not be converted to Date");
  }
  return std::optional<double>(it->value.GetDouble());
}

}  // namespace

void WriteBackupDetails(JsonWriter& w, const db::BackupRecord& r) {
  w.Key("BackupDetails");
  w.StartObject();
  w.Key("BackupArn");
  WriteString(w, r.Arn());
  w.Key("BackupName");
  WriteString(w, r.name);
  if (r.status != db::BackupStatus::kCreating) {
    w.Key("BackupSizeBytes");
    w.Int64(r.size_bytes);
  }
  w.Key("BackupStatus");
  w.String(db::BackupStatusName(r.status));
  w.Key("BackupType");
  w.String(db::BackupTypeName(r.type));
  w.Key("BackupCreationDateTime");
  WriteTime(w, r.created);
  if (r.expires > 0) {
    w.Key("BackupExpiryDateTime");
    WriteTime(w, r.expires);
  }
  w.EndObject();
}

void WriteBackupDescription(JsonWriter& w, const db::BackupRecord& r) {
  const db::TableMeta& t = r.table;
  w.Key("BackupDescription");
  w.StartObject();
  WriteBackupDetails(w, r);
  w.Key("SourceTableDetails");
  w.StartObject();
  w.Key("TableName");
  WriteString(w, t.name);
  w.Key("TableId");
  WriteString(w, t.uuid);
  w.Key("TableArn");
  WriteString(w, t.Arn());
  w.Key("TableSizeBytes");
  w.Int64(r.size_bytes);
  WriteKeySchemaOf(w, t.key_schema);
  w.Key("TableCreationDateTime");
  WriteTime(w, t.creation_time);
  WriteThroughput(w, t.throughput);
  w.Key("ItemCount");
  w.Int64(r.item_count);
  w.Key("BillingMode");
  w.String(t.billing_mode == db::BillingMode::kPayPerRequest ? "PAY_PER_REQUEST" : "PROVISIONED");
  w.EndObject();
  w.Key("SourceTableFeatureDetails");
  w.StartObject();
  WriteSourceIndexes(w, t, false);
  WriteSourceIndexes(w, t, true);
  if (t.stream.enabled) {
    w.Key("StreamDescription");
    w.StartObject();
    w.Key("StreamEnabled");
    w.Bool(true);
    w.Key("StreamViewType");
    w.String(StreamViewTypeName(t.stream.view));
    w.EndObject();
  }
  if (t.ttl_enabled) {
    w.Key("TimeToLiveDescription");
    w.StartObject();
    w.Key("TimeToLiveStatus");
    w.String("ENABLED");
    w.Key("AttributeName");
    WriteString(w, t.ttl_attribute);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
}

Status ReadRestoreOverrides(const JsonValue& req, ConstraintErrors* errors, db::RestoreOverrides* out) {
  BASALT_ASSIGN_OR_RETURN(auto billing, GetEnum(req, "BillingModeOverride", "billingModeOverride",
                                                {"PROVISIONED", "PAY_PER_REQUEST"}, "[PROVISIONED, PAY_PER_REQUEST]",
                                                errors));
  if (billing) {
    out->billing_mode = *billing == "PROVISIONED" ? db::BillingMode::kProvisioned : db::BillingMode::kPayPerRequest;
  }
  BASALT_ASSIGN_OR_RETURN(const JsonValue* pt, GetObject(req, "ProvisionedThroughputOverride"));
  if (pt) {
    BASALT_ASSIGN_OR_RETURN(auto rcu, GetInteger(*pt, "ReadCapacityUnits"));
    BASALT_ASSIGN_OR_RETURN(auto wcu, GetInteger(*pt, "WriteCapacityUnits"));
    auto check = [&](const std::optional<int64_t>& v, const char* path) {
      if (v && *v < 1) {
        errors->Add("'" + std::to_string(*v) + "'", path, "Member must have value greater than or equal to 1");
      }
    };
    check(rcu, "provisionedThroughputOverride.readCapacityUnits");
    check(wcu, "provisionedThroughputOverride.writeCapacityUnits");
    db::ProvisionedThroughput tp;
    tp.read_capacity_units = rcu.value_or(0);
    tp.write_capacity_units = wcu.value_or(0);
    out->throughput = tp;
  }
  BASALT_RETURN_IF_ERROR(ReadIndexOverride(req, "GlobalSecondaryIndexOverride", "globalSecondaryIndexOverride", true,
                                           errors, &out->global_indexes));
  BASALT_RETURN_IF_ERROR(ReadIndexOverride(req, "LocalSecondaryIndexOverride", "localSecondaryIndexOverride", false,
                                           errors, &out->local_indexes));
  BASALT_RETURN_IF_ERROR(ReadOnDemandThroughput(req, "OnDemandThroughputOverride", &out->on_demand));
  // Reported in the restored table's SSEDescription; encryption at rest is
  // the server's (--encryption-key-file), not a table's.
  BASALT_RETURN_IF_ERROR(
      ReadSseSpecification(req, "SSESpecificationOverride", "sSESpecificationOverride", errors, &out->sse));
  return Status::Ok();
}

Status CreateBackup(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto table, GetString(req, "TableName"));
  table = TableNameOf(table);
  CheckTableName(table, "tableName", &errors);
  BASALT_ASSIGN_OR_RETURN(auto name, GetString(req, "BackupName"));
  CheckTableName(name, "backupName", &errors);
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(db::BackupRecord r, ctx.db->backups().CreateBackup(ctx.scope, *table, *name));
  out.StartObject();
  WriteBackupDetails(out, r);
  out.EndObject();
  return Status::Ok();
}

Status DescribeBackup(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto arn, GetString(req, "BackupArn"));
  CheckArn(arn, "backupArn", true, &errors);
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(db::BackupRecord r, ctx.db->backups().DescribeBackup(ctx.scope, *arn));
  out.StartObject();
  WriteBackupDescription(out, r);
  out.EndObject();
  return Status::Ok();
}

Status DeleteBackup(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto arn, GetString(req, "BackupArn"));
  CheckArn(arn, "backupArn", true, &errors);
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(db::BackupRecord r, ctx.db->backups().DeleteBackup(ctx.scope, *arn));
  out.StartObject();
  WriteBackupDescription(out, r);
  out.EndObject();
  return Status::Ok();
}

Status ListBackups(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  db::ListBackupsInput in;
  BASALT_ASSIGN_OR_RETURN(auto table, GetString(req, "TableName"));
  table = TableNameOf(table);
  if (table) CheckTableName(table, "tableName", &errors);
  in.table = table;
  BASALT_ASSIGN_OR_RETURN(auto limit, GetInteger(req, "Limit"));
  if (limit && *limit < 1) {
    errors.Add("'" + std::to_string(*limit) + "'", "limit", "Member must have value greater than or equal to 1");
  } else if (limit && *limit > 100) {
    errors.Add("'" + std::to_string(*limit) + "'", "limit", "Member must have value less than or equal to 100");
  }
  BASALT_ASSIGN_OR_RETURN(in.lower, GetTime(req, "TimeRangeLowerBound"));
  BASALT_ASSIGN_OR_RETURN(in.upper, GetTime(req, "TimeRangeUpperBound"));
  BASALT_ASSIGN_OR_RETURN(auto type, GetEnum(req, "BackupType", "backupType", {"USER", "SYSTEM", "AWS_BACKUP", "ALL"},
                                             "[USER, SYSTEM, AWS_BACKUP, ALL]", &errors));
  BASALT_ASSIGN_OR_RETURN(in.exclusive_start_arn, GetString(req, "ExclusiveStartBackupArn"));
  CheckArn(in.exclusive_start_arn, "exclusiveStartBackupArn", false, &errors);
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  if (type) in.type = *type;
  if (limit) in.limit = static_cast<size_t>(*limit);
  BASALT_ASSIGN_OR_RETURN(db::ListBackupsOutput page, ctx.db->backups().ListBackups(ctx.scope, in));
  out.StartObject();
  out.Key("BackupSummaries");
  out.StartArray();
  for (const db::BackupRecord& r : page.backups) {
    out.StartObject();
    out.Key("TableName");
    WriteString(out, r.table.name);
    out.Key("TableId");
    WriteString(out, r.table.uuid);
    out.Key("TableArn");
    WriteString(out, r.table.Arn());
    out.Key("BackupArn");
    WriteString(out, r.Arn());
    out.Key("BackupName");
    WriteString(out, r.name);
    out.Key("BackupCreationDateTime");
    WriteTime(out, r.created);
    if (r.expires > 0) {
      out.Key("BackupExpiryDateTime");
      WriteTime(out, r.expires);
    }
    out.Key("BackupStatus");
    out.String(db::BackupStatusName(r.status));
    out.Key("BackupType");
    out.String(db::BackupTypeName(r.type));
    if (r.status != db::BackupStatus::kCreating) {
      out.Key("BackupSizeBytes");
      out.Int64(r.size_bytes);
    }
    out.EndObject();
  }
  out.EndArray();
  if (page.last_evaluated_arn) {
    out.Key("LastEvaluatedBackupArn");
    WriteString(out, *page.last_evaluated_arn);
  }
  out.EndObject();
  return Status::Ok();
}

Status RestoreTableFromBackup(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  db::RestoreFromBackupInput in;
  BASALT_ASSIGN_OR_RETURN(auto target, GetString(req, "TargetTableName"));
  CheckTableName(target, "targetTableName", &errors);
  BASALT_ASSIGN_OR_RETURN(auto arn, GetString(req, "BackupArn"));
  CheckArn(arn, "backupArn", true, &errors);
  BASALT_RETURN_IF_ERROR(ReadRestoreOverrides(req, &errors, &in.overrides));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  in.target = *target;
  in.backup_arn = *arn;
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->backups().RestoreTableFromBackup(ctx.scope, in));
  WriteDescriptionResponse(out, "TableDescription", d);
  return Status::Ok();
}

}  // namespace basalt::api
