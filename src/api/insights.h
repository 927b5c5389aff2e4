// GET /contributor-insights: the rankings behind Contributor Insights as a
// JSON document (api/insights_handlers.cc; documented in docs/compatibility.md).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "db/database.h"

namespace basalt::api {

// The top `top` keys of every rule of a table (or its index, `index` not
// empty) in `region`, while Contributor Insights is enabled on it; nullopt
// when it is not.
std::optional<std::string> InsightsJson(db::Database& database, const std::string& region, const std::string& table,
                                        const std::string& index, size_t top);

}  // namespace basalt::api
