// CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables,
// DescribeEndpoints and DescribeLimits.
#include <algorithm>
#include <cmath>

#include "api/handlers.h"
#include "model/limits.h"

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
  key(ks.hash, "HASH");
  if (ks.range) key(*ks.range, "RANGE");
  w.EndArray();
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
  w.Key("DeletionProtectionEnabled");
  w.Bool(m.deletion_protection);
  w.EndObject();
}

// {"<key>": TableDescription}, the response of every table operation.
void WriteDescriptionResponse(JsonWriter& out, const char* key, const db::TableDescription& d) {
  out.StartObject();
  out.Key(key);
  WriteTableDescription(out, d);
  out.EndObject();
}

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
  if (cls) *out = *cls == "STANDARD" ? db::TableClass::kStandard : db::TableClass::kStandardInfrequentAccess;
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

// ResourceArn of the tagging operations: present, 1 to 1283 characters.
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
  if (keys->size() > 2) {
    std::string repr = "'[";
    for (size_t k = 0; k < keys->size(); ++k) {
      repr += (k ? ", " : "") + std::string("KeySchemaElement(AttributeName=") + (*keys)[k].name +
              ", KeyType=" + (*keys)[k].type + ")";
    }
    errors->Add(repr + "]'", path, "Member must have length less than or equal to 2");
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
        if (!u.index.throughput) errors->AddNull(sub + ".provisionedThroughput");
      }
    }
    out->push_back(std::move(u));
  }
  return Status::Ok();
}

}  // namespace

Status CreateTable(Context& ctx, const JsonValue& req, JsonWriter& out) {
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
  BASALT_ASSIGN_OR_RETURN(auto protection, GetBool(req, "DeletionProtectionEnabled"));
  bool view_given = false;
  BASALT_RETURN_IF_ERROR(ReadStreamSpecification(req, &errors, &in.stream, &view_given));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_RETURN_IF_ERROR(CheckStreamSpecification(in.stream, view_given));

  // The key schema's shape, in the order DynamoDB checks it.
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

  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->CreateTable(ctx.scope, in));
  WriteDescriptionResponse(out, "TableDescription", d);
  return Status::Ok();
}

Status DescribeTable(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(std::string name, ReadTableName(req));
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->DescribeTable(ctx.scope, name));
  WriteDescriptionResponse(out, "Table", d);
  return Status::Ok();
}

Status DeleteTable(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(std::string name, ReadTableName(req));
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->DeleteTable(ctx.scope, name));
  WriteDescriptionResponse(out, "TableDescription", d);
  return Status::Ok();
}

Status UpdateTable(Context& ctx, const JsonValue& req, JsonWriter& out) {
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
  bool view_given = false;
  BASALT_RETURN_IF_ERROR(ReadStreamSpecification(req, &errors, &in.stream, &view_given));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_RETURN_IF_ERROR(CheckStreamSpecification(in.stream, view_given));
  for (const char* unsupported : {"ReplicaUpdates", "SSESpecification"}) {
    auto it = req.FindMember(unsupported);
    if (it != req.MemberEnd() && !it->value.IsNull()) {
      return Status::Validation(std::string(unsupported) + " is not supported by this version of Basalt");
    }
  }
  if (!in.billing_mode && !in.throughput && !in.table_class && !in.deletion_protection && in.index_updates.empty() &&
      !in.stream) {
    return Status::Validation("Nothing to update");
  }
  in.name = *name;
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->UpdateTable(ctx.scope, in));
  WriteDescriptionResponse(out, "TableDescription", d);
  return Status::Ok();
}

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
