// Query and Scan.
#include "api/expressions.h"
#include "api/handlers.h"
#include "api/legacy.h"

namespace basalt::api {
namespace {

// A legacy condition map (QueryFilter, ScanFilter, KeyConditions) with
// ConditionalOperator, as a condition.
Result<std::optional<expr::Condition>> LegacyConditions(const JsonValue& req, const char* field,
                                                        bool uses_conditional_operator) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* map, GetObject(req, field));
  if (!map || map->MemberCount() == 0) return std::optional<expr::Condition>();
  const JsonValue* op = nullptr;
  if (uses_conditional_operator) {
    auto it = req.FindMember("ConditionalOperator");
    if (it != req.MemberEnd() && !it->value.IsNull()) op = &it->value;
  }
  // Each entry has the shape of an Expected entry with a ComparisonOperator.
  for (auto it = map->MemberBegin(); it != map->MemberEnd(); ++it) {
    if (!it->value.IsObject() || !it->value.HasMember("ComparisonOperator")) {
      ConstraintErrors errors;
      errors.AddNull(std::string(field) + "." + std::string(it->name.GetString()) + ".member.comparisonOperator");
      return errors.ToStatus();
    }
  }
  BASALT_ASSIGN_OR_RETURN(expr::Condition c, ExpectedToCondition(*map, op));
  return std::optional<expr::Condition>(std::move(c));
}

// Legacy KeyConditions as key terms: entries that DynamoDB can index (EQ,
// LE, LT, GE, GT, BEGINS_WITH, BETWEEN), on distinct names (how many a key
// takes is for expr::MatchKeySchema to check).
Result<std::optional<expr::KeyTerms>> LegacyKeyConditions(const JsonValue& req) {
  BASALT_ASSIGN_OR_RETURN(auto c, LegacyConditions(req, "KeyConditions", false));
  if (!c) return std::optional<expr::KeyTerms>();
  // ExpectedToCondition joins the entries with AND; each entry is one leaf,
  // except NOT_CONTAINS (which is not indexable either).
  std::vector<const expr::Condition*> leaves;
  if (c->kind == expr::Condition::Kind::kAnd) {
    for (const auto& child : c->children) leaves.push_back(&child);
  } else {
    leaves.push_back(&*c);
  }
  for (const expr::Condition* leaf : leaves) {
    using K = expr::Condition::Kind;
    bool indexable = (leaf->kind == K::kCompare && leaf->op != expr::Condition::Op::kNe) ||
                     leaf->kind == K::kBetween || leaf->kind == K::kBeginsWith;
    // DynamoDB Local answers NULL and NOT_NULL with "Only scalar types can be
    // used as Range Key values" and a sort key NE with an internal error;
    // the service's words for those are not known.
    if (!indexable) {
      return Status::Validation("Attempted conditional constraint is not an indexable operation");
    }
  }
  BASALT_ASSIGN_OR_RETURN(expr::KeyTerms terms, expr::KeyTermsOf(*c));
  return std::optional<expr::KeyTerms>(std::move(terms));
}

// The members of Query and Scan with constraints, read into `errors`
// (reported together, in the order the service lists them).
struct PageMembers {
  std::optional<std::string> select;
  std::optional<int64_t> limit;
};

Status ReadSelect(const JsonValue& req, ConstraintErrors* errors, PageMembers* m) {
  BASALT_ASSIGN_OR_RETURN(m->select, GetEnum(req, "Select", "select",
                                             {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES",
                                              "COUNT"},
                                             "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]",
                                             errors));
  return Status::Ok();
}

// TableName and IndexName.
Result<std::string> ReadNames(const JsonValue& req, ConstraintErrors* errors) {
  BASALT_ASSIGN_OR_RETURN(auto name, GetString(req, "TableName"));
  CheckTableName(name, "tableName", errors);
  BASALT_ASSIGN_OR_RETURN(auto index, GetString(req, "IndexName"));
  if (index) CheckTableName(index, "indexName", errors);
  return name.value_or("");
}

Status ReadLimit(const JsonValue& req, ConstraintErrors* errors, PageMembers* m) {
  BASALT_ASSIGN_OR_RETURN(m->limit, GetInteger(req, "Limit"));
  if (m->limit && *m->limit < 1) {
    errors->Add("'" + std::to_string(*m->limit) + "'", "limit", "Member must have value greater than or equal to 1");
  }
  return Status::Ok();
}

// What Query and Scan read alike, after their constraints were checked.
// `filter_field` is QueryFilter or ScanFilter.
Status ReadPage(const JsonValue& req, RequestExpressions& exprs, const char* filter_field, const PageMembers& m,
                db::ReadPageInput* in) {
  BASALT_ASSIGN_OR_RETURN(auto index, GetString(req, "IndexName"));
  in->index = index.value_or("");
  in->limit = m.limit;
  const std::optional<std::string>& select = m.select;
  BASALT_ASSIGN_OR_RETURN(auto consistent, GetBool(req, "ConsistentRead"));
  in->consistent = consistent.value_or(false);
  BASALT_RETURN_IF_ERROR(exprs.CheckNotMixed(filter_field, "FilterExpression"));
  BASALT_ASSIGN_OR_RETURN(in->filter, exprs.Condition("FilterExpression", expr::ConditionKind::kFilter));
  if (!in->filter) {
    BASALT_ASSIGN_OR_RETURN(in->filter, LegacyConditions(req, filter_field, true));
  }
  BASALT_ASSIGN_OR_RETURN(in->projection, exprs.Projection());
  bool has_projection = in->projection.has_value();
  const char* projection_name = req.HasMember("AttributesToGet") ? "AttributesToGet" : "ProjectionExpression";
  if (select == "COUNT" && has_projection) {
    return Status::Validation(std::string("Cannot specify the ") + projection_name +
                              " when choosing to get only the Count");
  }
  if (select == "SPECIFIC_ATTRIBUTES" && !has_projection) {
    return Status::Validation(
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
  }
  if (select == "ALL_ATTRIBUTES" && has_projection) {
    return Status::Validation(std::string("Cannot specify the ") + projection_name +
                              " when choosing to get ALL_ATTRIBUTES");
  }
  if (select == "COUNT") in->select = db::Select::kCount;
  if (select == "ALL_PROJECTED_ATTRIBUTES") in->select = db::Select::kAllProjectedAttributes;
  if (select == "SPECIFIC_ATTRIBUTES" || has_projection) in->select = db::Select::kSpecificAttributes;
  // Without either, an index returns what it projects.
  if (!select && !has_projection && index) in->select = db::Select::kAllProjectedAttributes;
  BASALT_ASSIGN_OR_RETURN(const JsonValue* esk, GetObject(req, "ExclusiveStartKey"));
  if (esk) {
    BASALT_ASSIGN_OR_RETURN(model::Item key, DecodeItem(*esk));
    in->exclusive_start_key = std::move(key);
  }
  return Status::Ok();
}

Status WritePage(JsonWriter& out, const db::ReadPageInput& in, const db::ReadPageOutput& page,
                 db::ReturnCapacity cap) {
  out.StartObject();
  if (in.select != db::Select::kCount) {
    out.Key("Items");
    out.StartArray();
    for (const auto& item : page.items) WriteItem(out, item);
    for (const auto& stored : page.stored_items) BASALT_RETURN_IF_ERROR(WriteStoredItem(out, stored.bytes));
    out.EndArray();
  }
  out.Key("Count");
  out.Int64(page.count);
  out.Key("ScannedCount");
  out.Int64(page.scanned_count);
  if (page.last_evaluated_key) {
    out.Key("LastEvaluatedKey");
    WriteItem(out, *page.last_evaluated_key);
  }
  if (cap != db::ReturnCapacity::kNone) {
    out.Key("ConsumedCapacity");
    WriteCapacity(out, cap, page.capacity);
  }
  out.EndObject();
  return Status::Ok();
}

}  // namespace

Status Query(Context& ctx, const JsonValue& req, JsonWriter& out) {
  db::QueryInput in;
  ConstraintErrors errors;
  PageMembers m;
  BASALT_RETURN_IF_ERROR(ReadSelect(req, &errors, &m));
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req, &errors));
  BASALT_ASSIGN_OR_RETURN(in.table, ReadNames(req, &errors));
  BASALT_RETURN_IF_ERROR(ReadConditionalOperator(req, &errors));
  BASALT_RETURN_IF_ERROR(ReadLimit(req, &errors, &m));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(req));
  BASALT_RETURN_IF_ERROR(exprs.CheckNotMixed("KeyConditions", "KeyConditionExpression"));
  BASALT_ASSIGN_OR_RETURN(auto key_condition, exprs.KeyCondition());
  if (!key_condition) {
    BASALT_ASSIGN_OR_RETURN(key_condition, LegacyKeyConditions(req));
  }
  if (!key_condition) {
    return Status::Validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  in.key_condition = std::move(*key_condition);
  BASALT_ASSIGN_OR_RETURN(auto forward, GetBool(req, "ScanIndexForward"));
  in.forward = forward.value_or(true);
  BASALT_RETURN_IF_ERROR(ReadPage(req, exprs, "QueryFilter", m, &in));
  BASALT_RETURN_IF_ERROR(
      exprs.CheckPlaceholders({"KeyConditionExpression", "FilterExpression", "ProjectionExpression"}));
  in.stored_items = true;  // WritePage writes them
  BASALT_ASSIGN_OR_RETURN(db::ReadPageOutput page, ctx.db->Query(ctx.scope, in));
  return WritePage(out, in, page, cap);
}

Status Scan(Context& ctx, const JsonValue& req, JsonWriter& out) {
  db::ScanInput in;
  // Every violated constraint in one message, in the service's member order
  // (select, totalSegments, returnConsumedCapacity, tableName,
  // conditionalOperator, ..., segment, limit).
  ConstraintErrors errors;
  PageMembers m;
  BASALT_RETURN_IF_ERROR(ReadSelect(req, &errors, &m));
  BASALT_ASSIGN_OR_RETURN(in.total_segments, GetInteger(req, "TotalSegments"));
  if (in.total_segments && (*in.total_segments < 1 || *in.total_segments > 1000000)) {
    errors.Add("'" + std::to_string(*in.total_segments) + "'", "totalSegments",
               *in.total_segments < 1 ? "Member must have value greater than or equal to 1"
                                      : "Member must have value less than or equal to 1000000");
  }
  BASALT_ASSIGN_OR_RETURN(db::ReturnCapacity cap, ReadReturnCapacity(req, &errors));
  BASALT_ASSIGN_OR_RETURN(in.table, ReadNames(req, &errors));
  BASALT_RETURN_IF_ERROR(ReadConditionalOperator(req, &errors));
  BASALT_ASSIGN_OR_RETURN(in.segment, GetInteger(req, "Segment"));
  if (in.segment && *in.segment < 0) {
    errors.Add("'" + std::to_string(*in.segment) + "'", "segment", "Member must have value greater than or equal to 0");
  }
  BASALT_RETURN_IF_ERROR(ReadLimit(req, &errors, &m));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  if (in.segment && !in.total_segments) {
    return Status::Validation(
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is "
        "present");
  }
  if (in.total_segments && !in.segment) {
    return Status::Validation(
        "The Segment parameter is required but was not present in the request when parameter TotalSegments is "
        "present");
  }
  if (in.segment && *in.segment >= *in.total_segments) {
    return Status::Validation(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " +
        std::to_string(*in.segment) + " is not less than TotalSegments: " + std::to_string(*in.total_segments));
  }
  BASALT_ASSIGN_OR_RETURN(RequestExpressions exprs, RequestExpressions::Read(req));
  BASALT_RETURN_IF_ERROR(ReadPage(req, exprs, "ScanFilter", m, &in));
  BASALT_RETURN_IF_ERROR(exprs.CheckPlaceholders({"FilterExpression", "ProjectionExpression"}));
  in.stored_items = true;  // WritePage writes them
  BASALT_ASSIGN_OR_RETURN(db::ReadPageOutput page, ctx.db->Scan(ctx.scope, in));
  return WritePage(out, in, page, cap);
}

}  // namespace basalt::api
