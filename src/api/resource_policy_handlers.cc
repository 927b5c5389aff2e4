// PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy on a table
// or stream ARN of the caller's account and region (reference:
// auth-sigv4-iam.md, "Resource-based policies"). The policies are stored
// by auth::ResourcePolicies and evaluated by api/authorize.cc.
#include "api/handlers.h"
#include "api/policy_json.h"
#include "db/account.h"

namespace basalt::api {
namespace {

constexpr size_t kMaxPolicyBytes = 20 * 1024;

// The ResourceArn, checked: a table of the caller's (or one of its streams) that exists.
Result<std::string> ResourceArn(Context& ctx, const JsonValue& req) {
  if (!ctx.resource_policies) {
    return Status(Code::kUnknownOperation, "An unknown operation was requested.");
  }
  BASALT_ASSIGN_OR_RETURN(auto arn, GetString(req, "ResourceArn"));
  if (!arn) return Status::Validation("1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null");
  if (arn->empty() || arn->size() > 1283) {
    return Status::Validation("1 validation error detected: Value '" + *arn +
                              "' at 'resourceArn' failed to satisfy constraint: Member must have length less than or "
                              "equal to 1283");
  }
  std::string prefix = "arn:aws:dynamodb:" + ctx.scope.region + ":" +
                       std::string(db::AccountOfNamespace(ctx.scope.ns)) + ":table/";
  auto not_found = [&] { return Status::NotFound("Requested resource not found: " + *arn + " not found"); };
  if (!arn->starts_with(prefix)) return not_found();
  std::string rest = arn->substr(prefix.size());
  std::string table = rest.substr(0, rest.find('/'));
  std::string tail = rest.substr(table.size());
  auto d = ctx.db->DescribeTable(ctx.scope, table);
  if (!d.ok()) return not_found();
  if (!tail.empty() && (!tail.starts_with("/stream/") || tail.substr(8) != d->meta->stream.label)) return not_found();
  return *arn;
}

Result<std::optional<std::string>> ExpectedRevision(const JsonValue& req) { return GetString(req, "ExpectedRevisionId"); }

}  // namespace

Status PutResourcePolicy(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(std::string arn, ResourceArn(ctx, req));
  BASALT_ASSIGN_OR_RETURN(auto policy, GetString(req, "Policy"));
  if (!policy) return Status::Validation("1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null");
  if (policy->size() > kMaxPolicyBytes) {
    return Status(Code::kLimitExceeded, "Resource-based policy document exceeds the maximum size of 20 KB");
  }
  BASALT_ASSIGN_OR_RETURN(auto expected, ExpectedRevision(req));
  BASALT_ASSIGN_OR_RETURN(std::string revision, ctx.resource_policies->Put(arn, *policy, expected));
  out.StartObject();
  out.Key("RevisionId");
  WriteString(out, revision);
  out.EndObject();
  return Status::Ok();
}

Status GetResourcePolicy(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(std::string arn, ResourceArn(ctx, req));
  auto p = ctx.resource_policies->Get(arn);
  if (!p) return Status(Code::kPolicyNotFound, "Resource-based policy not found for the provided ResourceArn: " + arn);
  out.StartObject();
  out.Key("Policy");
  WriteString(out, p->document);
  out.Key("RevisionId");
  WriteString(out, p->revision_id);
  out.EndObject();
  return Status::Ok();
}

Status DeleteResourcePolicy(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(std::string arn, ResourceArn(ctx, req));
  BASALT_ASSIGN_OR_RETURN(auto expected, ExpectedRevision(req));
  BASALT_ASSIGN_OR_RETURN(std::string revision, ctx.resource_policies->Delete(arn, expected));
  out.StartObject();
  out.Key("RevisionId");
  WriteString(out, revision);
  out.EndObject();
  return Status::Ok();
}

Result<std::optional<std::string>> ReadCreateTablePolicy(Context& ctx, const JsonValue& req) {
  BASALT_ASSIGN_OR_RETURN(auto policy, GetString(req, "ResourcePolicy"));
  if (!policy) return policy;
  if (!ctx.resource_policies) return Status(Code::kUnknownOperation, "An unknown operation was requested.");
  if (policy->size() > kMaxPolicyBytes) {
    return Status(Code::kLimitExceeded, "Resource-based policy document exceeds the maximum size of 20 KB");
  }
  BASALT_RETURN_IF_ERROR(ParsePolicy(*policy).status());
  return policy;
}

Status AttachTablePolicy(Context& ctx, const std::string& table_arn, const std::string& policy) {
  return ctx.resource_policies->Put(table_arn, policy, std::nullopt).status();
}

Status ForgetTablePolicies(Context& ctx, const std::string& table_arn) {
  if (!ctx.resource_policies) return Status::Ok();
  return ctx.resource_policies->ForgetTable(table_arn);
}

}  // namespace basalt::api
