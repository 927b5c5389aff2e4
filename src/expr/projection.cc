#include "expr/projection.h"

#include <algorithm>
#include <cctype>

namespace basalt::expr {
namespace {

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class ProjectionParser {
 public:
  ProjectionParser(std::string_view text, const NameMap& names, std::set<std::string>* used)
      : text_(text), names_(names), used_(used) {}

  Result<Projection> Parse() {
    Projection p;
    SkipSpace();
    if (pos_ == text_.size()) {
      return Status::Validation("Invalid ProjectionExpression: The expression can not be empty;");
    }
    while (true) {
      BASALT_ASSIGN_OR_RETURN(Path path, ParsePath());
      p.paths.push_back(std::move(path));
      SkipSpace();
      if (pos_ == text_.size()) break;
      if (text_[pos_] != ',') return SyntaxError();
      ++pos_;
    }
    BASALT_RETURN_IF_ERROR(CheckOverlaps(p));
    return p;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  // DynamoDB names the offending token and the text around it.
  Status SyntaxError() {
    SkipSpace();
    std::string token = "<EOF>";
    size_t start = pos_;
    if (pos_ < text_.size()) {
      size_t end = pos_ + 1;
      if (IsNameChar(text_[pos_]) || text_[pos_] == '#') {
        while (end < text_.size() && IsNameChar(text_[end])) ++end;
      }
      token = std::string(text_.substr(pos_, end - pos_));
    }
    size_t near_begin = start;
    // "near" spans the previous token and the offending one.
    while (near_begin > 0 && std::isspace(static_cast<unsigned char>(text_[near_begin - 1]))) --near_begin;
    if (near_begin > 0) {
      size_t b = near_begin - 1;
      if (IsNameChar(text_[b])) {
        while (b > 0 && (IsNameChar(text_[b - 1]) || text_[b - 1] == '#')) --b;
      }
      near_begin = b;
    }
    size_t near_end = std::min(text_.size(), start + (token == "<EOF>" ? 0 : token.size()));
    return Status::Validation("Invalid ProjectionExpression: Syntax error; token: \"" + token + "\", near: \"" +
                              std::string(text_.substr(near_begin, near_end - near_begin)) + "\"");
  }

  Result<std::string> ParseName() {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '#') {
      size_t start = pos_++;
      while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
      if (pos_ == start + 1) return SyntaxError();
      std::string placeholder(text_.substr(start, pos_ - start));
      auto it = names_.find(placeholder);
      if (it == names_.end()) {
        return Status::Validation(
            "Invalid ProjectionExpression: An expression attribute name used in the document path is not "
            "defined; attribute name: " +
            placeholder);
      }
      used_->insert(placeholder);
      return it->second;
    }
    if (pos_ >= text_.size() || !IsNameStart(text_[pos_])) return SyntaxError();
    size_t start = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  Result<Path> ParsePath() {
    Path path;
    BASALT_ASSIGN_OR_RETURN(std::string first, ParseName());
    path.push_back(PathElement{std::move(first), 0, false});
    while (true) {
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == '.') {
        ++pos_;
        BASALT_ASSIGN_OR_RETURN(std::string name, ParseName());
        path.push_back(PathElement{std::move(name), 0, false});
      } else if (pos_ < text_.size() && text_[pos_] == '[') {
        ++pos_;
        SkipSpace();
        size_t start = pos_;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        if (start == pos_) return SyntaxError();
        std::string digits(text_.substr(start, pos_ - start));
        SkipSpace();
        if (pos_ >= text_.size() || text_[pos_] != ']') return SyntaxError();
        ++pos_;
        if (digits.size() > 9) {
          return Status::Validation("Invalid ProjectionExpression: List index is too large: " + digits);
        }
        path.push_back(PathElement{"", std::stoul(digits), true});
      } else {
        return path;
      }
    }
  }

  static Status CheckOverlaps(const Projection& p) {
    for (size_t i = 0; i < p.paths.size(); ++i) {
      for (size_t j = i + 1; j < p.paths.size(); ++j) {
        const Path& a = p.paths[i];
        const Path& b = p.paths[j];
        size_t n = std::min(a.size(), b.size());
        if (std::equal(a.begin(), a.begin() + n, b.begin())) {
          return Status::Validation(
              "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
              "rewrite one of these paths; path one: " +
              PathToString(a) + ", path two: " + PathToString(b));
        }
      }
    }
    return Status::Ok();
  }

  std::string_view text_;
  const NameMap& names_;
  std::set<std::string>* used_;
  size_t pos_ = 0;
};

// Copies the part of `src` addressed by path[depth...] into `dst`, creating
// containers of src's shape as needed. List elements are collected in an
// index-keyed side map and compacted at the end, so a[3], a[1] returns
// [a[1], a[3]] in list order.
struct Node {
  const model::AttributeValue* leaf = nullptr;   // the whole value is selected
  std::map<std::string, Node> fields;             // map children
  std::map<size_t, Node> elements;                // list children
  model::Type type = model::Type::kNull;
};

void Select(const model::AttributeValue& v, const Path& path, size_t depth, Node* node) {
  node->type = v.type();
  if (depth == path.size()) {
    node->leaf = &v;
    return;
  }
  const PathElement& e = path[depth];
  if (!e.is_index && v.type() == model::Type::kM) {
    auto it = v.map().find(e.name);
    if (it != v.map().end()) Select(it->second, path, depth + 1, &node->fields[e.name]);
  } else if (e.is_index && v.type() == model::Type::kL && e.index < v.list().size()) {
    Select(v.list()[e.index], path, depth + 1, &node->elements[e.index]);
  }
}

bool Build(const Node& node, model::AttributeValue* out) {
  if (node.leaf) {
    *out = *node.leaf;
    return true;
  }
  if (node.type == model::Type::kM) {
    model::AttributeMap m;
    for (const auto& [k, child] : node.fields) {
      model::AttributeValue v;
      if (Build(child, &v)) m.emplace(k, std::move(v));
    }
    if (m.empty()) return false;
    *out = model::AttributeValue::M(std::move(m));
    return true;
  }
  if (node.type == model::Type::kL) {
    model::AttributeList l;
    for (const auto& [i, child] : node.elements) {
      model::AttributeValue v;
      if (Build(child, &v)) l.push_back(std::move(v));
    }
    if (l.empty()) return false;
    *out = model::AttributeValue::L(std::move(l));
    return true;
  }
  return false;
}

}  // namespace

Result<Projection> ParseProjection(std::string_view text, const NameMap& names,
                                   std::set<std::string>* used_names) {
  return ProjectionParser(text, names, used_names).Parse();
}

Projection ProjectionOfNames(const std::vector<std::string>& names) {
  Projection p;
  for (const auto& n : names) p.paths.push_back(Path{PathElement{n, 0, false}});
  return p;
}

model::Item ApplyProjection(const Projection& projection, const model::Item& item) {
  std::map<std::string, Node> top;
  for (const Path& path : projection.paths) {
    auto it = item.find(path[0].name);
    if (it == item.end()) continue;
    Select(it->second, path, 1, &top[path[0].name]);
  }
  model::Item out;
  for (const auto& [name, node] : top) {
    model::AttributeValue v;
    if (Build(node, &v)) out.emplace(name, std::move(v));
  }
  return out;
}

std::string PathToString(const Path& path) {
  std::string s = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) s += ", ";
    s += path[i].is_index ? "[" + std::to_string(path[i].index) + "]" : path[i].name;
  }
  return s + "]";
}

}  // namespace basalt::expr
