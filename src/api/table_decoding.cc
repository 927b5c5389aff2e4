#include "api/table_decoding.h"

#include "api/handlers.h"
#include "api/table_settings.h"
#include "db/table_validation.h"
#include "model/limits.h"

namespace basalt::api {
namespace {

// ProvisionedThroughput of a table, or of an index at constraint path `prefix`.
Status ReadThroughput(const JsonValue& req, ConstraintErrors* errors, std::optional<db::ProvisionedThroughput>* out,
                      const std::string& prefix = "") {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* pt, GetObject(req, "ProvisionedThroughput"));
  if (!pt) return Status::Ok();
  BASALT_ASSIGN_OR_RETURN(auto rcu, GetInteger(*pt, "ReadCapacityUnits"));
  BASALT_ASSIGN_OR_RETURN(auto wcu, GetInteger(*pt, "WriteCapacityUnits"));
  auto check = [&](const std::optional<int64_t>& v, const std::string& path) {
    if (!v) {
      errors->AddNull(path);
    } else if (*v < 1) {
      errors->Add("'" + std::to_string(*v) + "'", path, "Member must have value greater than or equal to 1");
    }
  };
  check(rcu, prefix + "provisionedThroughput.readCapacityUnits");
  check(wcu, prefix + "provisionedThroughput.writeCapacityUnits");
  db::ProvisionedThroughput tp;
  tp.read_capacity_units = rcu.value_or(0);
  tp.write_capacity_units = wcu.value_or(0);
  *out = tp;
  return Status::Ok();
}

Status ReadBillingMode(const JsonValue& req, ConstraintErrors* errors, std::optional<db::BillingMode>* out) {
  BASALT_ASSIGN_OR_RETURN(auto mode, GetEnum(req, "BillingMode", "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"},
                                             "[PROVISIONED, PAY_PER_REQUEST]", errors));
  if (mode) *out = *mode == "PROVISIONED" ? db::BillingMode::kProvisioned : db::BillingMode::kPayPerRequest;
  return Status::Ok();
}

Status ReadTableClass(const JsonValue& req, ConstraintErrors* errors, std::optional<db::TableClass>* out) {
  BASALT_ASSIGN_OR_RETURN(auto cls, GetEnum(req, "TableClass", "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"},
                                            "[STANDARD_INFREQUENT_ACCESS, STANDARD]", errors));
  if (cls == "STANDARD") *out = db::TableClass::kStandard;
  if (cls == "STANDARD_INFREQUENT_ACCESS") *out = db::TableClass::kStandardInfrequentAccess;
  return Status::Ok();
}

// StreamSpecification: StreamEnabled is required, and a view type goes with
// enabling only.
Status ReadStreamSpecification(const JsonValue& req, ConstraintErrors* errors,
                               std::optional<db::StreamSpecInput>* out, bool* view_given) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* spec, GetObject(req, "StreamSpecification"));
  if (!spec) return Status::Ok();
  BASALT_ASSIGN_OR_RETURN(auto enabled, GetBool(*spec, "StreamEnabled"));
  BASALT_ASSIGN_OR_RETURN(
      auto view, GetEnum(*spec, "StreamViewType", "streamSpecification.streamViewType",
                         {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"},
                         "[NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]", errors));
  if (!enabled) errors->AddNull("streamSpecification.streamEnabled");
  auto v = spec->FindMember("StreamViewType");
  *view_given = v != spec->MemberEnd() && !v->value.IsNull();
  db::StreamSpecInput in;
  in.enabled = enabled.value_or(false);
  if (view) in.view = *ParseStreamViewType(*view);
  *out = in;
  return Status::Ok();
}

// The view type goes with enabling a stream, and only with it.
Status CheckStreamSpecification(const std::optional<db::StreamSpecInput>& spec, bool view_given) {
  if (!spec) return Status::Ok();
  if (spec->enabled && !view_given) {
    return Status::Validation(
        "Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams.");
  }
  if (!spec->enabled && view_given) {
    return Status::Validation("Invalid StreamViewType: Stream StreamEnabled was false but a StreamViewType was present.");
  }
  return Status::Ok();
}

Result<std::optional<model::Type>> ParseScalarType(const std::string& s) {
  if (s == "S") return std::optional<model::Type>(model::Type::kS);
  if (s == "N") return std::optional<model::Type>(model::Type::kN);
  if (s == "B") return std::optional<model::Type>(model::Type::kB);
  return std::optional<model::Type>();
}

struct KeyElement {
  std::string name;
  std::string type;
};

// A KeySchema array (of the table at `path` "keySchema", or of an index).
Status ReadKeySchema(const JsonValue& obj, const std::string& path, ConstraintErrors* errors,
                     std::vector<KeyElement>* keys) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* key_schema, GetArray(obj, "KeySchema"));
  if (!key_schema) {
    errors->AddNull(path);
    keys->push_back({});
    return Status::Ok();
  }
  int i = 0;
  for (const auto& e : key_schema->GetArray()) {
    ++i;
    if (!e.IsObject()) {
      return Status::Serialization(std::string(JsonKindName(e)) + " can not be converted to KeySchemaElement");
    }
    BASALT_ASSIGN_OR_RETURN(auto attr, GetString(e, "AttributeName"));
    BASALT_ASSIGN_OR_RETURN(auto type, GetString(e, "KeyType"));
    std::string member = path + "." + std::to_string(i) + ".member.";
    if (!attr) {
      errors->AddNull(member + "attributeName");
    } else if (attr->empty() || attr->size() > model::kMaxKeyAttributeNameLength) {
      errors->Add("'" + *attr + "'", member + "attributeName",
                  attr->empty() ? "Member must have length greater than or equal to 1"
                                : "Member must have length less than or equal to 255");
    }
    if (!type) {
      errors->AddNull(member + "keyType");
    } else if (*type != "HASH" && *type != "RANGE") {
      errors->Add("'" + *type + "'", member + "keyType", "Member must satisfy enum value set: [HASH, RANGE]");
    }
    keys->push_back({attr.value_or(""), type.value_or("")});
  }
  if (keys->empty()) {
    errors->Add("'[]'", path, "Member must have length greater than or equal to 1");
    keys->push_back({});
  }
  return Status::Ok();
}

Status ReadAttributeDefinitions(const JsonValue& req, ConstraintErrors* errors,
                                std::vector<model::KeyAttribute>* defs, bool required = true) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* attr_defs, GetArray(req, "AttributeDefinitions"));
  if (!attr_defs) {
    if (required) errors->AddNull("attributeDefinitions");
    return Status::Ok();
  }
  int i = 0;
  for (const auto& e : attr_defs->GetArray()) {
    ++i;
    if (!e.IsObject()) {
      return Status::Serialization(std::string(JsonKindName(e)) + " can not be converted to AttributeDefinition");
    }
    BASALT_ASSIGN_OR_RETURN(auto attr, GetString(e, "AttributeName"));
    BASALT_ASSIGN_OR_RETURN(auto type, GetString(e, "AttributeType"));
    std::string path = "attributeDefinitions." + std::to_string(i) + ".member.";
    if (!attr) {
      errors->AddNull(path + "attributeName");
    } else if (attr->empty() || attr->size() > model::kMaxKeyAttributeNameLength) {
      errors->Add("'" + *attr + "'", path + "attributeName",
                  attr->empty() ? "Member must have length greater than or equal to 1"
                                : "Member must have length less than or equal to 255");
    }
    std::optional<model::Type> t;
    if (!type) {
      errors->AddNull(path + "attributeType");
    } else {
      BASALT_ASSIGN_OR_RETURN(t, ParseScalarType(*type));
      if (!t) errors->Add("'" + *type + "'", path + "attributeType", "Member must satisfy enum value set: [B, N, S]");
    }
    defs->push_back(model::KeyAttribute{attr.value_or(""), t.value_or(model::Type::kS)});
  }
  return Status::Ok();
}

// One index definition (CreateTable's LocalSecondaryIndexes and
// GlobalSecondaryIndexes, UpdateTable's Create), at constraint path `path`.
Status ReadIndex(const JsonValue& e, bool global, const std::string& path, ConstraintErrors* errors,
                 db::IndexInput* index) {
  if (!e.IsObject()) {
    return Status::Serialization(std::string(JsonKindName(e)) + " can not be converted to " +
                                 (global ? "GlobalSecondaryIndex" : "LocalSecondaryIndex"));
  }
  index->global = global;
  BASALT_ASSIGN_OR_RETURN(auto name, GetString(e, "IndexName"));
  CheckTableName(name, path + ".indexName", errors);
  index->name = name.value_or("");
  std::vector<KeyElement> keys;
  BASALT_RETURN_IF_ERROR(ReadKeySchema(e, path + ".keySchema", errors, &keys));
  for (const auto& k : keys) index->key_schema.emplace_back(k.name, k.type);
  BASALT_ASSIGN_OR_RETURN(const JsonValue* projection, GetObject(e, "Projection"));
  if (!projection) {
    errors->AddNull(path + ".projection");
  } else {
    BASALT_ASSIGN_OR_RETURN(auto type, GetEnum(*projection, "ProjectionType", path + ".projection.projectionType",
                                               {"ALL", "KEYS_ONLY", "INCLUDE"}, "[ALL, KEYS_ONLY, INCLUDE]", errors));
    index->projection = type == "KEYS_ONLY" ? db::ProjectionType::kKeysOnly
                        : type == "INCLUDE" ? db::ProjectionType::kInclude
                                            : db::ProjectionType::kAll;
    BASALT_ASSIGN_OR_RETURN(const JsonValue* attrs, GetArray(*projection, "NonKeyAttributes"));
    if (attrs) {
      std::vector<std::string> names;
      for (const auto& a : attrs->GetArray()) {
        if (!a.IsString()) return Status::Serialization(std::string(JsonKindName(a)) + " can not be converted to String");
        names.emplace_back(a.GetString(), a.GetStringLength());
      }
      index->non_key_attributes = std::move(names);
    }
  }
  if (global) {
    BASALT_RETURN_IF_ERROR(ReadThroughput(e, errors, &index->throughput, path + "."));
    BASALT_RETURN_IF_ERROR(ReadOnDemandThroughput(e, "OnDemandThroughput", &index->on_demand));
    BASALT_RETURN_IF_ERROR(ReadWarmThroughput(e, path + ".warmThroughput", errors, &index->warm));
  }
  return Status::Ok();
}

Status ReadIndexes(const JsonValue& req, bool global, ConstraintErrors* errors, std::vector<db::IndexInput>* out,
                   bool* present) {
  const char* field = global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
  BASALT_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(req, field));
  *present = arr != nullptr;
  if (!arr) return Status::Ok();
  std::string path = global ? "globalSecondaryIndexes" : "localSecondaryIndexes";
  int i = 0;
  for (const auto& e : arr->GetArray()) {
    ++i;
    db::IndexInput index;
    BASALT_RETURN_IF_ERROR(ReadIndex(e, global, path + "." + std::to_string(i) + ".member", errors, &index));
    out->push_back(std::move(index));
  }
  return Status::Ok();
}

Status ReadIndexUpdates(const JsonValue& req, ConstraintErrors* errors, std::vector<db::IndexUpdate>* out) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(req, "GlobalSecondaryIndexUpdates"));
  if (!arr) return Status::Ok();
  int i = 0;
  for (const auto& e : arr->GetArray()) {
    ++i;
    if (!e.IsObject()) {
      return Status::Serialization(std::string(JsonKindName(e)) + " can not be converted to GlobalSecondaryIndexUpdate");
    }
    std::string path = "globalSecondaryIndexUpdates." + std::to_string(i) + ".member";
    BASALT_ASSIGN_OR_RETURN(const JsonValue* create, GetObject(e, "Create"));
    BASALT_ASSIGN_OR_RETURN(const JsonValue* del, GetObject(e, "Delete"));
    BASALT_ASSIGN_OR_RETURN(const JsonValue* update, GetObject(e, "Update"));
    int given = (create != nullptr) + (del != nullptr) + (update != nullptr);
    // DynamoDB Local's wording; the service's is not known.
    if (given == 0) return Status::Validation("Update global secondary index action is null");
    if (given > 1) {
      return Status::Validation("Only one of Create, Update or Delete may be given in one GlobalSecondaryIndexUpdate");
    }
    db::IndexUpdate u;
    if (create) {
      u.kind = db::IndexUpdate::kCreate;
      BASALT_RETURN_IF_ERROR(ReadIndex(*create, true, path + ".create", errors, &u.index));
    } else {
      const JsonValue& body = del ? *del : *update;
      u.kind = del ? db::IndexUpdate::kDelete : db::IndexUpdate::kUpdate;
      u.index.global = true;
      BASALT_ASSIGN_OR_RETURN(auto name, GetString(body, "IndexName"));
      std::string sub = path + (del ? ".delete" : ".update");
      CheckTableName(name, sub + ".indexName", errors);
      u.index.name = name.value_or("");
      if (update) {
        BASALT_RETURN_IF_ERROR(ReadThroughput(body, errors, &u.index.throughput, sub + "."));
        BASALT_RETURN_IF_ERROR(ReadOnDemandThroughput(body, "OnDemandThroughput", &u.index.on_demand));
        BASALT_RETURN_IF_ERROR(ReadWarmThroughput(body, sub + ".warmThroughput", errors, &u.index.warm));
        if (!u.index.throughput && !u.index.on_demand && !u.index.warm) {
          errors->AddNull(sub + ".provisionedThroughput");
        }
      }
    }
    out->push_back(std::move(u));
  }
  return Status::Ok();
}

}  // namespace

Status ReadTags(const JsonValue& req, ConstraintErrors* errors, std::vector<db::Tag>* tags) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(req, "Tags"));
  if (!arr) return Status::Ok();
  int i = 0;
  for (const auto& t : arr->GetArray()) {
    ++i;
    if (!t.IsObject()) return Status::Serialization(std::string(JsonKindName(t)) + " can not be converted to Tag");
    BASALT_ASSIGN_OR_RETURN(auto key, GetString(t, "Key"));
    BASALT_ASSIGN_OR_RETURN(auto value, GetString(t, "Value"));
    std::string path = "tags." + std::to_string(i) + ".member.";
    if (!key) errors->AddNull(path + "key");
    if (!value) errors->AddNull(path + "value");
    if (key && (key->empty() || key->size() > 128)) {
      errors->Add("'" + *key + "'", path + "key",
                  key->empty() ? "Member must have length greater than or equal to 1"
                               : "Member must have length less than or equal to 128");
    }
    if (value && value->size() > 256) {
      errors->Add("'" + *value + "'", path + "value", "Member must have length less than or equal to 256");
    }
    tags->push_back(db::Tag{key.value_or(""), value.value_or("")});
  }
  if (tags->size() > model::kMaxTagsPerResource) {
    return Status::Validation("One or more parameter values were invalid: Too many tags");
  }
  return Status::Ok();
}

Result<std::string> ReadResourceArn(const JsonValue& req, ConstraintErrors* errors) {
  BASALT_ASSIGN_OR_RETURN(auto arn, GetString(req, "ResourceArn"));
  if (!arn) {
    errors->AddNull("resourceArn");
  } else if (arn->empty() || arn->size() > 1283) {
    errors->Add("'" + *arn + "'", "resourceArn",
                arn->empty() ? "Member must have length greater than or equal to 1"
                             : "Member must have length less than or equal to 1283");
  }
  return arn.value_or("");
}

Result<db::CreateTableInput> DecodeCreateTable(const JsonValue& req) {
  BASALT_RETURN_IF_ERROR(RequireTableName(req));
  ConstraintErrors errors;
  db::CreateTableInput in;
  BASALT_ASSIGN_OR_RETURN(auto name, GetString(req, "TableName"));
  CheckTableName(name, "tableName", &errors);
  std::vector<KeyElement> keys;
  BASALT_RETURN_IF_ERROR(ReadKeySchema(req, "keySchema", &errors, &keys));
  BASALT_RETURN_IF_ERROR(ReadAttributeDefinitions(req, &errors, &in.attribute_definitions));
  BASALT_RETURN_IF_ERROR(ReadIndexes(req, false, &errors, &in.local_indexes, &in.has_local_indexes));
  BASALT_RETURN_IF_ERROR(ReadIndexes(req, true, &errors, &in.global_indexes, &in.has_global_indexes));
  std::optional<db::BillingMode> billing;
  BASALT_RETURN_IF_ERROR(ReadBillingMode(req, &errors, &billing));
  BASALT_RETURN_IF_ERROR(ReadThroughput(req, &errors, &in.throughput));
  std::optional<db::TableClass> table_class;
  BASALT_RETURN_IF_ERROR(ReadTableClass(req, &errors, &table_class));
  BASALT_RETURN_IF_ERROR(ReadTags(req, &errors, &in.tags));
  BASALT_RETURN_IF_ERROR(ReadOnDemandThroughput(req, "OnDemandThroughput", &in.on_demand));
  BASALT_RETURN_IF_ERROR(ReadWarmThroughput(req, "warmThroughput", &errors, &in.warm));
  BASALT_RETURN_IF_ERROR(ReadSseSpecification(req, "SSESpecification", "sSESpecification", &errors, &in.sse));
  BASALT_ASSIGN_OR_RETURN(auto protection, GetBool(req, "DeletionProtectionEnabled"));
  bool view_given = false;
  BASALT_RETURN_IF_ERROR(ReadStreamSpecification(req, &errors, &in.stream, &view_given));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_RETURN_IF_ERROR(CheckStreamSpecification(in.stream, view_given));

  // The key schema's shape, in the order DynamoDB checks it.
  if (keys.size() > 2) return Status::Validation(std::string(db::kKeySchemaTooBig));
  if (keys[0].type != "HASH") return Status::Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (keys.size() == 2 && keys[1].type != "RANGE") {
    return Status::Validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  if (keys.size() == 2 && keys[0].name == keys[1].name) {
    return Status::Validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  auto type_of = [&](const std::string& attr) {
    for (const auto& d : in.attribute_definitions) {
      if (d.name == attr) return d.type;
    }
    return model::Type::kS;  // undefined keys are reported by the database
  };
  in.name = *name;
  in.key_schema.hash = model::KeyAttribute{keys[0].name, type_of(keys[0].name)};
  if (keys.size() == 2) in.key_schema.range = model::KeyAttribute{keys[1].name, type_of(keys[1].name)};
  in.billing_mode = billing.value_or(db::BillingMode::kProvisioned);
  in.table_class = table_class.value_or(db::TableClass::kStandard);
  in.deletion_protection = protection.value_or(false);
  return in;
}

Result<db::UpdateTableInput> DecodeUpdateTable(const JsonValue& req) {
  BASALT_RETURN_IF_ERROR(RequireTableName(req));
  ConstraintErrors errors;
  db::UpdateTableInput in;
  BASALT_ASSIGN_OR_RETURN(auto name, GetString(req, "TableName"));
  CheckTableName(name, "tableName", &errors);
  BASALT_RETURN_IF_ERROR(ReadBillingMode(req, &errors, &in.billing_mode));
  BASALT_RETURN_IF_ERROR(ReadThroughput(req, &errors, &in.throughput));
  BASALT_RETURN_IF_ERROR(ReadTableClass(req, &errors, &in.table_class));
  BASALT_ASSIGN_OR_RETURN(in.deletion_protection, GetBool(req, "DeletionProtectionEnabled"));
  BASALT_RETURN_IF_ERROR(ReadAttributeDefinitions(req, &errors, &in.attribute_definitions, false));
  BASALT_RETURN_IF_ERROR(ReadIndexUpdates(req, &errors, &in.index_updates));
  BASALT_RETURN_IF_ERROR(ReadOnDemandThroughput(req, "OnDemandThroughput", &in.on_demand));
  BASALT_RETURN_IF_ERROR(ReadWarmThroughput(req, "warmThroughput", &errors, &in.warm));
  BASALT_RETURN_IF_ERROR(ReadSseSpecification(req, "SSESpecification", "sSESpecification", &errors, &in.sse));
  bool view_given = false;
  BASALT_RETURN_IF_ERROR(ReadStreamSpecification(req, &errors, &in.stream, &view_given));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_RETURN_IF_ERROR(CheckStreamSpecification(in.stream, view_given));
  if (auto it = req.FindMember("ReplicaUpdates"); it != req.MemberEnd() && !it->value.IsNull()) {
    return Status::Validation("ReplicaUpdates is not supported by this version of Basalt");
  }
  if (!in.billing_mode && !in.throughput && !in.table_class && !in.deletion_protection && in.index_updates.empty() &&
      !in.stream && !in.on_demand && !in.warm && !in.sse) {
    return Status::Validation("Nothing to update");
  }
  in.name = *name;
  return in;
}

Status ReadIndexOverride(const JsonValue& req, const char* field, const std::string& path, bool global,
                         ConstraintErrors* errors, std::optional<std::vector<db::IndexInput>>* out) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(req, field));
  if (!arr) return Status::Ok();
  out->emplace();
  int i = 0;
  for (const auto& e : arr->GetArray()) {
    db::IndexInput index;
    BASALT_RETURN_IF_ERROR(ReadIndex(e, global, path + "." + std::to_string(++i) + ".member", errors, &index));
    (*out)->push_back(std::move(index));
  }
  return Status::Ok();
}

}  // namespace basalt::api
