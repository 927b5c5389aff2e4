// PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
//
// A statement is parsed, bound and planned by partiql/ (which knows nothing
// of storage); the plan is made of the expression types every other
// operation uses, and runs through the rooms that already exist: a SELECT is
// a read of one item (ReadPath), one Query per partition value, or a Scan
// (Queries); INSERT, UPDATE and DELETE are Items' writes, with the conditions
// the planner adds; a transaction is Transactions' TransactWriteItems or
// TransactGetItems. So PartiQL shares the one write path, the evaluator,
// capacity accounting, streams and indexes.
//
// A SELECT's WHERE beyond the key is applied here, after the read, so Limit
// counts the items read before the filter, as the reference says; rows are
// shaped as PartiQL names selected paths (partiql::SelectRow).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "db/catalog.h"
#include "db/items.h"
#include "db/query.h"
#include "db/read_path.h"
#include "db/requests.h"
#include "db/transactions.h"
#include "partiql/binder.h"

namespace basalt::db {

class Statements {
 public:
  Statements(Catalog* catalog, ReadPath* read_path, Items* items, Queries* queries, Transactions* transactions)
      : catalog_(catalog), read_path_(read_path), items_(items), queries_(queries), transactions_(transactions) {}

  Result<StatementOutput> ExecuteStatement(const Scope& scope, const StatementInput& in);
  // Each statement succeeds or fails on its own; the request fails as a whole
  // only when it mixes reads and writes or names one item twice.
  Result<BatchStatementOutput> BatchExecuteStatement(const Scope& scope, const std::vector<StatementInput>& in);
  Result<TransactionStatementsOutput> ExecuteTransaction(const Scope& scope, const TransactionStatementsInput& in);
  // --capacity=enforce: a SELECT of one full key is admitted and charged
  // like GetItem (its Query and Scan plans and its writes go through Queries
  // and Items, which have their own).
  void set_throttle(Throttle* throttle) { throttle_ = throttle; }

 private:
  struct Prepared;
  // Parses, binds and plans a statement against its table's key schema.
  Result<Prepared> Prepare(const Scope& scope, const StatementInput& in, partiql::Context context);
  Result<StatementOutput> Select(const Scope& scope, const Prepared& p, const StatementInput& in);
  Result<StatementOutput> Write(const Scope& scope, const Prepared& p, const StatementInput& in);

  Catalog* catalog_;
  ReadPath* read_path_;
  Items* items_;
  Queries* queries_;
  Transactions* transactions_;
  Throttle* throttle_ = nullptr;
};

}  // namespace basalt::db
