// Parsing of ConditionExpression, FilterExpression, KeyConditionExpression and
// UpdateExpression. DynamoDB checks an expression in stages, and the stage
// decides which error a request with several problems gets; we follow the
// order DynamoDB Local shows:
//   1. syntax (the whole text), then list indexes out of range;
//   2. redundant parentheses anywhere;
//   3. left to right: reserved words used as names, function names and
//      where each function may be used;
//   4. (UpdateExpression) overlapping or conflicting document paths;
//   5. bottom-up, left to right: #name and :value placeholders, operand
//      counts and types, distinct operands, BETWEEN bounds;
//   6. (KeyConditionExpression) the shape of a key condition.
#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <utility>

#include "expr/expression.h"
#include "expr/lexer.h"
#include "expr/reserved_words.h"

namespace basalt::expr {
namespace {

using model::AttributeValue;
using model::Type;

struct RawElem {
  std::string_view text;  // name or #placeholder
  bool placeholder = false;
  bool is_index = false;
  size_t index = 0;
};

struct RawOperand {
  enum class Kind { kPath, kValue, kCall, kArith };
  Kind kind = Kind::kPath;
  std::vector<RawElem> path;
  std::string_view name;  // kValue: ":v"; kCall: function name
  std::vector<RawOperand> args;
  char op = '+';
  bool parenthesized = false;
};

struct RawCond {
  enum class Kind { kCompare, kBetween, kIn, kAnd, kOr, kNot, kCall };
  Kind kind = Kind::kCompare;
  Condition::Op op = Condition::Op::kEq;
  std::string_view op_text;
  std::vector<RawOperand> operands;  // kCall: the arguments
  std::string_view fname;
  std::vector<RawCond> children;
  bool parenthesized = false;
};

// What a parenthesized part of a condition turned out to be.
struct Node {
  bool bare = false;  // an operand, not (yet) a condition
  RawOperand operand;
  RawCond cond;
};

struct RawAction {
  UpdateAction::Kind kind;
  std::vector<RawElem> path;
  RawOperand value;
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

// ---------------------------------------------------------------------------
// Stage 5: placeholders and operand checks, bottom-up.

const char* UpdateTypeName(Type t) {
  switch (t) {
    case Type::kS: return "STRING";
    case Type::kN: return "NUMBER";
    case Type::kB: return "BINARY";
    case Type::kBool: return "BOOLEAN";
    case Type::kNull: return "NULL";
    case Type::kSS: return "STRING_SET";
    case Type::kNS: return "NUMBER_SET";
    case Type::kBS: return "BINARY_SET";
    case Type::kL: return "LIST";
    case Type::kM: return "MAP";
  }
  return "";
}

// How DynamoDB prints a BETWEEN bound: "AttributeValue: {N:1}".
std::string BoundText(const AttributeValue& v) {
  switch (v.type()) {
    case Type::kS: return "AttributeValue: {S:" + v.str() + "}";
    case Type::kN: return "AttributeValue: {N:" + v.num().ToString() + "}";
    case Type::kB: {
      const std::string n = std::to_string(v.str().size());
      return "AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]}";
    }
    default: return "AttributeValue: {" + std::string(model::TypeName(v.type())) + "}";
  }
}

class Resolver {
 public:
  Resolver(std::string prefix, const Bindings& b) : prefix_(std::move(prefix)), b_(b) {}

  Status Fail(const std::string& m) const { return Status::Validation(prefix_ + m); }

  // Resolves a path without failing: undefined placeholders keep their text.
  Path PathLoose(const std::vector<RawElem>& raw) const {
    Path p;
    for (const RawElem& e : raw) {
      if (e.is_index) {
        p.push_back(PathElement{"", e.index, true});
      } else if (e.placeholder && b_.names) {
        auto it = b_.names->find(e.text);
        p.push_back(PathElement{it == b_.names->end() ? std::string(e.text) : it->second, 0, false});
      } else {
        p.push_back(PathElement{std::string(e.text), 0, false});
      }
    }
    return p;
  }

  Result<Path> ResolvePath(const std::vector<RawElem>& raw) {
    Path p;
    for (const RawElem& e : raw) {
      if (e.is_index) {
        p.push_back(PathElement{"", e.index, true});
      } else if (e.placeholder) {
        auto it = b_.names ? b_.names->find(e.text) : NameMap::const_iterator{};
        if (!b_.names || it == b_.names->end()) {
          return Fail("An expression attribute name used in the document path is not defined; attribute name: " +
                      std::string(e.text));
        }
        if (b_.used_names) b_.used_names->insert(std::string(e.text));
        p.push_back(PathElement{it->second, 0, false});
      } else {
        p.push_back(PathElement{std::string(e.text), 0, false});
      }
    }
    return p;
  }

  // The type of an operand known at parse time (a value, or what a function yields).
  static std::optional<Type> ConstType(const Operand& o) {
    switch (o.kind) {
      case Operand::Kind::kValue: return o.value.type();
      case Operand::Kind::kSize: return Type::kN;
      case Operand::Kind::kPlus:
      case Operand::Kind::kMinus: return Type::kN;
      case Operand::Kind::kListAppend: return Type::kL;
      default: return std::nullopt;
    }
  }

  Status CheckTypes(const std::vector<Operand>& ops, std::string_view fn, std::initializer_list<Type> allowed) {
    for (const Operand& o : ops) {
      auto t = ConstType(o);
      if (t && std::find(allowed.begin(), allowed.end(), *t) == allowed.end()) {
        return Fail("Incorrect operand type for operator or function; operator or function: " + std::string(fn) +
                    ", operand type: " + model::TypeName(*t));
      }
    }
    return Status::Ok();
  }

  Status CheckCount(const std::vector<Operand>& ops, std::string_view fn, size_t n) {
    if (ops.size() != n) {
      return Fail("Incorrect number of operands for operator or function; operator or function: " + std::string(fn) +
                  ", number of operands: " + std::to_string(ops.size()));
    }
    return Status::Ok();
  }

  Status CheckDistinct(const std::vector<Operand>& ops, std::string_view op) {
    if (ops.empty() || ops[0].kind != Operand::Kind::kPath) return Status::Ok();
    for (size_t i = 1; i < ops.size(); ++i) {
      if (ops[i].kind == Operand::Kind::kPath && ops[i].path == ops[0].path) {
        return Fail(
            "The first operand must be distinct from the remaining operands for this operator or function; "
            "operator: " +
            std::string(op) + ", first operand: " + PathToString(ops[0].path));
      }
    }
    return Status::Ok();
  }

  Status RequirePath(const Operand& o, std::string_view fn) {
    if (o.kind != Operand::Kind::kPath) {
      return Fail("Operator or function requires a document path; operator or function: " + std::string(fn));
    }
    return Status::Ok();
  }

  Result<std::vector<Operand>> Operands(const std::vector<RawOperand>& raw) {
    std::vector<Operand> out;
    for (const RawOperand& r : raw) {
      BASALT_ASSIGN_OR_RETURN(Operand o, Resolve(r));
      out.push_back(std::move(o));
    }
    return out;
  }

  Result<Operand> Resolve(const RawOperand& r) {
    Operand o;
    switch (r.kind) {
      case RawOperand::Kind::kPath: {
        o.kind = Operand::Kind::kPath;
        BASALT_ASSIGN_OR_RETURN(o.path, ResolvePath(r.path));
        return o;
      }
      case RawOperand::Kind::kValue: {
        auto it = b_.values ? b_.values->find(r.name) : ValueMap::const_iterator{};
        if (!b_.values || it == b_.values->end()) {
          return Fail("An expression attribute value used in expression is not defined; attribute value: " +
                      std::string(r.name));
        }
        if (b_.used_values) b_.used_values->insert(std::string(r.name));
        o.kind = Operand::Kind::kValue;
        o.value = it->second;
        return o;
      }
      case RawOperand::Kind::kArith: {
        BASALT_ASSIGN_OR_RETURN(o.args, Operands(r.args));
        o.kind = r.op == '+' ? Operand::Kind::kPlus : Operand::Kind::kMinus;
        BASALT_RETURN_IF_ERROR(CheckTypes(o.args, r.op == '+' ? "+" : "-", {Type::kN}));
        return o;
      }
      case RawOperand::Kind::kCall: {
        BASALT_ASSIGN_OR_RETURN(std::vector<Operand> args, Operands(r.args));
        const std::string_view f = r.name;
        if (f == "size") {
          BASALT_RETURN_IF_ERROR(CheckCount(args, f, 1));
          BASALT_RETURN_IF_ERROR(
              CheckTypes(args, f, {Type::kS, Type::kB, Type::kSS, Type::kNS, Type::kBS, Type::kL, Type::kM}));
          o.kind = Operand::Kind::kSize;
          o.args = std::move(args);
          return o;
        }
        if (f == "if_not_exists") {
          BASALT_RETURN_IF_ERROR(CheckCount(args, f, 2));
          BASALT_RETURN_IF_ERROR(RequirePath(args[0], f));
          BASALT_RETURN_IF_ERROR(CheckDistinct(args, f));
          o.kind = Operand::Kind::kIfNotExists;
          o.path = std::move(args[0].path);
          o.args.push_back(std::move(args[1]));
          return o;
        }
        // list_append
        BASALT_RETURN_IF_ERROR(CheckCount(args, f, 2));
        BASALT_RETURN_IF_ERROR(CheckTypes(args, f, {Type::kL}));
        o.kind = Operand::Kind::kListAppend;
        o.args = std::move(args);
        return o;
      }
    }
    return o;
  }

  Result<Condition> Resolve(const RawCond& r) {
    Condition c;
    switch (r.kind) {
      case RawCond::Kind::kAnd:
      case RawCond::Kind::kOr:
      case RawCond::Kind::kNot: {
        c.kind = r.kind == RawCond::Kind::kAnd ? Condition::Kind::kAnd
                 : r.kind == RawCond::Kind::kOr ? Condition::Kind::kOr
                                                : Condition::Kind::kNot;
        for (const RawCond& ch : r.children) {
          BASALT_ASSIGN_OR_RETURN(Condition cc, Resolve(ch));
          c.children.push_back(std::move(cc));
        }
        return c;
      }
      case RawCond::Kind::kCompare: {
        c.kind = Condition::Kind::kCompare;
        c.op = r.op;
        BASALT_ASSIGN_OR_RETURN(c.args, Operands(r.operands));
        if (r.op != Condition::Op::kEq && r.op != Condition::Op::kNe) {
          BASALT_RETURN_IF_ERROR(CheckTypes(c.args, r.op_text, {Type::kN, Type::kS, Type::kB}));
        }
        BASALT_RETURN_IF_ERROR(CheckDistinct(c.args, r.op_text));
        return c;
      }
      case RawCond::Kind::kBetween: {
        c.kind = Condition::Kind::kBetween;
        BASALT_ASSIGN_OR_RETURN(c.args, Operands(r.operands));
        BASALT_RETURN_IF_ERROR(CheckTypes(c.args, "BETWEEN", {Type::kN, Type::kS, Type::kB}));
        BASALT_RETURN_IF_ERROR(CheckDistinct(c.args, "BETWEEN"));
        const Operand& lo = c.args[1];
        const Operand& hi = c.args[2];
        if (lo.kind == Operand::Kind::kValue && hi.kind == Operand::Kind::kValue) {
          if (lo.value.type() != hi.value.type()) {
            return Fail(
                "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: " +
                BoundText(lo.value) + ", upper bound operand: " + BoundText(hi.value));
          }
          if (model::CompareScalars(lo.value, hi.value) > 0) {
            return Fail(
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound "
                "operand: " +
                BoundText(lo.value) + ", upper bound operand: " + BoundText(hi.value));
          }
        }
        return c;
      }
      case RawCond::Kind::kIn: {
        c.kind = Condition::Kind::kIn;
        if (r.operands.size() - 1 > 100) {
          return Fail("The IN operator is provided with too many operands; number of operands: " +
                      std::to_string(r.operands.size() - 1));
        }
        BASALT_ASSIGN_OR_RETURN(c.args, Operands(r.operands));
        BASALT_RETURN_IF_ERROR(CheckDistinct(c.args, "IN"));
        return c;
      }
      case RawCond::Kind::kCall: {
        BASALT_ASSIGN_OR_RETURN(c.args, Operands(r.operands));
        const std::string_view f = r.fname;
        if (f == "attribute_exists" || f == "attribute_not_exists") {
          c.kind = f == "attribute_exists" ? Condition::Kind::kAttributeExists : Condition::Kind::kAttributeNotExists;
          BASALT_RETURN_IF_ERROR(CheckCount(c.args, f, 1));
          BASALT_RETURN_IF_ERROR(RequirePath(c.args[0], f));
          return c;
        }
        BASALT_RETURN_IF_ERROR(CheckCount(c.args, f, 2));
        if (f == "attribute_type") {
          c.kind = Condition::Kind::kAttributeType;
          const Operand& t = c.args[1];
          if (t.kind != Operand::Kind::kValue) {
            return Fail(
                "Incorrect operand type for operator or function; operator or function: attribute_type, operand "
                "type: {M,FLOAT,DECIMAL,L,N,INTSET,DECIMALSET,BS,NULL,INT,HDS,DICT,FS,DOUBLESET,S,DOUBLE,B,HD,SS,NS,"
                "BOOL}");
          }
          BASALT_RETURN_IF_ERROR(CheckTypes({t}, f, {Type::kS}));
          static const char* const kTypes[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"};
          if (std::find_if(std::begin(kTypes), std::end(kTypes), [&](const char* k) { return t.value.str() == k; }) ==
              std::end(kTypes)) {
            return Fail("Invalid attribute type name found; type: " + t.value.str() +
                        ", valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}");
          }
          return c;
        }
        if (f == "begins_with") {
          c.kind = Condition::Kind::kBeginsWith;
          BASALT_RETURN_IF_ERROR(CheckTypes(c.args, f, {Type::kS, Type::kB}));
        } else {
          c.kind = Condition::Kind::kContains;
        }
        BASALT_RETURN_IF_ERROR(CheckDistinct(c.args, f));
        return c;
      }
    }
    return c;
  }

 private:
  std::string prefix_;
  const Bindings& b_;
};

// ---------------------------------------------------------------------------
// Stage 6: KeyConditionExpression shape.

Status KeyShape(const Condition& c, std::vector<const Condition*>* leaves) {
  auto invalid = [](const std::string& op) {
    return Status::Validation("Invalid operator used in KeyConditionExpression: " + op);
  };
  switch (c.kind) {
    case Condition::Kind::kOr: return invalid("OR");
    case Condition::Kind::kNot: return invalid("NOT");
    case Condition::Kind::kIn: return invalid("IN");
    case Condition::Kind::kAttributeExists: return invalid("attribute_exists");
    case Condition::Kind::kAttributeNotExists: return invalid("attribute_not_exists");
    case Condition::Kind::kAttributeType: return invalid("attribute_type");
    case Condition::Kind::kContains: return invalid("contains");
    case Condition::Kind::kAnd:
      for (const Condition& ch : c.children) BASALT_RETURN_IF_ERROR(KeyShape(ch, leaves));
      return Status::Ok();
    case Condition::Kind::kCompare:
      if (c.op == Condition::Op::kNe) return invalid("<>");
      [[fallthrough]];
    default:
      leaves->push_back(&c);
      return Status::Ok();
  }
}

Status CheckKeyCondition(const Condition& c) {
  std::vector<const Condition*> leaves;
  BASALT_RETURN_IF_ERROR(KeyShape(c, &leaves));
  for (const Condition* leaf : leaves) {
    int paths = 0;
    for (const Operand& o : leaf->args) {
      if (o.kind == Operand::Kind::kSize) {
        return Status::Validation("KeyConditionExpressions cannot contain nested operations");
      }
      if (o.kind == Operand::Kind::kPath) ++paths;
    }
    if (paths > 1) {
      return Status::Validation(
          "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
    }
    if (leaf->kind == Condition::Kind::kBeginsWith && leaf->args[0].kind != Operand::Kind::kPath) {
      return Status::Validation(
          "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its "
          "first operand");
    }
  }
  if (leaves.size() > 2) return Status::Validation("Conditions can be of length 1 or 2 only");
  std::vector<KeyComparison> comparisons = KeyComparisons(c);
  if (comparisons.size() == 2 && !comparisons[0].path.empty() && !comparisons[1].path.empty() &&
      comparisons[0].path[0] == comparisons[1].path[0]) {
    return Status::Validation("KeyConditionExpressions must only contain one condition per key");
  }
  return Status::Ok();
}

void CollectKeyComparisons(const Condition& c, std::vector<KeyComparison>* out) {
  if (c.kind == Condition::Kind::kAnd) {
    for (const Condition& ch : c.children) CollectKeyComparisons(ch, out);
    return;
  }
  KeyComparison k;
  auto values_from = [&](size_t first) {
    for (size_t i = first; i < c.args.size(); ++i) {
      if (c.args[i].kind == Operand::Kind::kValue) k.values.push_back(c.args[i].value);
    }
  };
  if (c.kind == Condition::Kind::kBetween) {
    k.kind = KeyComparison::Kind::kBetween;
    if (c.args[0].kind == Operand::Kind::kPath) k.path = c.args[0].path;
    values_from(1);
  } else if (c.kind == Condition::Kind::kBeginsWith) {
    k.kind = KeyComparison::Kind::kBeginsWith;
    if (c.args[0].kind == Operand::Kind::kPath) k.path = c.args[0].path;
    values_from(1);
  } else if (c.kind == Condition::Kind::kCompare) {
    bool flipped = c.args[0].kind != Operand::Kind::kPath && c.args[1].kind == Operand::Kind::kPath;
    const Operand& key = flipped ? c.args[1] : c.args[0];
    const Operand& val = flipped ? c.args[0] : c.args[1];
    if (key.kind == Operand::Kind::kPath) k.path = key.path;
    if (val.kind == Operand::Kind::kValue) k.values.push_back(val.value);
    if (!flipped && key.kind == Operand::Kind::kValue && k.values.empty()) k.values.push_back(key.value);
    switch (c.op) {
      case Condition::Op::kLt: k.kind = flipped ? KeyComparison::Kind::kGt : KeyComparison::Kind::kLt; break;
      case Condition::Op::kLe: k.kind = flipped ? KeyComparison::Kind::kGe : KeyComparison::Kind::kLe; break;
      case Condition::Op::kGt: k.kind = flipped ? KeyComparison::Kind::kLt : KeyComparison::Kind::kGt; break;
      case Condition::Op::kGe: k.kind = flipped ? KeyComparison::Kind::kLe : KeyComparison::Kind::kGe; break;
      default: k.kind = KeyComparison::Kind::kEq; break;
    }
  } else {
    return;
  }
  out->push_back(std::move(k));
}

std::string Prefix(ConditionKind kind) {
  switch (kind) {
    case ConditionKind::kCondition: return "Invalid ConditionExpression: ";
    case ConditionKind::kFilter: return "Invalid FilterExpression: ";
    case ConditionKind::kKeyCondition: return "Invalid KeyConditionExpression: ";
  }
  return "";
}

// Two update paths overlap when one is a prefix of the other, and conflict
// when they first differ by a name in one and an index in the other.
Status CheckPathsDisjoint(const std::vector<Path>& paths, const std::string& prefix) {
  for (size_t j = 1; j < paths.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const Path& a = paths[i];
      const Path& b = paths[j];
      size_t n = std::min(a.size(), b.size());
      size_t k = 0;
      while (k < n && a[k] == b[k]) ++k;
      const char* what = nullptr;
      if (k == n) {
        what = "overlap";
      } else if (a[k].is_index != b[k].is_index) {
        what = "conflict";
      }
      if (what) {
        return Status::Validation(prefix + "Two document paths " + what +
                                  " with each other; must remove or rewrite one of these paths; path one: " +
                                  PathToString(a) + ", path two: " + PathToString(b));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<KeyComparison> KeyComparisons(const Condition& key_condition) {
  std::vector<KeyComparison> out;
  CollectKeyComparisons(key_condition, &out);
  return out;
}

namespace {

constexpr size_t kMaxExpressionBytes = 4096;
constexpr size_t kMaxConditionOperators = 300;

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

Status CheckSize(std::string_view text, const std::string& prefix, bool with_size) {
  if (text.size() <= kMaxExpressionBytes) return Status::Ok();
  return Status::Validation(prefix + "Expression size has exceeded the maximum allowed size;" +
                            (with_size ? " expression size: " + std::to_string(text.size()) : ""));
}

// The stages of parsing that do not depend on a request's placeholders
// (syntax, index range, redundant parentheses, names and functions) give the
// same result for the same text, and real traffic sends the same few
// expressions again and again. Their outcome is cached per (grammar, text);
// the raw trees point into the entry's own copy of the text.
template <typename Raw>
struct Parsed {
  std::string text;
  Raw raw;
  Status error;  // the outcome of the cached stages
};

template <typename Raw>
class ParseCache {
 public:
  static constexpr size_t kCapacity = 4096;

  // The cached entry for (grammar, text), built by `parse` on a miss.
  template <typename ParseFn>
  std::shared_ptr<const Parsed<Raw>> Get(char grammar, std::string_view text, ParseFn parse) {
    std::string key(1, grammar);
    key.append(text);
    {
      std::lock_guard lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end()) return it->second;
    }
    auto entry = std::make_shared<Parsed<Raw>>();
    entry->text.assign(text);
    entry->error = parse(entry.get());
    std::lock_guard lock(mu_);
    // Bounded: when full, drop an arbitrary entry; hot expressions come back at once.
    if (entries_.size() >= kCapacity) entries_.erase(entries_.begin());
    entries_.emplace(std::move(key), entry);
    return entry;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Parsed<Raw>>> entries_;
};

ParseCache<RawCond>& ConditionCache() {
  static ParseCache<RawCond> cache;
  return cache;
}

ParseCache<std::vector<RawAction>>& UpdateCache() {
  static ParseCache<std::vector<RawAction>> cache;
  return cache;
}

}  // namespace

Result<Condition> ParseCondition(std::string_view text, ConditionKind kind, const Bindings& bindings) {
  const std::string prefix = Prefix(kind);
  if (text.empty()) return Status::Validation(prefix + "The expression can not be empty;");
  BASALT_RETURN_IF_ERROR(CheckSize(text, prefix, /*with_size=*/true));
  auto parsed = ConditionCache().Get(static_cast<char>(kind), text, [&](Parsed<RawCond>* p) -> Status {
    Parser parser(p->text, prefix);
    p->raw = parser.ParseConditionText();
    if (parser.failed()) return parser.error();
    if (size_t n = CountOperators(p->raw); n > kMaxConditionOperators) {
      return Status::Validation(prefix + "The expression contains too many operators; operator count: " +
                                std::to_string(kMaxConditionOperators + 1));
    }
    if (!parser.index_error().empty()) return Status::Validation(prefix + parser.index_error());
    if (parser.redundant_parens()) return Status::Validation(prefix + "The expression has redundant parentheses;");
    NameChecker names(prefix, Context::kCondition);
    names.Cond(p->raw);
    return names.status();
  });
  BASALT_RETURN_IF_ERROR(parsed->error);
  Resolver resolver(prefix, bindings);
  BASALT_ASSIGN_OR_RETURN(Condition c, resolver.Resolve(parsed->raw));
  if (kind == ConditionKind::kKeyCondition) BASALT_RETURN_IF_ERROR(CheckKeyCondition(c));
  return c;
}

Result<Projection> ParseProjection(std::string_view text, const NameMap& names, std::set<std::string>* used_names) {
  const std::string prefix = "Invalid ProjectionExpression: ";
  if (text.empty()) return Status::Validation(prefix + "The expression can not be empty;");
  BASALT_RETURN_IF_ERROR(CheckSize(text, prefix, /*with_size=*/false));
  Parser parser(text, prefix);
  std::vector<std::vector<RawElem>> raw = parser.ParseProjectionText();
  if (parser.failed()) return parser.error();
  if (!parser.index_error().empty()) return Status::Validation(prefix + parser.index_error());
  NameChecker checker(prefix, Context::kCondition);
  for (const auto& path : raw) checker.Path(path);
  BASALT_RETURN_IF_ERROR(checker.status());
  Bindings bindings{&names, nullptr, used_names, nullptr};
  Resolver resolver(prefix, bindings);
  Projection p;
  for (const auto& path : raw) {
    BASALT_ASSIGN_OR_RETURN(Path resolved, resolver.ResolvePath(path));
    p.paths.push_back(std::move(resolved));
  }
  BASALT_RETURN_IF_ERROR(CheckPathsDisjoint(p.paths, prefix));
  return p;
}

Result<Update> ParseUpdate(std::string_view text, const Bindings& bindings) {
  const std::string prefix = "Invalid UpdateExpression: ";
  if (text.empty()) return Status::Validation(prefix + "The expression can not be empty;");
  BASALT_RETURN_IF_ERROR(CheckSize(text, prefix, /*with_size=*/false));
  auto parsed = UpdateCache().Get('U', text, [&](Parsed<std::vector<RawAction>>* p) -> Status {
    Parser parser(p->text, prefix);
    p->raw = parser.ParseUpdateText();
    if (parser.failed()) return parser.error();
    if (parser.dup_clause()) {
      return Status::Validation(prefix + "The \"" + parser.dup_clause() +
                                "\" section can only be used once in an update expression;");
    }
    if (!parser.index_error().empty()) return Status::Validation(prefix + parser.index_error());
    if (parser.redundant_parens()) return Status::Validation(prefix + "The expression has redundant parentheses;");
    NameChecker names(prefix, Context::kUpdate);
    for (const RawAction& a : p->raw) {
      names.Path(a.path);
      if (a.kind == UpdateAction::Kind::kSet) names.Operand(a.value);
    }
    return names.status();
  });
  BASALT_RETURN_IF_ERROR(parsed->error);
  const std::vector<RawAction>& raw = parsed->raw;
  Resolver resolver(prefix, bindings);
  // Sections are applied SET, REMOVE, ADD, DELETE; the paths are checked in the order written.
  std::vector<Path> loose;
  for (const RawAction& a : raw) loose.push_back(resolver.PathLoose(a.path));
  BASALT_RETURN_IF_ERROR(CheckPathsDisjoint(loose, prefix));
  // The paths being updated resolve before the values (DynamoDB Local reports
  // "SET b = :zz, #zz = :v" as the undefined #zz).
  Update u;
  for (const RawAction& a : raw) {
    UpdateAction action;
    action.kind = a.kind;
    BASALT_ASSIGN_OR_RETURN(action.path, resolver.ResolvePath(a.path));
    u.actions.push_back(std::move(action));
  }
  for (size_t i = 0; i < raw.size(); ++i) {
    const RawAction& a = raw[i];
    UpdateAction& action = u.actions[i];
    if (a.kind != UpdateAction::Kind::kRemove) {
      BASALT_ASSIGN_OR_RETURN(action.value, resolver.Resolve(a.value));
    }
    if (a.kind == UpdateAction::Kind::kAdd || a.kind == UpdateAction::Kind::kDelete) {
      const Type t = action.value.value.type();
      const bool is_set = t == Type::kSS || t == Type::kNS || t == Type::kBS;
      const bool add = a.kind == UpdateAction::Kind::kAdd;
      if (!is_set && !(add && t == Type::kN)) {
        return Status::Validation(prefix + "Incorrect operand type for operator or function; operator: " +
                                  (add ? "ADD" : "DELETE") + ", operand type: " + UpdateTypeName(t) +
                                  ", typeSet: " + (add ? "ALLOWED_FOR_ADD_OPERAND" : "ALLOWED_FOR_DELETE_OPERAND"));
      }
    }
  }
  return u;
}

}  // namespace basalt::expr
