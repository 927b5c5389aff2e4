// UpdateContinuousBackups, DescribeContinuousBackups and
// RestoreTableToPointInTime.
#include <cmath>

#include "api/backup_handlers.h"
#include "api/handlers.h"
#include "api/table_description.h"

namespace basalt::api {
namespace {

void WriteContinuousBackups(JsonWriter& w, const db::ContinuousBackupsDescription& d) {
  w.StartObject();
  w.Key("ContinuousBackupsDescription");
  w.StartObject();
  w.Key("ContinuousBackupsStatus");
  w.String("ENABLED");  // as on every DynamoDB table
  w.Key("PointInTimeRecoveryDescription");
  w.StartObject();
  w.Key("PointInTimeRecoveryStatus");
  w.String(d.pitr_enabled ? "ENABLED" : "DISABLED");
  if (d.pitr_enabled) {
    w.Key("RecoveryPeriodInDays");
    w.Int64(d.period_days);
    w.Key("EarliestRestorableDateTime");
    w.Double(std::floor(d.earliest * 1000) / 1000);
    w.Key("LatestRestorableDateTime");
    w.Double(std::floor(d.latest * 1000) / 1000);
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

std::optional<std::string> NameOfArn(const std::optional<std::string>& arn) {
  if (!arn) return arn;
  size_t pos = arn->find(":table/");
  if (pos == std::string::npos) return arn;
  std::string name = arn->substr(pos + 7);
  return name.substr(0, name.find('/'));
}

}  // namespace

Status UpdateContinuousBackups(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto table, GetString(req, "TableName"));
  if (table && table->starts_with("arn:")) table = NameOfArn(table);
  CheckTableName(table, "tableName", &errors);
  BASALT_ASSIGN_OR_RETURN(const JsonValue* spec, GetObject(req, "PointInTimeRecoverySpecification"));
  std::optional<bool> enabled;
  std::optional<int64_t> days;
  if (!spec) {
    errors.AddNull("pointInTimeRecoverySpecification");
  } else {
    BASALT_ASSIGN_OR_RETURN(enabled, GetBool(*spec, "PointInTimeRecoveryEnabled"));
    if (!enabled) errors.AddNull("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled");
    BASALT_ASSIGN_OR_RETURN(days, GetInteger(*spec, "RecoveryPeriodInDays"));
    if (days && *days < 1) {
      errors.Add("'" + std::to_string(*days) + "'", "pointInTimeRecoverySpecification.recoveryPeriodInDays",
                 "Member must have value greater than or equal to 1");
    } else if (days && *days > 35) {
      errors.Add("'" + std::to_string(*days) + "'", "pointInTimeRecoverySpecification.recoveryPeriodInDays",
                 "Member must have value less than or equal to 35");
    }
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(db::ContinuousBackupsDescription d, ctx.db->pitr().Update(ctx.scope, *table, *enabled, days));
  WriteContinuousBackups(out, d);
  return Status::Ok();
}

Status DescribeContinuousBackups(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto table, GetString(req, "TableName"));
  if (table && table->starts_with("arn:")) table = NameOfArn(table);
  CheckTableName(table, "tableName", &errors);
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(db::ContinuousBackupsDescription d, ctx.db->pitr().Describe(ctx.scope, *table));
  WriteContinuousBackups(out, d);
  return Status::Ok();
}

Status RestoreTableToPointInTime(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  db::RestoreToPointInTimeInput in;
  BASALT_ASSIGN_OR_RETURN(auto source_arn, GetString(req, "SourceTableArn"));
  BASALT_ASSIGN_OR_RETURN(auto source_name, GetString(req, "SourceTableName"));
  if (source_name) CheckTableName(source_name, "sourceTableName", &errors);
  BASALT_ASSIGN_OR_RETURN(auto target, GetString(req, "TargetTableName"));
  CheckTableName(target, "targetTableName", &errors);
  BASALT_ASSIGN_OR_RETURN(auto latest, GetBool(req, "UseLatestRestorableTime"));
  auto time = req.FindMember("RestoreDateTime");
  if (time != req.MemberEnd() && !time->value.IsNull()) {
    if (!time->value.IsNumber()) {
      return Status::Serialization(std::string(JsonKindName(time->value)) + " can not be converted to Date");
    }
    in.time = time->value.GetDouble();
  }
  BASALT_RETURN_IF_ERROR(ReadRestoreOverrides(req, &errors, &in.overrides));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  if (source_arn.has_value() == source_name.has_value()) {
    return Status::Validation("Exactly one of SourceTableArn or SourceTableName must be specified");
  }
  in.use_latest = latest.value_or(false);
  if (in.use_latest && in.time) {
    return Status::Validation("Only one of RestoreDateTime or UseLatestRestorableTime can be specified");
  }
  if (!in.use_latest && !in.time) {
    return Status::Validation("Either RestoreDateTime must be set or UseLatestRestorableTime must be true");
  }
  in.source = source_name ? *source_name : *NameOfArn(source_arn);
  in.target = *target;
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->pitr().Restore(ctx.scope, in));
  WriteDescriptionResponse(out, "TableDescription", d);
  return Status::Ok();
}

}  // namespace basalt::api
