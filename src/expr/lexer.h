// The tokenizer shared by DynamoDB's expression grammars. It mirrors the
// tokens DynamoDB reports in syntax errors: names start with a letter,
// #name and :value placeholders take [A-Za-z0-9_]+, numbers are "0" or
// [1-9][0-9]* (so "01" is two tokens), the operators "<>", "<=", ">=" are one
// token, and any other character (a whole UTF-8 sequence) is a token alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace basalt::expr {

enum class TokenKind {
  kName,              // attribute name or function name
  kKeyword,           // AND OR NOT BETWEEN IN SET REMOVE ADD DELETE (any case)
  kNamePlaceholder,   // #x
  kValuePlaceholder,  // :x
  kNumber,            // list index
  kSymbol,            // = <> < <= > >= ( ) [ ] , . + - and any other character
  kEof,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::string_view text;  // empty for kEof
  size_t begin = 0;       // byte offsets into the expression
  size_t end = 0;
  // For kKeyword: the keyword in upper case.
  std::string upper;
  bool Is(std::string_view symbol) const { return kind == TokenKind::kSymbol && text == symbol; }
  bool IsKeyword(std::string_view kw) const { return kind == TokenKind::kKeyword && upper == kw; }
};

// Always ends with one kEof token whose begin/end are the text's size.
std::vector<Token> Tokenize(std::string_view text);

// "Syntax error; token: \"<tok>\", near: \"<text>\"" for tokens[index]:
// near spans from the start of the previous token (or the start of the text)
// to the end of the next token (or the end of the text), with the original spacing.
std::string SyntaxErrorText(std::string_view text, const std::vector<Token>& tokens, size_t index);

}  // namespace basalt::expr
