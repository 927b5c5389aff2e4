// The expression parameters of one request: ExpressionAttributeNames and
// ExpressionAttributeValues, the expressions that use them, and DynamoDB's
// checks across them (unused placeholders, placeholders without expressions,
// legacy and expression parameters mixed).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/json.h"
#include "expr/expression.h"
#include "expr/key_condition.h"
#include "expr/projection.h"

namespace basalt::api {

class RequestExpressions {
 public:
  // Reads ExpressionAttributeNames and ExpressionAttributeValues.
  static Result<RequestExpressions> Read(const JsonValue& request);

  // Parses a condition-shaped expression field, if present.
  Result<std::optional<expr::Condition>> Condition(const char* field, expr::ConditionKind kind);
  // KeyConditionExpression, if present.
  Result<std::optional<expr::KeyTerms>> KeyCondition();
  Result<std::optional<expr::Update>> Update(const char* field);
  // ProjectionExpression, or AttributesToGet (not both).
  Result<std::optional<expr::Projection>> Projection();

  // Refuses a legacy parameter given together with an expression parameter,
  // in DynamoDB's words. Call for each legacy/expression pair of an operation.
  Status CheckNotMixed(const char* legacy, const char* expression) const;

  // After every expression is parsed: names/values given but no expression
  // given (`expression_fields` names the operation's expression parameters),
  // and names/values that no expression used.
  Status CheckPlaceholders(const std::vector<const char*>& expression_fields) const;

 private:
  explicit RequestExpressions(const JsonValue& request) : request_(&request) {}
  expr::Bindings bindings() {
    return expr::Bindings{&names_, &values_, &used_names_, &used_values_};
  }

  const JsonValue* request_;
  bool has_names_ = false;
  bool has_values_ = false;
  bool any_expression_ = false;
  expr::NameMap names_;
  expr::ValueMap values_;
  std::set<std::string> used_names_;
  std::set<std::string> used_values_;
};

}  // namespace basalt::api
