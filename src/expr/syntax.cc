#include "expr/syntax.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "expr/lexer.h"
#include "expr/reserved_words.h"

namespace basalt::expr {
namespace {

constexpr size_t kMaxConditionOperators = 300;

// What a parenthesized part of a condition turned out to be.
struct Node {
  bool bare = false;  // an operand, not (yet) a condition
  RawOperand operand;
  RawCond cond;
};


bool IsConditionFunction(std::string_view f) {
  return f == "attribute_exists" || f == "attribute_not_exists" || f == "attribute_type" || f == "begins_with" ||
         f == "contains";
}
bool IsUpdateFunction(std::string_view f) { return f == "if_not_exists" || f == "list_append"; }

class Parser {
 public:
  Parser(std::string_view text, std::string prefix) : text_(text), prefix_(std::move(prefix)), toks_(Tokenize(text)) {}

  bool failed() const { return !error_.ok(); }
  Status error() const { return error_; }

  void Fail(std::string message) {
    if (!failed()) error_ = Status::Validation(prefix_ + message);
  }
  void SyntaxError() {
    if (!failed()) error_ = Status::Validation(prefix_ + SyntaxErrorText(text_, toks_, pos_));
  }

  const Token& Peek(size_t ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  bool AtEnd() const { return Peek().kind == TokenKind::kEof; }
  bool Expect(std::string_view symbol) {
    if (!Peek().Is(symbol)) {
      SyntaxError();
      return false;
    }
    ++pos_;
    return true;
  }

  bool redundant_parens() const { return redundant_; }
  const std::string& index_error() const { return index_error_; }

  // ---- document paths and operands ----

  std::vector<RawElem> ParsePath() {
    std::vector<RawElem> path;
    auto element = [&]() -> bool {
      const Token& t = Peek();
      if (t.kind != TokenKind::kName && t.kind != TokenKind::kNamePlaceholder) {
        SyntaxError();
        return false;
      }
      path.push_back(RawElem{t.text, t.kind == TokenKind::kNamePlaceholder, false, 0});
      ++pos_;
      return true;
    };
    if (!element()) return path;
    while (true) {
      if (Peek().Is(".")) {
        ++pos_;
        if (!element()) return path;
      } else if (Peek().Is("[")) {
        ++pos_;
        const Token& t = Peek();
        if (t.kind != TokenKind::kNumber) {
          SyntaxError();
          return path;
        }
        ++pos_;
        if (!Expect("]")) return path;
        size_t index = 0;
        if (t.text.size() > 10 || std::stoull(std::string(t.text)) > 2147483647ULL) {
          if (index_error_.empty()) {
            index_error_ = "List index is not within the allowable range; index: [" + std::string(t.text) + "]";
          }
        } else {
          index = std::stoul(std::string(t.text));
        }
        path.push_back(RawElem{t.text, false, true, index});
      } else {
        return path;
      }
    }
  }

  RawOperand ParseOperand() {
    RawOperand o;
    Level level(this);
    if (!level.ok) return o;
    const Token& t = Peek();
    if (t.Is("(")) {
      ++pos_;
      o = ParseOperand();
      if (failed() || !Expect(")")) return o;
      if (o.parenthesized) redundant_ = true;
      o.parenthesized = true;
      return o;
    }
    if (t.kind == TokenKind::kName && Peek(1).Is("(")) {
      o.kind = RawOperand::Kind::kCall;
      o.name = t.text;
      pos_ += 2;
      while (true) {
        o.args.push_back(ParseOperand());
        if (failed()) return o;
        if (Peek().Is(",")) {
          ++pos_;
          continue;
        }
        Expect(")");
        return o;
      }
    }
    if (t.kind == TokenKind::kName || t.kind == TokenKind::kNamePlaceholder) {
      o.kind = RawOperand::Kind::kPath;
      o.path = ParsePath();
      return o;
    }
    if (t.kind == TokenKind::kValuePlaceholder) {
      o.kind = RawOperand::Kind::kValue;
      o.name = t.text;
      ++pos_;
      return o;
    }
    SyntaxError();
    return o;
  }

  // ---- projections ----

  std::vector<std::vector<RawElem>> ParseProjectionText() {
    std::vector<std::vector<RawElem>> paths;
    while (true) {
      paths.push_back(ParsePath());
      if (failed()) return {};
      if (AtEnd()) return paths;
      if (!Expect(",")) return {};
    }
  }

  // ---- conditions ----

  RawCond ParseConditionText() {
    Node n = ParseOr(false);
    if (failed()) return {};
    if (!AtEnd()) {
      SyntaxError();
      return {};
    }
    return std::move(n.cond);
  }

  Node ParseOr(bool in_paren) {
    Node left = ParseAnd(in_paren);
    if (failed() || left.bare) return left;
    while (Peek().IsKeyword("OR")) {
      ++pos_;
      Node right = ParseAnd(false);
      if (failed()) return left;
      RawCond c;
      c.kind = RawCond::Kind::kOr;
      c.children.push_back(std::move(left.cond));
      c.children.push_back(std::move(right.cond));
      left.cond = std::move(c);
    }
    return left;
  }

  Node ParseAnd(bool in_paren) {
    Node left = ParseNot(in_paren);
    if (failed() || left.bare) return left;
    while (Peek().IsKeyword("AND")) {
      ++pos_;
      Node right = ParseNot(false);
      if (failed()) return left;
      RawCond c;
      c.kind = RawCond::Kind::kAnd;
      c.children.push_back(std::move(left.cond));
      c.children.push_back(std::move(right.cond));
      left.cond = std::move(c);
    }
    return left;
  }

  // Nesting deeper than this cannot be a valid expression (it would need
  // redundant parentheses or more than 300 operators), and unbounded
  // recursion would let a 4 KB expression exhaust the stack.
  static constexpr int kMaxDepth = 320;

  // Counts one level of recursion; false (with DynamoDB's error for such an
  // expression) when the nesting is too deep.
  bool Enter() {
    if (++depth_ <= kMaxDepth) return true;
    if (Peek().Is("(")) {
      Fail("The expression has redundant parentheses;");
    } else {
      Fail("The expression contains too many operators; operator count: 301");
    }
    return false;
  }
  struct Level {
    explicit Level(Parser* p) : p(p), ok(p->Enter()) {}
    ~Level() { --p->depth_; }
    Parser* p;
    bool ok;
  };

  Node ParseNot(bool in_paren) {
    Level level(this);
    if (!level.ok) return {};
    if (Peek().IsKeyword("NOT")) {
      ++pos_;
      Node child = ParseNot(false);
      if (failed()) return child;
      RawCond c;
      c.kind = RawCond::Kind::kNot;
      c.children.push_back(std::move(child.cond));
      Node n;
      n.cond = std::move(c);
      return n;
    }
    return ParsePredicate(in_paren);
  }

  Node ParsePredicate(bool in_paren) {
    if (Peek().Is("(")) {
      ++pos_;
      Node inner = ParseOr(true);
      if (failed() || !Expect(")")) return inner;
      if (inner.bare) {
        if (inner.operand.parenthesized) redundant_ = true;
        inner.operand.parenthesized = true;
        return FinishPredicate(std::move(inner.operand), in_paren);
      }
      if (inner.cond.parenthesized) redundant_ = true;
      inner.cond.parenthesized = true;
      return inner;
    }
    RawOperand o = ParseOperand();
    if (failed()) return {};
    return FinishPredicate(std::move(o), in_paren);
  }

  Node FinishPredicate(RawOperand first, bool in_paren) {
    Node n;
    const Token& t = Peek();
    static const std::pair<const char*, Condition::Op> kOps[] = {
        {"=", Condition::Op::kEq}, {"<>", Condition::Op::kNe}, {"<", Condition::Op::kLt},
        {"<=", Condition::Op::kLe}, {">", Condition::Op::kGt}, {">=", Condition::Op::kGe}};
    for (const auto& [sym, op] : kOps) {
      if (t.Is(sym)) {
        ++pos_;
        n.cond.kind = RawCond::Kind::kCompare;
        n.cond.op = op;
        n.cond.op_text = t.text;
        n.cond.operands.push_back(std::move(first));
        n.cond.operands.push_back(ParseOperand());
        return n;
      }
    }
    if (t.IsKeyword("BETWEEN")) {
      ++pos_;
      n.cond.kind = RawCond::Kind::kBetween;
      n.cond.operands.push_back(std::move(first));
      n.cond.operands.push_back(ParseOperand());
      if (failed()) return n;
      if (!Peek().IsKeyword("AND")) {
        SyntaxError();
        return n;
      }
      ++pos_;
      n.cond.operands.push_back(ParseOperand());
      return n;
    }
    if (t.IsKeyword("IN")) {
      ++pos_;
      n.cond.kind = RawCond::Kind::kIn;
      n.cond.operands.push_back(std::move(first));
      if (!Expect("(")) return n;
      while (true) {
        n.cond.operands.push_back(ParseOperand());
        if (failed()) return n;
        if (Peek().Is(",")) {
          ++pos_;
          continue;
        }
        Expect(")");
        return n;
      }
    }
    if (in_paren && t.Is(")")) {
      n.bare = true;
      n.operand = std::move(first);
      return n;
    }
    if (first.kind == RawOperand::Kind::kCall) {
      n.cond.kind = RawCond::Kind::kCall;
      n.cond.fname = first.name;
      n.cond.operands = std::move(first.args);
      n.cond.parenthesized = first.parenthesized;
      return n;
    }
    SyntaxError();
    return n;
  }

  // ---- updates ----

  std::vector<RawAction> ParseUpdateText() {
    std::vector<RawAction> actions;
    bool seen[4] = {false, false, false, false};
    static const char* const kClauses[] = {"SET", "REMOVE", "ADD", "DELETE"};
    if (AtEnd()) {
      SyntaxError();
      return actions;
    }
    while (!AtEnd() && !failed()) {
      const Token& t = Peek();
      int clause = -1;
      for (int i = 0; i < 4; ++i) {
        if (t.IsKeyword(kClauses[i])) clause = i;
      }
      if (clause < 0) {
        SyntaxError();
        return actions;
      }
      if (seen[clause] && !dup_clause_) dup_clause_ = kClauses[clause];
      seen[clause] = true;
      ++pos_;
      while (true) {
        RawAction a;
        a.kind = static_cast<UpdateAction::Kind>(clause);
        if (Peek().kind != TokenKind::kName && Peek().kind != TokenKind::kNamePlaceholder) {
          SyntaxError();
          return actions;
        }
        a.path = ParsePath();
        if (failed()) return actions;
        if (a.kind == UpdateAction::Kind::kSet) {
          if (!Expect("=")) return actions;
          a.value = ParseSetValue();
        } else if (a.kind == UpdateAction::Kind::kAdd || a.kind == UpdateAction::Kind::kDelete) {
          if (Peek().kind != TokenKind::kValuePlaceholder) {
            SyntaxError();
            return actions;
          }
          a.value.kind = RawOperand::Kind::kValue;
          a.value.name = Peek().text;
          ++pos_;
        }
        if (failed()) return actions;
        actions.push_back(std::move(a));
        if (!Peek().Is(",")) break;
        ++pos_;
      }
    }
    return actions;
  }

  RawOperand ParseSetValue() {
    RawOperand left;
    if (Peek().Is("(")) {
      ++pos_;
      left = ParseSetValue();
      if (failed() || !Expect(")")) return left;
      if (left.parenthesized) redundant_ = true;
      left.parenthesized = true;
      if (left.kind == RawOperand::Kind::kArith) return left;
    } else {
      left = ParseOperand();
      if (failed()) return left;
    }
    if (Peek().Is("+") || Peek().Is("-")) {
      RawOperand a;
      a.kind = RawOperand::Kind::kArith;
      a.op = Peek().text[0];
      ++pos_;
      a.args.push_back(std::move(left));
      a.args.push_back(ParseOperand());
      return a;
    }
    return left;
  }

  const char* dup_clause() const { return dup_clause_; }

 private:
  std::string_view text_;
  std::string prefix_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  Status error_;
  bool redundant_ = false;
  std::string index_error_;
  const char* dup_clause_ = nullptr;
  int depth_ = 0;
};

// ---------------------------------------------------------------------------
// Stage 3: reserved words and function names, left to right.

enum class Context { kCondition, kUpdate };

class NameChecker {
 public:
  NameChecker(std::string prefix, Context ctx) : prefix_(std::move(prefix)), ctx_(ctx) {}
  Status status() const { return status_; }

  void Fail(const std::string& m) {
    if (status_.ok()) status_ = Status::Validation(prefix_ + m);
  }

  void Path(const std::vector<RawElem>& path) {
    for (const RawElem& e : path) {
      if (!e.is_index && !e.placeholder && IsReservedWord(e.text)) {
        Fail("Attribute name is a reserved keyword; reserved keyword: " + std::string(e.text));
      }
    }
  }

  // `parent` is the function this operand is an argument of, if any.
  void Operand(const RawOperand& o, std::string_view parent = {}) {
    if (!status_.ok()) return;
    switch (o.kind) {
      case RawOperand::Kind::kPath:
        Path(o.path);
        return;
      case RawOperand::Kind::kValue:
        return;
      case RawOperand::Kind::kArith:
        for (const auto& a : o.args) Operand(a);
        return;
      case RawOperand::Kind::kCall:
        Function(o.name, /*as_condition=*/false, parent);
        for (const auto& a : o.args) Operand(a, o.name);
        return;
    }
  }

  void Function(std::string_view f, bool as_condition, std::string_view parent) {
    const std::string name(f);
    const bool known = IsConditionFunction(f) || IsUpdateFunction(f) || f == "size";
    if (!known) return Fail("Invalid function name; function: " + name);
    if (ctx_ == Context::kCondition) {
      if (IsUpdateFunction(f)) return Fail("The function is not allowed in a condition expression; function: " + name);
      if (as_condition != IsConditionFunction(f)) {
        return Fail("The function is not allowed to be used this way in an expression; function: " + name);
      }
      return;
    }
    if (!IsUpdateFunction(f)) return Fail("The function is not allowed in an update expression; function: " + name);
    if (f == "list_append" && !parent.empty()) {
      return Fail("The function is not allowed to be used this way in an expression; function: " + name);
    }
  }

  void Cond(const RawCond& c) {
    if (!status_.ok()) return;
    if (c.kind == RawCond::Kind::kCall) Function(c.fname, /*as_condition=*/true, {});
    for (const auto& o : c.operands) Operand(o, c.kind == RawCond::Kind::kCall ? c.fname : std::string_view{});
    for (const auto& ch : c.children) Cond(ch);
  }

 private:
  std::string prefix_;
  Context ctx_;
  Status status_;
};

// DynamoDB counts comparisons, BETWEEN, IN, AND, OR, NOT and function calls
// (size included) of a condition against its limit of 300 operators.

// DynamoDB counts comparisons, BETWEEN, IN, AND, OR, NOT and function calls
// (size included) of a condition against its limit of 300 operators.
size_t CountOperators(const RawOperand& o) {
  size_t n = o.kind == RawOperand::Kind::kCall ? 1 : 0;
  for (const RawOperand& a : o.args) n += CountOperators(a);
  return n;
}

size_t CountOperators(const RawCond& c) {
  size_t n = 1;
  for (const RawOperand& o : c.operands) n += CountOperators(o);
  for (const RawCond& child : c.children) n += CountOperators(child);
  return n;
}

}  // namespace

Status ParseConditionSyntax(std::string_view text, const std::string& prefix, RawCond* out) {
  Parser parser(text, prefix);
  *out = parser.ParseConditionText();
  if (parser.failed()) return parser.error();
  if (CountOperators(*out) > kMaxConditionOperators) {
    return Status::Validation(prefix + "The expression contains too many operators; operator count: " +
                              std::to_string(kMaxConditionOperators + 1));
  }
  if (!parser.index_error().empty()) return Status::Validation(prefix + parser.index_error());
  if (parser.redundant_parens()) return Status::Validation(prefix + "The expression has redundant parentheses;");
  NameChecker names(prefix, Context::kCondition);
  names.Cond(*out);
  return names.status();
}

Status ParseUpdateSyntax(std::string_view text, const std::string& prefix, std::vector<RawAction>* out) {
  Parser parser(text, prefix);
  *out = parser.ParseUpdateText();
  if (parser.failed()) return parser.error();
  if (parser.dup_clause()) {
    return Status::Validation(prefix + "The \"" + parser.dup_clause() +
                              "\" section can only be used once in an update expression;");
  }
  if (!parser.index_error().empty()) return Status::Validation(prefix + parser.index_error());
  if (parser.redundant_parens()) return Status::Validation(prefix + "The expression has redundant parentheses;");
  NameChecker names(prefix, Context::kUpdate);
  for (const RawAction& a : *out) {
    names.Path(a.path);
    if (a.kind == UpdateAction::Kind::kSet) names.Operand(a.value);
  }
  return names.status();
}

Status ParseProjectionSyntax(std::string_view text, const std::string& prefix,
                             std::vector<std::vector<RawElem>>* out) {
  Parser parser(text, prefix);
  *out = parser.ParseProjectionText();
  if (parser.failed()) return parser.error();
  if (!parser.index_error().empty()) return Status::Validation(prefix + parser.index_error());
  NameChecker checker(prefix, Context::kCondition);
  for (const auto& path : *out) checker.Path(path);
  return checker.status();
}

}  // namespace basalt::expr
