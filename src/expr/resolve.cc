#include "expr/resolve.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace basalt::expr {
namespace {

using model::AttributeValue;
using model::Type;

// ---------------------------------------------------------------------------
// Stage 5: placeholders and operand checks, bottom-up.

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

Result<Condition> ResolveCondition(const RawCond& raw, const std::string& prefix, const Bindings& bindings) {
  Resolver resolver(prefix, bindings);
  return resolver.Resolve(raw);
}

Result<Projection> ResolveProjection(const std::vector<std::vector<RawElem>>& raw, const std::string& prefix,
                                     const NameMap& names, std::set<std::string>* used_names) {
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

Result<Update> ResolveUpdate(const std::vector<RawAction>& raw, const std::string& prefix, const Bindings& bindings) {
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
                                  (add ? "ADD" : "DELETE") + ", operand type: " + model::LongTypeName(t) +
                                  ", typeSet: " + (add ? "ALLOWED_FOR_ADD_OPERAND" : "ALLOWED_FOR_DELETE_OPERAND"));
      }
    }
  }
  return u;
}

}  // namespace basalt::expr
