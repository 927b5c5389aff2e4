// TagResource, UntagResource, ListTagsOfResource, UpdateTimeToLive and
// DescribeTimeToLive.
#include "api/handlers.h"
#include "api/table_decoding.h"
#include "model/limits.h"

namespace basalt::api {

Status TagResource(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(std::string arn, ReadResourceArn(req, &errors));
  std::vector<db::Tag> tags;
  if (!req.HasMember("Tags") || req["Tags"].IsNull()) errors.AddNull("tags");
  BASALT_RETURN_IF_ERROR(ReadTags(req, &errors, &tags));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_RETURN_IF_ERROR(ctx.db->TagResource(ctx.scope, arn, tags));
  out.StartObject();
  out.EndObject();
  return Status::Ok();
}

Status UntagResource(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(std::string arn, ReadResourceArn(req, &errors));
  BASALT_ASSIGN_OR_RETURN(const JsonValue* keys, GetArray(req, "TagKeys"));
  std::vector<std::string> names;
  if (!keys) {
    errors.AddNull("tagKeys");
  } else {
    for (const auto& k : keys->GetArray()) {
      if (!k.IsString()) return Status::Serialization(std::string(JsonKindName(k)) + " can not be converted to String");
      names.emplace_back(k.GetString(), k.GetStringLength());
    }
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_RETURN_IF_ERROR(ctx.db->UntagResource(ctx.scope, arn, names));
  out.StartObject();
  out.EndObject();
  return Status::Ok();
}

Status ListTagsOfResource(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(std::string arn, ReadResourceArn(req, &errors));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(std::vector<db::Tag> tags, ctx.db->ListTagsOfResource(ctx.scope, arn));
  // At most 50 tags: one page, never a NextToken.
  out.StartObject();
  out.Key("Tags");
  out.StartArray();
  for (const auto& t : tags) {
    out.StartObject();
    out.Key("Key");
    WriteString(out, t.key);
    out.Key("Value");
    WriteString(out, t.value);
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
  return Status::Ok();
}

Status UpdateTimeToLive(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_RETURN_IF_ERROR(RequireTableName(req));
  BASALT_ASSIGN_OR_RETURN(std::string name, ReadTableName(req));
  BASALT_ASSIGN_OR_RETURN(const JsonValue* spec, GetObject(req, "TimeToLiveSpecification"));
  ConstraintErrors errors;
  if (!spec) {
    errors.AddNull("timeToLiveSpecification");
    return errors.ToStatus();
  }
  BASALT_ASSIGN_OR_RETURN(auto attribute, GetString(*spec, "AttributeName"));
  BASALT_ASSIGN_OR_RETURN(auto enabled, GetBool(*spec, "Enabled"));
  if (!attribute) {
    errors.AddNull("timeToLiveSpecification.attributeName");
  } else if (attribute->empty() || attribute->size() > model::kMaxKeyAttributeNameLength) {
    errors.Add("'" + *attribute + "'", "timeToLiveSpecification.attributeName",
               attribute->empty() ? "Member must have length greater than or equal to 1"
                                  : "Member must have length less than or equal to 255");
  }
  if (!enabled) errors.AddNull("timeToLiveSpecification.enabled");
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_RETURN_IF_ERROR(ctx.db->UpdateTimeToLive(ctx.scope, name, *attribute, *enabled));
  out.StartObject();
  out.Key("TimeToLiveSpecification");
  out.StartObject();
  out.Key("Enabled");
  out.Bool(*enabled);
  out.Key("AttributeName");
  WriteString(out, *attribute);
  out.EndObject();
  out.EndObject();
  return Status::Ok();
}

Status DescribeTimeToLive(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_RETURN_IF_ERROR(RequireTableName(req));
  BASALT_ASSIGN_OR_RETURN(std::string name, ReadTableName(req));
  BASALT_ASSIGN_OR_RETURN(db::TimeToLiveDescription d, ctx.db->DescribeTimeToLive(ctx.scope, name));
  out.StartObject();
  out.Key("TimeToLiveDescription");
  out.StartObject();
  out.Key("TimeToLiveStatus");
  WriteString(out, d.status);
  if (!d.attribute.empty()) {
    out.Key("AttributeName");
    WriteString(out, d.attribute);
  }
  out.EndObject();
  out.EndObject();
  return Status::Ok();
}

}  // namespace basalt::api
