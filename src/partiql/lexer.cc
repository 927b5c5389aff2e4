#include "partiql/lexer.h"

#include <algorithm>
#include <cctype>

#include "partiql/errors.h"

namespace basalt::partiql {
namespace {

// PartiQL's reserved words: SQL-92's plus the ones PartiQL adds (MISSING,
// PIVOT, LIMIT, REMOVE, RETURNING, MODIFIED, NEW, OLD, type names such as
// STRING and LIST, ...), as the parser DynamoDB uses reserves them. Sorted.
constexpr std::string_view kReservedWords[] = {
    "ABSOLUTE", "ACTION", "ALL", "ALLOCATE", "ALTER", "AND", "ANY", "ARE", "AS", "ASC",
    "ASSERTION", "AT", "AUTHORIZATION", "AVG", "BAG", "BEGIN", "BETWEEN", "BIT", "BIT_LENGTH", "BLOB",
    "BOOL", "BOOLEAN", "BY", "CASCADE", "CASCADED", "CASE", "CAST", "CATALOG", "CHAR", "CHARACTER",
    "CHARACTER_LENGTH", "CHAR_LENGTH", "CHECK", "CLOB", "CLOSE", "COALESCE", "COLLATE", "COLLATION", "COLUMN",
    "COMMIT", "CONFLICT", "CONNECT", "CONNECTION", "CONSTRAINT", "CONSTRAINTS", "CONTINUE", "CONVERT",
    "CORRESPONDING", "COUNT", "CREATE", "CROSS", "CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP",
    "CURRENT_USER", "CURSOR", "DATE", "DATE_ADD", "DATE_DIFF", "DEALLOCATE", "DEC", "DECIMAL", "DECLARE",
    "DEFAULT", "DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DESCRIBE", "DESCRIPTOR", "DIAGNOSTICS", "DISCONNECT",
    "DISTINCT", "DO", "DOMAIN", "DOUBLE", "DROP", "ELSE", "END", "ESCAPE", "EXCEPT", "EXCEPTION",
    "EXEC", "EXECUTE", "EXISTS", "EXTERNAL", "EXTRACT", "FALSE", "FETCH", "FIRST", "FLOAT", "FOR",
    "FOREIGN", "FOUND", "FROM", "FULL", "GET", "GLOBAL", "GO", "GOTO", "GRANT", "GROUP",
    "HAVING", "IDENTITY", "IMMEDIATE", "IN", "INDEX", "INDICATOR", "INITIALLY", "INNER", "INPUT", "INSENSITIVE",
    "INSERT", "INT", "INTEGER", "INTERSECT", "INTERVAL", "INTO", "IS", "ISOLATION", "JOIN", "KEY",
    "LANGUAGE", "LAST", "LEFT", "LET", "LEVEL", "LIKE", "LIMIT", "LIST", "LOCAL", "LOWER",
    "MATCH", "MAX", "MIN", "MISSING", "MODIFIED", "MODULE", "NAMES", "NATIONAL", "NATURAL", "NCHAR",
    "NEW", "NEXT", "NO", "NOT", "NOTHING", "NULL", "NULLIF", "NUMERIC", "OCTET_LENGTH", "OF",
    "OLD", "ON", "ONLY", "OPEN", "OPTION", "OR", "ORDER", "OUTER", "OUTPUT", "OVERLAPS",
    "PAD", "PARTIAL", "PIVOT", "POSITION", "PRECISION", "PREPARE", "PRESERVE", "PRIMARY", "PRIOR", "PRIVILEGES",
    "PROCEDURE", "PUBLIC", "READ", "REAL", "REFERENCES", "RELATIVE", "REMOVE", "RESTRICT", "RETURNING", "REVOKE",
    "RIGHT", "ROLLBACK", "ROWS", "SCHEMA", "SCROLL", "SECTION", "SELECT", "SESSION", "SESSION_USER", "SET",
    "SEXP", "SIZE", "SMALLINT", "SOME", "SPACE", "SQL", "SQLCODE", "SQLERROR", "SQLSTATE", "STRING",
    "STRUCT", "SUBSTRING", "SUM", "SYMBOL", "SYSTEM_USER", "TABLE", "TEMPORARY", "THEN", "TIME", "TIMESTAMP",
    "TO", "TRANSACTION", "TRANSLATE", "TRANSLATION", "TRIM", "TRUE", "TUPLE", "UNION", "UNIQUE", "UNKNOWN",
    "UNPIVOT", "UPDATE", "UPPER", "USAGE", "USER", "USING", "VALUE", "VARCHAR", "VARYING", "VIEW",
    "WHEN", "WHENEVER", "WHERE", "WITH", "WORK", "WRITE", "ZONE",
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Tracks line and column (in UTF-16 code units) while walking the bytes.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  size_t pos() const { return pos_; }
  bool done() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  uint32_t line() const { return line_; }
  uint32_t column() const { return column_; }

  void Advance() {
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
      ++pos_;
      return;
    }
    // A UTF-8 sequence is one code point: one UTF-16 unit, two for 4-byte sequences.
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    len = std::min(len, text_.size() - pos_);
    pos_ += len;
    column_ += len == 4 ? 2 : 1;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
};

}  // namespace

std::string AtLocation(const Location& loc) {
  return " at " + std::to_string(loc.line) + ":" + std::to_string(loc.column) + ":" + std::to_string(loc.length);
}

bool IsReservedWord(std::string_view upper) {
  return std::binary_search(std::begin(kReservedWords), std::end(kReservedWords), upper);
}

size_t Utf16Length(std::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    n += len == 4 ? 2 : 1;
    i += len;
  }
  return n;
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  Cursor cur(text);
  auto syntax = [] { return SyntaxError(kUnexpectedToken); };
  while (true) {
    // Whitespace and comments.
    while (!cur.done()) {
      if (IsSpace(cur.peek())) {
        cur.Advance();
      } else if (cur.peek() == '-' && cur.peek(1) == '-') {
        while (!cur.done() && cur.peek() != '\n') cur.Advance();
      } else if (cur.peek() == '/' && cur.peek(1) == '*') {
        cur.Advance();
        cur.Advance();
        while (!cur.done() && !(cur.peek() == '*' && cur.peek(1) == '/')) cur.Advance();
        if (cur.done()) return syntax();
        cur.Advance();
        cur.Advance();
      } else {
        break;
      }
    }
    Token t;
    t.begin = cur.pos();
    t.loc.line = cur.line();
    t.loc.column = cur.column();
    if (cur.done()) {
      t.kind = TokenKind::kEof;
      t.end = t.begin;
      tokens.push_back(std::move(t));
      return tokens;
    }
    const char c = cur.peek();
    const bool after_operand =
        !tokens.empty() && (tokens.back().kind == TokenKind::kIdentifier ||
                            tokens.back().kind == TokenKind::kQuotedIdentifier || tokens.back().Is("]") ||
                            tokens.back().Is(")"));
    if (IsIdentStart(c)) {
      while (IsIdentChar(cur.peek())) cur.Advance();
      std::string_view word = text.substr(t.begin, cur.pos() - t.begin);
      std::string up = Upper(word);
      if (IsReservedWord(up)) {
        t.kind = TokenKind::kKeyword;
        t.value = std::move(up);
      } else {
        t.kind = TokenKind::kIdentifier;
        t.value = std::string(word);
      }
    } else if (c == '"' || c == '\'') {
      // Quoted identifier or string; a doubled quote stands for one.
      cur.Advance();
      std::string value;
      while (true) {
        if (cur.done()) return syntax();
        if (cur.peek() == c) {
          if (cur.peek(1) != c) break;
          value.push_back(c);
          cur.Advance();
          cur.Advance();
          continue;
        }
        size_t from = cur.pos();
        cur.Advance();
        value.append(text.substr(from, cur.pos() - from));
      }
      cur.Advance();
      t.kind = c == '"' ? TokenKind::kQuotedIdentifier : TokenKind::kString;
      t.value = std::move(value);
    } else if (IsDigit(c) || (c == '.' && IsDigit(cur.peek(1)) && !after_operand)) {
      while (IsDigit(cur.peek())) cur.Advance();
      if (cur.peek() == '.') {
        cur.Advance();
        while (IsDigit(cur.peek())) cur.Advance();
      }
      if (cur.peek() == 'e' || cur.peek() == 'E') {
        size_t sign = (cur.peek(1) == '+' || cur.peek(1) == '-') ? 1 : 0;
        if (IsDigit(cur.peek(1 + sign))) {
          for (size_t i = 0; i <= sign; ++i) cur.Advance();
          while (IsDigit(cur.peek())) cur.Advance();
        }
      }
      t.kind = TokenKind::kNumber;
      t.value = std::string(text.substr(t.begin, cur.pos() - t.begin));
    } else if (c == '?') {
      cur.Advance();
      t.kind = TokenKind::kParameter;
      t.value = "?";
    } else {
      static constexpr std::string_view kTwo[] = {"<<", ">>", "<=", ">=", "<>", "!=", "||"};
      std::string_view two = text.substr(t.begin, 2);
      std::string_view op;
      for (std::string_view k : kTwo) {
        if (two == k) op = k;
      }
      if (op.empty() && std::string_view(".,:;[]{}()*+-/%=<>").find(c) != std::string_view::npos) {
        op = text.substr(t.begin, 1);
      }
      // Anything else (!, |, @, #, `, non-ASCII letters) starts no PartiQL token.
      if (op.empty()) return syntax();
      for (size_t i = 0; i < op.size(); ++i) cur.Advance();
      t.kind = TokenKind::kPunctuation;
      t.value = std::string(op);
    }
    t.end = cur.pos();
    t.loc.length = static_cast<uint32_t>(Utf16Length(text.substr(t.begin, t.end - t.begin)));
    tokens.push_back(std::move(t));
  }
}

}  // namespace basalt::partiql
