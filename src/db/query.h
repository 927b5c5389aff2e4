// Query and Scan, on a table or one of its secondary indexes: the checks of
// what is asked (the index and what it projects, the key condition against
// the key schema, the filter, ExclusiveStartKey), then a page of the read
// path (read_path.h).
#pragma once

#include "common/status.h"
#include "db/catalog.h"
#include "db/contributor_insights.h"
#include "db/read_path.h"
#include "db/requests.h"
#include "db/throttle.h"

namespace basalt::db {

class IndexPropagation;

class Queries {
 public:
  Queries(Catalog* catalog, ReadPath* read_path) : catalog_(catalog), read_path_(read_path) {}

  Result<ReadPageOutput> Query(const Scope& scope, const QueryInput& in);
  Result<ReadPageOutput> Scan(const Scope& scope, const ScanInput& in);

  // --capacity=enforce (null: report mode): a page is admitted by the
  // table's or GSI's capacity before it is read, and charged after.
  void set_throttle(Throttle* throttle) { throttle_ = throttle; }
  // Contributor Insights: the partition keys queried (null: none).
  void set_insights(ContributorInsights* insights) { insights_ = insights; }
  // Engines that keep GSIs asynchronously: a read of a GSI first applies
  // the index changes waiting for its table (db/index_propagation.h).
  void set_index_propagation(IndexPropagation* propagation) { propagation_ = propagation; }

 private:
  Catalog* catalog_;
  ReadPath* read_path_;
  Throttle* throttle_ = nullptr;
  ContributorInsights* insights_ = nullptr;
  IndexPropagation* propagation_ = nullptr;

  // Applies what waits for the table's GSIs before `index` (a GSI) is read.
  void CatchUp(const TableMeta& table, const IndexMeta* index);
};

}  // namespace basalt::db
