// Applying an UpdateExpression: a pure function from the old item to the new.
// Every SET value is computed from the old item first (so "SET a = b, b = a"
// swaps), then the sections apply in the order SET, REMOVE, ADD, DELETE, as
// DynamoDB does whatever order they are written in.
#include <algorithm>

#include "expr/expression.h"

namespace basalt::expr {
namespace {

using model::AttributeValue;
using model::Item;
using model::Number;
using model::Type;

Status InvalidPath() {
  return Status::Validation("The document path provided in the update expression is invalid for update");
}
constexpr std::string_view kWrongType = "An operand in the update expression has an incorrect data type";
Status WrongType() { return Status::Validation(std::string(kWrongType)); }
Status Missing() {
  return Status::Validation("The provided expression refers to an attribute that does not exist in the item");
}


Result<AttributeValue> Compute(const Operand& o, const Item& old) {
  switch (o.kind) {
    case Operand::Kind::kValue: return o.value;
    case Operand::Kind::kPath: {
      const AttributeValue* v = FindPath(old, o.path);
      if (!v) return Missing();
      return *v;
    }
    case Operand::Kind::kIfNotExists: {
      const AttributeValue* v = FindPath(old, o.path);
      if (v) return *v;
      return Compute(o.args.at(0), old);
    }
    case Operand::Kind::kListAppend: {
      BASALT_ASSIGN_OR_RETURN(AttributeValue a, Compute(o.args.at(0), old));
      BASALT_ASSIGN_OR_RETURN(AttributeValue b, Compute(o.args.at(1), old));
      if (a.type() != Type::kL || b.type() != Type::kL) return WrongType();
      model::AttributeList l = a.list();
      l.insert(l.end(), b.list().begin(), b.list().end());
      return AttributeValue::L(std::move(l));
    }
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus: {
      BASALT_ASSIGN_OR_RETURN(AttributeValue a, Compute(o.args.at(0), old));
      BASALT_ASSIGN_OR_RETURN(AttributeValue b, Compute(o.args.at(1), old));
      if (a.type() != Type::kN || b.type() != Type::kN) return WrongType();
      Result<Number> r = o.kind == Operand::Kind::kPlus ? Number::Add(a.num(), b.num())
                                                        : Number::Subtract(a.num(), b.num());
      if (!r.ok()) return std::move(r).take_status();
      return AttributeValue::N(*r);
    }
    case Operand::Kind::kSize: break;
  }
  return WrongType();
}

// The container that holds the last element of `path`, or an error when a
// step before it is missing or of the wrong kind.
Result<AttributeValue*> Parent(Item* item, const Path& path, bool* top_level) {
  *top_level = path.size() == 1;
  if (*top_level) return static_cast<AttributeValue*>(nullptr);
  auto it = item->find(path[0].name);
  if (it == item->end()) return InvalidPath();
  AttributeValue* v = &it->second;
  for (size_t i = 1; i + 1 < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.is_index) {
      if (v->type() != Type::kL || e.index >= v->list().size()) return InvalidPath();
      v = &v->list()[e.index];
    } else {
      if (v->type() != Type::kM) return InvalidPath();
      auto m = v->map().find(e.name);
      if (m == v->map().end()) return InvalidPath();
      v = &m->second;
    }
  }
  const PathElement& last = path.back();
  if (last.is_index ? v->type() != Type::kL : v->type() != Type::kM) return InvalidPath();
  return v;
}

// The current value at `path` (nullptr if absent), after checking the parents.
Result<AttributeValue*> Existing(Item* item, const Path& path) {
  bool top = false;
  BASALT_ASSIGN_OR_RETURN(AttributeValue * parent, Parent(item, path, &top));
  const PathElement& last = path.back();
  if (top) {
    auto it = item->find(last.name);
    return it == item->end() ? nullptr : &it->second;
  }
  if (last.is_index) return last.index < parent->list().size() ? &parent->list()[last.index] : nullptr;
  auto it = parent->map().find(last.name);
  return it == parent->map().end() ? nullptr : &it->second;
}

Status Set(Item* item, const Path& path, AttributeValue value) {
  bool top = false;
  BASALT_ASSIGN_OR_RETURN(AttributeValue * parent, Parent(item, path, &top));
  const PathElement& last = path.back();
  if (top) {
    (*item)[last.name] = std::move(value);
  } else if (last.is_index) {
    if (last.index < parent->list().size()) {
      parent->list()[last.index] = std::move(value);
    } else {
      parent->list().push_back(std::move(value));
    }
  } else {
    parent->map()[last.name] = std::move(value);
  }
  return Status::Ok();
}

Status Remove(Item* item, const Path& path) {
  bool top = false;
  BASALT_ASSIGN_OR_RETURN(AttributeValue * parent, Parent(item, path, &top));
  const PathElement& last = path.back();
  if (top) {
    item->erase(last.name);
  } else if (last.is_index) {
    if (last.index < parent->list().size()) parent->list().erase(parent->list().begin() + last.index);
  } else {
    auto it = parent->map().find(last.name);
    if (it != parent->map().end()) parent->map().erase(it);
  }
  return Status::Ok();
}

// Orders paths so that, within one list, higher indexes come first.
bool RemoveBefore(const Path& a, const Path& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i].is_index && b[i].is_index) return a[i].index > b[i].index;
    if (!a[i].is_index && !b[i].is_index) return a[i].name > b[i].name;
    return a[i].is_index;
  }
  return a.size() > b.size();
}

template <typename T, typename Eq>
std::vector<T> Union(std::vector<T> a, const std::vector<T>& b, Eq eq) {
  for (const T& x : b) {
    if (std::none_of(a.begin(), a.end(), [&](const T& y) { return eq(x, y); })) a.push_back(x);
  }
  return a;
}

template <typename T, typename Eq>
std::vector<T> Difference(const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
  std::vector<T> out;
  for (const T& x : a) {
    if (std::none_of(b.begin(), b.end(), [&](const T& y) { return eq(x, y); })) out.push_back(x);
  }
  return out;
}

Result<AttributeValue> AddTo(const AttributeValue& cur, const AttributeValue& v) {
  if (cur.type() != v.type()) return WrongType();
  auto same = [](const auto& x, const auto& y) { return x == y; };
  switch (v.type()) {
    case Type::kN: {
      Result<Number> r = Number::Add(cur.num(), v.num());
      if (!r.ok()) return std::move(r).take_status();
      return AttributeValue::N(*r);
    }
    case Type::kSS: return AttributeValue::SS(Union(cur.strs(), v.strs(), same));
    case Type::kBS: return AttributeValue::BS(Union(cur.strs(), v.strs(), same));
    case Type::kNS: return AttributeValue::NS(Union(cur.nums(), v.nums(), same));
    default: return WrongType();
  }
}

// nullopt: the set became empty.
Result<std::optional<AttributeValue>> DeleteFrom(const AttributeValue& cur, const AttributeValue& v) {
  if (cur.type() != v.type()) return WrongType();
  auto same = [](const auto& x, const auto& y) { return x == y; };
  AttributeValue out;
  switch (v.type()) {
    case Type::kSS: out = AttributeValue::SS(Difference(cur.strs(), v.strs(), same)); break;
    case Type::kBS: out = AttributeValue::BS(Difference(cur.strs(), v.strs(), same)); break;
    case Type::kNS: {
      auto d = Difference(cur.nums(), v.nums(), same);
      if (d.empty()) return std::optional<AttributeValue>();
      return std::optional<AttributeValue>(AttributeValue::NS(std::move(d)));
    }
    default: return WrongType();
  }
  if (out.strs().empty()) return std::optional<AttributeValue>();
  return std::optional<AttributeValue>(std::move(out));
}

Result<Item> ApplyActions(const Update& update, const Item& item, const std::vector<std::string>& key_names) {
  for (const UpdateAction& a : update.actions) {
    if (std::find(key_names.begin(), key_names.end(), a.path[0].name) != key_names.end()) {
      return Status::Validation("One or more parameter values were invalid: Cannot update attribute " +
                                a.path[0].name + ". This attribute is part of the key");
    }
  }
  // SET values come from the old item.
  std::vector<AttributeValue> set_values;
  for (const UpdateAction& a : update.actions) {
    if (a.kind != UpdateAction::Kind::kSet) continue;
    BASALT_ASSIGN_OR_RETURN(AttributeValue v, Compute(a.value, item));
    set_values.push_back(std::move(v));
  }
  Item out = item;
  size_t next = 0;
  for (const UpdateAction& a : update.actions) {
    if (a.kind == UpdateAction::Kind::kSet) BASALT_RETURN_IF_ERROR(Set(&out, a.path, std::move(set_values[next++])));
  }
  std::vector<const Path*> removes;
  for (const UpdateAction& a : update.actions) {
    if (a.kind == UpdateAction::Kind::kRemove) removes.push_back(&a.path);
  }
  std::stable_sort(removes.begin(), removes.end(), [](const Path* a, const Path* b) { return RemoveBefore(*a, *b); });
  for (const Path* p : removes) BASALT_RETURN_IF_ERROR(Remove(&out, *p));
  for (UpdateAction::Kind kind : {UpdateAction::Kind::kAdd, UpdateAction::Kind::kDelete}) {
    for (const UpdateAction& a : update.actions) {
      if (a.kind != kind) continue;
      BASALT_ASSIGN_OR_RETURN(AttributeValue * cur, Existing(&out, a.path));
      if (kind == UpdateAction::Kind::kAdd) {
        if (!cur) {
          BASALT_RETURN_IF_ERROR(Set(&out, a.path, a.value.value));
        } else {
          BASALT_ASSIGN_OR_RETURN(AttributeValue sum, AddTo(*cur, a.value.value));
          *cur = std::move(sum);
        }
      } else if (cur) {
        BASALT_ASSIGN_OR_RETURN(std::optional<AttributeValue> rest, DeleteFrom(*cur, a.value.value));
        if (rest) {
          *cur = std::move(*rest);
        } else {
          BASALT_RETURN_IF_ERROR(Remove(&out, a.path));
        }
      }
    }
  }
  return out;
}

}  // namespace

std::vector<Path> UpdatedPaths(const Update& update) {
  std::vector<Path> paths;
  for (const UpdateAction& a : update.actions) paths.push_back(a.path);
  return paths;
}

Result<Item> ApplyUpdate(const Update& update, const Item& item, const std::vector<std::string>& key_names) {
  Result<Item> out = ApplyActions(update, item, key_names);
  // Legacy AttributeUpdates word an operand of the wrong type as the service
  // did before expressions.
  if (!out.ok() && update.attribute_updates && out.status().message() == kWrongType) {
    return Status::Validation("Type mismatch for attribute to update");
  }
  return out;
}

}  // namespace basalt::expr
