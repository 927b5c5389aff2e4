// PutItem, GetItem, DeleteItem, BatchGetItem and BatchWriteItem.
#include <set>

#include "api/expressions.h"
#include "api/handlers.h"
#include "api/legacy.h"
#include "model/limits.h"

namespace basalt::api {

Result<db::ReturnCapacity> ReadReturnCapacity(const JsonValue& req, ConstraintErrors* errors) {
  BASALT_ASSIGN_OR_RETURN(auto v, GetEnum(req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                                          {"INDEXES", "TOTAL", "NONE"}, "[INDEXES, TOTAL, NONE]", errors));
  if (v == "TOTAL") return db::ReturnCapacity::kTotal;
  if (v == "INDEXES") return db::ReturnCapacity::kIndexes;
  return db::ReturnCapacity::kNone;
}

Result<db::ReturnCapacity> ReadReturnCapacity(const JsonValue& req) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req, &errors));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  return cap;
}

Status ReadConditionalOperator(const JsonValue& req, ConstraintErrors* errors) {
  BASALT_ASSIGN_OR_RETURN(auto v, GetEnum(req, "ConditionalOperator", "conditionalOperator", {"AND", "OR"},
                                          "[OR, AND]", errors));
  return Status::Ok();
}

void WriteCapacity(JsonWriter& w, db::ReturnCapacity mode, const db::ConsumedCapacity& c) {
  auto units = [&](double u) {
    w.StartObject();
    w.Key("CapacityUnits");
    w.Double(u);
    w.EndObject();
  };
  auto index_units = [&](const char* key, const std::map<std::string, double>& by_index) {
    if (by_index.empty()) return;
    w.Key(key);
    w.StartObject();
    for (const auto& [name, u] : by_index) {
      WriteKey(w, name);
      units(u);
    }
    w.EndObject();
  };
  w.StartObject();
  w.Key("TableName");
  WriteString(w, c.table);
  w.Key("CapacityUnits");
  w.Double(c.Total());
  if (mode == db::ReturnCapacity::kIndexes) {
    w.Key("Table");
    units(c.read_units + c.write_units);
    index_units("LocalSecondaryIndexes", c.local_indexes);
    index_units("GlobalSecondaryIndexes", c.global_indexes);
  }
  w.EndObject();
}

void WriteCapacityList(JsonWriter& out, db::ReturnCapacity cap, const std::vector<db::ConsumedCapacity>& list) {
  if (cap == db::ReturnCapacity::kNone) return;
  out.Key("ConsumedCapacity");
  out.StartArray();
  for (const auto& c : list) WriteCapacity(out, cap, c);
  out.EndArray();
}

// ReturnItemCollectionMetrics: whether SIZE was asked for.
Result<bool> ReadReturnItemCollectionMetrics(const JsonValue& req, ConstraintErrors* errors) {
  BASALT_ASSIGN_OR_RETURN(auto v, GetEnum(req, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics",
                                          {"SIZE", "NONE"}, "[SIZE, NONE]", errors));
  return v == "SIZE";
}

Result<bool> ReadReturnItemCollectionMetrics(const JsonValue& req) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(bool metrics, ReadReturnItemCollectionMetrics(req, &errors));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  return metrics;
}

void WriteCollectionMetrics(JsonWriter& w, const db::ItemCollectionMetrics& m) {
  w.StartObject();
  w.Key("ItemCollectionKey");
  WriteItem(w, m.key);
  w.Key("SizeEstimateRangeGB");
  w.StartArray();
  w.Double(m.low_gb);
  w.Double(m.high_gb);
  w.EndArray();
  w.EndObject();
}

void WriteCollectionMetricsByTable(JsonWriter& out,
                                   const std::map<std::string, std::vector<db::ItemCollectionMetrics>>& by_table) {
  if (by_table.empty()) return;
  out.Key("ItemCollectionMetrics");
  out.StartObject();
  for (const auto& [table, list] : by_table) {
    WriteKey(out, table);
    out.StartArray();
    for (const auto& m : list) WriteCollectionMetrics(out, m);
    out.EndArray();
  }
  out.EndObject();
}

Result<bool> ReadReturnOldOnFailure(const JsonValue& req) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto v, GetEnum(req, "ReturnValuesOnConditionCheckFailure",
                                          "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"},
                                          "[ALL_OLD, NONE]", &errors));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  return v == "ALL_OLD";
}

namespace {

// ReturnValues' constraint, into `errors`.
Result<std::optional<std::string>> ReadReturnValues(const JsonValue& req, ConstraintErrors* errors) {
  return GetEnum(req, "ReturnValues", "returnValues", {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"},
                 "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", errors);
}

// ReturnValues for PutItem and DeleteItem: NONE or ALL_OLD.
Result<bool> ReturnOld(const std::optional<std::string>& v) {
  if (v && *v != "NONE" && *v != "ALL_OLD") return Status::Validation("Return values set to invalid value");
  return v == "ALL_OLD";
}

Result<bool> ReadReturnOld(const JsonValue& req) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto v, ReadReturnValues(req, &errors));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  return ReturnOld(v);
}

// A rejected list or map as a constraint message shows it. The service
// prints Java's toString of its model objects, which clients cannot rely on;
// this is the JSON text, its size bounded.
std::string RejectedValueText(const JsonValue& v) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), std::min<size_t>(buf.GetSize(), 1024));
}

// ConditionExpression, or the legacy Expected and ConditionalOperator, of a
// single-item write.
Result<db::WriteCondition> ReadWriteCondition(const JsonValue& req, RequestExpressions& exprs) {
  db::WriteCondition wc;
  BASALT_RETURN_IF_ERROR(exprs.CheckNotMixed("Expected", "ConditionExpression"));
  BASALT_RETURN_IF_ERROR(exprs.CheckNotMixed("ConditionalOperator", "ConditionExpression"));
  BASALT_ASSIGN_OR_RETURN(wc.condition, exprs.Condition("ConditionExpression", expr::ConditionKind::kCondition));
  BASALT_ASSIGN_OR_RETURN(wc.return_old_on_failure, ReadReturnOldOnFailure(req));
  BASALT_ASSIGN_OR_RETURN(const JsonValue* expected, GetObject(req, "Expected"));
  auto op = req.FindMember("ConditionalOperator");
  const JsonValue* conditional_operator =
      op != req.MemberEnd() && !op->value.IsNull() ? &op->value : nullptr;
  if (conditional_operator && !expected) {
    return Status::Validation("ConditionalOperator cannot be used without Filter or Expected");
  }
  if (expected && (expected->MemberCount() > 0 || conditional_operator)) {
    BASALT_ASSIGN_OR_RETURN(expr::Condition c, ExpectedToCondition(*expected, conditional_operator));
    wc.condition = std::move(c);
  }
  return wc;
}

Result<model::Item> ReadKey(const JsonValue& req) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* key, GetObject(req, "Key"));
  if (!key) {
    ConstraintErrors errors;
    errors.AddNull("key");
    return errors.ToStatus();
  }
  return DecodeItem(*key);
}

// The response of PutItem, DeleteItem and UpdateItem: the item if asked for,
// capacity, item collection metrics.
void WriteWriteOutput(JsonWriter& out, const db::ItemOutput& result, db::ReturnCapacity cap, bool metrics) {
  out.StartObject();
  if (result.item) {
    out.Key("Attributes");
    WriteItem(out, *result.item);
  }
  if (cap != db::ReturnCapacity::kNone) {
    out.Key("ConsumedCapacity");
    WriteCapacity(out, cap, result.capacity);
  }
  if (metrics && result.collection) {
    out.Key("ItemCollectionMetrics");
    WriteCollectionMetrics(out, *result.collection);
  }
  out.EndObject();
}

}  // namespace

Status PutItem(Context& ctx, const JsonValue& req, JsonWriter& out) {
  db::PutItemInput in;
  // Every violated constraint in one message, in the service's member order.
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req, &errors));
  BASALT_ASSIGN_OR_RETURN(auto table, GetString(req, "TableName"));
  CheckTableName(table, "tableName", &errors);
  BASALT_ASSIGN_OR_RETURN(const JsonValue* item, GetObject(req, "Item"));
  if (!item) errors.AddNull("item");
  BASALT_RETURN_IF_ERROR(ReadConditionalOperator(req, &errors));
  BASALT_ASSIGN_OR_RETURN(auto return_values, ReadReturnValues(req, &errors));
  BASALT_ASSIGN_OR_RETURN(bool metrics, ReadReturnItemCollectionMetrics(req, &errors));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  in.table = *table;
  BASALT_ASSIGN_OR_RETURN(in.return_old, ReturnOld(return_values));
  BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(req));
  BASALT_ASSIGN_OR_RETURN(in.condition, ReadWriteCondition(req, exprs));
  BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"ConditionExpression"}));
  BASALT_ASSIGN_OR_RETURN(in.item, DecodeItem(*item));
  BASALT_ASSIGN_OR_RETURN(db::ItemOutput result, ctx.db->PutItem(ctx.scope, in));
  WriteWriteOutput(out, result, cap, metrics);
  return Status::Ok();
}

Status DeleteItem(Context& ctx, const JsonValue& req, JsonWriter& out) {
  db::KeyInput in;
  BASALT_ASSIGN_OR_RETURN(in.table, ReadTableName(req));
  BASALT_ASSIGN_OR_RETURN(in.return_old, ReadReturnOld(req));
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req));
  BASALT_ASSIGN_OR_RETURN(bool metrics, ReadReturnItemCollectionMetrics(req));
  BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(req));
  BASALT_ASSIGN_OR_RETURN(in.condition, ReadWriteCondition(req, exprs));
  BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"ConditionExpression"}));
  BASALT_ASSIGN_OR_RETURN(in.key, ReadKey(req));
  BASALT_ASSIGN_OR_RETURN(db::ItemOutput result, ctx.db->DeleteItem(ctx.scope, in));
  WriteWriteOutput(out, result, cap, metrics);
  return Status::Ok();
}

Status GetItem(Context& ctx, const JsonValue& req, JsonWriter& out) {
  db::KeyInput in;
  BASALT_ASSIGN_OR_RETURN(in.table, ReadTableName(req));
  BASALT_ASSIGN_OR_RETURN(auto consistent, GetBool(req, "ConsistentRead"));
  in.consistent = consistent.value_or(false);
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req));
  BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(req));
  BASALT_ASSIGN_OR_RETURN(in.projection, exprs.Projection());
  BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"ProjectionExpression"}));
  BASALT_ASSIGN_OR_RETURN(in.key, ReadKey(req));
  in.stored_item = true;  // written below
  BASALT_ASSIGN_OR_RETURN(db::ItemOutput result, ctx.db->GetItem(ctx.scope, in));
  out.StartObject();
  if (result.item) {
    out.Key("Item");
    WriteItem(out, *result.item);
  } else if (result.stored_item) {
    out.Key("Item");
    BASALT_RETURN_IF_ERROR(WriteStoredItem(out, result.stored_item->bytes));
  }
  if (cap != db::ReturnCapacity::kNone) {
    out.Key("ConsumedCapacity");
    WriteCapacity(out, cap, result.capacity);
  }
  out.EndObject();
  return Status::Ok();
}

Status UpdateItem(Context& ctx, const JsonValue& req, JsonWriter& out) {
  db::UpdateItemInput in;
  BASALT_ASSIGN_OR_RETURN(in.table, ReadTableName(req));
  {
    ConstraintErrors errors;
    BASALT_ASSIGN_OR_RETURN(auto rv, GetEnum(req, "ReturnValues", "returnValues",
                                             {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"},
                                             "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", &errors));
    BASALT_RETURN_IF_ERROR(errors.ToStatus());
    if (rv == "ALL_OLD") in.return_values = db::ReturnValues::kAllOld;
    if (rv == "UPDATED_OLD") in.return_values = db::ReturnValues::kUpdatedOld;
    if (rv == "ALL_NEW") in.return_values = db::ReturnValues::kAllNew;
    if (rv == "UPDATED_NEW") in.return_values = db::ReturnValues::kUpdatedNew;
  }
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req));
  BASALT_ASSIGN_OR_RETURN(bool metrics, ReadReturnItemCollectionMetrics(req));
  BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(req));
  BASALT_RETURN_IF_ERROR(exprs.CheckNotMixed("AttributeUpdates", "UpdateExpression"));
  BASALT_ASSIGN_OR_RETURN(in.update, exprs.Update("UpdateExpression"));
  BASALT_ASSIGN_OR_RETURN(in.condition, ReadWriteCondition(req, exprs));
  BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"UpdateExpression", "ConditionExpression"}));
  BASALT_ASSIGN_OR_RETURN(const JsonValue* attribute_updates, GetObject(req, "AttributeUpdates"));
  if (attribute_updates && attribute_updates->MemberCount() > 0) {
    BASALT_ASSIGN_OR_RETURN(expr::Update u, AttributeUpdatesToUpdate(*attribute_updates));
    in.update = std::move(u);
  }
  BASALT_ASSIGN_OR_RETURN(in.key, ReadKey(req));
  BASALT_ASSIGN_OR_RETURN(db::ItemOutput result, ctx.db->UpdateItem(ctx.scope, in));
  WriteWriteOutput(out, result, cap, metrics);
  return Status::Ok();
}

Status BatchGetItem(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* items, GetObject(req, "RequestItems"));
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req));
  if (!items || items->MemberCount() == 0) return Status::Validation("BatchGetItem must have some requests set");
  std::vector<db::BatchGetTableInput> in;
  std::vector<const JsonValue*> table_requests;
  size_t total_keys = 0;
  // The service checks RequestItems' keys (table names) and values with
  // Coral's constraints: a bad table name is "Map keys must satisfy ...", the
  // members of a value are at requestItems.<table>.member.<member>.
  ConstraintErrors errors;
  bool bad_name = false;
  for (auto it = items->MemberBegin(); it != items->MemberEnd(); ++it) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    ConstraintErrors name_errors;
    CheckTableName(name, "requestItems.key", &name_errors);
    bad_name |= !name_errors.empty();
    if (!it->value.IsObject()) {
      return Status::Serialization(std::string(JsonKindName(it->value)) + " can not be converted to KeysAndAttributes");
    }
    BASALT_ASSIGN_OR_RETURN(const JsonValue* keys, GetArray(it->value, "Keys"));
    const std::string member = "requestItems." + name + ".member.";
    if (!keys) {
      errors.AddNull(member + "keys");
    } else if (keys->Empty() || keys->Size() > model::kMaxBatchGetKeys) {
      errors.Add("'" + RejectedValueText(*keys) + "'", member + "keys",
                 keys->Empty() ? "Member must have length greater than or equal to 1"
                               : "Member must have length less than or equal to 100");
    }
    BASALT_ASSIGN_OR_RETURN(const JsonValue* attrs, GetArray(it->value, "AttributesToGet"));
    if (attrs && attrs->Empty()) {
      errors.Add("'[]'", member + "attributesToGet", "Member must have length greater than or equal to 1");
    }
    total_keys += keys ? keys->Size() : 0;
  }
  if (bad_name) {
    errors.Add("'" + RejectedValueText(*items) + "'", "requestItems",
               "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must "
               "have length greater than or equal to 3, Member must satisfy regular expression pattern: "
               "[a-zA-Z0-9_.-]+]");
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  if (total_keys > model::kMaxBatchGetKeys) {
    return Status::Validation("Too many items requested for the BatchGetItem call");
  }
  for (auto it = items->MemberBegin(); it != items->MemberEnd(); ++it) {
    db::BatchGetTableInput t;
    t.table.assign(it->name.GetString(), it->name.GetStringLength());
    const JsonValue& spec = it->value;
    BASALT_ASSIGN_OR_RETURN(const JsonValue* keys, GetArray(spec, "Keys"));
    BASALT_ASSIGN_OR_RETURN(auto consistent, GetBool(spec, "ConsistentRead"));
    t.consistent = consistent.value_or(false);
    t.stored_items = true;  // written below
    BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(spec));
    BASALT_ASSIGN_OR_RETURN(t.projection, exprs.Projection());
    BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"ProjectionExpression"}));
    for (const auto& k : keys->GetArray()) {
      BASALT_ASSIGN_OR_RETURN(model::Item key, DecodeItem(k));
      t.keys.push_back(std::move(key));
    }
    in.push_back(std::move(t));
    table_requests.push_back(&spec);
  }
  BASALT_ASSIGN_OR_RETURN(db::BatchGetOutput result, ctx.db->BatchGetItem(ctx.scope, in));
  out.StartObject();
  out.Key("Responses");
  out.StartObject();
  for (const auto& [table, found] : result.responses) {  // every table read, items or none
    WriteKey(out, table);
    out.StartArray();
    for (const auto& item : found) WriteItem(out, item);
    if (auto stored = result.stored_responses.find(table); stored != result.stored_responses.end()) {
      for (const auto& item : stored->second) BASALT_RETURN_IF_ERROR(WriteStoredItem(out, item.bytes));
    }
    out.EndArray();
  }
  out.EndObject();
  out.Key("UnprocessedKeys");
  out.StartObject();
  for (const auto& [table, keys] : result.unprocessed) {
    WriteKey(out, table);
    out.StartObject();
    out.Key("Keys");
    out.StartArray();
    for (const auto& k : keys) WriteItem(out, k);
    out.EndArray();
    // Echo the table's other parameters so the request can be resent as is.
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i].table != table) continue;
      for (auto m = table_requests[i]->MemberBegin(); m != table_requests[i]->MemberEnd(); ++m) {
        std::string_view field(m->name.GetString(), m->name.GetStringLength());
        if (field == "Keys") continue;
        WriteKey(out, field);
        m->value.Accept(out);
      }
    }
    out.EndObject();
  }
  out.EndObject();
  if (cap != db::ReturnCapacity::kNone) {
    out.Key("ConsumedCapacity");
    out.StartArray();
    for (const auto& c : result.capacity) WriteCapacity(out, cap, c);
    out.EndArray();
  }
  out.EndObject();
  return Status::Ok();
}

Status BatchWriteItem(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* items, GetObject(req, "RequestItems"));
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req));
  BASALT_ASSIGN_OR_RETURN(bool metrics, ReadReturnItemCollectionMetrics(req));
  if (!items || items->MemberCount() == 0) {
    return Status::Validation("BatchWriteItem cannot have a null or no requests set");
  }
  // Table names and the lists' lengths are Coral constraints on
  // RequestItems' keys and values (see BatchGetItem).
  ConstraintErrors errors;
  size_t total = 0;
  bool bad_name = false;
  bool bad_list = false;
  for (auto it = items->MemberBegin(); it != items->MemberEnd(); ++it) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    ConstraintErrors name_errors;
    CheckTableName(name, "requestItems.key", &name_errors);
    bad_name |= !name_errors.empty();
    if (!it->value.IsArray()) {
      return Status::Serialization(std::string(JsonKindName(it->value)) + " can not be converted to List");
    }
    bad_list |= it->value.Empty() || it->value.Size() > model::kMaxBatchWriteRequests;
    total += it->value.Size();
  }
  if (bad_name) {
    errors.Add("'" + RejectedValueText(*items) + "'", "requestItems",
               "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must "
               "have length greater than or equal to 3, Member must satisfy regular expression pattern: "
               "[a-zA-Z0-9_.-]+]");
  }
  if (bad_list) {
    errors.Add("'" + RejectedValueText(*items) + "'", "requestItems",
               "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must "
               "have length greater than or equal to 1]");
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  if (total > model::kMaxBatchWriteRequests) {
    return Status::Validation("Too many items requested for the BatchWriteItem call");
  }
  std::vector<db::BatchWriteTableInput> in;
  for (auto it = items->MemberBegin(); it != items->MemberEnd(); ++it) {
    db::BatchWriteTableInput t;
    t.table.assign(it->name.GetString(), it->name.GetStringLength());
    for (const auto& r : it->value.GetArray()) {
      if (!r.IsObject()) return Status::Serialization(std::string(JsonKindName(r)) + " can not be converted to WriteRequest");
      BASALT_ASSIGN_OR_RETURN(const JsonValue* put, GetObject(r, "PutRequest"));
      BASALT_ASSIGN_OR_RETURN(const JsonValue* del, GetObject(r, "DeleteRequest"));
      if ((put != nullptr) == (del != nullptr)) {
        // DynamoDB's own wording for a WriteRequest without exactly one action.
        return Status::Validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
            "datatypes");
      }
      db::WriteRequest w;
      w.is_put = put != nullptr;
      BASALT_ASSIGN_OR_RETURN(const JsonValue* body, GetObject(put ? *put : *del, put ? "Item" : "Key"));
      if (!body) {
        ConstraintErrors missing;
        missing.AddNull(put ? "requestItems.value.member.putRequest.item" : "requestItems.value.member.deleteRequest.key");
        return missing.ToStatus();
      }
      BASALT_ASSIGN_OR_RETURN(w.item, DecodeItem(*body));
      t.requests.push_back(std::move(w));
    }
    in.push_back(std::move(t));
  }
  BASALT_ASSIGN_OR_RETURN(db::BatchWriteOutput result, ctx.db->BatchWriteItem(ctx.scope, in));
  out.StartObject();
  out.Key("UnprocessedItems");
  out.StartObject();
  for (const auto& [table, requests] : result.unprocessed) {
    WriteKey(out, table);
    out.StartArray();
    for (const db::WriteRequest& r : requests) {
      out.StartObject();
      out.Key(r.is_put ? "PutRequest" : "DeleteRequest");
      out.StartObject();
      out.Key(r.is_put ? "Item" : "Key");
      WriteItem(out, r.item);
      out.EndObject();
      out.EndObject();
    }
    out.EndArray();
  }
  out.EndObject();
  if (cap != db::ReturnCapacity::kNone) {
    out.Key("ConsumedCapacity");
    out.StartArray();
    for (const auto& c : result.capacity) WriteCapacity(out, cap, c);
    out.EndArray();
  }
  if (metrics) WriteCollectionMetricsByTable(out, result.collections);
  out.EndObject();
  return Status::Ok();
}

}  // namespace basalt::api
