// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction (PartiQL).
// The members and their constraints are the service model's
// (reference/partiql.md); the statements themselves are db::Statements'.
#include <functional>

#include "api/handlers.h"

namespace basalt::api {
namespace {

constexpr size_t kMaxStatementLength = 8192;
constexpr size_t kMaxBatchStatements = 25;
constexpr size_t kMaxTransactStatements = 100;

// A list member's length constraint (`min`..`max` elements) at `path`.
void CheckListLength(const JsonValue* list, const std::string& path, size_t min, size_t max, const char* what,
                     ConstraintErrors* errors) {
  if (!list) {
    errors->AddNull(path);
  } else if (list->Size() < min || list->Size() > max) {
    errors->Add("'[" + std::to_string(list->Size()) + " " + what + "]'", path,
                list->Size() < min ? "Member must have length greater than or equal to " + std::to_string(min)
                                   : "Member must have length less than or equal to " + std::to_string(max));
  }
}

// One statement: Statement, Parameters, ConsistentRead and
// ReturnValuesOnConditionCheckFailure, with constraints at `prefix`
// ("" for ExecuteStatement, "statements.1.member." in a batch).
Status ReadStatement(const JsonValue& obj, const std::string& prefix, ConstraintErrors* errors,
                     db::StatementInput* in) {
  BASALT_ASSIGN_OR_RETURN(auto statement, GetString(obj, "Statement"));
  if (!statement) {
    errors->AddNull(prefix + "statement");
  } else if (statement->empty() || statement->size() > kMaxStatementLength) {
    errors->Add("'" + *statement + "'", prefix + "statement",
                statement->empty() ? "Member must have length greater than or equal to 1"
                                   : "Member must have length less than or equal to 8192");
  }
  in->statement = statement.value_or("");
  BASALT_ASSIGN_OR_RETURN(const JsonValue* params, GetArray(obj, "Parameters"));
  if (params && params->Empty()) {
    errors->Add("'[]'", prefix + "parameters", "Member must have length greater than or equal to 1");
  }
  if (params) {
    for (const auto& p : params->GetArray()) {
      BASALT_ASSIGN_OR_RETURN(model::AttributeValue v, DecodeAttributeValue(p));
      in->parameters.push_back(std::move(v));
    }
  }
  BASALT_ASSIGN_OR_RETURN(auto consistent, GetBool(obj, "ConsistentRead"));
  in->consistent = consistent.value_or(false);
  BASALT_ASSIGN_OR_RETURN(auto on_failure, GetEnum(obj, "ReturnValuesOnConditionCheckFailure",
                                                   prefix + "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"},
                                                   "[ALL_OLD, NONE]", errors));
  in->return_old_on_failure = on_failure == "ALL_OLD";
  return Status::Ok();
}

Result<std::vector<db::StatementInput>> ReadStatements(const JsonValue& list, const char* path_name,
                                                       ConstraintErrors* errors) {
  std::vector<db::StatementInput> out;
  int i = 0;
  for (const auto& e : list.GetArray()) {
    ++i;
    if (!e.IsObject()) return Status::Serialization(std::string(JsonKindName(e)) + " can not be converted to Statement");
    db::StatementInput in;
    BASALT_RETURN_IF_ERROR(ReadStatement(e, std::string(path_name) + "." + std::to_string(i) + ".member.", errors, &in));
    out.push_back(std::move(in));
  }
  return out;
}

// The name of a statement's failure in a BatchStatementError.
const char* BatchErrorCode(Code code) {
  switch (code) {
    case Code::kConditionalCheckFailed: return "ConditionalCheckFailed";
    case Code::kItemCollectionSizeLimitExceeded: return "ItemCollectionSizeLimitExceeded";
    case Code::kValidation:
    case Code::kSerialization: return "ValidationError";
    case Code::kTransactionConflict: return "TransactionConflict";
    case Code::kResourceNotFound: return "ResourceNotFound";
    case Code::kDuplicateItem: return "DuplicateItem";
    case Code::kProvisionedThroughputExceeded: return "ProvisionedThroughputExceeded";
    case Code::kThrottling: return "ThrottlingError";
    case Code::kRequestLimitExceeded: return "RequestLimitExceeded";
    case Code::kAccessDenied: return "AccessDenied";
    default: return "InternalServerError";
  }
}

}  // namespace

Status ExecuteStatement(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  db::StatementInput in;
  BASALT_RETURN_IF_ERROR(ReadStatement(req, "", &errors, &in));
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req, &errors));
  BASALT_ASSIGN_OR_RETURN(in.next_token, GetString(req, "NextToken"));
  if (in.next_token && (in.next_token->empty() || in.next_token->size() > 32768)) {
    errors.Add("'" + *in.next_token + "'", "nextToken",
               in.next_token->empty() ? "Member must have length greater than or equal to 1"
                                      : "Member must have length less than or equal to 32768");
  }
  BASALT_ASSIGN_OR_RETURN(in.limit, GetInteger(req, "Limit"));
  if (in.limit && *in.limit < 1) {
    errors.Add("'" + std::to_string(*in.limit) + "'", "limit", "Member must have value greater than or equal to 1");
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(db::StatementOutput result, ctx.db->ExecuteStatement(ctx.scope, in));
  out.StartObject();
  out.Key("Items");
  out.StartArray();
  for (const auto& item : result.items) WriteItem(out, item);
  out.EndArray();
  if (result.next_token) {
    out.Key("NextToken");
    WriteString(out, *result.next_token);
  }
  if (result.last_evaluated_key) {
    out.Key("LastEvaluatedKey");
    WriteItem(out, *result.last_evaluated_key);
  }
  if (cap != db::ReturnCapacity::kNone && result.capacity) {
    out.Key("ConsumedCapacity");
    WriteCapacity(out, cap, *result.capacity);
  }
  out.EndObject();
  return Status::Ok();
}

Status BatchExecuteStatement(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(const JsonValue* list, GetArray(req, "Statements"));
  CheckListLength(list, "statements", 1, kMaxBatchStatements, "BatchStatementRequests", &errors);
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req, &errors));
  std::vector<db::StatementInput> in;
  if (list) {
    BASALT_ASSIGN_OR_RETURN(in, ReadStatements(*list, "statements", &errors));
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(db::BatchStatementOutput result, ctx.db->BatchExecuteStatement(ctx.scope, in));
  out.StartObject();
  out.Key("Responses");
  out.StartArray();
  for (const db::BatchStatementResult& r : result.responses) {
    out.StartObject();
    if (!r.error.ok()) {
      out.Key("Error");
      out.StartObject();
      out.Key("Code");
      out.String(BatchErrorCode(r.error.code()));
      out.Key("Message");
      WriteString(out, r.error.code() == Code::kInternal ? "Internal server error" : r.error.message());
      if (const auto* failure = r.error.detail<db::ConditionFailure>(); failure && failure->item) {
        out.Key("Item");
        WriteItem(out, *failure->item);
      }
      out.EndObject();
    }
    if (!r.table.empty()) {
      out.Key("TableName");
      WriteString(out, r.table);
    }
    if (r.item) {
      out.Key("Item");
      WriteItem(out, *r.item);
    }
    out.EndObject();
  }
  out.EndArray();
  WriteCapacityList(out, cap, result.capacity);
  out.EndObject();
  return Status::Ok();
}

Status ExecuteTransaction(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(const JsonValue* list, GetArray(req, "TransactStatements"));
  CheckListLength(list, "transactStatements", 1, kMaxTransactStatements, "ParameterizedStatements", &errors);
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req, &errors));
  db::TransactionStatementsInput in;
  BASALT_ASSIGN_OR_RETURN(in.client_token, GetString(req, "ClientRequestToken"));
  if (in.client_token && (in.client_token->empty() || in.client_token->size() > 36)) {
    errors.Add("'" + *in.client_token + "'", "clientRequestToken",
               in.client_token->empty() ? "Member must have length greater than or equal to 1"
                                        : "Member must have length less than or equal to 36");
  }
  if (list) {
    BASALT_ASSIGN_OR_RETURN(in.statements, ReadStatements(*list, "transactStatements", &errors));
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  // What a repeated ClientRequestToken must match: the statements as sent
  // (hashed, so a token costs a few bytes to remember).
  rapidjson::StringBuffer fingerprint;
  JsonWriter fw(fingerprint);
  list->Accept(fw);
  in.fingerprint = std::hash<std::string_view>{}(std::string_view(fingerprint.GetString(), fingerprint.GetSize()));
  BASALT_ASSIGN_OR_RETURN(db::TransactionStatementsOutput result, ctx.db->ExecuteTransaction(ctx.scope, in));
  out.StartObject();
  if (!result.items.empty()) {
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
  }
  WriteCapacityList(out, cap, result.capacity);
  out.EndObject();
  return Status::Ok();
}

}  // namespace basalt::api
