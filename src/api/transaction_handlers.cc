// TransactWriteItems and TransactGetItems.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/expressions.h"
#include "api/handlers.h"
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
  if (items->Empty() || items->Size() > model::kMaxTransactItems) {
    errors.Add("'[...]'", "transactItems",
               items->Empty() ? "Member must have length greater than or equal to 1"
                              : "Member must have length less than or equal to 100");
    return errors.ToStatus();
  }
  for (const auto& e : items->GetArray()) {
    if (!e.IsObject()) return Status::Serialization(std::string(JsonKindName(e)) + " can not be converted to TransactItem");
  }
  return items;
}

Result<model::Item> ReadItemMember(const JsonValue& obj, const char* field) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* v, GetObject(obj, field));
  if (!v) {
    ConstraintErrors errors;
    errors.AddNull(std::string(field == std::string_view("Key") ? "key" : "item"));
    return errors.ToStatus();
  }
  return DecodeItem(*v);
}

// One TransactWriteItems element: exactly one of ConditionCheck, Put, Delete, Update.
Result<db::TransactAction> ReadAction(const JsonValue& e) {
  static constexpr std::pair<const char*, db::TransactAction::Kind> kKinds[] = {
      {"ConditionCheck", db::TransactAction::kConditionCheck},
      {"Put", db::TransactAction::kPut},
      {"Delete", db::TransactAction::kDelete},
      {"Update", db::TransactAction::kUpdate},
  };
  const JsonValue* body = nullptr;
  db::TransactAction a;
  int given = 0;
  for (const auto& [name, kind] : kKinds) {
    BASALT_ASSIGN_OR_RETURN(const JsonValue* v, GetObject(e, name));
    if (v) {
      body = v;
      a.kind = kind;
      ++given;
    }
  }
  if (given != 1) {
    return Status::Validation("TransactItems can only contain one of Check, Put, Update or Delete");
  }
  BASALT_ASSIGN_OR_RETURN(a.table, ReadTableName(*body));
  BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(*body));
  BASALT_ASSIGN_OR_RETURN(a.condition.condition,
                          exprs.Condition("ConditionExpression", expr::ConditionKind::kCondition));
  BASALT_ASSIGN_OR_RETURN(a.condition.return_old_on_failure, ReadReturnOldOnFailure(*body));
  if (a.kind == db::TransactAction::kUpdate) {
    BASALT_ASSIGN_OR_RETURN(a.update, exprs.Update("UpdateExpression"));
    if (!a.update) {
      ConstraintErrors errors;
      errors.AddNull("transactItems.member.update.updateExpression");
      return errors.ToStatus();
    }
  }
  if (a.kind == db::TransactAction::kConditionCheck && !a.condition.condition) {
    ConstraintErrors errors;
    errors.AddNull("transactItems.member.conditionCheck.conditionExpression");
    return errors.ToStatus();
  }
  BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"ConditionExpression", "UpdateExpression"}));
  BASALT_ASSIGN_OR_RETURN(a.item, ReadItemMember(*body, a.kind == db::TransactAction::kPut ? "Item" : "Key"));
  return a;
}

void WriteCapacityList(JsonWriter& out, db::ReturnCapacity cap, const std::vector<db::ConsumedCapacity>& list) {
  if (cap == db::ReturnCapacity::kNone) return;
  out.Key("ConsumedCapacity");
  out.StartArray();
  for (const auto& c : list) WriteCapacity(out, cap, c);
  out.EndArray();
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
  for (const auto& e : items->GetArray()) {
    BASALT_ASSIGN_OR_RETURN(db::TransactAction a, ReadAction(e));
    in.actions.push_back(std::move(a));
  }
  // What a repeated token must match: the actions as sent.
  rapidjson::StringBuffer fingerprint;
  JsonWriter fw(fingerprint);
  items->Accept(fw);
  in.fingerprint.assign(fingerprint.GetString(), fingerprint.GetSize());

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
  for (const auto& e : items->GetArray()) {
    BASALT_ASSIGN_OR_RETURN(const JsonValue* get, GetObject(e, "Get"));
    if (!get) {
      ConstraintErrors errors;
      errors.AddNull("transactItems.member.get");
      return errors.ToStatus();
    }
    db::TransactGet g;
    BASALT_ASSIGN_OR_RETURN(g.table, ReadTableName(*get));
    BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(*get));
    BASALT_ASSIGN_OR_RETURN(g.projection, exprs.Projection());
    BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"ProjectionExpression"}));
    BASALT_ASSIGN_OR_RETURN(g.key, ReadItemMember(*get, "Key"));
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
