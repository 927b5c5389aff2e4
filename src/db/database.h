// The DynamoDB operations on typed inputs (db/requests.h), as one object for
// api/ to call: a façade that builds the rooms of db/ and hands each
// operation to its room. Nothing in db/ includes this header.
//
//   catalog         table definitions, persisted and published to writers
//   write_path      the one way an item changes (write_path.h)
//   read_path       items and pages from one point in time (read_path.h)
//   tables          CreateTable ... ListTables (tables.h, table_validation.h)
//   items           PutItem ... BatchWriteItem (items.h)
//   queries         Query and Scan (query.h)
//   transactions    TransactWriteItems, TransactGetItems (transactions.h)
//   statements      PartiQL, run through the rooms above (statements.h)
//   ttl             Time to Live and its sweeper (ttl.h)
//   tags            tagging (tags.h)
//   streams         DynamoDB Streams (streams.h) and a table's stream
//                   lifecycle (table_streams.h)
//   backfill        online GSI backfill (backfill.h)
//   throttle        throughput limits, with --capacity=enforce (throttle.h)
//   backups         on-demand backups and restores (backups.h)
//   pitr            point-in-time recovery (pitr.h, change_log.h)
//   snapshots       named snapshots of a whole namespace, for tests (instance_snapshots.h)
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/backfill.h"
#include "db/backups.h"
#include "db/pitr.h"
#include "db/catalog.h"
#include "db/catalog_follower.h"
#include "db/contributor_insights.h"
#include "db/index_propagation.h"
#include "db/instance_snapshots.h"
#include "db/items.h"
#include "db/metrics.h"
#include "db/pattern_recording.h"
#include "db/query.h"
#include "db/read_path.h"
#include "db/requests.h"
#include "db/statements.h"
#include "db/streams.h"
#include "db/table_streams.h"
#include "db/tables.h"
#include "db/tags.h"
#include "db/throttle.h"
#include "db/transactions.h"
#include "db/transfers.h"
#include "db/ttl.h"
#include "db/write_path.h"
#include "storage/engine.h"

namespace basalt::db {

struct Options {
  // Makes CREATING, UPDATING and DELETING last this long (DynamoDB Local's
  // -delayTransientStatuses); 0 makes tables ACTIVE at once.
  double transient_status_seconds = 0;
  // Seconds between passes of the Time to Live sweeper; 0 runs none.
  double ttl_sweep_seconds = 0;
  // The largest item collection on a table with LSIs (DynamoDB: 10 GB).
  int64_t item_collection_limit = int64_t{10} << 30;
  StreamOptions streams = {};
  // --capacity=enforce: throughput limits throttle requests (db/throttle.h);
  // false reports capacity and never throttles.
  bool enforce_capacity = false;
  // Records the data-plane operations in metrics() (--no-metrics turns it off, to measure its cost).
  bool metrics = true;
  // Records access patterns (db/pattern_recording.h; --record-patterns=off turns it off).
  bool record_patterns = true;
  // Seconds between trims of the point-in-time recovery logs; 0 runs none.
  double pitr_trim_seconds = 0;
  // The directory that stands for S3 in exports and imports (--export-root).
  std::string export_root = {};
};

class Database {
 public:
  Database(storage::Engine* engine, const Clock* clock, Options options);
  ~Database();

  // Loads the catalog and the streams, resumes unfinished index backfills
  // and starts the Time to Live sweeper.
  Status Open();

  Result<TableDescription> CreateTable(const Scope& s, const CreateTableInput& in) { return tables_.CreateTable(s, in); }
  Result<TableDescription> DescribeTable(const Scope& s, const std::string& name) {
    auto d = tables_.DescribeTable(s, name);
    if (d.ok()) d->restore = backups_.RestoreSummaryOf(d->meta->id);
    return d;
  }
  Result<TableDescription> UpdateTable(const Scope& s, const UpdateTableInput& in) { return tables_.UpdateTable(s, in); }
  Result<TableDescription> DeleteTable(const Scope& s, const std::string& name) {
    auto d = tables_.DeleteTable(s, name);
    if (d.ok()) backups_.ForgetTable(d->meta->id);
    if (d.ok()) pitr_.ForgetTable(*d->meta);
    if (d.ok()) insights_.ForgetTable(*d->meta);
    return d;
  }
  Result<ListTablesOutput> ListTables(const Scope& s, const std::string& start_after, size_t limit) {
    return tables_.ListTables(s, start_after, limit);
  }

  // The data-plane operations are measured (metrics()): latency, outcome,
  // capacity consumed, items returned, by table and operation.
  Result<ItemOutput> PutItem(const Scope& s, const PutItemInput& in) {
    return Measure(Operation::kPutItem, in.table, s, in, [&] { return items_.PutItem(s, in); });
  }
  Result<ItemOutput> GetItem(const Scope& s, const KeyInput& in) {
    return Measure(Operation::kGetItem, in.table, s, in, [&] { return items_.GetItem(s, in); });
  }
  Result<ItemOutput> DeleteItem(const Scope& s, const KeyInput& in) {
    return Measure(Operation::kDeleteItem, in.table, s, in, [&] { return items_.DeleteItem(s, in); });
  }
  Result<ItemOutput> UpdateItem(const Scope& s, const UpdateItemInput& in) {
    return Measure(Operation::kUpdateItem, in.table, s, in, [&] { return items_.UpdateItem(s, in); });
  }
  Result<BatchGetOutput> BatchGetItem(const Scope& s, const std::vector<BatchGetTableInput>& in) {
    return Measure(Operation::kBatchGetItem, in.empty() ? "" : in[0].table, s, in, [&] { return items_.BatchGetItem(s, in); });
  }
  Result<BatchWriteOutput> BatchWriteItem(const Scope& s, const std::vector<BatchWriteTableInput>& in) {
    return Measure(Operation::kBatchWriteItem, in.empty() ? "" : in[0].table, s, in,
                   [&] { return items_.BatchWriteItem(s, in); });
  }
  Result<ReadPageOutput> Query(const Scope& s, const QueryInput& in) {
    return Measure(Operation::kQuery, in.table, s, in, [&] { return queries_.Query(s, in); });
  }
  Result<ReadPageOutput> Scan(const Scope& s, const ScanInput& in) {
    return Measure(Operation::kScan, in.table, s, in, [&] { return queries_.Scan(s, in); });
  }

  Result<TransactWriteOutput> TransactWriteItems(const Scope& s, const TransactWriteInput& in) {
    return Measure(Operation::kTransactWriteItems, in.actions.empty() ? "" : in.actions[0].table, s, in,
                   [&] { return transactions_.TransactWriteItems(s, in); });
  }
  Result<TransactGetOutput> TransactGetItems(const Scope& s, const std::vector<TransactGet>& in) {
    return Measure(Operation::kTransactGetItems, in.empty() ? "" : in[0].table, s, in,
                   [&] { return transactions_.TransactGetItems(s, in); });
  }

  // PartiQL (measured without a table: the statement names it).
  Result<StatementOutput> ExecuteStatement(const Scope& s, const StatementInput& in) {
    return Measure(Operation::kExecuteStatement, "", s, in, [&] { return statements_.ExecuteStatement(s, in); });
  }
  Result<BatchStatementOutput> BatchExecuteStatement(const Scope& s, const std::vector<StatementInput>& in) {
    return Measure(Operation::kBatchExecuteStatement, "", s, in, [&] { return statements_.BatchExecuteStatement(s, in); });
  }
  Result<TransactionStatementsOutput> ExecuteTransaction(const Scope& s, const TransactionStatementsInput& in) {
    return Measure(Operation::kExecuteTransaction, "", s, in, [&] { return statements_.ExecuteTransaction(s, in); });
  }

  // Tags of the table named by a table ARN.
  Status TagResource(const Scope& s, const std::string& arn, const std::vector<Tag>& tags) {
    return tags_.TagResource(s, arn, tags);
  }
  Status UntagResource(const Scope& s, const std::string& arn, const std::vector<std::string>& keys) {
    return tags_.UntagResource(s, arn, keys);
  }
  Result<std::vector<Tag>> ListTagsOfResource(const Scope& s, const std::string& arn) {
    return tags_.ListTagsOfResource(s, arn);
  }

  Status UpdateTimeToLive(const Scope& s, const std::string& table, const std::string& attribute, bool enabled) {
    return ttl_.Update(s, table, attribute, enabled);
  }
  Result<TimeToLiveDescription> DescribeTimeToLive(const Scope& s, const std::string& table) {
    return ttl_.Describe(s, table);
  }
  // One pass of the Time to Live sweeper (also run by its thread): deletes
  // expired items, reading at most `max_records` records. Returns how many it deleted.
  Result<size_t> SweepExpired(size_t max_records) { return ttl_.SweepExpired(max_records); }

  // DynamoDB Streams (the DynamoDBStreams_20120810 operations).
  Streams& streams() { return streams_; }
  const IndexPropagation& index_propagation() const { return propagation_; }

  // The throughput limits with --capacity=enforce; null in report mode.
  const Throttle* throttle() const { return throttle_.get(); }
  // What CloudWatch would show (db/metrics.h), and what it is about.
  Metrics& metrics() { return metrics_; }
  // Contributor Insights' settings and rankings (db/contributor_insights.h).
  ContributorInsights& insights() { return insights_; }
  // The recorded access patterns (db/pattern_recording.h) and the report's view of a namespace's tables.
  PatternRecording& patterns() { return patterns_; }
  bool recording_patterns() const { return options_.record_patterns; }
  std::vector<patterns::TableInfo> PatternTables(const Scope& s);
  int64_t item_collection_limit() const { return options_.item_collection_limit; }
  const Catalog& catalog() const { return catalog_; }
  storage::Engine* engine() { return engine_; }
  // On-demand backups and restores.
  Backups& backups() { return backups_; }
  // Point-in-time recovery.
  PointInTimeRecovery& pitr() { return pitr_; }
  // Named snapshots of a namespace's tables (Basalt's own, for test suites).
  InstanceSnapshots& snapshots() { return snapshots_; }
  // A consistent copy of the whole instance into `dir` (storage's checkpoint).
  Status Checkpoint(const std::string& dir) { return engine_->Checkpoint(dir); }
  // Export and import records (the jobs are api/'s).
  Transfers& transfers() { return transfers_; }

 private:
  // Runs one data-plane operation and records it in metrics_ and the access patterns.
  template <typename In, typename Fn>
  auto Measure(Operation op, std::string_view table, const Scope& s, const In& in, Fn&& run) -> decltype(run()) {
    if (!options_.metrics && !options_.record_patterns) return run();
    auto start = std::chrono::steady_clock::now();
    auto result = run();
    auto took = std::chrono::steady_clock::now() - start;
    if (options_.metrics) {
      std::vector<const ConsumedCapacity*> capacity;
      uint64_t items = 0;
      if (result.ok()) Measured(*result, &capacity, &items);
      // A write whose condition failed consumed write units all the same.
      if (const auto* f = result.status().template detail<ConditionFailure>(); f && f->capacity) {
        capacity.push_back(&*f->capacity);
      }
      metrics_.Record(op, table, result.status(), took, capacity, items);
    }
    if (options_.record_patterns) Observe(s, in, result, took, op);
    return result;
  }
  template <typename In, typename Out>
  void Observe(const Scope& s, const In& in, const Out& result, PatternRecording::Duration took, Operation) {
    patterns_.Observe(s, in, result, took);
  }
  void Observe(const Scope& s, const KeyInput& in, const Result<ItemOutput>& result, PatternRecording::Duration took,
               Operation op) {
    patterns_.Observe(s, in, result, took, op == Operation::kGetItem);
  }
  static void Measured(const ItemOutput& o, std::vector<const ConsumedCapacity*>* c, uint64_t*) {
    c->push_back(&o.capacity);
  }
  static void Measured(const ReadPageOutput& o, std::vector<const ConsumedCapacity*>* c, uint64_t* items) {
    c->push_back(&o.capacity);
    *items = static_cast<uint64_t>(o.count);
  }
  static void Measured(const StatementOutput& o, std::vector<const ConsumedCapacity*>* c, uint64_t* items) {
    if (o.capacity) c->push_back(&*o.capacity);
    *items = o.items.size();
  }
  template <typename Out>
  static void Measured(const Out& o, std::vector<const ConsumedCapacity*>* c, uint64_t*) {
    for (const ConsumedCapacity& cc : o.capacity) c->push_back(&cc);
  }

  // Declared in the order they are built; background threads (streams'
  // shipper, backfill, the sweeper) stop before what they use goes away.
  storage::Engine* engine_;
  const Clock* clock_;
  Options options_;
  Metrics metrics_;
  ContributorInsights insights_;
  std::unique_ptr<Throttle> throttle_;  // with enforce_capacity
  Catalog catalog_;
  // Other front-ends' table changes (several Basalts on one RADOS pool).
  CatalogFollower follower_;
  IndexPropagation propagation_;  // asynchronous GSIs (engines that keep them so)
  Streams streams_;
  WritePath write_path_;  // notifies streams_ of new records
  ReadPath read_path_;
  TableStreams table_streams_;
  IndexBackfill backfill_;
  Tables tables_;
  Items items_;
  Queries queries_;
  Transactions transactions_;
  Statements statements_;
  TimeToLive ttl_;
  Tags tags_;
  PatternRecording patterns_;
  Backups backups_;
  PointInTimeRecovery pitr_;
  InstanceSnapshots snapshots_;
  Transfers transfers_;
};

}  // namespace basalt::db
