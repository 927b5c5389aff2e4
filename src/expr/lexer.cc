#include "expr/lexer.h"

#include <cctype>

namespace basalt::expr {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsKeyword(const std::string& upper) {
  static const char* const kKeywords[] = {"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE"};
  for (const char* k : kKeywords) {
    if (upper == k) return true;
  }
  return false;
}

// Length of the UTF-8 sequence starting with byte c (1 for invalid bytes).
size_t Utf8Length(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8) return 4;
  if (c >= 0xE0) return c < 0xF0 ? 3 : 1;
  if (c >= 0xC0) return 2;
  return 1;
}

}  // namespace

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  const size_t n = text.size();
  while (true) {
    while (i < n && IsSpace(text[i])) ++i;
    if (i >= n) break;
    Token t;
    t.begin = i;
    char c = text[i];
    size_t j = i + 1;
    if (IsAlpha(c)) {
      while (j < n && IsWordChar(text[j])) ++j;
      t.kind = TokenKind::kName;
    } else if ((c == '#' || c == ':') && j < n && IsWordChar(text[j])) {
      while (j < n && IsWordChar(text[j])) ++j;
      t.kind = c == '#' ? TokenKind::kNamePlaceholder : TokenKind::kValuePlaceholder;
    } else if (IsDigit(c)) {
      if (c != '0') {
        while (j < n && IsDigit(text[j])) ++j;
      }
      t.kind = TokenKind::kNumber;
    } else {
      t.kind = TokenKind::kSymbol;
      if ((c == '<' && j < n && (text[j] == '>' || text[j] == '=')) || (c == '>' && j < n && text[j] == '=')) {
        ++j;
      } else if (static_cast<unsigned char>(c) >= 0x80) {
        j = std::min(n, i + Utf8Length(static_cast<unsigned char>(c)));
      }
    }
    t.end = j;
    t.text = text.substr(i, j - i);
    if (t.kind == TokenKind::kName) {
      std::string up = Upper(t.text);
      if (IsKeyword(up)) {
        t.kind = TokenKind::kKeyword;
        t.upper = std::move(up);
      }
    }
    tokens.push_back(std::move(t));
    i = j;
  }
  Token eof;
  eof.kind = TokenKind::kEof;
  eof.begin = eof.end = n;
  tokens.push_back(std::move(eof));
  return tokens;
}

std::string SyntaxErrorText(std::string_view text, const std::vector<Token>& tokens, size_t index) {
  const Token& t = tokens[index];
  const bool eof = t.kind == TokenKind::kEof;
  size_t begin = index > 0 ? tokens[index - 1].begin : 0;
  size_t end = text.size();
  if (!eof && index + 1 < tokens.size() && tokens[index + 1].kind != TokenKind::kEof) end = tokens[index + 1].end;
  std::string token = eof ? "<EOF>" : std::string(t.text);
  return "Syntax error; token: \"" + token + "\", near: \"" + std::string(text.substr(begin, end - begin)) + "\"";
}

}  // namespace basalt::expr
