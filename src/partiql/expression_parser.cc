// The expression grammar of PartiQL statements (written at the top of parser.cc).
#include "partiql/expression_parser.h"

#include <cctype>
#include <string>

namespace basalt::partiql {

using ast::Expr;

namespace {

// Keywords that are also function names: `size(a)` is a call although SIZE is reserved.
bool IsFunctionKeyword(const std::string& kw) {
  static const char* const kNames[] = {
      "SIZE",        "EXISTS",           "COUNT",        "AVG",        "MIN",     "MAX",     "SUM",      "UPPER",
      "LOWER",       "SUBSTRING",        "TRIM",         "COALESCE",   "NULLIF",  "CAST",    "DATE_ADD", "DATE_DIFF",
      "CHAR_LENGTH", "CHARACTER_LENGTH", "OCTET_LENGTH", "BIT_LENGTH", "EXTRACT", "POSITION"};
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
  static const std::pair<const char*, const char*> kTypes[] = {{"MISSING", "MISSING"},
                                                               {"NULL", "NULL"},
                                                               {"BOOL", "BOOLEAN"},
                                                               {"BOOLEAN", "BOOLEAN"},
                                                               {"SMALLINT", "SMALLINT"},
                                                               {"INT", "INTEGER"},
                                                               {"INTEGER", "INTEGER"},
                                                               {"FLOAT", "FLOAT"},
                                                               {"REAL", "REAL"},
                                                               {"DECIMAL", "DECIMAL"},
                                                               {"DEC", "DECIMAL"},
                                                               {"NUMERIC", "NUMERIC"},
                                                               {"TIMESTAMP", "TIMESTAMP"},
                                                               {"CHAR", "CHARACTER"},
                                                               {"CHARACTER", "CHARACTER"},
                                                               {"VARCHAR", "CHARACTER_VARYING"},
                                                               {"STRING", "STRING"},
                                                               {"SYMBOL", "SYMBOL"},
                                                               {"CLOB", "CLOB"},
                                                               {"BLOB", "BLOB"},
                                                               {"STRUCT", "STRUCT"},
                                                               {"TUPLE", "TUPLE"},
                                                               {"LIST", "LIST"},
                                                               {"SEXP", "SEXP"},
                                                               {"BAG", "BAG"},
                                                               {"DATE", "DATE"},
                                                               {"TIME", "TIME"}};
  if (kw == "DOUBLE") return next.IsKeyword("PRECISION") ? "DOUBLE_PRECISION" : "";
  for (const auto& [k, name] : kTypes) {
    if (kw == k) return name;
  }
  return "";
}

Expr Binary(std::string op, const Location& loc, Expr l, Expr r) {
  Expr e;
  e.kind = Expr::Kind::kBinary;
  e.text = std::move(op);
  e.loc = loc;
  e.children.push_back(std::move(l));
  e.children.push_back(std::move(r));
  return e;
}

}  // namespace

Expr ExpressionParser::ParseExpr() {
  if (++depth_ > kMaxDepth) FailWith(kUnexpectedToken);
  Expr e = ParseOr();
  --depth_;
  return e;
}

Expr ExpressionParser::ParseOr() {
  Expr l = ParseAnd();
  while (!failed() && Peek().IsKeyword("OR")) {
    Location loc = Next().loc;
    l = Binary("OR", loc, std::move(l), ParseAnd());
  }
  return l;
}

Expr ExpressionParser::ParseAnd() {
  Expr l = ParseNot();
  while (!failed() && Peek().IsKeyword("AND")) {
    Location loc = Next().loc;
    l = Binary("AND", loc, std::move(l), ParseNot());
  }
  return l;
}

Expr ExpressionParser::ParseNot() {
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

Expr ExpressionParser::ParseEquality() {
  Expr l = ParseComparison();
  while (!failed() && (Peek().Is("=") || Peek().Is("<>") || Peek().Is("!="))) {
    const Token& op = Next();
    l = Binary(op.value, op.loc, std::move(l), ParseComparison());
  }
  return l;
}

Expr ExpressionParser::ParseComparison() {
  Expr l = ParseAdditive();
  while (!failed()) {
    const Token& t = Peek();
    if (t.Is("<") || t.Is("<=") || t.Is(">") || t.Is(">=")) {
      Next();
      l = Binary(t.value, t.loc, std::move(l), ParseAdditive());
      continue;
    }
    bool negated = false;
    if (t.IsKeyword("NOT") && (Peek(1).IsKeyword("BETWEEN") || Peek(1).IsKeyword("IN") || Peek(1).IsKeyword("LIKE"))) {
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

Expr ExpressionParser::ParseAdditive() {
  Expr l = ParseMultiplicative();
  while (!failed() && (Peek().Is("+") || Peek().Is("-") || Peek().Is("||"))) {
    const Token& op = Next();
    l = Binary(op.value, op.loc, std::move(l), ParseMultiplicative());
  }
  return l;
}

Expr ExpressionParser::ParseMultiplicative() {
  Expr l = ParseUnary();
  while (!failed() && (Peek().Is("*") || Peek().Is("/") || Peek().Is("%"))) {
    const Token& op = Next();
    l = Binary(op.value, op.loc, std::move(l), ParseUnary());
  }
  return l;
}

Expr ExpressionParser::ParseUnary() {
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
Expr ExpressionParser::ParsePath() {
  if (!IsName(Peek())) {
    Fail(Peek());
    return Expr();
  }
  return ParsePostfix(/*stars=*/false);
}

// A primary, then path steps. Steps after something other than a name
// (`[1][0]`) make a path over that expression, which DynamoDB refuses
// after parsing. `.*` and `[*]` parse only where `stars` allows them.
Expr ExpressionParser::ParsePostfix(bool stars) {
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

std::vector<Expr> ExpressionParser::ParseExprList(std::string_view close) {
  std::vector<Expr> items;
  if (Peek().Is(close)) return items;
  while (!failed()) {
    items.push_back(ParseExpr());
    if (!Peek().Is(",")) break;
    Next();
  }
  return items;
}

Expr ExpressionParser::ParsePrimary() {
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
      if ((t.value == "DATE" || t.value == "TIME" || t.value == "TIMESTAMP") && Peek(1).kind == TokenKind::kString) {
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

Expr ExpressionParser::ParseCall() {
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
    ParseSubquery();
    --depth_;
  } else {
    if (++depth_ > kMaxDepth) FailWith(kUnexpectedToken);
    e.children = ParseExprList(")");
    --depth_;
  }
  Expect(")");
  return e;
}

}  // namespace basalt::partiql
