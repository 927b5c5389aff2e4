// IAM authorization of a DynamoDB request: what it asks to do, on which
// resources, with which condition keys (reference: auth-sigv4-iam.md,
// "Condition keys"), evaluated against the principal's policies.
//
// Batch and transaction requests are authorized item by item: each item
// gets a context of its own (its table, its partition key as
// dynamodb:LeadingKeys, its attributes), and the first denial answers.
// Transaction items are authorized as the item operation they stand for
// (PutItem, UpdateItem, DeleteItem, ConditionCheckItem, GetItem) with
// dynamodb:EnclosingOperation naming the transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/handlers.h"
#include "api/json.h"
#include "auth/policy.h"
#include "auth/principals.h"

namespace basalt::api {

struct Caller {
  const auth::Principal* principal = nullptr;
  std::string_view source_ip;
  double now = 0;
  const auth::ResourcePolicies* resource_policies = nullptr;
};

// The contexts a request is authorized against; `op` is the operation name
// ("GetItem") and `streams` whether it came under DynamoDBStreams_20120810.
std::vector<auth::RequestContext> ContextsFor(std::string_view op, bool streams, const JsonValue& request,
                                              Context& ctx);

// OK, or AccessDeniedException with the service's message. Root passes.
Status Authorize(const Caller& caller, std::string_view op, bool streams, const JsonValue& request, Context& ctx);

}  // namespace basalt::api
