// CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables,
// DescribeEndpoints and DescribeLimits.
#include "api/handlers.h"
#include "api/table_decoding.h"
#include "api/table_description.h"
#include "model/limits.h"

namespace basalt::api {

Status CreateTable(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(db::CreateTableInput in, DecodeCreateTable(req));
  BASALT_ASSIGN_OR_RETURN(std::optional<std::string> policy, ReadCreateTablePolicy(ctx, req));
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->CreateTable(ctx.scope, in));
  // Applied strongly consistently, as the service: in force when the response is.
  if (policy) BASALT_RETURN_IF_ERROR(AttachTablePolicy(ctx, d.meta->Arn(), *policy));
  WriteDescriptionResponse(out, "TableDescription", d);
  return Status::Ok();
}

Status UpdateTable(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(db::UpdateTableInput in, DecodeUpdateTable(req));
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->UpdateTable(ctx.scope, in));
  WriteDescriptionResponse(out, "TableDescription", d);
  return Status::Ok();
}

Status DescribeTable(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_RETURN_IF_ERROR(RequireTableName(req));
  BASALT_ASSIGN_OR_RETURN(std::string name, ReadTableName(req));
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->DescribeTable(ctx.scope, name));
  WriteDescriptionResponse(out, "Table", d);
  return Status::Ok();
}

Status DeleteTable(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_RETURN_IF_ERROR(RequireTableName(req));
  BASALT_ASSIGN_OR_RETURN(std::string name, ReadTableName(req));
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->DeleteTable(ctx.scope, name));
  BASALT_RETURN_IF_ERROR(ForgetTablePolicies(ctx, d.meta->Arn()));
  WriteDescriptionResponse(out, "TableDescription", d);
  return Status::Ok();
}

Status ListTables(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto start, GetString(req, "ExclusiveStartTableName"));
  BASALT_ASSIGN_OR_RETURN(auto limit, GetInteger(req, "Limit"));
  if (start) CheckTableName(start, "exclusiveStartTableName", &errors);
  if (limit && *limit < 1) {
    errors.Add("'" + std::to_string(*limit) + "'", "limit", "Member must have value greater than or equal to 1");
  }
  if (limit && *limit > 100) {
    errors.Add("'" + std::to_string(*limit) + "'", "limit", "Member must have value less than or equal to 100");
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(db::ListTablesOutput page,
                          ctx.db->ListTables(ctx.scope, start.value_or(""), limit.value_or(100)));
  out.StartObject();
  out.Key("TableNames");
  out.StartArray();
  for (const auto& n : page.names) WriteString(out, n);
  out.EndArray();
  if (page.last_evaluated) {
    out.Key("LastEvaluatedTableName");
    WriteString(out, *page.last_evaluated);
  }
  out.EndObject();
  return Status::Ok();
}

Status DescribeEndpoints(Context& ctx, const JsonValue&, JsonWriter& out) {
  // Endpoint discovery must lead SDKs back to this server, not to AWS.
  out.StartObject();
  out.Key("Endpoints");
  out.StartArray();
  out.StartObject();
  out.Key("Address");
  WriteString(out, ctx.host.empty() ? std::string_view("localhost") : ctx.host);
  out.Key("CachePeriodInMinutes");
  out.Int(1440);
  out.EndObject();
  out.EndArray();
  out.EndObject();
  return Status::Ok();
}

Status DescribeLimits(Context&, const JsonValue&, JsonWriter& out) {
  out.StartObject();
  out.Key("AccountMaxReadCapacityUnits");
  out.Int64(model::kMaxAccountReadCapacity);
  out.Key("AccountMaxWriteCapacityUnits");
  out.Int64(model::kMaxAccountWriteCapacity);
  out.Key("TableMaxReadCapacityUnits");
  out.Int64(model::kMaxTableReadCapacity);
  out.Key("TableMaxWriteCapacityUnits");
  out.Int64(model::kMaxTableWriteCapacity);
  out.EndObject();
  return Status::Ok();
}

}  // namespace basalt::api
