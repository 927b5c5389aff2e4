// Internal to partiql/: the token cursor, the syntax errors and the
// expression grammar of the PartiQL parser (the grammar is written at the top
// of parser.cc). The statement parser in parser.cc derives from it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "partiql/ast.h"
#include "partiql/errors.h"
#include "partiql/lexer.h"

namespace basalt::partiql {

class ExpressionParser {
 public:
  explicit ExpressionParser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}
  virtual ~ExpressionParser() = default;

 protected:
  const Token& Peek(size_t ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ < toks_.size() - 1) ++pos_;
    return t;
  }
  bool failed() const { return !error_.ok(); }

  // Records the first error only; parsing then unwinds without consuming.
  void FailWith(std::string_view detail) {
    if (!failed()) error_ = SyntaxError(detail);
    pos_ = toks_.size() - 1;  // stop everything at EOF
  }
  // The generic message for an unexpected token.
  void Fail(const Token& t) {
    if (t.kind == TokenKind::kKeyword) return FailWith(kUnexpectedKeyword);
    if (t.kind == TokenKind::kEof) return FailWith(kExpectedExpression);
    FailWith(kUnexpectedToken);
  }
  bool Expect(std::string_view punctuation) {
    if (failed()) return false;
    if (!Peek().Is(punctuation)) {
      Fail(Peek());
      return false;
    }
    Next();
    return true;
  }
  bool ExpectKeyword(std::string_view kw, std::string_view detail = {}) {
    if (failed()) return false;
    if (!Peek().IsKeyword(kw)) {
      if (!detail.empty()) {
        FailWith(detail);
      } else {
        Fail(Peek());
      }
      return false;
    }
    Next();
    return true;
  }
  bool IsName(const Token& t) const {
    return t.kind == TokenKind::kIdentifier || t.kind == TokenKind::kQuotedIdentifier;
  }

  // Expressions (the `expr`, `path` and `postfix` rules), and comma lists up to `close`.
  ast::Expr ParseExpr();
  ast::Expr ParsePath();
  ast::Expr ParsePostfix(bool stars = true);  // `.*` and `[*]` only where stars
  std::vector<ast::Expr> ParseExprList(std::string_view close);

  // A SELECT inside an expression (`EXISTS(SELECT ...)` in WHERE): parsed by
  // the statement parser, and refused later by the binder.
  virtual void ParseSubquery() = 0;

  size_t parameters_ = 0;  // `?` seen so far: the next one's ordinal
  int depth_ = 0;          // nesting, bounded by kMaxDepth
  Status error_;           // the first syntax error

 private:
  ast::Expr ParseOr();
  ast::Expr ParseAnd();
  ast::Expr ParseNot();
  ast::Expr ParseEquality();
  ast::Expr ParseComparison();
  ast::Expr ParseAdditive();
  ast::Expr ParseMultiplicative();
  ast::Expr ParseUnary();
  ast::Expr ParsePrimary();
  ast::Expr ParseCall();

  std::vector<Token> toks_;
  size_t pos_ = 0;
};

// Deep nesting is refused before it can exhaust the stack (statements are at
// most 8192 characters, so a legitimate one never comes near).
inline constexpr int kMaxDepth = 200;

}  // namespace basalt::partiql
