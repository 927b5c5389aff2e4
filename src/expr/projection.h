// Document paths and ProjectionExpression: which attributes (and nested
// parts of them) a read returns. The rest of the expression language
// (conditions, updates, filters) builds on the same Path type.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/attribute_value.h"

namespace basalt::expr {

// One step of a document path: a map key or a list index.
struct PathElement {
  std::string name;  // when !is_index
  size_t index = 0;  // when is_index
  bool is_index = false;
  bool operator==(const PathElement&) const = default;
};
using Path = std::vector<PathElement>;

using NameMap = std::map<std::string, std::string, std::less<>>;  // "#n" -> attribute name

struct Projection {
  std::vector<Path> paths;
};

// Parses a ProjectionExpression, resolving #name placeholders from `names`
// and recording each placeholder it uses in `used_names` (in parser.cc, with
// the other grammars).
Result<Projection> ParseProjection(std::string_view text, const NameMap& names,
                                   std::set<std::string>* used_names);

// A projection of plain top-level attribute names (AttributesToGet).
Projection ProjectionOfNames(const std::vector<std::string>& names);

// The parts of `item` the projection selects, shaped as DynamoDB returns them:
// nested maps keep their structure, selected list elements keep their order.
model::Item ApplyProjection(const Projection& projection, const model::Item& item);

std::string PathToString(const Path& path);

// The value at `path` in `item`, or null when the path leads nowhere (a
// missing name, an index past the end, or a step into the wrong type).
const model::AttributeValue* FindPath(const model::Item& item, const Path& path);

}  // namespace basalt::expr
