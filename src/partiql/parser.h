// Parsing of PartiQL statements (ExecuteStatement, BatchExecuteStatement,
// ExecuteTransaction) into the syntax tree of ast.h. The grammar accepted is
// written at the top of parser.cc. Parsing checks syntax only; what DynamoDB
// refuses after parsing (aliases, LIMIT, unsupported functions, ...) is the
// planner's to report, in planner.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "common/status.h"
#include "partiql/ast.h"

namespace basalt::partiql {

// The longest statement DynamoDB accepts, in characters (the `Statement`
// member's length constraint, 1..8192).
inline constexpr size_t kMaxStatementLength = 8192;

// Parses one statement. Errors (all Code::kValidation):
//   - a statement longer than kMaxStatementLength: the service's member
//     constraint message for ExecuteStatement's `statement` member, e.g.
//     "1 validation error detected: Value '<statement>' at 'statement' failed
//     to satisfy constraint: Member must have length less than or equal to
//     8192" (BatchExecuteStatement and ExecuteTransaction validate their
//     members' lengths in the api layer, with their own member paths);
//   - a syntax error: "Statement wasn't well formed, can't be processed: "
//     and the parser's message (errors.h).
Result<ast::Statement> Parse(std::string_view statement);

// Parse, remembered for the last few thousand statement texts (an
// application sends the same statements with other parameters).
struct ParsedStatement {
  Result<ast::Statement> statement = Status::Internal("not parsed");
};
std::shared_ptr<const ParsedStatement> ParseCached(std::string_view statement);

}  // namespace basalt::partiql
