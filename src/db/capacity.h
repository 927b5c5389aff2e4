// DynamoDB's capacity arithmetic: reads per 4 KB, writes per 1 KB, rounded
// up, at least one unit; an eventually consistent read costs half. And what
// an operation reports of it (ConsumedCapacity).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace basalt::db {

inline double ReadUnits(size_t size, bool consistent) {
  double units = std::max<double>(1, std::ceil(static_cast<double>(size) / 4096));
  return consistent ? units : units / 2;
}

inline double WriteUnits(size_t size) { return std::max<double>(1, std::ceil(static_cast<double>(size) / 1024)); }

// Write capacity one item write consumed on one secondary index.
struct IndexUnits {
  std::string index;
  bool global = false;
  double units = 0;
  // A GSI's: the partitions of the entries the write removed or wrote (the
  // entry's encoded partition key) with each one's share of `units`, which
  // --capacity=enforce charges to the GSI's partitions (db/throttle.h).
  std::vector<std::pair<std::string, double>> partitions = {};
  // Which entries those are: the removed one (under the old item's index
  // key) first when `removed`, the written one (the new item's) last when
  // `written`.
  bool removed = false;
  bool written = false;
};

enum class ReturnCapacity { kNone, kTotal, kIndexes };

// Capacity consumed on one table and its indexes by one operation.
struct ConsumedCapacity {
  std::string table;
  double read_units = 0;   // on the table itself
  double write_units = 0;
  std::map<std::string, double> global_indexes = {};  // units by index name
  std::map<std::string, double> local_indexes = {};

  double Total() const {
    double units = read_units + write_units;
    for (const auto& [name, u] : global_indexes) units += u;
    for (const auto& [name, u] : local_indexes) units += u;
    return units;
  }
  // Adds what one item write consumed on the indexes, `factor` times (2 in a transaction).
  void AddIndexUnits(const std::vector<IndexUnits>& units, double factor = 1) {
    for (const IndexUnits& u : units) (u.global ? global_indexes : local_indexes)[u.index] += factor * u.units;
  }
};

}  // namespace basalt::db
