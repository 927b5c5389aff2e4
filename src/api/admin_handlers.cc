#include "api/admin_handlers.h"

#include "auth/policy.h"
#include "db/account.h"

namespace basalt::api {
namespace {

Result<std::string> Required(const JsonValue& req, const char* field) {
  BASALT_ASSIGN_OR_RETURN(auto v, GetString(req, field));
  if (!v || v->empty()) {
    return Status::Validation(std::string("The parameter '") + field + "' is required but was not present in the request");
  }
  return *v;
}

Status Allowed(const auth::Principal& caller, const std::string& action, const std::string& resource) {
  if (caller.root) return Status::Ok();
  auth::RequestContext c;
  c.action = action;
  c.resource = resource;
  c.Set("aws:PrincipalArn", {caller.arn});
  auth::Decision d = auth::Evaluate(caller.policies, c);
  if (d == auth::Decision::kAllow) return Status::Ok();
  return Status(Code::kAccessDenied, auth::AccessDeniedMessage(caller.arn, c, d));
}

void WriteInfo(JsonWriter& out, const char* kind, const auth::PrincipalInfo& info) {
  out.StartObject();
  out.Key(kind);
  WriteString(out, info.name);
  out.Key("Arn");
  WriteString(out, info.arn);
  out.Key("Account");
  WriteString(out, info.account);
  out.EndObject();
}

}  // namespace

Status HandleAdmin(auth::PrincipalStore* store, const auth::Principal& caller, std::string_view op,
                   const JsonValue& req, JsonWriter& out) {
  const std::string action = "basalt:" + std::string(op);
  out.StartObject();
  if (op == "AssumeRole") {
    BASALT_ASSIGN_OR_RETURN(std::string role, Required(req, "RoleName"));
    BASALT_ASSIGN_OR_RETURN(std::string session, Required(req, "RoleSessionName"));
    BASALT_ASSIGN_OR_RETURN(auto duration, GetInteger(req, "DurationSeconds"));
    auto arn = store->RoleArn(role);
    if (!arn) return Status::NotFound("Role not found: " + role);
    BASALT_RETURN_IF_ERROR(Allowed(caller, "sts:AssumeRole", *arn));
    BASALT_ASSIGN_OR_RETURN(auto creds, store->AssumeRole(role, session, static_cast<int>(duration.value_or(3600))));
    out.Key("Credentials");
    out.StartObject();
    out.Key("AccessKeyId");
    WriteString(out, creds.access_key_id);
    out.Key("SecretAccessKey");
    WriteString(out, creds.secret_access_key);
    out.Key("SessionToken");
    WriteString(out, creds.session_token);
    out.Key("Expiration");
    out.Double(creds.expires_at);
    out.EndObject();
    out.Key("AssumedRoleUser");
    out.StartObject();
    out.Key("Arn");
    WriteString(out, creds.principal_arn);
    out.EndObject();
    out.EndObject();
    return Status::Ok();
  }
  BASALT_RETURN_IF_ERROR(Allowed(caller, action, "*"));
  BASALT_ASSIGN_OR_RETURN(auto account_field, GetString(req, "Account"));
  std::string account = account_field.value_or(caller.account.empty() ? std::string(db::kDefaultAccount) : caller.account);
  if (op == "CreateUser" || op == "CreateRole") {
    bool user = op == "CreateUser";
    BASALT_ASSIGN_OR_RETURN(std::string name, Required(req, user ? "UserName" : "RoleName"));
    BASALT_ASSIGN_OR_RETURN(auto info, user ? store->CreateUser(name, account) : store->CreateRole(name, account));
    out.Key(user ? "User" : "Role");
    WriteInfo(out, user ? "UserName" : "RoleName", info);
  } else if (op == "DeleteUser") {
    BASALT_ASSIGN_OR_RETURN(std::string name, Required(req, "UserName"));
    BASALT_RETURN_IF_ERROR(store->DeleteUser(name));
  } else if (op == "DeleteRole") {
    BASALT_ASSIGN_OR_RETURN(std::string name, Required(req, "RoleName"));
    BASALT_RETURN_IF_ERROR(store->DeleteRole(name));
  } else if (op == "ListUsers") {
    out.Key("Users");
    out.StartArray();
    for (const auto& u : store->ListUsers()) {
      out.StartObject();
      out.Key("UserName");
      WriteString(out, u.name);
      out.Key("Arn");
      WriteString(out, u.arn);
      out.Key("Account");
      WriteString(out, u.account);
      out.Key("PolicyNames");
      out.StartArray();
      for (const auto& p : u.policy_names) WriteString(out, p);
      out.EndArray();
      out.Key("AccessKeyIds");
      out.StartArray();
      for (const auto& k : u.access_key_ids) WriteString(out, k);
      out.EndArray();
      out.EndObject();
    }
    out.EndArray();
  } else if (op == "CreateAccessKey") {
    BASALT_ASSIGN_OR_RETURN(std::string name, Required(req, "UserName"));
    BASALT_ASSIGN_OR_RETURN(auto key, store->CreateAccessKey(name));
    out.Key("AccessKey");
    out.StartObject();
    out.Key("UserName");
    WriteString(out, name);
    out.Key("AccessKeyId");
    WriteString(out, key.access_key_id);
    out.Key("SecretAccessKey");
    WriteString(out, key.secret_access_key);
    out.EndObject();
  } else if (op == "DeleteAccessKey") {
    BASALT_ASSIGN_OR_RETURN(std::string id, Required(req, "AccessKeyId"));
    BASALT_RETURN_IF_ERROR(store->DeleteAccessKey(id));
  } else if (op == "PutUserPolicy" || op == "PutRolePolicy" || op == "DeleteUserPolicy" || op == "DeleteRolePolicy") {
    bool user = op.find("User") != std::string_view::npos;
    BASALT_ASSIGN_OR_RETURN(std::string name, Required(req, user ? "UserName" : "RoleName"));
    BASALT_ASSIGN_OR_RETURN(std::string policy, Required(req, "PolicyName"));
    std::string doc;
    if (op.starts_with("Put")) {
      BASALT_ASSIGN_OR_RETURN(doc, Required(req, "PolicyDocument"));
    }
    BASALT_RETURN_IF_ERROR(store->PutPolicy(user ? "user" : "role", name, policy, doc));
  } else {
    return Status(Code::kUnknownOperation, "An unknown operation was requested.");
  }
  out.EndObject();
  return Status::Ok();
}

}  // namespace basalt::api
