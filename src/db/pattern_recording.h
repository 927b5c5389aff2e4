// Access-pattern recording (patterns/recorder.h) fed by the façade: each
// data-plane request's typed input (its parsed expressions, so nothing is
// parsed again) and outcome become an Observation. Also the report's view
// of the tables (patterns::TableInfo) and the recorder's persistence in the
// MetaStore under "access_patterns".
#pragma once

#include <chrono>

#include "common/clock.h"
#include "common/status.h"
#include "db/catalog.h"
#include "db/requests.h"
#include "patterns/recorder.h"
#include "patterns/report.h"
#include "storage/engine.h"

namespace basalt::db {

class Queries;
class Tables;

class PatternRecording {
 public:
  using Duration = std::chrono::steady_clock::duration;

  PatternRecording(const Catalog* catalog, const Clock* clock, storage::MetaStore* meta)
      : catalog_(catalog), clock_(clock), meta_(meta) {}

  patterns::Recorder& recorder() { return recorder_; }

  void Observe(const Scope& s, const PutItemInput& in, const Result<ItemOutput>& out, Duration took);
  void Observe(const Scope& s, const KeyInput& in, const Result<ItemOutput>& out, Duration took,
               bool get);  // GetItem, else DeleteItem
  void Observe(const Scope& s, const UpdateItemInput& in, const Result<ItemOutput>& out, Duration took);
  void Observe(const Scope& s, const QueryInput& in, const Result<ReadPageOutput>& out, Duration took);
  void Observe(const Scope& s, const ScanInput& in, const Result<ReadPageOutput>& out, Duration took);
  void Observe(const Scope& s, const std::vector<BatchGetTableInput>& in, const Result<BatchGetOutput>& out,
               Duration took);
  void Observe(const Scope& s, const std::vector<BatchWriteTableInput>& in, const Result<BatchWriteOutput>& out,
               Duration took);
  void Observe(const Scope& s, const TransactWriteInput& in, const Result<TransactWriteOutput>& out, Duration took);
  void Observe(const Scope& s, const std::vector<TransactGet>& in, const Result<TransactGetOutput>& out,
               Duration took);
  void Observe(const Scope& s, const StatementInput& in, const Result<StatementOutput>& out, Duration took);
  void Observe(const Scope& s, const std::vector<StatementInput>& in, const Result<BatchStatementOutput>& out,
               Duration took);
  void Observe(const Scope& s, const TransactionStatementsInput& in, const Result<TransactionStatementsOutput>& out,
               Duration took);

  // The recorded state, stored whole (at most a few MB, patterns/recorder.h).
  Status Save();
  Status Load();
  // Forgets what was recorded, here and in the MetaStore.
  Status Reset();

  // The report's view of a namespace's tables: key schemas, indexes, sizes,
  // and (with measure_collections) the item-collection size of each table's
  // three busiest partition keys, from a consistent COUNT query of each.
  std::vector<patterns::TableInfo> TableInfos(const Scope& s, Tables* tables, Queries* queries,
                                              bool measure_collections);

 private:
  const Catalog* catalog_;
  const Clock* clock_;
  storage::MetaStore* meta_;
  patterns::Recorder recorder_;
};

// The outcome a status is counted as.
patterns::Outcome OutcomeOf(const Status& st);

}  // namespace basalt::db
