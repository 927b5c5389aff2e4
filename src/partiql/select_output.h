// The items a SELECT returns. PartiQL names a projected path by its last
// step, so DynamoDB does not return the nested structure a
// ProjectionExpression would: `SELECT a.f.g FROM t` gives {"g": ...}, not
// {"a": {"f": {"g": ...}}}. DynamoDB Local's rule, observed:
//   - a path is split into segments, each a name with the list indexes that
//     follow it (`a`, `b[1]`, `c`);
//   - the output attribute is the first segment that has indexes, written as
//     in the statement (`b[1]`, `l[0][1]`), or else the last segment;
//   - its value is what the path selects below that point (`a.b[1].c` gives
//     {"b[1]": {"c": ...}}), and paths that share an output attribute merge
//     (`a.b[1].c, a.b[1].e` give one "b[1]" holding c and e);
//   - paths that select nothing are left out.
#pragma once

#include <string>

#include "expr/projection.h"
#include "model/attribute_value.h"

namespace basalt::partiql {

// The name PartiQL gives a selected path: its last name with the indexes
// after it ("c" for a.b[1].c, "b[1]" for a.b[1]). Two paths with the same
// name are "Duplicate identifiers in select clause".
std::string SelectedName(const expr::Path& path);

// One result item: `item` as a SELECT with `projection` returns it (an empty
// projection is SELECT *, the whole item).
model::Item SelectRow(const expr::Projection& projection, const model::Item& item);

}  // namespace basalt::partiql
