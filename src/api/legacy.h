// The legacy (pre-expression) parameters older SDKs and libraries still
// send, translated into the same expression trees the expression parameters
// produce, so evaluation has one implementation:
//   Expected + ConditionalOperator  -> a condition
//   AttributeUpdates                -> an update
#pragma once

#include "api/json.h"
#include "expr/expression.h"

namespace basalt::api {

// Expected (an object of attribute name -> ExpectedAttributeValue) joined by
// ConditionalOperator (AND when absent). `conditional_operator` may be null.
Result<expr::Condition> ExpectedToCondition(const JsonValue& expected, const JsonValue* conditional_operator);

// AttributeUpdates (attribute name -> {Value, Action}).
Result<expr::Update> AttributeUpdatesToUpdate(const JsonValue& updates);

}  // namespace basalt::api
