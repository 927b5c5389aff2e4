// TransactWriteItems and TransactGetItems.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>
#include <string_view>
#include <tuple>

#include "api/expressions.h"
#include "api/handlers.h"
#include "model/item.h"
#include "model/limits.h"

namespace basalt::api {
namespace {

// TransactItems: present, 1 to 100 elements, each an object.
Result<const JsonValue*> ReadTransactItems(const JsonValue& req) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* items, GetArray(req, "TransactItems"));
  ConstraintErrors errors;
  if (!items) {
    errors.AddNull("transactItems");
    return errors.ToStatus();
  }
  if (items->Empty()) {
    errors.Add("'[]'", "transactItems", "Member must have length greater than or equal to 1");
    return errors.ToStatus();
  }
  if (items->Size() > model::kMaxTransactItems) {
    // The service prints the list; its elements' text is not reproduced here.
    errors.Add("'[" + std::to_string(items->Size()) + " TransactItems]'", "transactItems",
               "Member must have length less than or equal to 100");
    return errors.ToStatus();
  }
  for (const auto& e : items->GetArray()) {
    if (!e.IsObject()) return Status::Serialization(std::string(JsonKindName(e)) + " can not be converted to TransactItem");
  }
  return items;
}

// A required member of an action, at constraint path `path`.
Result<const JsonValue*> Required(const JsonValue& obj, const char* field, const std::string& path) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* v, GetObject(obj, field));
  if (!v) {
    ConstraintErrors errors;
    errors.AddNull(path);
    return errors.ToStatus();
  }
  return v;
}

Result<std::string> TableNameAt(const JsonValue& obj, const std::string& path) {
  BASALT_ASSIGN_OR_RETURN(auto name, GetString(obj, "TableName"));
  ConstraintErrors errors;
  CheckTableName(name, path + ".tableName", &errors);
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  return *name;
}

// What DynamoDB counts against a transaction's 4 MB: a Put's item; for the
// other actions the key, the expressions and their values.
Result<size_t> PayloadSize(const db::TransactAction& a, const JsonValue& body) {
  size_t size = model::ItemSize(a.item);
  if (a.kind == db::TransactAction::kPut) return size;
  for (const char* field : {"ConditionExpression", "UpdateExpression"}) {
    auto it = body.FindMember(field);
    if (it != body.MemberEnd() && it->value.IsString()) size += it->value.GetStringLength();
  }
  BASALT_ASSIGN_OR_RETURN(const JsonValue* values, GetObject(body, "ExpressionAttributeValues"));
  if (values) {
    BASALT_ASSIGN_OR_RETURN(model::Item decoded, DecodeItem(*values));
    for (const auto& [name, v] : decoded) size += model::AttributeSize(v);
  }
  return size;
}

// One TransactWriteItems element (the `index`th, from 1): exactly one of
// ConditionCheck, Put, Delete, Update.
Result<db::TransactAction> ReadAction(const JsonValue& e, size_t index, size_t* payload) {
  static constexpr std::tuple<const char*, const char*, db::TransactAction::Kind> kKinds[] = {
      {"ConditionCheck", "conditionCheck", db::TransactAction::kConditionCheck},
      {"Put", "put", db::TransactAction::kPut},
      {"Delete", "delete", db::TransactAction::kDelete},
      {"Update", "update", db::TransactAction::kUpdate},
  };
  const JsonValue* body = nullptr;
  std::string path = "transactItems." + std::to_string(index) + ".member.";
  db::TransactAction a;
  int given = 0;
  for (const auto& [name, member, kind] : kKinds) {
    BASALT_ASSIGN_OR_RETURN(const JsonValue* v, GetObject(e, name));
    if (v) {
      body = v;
      a.kind = kind;
      path += given ? "" : member;
      ++given;
    }
  }
  // DynamoDB Local's wording for these two; the service's is not known.
  if (given == 0) return Status::Validation("Invalid Request: TransactWriteRequest should contain Delete or Put or Update request");
  if (given > 1) return Status::Validation("TransactItems can only contain one of Check, Put, Update or Delete");
  BASALT_ASSIGN_OR_RETURN(a.table, TableNameAt(*body, path));
  BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(*body));
  BASALT_ASSIGN_OR_RETURN(a.condition.condition,
                          exprs.Condition("ConditionExpression", expr::ConditionKind::kCondition));
  {
    ConstraintErrors errors;
    BASALT_ASSIGN_OR_RETURN(auto v, GetEnum(*body, "ReturnValuesOnConditionCheckFailure",
                                            path + ".returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"},
                                            "[ALL_OLD, NONE]", &errors));
    BASALT_RETURN_IF_ERROR(errors.ToStatus());
    a.condition.return_old_on_failure = v == "ALL_OLD";
  }
  if (a.kind == db::TransactAction::kUpdate) {
    BASALT_ASSIGN_OR_RETURN(a.update, exprs.Update("UpdateExpression"));
    if (!a.update) {
      ConstraintErrors errors;
      errors.AddNull(path + ".updateExpression");
      return errors.ToStatus();
    }
  }
  if (a.kind == db::TransactAction::kConditionCheck && !a.condition.condition) {
    ConstraintErrors errors;
    errors.AddNull(path + ".conditionExpression");
    return errors.ToStatus();
  }
  if (a.kind == db::TransactAction::kUpdate) {
    BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"ConditionExpression", "UpdateExpression"}));
  } else {
    BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"ConditionExpression"}));
  }
  bool put = a.kind == db::TransactAction::kPut;
  BASALT_ASSIGN_OR_RETURN(const JsonValue* item, Required(*body, put ? "Item" : "Key", path + (put ? ".item" : ".key")));
  BASALT_ASSIGN_OR_RETURN(a.item, DecodeItem(*item));
  BASALT_ASSIGN_OR_RETURN(size_t size, PayloadSize(a, *body));
  *payload += size;
  return a;
}

}  // namespace

Status TransactWriteItems(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* items, ReadTransactItems(req));
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req));
  BASALT_ASSIGN_OR_RETURN(bool metrics, ReadReturnItemCollectionMetrics(req));
  db::TransactWriteInput in;
  BASALT_ASSIGN_OR_RETURN(in.client_token, GetString(req, "ClientRequestToken"));
  if (in.client_token && (in.client_token->empty() || in.client_token->size() > model::kMaxClientTokenLength)) {
    ConstraintErrors errors;
    errors.Add("'" + *in.client_token + "'", "clientRequestToken",
               in.client_token->empty() ? "Member must have length greater than or equal to 1"
                                        : "Member must have length less than or equal to 36");
    return errors.ToStatus();
  }
  size_t payload = 0;
  size_t index = 0;
  for (const auto& e : items->GetArray()) {
    BASALT_ASSIGN_OR_RETURN(db::TransactAction a, ReadAction(e, ++index, &payload));
    in.actions.push_back(std::move(a));
  }
  if (payload > model::kMaxTransactPayloadBytes) {
    // DynamoDB Local's wording; the service's is not known.
    return Status::Validation("Transaction payload size cannot exceed 4MB. Payload Size: " + std::to_string(payload));
  }
  // What a repeated token must match: the actions as sent.
  rapidjson::StringBuffer fingerprint;
  JsonWriter fw(fingerprint);
  items->Accept(fw);
  // A hash, so that remembering a token for 10 minutes costs a few bytes
  // whatever the request's size.
  in.fingerprint = std::hash<std::string_view>{}(std::string_view(fingerprint.GetString(), fingerprint.GetSize()));

  BASALT_ASSIGN_OR_RETURN(db::TransactWriteOutput result, ctx.db->TransactWriteItems(ctx.scope, in));
  out.StartObject();
  WriteCapacityList(out, cap, result.capacity);
  if (metrics) WriteCollectionMetricsByTable(out, result.collections);
  out.EndObject();
  return Status::Ok();
}

Status TransactGetItems(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* items, ReadTransactItems(req));
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req));
  std::vector<db::TransactGet> in;
  size_t index = 0;
  for (const auto& e : items->GetArray()) {
    std::string path = "transactItems." + std::to_string(++index) + ".member.get";
    BASALT_ASSIGN_OR_RETURN(const JsonValue* get, Required(e, "Get", path));
    db::TransactGet g;
    BASALT_ASSIGN_OR_RETURN(g.table, TableNameAt(*get, path));
    BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(*get));
    BASALT_ASSIGN_OR_RETURN(g.projection, exprs.Projection());
    BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"ProjectionExpression"}));
    BASALT_ASSIGN_OR_RETURN(const JsonValue* key, Required(*get, "Key", path + ".key"));
    BASALT_ASSIGN_OR_RETURN(g.key, DecodeItem(*key));
    in.push_back(std::move(g));
  }
  BASALT_ASSIGN_OR_RETURN(db::TransactGetOutput result, ctx.db->TransactGetItems(ctx.scope, in));
  out.StartObject();
  WriteCapacityList(out, cap, result.capacity);
  out.Key("Responses");
  out.StartArray();
  for (const auto& item : result.items) {
    out.StartObject();
    if (item) {
      out.Key("Item");
      WriteItem(out, *item);
    }
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
  return Status::Ok();
}

}  // namespace basalt::api
