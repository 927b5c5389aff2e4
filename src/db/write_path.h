// The one write path. Every change to an item goes through Write: PutItem,
// UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, Time to Live
// deletions and GSI backfill (and later restore and PartiQL). For a list of
// item writes it does, once:
//
//   prelude   hold the tables' runtimes (their index sets and streams stay
//             put), claim the items against transactions
//   per item  read the old item with its version
//             -> evaluate: compute the new item as a pure function of the
//                old one (ItemChange), or the write's error
//             -> index deltas -> item-collection limit -> stream record
//   commit    one atomic batch with a compare-and-set on every old version;
//             on a lost race, read again and recompute
//   admit     with --capacity=enforce, every write is admitted by the
//             table's (and its changed GSIs') capacity, or nothing commits
//   epilogue  capacity consumed (and charged), index units, item-collection metrics
//
// Because an ItemChange may run more than once, it must not change any state
// outside its result.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/capacity.h"
#include "db/contributor_insights.h"
#include "db/in_flight.h"
#include "db/requests.h"
#include "db/table_meta.h"
#include "db/throttle.h"
#include "model/attribute_value.h"
#include "model/schema.h"
#include "storage/engine.h"

namespace basalt::db {

// The new item given the old one (nullopt: absent). Returns the new item, or
// nullopt to delete it, or an error (a failed condition) to write nothing.
using ItemChange =
    std::function<Result<std::optional<model::Item>>(const std::optional<model::Item>& old_item)>;

struct ItemWrite {
  std::shared_ptr<const TableMeta> table;
  model::PrimaryKey key;
  ItemChange change;
  // The change only checks the item (a transaction's ConditionCheck): the
  // commit requires the item to be as read, and writes nothing to it.
  bool check_only = false;
  // The write is DynamoDB's own (a Time to Live deletion), as its stream
  // record says; it consumes no capacity.
  bool by_service = false;
  // A backfill's write (no change): puts the item as it is into the index
  // with this storage id, and writes nothing else.
  storage::TableId reindex = 0;
  // --capacity=enforce: write units already taken from the table when the
  // write was admitted (a BatchWriteItem request's estimate); the epilogue
  // charges the rest.
  double precharged_units = 0;
  // A PartiQL statement's write (Scope::partiql): Contributor Insights does
  // not record it, as the service.
  bool partiql = false;
};

struct ItemWriteResult {
  std::optional<model::Item> old_item;
  std::optional<model::Item> new_item;
  size_t old_size = 0;  // DynamoDB item sizes, for capacity
  size_t new_size = 0;
  std::vector<IndexUnits> index_units;  // the indexes the write changed
  // On tables with LSIs: the size of the item's collection (the items of its
  // partition key and their LSI entries) after the write.
  std::optional<int64_t> collection_bytes;
  Status error;  // in a transaction: why this write failed, if it did
};

// How Write applies a list of item writes.
enum class WriteMode {
  // All or nothing; the first write that fails is the answer. A write to an
  // item a transaction holds fails with TransactionConflictException.
  kAtomic,
  // TransactWriteItems: the items are first claimed against other
  // transactions, every change is evaluated even after one fails, and any
  // failure cancels all (kTransactionCanceled, each write's own error in its
  // result). Units are doubled, as DynamoDB charges transactions.
  kTransaction,
  // As kTransaction, but nothing is committed: the answer is always
  // kTransactionCanceled, with the failures the writes would have had (a
  // transaction with an invalid key is still evaluated for its reasons).
  kTransactionDryRun,
  // Reindex writes of a GSI backfill, whose caller holds the table's runtime
  // exclusively (so no writer or transaction is in flight on it).
  kBackfill,
};

struct WriteOutcome {
  std::vector<ItemWriteResult> items;      // one per write, in order
  std::vector<ConsumedCapacity> capacity;  // by table, in name order
  std::map<std::string, std::vector<ItemCollectionMetrics>> collections;  // by table, tables with LSIs
};

class WritePath {
 public:
  // `collection_limit`: the largest item collection (bytes) a write may
  // grow on a table with LSIs (DynamoDB's 10 GB).
  // `on_stream_records` runs after each commit that wrote stream records.
  WritePath(storage::Engine* engine, int64_t collection_limit, const Clock* clock,
            std::function<void()> on_stream_records)
      : engine_(engine),
        collection_limit_(collection_limit),
        clock_(clock),
        on_stream_records_(std::move(on_stream_records)) {}

  // Applies the writes in one atomic commit, with what they do to the tables'
  // secondary indexes and streams (see WriteMode). `out` receives one result
  // per write (also when a transaction is cancelled) and, on success, the
  // capacity consumed and the item-collection metrics.
  Status Write(std::vector<ItemWrite>& writes, WriteMode mode, WriteOutcome* out);

  // --capacity=enforce: writes are admitted by `throttle` before they
  // commit and charged after (null: report mode). Set before any write.
  void set_throttle(Throttle* throttle) { throttle_ = throttle; }
  // Contributor Insights: the keys written and throttled (null: none).
  void set_insights(ContributorInsights* insights) { insights_ = insights; }

  // Engines that keep GSIs asynchronously: runs after each commit, for
  // each partition the commit kept index changes in (IndexPropagation::Kept).
  void set_index_changes_hook(std::function<void(storage::TableId, const std::string&)> hook) {
    on_index_changes_ = std::move(hook);
  }

  // Whether a transaction is writing any of these items.
  bool InTransaction(const std::vector<storage::Key>& keys) const;

 private:
  // Reads, evaluates and commits, again while the commit loses races.
  Status Run(std::vector<ItemWrite>& writes, const std::vector<storage::Key>& keys, WriteMode mode,
             std::vector<ItemWriteResult>* results);
  // A single write's failed condition with the write units it consumed all
  // the same (ConditionFailure::capacity).
  static Status ConflictReasons(const Status& conflict, const std::vector<storage::Key>& keys,
                                std::vector<ItemWriteResult>* results);
  static Status WithConsumedCapacity(Status failed, const ItemWrite& write, const ItemWriteResult& result);
  // Takes from the buckets what the writes whose condition failed consume.
  void ChargeFailedConditions(const std::vector<ItemWrite>& writes, const std::vector<storage::Key>& keys,
                              const std::vector<ItemWriteResult>& results);
  // Records a committed write's GSI entries in Contributor Insights.
  void RecordIndexWrites(const TableMeta& table, const ItemWriteResult& r, double factor);

  storage::Engine* engine_;
  int64_t collection_limit_;
  const Clock* clock_;
  std::function<void()> on_stream_records_;
  std::function<void(storage::TableId, const std::string&)> on_index_changes_;
  InFlightItems in_flight_;
  Throttle* throttle_ = nullptr;
  ContributorInsights* insights_ = nullptr;
};

}  // namespace basalt::db
