#include "api/policy_json.h"

#include "api/json.h"

namespace basalt::api {
namespace {

Status Malformed(const std::string& what) { return Status::Validation("MalformedPolicyDocument: " + what); }

Result<std::vector<std::string>> Strings(const JsonValue& v, const std::string& what) {
  std::vector<std::string> out;
  auto one = [&](const JsonValue& x) -> Status {
    if (x.IsString()) {
      out.emplace_back(x.GetString(), x.GetStringLength());
    } else if (x.IsBool()) {
      out.emplace_back(x.GetBool() ? "true" : "false");
    } else if (x.IsNumber()) {
      rapidjson::StringBuffer b;
      JsonWriter w(b);
      x.Accept(w);
      out.emplace_back(b.GetString(), b.GetSize());
    } else {
      return Malformed(what + " must be a string or a list of strings");
    }
    return Status::Ok();
  };
  if (v.IsArray()) {
    for (const auto& x : v.GetArray()) BASALT_RETURN_IF_ERROR(one(x));
  } else {
    BASALT_RETURN_IF_ERROR(one(v));
  }
  return out;
}

Result<auth::Statement> ParseStatement(const JsonValue& s) {
  if (!s.IsObject()) return Malformed("a Statement must be an object");
  auth::Statement st;
  bool has_action = false, has_resource = false;
  for (const auto& m : s.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == "Sid") {
      if (!m.value.IsString()) return Malformed("Sid must be a string");
      st.sid = m.value.GetString();
    } else if (name == "Effect") {
      std::string_view e = m.value.IsString() ? m.value.GetString() : "";
      if (e != "Allow" && e != "Deny") return Malformed("Effect must be Allow or Deny");
      st.effect = e == "Allow" ? auth::Effect::kAllow : auth::Effect::kDeny;
    } else if (name == "Action" || name == "NotAction") {
      if (has_action) return Malformed("a Statement has one of Action and NotAction");
      has_action = true;
      st.not_action = name == "NotAction";
      BASALT_ASSIGN_OR_RETURN(st.actions, Strings(m.value, std::string(name)));
    } else if (name == "Resource" || name == "NotResource") {
      if (has_resource) return Malformed("a Statement has one of Resource and NotResource");
      has_resource = true;
      st.not_resource = name == "NotResource";
      BASALT_ASSIGN_OR_RETURN(st.resources, Strings(m.value, std::string(name)));
    } else if (name == "Principal") {
      // Resource-based policies name principals: "*" or {"AWS": ids or ARNs}.
      if (m.value.IsString()) {
        BASALT_ASSIGN_OR_RETURN(st.principals, Strings(m.value, "Principal"));
      } else if (m.value.IsObject()) {
        for (const auto& p : m.value.GetObject()) {
          BASALT_ASSIGN_OR_RETURN(auto ids, Strings(p.value, "Principal"));
          st.principals.insert(st.principals.end(), ids.begin(), ids.end());
        }
      } else {
        return Malformed("Principal must be \"*\" or an object");
      }
    } else if (name == "Condition") {
      if (!m.value.IsObject()) return Malformed("Condition must be an object");
      for (const auto& op : m.value.GetObject()) {
        std::string full(op.name.GetString(), op.name.GetStringLength());
        auth::Condition base;
        std::string_view o = full;
        if (o.starts_with("ForAllValues:")) {
          base.set = auth::SetOperator::kForAllValues;
          o.remove_prefix(13);
        } else if (o.starts_with("ForAnyValue:")) {
          base.set = auth::SetOperator::kForAnyValue;
          o.remove_prefix(12);
        }
        if (o.ends_with("IfExists") && o != "Null") {
          base.if_exists = true;
          o.remove_suffix(8);
        }
        base.op = std::string(o);
        if (!auth::IsKnownOperator(base.op)) return Malformed("unknown condition operator " + full);
        if (!op.value.IsObject()) return Malformed("condition " + full + " must be an object");
        for (const auto& kv : op.value.GetObject()) {
          auth::Condition c = base;
          c.key.assign(kv.name.GetString(), kv.name.GetStringLength());
          BASALT_ASSIGN_OR_RETURN(c.values, Strings(kv.value, c.key));
          st.conditions.push_back(std::move(c));
        }
      }
    } else {
      return Malformed("unknown Statement field " + std::string(name));
    }
  }
  if (!has_action) return Malformed("a Statement needs Action or NotAction");
  if (!has_resource) st.resources = {"*"};  // resource-based policies may omit it
  return st;
}

}  // namespace

Result<auth::Policy> ParsePolicy(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return Malformed("not a JSON object");
  auth::Policy p;
  bool has_statement = false;
  for (const auto& m : doc.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == "Version") {
      if (!m.value.IsString()) return Malformed("Version must be a string");
      p.version = m.value.GetString();
      if (p.version != "2012-10-17" && p.version != "2008-10-17") return Malformed("unknown Version " + p.version);
    } else if (name == "Id") {
    } else if (name == "Statement") {
      has_statement = true;
      if (m.value.IsArray()) {
        for (const auto& s : m.value.GetArray()) {
          BASALT_ASSIGN_OR_RETURN(auto st, ParseStatement(s));
          p.statements.push_back(std::move(st));
        }
      } else {
        BASALT_ASSIGN_OR_RETURN(auto st, ParseStatement(m.value));
        p.statements.push_back(std::move(st));
      }
    } else {
      return Malformed("unknown policy field " + std::string(name));
    }
  }
  if (!has_statement) return Malformed("a policy needs a Statement");
  return p;
}

}  // namespace basalt::api
