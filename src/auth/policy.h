// IAM policies and their evaluation, as AWS evaluates them (reference:
// shared/reference/auth-sigv4-iam.md, "Evaluation logic"): an explicit Deny
// in any applicable statement wins; otherwise an Allow grants; otherwise the
// request is implicitly denied.
//
// A statement applies when its Action (or NotAction) matches the action,
// its Resource (or NotResource) matches the resource, and every condition
// holds. A condition is `[ForAllValues:|ForAnyValue:] Operator[IfExists]`
// over one context key and a list of values (OR across values, AND across
// keys and operators). Policies are parsed from JSON in api/policy_json.cc;
// this file knows nothing of JSON.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace basalt::auth {

enum class Effect { kAllow, kDeny };
enum class SetOperator { kNone, kForAllValues, kForAnyValue };

struct Condition {
  SetOperator set = SetOperator::kNone;
  std::string op;          // base operator: "StringEquals", "NumericLessThan", "Null" ...
  bool if_exists = false;  // the "...IfExists" form
  std::string key;         // context key, e.g. "dynamodb:LeadingKeys" (case-insensitive)
  std::vector<std::string> values;
};

struct Statement {
  std::string sid;
  Effect effect = Effect::kAllow;
  bool not_action = false;
  std::vector<std::string> actions;  // "dynamodb:Get*", "*"
  bool not_resource = false;
  std::vector<std::string> resources;  // ARNs with * and ?
  std::vector<Condition> conditions;
  // Resource-based policies only: who the statement is about ("*", an
  // account id, an account's root ARN, a user, role or session ARN).
  std::vector<std::string> principals;
};

struct Policy {
  std::string version;  // "2012-10-17" enables ${...} policy variables
  std::vector<Statement> statements;
};

// True when `op` is an operator this evaluator knows (without prefixes or IfExists).
bool IsKnownOperator(std::string_view op);

// What a request asks to do, with the values of its condition keys. Key
// names are stored lowercased (IAM context keys are case-insensitive).
struct RequestContext {
  std::string action;    // "dynamodb:GetItem"
  std::string resource;  // an ARN, or "*"
  std::map<std::string, std::vector<std::string>> keys;

  void Set(std::string_view key, std::vector<std::string> values);
  const std::vector<std::string>* Find(std::string_view key) const;
};

enum class Decision { kAllow, kImplicitDeny, kExplicitDeny };

struct NamedPolicy {
  std::string name;
  std::shared_ptr<const Policy> policy;
};

Decision Evaluate(const std::vector<NamedPolicy>& policies, const RequestContext& ctx);

// A resource-based policy's decision for a caller: only the statements
// whose Principal names the caller (or its account) apply.
Decision EvaluateResourcePolicy(const Policy& policy, std::string_view principal_arn, std::string_view account,
                                const RequestContext& ctx);
bool StatementMatches(const Statement& s, const Policy& p, const RequestContext& ctx);

// IAM's wildcard match: '*' any run, '?' one character.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case);

// The service's AccessDeniedException message for a denial.
// `policy_type` names the policy that decided: "identity-based" or "resource-based".
std::string AccessDeniedMessage(std::string_view principal_arn, const RequestContext& ctx, Decision d,
                                std::string_view policy_type = "identity-based");

}  // namespace basalt::auth
