// DynamoDB's capacity arithmetic: reads per 4 KB, writes per 1 KB, rounded
// up, at least one unit; an eventually consistent read costs half.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace basalt::db {

inline double ReadUnits(size_t size, bool consistent) {
  double units = std::max<double>(1, std::ceil(static_cast<double>(size) / 4096));
  return consistent ? units : units / 2;
}

inline double WriteUnits(size_t size) { return std::max<double>(1, std::ceil(static_cast<double>(size) / 1024)); }

}  // namespace basalt::db
