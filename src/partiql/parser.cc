// Recursive descent for DynamoDB's PartiQL statements.
//
// The grammar accepted (keywords case-insensitive; see lexer.h for tokens):
//
//   statement    := (select | insert | update | delete | exists | expr) [';'] EOF
//   select       := SELECT [DISTINCT | ALL] select_list FROM source
//                   [WHERE expr] [ORDER BY order_item (',' order_item)*] [LIMIT expr]
//   select_list  := '*' | (VALUE | PIVOT) expr | select_item (',' select_item)*
//   select_item  := expr [[AS] identifier]
//   source       := primary [[AS] identifier] [AT identifier] [BY identifier] (',' source)*
//   order_item   := expr [ASC | DESC]
//   insert       := INSERT INTO path VALUE expr [AT expr] [returning]
//   update       := UPDATE path (SET assignment (',' assignment)* | REMOVE path)+
//                   [WHERE expr] [returning]
//   assignment   := path '=' expr
//   delete       := DELETE FROM path [WHERE expr] [returning]
//   returning    := RETURNING element (',' element)*
//   element      := (ALL | MODIFIED) (OLD | NEW) ('*' | expr)
//   exists       := EXISTS '(' select ')'
//
//   expr         := or
//   or           := and (OR and)*
//   and          := not (AND not)*
//   not          := NOT not | equality
//   equality     := comparison (('=' | '<>' | '!=') comparison)*
//   comparison   := additive ( ('<' | '<=' | '>' | '>=') additive
//                            | [NOT] BETWEEN additive AND additive
//                            | [NOT] IN ('(' expr (',' expr)* ')' | additive)
//                            | [NOT] LIKE additive [ESCAPE additive]
//                            | IS [NOT] type_name )*
//   additive     := multiplicative (('+' | '-' | '||') multiplicative)*
//   multiplicative := unary (('*' | '/' | '%') unary)*
//   unary        := ('-' | '+') unary | postfix        -- a sign before a number literal is folded into it
//   postfix      := primary ('.' (identifier | quoted | '*') | '[' (expr | '*') ']')*   -- paths
//   primary      := string | number | TRUE | FALSE | NULL | MISSING | '?'
//                 | (DATE | TIME | TIMESTAMP) string
//                 | identifier | quoted
//                 | function '(' [ '*' | select | expr (',' expr)* ] ')'
//                 | '(' expr ')'
//                 | '[' [expr (',' expr)*] ']'
//                 | '{' [expr ':' expr (',' expr ':' expr)*] '}'
//                 | '<<' [expr (',' expr)*] '>>'
//   path         := (identifier | quoted) ('.' (identifier | quoted | '*') | '[' (expr | '*') ']')*
//   function     := identifier | SIZE | EXISTS | COUNT | ... (keywords that name functions)
//   type_name    := MISSING | NULL | BOOLEAN | STRING | INT | ... (keywords that name types)
//
// Precedence follows PartiQL: OR < AND < NOT < equality < comparison <
// additive < multiplicative < unary. Postfix steps apply only to names: a
// path starts with an attribute name.
#include "partiql/parser.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "partiql/errors.h"

namespace basalt::partiql {
namespace {

using ast::Expr;

// Deep nesting is refused before it can exhaust the stack (statements are at
// most 8192 characters, so a legitimate one never comes near).
constexpr int kMaxDepth = 200;

// Keywords that are also function names: `size(a)` is a call although SIZE is reserved.
bool IsFunctionKeyword(const std::string& kw) {
  static const char* const kNames[] = {"SIZE",   "EXISTS", "COUNT",    "AVG",       "MIN",        "MAX",
                                       "SUM",    "UPPER",  "LOWER",    "SUBSTRING", "TRIM",       "COALESCE",
                                       "NULLIF", "CAST",   "DATE_ADD", "DATE_DIFF", "CHAR_LENGTH", "CHARACTER_LENGTH",
                                       "OCTET_LENGTH", "BIT_LENGTH", "EXTRACT", "POSITION"};
  for (const char* n : kNames) {
    if (kw == n) return true;
  }
  return false;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The canonical name of a type keyword after IS (DynamoDB Local names INT
// "INTEGER" in its messages), or "" when the keyword names no type.
std::string TypeName(const std::string& kw, const Token& next) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {"MISSING", "MISSING"},   {"NULL", "NULL"},       {"BOOL", "BOOLEAN"},     {"BOOLEAN", "BOOLEAN"},
      {"SMALLINT", "SMALLINT"}, {"INT", "INTEGER"},     {"INTEGER", "INTEGER"},  {"FLOAT", "FLOAT"},
      {"REAL", "REAL"},         {"DECIMAL", "DECIMAL"}, {"DEC", "DECIMAL"},      {"NUMERIC", "NUMERIC"},
      {"TIMESTAMP", "TIMESTAMP"}, {"CHAR", "CHARACTER"}, {"CHARACTER", "CHARACTER"},
      {"VARCHAR", "CHARACTER_VARYING"}, {"STRING", "STRING"}, {"SYMBOL", "SYMBOL"}, {"CLOB", "CLOB"},
      {"BLOB", "BLOB"},         {"STRUCT", "STRUCT"},   {"TUPLE", "TUPLE"},      {"LIST", "LIST"},
      {"SEXP", "SEXP"},         {"BAG", "BAG"},         {"DATE", "DATE"},        {"TIME", "TIME"}};
  if (kw == "DOUBLE") return next.IsKeyword("PRECISION") ? "DOUBLE_PRECISION" : "";
  for (const auto& [k, name] : kTypes) {
    if (kw == k) return name;
  }
  return "";
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  Result<ast::Statement> ParseStatement() {
    ast::Statement st;
    const Token& t = Peek();
    if (t.IsKeyword("SELECT")) {
      st.body = ParseSelect();
    } else if (t.IsKeyword("INSERT")) {
      st.body = ParseInsert();
    } else if (t.IsKeyword("UPDATE")) {
      st.body = ParseUpdate();
    } else if (t.IsKeyword("DELETE")) {
      st.body = ParseDelete();
    } else if (t.IsKeyword("EXISTS") && Peek(1).Is("(") && Peek(2).IsKeyword("SELECT")) {
      ast::ExistsStatement e;
      e.loc = Next().loc;
      Expect("(");
      e.select = ParseSelect();
      Expect(")");
      st.body = std::move(e);
    } else {
      st.body = ast::ExpressionStatement{ParseExpr()};
    }
    if (Peek().Is(";")) Next();
    if (!failed() && Peek().kind != TokenKind::kEof) Fail(Peek());
    if (failed()) return error_;
    st.parameter_count = parameters_;
    return st;
  }

 private:
  // ---- tokens and errors ----

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

  // ---- statements ----

  ast::SelectStatement ParseSelect() {
    ast::SelectStatement s;
    s.loc = Next().loc;  // SELECT
    if (Peek().IsKeyword("DISTINCT")) {
      s.distinct = true;
      Next();
    } else if (Peek().IsKeyword("ALL")) {
      Next();
    }
    if (Peek().IsKeyword("FROM")) {
      FailWith(kEmptySelectList);
      return s;
    }
    if (Peek().Is("*")) {
      Next();
      s.star = true;
      if (Peek().Is(",")) FailWith(kStarWithOthers);
    } else if (Peek().IsKeyword("VALUE") || Peek().IsKeyword("PIVOT")) {
      Next();
      s.value = true;
      s.projection.push_back(ParseExpr());
      if (Peek().IsKeyword("AT")) {
        Next();
        s.projection.push_back(ParseExpr());
      }
    } else {
      while (!failed()) {
        if (Peek().Is("*")) {
          FailWith(kStarWithOthers);
          break;
        }
        s.projection.push_back(ParseExpr());
        // DynamoDB Local: `SELECT a[*]` is a syntax error (`SELECT a.*` is not).
        for (const ast::PathStep& step : s.projection.back().steps) {
          if (step.kind == ast::PathStep::Kind::kBracketStar) FailWith(kUnexpectedToken);
        }
        if (SkipAlias()) s.aliased = true;
        if (!Peek().Is(",")) break;
        Next();
      }
    }
    if (failed()) return s;
    if (!Peek().IsKeyword("FROM")) {
      FailWith(kExpectedFromAfterSelect);
      return s;
    }
    Next();
    s.from = ParseSource();
    if (Peek().IsKeyword("WHERE")) {
      Next();
      s.where = ParseExpr();
    }
    if (Peek().IsKeyword("ORDER")) {
      Next();
      ExpectKeyword("BY");
      while (!failed()) {
        ast::OrderBy o;
        o.key = ParseExpr();
        if (Peek().IsKeyword("ASC")) {
          Next();
        } else if (Peek().IsKeyword("DESC")) {
          Next();
          o.descending = true;
        }
        s.order_by.push_back(std::move(o));
        if (!Peek().Is(",")) break;
        Next();
      }
    }
    if (Peek().IsKeyword("LIMIT")) {
      Next();
      s.limit = ParseExpr();
    }
    return s;
  }

  // `[AS] identifier` after a select item or source; true when one was there.
  bool SkipAlias() {
    if (Peek().IsKeyword("AS")) {
      Next();
      if (!IsName(Peek())) {
        Fail(Peek());
        return false;
      }
      Next();
      return true;
    }
    if (IsName(Peek())) {
      Next();
      return true;
    }
    return false;
  }

  ast::Source ParseSource() {
    ast::Source src;
    src.path = ParsePostfix();
    while (!failed()) {
      if (SkipAlias()) {
        src.aliased = true;
      } else if (Peek().IsKeyword("AT") || Peek().IsKeyword("BY")) {
        Next();
        if (!IsName(Peek())) {
          Fail(Peek());
          break;
        }
        Next();
        src.aliased = true;
      } else if (Peek().Is(",")) {
        Next();
        (void)ParsePostfix();
        src.several = true;
      } else {
        break;
      }
    }
    return src;
  }

  ast::InsertStatement ParseInsert() {
    ast::InsertStatement s;
    s.loc = Next().loc;  // INSERT
    ExpectKeyword("INTO");
    s.target = ParsePath();
    // reference/partiql.md: the service answers the SQL form
    // `INSERT INTO t (a, b) VALUES (...)` with "Unexpected keyword".
    ExpectKeyword("VALUE", kUnexpectedKeyword);
    s.value = ParseExpr();
    if (Peek().IsKeyword("AT")) {
      Next();
      (void)ParseExpr();
      s.at = true;
    }
    if (Peek().IsKeyword("RETURNING")) {
      (void)ParseReturning();
      s.returning = true;
    }
    return s;
  }

  ast::UpdateStatement ParseUpdate() {
    ast::UpdateStatement s;
    s.loc = Next().loc;  // UPDATE
    s.target = ParsePath();
    // reference/partiql.md: `UPDATE Payment-x SET ...` (an unquoted hyphen
    // ends the table name) is "Expected data manipulation".
    if (!failed() && !Peek().IsKeyword("SET") && !Peek().IsKeyword("REMOVE")) FailWith(kExpectedDml);
    while (!failed() && (Peek().IsKeyword("SET") || Peek().IsKeyword("REMOVE"))) {
      const bool set = Next().value == "SET";
      while (!failed()) {
        ast::UpdateAction a;
        a.kind = set ? ast::UpdateAction::Kind::kSet : ast::UpdateAction::Kind::kRemove;
        a.target = ParsePath();
        if (set) {
          if (!failed() && !Peek().Is("=")) {
            FailWith(kExpectedAssignment);
            break;
          }
          Next();
          a.value = ParseExpr();
        }
        s.actions.push_back(std::move(a));
        // REMOVE takes one path (DynamoDB Local: `REMOVE a, b` is a syntax
        // error; write `REMOVE a REMOVE b`); SET takes a list.
        if (!set || !Peek().Is(",")) break;
        Next();
      }
    }
    if (Peek().IsKeyword("WHERE")) {
      Next();
      s.where = ParseExpr();
    }
    if (Peek().IsKeyword("RETURNING")) s.returning = ParseReturning();
    return s;
  }

  ast::DeleteStatement ParseDelete() {
    ast::DeleteStatement s;
    s.loc = Next().loc;  // DELETE
    if (!ExpectKeyword("FROM", kExpectedFromAfterDelete)) return s;
    s.from.path = ParsePath();
    if (Peek().IsKeyword("WHERE")) {
      Next();
      s.where = ParseExpr();
    }
    if (Peek().IsKeyword("RETURNING")) s.returning = ParseReturning();
    return s;
  }

  ast::Returning ParseReturning() {
    ast::Returning r;
    Next();  // RETURNING
    while (!failed()) {
      const Token& mode = Peek();
      const Token& age = Peek(1);
      if (!(mode.IsKeyword("ALL") || mode.IsKeyword("MODIFIED")) || !(age.IsKeyword("OLD") || age.IsKeyword("NEW"))) {
        FailWith(kExpectedReturning);
        break;
      }
      Next();
      Next();
      if (r.elements++ == 0) {
        r.all = mode.value == "ALL";
        r.old = age.value == "OLD";
      }
      if (Peek().Is("*")) {
        Next();
      } else {
        (void)ParseExpr();
        r.star = false;
      }
      if (!Peek().Is(",")) break;
      Next();
    }
    return r;
  }

  // ---- expressions ----

  Expr ParseExpr() {
    if (++depth_ > kMaxDepth) FailWith(kUnexpectedToken);
    Expr e = ParseOr();
    --depth_;
    return e;
  }

  static Expr Binary(std::string op, const Location& loc, Expr l, Expr r) {
    Expr e;
    e.kind = Expr::Kind::kBinary;
    e.text = std::move(op);
    e.loc = loc;
    e.children.push_back(std::move(l));
    e.children.push_back(std::move(r));
    return e;
  }

  Expr ParseOr() {
    Expr l = ParseAnd();
    while (!failed() && Peek().IsKeyword("OR")) {
      Location loc = Next().loc;
      l = Binary("OR", loc, std::move(l), ParseAnd());
    }
    return l;
  }

  Expr ParseAnd() {
    Expr l = ParseNot();
    while (!failed() && Peek().IsKeyword("AND")) {
      Location loc = Next().loc;
      l = Binary("AND", loc, std::move(l), ParseNot());
    }
    return l;
  }

  Expr ParseNot() {
    if (Peek().IsKeyword("NOT")) {
      if (++depth_ > kMaxDepth) FailWith(kUnexpectedToken);
      Expr e;
      e.kind = Expr::Kind::kUnary;
      e.text = "NOT";
      e.loc = Next().loc;
      e.children.push_back(ParseNot());
      --depth_;
      return e;
    }
    return ParseEquality();
  }

  Expr ParseEquality() {
    Expr l = ParseComparison();
    while (!failed() && (Peek().Is("=") || Peek().Is("<>") || Peek().Is("!="))) {
      const Token& op = Next();
      l = Binary(op.value, op.loc, std::move(l), ParseComparison());
    }
    return l;
  }

  Expr ParseComparison() {
    Expr l = ParseAdditive();
    while (!failed()) {
      const Token& t = Peek();
      if (t.Is("<") || t.Is("<=") || t.Is(">") || t.Is(">=")) {
        Next();
        l = Binary(t.value, t.loc, std::move(l), ParseAdditive());
        continue;
      }
      bool negated = false;
      if (t.IsKeyword("NOT") &&
          (Peek(1).IsKeyword("BETWEEN") || Peek(1).IsKeyword("IN") || Peek(1).IsKeyword("LIKE"))) {
        Next();
        negated = true;
      }
      const Token& op = Peek();
      Expr e;
      e.negated = negated;
      e.loc = op.loc;
      if (op.IsKeyword("BETWEEN")) {
        Next();
        e.kind = Expr::Kind::kBetween;
        e.children.push_back(std::move(l));
        e.children.push_back(ParseAdditive());
        ExpectKeyword("AND");
        e.children.push_back(ParseAdditive());
      } else if (op.IsKeyword("IN")) {
        Next();
        e.kind = Expr::Kind::kIn;
        e.children.push_back(std::move(l));
        if (Peek().Is("(")) {
          Expr list;
          list.kind = Expr::Kind::kList;
          list.paren_list = true;
          list.loc = Next().loc;
          if (Peek().Is(")")) Fail(Peek());  // IN () is a syntax error (DynamoDB Local)
          list.children = ParseExprList(")");
          Expect(")");
          e.children.push_back(std::move(list));
        } else {
          e.children.push_back(ParseAdditive());
        }
      } else if (op.IsKeyword("LIKE")) {
        Next();
        e.kind = Expr::Kind::kBinary;
        e.text = "LIKE";
        e.children.push_back(std::move(l));
        e.children.push_back(ParseAdditive());
        if (Peek().IsKeyword("ESCAPE")) {
          Next();
          e.children.push_back(ParseAdditive());
        }
      } else if (op.IsKeyword("IS") && !negated) {
        Next();
        e.kind = Expr::Kind::kIs;
        if (Peek().IsKeyword("NOT")) {
          Next();
          e.negated = true;
        }
        // Type names are keywords (MISSING, NULL, STRING, INT, ...); NUMBER is
        // not one, so `a IS NUMBER` is a syntax error, as in DynamoDB Local.
        std::string type = TypeName(Peek().value, Peek(1));
        if (Peek().kind != TokenKind::kKeyword || type.empty()) {
          Fail(Peek());
          return l;
        }
        if (Next().value == "DOUBLE") Next();  // PRECISION
        e.text = std::move(type);
        e.children.push_back(std::move(l));
      } else {
        if (negated) Fail(op);
        break;
      }
      l = std::move(e);
    }
    return l;
  }

  Expr ParseAdditive() {
    Expr l = ParseMultiplicative();
    while (!failed() && (Peek().Is("+") || Peek().Is("-") || Peek().Is("||"))) {
      const Token& op = Next();
      l = Binary(op.value, op.loc, std::move(l), ParseMultiplicative());
    }
    return l;
  }

  Expr ParseMultiplicative() {
    Expr l = ParseUnary();
    while (!failed() && (Peek().Is("*") || Peek().Is("/") || Peek().Is("%"))) {
      const Token& op = Next();
      l = Binary(op.value, op.loc, std::move(l), ParseUnary());
    }
    return l;
  }

  Expr ParseUnary() {
    if (Peek().Is("-") || Peek().Is("+")) {
      if (++depth_ > kMaxDepth) FailWith(kUnexpectedToken);
      const Token& op = Next();
      Expr operand = ParseUnary();
      --depth_;
      // A signed number literal is one literal: DynamoDB reports `-0.0` at
      // the number's position (DynamoDB Local: "Negative zero decimal is not
      // supported under key root at 1:44:3" for `'sk': -0.0`), also through
      // parentheses (`-(0.0)`).
      if (operand.kind == Expr::Kind::kNumber) {
        if (op.value == "-") {
          operand.text = operand.text[0] == '-' ? operand.text.substr(1) : "-" + operand.text;
        }
        return operand;
      }
      Expr e;
      e.kind = Expr::Kind::kUnary;
      e.text = op.value;
      e.loc = op.loc;
      e.children.push_back(std::move(operand));
      return e;
    }
    return ParsePostfix();
  }

  // A path where only a path may stand (DML targets, SET and REMOVE targets).
  Expr ParsePath() {
    if (!IsName(Peek())) {
      Fail(Peek());
      return Expr();
    }
    return ParsePostfix(/*stars=*/false);
  }

  // A primary, then path steps. Steps after something other than a name
  // (`[1][0]`) make a path over that expression, which DynamoDB refuses
  // after parsing. `.*` and `[*]` parse only where `stars` allows them.
  Expr ParsePostfix(bool stars = true) {
    Expr e = ParsePrimary();
    if (failed()) return e;
    if (e.kind != Expr::Kind::kPath) {
      if (!Peek().Is("[") && !Peek().Is(".")) return e;
      Expr path;
      path.kind = Expr::Kind::kPath;
      path.loc = e.loc;
      path.children.push_back(std::move(e));
      e = std::move(path);
    }
    while (!failed()) {
      ast::PathStep step;
      step.loc = Peek().loc;
      if (Peek().Is(".")) {
        Next();
        const Token& t = Peek();
        if (IsName(t)) {
          step.kind = ast::PathStep::Kind::kName;
          step.name = t.value;
          step.loc = t.loc;
        } else if (t.Is("*") && stars) {
          step.kind = ast::PathStep::Kind::kDotStar;
          step.loc = t.loc;
        } else {
          Fail(t);
          break;
        }
        Next();
      } else if (Peek().Is("[")) {
        Next();
        if (Peek().Is("*")) {
          if (!stars) {
            Fail(Peek());
            break;
          }
          step.loc = Next().loc;
          step.kind = ast::PathStep::Kind::kBracketStar;
        } else {
          step.kind = ast::PathStep::Kind::kIndex;
          step.index.push_back(ParseExpr());
          step.loc = step.index.back().loc;
        }
        Expect("]");
      } else {
        break;
      }
      e.steps.push_back(std::move(step));
    }
    return e;
  }

  std::vector<Expr> ParseExprList(std::string_view close) {
    std::vector<Expr> items;
    if (Peek().Is(close)) return items;
    while (!failed()) {
      items.push_back(ParseExpr());
      if (!Peek().Is(",")) break;
      Next();
    }
    return items;
  }

  Expr ParsePrimary() {
    Expr e;
    const Token& t = Peek();
    e.loc = t.loc;
    if (failed()) return e;
    switch (t.kind) {
      case TokenKind::kString:
        e.kind = Expr::Kind::kString;
        e.text = Next().value;
        return e;
      case TokenKind::kNumber:
        e.kind = Expr::Kind::kNumber;
        e.text = Next().value;
        return e;
      case TokenKind::kParameter:
        Next();
        e.kind = Expr::Kind::kParameter;
        e.ordinal = parameters_++;
        return e;
      case TokenKind::kIdentifier:
      case TokenKind::kQuotedIdentifier:
        if (t.kind == TokenKind::kIdentifier && Peek(1).Is("(")) return ParseCall();
        e.kind = Expr::Kind::kPath;
        e.quoted = t.kind == TokenKind::kQuotedIdentifier;
        e.text = Next().value;
        return e;
      case TokenKind::kKeyword:
        if (t.value == "TRUE" || t.value == "FALSE") {
          e.kind = Expr::Kind::kBool;
          e.boolean = Next().value == "TRUE";
          return e;
        }
        if (t.value == "NULL" || t.value == "MISSING") {
          e.kind = t.value == "NULL" ? Expr::Kind::kNull : Expr::Kind::kMissing;
          Next();
          return e;
        }
        if ((t.value == "DATE" || t.value == "TIME" || t.value == "TIMESTAMP") &&
            Peek(1).kind == TokenKind::kString) {
          e.kind = Expr::Kind::kTypedLiteral;
          e.text = Next().value;
          Expr str;
          str.kind = Expr::Kind::kString;
          str.loc = Peek().loc;
          str.text = Next().value;
          // DynamoDB Local points at the string of `DATE '2020-01-01'`.
          e.loc = str.loc;
          e.children.push_back(std::move(str));
          return e;
        }
        if (IsFunctionKeyword(t.value) && Peek(1).Is("(")) return ParseCall();
        Fail(t);
        return e;
      case TokenKind::kPunctuation:
        if (t.Is("(")) {
          Next();
          Expr inner = ParseExpr();
          Expect(")");
          return inner;
        }
        if (t.Is("[") || t.Is("<<")) {
          e.kind = t.Is("[") ? Expr::Kind::kList : Expr::Kind::kBag;
          const std::string close = t.Is("[") ? "]" : ">>";
          Next();
          if (++depth_ > kMaxDepth) FailWith(kUnexpectedToken);
          e.children = ParseExprList(close);
          --depth_;
          Expect(close);
          return e;
        }
        if (t.Is("{")) {
          e.kind = Expr::Kind::kStruct;
          Next();
          if (++depth_ > kMaxDepth) FailWith(kUnexpectedToken);
          while (!failed() && !Peek().Is("}")) {
            e.children.push_back(ParseExpr());
            Expect(":");
            e.children.push_back(ParseExpr());
            if (!Peek().Is(",")) break;
            Next();
            if (Peek().Is("}")) Fail(Peek());  // {'a': 1,} is a syntax error
          }
          --depth_;
          Expect("}");
          return e;
        }
        Fail(t);
        return e;
      default:
        Fail(t);
        return e;
    }
  }

  Expr ParseCall() {
    Expr e;
    e.kind = Expr::Kind::kCall;
    const Token& name = Next();
    e.loc = name.loc;
    // Function names are case-insensitive (the docs write both LIST_APPEND and
    // list_append); DynamoDB Local names them in lower case in its messages
    // ("Unrecognized function: upper").
    e.text = Lower(name.value);
    Next();  // (
    if (Peek().Is("*")) {
      Next();
      e.star = true;
    } else if (Peek().IsKeyword("SELECT")) {
      // EXISTS(SELECT ...) inside an expression: parsed, then refused by the planner.
      e.subquery = Peek().loc;
      if (++depth_ > kMaxDepth) FailWith(kUnexpectedToken);
      (void)ParseSelect();
      --depth_;
    } else {
      if (++depth_ > kMaxDepth) FailWith(kUnexpectedToken);
      e.children = ParseExprList(")");
      --depth_;
    }
    Expect(")");
    return e;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  size_t parameters_ = 0;
  int depth_ = 0;
  Status error_;
};

}  // namespace

Result<ast::Statement> Parse(std::string_view statement) {
  if (Utf16Length(statement) > kMaxStatementLength) {
    return Status::Validation("1 validation error detected: Value '" + std::string(statement) +
                              "' at 'statement' failed to satisfy constraint: Member must have length less than or "
                              "equal to " + std::to_string(kMaxStatementLength));
  }
  BASALT_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(statement));
  return Parser(std::move(tokens)).ParseStatement();
}

}  // namespace basalt::partiql
