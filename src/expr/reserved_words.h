#pragma once

#include <string_view>

namespace basalt::expr {

// True if `word` is one of DynamoDB's reserved words (compared case-insensitively),
// which cannot be used as a plain attribute name in an expression.
bool IsReservedWord(std::string_view word);

}  // namespace basalt::expr
