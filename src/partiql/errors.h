// DynamoDB's PartiQL error texts, in one place.
//
// Syntax errors. The service answers a statement the PartiQL parser rejects
// with "Statement wasn't well formed, can't be processed: " and the parser's
// own message, without a position: reference/partiql.md records
// "...: Unexpected keyword" (for `INSERT INTO t (a, b) VALUES (?, ?)`) and
// "...: Expected data manipulation" (for `UPDATE Payment-x SET ...`).
// DynamoDB Local puts the whole statement after the colon instead; Basalt
// follows the service and uses the messages of the parser DynamoDB uses
// (partiql-lang-kotlin: "Unexpected token", "Unexpected keyword", "Expected
// data manipulation", "Expected FROM after SELECT list", ...). Which of them
// the service picks for a given bad statement is only known for the two
// documented cases; the rest follow the same parser's wording.
//
// Semantic errors (a statement that parses but DynamoDB does not support)
// carry the texts DynamoDB Local returns; they come from code DynamoDB Local
// shares with the service (its DynamoDBPartiQLShared library), and some end
// with " at <line>:<column>:<length>" of the offending token.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "partiql/lexer.h"

namespace basalt::partiql {

inline constexpr std::string_view kNotWellFormed = "Statement wasn't well formed, can't be processed: ";

// Parser messages (the detail after kNotWellFormed).
inline constexpr std::string_view kUnexpectedToken = "Unexpected token";
inline constexpr std::string_view kUnexpectedKeyword = "Unexpected keyword";
inline constexpr std::string_view kExpectedDml = "Expected data manipulation";
inline constexpr std::string_view kExpectedExpression = "Expected expression";
inline constexpr std::string_view kExpectedFromAfterSelect = "Expected FROM after SELECT list";
inline constexpr std::string_view kExpectedFromAfterDelete = "Expected FROM after DELETE";
inline constexpr std::string_view kEmptySelectList = "Cannot have empty SELECT list";
inline constexpr std::string_view kExpectedAssignment = "Expected assignment for SET";
inline constexpr std::string_view kExpectedReturning =
    "Expected ( MODIFIED | ALL ) ( NEW | OLD ) in each returning element.";
inline constexpr std::string_view kStarWithOthers =
    "Other expressions may not be present in the select list when '*' is used without dot notation.";

inline Status SyntaxError(std::string_view detail) {
  return Status::Validation(std::string(kNotWellFormed) + std::string(detail));
}

// A semantic error that names no token.
inline Status Unsupported(std::string message) { return Status::Validation(std::move(message)); }

// A semantic error about one token: "<message> at <line>:<column>:<length>".
inline Status UnsupportedAt(std::string message, const Location& loc) {
  return Status::Validation(std::move(message) + AtLocation(loc));
}

// The parameter count check (DynamoDB Local's wording, trailing period included).
inline constexpr std::string_view kParameterCountMismatch =
    "Number of parameters in request and statement don't match.";

}  // namespace basalt::partiql
