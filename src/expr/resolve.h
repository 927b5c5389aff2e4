// Stage 5 of parsing an expression (parser.cc has the whole order): the
// #name and :value placeholders of a raw tree (syntax.h) are resolved
// against the request's ExpressionAttributeNames/Values, bottom-up and left
// to right, together with the checks that need the values: operand counts
// and types, distinct operands, BETWEEN bounds, and (updates and
// projections) overlapping document paths.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "expr/expression.h"
#include "expr/syntax.h"

namespace basalt::expr {

Result<Condition> ResolveCondition(const RawCond& raw, const std::string& prefix, const Bindings& bindings);
Result<Update> ResolveUpdate(const std::vector<RawAction>& raw, const std::string& prefix, const Bindings& bindings);
Result<Projection> ResolveProjection(const std::vector<std::vector<RawElem>>& raw, const std::string& prefix,
                                     const NameMap& names, std::set<std::string>* used_names);

}  // namespace basalt::expr
