// The expression language of DynamoDB: ConditionExpression, FilterExpression,
// KeyConditionExpression and UpdateExpression (ProjectionExpression is in
// projection.h). Parsing resolves #name and :value placeholders against the
// request's ExpressionAttributeNames/Values and records which were used, so
// the caller can report unused ones. Evaluation is a pure function of an item.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "expr/projection.h"
#include "model/attribute_value.h"

namespace basalt::expr {

using ValueMap = std::map<std::string, model::AttributeValue, std::less<>>;  // ":v" -> value

// The placeholders of one request and which of them an expression used.
struct Bindings {
  const NameMap* names = nullptr;
  const ValueMap* values = nullptr;
  std::set<std::string>* used_names = nullptr;
  std::set<std::string>* used_values = nullptr;
};

// An operand of a comparison or function, or the right side of a SET action.
struct Operand {
  enum class Kind {
    kPath,         // a document path
    kValue,        // a resolved :value
    kSize,         // size(args[0]): args[0] is a kPath or a kValue
    kIfNotExists,  // if_not_exists(path, operand)   (UpdateExpression SET only)
    kListAppend,   // list_append(operand, operand)  (UpdateExpression SET only)
    kPlus,         // operand + operand              (UpdateExpression SET only)
    kMinus,        // operand - operand              (UpdateExpression SET only)
  };
  Kind kind = Kind::kPath;
  Path path;                        // kPath, kIfNotExists
  model::AttributeValue value;      // kValue
  std::vector<Operand> args;        // kIfNotExists (1: the default), kListAppend, kPlus, kMinus (2)
};

struct Condition {
  enum class Kind {
    kCompare,       // op: = <> < <= > >=   args[0] op args[1]
    kBetween,       // args[0] BETWEEN args[1] AND args[2]
    kIn,            // args[0] IN (args[1..])
    kAnd, kOr, kNot,  // children
    kAttributeExists, kAttributeNotExists,  // args[0] is a path
    kAttributeType,   // attribute_type(args[0], args[1]): args[1] is a kValue of type S
    kBeginsWith,      // begins_with(path, operand)
    kContains,        // contains(path, operand)
  };
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Kind kind = Kind::kCompare;
  Op op = Op::kEq;
  std::vector<Operand> args;
  std::vector<Condition> children;
};

struct UpdateAction {
  enum class Kind { kSet, kRemove, kAdd, kDelete };
  Kind kind = Kind::kSet;
  Path path;
  Operand value;  // SET: the new value; ADD/DELETE: a :value operand
};

struct Update {
  std::vector<UpdateAction> actions;  // in the order written, grouped by clause
  // From legacy AttributeUpdates, where an update whose actions all delete
  // does nothing to a missing item (UpdateExpression creates the item).
  bool attribute_updates = false;
};

// Which grammar a condition-shaped expression is, for error messages
// ("Invalid ConditionExpression: ..."). A KeyConditionExpression is parsed
// as a condition, then shaped by key_condition.h (ParseKeyCondition).
enum class ConditionKind { kCondition, kFilter, kKeyCondition };


Result<Condition> ParseCondition(std::string_view text, ConditionKind kind, const Bindings& bindings);
Result<Update> ParseUpdate(std::string_view text, const Bindings& bindings);

// The top-level attribute names a condition reads, in order of appearance
// (with repeats).
std::vector<std::string> TopLevelNames(const Condition& condition);

// Evaluates a condition on an item (an absent item is an empty one).
// Mismatched types compare false; errors are only for things DynamoDB
// reports at evaluation time (e.g. an invalid attribute_type argument).
Result<bool> Evaluate(const Condition& condition, const model::Item& item);

// Applies an update to `item` (the old item, or just the key when absent),
// returning the new item, with DynamoDB's errors (adding to a non-number,
// a path whose parent does not exist, an index into a non-list, ...).
// `key_names` are the table's key attributes, which an update may not touch.
Result<model::Item> ApplyUpdate(const Update& update, const model::Item& item,
                                const std::vector<std::string>& key_names);

// The top-level and nested paths an update modified, for ReturnValues
// UPDATED_OLD/UPDATED_NEW.
std::vector<Path> UpdatedPaths(const Update& update);

}  // namespace basalt::expr
