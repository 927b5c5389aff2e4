// The tokens of DynamoDB's PartiQL dialect.
//
// DynamoDB parses statements with the PartiQL reference parser (DynamoDB Local
// ships partiql-lang-kotlin 0.3.4), so its lexical rules are PartiQL's:
//   - keywords are case-insensitive and reserved: a bare SELECT, VALUE or SIZE
//     is never an identifier (DynamoDB Local: `SELECT size FROM "T"` is a
//     syntax error); the list is SQL-92's reserved words plus PartiQL's own;
//   - bare identifiers are [A-Za-z_$][A-Za-z0-9_$]* and keep their case
//     (`WHERE PK = 'x'` does not match attribute pk);
//   - "double quoted" text is an identifier ("" stands for one "), never a
//     string; 'single quoted' text is a string ('' stands for one ');
//   - numbers are digits with an optional fraction and exponent, kept as
//     written (converted later with model::Number::Parse, never a double);
//   - `?` is a positional parameter, numbered from 0 in order of appearance;
//   - `--` starts a comment to the end of the line, `/* */` a block comment;
//   - `<<` and `>>` delimit a set (a PartiQL bag), `||` is concatenation.
// Every token carries its position, because DynamoDB's semantic errors end
// with " at <line>:<column>:<length>" of the token they blame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace basalt::partiql {

// Where a token is, as DynamoDB prints it: 1-based line and column and the
// length of the token as written, columns and lengths in UTF-16 code units
// (the service is written in Java).
struct Location {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t length = 0;
  bool operator==(const Location&) const = default;
};

// " at 1:8:5", the suffix DynamoDB appends to messages about one token.
std::string AtLocation(const Location& loc);

enum class TokenKind {
  kKeyword,           // a reserved word; `value` is the word in upper case
  kIdentifier,        // a bare identifier; `value` as written
  kQuotedIdentifier,  // "..."; `value` unescaped
  kString,            // '...'; `value` unescaped
  kNumber,            // `value` is the text as written
  kParameter,         // ?
  kPunctuation,       // . , : ; [ ] { } ( ) << >> * + - / % || = <> != < <= > >=
  kEof,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::string value;
  Location loc;
  size_t begin = 0;  // byte offsets into the statement
  size_t end = 0;

  bool Is(std::string_view punctuation) const { return kind == TokenKind::kPunctuation && value == punctuation; }
  bool IsKeyword(std::string_view upper) const { return kind == TokenKind::kKeyword && value == upper; }
};

// True for PartiQL's reserved words (upper case).
bool IsReservedWord(std::string_view upper);

// Splits a statement into tokens ending with one kEof token. A character that
// starts no token, an unterminated string, quoted identifier or comment is a
// syntax error (DynamoDB's "Statement wasn't well formed, can't be processed").
Result<std::vector<Token>> Tokenize(std::string_view statement);

// The length of `text` in UTF-16 code units, as Java counts it.
size_t Utf16Length(std::string_view text);

}  // namespace basalt::partiql
