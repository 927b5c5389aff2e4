// Query and Scan, on a table or one of its secondary indexes: the checks of
// what is asked (the index and what it projects, the key condition against
// the key schema, the filter, ExclusiveStartKey), then a page of the read
// path (read_path.h).
#pragma once

#include "common/status.h"
#include "db/catalog.h"
#include "db/read_path.h"
#include "db/requests.h"

namespace basalt::db {

class Queries {
 public:
  Queries(Catalog* catalog, ReadPath* read_path) : catalog_(catalog), read_path_(read_path) {}

  Result<ReadPageOutput> Query(const Scope& scope, const QueryInput& in);
  Result<ReadPageOutput> Scan(const Scope& scope, const ScanInput& in);

 private:
  Catalog* catalog_;
  ReadPath* read_path_;
};

}  // namespace basalt::db
