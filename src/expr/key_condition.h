// The key condition of a Query, typed. It is shaped in two steps, each with
// DynamoDB's errors:
//
//   KeyTerms      what the request wrote (a KeyConditionExpression after
//                 parsing, or legacy KeyConditions): one or two comparisons
//                 on distinct names, normalized so the key is on the left
//                 (":v < sk" becomes "sk > :v"), with what DynamoDB rejects
//                 without knowing the key schema already rejected (OR, NOT,
//                 IN, <>, functions other than begins_with, size(), two names
//                 in one comparison, more than two comparisons, one name twice);
//   KeyCondition  the terms matched to the key schema of the table or index
//                 queried: equality on the partition key and at most one
//                 condition on the sort key, each value of its key's type.
//                 On a GSI with multi-attribute keys: equality on every
//                 partition attribute, and the sort attributes constrained
//                 left to right, equalities on a prefix and at most one other
//                 comparison on the last one used.
//
// db/ consumes a KeyCondition as it is: the partition to read and the range
// of sort keys within it.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "expr/expression.h"
#include "model/attribute_value.h"
#include "model/schema.h"

namespace basalt::expr {

// One comparison of a key condition, key on the left.
struct KeyComparison {
  enum class Kind { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  Kind kind = Kind::kEq;
  Path path;                                  // the key side (empty if both sides are values)
  std::vector<model::AttributeValue> values;  // 1, or 2 for kBetween
};

struct KeyTerms {
  std::vector<KeyComparison> comparisons;  // in the order written (1 or 2, up to 8 on multi-attribute keys)
};

struct KeyCondition {
  std::vector<model::AttributeValue> partition;  // one value per partition attribute, in order
  std::vector<model::AttributeValue> sort_equal;  // equalities on the leading sort attributes, in order
  std::optional<KeyComparison> sort;              // the condition on the next sort attribute, if any
};

// Parses a KeyConditionExpression (parser.cc): a condition, then its terms.
Result<KeyTerms> ParseKeyCondition(std::string_view text, const Bindings& bindings);

// The terms of a condition parsed as a KeyConditionExpression (stage 6 of
// parser.cc), or DynamoDB's error for a condition of another shape.
Result<KeyTerms> KeyTermsOf(const Condition& key_condition);

// Matches the terms to a key schema.
Result<KeyCondition> MatchKeySchema(const KeyTerms& terms, const model::KeySchema& schema);

}  // namespace basalt::expr
