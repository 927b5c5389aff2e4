// TransactWriteItems and TransactGetItems.
//
// A transaction is one call of the write path in WriteMode::kTransaction:
// its items are claimed against other transactions (a conflict cancels, as
// in DynamoDB), every action's change is evaluated, and all of them commit
// in one atomic Commit with a compare-and-set per item, so a transaction is
// serializable with other transactions and with single-item writes.
// TransactGetItems reads every item from one point in time, so it never
// sees part of a transaction. ClientRequestTokens make TransactWriteItems
// idempotent for 10 minutes (db/transaction_tokens.h).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/catalog.h"
#include "db/contributor_insights.h"
#include "db/read_path.h"
#include "db/requests.h"
#include "db/throttle.h"
#include "db/transaction_tokens.h"
#include "db/write_path.h"

namespace basalt::db {

class Transactions {
 public:
  Transactions(Catalog* catalog, WritePath* write_path, ReadPath* read_path, storage::MetaStore* meta,
               const Clock* clock)
      : catalog_(catalog), write_path_(write_path), read_path_(read_path), clock_(clock), tokens_(&meta->Unsynced(), clock) {}

  Result<TransactWriteOutput> TransactWriteItems(const Scope& scope, const TransactWriteInput& in);
  Result<TransactGetOutput> TransactGetItems(const Scope& scope, const std::vector<TransactGet>& in);

  // --capacity=enforce (null: report mode); the writes' throttling is the
  // write path's.
  void set_throttle(Throttle* throttle) { throttle_ = throttle; }
  // Contributor Insights for TransactGetItems' reads (the writes' are the
  // write path's).
  void set_insights(ContributorInsights* insights) { insights_ = insights; }

 private:
  Catalog* catalog_;
  WritePath* write_path_;
  ReadPath* read_path_;
  const Clock* clock_;
  Throttle* throttle_ = nullptr;
  ContributorInsights* insights_ = nullptr;
  TransactionTokens tokens_;
};

}  // namespace basalt::db
