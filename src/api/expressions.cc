#include "api/expressions.h"

#include "model/item.h"

namespace basalt::api {

Result<RequestExpressions> RequestExpressions::Read(const JsonValue& req) {
  RequestExpressions e(req);
  BASALT_ASSIGN_OR_RETURN(const JsonValue* names, GetObject(req, "ExpressionAttributeNames"));
  if (names) {
    e.has_names_ = true;
    if (names->MemberCount() == 0) return Status::Validation("ExpressionAttributeNames must not be empty");
    for (auto it = names->MemberBegin(); it != names->MemberEnd(); ++it) {
      if (!it->value.IsString()) {
        return Status::Serialization(std::string(JsonKindName(it->value)) + " can not be converted to String");
      }
      e.names_.emplace(std::string(it->name.GetString(), it->name.GetStringLength()),
                       std::string(it->value.GetString(), it->value.GetStringLength()));
    }
  }
  BASALT_ASSIGN_OR_RETURN(const JsonValue* values, GetObject(req, "ExpressionAttributeValues"));
  if (values) {
    e.has_values_ = true;
    if (values->MemberCount() == 0) return Status::Validation("ExpressionAttributeValues must not be empty");
    for (auto it = values->MemberBegin(); it != values->MemberEnd(); ++it) {
      std::string name(it->name.GetString(), it->name.GetStringLength());
      auto v = DecodeAttributeValue(it->value);
      if (!v.ok()) {
        if (v.status().code() != Code::kValidation) return std::move(v).take_status();
        return Status::Validation("ExpressionAttributeValues contains invalid value: " + v.status().message() +
                                  " for key " + name);
      }
      e.values_.emplace(std::move(name), std::move(v).value());
    }
  }
  // "The maximum length of all substitution variables in an expression is 2
  // MB": each placeholder and its name or value (as DynamoDB sizes values).
  // DynamoDB Local's wording; the service's is not documented.
  constexpr size_t kMaxSubstitutionBytes = 2 * 1024 * 1024;
  size_t names_size = 0, values_size = 0;
  for (const auto& [placeholder, name] : e.names_) names_size += placeholder.size() + name.size();
  for (const auto& [placeholder, value] : e.values_) values_size += placeholder.size() + model::AttributeSize(value);
  if (names_size > kMaxSubstitutionBytes) return Status::Validation("ExpressionAttributeNames exceeds max size");
  if (values_size > kMaxSubstitutionBytes) return Status::Validation("ExpressionAttributeValues exceeds max size");
  return e;
}

Result<std::optional<expr::Condition>> RequestExpressions::Condition(const char* field, expr::ConditionKind kind) {
  BASALT_ASSIGN_OR_RETURN(auto text, GetString(*request_, field));
  if (!text) return std::optional<expr::Condition>();
  any_expression_ = true;
  BASALT_ASSIGN_OR_RETURN(expr::Condition c, expr::ParseCondition(*text, kind, bindings()));
  return std::optional<expr::Condition>(std::move(c));
}

Result<std::optional<expr::KeyTerms>> RequestExpressions::KeyCondition() {
  BASALT_ASSIGN_OR_RETURN(auto text, GetString(*request_, "KeyConditionExpression"));
  if (!text) return std::optional<expr::KeyTerms>();
  any_expression_ = true;
  BASALT_ASSIGN_OR_RETURN(expr::KeyTerms terms, expr::ParseKeyCondition(*text, bindings()));
  return std::optional<expr::KeyTerms>(std::move(terms));
}

Result<std::optional<expr::Update>> RequestExpressions::Update(const char* field) {
  BASALT_ASSIGN_OR_RETURN(auto text, GetString(*request_, field));
  if (!text) return std::optional<expr::Update>();
  any_expression_ = true;
  BASALT_ASSIGN_OR_RETURN(expr::Update u, expr::ParseUpdate(*text, bindings()));
  return std::optional<expr::Update>(std::move(u));
}

Result<std::optional<expr::Projection>> RequestExpressions::Projection() {
  BASALT_ASSIGN_OR_RETURN(auto expression, GetString(*request_, "ProjectionExpression"));
  BASALT_ASSIGN_OR_RETURN(const JsonValue* attrs, GetArray(*request_, "AttributesToGet"));
  BASALT_RETURN_IF_ERROR(CheckNotMixed("AttributesToGet", "ProjectionExpression"));
  if (attrs) {
    std::vector<std::string> list;
    std::set<std::string> seen;
    for (const auto& a : attrs->GetArray()) {
      if (!a.IsString()) {
        return Status::Serialization(std::string(JsonKindName(a)) + " can not be converted to String");
      }
      std::string name(a.GetString(), a.GetStringLength());
      if (!seen.insert(name).second) {
        return Status::Validation("One or more parameter values were invalid: Duplicate value in attribute name: " +
                                  name);
      }
      list.push_back(std::move(name));
    }
    if (list.empty()) {
      ConstraintErrors errors;
      errors.Add("'[]'", "attributesToGet", "Member must have length greater than or equal to 1");
      return errors.ToStatus();
    }
    return std::optional<expr::Projection>(expr::ProjectionOfNames(list));
  }
  if (!expression) return std::optional<expr::Projection>();
  any_expression_ = true;
  BASALT_ASSIGN_OR_RETURN(expr::Projection p, expr::ParseProjection(*expression, names_, &used_names_));
  return std::optional<expr::Projection>(std::move(p));
}

Status RequestExpressions::CheckNotMixed(const char* legacy, const char* expression) const {
  auto present = [&](const char* f) {
    auto it = request_->FindMember(f);
    return it != request_->MemberEnd() && !it->value.IsNull();
  };
  if (present(legacy) && present(expression)) {
    return Status::Validation(
        std::string("Can not use both expression and non-expression parameters in the same request: "
                    "Non-expression parameters: {") +
        legacy + "} Expression parameters: {" + expression + "}");
  }
  return Status::Ok();
}

namespace {

std::string Join(const std::set<std::string>& keys, const auto& map) {
  std::string out;
  for (const auto& [k, v] : map) {
    if (keys.count(k)) continue;
    out += (out.empty() ? "" : ", ") + k;
  }
  return out;
}

}  // namespace

Status RequestExpressions::CheckPlaceholders(const std::vector<const char*>& expression_fields) const {
  if (!any_expression_ && (has_names_ || has_values_)) {
    if (has_names_) return Status::Validation("ExpressionAttributeNames can only be specified when using expressions");
    std::string fields;
    for (size_t i = 0; i < expression_fields.size(); ++i) {
      if (i) fields += i + 1 == expression_fields.size() ? " and " : ", ";
      fields += expression_fields[i];
    }
    return Status::Validation("ExpressionAttributeValues can only be specified when using expressions: " + fields +
                              (expression_fields.size() == 1 ? " is null" : " are null"));
  }
  if (std::string unused = Join(used_names_, names_); !unused.empty()) {
    return Status::Validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + unused +
                              "}");
  }
  if (std::string unused = Join(used_values_, values_); !unused.empty()) {
    return Status::Validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" +
                              unused + "}");
  }
  return Status::Ok();
}

}  // namespace basalt::api
