// PartiQL value expressions to DynamoDB attribute values: literals (strings,
// numbers, TRUE/FALSE, NULL, lists, maps, sets) and `?` parameters.
//
// The errors are DynamoDB Local's, which name the place of the bad value as a
// "key" path: the value being converted is "root", and each level inside it
// appends ".<map key>" or ".<list index>" ("Unsupported data type:
// LiteralMissing under key root.n.a at 1:64:7"). At the top a bad value is
// named by its operator, function or name ("Unsupported data type: + under key
// root"), below it by PartiQL's node kind (NAry, VariableReference,
// LiteralMissing, Parameter). Parameters are allowed only at the top: DynamoDB
// Local refuses `{'a': ?}` nested in a value and `<<?>>`, so binary values and
// binary sets can only be whole parameters, as the reference says.
#pragma once

#include <vector>

#include "common/status.h"
#include "model/attribute_value.h"
#include "partiql/ast.h"

namespace basalt::partiql {

// True for the expression kinds that are values (literals, `?`, lists, maps, sets).
bool IsValueExpr(const ast::Expr& e);

// Converts a value expression. `params` are the statement's bound parameters
// (already checked to cover every `?`). `item_root` marks the top-level map of
// an INSERT: its duplicate keys are reported at the key, not at the map.
Result<model::AttributeValue> ConvertValue(const ast::Expr& e, const std::vector<model::AttributeValue>& params,
                                           bool item_root = false);

// A number literal's value: model::Number::Parse with the message DynamoDB
// gives for literals with too many digits, and DynamoDB's refusal of a
// negative zero written as a decimal (`-0.0`, `-0e0`; `-0` is the integer 0).
// `where` is the key path for messages ("root").
Result<model::AttributeValue> NumberValue(const ast::Expr& e, const std::string& where);

}  // namespace basalt::partiql
