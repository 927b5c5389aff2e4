// IAM policy documents from JSON (the AWS policy grammar) into auth::Policy:
//
//   policy    := { "Version": str, ["Id": str], "Statement": statement | [statement, ...] }
//   statement := { ["Sid": str], "Effect": "Allow"|"Deny",
//                  "Action"|"NotAction": strs, "Resource"|"NotResource": strs,
//                  ["Principal": ...], ["Condition": { op: { key: strs|bool|number } }] }
//   op        := ["ForAllValues:"|"ForAnyValue:"] operator ["IfExists"]
//   strs      := str | [str, ...]
#pragma once

#include <string_view>

#include "auth/policy.h"
#include "common/status.h"

namespace basalt::api {

// ValidationException "MalformedPolicyDocument: ..." naming what is wrong.
Result<auth::Policy> ParsePolicy(std::string_view json);

}  // namespace basalt::api
