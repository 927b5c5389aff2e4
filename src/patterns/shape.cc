#include "patterns/shape.h"

#include <cctype>
#include <charconv>

namespace basalt::patterns {
namespace {

// FNV-1a over the bytes the text would have.
struct HashSink {
  uint64_t h = 1469598103934665603ull;
  void Put(std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  }
};

struct TextSink {
  std::string out;
  void Put(std::string_view s) { out.append(s); }
};

template <typename Sink>
void PutPath(Sink& s, const expr::Path& path) {
  bool first = true;
  for (const expr::PathElement& e : path) {
    if (e.is_index) {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, e.index);
      s.Put("[");
      s.Put(std::string_view(buf, static_cast<size_t>(end - buf)));
      s.Put("]");
    } else {
      if (!first) s.Put(".");
      s.Put(e.name);
    }
    first = false;
  }
}

// A value: ":v", with a key string's entity prefix before it.
template <typename Sink>
void PutValue(Sink& s, const model::AttributeValue& v, bool key) {
  if (key && v.type() == model::Type::kS) s.Put(EntityPrefix(v.str()));
  s.Put(":v");
}

template <typename Sink>
void PutOperand(Sink& s, const expr::Operand& o) {
  using K = expr::Operand::Kind;
  switch (o.kind) {
    case K::kPath: PutPath(s, o.path); return;
    case K::kValue: s.Put(":v"); return;
    case K::kSize:
      s.Put("size(");
      if (!o.args.empty()) PutOperand(s, o.args[0]);
      s.Put(")");
      return;
    case K::kIfNotExists:
      s.Put("if_not_exists(");
      PutPath(s, o.path);
      s.Put(", ");
      if (!o.args.empty()) PutOperand(s, o.args[0]);
      s.Put(")");
      return;
    case K::kListAppend:
      s.Put("list_append(");
      if (o.args.size() == 2) {
        PutOperand(s, o.args[0]);
        s.Put(", ");
        PutOperand(s, o.args[1]);
      }
      s.Put(")");
      return;
    case K::kPlus:
    case K::kMinus:
      if (o.args.size() == 2) {
        PutOperand(s, o.args[0]);
        s.Put(o.kind == K::kPlus ? " + " : " - ");
        PutOperand(s, o.args[1]);
      }
      return;
  }
}

const char* CompareOp(expr::Condition::Op op) {
  switch (op) {
    case expr::Condition::Op::kEq: return " = ";
    case expr::Condition::Op::kNe: return " <> ";
    case expr::Condition::Op::kLt: return " < ";
    case expr::Condition::Op::kLe: return " <= ";
    case expr::Condition::Op::kGt: return " > ";
    case expr::Condition::Op::kGe: return " >= ";
  }
  return " ? ";
}

template <typename Sink>
void PutCondition(Sink& s, const expr::Condition& c) {
  using K = expr::Condition::Kind;
  auto function = [&](const char* name) {
    s.Put(name);
    s.Put("(");
    for (size_t i = 0; i < c.args.size(); ++i) {
      if (i) s.Put(", ");
      PutOperand(s, c.args[i]);
    }
    s.Put(")");
  };
  switch (c.kind) {
    case K::kCompare:
      if (c.args.size() == 2) {
        PutOperand(s, c.args[0]);
        s.Put(CompareOp(c.op));
        PutOperand(s, c.args[1]);
      }
      return;
    case K::kBetween:
      if (c.args.size() == 3) {
        PutOperand(s, c.args[0]);
        s.Put(" BETWEEN ");
        PutOperand(s, c.args[1]);
        s.Put(" AND ");
        PutOperand(s, c.args[2]);
      }
      return;
    case K::kIn:  // the list's length is a value too
      if (!c.args.empty()) PutOperand(s, c.args[0]);
      s.Put(" IN (...)");
      return;
    case K::kAnd:
    case K::kOr:
      for (size_t i = 0; i < c.children.size(); ++i) {
        if (i) s.Put(c.kind == K::kAnd ? " AND " : " OR ");
        const expr::Condition& child = c.children[i];
        bool parens = (child.kind == K::kAnd || child.kind == K::kOr) && child.kind != c.kind;
        if (parens) s.Put("(");
        PutCondition(s, child);
        if (parens) s.Put(")");
      }
      return;
    case K::kNot:
      s.Put("NOT (");
      if (!c.children.empty()) PutCondition(s, c.children[0]);
      s.Put(")");
      return;
    case K::kAttributeExists: function("attribute_exists"); return;
    case K::kAttributeNotExists: function("attribute_not_exists"); return;
    case K::kAttributeType: function("attribute_type"); return;
    case K::kBeginsWith: function("begins_with"); return;
    case K::kContains: function("contains"); return;
  }
}

template <typename Sink>
void PutKeyTerms(Sink& s, const expr::KeyTerms& terms) {
  using K = expr::KeyComparison::Kind;
  for (size_t i = 0; i < terms.comparisons.size(); ++i) {
    const expr::KeyComparison& c = terms.comparisons[i];
    if (i) s.Put(" AND ");
    auto value = [&](size_t j) {
      if (j < c.values.size()) {
        PutValue(s, c.values[j], true);
      } else {
        s.Put(":v");
      }
    };
    switch (c.kind) {
      case K::kBeginsWith:
        s.Put("begins_with(");
        PutPath(s, c.path);
        s.Put(", ");
        value(0);
        s.Put(")");
        break;
      case K::kBetween:
        PutPath(s, c.path);
        s.Put(" BETWEEN ");
        value(0);
        s.Put(" AND ");
        value(1);
        break;
      default: {
        static const char* const kOps[] = {" = ", " < ", " <= ", " > ", " >= "};
        PutPath(s, c.path);
        s.Put(kOps[static_cast<size_t>(c.kind)]);
        value(0);
      }
    }
  }
}

template <typename Sink>
void PutUpdate(Sink& s, const expr::Update& u) {
  using K = expr::UpdateAction::Kind;
  static const char* const kClauses[] = {"SET ", "REMOVE ", "ADD ", "DELETE "};
  bool first_clause = true;
  for (size_t i = 0; i < u.actions.size(); ++i) {
    const expr::UpdateAction& a = u.actions[i];
    bool new_clause = i == 0 || u.actions[i - 1].kind != a.kind;
    if (new_clause) {
      if (!first_clause) s.Put(" ");
      s.Put(kClauses[static_cast<size_t>(a.kind)]);
      first_clause = false;
    } else {
      s.Put(", ");
    }
    PutPath(s, a.path);
    if (a.kind == K::kSet) {
      s.Put(" = ");
      PutOperand(s, a.value);
    } else if (a.kind != K::kRemove) {
      s.Put(" ");
      PutOperand(s, a.value);
    }
  }
}

template <typename Sink>
void PutProjection(Sink& s, const expr::Projection& p) {
  s.Put("projection (");
  for (size_t i = 0; i < p.paths.size(); ++i) {
    if (i) s.Put(", ");
    PutPath(s, p.paths[i]);
  }
  s.Put(")");
}

template <typename Sink>
void PutKey(Sink& s, const model::Item& key) {
  bool first = true;
  for (const auto& [name, value] : key) {
    if (!first) s.Put(" AND ");
    first = false;
    s.Put(name);
    s.Put(" = ");
    PutValue(s, value, true);
  }
}

// Parts separated by ", " after the header.
template <typename Sink>
struct Parts {
  Sink& s;
  bool first = true;
  void Next() {
    s.Put(first ? ": " : ", ");
    first = false;
  }
};

template <typename Sink>
void PutPart(Sink& s, const PartShape& p) {
  s.Put(p.kind);
  s.Put(" ");
  s.Put(p.table);
  if (p.key) {
    s.Put(" ");
    PutKey(s, *p.key);
  }
  if (p.update) {
    s.Put(" update ");
    PutUpdate(s, *p.update);
  }
  if (p.condition) {
    s.Put(" condition ");
    PutCondition(s, *p.condition);
  }
  if (p.projection) {
    s.Put(" ");
    PutProjection(s, *p.projection);
  }
}

template <typename Sink>
void Walk(Sink& s, const RequestShape& r) {
  s.Put(OpName(r.op));
  if (!r.statement.empty()) {
    s.Put(": ");
    s.Put(NormaliseStatement(r.statement));
    if (r.consistent) s.Put(", consistent");
    return;
  }
  if (!r.table.empty()) {
    s.Put(" ");
    s.Put(r.table);
    if (!r.index.empty()) {
      s.Put(".");
      s.Put(r.index);
    }
  }
  Parts<Sink> parts{s};
  if (!r.parts.empty()) {
    parts.Next();
    for (size_t i = 0; i < r.parts.size(); ++i) {
      if (i) s.Put("; ");
      PutPart(s, r.parts[i]);
    }
  }
  if (r.key_condition) {
    parts.Next();
    PutKeyTerms(s, *r.key_condition);
  }
  if (r.key) {
    parts.Next();
    PutKey(s, *r.key);
  }
  if (r.item) {
    auto key_part = [&](const std::string& k) {
      auto it = r.item->find(k);
      if (it == r.item->end()) return;
      parts.Next();
      s.Put(k);
      s.Put(" = ");
      PutValue(s, it->second, true);
    };
    if (r.key_schema) {
      key_part(r.key_schema->hash.name);
      for (const model::KeyAttribute& a : r.key_schema->extra_hash) key_part(a.name);
      if (r.key_schema->range) key_part(r.key_schema->range->name);
      for (const model::KeyAttribute& a : r.key_schema->extra_range) key_part(a.name);
    }
    parts.Next();
    s.Put("item (");
    bool first = true;
    for (const auto& [name, value] : *r.item) {
      if (!first) s.Put(", ");
      first = false;
      s.Put(name);
    }
    s.Put(")");
  }
  if (r.update) {
    parts.Next();
    s.Put("update ");
    PutUpdate(s, *r.update);
  }
  if (r.filter) {
    parts.Next();
    s.Put("filter ");
    PutCondition(s, *r.filter);
  }
  if (r.condition) {
    parts.Next();
    s.Put("condition ");
    PutCondition(s, *r.condition);
  }
  if (r.projection) {
    parts.Next();
    PutProjection(s, *r.projection);
  }
  if (r.count_only) {
    parts.Next();
    s.Put("count");
  }
  if (r.consistent) {
    parts.Next();
    s.Put("consistent");
  }
  if (r.parallel) {
    parts.Next();
    s.Put("parallel");
  }
}

void AddUnique(std::vector<std::string>* v, const std::string& name) {
  for (const std::string& x : *v) {
    if (x == name) return;
  }
  v->push_back(name);
}

void CollectOperand(const expr::Operand& o, std::vector<std::string>* out) {
  if ((o.kind == expr::Operand::Kind::kPath || o.kind == expr::Operand::Kind::kIfNotExists) && !o.path.empty() &&
      !o.path[0].is_index) {
    AddUnique(out, o.path[0].name);
  }
  for (const expr::Operand& a : o.args) CollectOperand(a, out);
}

void CollectCondition(const expr::Condition& c, std::vector<std::string>* out) {
  for (const expr::Operand& a : c.args) CollectOperand(a, out);
  for (const expr::Condition& child : c.children) CollectCondition(child, out);
}

}  // namespace

const char* OpName(Op op) {
  static const char* const kNames[] = {"GetItem",
                                       "PutItem",
                                       "UpdateItem",
                                       "DeleteItem",
                                       "BatchGetItem",
                                       "BatchWriteItem",
                                       "Query",
                                       "Scan",
                                       "TransactWriteItems",
                                       "TransactGetItems",
                                       "ExecuteStatement",
                                       "BatchExecuteStatement",
                                       "ExecuteTransaction"};
  size_t i = static_cast<size_t>(op);
  return i < sizeof kNames / sizeof kNames[0] ? kNames[i] : "Unknown";
}

bool IsRead(Op op) {
  return op == Op::kGetItem || op == Op::kBatchGetItem || op == Op::kQuery || op == Op::kScan ||
         op == Op::kTransactGetItems;
}

std::string_view EntityPrefix(std::string_view s) {
  size_t hash = s.find('#');
  if (hash == std::string_view::npos || hash == 0 || hash > 32) return {};
  for (size_t i = 0; i < hash; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!std::isalnum(c) && c != '_' && c != '-') return {};
  }
  return s.substr(0, hash + 1);
}

std::string NormaliseStatement(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  auto last_significant = [&]() -> char {
    for (size_t j = out.size(); j > 0; --j) {
      if (out[j - 1] != ' ') return out[j - 1];
    }
    return '\0';
  };
  while (i < in.size()) {
    char c = in[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      while (i < in.size() && std::isspace(static_cast<unsigned char>(in[i]))) ++i;
      if (!out.empty()) out.push_back(' ');
      continue;
    }
    if (c == '\'') {  // a string literal; '' is a quote inside it
      size_t j = i + 1;
      for (; j < in.size(); ++j) {
        if (in[j] == '\'') {
          if (j + 1 < in.size() && in[j + 1] == '\'') {
            ++j;
            continue;
          }
          break;
        }
      }
      size_t end = j < in.size() ? j + 1 : j;
      size_t k = end;
      while (k < in.size() && std::isspace(static_cast<unsigned char>(in[k]))) ++k;
      bool name = k < in.size() && in[k] == ':';  // an attribute name in a tuple
      if (name) {
        out.append(in.substr(i, end - i));
      } else {
        out.push_back('?');
      }
      i = end;
      continue;
    }
    if (c == '"') {  // a quoted identifier stays
      size_t j = in.find('"', i + 1);
      size_t end = j == std::string_view::npos ? in.size() : j + 1;
      out.append(in.substr(i, end - i));
      i = end;
      continue;
    }
    char prev = last_significant();
    bool starts_number = std::isdigit(static_cast<unsigned char>(c)) ||
                         ((c == '-' || c == '.') && i + 1 < in.size() &&
                          std::isdigit(static_cast<unsigned char>(in[i + 1])));
    bool after_word = !out.empty() && (std::isalnum(static_cast<unsigned char>(out.back())) || out.back() == '_');
    if (starts_number && !after_word && (c != '-' || prev == '\0' || std::string_view("=<>(,[{:").find(prev) != std::string_view::npos)) {
      size_t j = i + 1;
      while (j < in.size() && (std::isalnum(static_cast<unsigned char>(in[j])) || in[j] == '.' ||
                               ((in[j] == '+' || in[j] == '-') && (in[j - 1] == 'e' || in[j - 1] == 'E')))) {
        ++j;
      }
      out.push_back('?');
      i = j;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

uint64_t ShapeHash(const RequestShape& shape) {
  HashSink s;
  Walk(s, shape);
  return s.h;
}

std::string ShapeText(const RequestShape& shape) {
  TextSink s;
  Walk(s, shape);
  return std::move(s.out);
}

AttributeUse AttributesOf(const RequestShape& r) {
  AttributeUse use;
  bool reads = IsRead(r.op);
  if (r.projection) {
    for (const expr::Path& p : r.projection->paths) {
      if (!p.empty() && !p[0].is_index) AddUnique(&use.read, p[0].name);
    }
  } else if (reads && !r.count_only) {
    use.all_read = true;
  }
  if (r.item) {
    for (const auto& [name, v] : *r.item) AddUnique(&use.written, name);
  }
  auto updates = [&](const expr::Update& u) {
    for (const expr::UpdateAction& a : u.actions) {
      if (!a.path.empty() && !a.path[0].is_index) AddUnique(&use.written, a.path[0].name);
    }
  };
  if (r.update) updates(*r.update);
  if (r.filter) CollectCondition(*r.filter, &use.filtered);
  if (r.condition) CollectCondition(*r.condition, &use.filtered);
  for (const PartShape& p : r.parts) {
    if (p.update) updates(*p.update);
    if (p.condition) CollectCondition(*p.condition, &use.filtered);
    if (p.projection) {
      for (const expr::Path& path : p.projection->paths) {
        if (!path.empty() && !path[0].is_index) AddUnique(&use.read, path[0].name);
      }
    }
  }
  return use;
}

}  // namespace basalt::patterns
