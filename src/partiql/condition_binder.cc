#include "partiql/condition_binder.h"

#include <algorithm>
#include <optional>

#include "partiql/errors.h"
#include "partiql/literals.h"

namespace basalt::partiql {
namespace {

using ast::Expr;
using expr::Condition;
using expr::Operand;
using model::AttributeValue;
using model::Type;

const char* const kConditionFunctions[] = {"begins_with", "contains", "attribute_type", "attribute_exists",
                                           "attribute_not_exists"};

bool IsConditionFunction(const std::string& f) {
  return std::find(std::begin(kConditionFunctions), std::end(kConditionFunctions), f) != std::end(kConditionFunctions);
}
bool IsUpdateFunction(const std::string& f) { return f == "if_not_exists" || f == "list_append"; }

std::optional<Condition::Op> ComparisonOp(const std::string& op) {
  if (op == "=") return Condition::Op::kEq;
  if (op == "<>" || op == "!=") return Condition::Op::kNe;
  if (op == "<") return Condition::Op::kLt;
  if (op == "<=") return Condition::Op::kLe;
  if (op == ">") return Condition::Op::kGt;
  if (op == ">=") return Condition::Op::kGe;
  return std::nullopt;
}

// Whether an expression can stand where a condition is expected. Function
// calls other than size() count (their names are checked when bound).
bool IsBoolean(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kBinary:
      return e.text == "AND" || e.text == "OR" || e.text == "LIKE" || ComparisonOp(e.text);
    case Expr::Kind::kUnary:
      return e.text == "NOT";
    case Expr::Kind::kBetween:
    case Expr::Kind::kIn:
    case Expr::Kind::kIs:
      return true;
    case Expr::Kind::kCall:
      return e.text != "size";
    default:
      return false;
  }
}

bool IsSizeCall(const Expr& e) { return e.kind == Expr::Kind::kCall && e.text == "size"; }

// The operator as DynamoDB names it in "Unsupported operator" messages.
std::string OperatorName(const Expr& e) { return e.text == "LIKE" ? "like" : e.text; }

// How DynamoDB prints a BETWEEN bound (as expr/parser.cc): "AttributeValue: {N:1}".
std::string BoundText(const AttributeValue& v) {
  switch (v.type()) {
    case Type::kS:
      return "AttributeValue: {S:" + v.str() + "}";
    case Type::kN:
      return "AttributeValue: {N:" + v.num().ToString() + "}";
    case Type::kB: {
      const std::string n = std::to_string(v.str().size());
      return "AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]}";
    }
    default:
      return "AttributeValue: {" + std::string(model::TypeName(v.type())) + "}";
  }
}

// The type of an operand known before evaluation (as expr/parser.cc).
std::optional<Type> ConstType(const Operand& o) {
  switch (o.kind) {
    case Operand::Kind::kValue:
      return o.value.type();
    case Operand::Kind::kSize:
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus:
      return Type::kN;
    case Operand::Kind::kListAppend:
      return Type::kL;
    default:
      return std::nullopt;
  }
}

Condition Leaf(Condition::Kind kind, std::vector<Operand> args) {
  Condition c;
  c.kind = kind;
  c.args = std::move(args);
  return c;
}

Operand ValueOperand(AttributeValue v) {
  Operand o;
  o.kind = Operand::Kind::kValue;
  o.value = std::move(v);
  return o;
}

// IS <type>: the DynamoDB type code attribute_type() tests, or "" for the
// PartiQL types DynamoDB does not support after IS.
std::string TypeCode(const std::string& type) {
  if (type == "NULL") return "NULL";
  if (type == "BOOLEAN") return "BOOL";
  if (type == "STRING") return "S";
  if (type == "NUMERIC") return "N";
  if (type == "BLOB") return "B";
  if (type == "STRUCT" || type == "TUPLE") return "M";
  if (type == "LIST") return "L";
  return "";
}

}  // namespace

Result<expr::Path> BindPath(const Expr& e) {
  static constexpr char kEmpty[] = "Path component cannot be an empty string";
  expr::Path path;
  if (!e.children.empty()) return UnsupportedAt("A path cannot start with a list index", e.loc);
  if (e.text.empty()) return Status::Validation(kEmpty);
  path.push_back(expr::PathElement{e.text, 0, false});
  for (const ast::PathStep& s : e.steps) {
    switch (s.kind) {
      case ast::PathStep::Kind::kName:
        if (s.name.empty()) return Status::Validation(kEmpty);
        path.push_back(expr::PathElement{s.name, 0, false});
        break;
      case ast::PathStep::Kind::kDotStar:
        return UnsupportedAt("Unpivot path component like a.*.b are not supported", s.loc);
      case ast::PathStep::Kind::kBracketStar:
        return UnsupportedAt("Wildcard path component like a[*].b are not supported", s.loc);
      case ast::PathStep::Kind::kIndex: {
        const Expr& ix = s.index.at(0);
        if (ix.kind == Expr::Kind::kString) {
          // a['b'] is a.b (DynamoDB Local accepts it).
          if (ix.text.empty()) return Status::Validation(kEmpty);
          path.push_back(expr::PathElement{ix.text, 0, false});
          break;
        }
        if (ix.kind != Expr::Kind::kNumber || ix.text.find_first_of(".eE") != std::string::npos) {
          return UnsupportedAt("Unexpected path component", ix.loc);
        }
        const std::string digits = ix.text[0] == '-' ? ix.text.substr(1) : ix.text;
        const size_t first = std::min(digits.find_first_not_of('0'), digits.size());
        const bool too_big = digits.size() - first > 10 || std::stoull("0" + digits.substr(first)) > 2147483647ULL;
        if (ix.text[0] == '-' || too_big) {
          return UnsupportedAt("List index is not within the allowable range; index: [" + ix.text + "]", ix.loc);
        }
        path.push_back(expr::PathElement{"", static_cast<size_t>(std::stoull("0" + digits.substr(first))), true});
        break;
      }
    }
  }
  return path;
}

Status CheckPathsDisjoint(const std::vector<expr::Path>& paths) {
  for (size_t j = 1; j < paths.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const expr::Path& a = paths[i];
      const expr::Path& b = paths[j];
      const size_t n = std::min(a.size(), b.size());
      size_t k = 0;
      while (k < n && a[k] == b[k]) ++k;
      const char* what = k == n ? "overlap" : a[k].is_index != b[k].is_index ? "conflict" : nullptr;
      if (what) {
        return Status::Validation(std::string("Two document paths ") + what +
                                  " with each other; must remove or rewrite one of these paths; path one: " +
                                  expr::PathToString(b) + ", path two: " + expr::PathToString(a));
      }
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Deferred checks

void ConditionBinder::Defer(std::string message) {
  if (deferred_.ok()) deferred_ = Status::Validation(std::move(message));
}

void ConditionBinder::CheckTypes(const std::vector<Operand>& ops, std::string_view fn, std::initializer_list<Type> ok) {
  for (const Operand& o : ops) {
    auto t = ConstType(o);
    if (t && std::find(ok.begin(), ok.end(), *t) == ok.end()) {
      return Defer("Incorrect operand type for operator or function; operator or function: " + std::string(fn) +
                   ", operand type: " + model::TypeName(*t));
    }
  }
}

bool ConditionBinder::CheckCount(const std::vector<Operand>& ops, std::string_view fn, size_t n) {
  if (ops.size() == n) return true;
  Defer("Incorrect number of operands for operator or function; operator or function: " + std::string(fn) +
        ", number of operands: " + std::to_string(ops.size()));
  return false;
}

void ConditionBinder::CheckDistinct(const std::vector<Operand>& ops, std::string_view op) {
  if (ops.empty() || ops[0].kind != Operand::Kind::kPath) return;
  for (size_t i = 1; i < ops.size(); ++i) {
    if (ops[i].kind == Operand::Kind::kPath && ops[i].path == ops[0].path) {
      return Defer(
          "The first operand must be distinct from the remaining operands for this operator or function; operator: " +
          std::string(op) + ", first operand: " + expr::PathToString(ops[0].path));
    }
  }
}

bool ConditionBinder::RequirePath(const Operand& o, std::string_view fn) {
  if (o.kind == Operand::Kind::kPath) return true;
  Defer("Operator or function requires a document path; operator or function: " + std::string(fn));
  return false;
}

// ---------------------------------------------------------------------------
// Conditions

Result<Condition> ConditionBinder::BindWhere(const Expr& where) {
  if (!IsBoolean(where)) return Unsupported("WHERE clause must contain an expression that resolves to a boolean");
  return BindBoolean(where);
}

Result<Condition> ConditionBinder::BindBoolean(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kUnary: {  // NOT
      if (!IsBoolean(e.children[0]) && !IsSizeCall(e.children[0])) {
        return Unsupported("The argument to NOT must be a Type or Expression");
      }
      BASALT_ASSIGN_OR_RETURN(Condition inner, BindLogicalOperand(e.children[0], "NOT"));
      Condition c;
      c.kind = Condition::Kind::kNot;
      c.children.push_back(std::move(inner));
      return c;
    }
    case Expr::Kind::kBinary: {
      if (e.text == "AND" || e.text == "OR") {
        for (const Expr& child : e.children) {
          if (!IsBoolean(child) && !IsSizeCall(child))
            return Unsupported("The arguments to AND/OR must be Expressions");
        }
        Condition c;
        c.kind = e.text == "AND" ? Condition::Kind::kAnd : Condition::Kind::kOr;
        for (const Expr& child : e.children) {
          BASALT_ASSIGN_OR_RETURN(Condition cc, BindLogicalOperand(child, e.text));
          // (a AND b) AND c is one AND of three.
          if (cc.kind == c.kind) {
            for (Condition& g : cc.children) c.children.push_back(std::move(g));
          } else {
            c.children.push_back(std::move(cc));
          }
        }
        return c;
      }
      std::optional<Condition::Op> op = ComparisonOp(e.text);
      if (!op) return Unsupported("Unsupported operator in Condition Expression. Operator: " + OperatorName(e));
      BASALT_ASSIGN_OR_RETURN(std::vector<Operand> args, BindOperands(e.children));
      Condition c = Leaf(Condition::Kind::kCompare, std::move(args));
      c.op = *op;
      const std::string name = *op == Condition::Op::kNe ? "<>" : e.text;
      if (*op != Condition::Op::kEq && *op != Condition::Op::kNe)
        CheckTypes(c.args, name, {Type::kN, Type::kS, Type::kB});
      CheckDistinct(c.args, name);
      return c;
    }
    case Expr::Kind::kBetween: {
      BASALT_ASSIGN_OR_RETURN(std::vector<Operand> args, BindOperands(e.children));
      Condition c = Leaf(Condition::Kind::kBetween, std::move(args));
      CheckTypes(c.args, "BETWEEN", {Type::kN, Type::kS, Type::kB});
      CheckDistinct(c.args, "BETWEEN");
      const Operand& lo = c.args[1];
      const Operand& hi = c.args[2];
      if (lo.kind == Operand::Kind::kValue && hi.kind == Operand::Kind::kValue) {
        if (lo.value.type() != hi.value.type()) {
          Defer("The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: " +
                BoundText(lo.value) + ", upper bound operand: " + BoundText(hi.value));
        } else if (model::CompareScalars(lo.value, hi.value) > 0) {
          Defer(
              "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound "
              "operand: " +
              BoundText(lo.value) + ", upper bound operand: " + BoundText(hi.value));
        }
      }
      if (!e.negated) return c;
      Condition n;
      n.kind = Condition::Kind::kNot;
      n.children.push_back(std::move(c));
      return n;
    }
    case Expr::Kind::kIn: {
      const Expr& list = e.children[1];
      if (list.kind != Expr::Kind::kList || list.children.empty()) {
        return Unsupported(
            "IN operator must have a left hand argument of type Variable Reference and right hand argument of type "
            "Seq with at least one member");
      }
      BASALT_ASSIGN_OR_RETURN(Operand value, BindOperand(e.children[0]));
      BASALT_ASSIGN_OR_RETURN(std::vector<Operand> items, BindOperands(list.children));
      if (items.size() > 100) {
        return Unsupported("The IN operator is provided with too many operands; number of operands: " +
                           std::to_string(items.size()));
      }
      Condition c;
      c.kind = Condition::Kind::kIn;
      c.args.push_back(std::move(value));
      for (Operand& o : items) c.args.push_back(std::move(o));
      CheckDistinct(c.args, "IN");
      if (!e.negated) return c;
      Condition n;
      n.kind = Condition::Kind::kNot;
      n.children.push_back(std::move(c));
      return n;
    }
    case Expr::Kind::kIs: {
      const Expr& subject = e.children[0];
      if (subject.kind != Expr::Kind::kPath && !IsValueExpr(subject)) {
        return Unsupported("The left hand side argument to IS must be a Variable Reference, Literal, or Path");
      }
      Condition c;
      if (e.text == "MISSING") {
        // IS MISSING is attribute_not_exists (DynamoDB Local names that
        // function when the subject is not a path).
        BASALT_ASSIGN_OR_RETURN(Operand o, BindOperand(subject));
        const char* fn = e.negated ? "attribute_exists" : "attribute_not_exists";
        RequirePath(o, fn);
        return Leaf(e.negated ? Condition::Kind::kAttributeExists : Condition::Kind::kAttributeNotExists, {o});
      }
      const std::string code = TypeCode(e.text);
      if (code.empty()) {
        // The position DynamoDB Local gives is the IS operator's.
        return UnsupportedAt("Unsupported data type for IS operator: " + e.text +
                                 ". Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, "
                                 "TUPLE, LIST]",
                             e.loc);
      }
      BASALT_ASSIGN_OR_RETURN(Operand o, BindOperand(subject));
      c = Leaf(Condition::Kind::kAttributeType, {o, ValueOperand(AttributeValue::S(code))});
      if (!e.negated) return c;
      Condition n;
      n.kind = Condition::Kind::kNot;
      n.children.push_back(std::move(c));
      return n;
    }
    case Expr::Kind::kCall:
      return BindCall(e);
    default:
      return Unsupported("WHERE clause must contain an expression that resolves to a boolean");
  }
}

// An operand of NOT, AND or OR. size() is a number there, which DynamoDB
// reports as an operand type ("operator or function: NOT, operand type: N").
Result<Condition> ConditionBinder::BindLogicalOperand(const Expr& e, std::string_view op) {
  if (!IsSizeCall(e)) return BindBoolean(e);
  BASALT_ASSIGN_OR_RETURN(Operand o, BindOperand(e));
  CheckTypes({o}, op, {Type::kBool});
  return Leaf(Condition::Kind::kAttributeExists, {});  // never evaluated: the deferred check failed
}

Result<Condition> ConditionBinder::BindCall(const Expr& e) {
  const std::string& f = e.text;
  if (e.subquery) return UnsupportedAt("Unsupported token in expression: SELECT", *e.subquery);
  if (IsUpdateFunction(f)) return Unsupported("The function is not allowed in a condition expression; function: " + f);
  if (!IsConditionFunction(f)) return Unsupported("Unrecognized function: " + f);
  BASALT_ASSIGN_OR_RETURN(std::vector<Operand> args, BindOperands(e.children));
  Condition c;
  c.args = std::move(args);
  if (f == "attribute_exists" || f == "attribute_not_exists") {
    c.kind = f == "attribute_exists" ? Condition::Kind::kAttributeExists : Condition::Kind::kAttributeNotExists;
    if (CheckCount(c.args, f, 1)) RequirePath(c.args[0], f);
    return c;
  }
  if (!CheckCount(c.args, f, 2)) return c;
  if (f == "attribute_type") {
    c.kind = Condition::Kind::kAttributeType;
    // DynamoDB Local: attribute_type(x, x) is about distinct operands first.
    CheckDistinct(c.args, f);
    const Operand& t = c.args[1];
    if (t.kind != Operand::Kind::kValue) {
      Defer(
          "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: "
          "{M,FLOAT,DECIMAL,L,N,INTSET,DECIMALSET,BS,NULL,INT,HDS,DICT,FS,DOUBLESET,S,DOUBLE,B,HD,SS,NS,BOOL}");
      return c;
    }
    CheckTypes({t}, f, {Type::kS});
    static const char* const kTypes[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"};
    if (t.value.type() == Type::kS &&
        std::none_of(std::begin(kTypes), std::end(kTypes), [&](const char* k) { return t.value.str() == k; })) {
      Defer("Invalid attribute type name found; type: " + t.value.str() +
            ", valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}");
    }
    return c;
  }
  if (f == "begins_with") {
    c.kind = Condition::Kind::kBeginsWith;
    CheckTypes(c.args, f, {Type::kS, Type::kB});
  } else {
    c.kind = Condition::Kind::kContains;
  }
  CheckDistinct(c.args, f);
  return c;
}

// ---------------------------------------------------------------------------
// Operands

Result<std::vector<Operand>> ConditionBinder::BindOperands(const std::vector<Expr>& exprs) {
  std::vector<Operand> out;
  out.reserve(exprs.size());
  for (const Expr& e : exprs) {
    BASALT_ASSIGN_OR_RETURN(Operand o, BindOperand(e));
    out.push_back(std::move(o));
  }
  return out;
}

Result<Operand> ConditionBinder::BindOperand(const Expr& e) {
  Operand o;
  switch (e.kind) {
    case Expr::Kind::kPath: {
      o.kind = Operand::Kind::kPath;
      BASALT_ASSIGN_OR_RETURN(o.path, BindPath(e));
      return o;
    }
    case Expr::Kind::kMissing:
      return Unsupported("MISSING must be compared using IS operator");
    case Expr::Kind::kBinary:
    case Expr::Kind::kUnary:
      return Unsupported("Unsupported operator in Condition Expression. Operator: " + OperatorName(e));
    case Expr::Kind::kCall: {
      const std::string& f = e.text;
      if (e.subquery) return UnsupportedAt("Unsupported token in expression: SELECT", *e.subquery);
      if (IsUpdateFunction(f)) {
        return Unsupported("The function is not allowed in a condition expression; function: " + f);
      }
      if (IsConditionFunction(f)) {
        return Unsupported("The function is not allowed to be used this way in an expression; function: " + f);
      }
      if (f != "size") return Unsupported("Unrecognized function: " + f);
      BASALT_ASSIGN_OR_RETURN(o.args, BindOperands(e.children));
      o.kind = Operand::Kind::kSize;
      if (CheckCount(o.args, f, 1)) {
        CheckTypes(o.args, f, {Type::kS, Type::kB, Type::kSS, Type::kNS, Type::kBS, Type::kL, Type::kM});
      }
      return o;
    }
    case Expr::Kind::kTypedLiteral:
      return UnsupportedAt("Unsupported token in expression: UNKNOWN", e.loc);
    case Expr::Kind::kBetween:
    case Expr::Kind::kIn:
    case Expr::Kind::kIs:
      return Unsupported("Unsupported operator in Condition Expression. Operator: " +
                         std::string(e.kind == Expr::Kind::kIs   ? "is"
                                     : e.kind == Expr::Kind::kIn ? "in"
                                                                 : "between"));
    default:
      return ValueOf(e);
  }
}

Result<Operand> ConditionBinder::ValueOf(const Expr& e) {
  // Written without BASALT_ASSIGN_OR_RETURN: GCC 12 warns (wrongly) that the
  // moved AttributeValue may be uninitialized.
  Result<AttributeValue> v = ConvertValue(e, params_);
  if (!v.ok()) return std::move(v).take_status();
  Operand o;
  o.kind = Operand::Kind::kValue;
  o.value = std::move(v).value();
  return o;
}

Result<Operand> ConditionBinder::BindSetValue(const Expr& e) {
  Operand o;
  switch (e.kind) {
    case Expr::Kind::kPath: {
      o.kind = Operand::Kind::kPath;
      BASALT_ASSIGN_OR_RETURN(o.path, BindPath(e));
      return o;
    }
    case Expr::Kind::kMissing:
      return Unsupported("MISSING must be compared using IS operator");
    case Expr::Kind::kUnary:
      // DynamoDB Local: `SET a = -n` counts the operands of a binary minus.
      return Unsupported("Incorrect number of operands for operator or function; operator or function: " + e.text +
                         ", number of operands: 1");
    case Expr::Kind::kBinary: {
      if (e.text != "+" && e.text != "-") {
        return Unsupported("Unsupported operator in Update Expression. Operator: " + OperatorName(e));
      }
      for (const Expr& c : e.children) {
        BASALT_ASSIGN_OR_RETURN(Operand a, BindSetValue(c));
        o.args.push_back(std::move(a));
      }
      o.kind = e.text == "+" ? Operand::Kind::kPlus : Operand::Kind::kMinus;
      CheckTypes(o.args, e.text, {Type::kN});
      return o;
    }
    case Expr::Kind::kIs:
      return Unsupported("IS operator is not supported in update expressions");
    case Expr::Kind::kBetween:
    case Expr::Kind::kIn:
      return Unsupported("Unsupported operator in Update Expression. Operator: " +
                         std::string(e.kind == Expr::Kind::kIn ? "in" : "between"));
    case Expr::Kind::kCall: {
      const std::string& f = e.text;
      if (f == "size" || IsConditionFunction(f)) {
        return Unsupported("The function is not allowed in an update expression; function: " + f);
      }
      if (!IsUpdateFunction(f)) return Unsupported("Unrecognized function: " + f);
      std::vector<Operand> args;
      for (const Expr& c : e.children) {
        BASALT_ASSIGN_OR_RETURN(Operand a, BindSetValue(c));
        args.push_back(std::move(a));
      }
      if (!CheckCount(args, f, 2)) return o;
      if (f == "if_not_exists") {
        if (RequirePath(args[0], f)) CheckDistinct(args, f);
        o.kind = Operand::Kind::kIfNotExists;
        o.path = std::move(args[0].path);
        o.args.push_back(std::move(args[1]));
        return o;
      }
      CheckTypes(args, f, {Type::kL});
      o.kind = Operand::Kind::kListAppend;
      o.args = std::move(args);
      return o;
    }
    default:
      return ValueOf(e);
  }
}

}  // namespace basalt::partiql
