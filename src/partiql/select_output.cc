#include "partiql/select_output.h"

namespace basalt::partiql {
namespace {

using model::AttributeValue;

std::string IndexText(const expr::PathElement& e) { return "[" + std::to_string(e.index) + "]"; }

// Merges `from` into `into`: maps key by key (recursively), anything else replaced.
void Merge(AttributeValue* into, const AttributeValue& from) {
  if (into->type() == model::Type::kM && from.type() == model::Type::kM) {
    for (const auto& [k, v] : from.map()) {
      auto it = into->map().find(k);
      if (it == into->map().end()) {
        into->map().emplace(k, v);
      } else {
        Merge(&it->second, v);
      }
    }
    return;
  }
  *into = from;
}

}  // namespace

std::string SelectedName(const expr::Path& path) {
  size_t last = 0;
  for (size_t i = 0; i < path.size(); ++i) {
    if (!path[i].is_index) last = i;
  }
  std::string name = path[last].name;
  for (size_t i = last + 1; i < path.size(); ++i) name += IndexText(path[i]);
  return name;
}

model::Item SelectRow(const expr::Projection& projection, const model::Item& item) {
  if (projection.paths.empty()) return item;
  model::Item out;
  for (const expr::Path& path : projection.paths) {
    // The output attribute ends after the first run of indexes, or at the end.
    size_t end = path.size();
    size_t name_at = 0;
    for (size_t i = 0; i < path.size(); ++i) {
      if (!path[i].is_index) {
        if (i > 0 && path[i - 1].is_index) {
          end = i;
          break;
        }
        name_at = i;
      }
    }
    std::string key = path[name_at].name;
    for (size_t i = name_at + 1; i < end; ++i) key += IndexText(path[i]);
    const expr::Path head(path.begin(), path.begin() + end);
    const AttributeValue* v = expr::FindPath(item, head);
    if (!v) continue;
    AttributeValue value = *v;
    if (end < path.size()) {
      // The rest of the path selects inside the element (which must be a map).
      if (v->type() != model::Type::kM) continue;
      expr::Projection rest;
      rest.paths.emplace_back(path.begin() + end, path.end());
      model::Item selected = expr::ApplyProjection(rest, v->map());
      if (selected.empty()) continue;
      value = AttributeValue::M(std::move(selected));
    }
    auto it = out.find(key);
    if (it == out.end()) {
      out.emplace(key, std::move(value));
    } else {
      Merge(&it->second, value);
    }
  }
  return out;
}

}  // namespace basalt::partiql
