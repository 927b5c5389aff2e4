// Rendering of syntax trees for tests: operators in prefix form so that one
// string shows precedence and grouping, e.g. (AND (= pk 'a') (> sk 1)).
#include "partiql/ast.h"

#include <cctype>
#include <string>
#include <utility>

namespace basalt::partiql::ast {
namespace {

bool IsPlainName(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_' || s[0] == '$')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$')) return false;
  }
  return true;
}

std::string Quote(const std::string& s, char q) {
  std::string out(1, q);
  for (char c : s) {
    out.push_back(c);
    if (c == q) out.push_back(q);
  }
  out.push_back(q);
  return out;
}

std::string Name(const std::string& s, bool quoted) { return quoted || !IsPlainName(s) ? Quote(s, '"') : s; }

std::string List(const std::vector<Expr>& items, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < items.size(); ++i) {
    if (i > from) out += ", ";
    out += ToString(items[i]);
  }
  return out;
}

std::string ReturningText(const Returning& r) {
  if (r.elements == 0) return "";
  std::string out = std::string(" RETURNING ") + (r.all ? "ALL" : "MODIFIED") + (r.old ? " OLD" : " NEW") +
                    (r.star ? " *" : " <expr>");
  if (r.elements > 1) out += " (+" + std::to_string(r.elements - 1) + " more)";
  return out;
}

std::string SelectText(const SelectStatement& s) {
  std::string out = "SELECT ";
  if (s.distinct) out += "DISTINCT ";
  if (s.value) out += "VALUE ";
  out += s.star ? "*" : "[" + List(s.projection) + "]";
  if (s.aliased) out += " (aliased)";
  out += " FROM " + ToString(s.from.path);
  if (s.from.aliased) out += " (aliased)";
  if (s.from.several) out += " (several)";
  if (s.where) out += " WHERE " + ToString(*s.where);
  if (!s.order_by.empty()) {
    out += " ORDER BY [";
    for (size_t i = 0; i < s.order_by.size(); ++i) {
      if (i) out += ", ";
      out += ToString(s.order_by[i].key) + (s.order_by[i].descending ? " DESC" : " ASC");
    }
    out += "]";
  }
  if (s.limit) out += " LIMIT " + ToString(*s.limit);
  return out;
}

}  // namespace

Statement::Statement() = default;
Statement::Statement(Body b, size_t n) : body(std::move(b)), parameter_count(n) {}
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;
Statement::Statement(const Statement&) = default;
Statement& Statement::operator=(const Statement&) = default;
Statement::~Statement() = default;

std::string ToString(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kPath: {
      std::string out = e.children.empty() ? Name(e.text, false) : "(" + ToString(e.children[0]) + ")";
      for (const PathStep& s : e.steps) {
        switch (s.kind) {
          case PathStep::Kind::kName:
            out += "." + Name(s.name, false);
            break;
          case PathStep::Kind::kIndex:
            out += "[" + List(s.index) + "]";
            break;
          case PathStep::Kind::kDotStar:
            out += ".*";
            break;
          case PathStep::Kind::kBracketStar:
            out += "[*]";
            break;
        }
      }
      return out;
    }
    case Expr::Kind::kString:
      return Quote(e.text, '\'');
    case Expr::Kind::kNumber:
      return e.text;
    case Expr::Kind::kBool:
      return e.boolean ? "TRUE" : "FALSE";
    case Expr::Kind::kNull:
      return "NULL";
    case Expr::Kind::kMissing:
      return "MISSING";
    case Expr::Kind::kParameter:
      return "?" + std::to_string(e.ordinal);
    case Expr::Kind::kList:
      return e.paren_list ? "(" + List(e.children) + ")" : "[" + List(e.children) + "]";
    case Expr::Kind::kBag:
      return "<<" + List(e.children) + ">>";
    case Expr::Kind::kStruct: {
      std::string out = "{";
      for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
        if (i) out += ", ";
        out += ToString(e.children[i]) + ": " + ToString(e.children[i + 1]);
      }
      return out + "}";
    }
    case Expr::Kind::kCall:
      if (e.star) return e.text + "(*)";
      if (e.subquery) return e.text + "(SELECT ...)";
      return e.text + "(" + List(e.children) + ")";
    case Expr::Kind::kUnary:
      return "(" + e.text + " " + ToString(e.children[0]) + ")";
    case Expr::Kind::kBinary:
      return "(" + e.text + " " + ToString(e.children[0]) + " " + ToString(e.children[1]) +
             (e.children.size() > 2 ? " ESCAPE " + ToString(e.children[2]) : "") + ")";
    case Expr::Kind::kBetween:
      return std::string("(") + (e.negated ? "NOT BETWEEN " : "BETWEEN ") + ToString(e.children[0]) + " " +
             ToString(e.children[1]) + " " + ToString(e.children[2]) + ")";
    case Expr::Kind::kIn:
      return std::string("(") + (e.negated ? "NOT IN " : "IN ") + ToString(e.children[0]) + " " +
             ToString(e.children[1]) + ")";
    case Expr::Kind::kIs:
      return std::string("(") + (e.negated ? "IS NOT " : "IS ") + ToString(e.children[0]) + " " + e.text + ")";
    case Expr::Kind::kTypedLiteral:
      return e.text + " " + List(e.children);
  }
  return "?";
}

std::string ToString(const Statement& st) {
  std::string out;
  if (const auto* s = std::get_if<SelectStatement>(&st.body)) {
    out = SelectText(*s);
  } else if (const auto* s = std::get_if<InsertStatement>(&st.body)) {
    out = "INSERT INTO " + ToString(s->target) + " VALUE " + ToString(s->value);
    if (s->at) out += " (AT)";
    if (s->returning) out += " (RETURNING)";
  } else if (const auto* s = std::get_if<UpdateStatement>(&st.body)) {
    out = "UPDATE " + ToString(s->target);
    for (const UpdateAction& a : s->actions) {
      if (a.kind == UpdateAction::Kind::kSet) {
        out += " SET " + ToString(a.target) + " = " + ToString(a.value);
      } else {
        out += " REMOVE " + ToString(a.target);
      }
    }
    if (s->where) out += " WHERE " + ToString(*s->where);
    out += ReturningText(s->returning);
  } else if (const auto* s = std::get_if<DeleteStatement>(&st.body)) {
    out = "DELETE FROM " + ToString(s->from.path);
    if (s->where) out += " WHERE " + ToString(*s->where);
    out += ReturningText(s->returning);
  } else if (const auto* s = std::get_if<ExistsStatement>(&st.body)) {
    out = "EXISTS(" + SelectText(s->select) + ")";
  } else if (const auto* s = std::get_if<ExpressionStatement>(&st.body)) {
    out = "EXPRESSION " + ToString(s->expr);
  }
  if (st.parameter_count) out += " PARAMETERS " + std::to_string(st.parameter_count);
  return out;
}

}  // namespace basalt::partiql::ast
