#include "expr/projection.h"

#include <algorithm>
#include <cctype>

namespace basalt::expr {
namespace {

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

const model::AttributeValue* FindPath(const model::Item& item, const Path& path) {
  if (path.empty() || path[0].is_index) return nullptr;
  auto it = item.find(path[0].name);
  if (it == item.end()) return nullptr;
  const model::AttributeValue* v = &it->second;
  for (size_t i = 1; i < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.is_index) {
      if (v->type() != model::Type::kL || e.index >= v->list().size()) return nullptr;
      v = &v->list()[e.index];
    } else {
      if (v->type() != model::Type::kM) return nullptr;
      auto m = v->map().find(e.name);
      if (m == v->map().end()) return nullptr;
      v = &m->second;
    }
  }
  return v;
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
