#include "api/table_settings.h"

#include "db/account.h"

namespace basalt::api {

Status ReadOnDemandThroughput(const JsonValue& obj, const char* member, std::optional<db::OnDemandInput>* out) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* o, GetObject(obj, member));
  if (!o) return Status::Ok();
  db::OnDemandInput in;
  BASALT_ASSIGN_OR_RETURN(in.max_read, GetInteger(*o, "MaxReadRequestUnits"));
  BASALT_ASSIGN_OR_RETURN(in.max_write, GetInteger(*o, "MaxWriteRequestUnits"));
  *out = in;
  return Status::Ok();
}

Status ReadWarmThroughput(const JsonValue& obj, const std::string& path, ConstraintErrors* errors,
                          std::optional<db::WarmInput>* out) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* o, GetObject(obj, "WarmThroughput"));
  if (!o) return Status::Ok();
  db::WarmInput in;
  BASALT_ASSIGN_OR_RETURN(in.read, GetInteger(*o, "ReadUnitsPerSecond"));
  BASALT_ASSIGN_OR_RETURN(in.write, GetInteger(*o, "WriteUnitsPerSecond"));
  for (auto [v, name] : {std::pair{in.read, ".readUnitsPerSecond"}, std::pair{in.write, ".writeUnitsPerSecond"}}) {
    if (v && *v < 1) {
      errors->Add("'" + std::to_string(*v) + "'", path + name, "Member must have value greater than or equal to 1");
    }
  }
  *out = in;
  return Status::Ok();
}

Status ReadSseSpecification(const JsonValue& obj, const char* member, const std::string& path,
                            ConstraintErrors* errors, std::optional<db::SseSettings>* out) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* o, GetObject(obj, member));
  if (!o) return Status::Ok();
  BASALT_ASSIGN_OR_RETURN(auto enabled, GetBool(*o, "Enabled"));
  BASALT_ASSIGN_OR_RETURN(auto type, GetEnum(*o, "SSEType", path + ".sSEType", {"AES256", "KMS"}, "[AES256, KMS]",
                                             errors));
  BASALT_ASSIGN_OR_RETURN(auto key, GetString(*o, "KMSMasterKeyId"));
  if (key && key->size() > 2048) {
    errors->Add("'" + *key + "'", path + ".kMSMasterKeyId", "Member must have length less than or equal to 2048");
  }
  // Enabled true is a KMS key (SSEType's only value for a table's own key);
  // false, or nothing, the AWS owned key.
  db::SseSettings sse;
  sse.kms = enabled.value_or(type == "KMS");
  if (sse.kms) sse.kms_key = key.value_or("");
  *out = sse;
  return Status::Ok();
}

void WriteOnDemandThroughput(JsonWriter& w, const db::OnDemandCaps& caps) {
  if (caps.max_read == 0 && caps.max_write == 0) return;
  w.Key("OnDemandThroughput");
  w.StartObject();
  w.Key("MaxReadRequestUnits");
  w.Int64(caps.max_read > 0 ? caps.max_read : -1);
  w.Key("MaxWriteRequestUnits");
  w.Int64(caps.max_write > 0 ? caps.max_write : -1);
  w.EndObject();
}

void WriteWarmThroughput(JsonWriter& w, const db::WarmThroughput& warm, const db::WarmThroughput& defaults,
                         std::string_view status) {
  if (warm.read == 0 && warm.write == 0) return;
  w.Key("WarmThroughput");
  w.StartObject();
  w.Key("ReadUnitsPerSecond");
  w.Int64(warm.read > 0 ? warm.read : defaults.read);
  w.Key("WriteUnitsPerSecond");
  w.Int64(warm.write > 0 ? warm.write : defaults.write);
  w.Key("Status");
  WriteString(w, status);
  w.EndObject();
}

void WriteSseDescription(JsonWriter& w, const db::TableMeta& meta) {
  if (!meta.sse.kms) return;
  // There is no KMS here: the key is named as given, in ARN form; the AWS
  // managed key by its alias.
  std::string prefix = "arn:aws:kms:" + meta.region + ":" + std::string(db::AccountOfNamespace(meta.ns)) + ":";
  const std::string& key = meta.sse.kms_key;
  std::string arn = key.empty()                    ? prefix + "alias/aws/dynamodb"
                    : key.rfind("arn:", 0) == 0    ? key
                    : key.rfind("alias/", 0) == 0  ? prefix + key
                                                   : prefix + "key/" + key;
  w.Key("SSEDescription");
  w.StartObject();
  w.Key("Status");
  w.String("ENABLED");
  w.Key("SSEType");
  w.String("KMS");
  w.Key("KMSMasterKeyArn");
  WriteString(w, arn);
  w.EndObject();
}

}  // namespace basalt::api
