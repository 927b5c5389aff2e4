// Stages 1 to 3 of parsing an expression (parser.cc has the whole order):
// the syntax of the text, list indexes out of range, redundant parentheses,
// the operator count, reserved words used as names, and function names and
// where each function may be used. The result is a raw tree whose #name and
// :value placeholders are not resolved yet (resolve.h does that), so it
// depends only on the text and can be cached.
//
// The grammar (DynamoDB's; keywords are case-insensitive):
//   condition  := or
//   or         := and ("OR" and)*
//   and        := not ("AND" not)*
//   not        := "NOT" not | predicate
//   predicate  := "(" or ")" | operand cmp operand | operand "BETWEEN" operand "AND" operand
//               | operand "IN" "(" operand ("," operand)* ")" | function
//   cmp        := "=" | "<>" | "<" | "<=" | ">" | ">="
//   operand    := "(" operand ")" | name "(" operand ("," operand)* ")" | path | :value
//   path       := element ("." element | "[" digits "]")*      element := name | #name
//   update     := (("SET" set ("," set)*) | ("REMOVE" path ("," path)*)
//                 | ("ADD" | "DELETE") path :value ("," path :value)*)+
//   set        := path "=" value (("+" | "-") operand)?
//   value      := "(" value ")" | operand
//   projection := path ("," path)*
// Raw trees point into the text they were parsed from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "expr/expression.h"

namespace basalt::expr {

struct RawElem {
  std::string_view text;  // name or #placeholder
  bool placeholder = false;
  bool is_index = false;
  size_t index = 0;
};

struct RawOperand {
  enum class Kind { kPath, kValue, kCall, kArith };
  Kind kind = Kind::kPath;
  std::vector<RawElem> path;
  std::string_view name;  // kValue: ":v"; kCall: function name
  std::vector<RawOperand> args;
  char op = '+';
  bool parenthesized = false;
};

struct RawCond {
  enum class Kind { kCompare, kBetween, kIn, kAnd, kOr, kNot, kCall };
  Kind kind = Kind::kCompare;
  Condition::Op op = Condition::Op::kEq;
  std::string_view op_text;
  std::vector<RawOperand> operands;  // kCall: the arguments
  std::string_view fname;
  std::vector<RawCond> children;
  bool parenthesized = false;
};


struct RawAction {
  UpdateAction::Kind kind;
  std::vector<RawElem> path;
  RawOperand value;
};

// Each returns the first error of stages 1-3, with `prefix` ("Invalid
// ConditionExpression: ") before DynamoDB's message.
Status ParseConditionSyntax(std::string_view text, const std::string& prefix, RawCond* out);
Status ParseUpdateSyntax(std::string_view text, const std::string& prefix, std::vector<RawAction>* out);
Status ParseProjectionSyntax(std::string_view text, const std::string& prefix,
                             std::vector<std::vector<RawElem>>* out);

}  // namespace basalt::expr
