// The one write path. Every change to an item (PutItem, DeleteItem, batch
// writes, and later UpdateItem, transactions, TTL expiry, restore, PartiQL)
// goes through here:
//
//   read the old item with its version
//   -> compute the new item as a pure function of the old one (ItemChange)
//   -> write one atomic batch with a compare-and-set on the old version
//   -> on a lost race, read again and recompute.
//
// Because an ItemChange may run more than once, it must not change any state
// outside its result.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <unordered_set>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/table_meta.h"
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
  // The write is DynamoDB's own (a Time to Live deletion), as its stream record says.
  bool by_service = false;
};

// Write capacity one item write consumed on one secondary index.
struct IndexUnits {
  std::string index;
  bool global = false;
  double units = 0;
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
  Status error;  // ApplyTransaction: why this write failed, if it did
};

// Items that transactions are writing, from their first read to their
// commit. As in DynamoDB, another transaction that touches one is cancelled
// (TransactionConflict) and a single-item write to one fails with
// TransactionConflictException, instead of waiting.
class InFlightItems {
 public:
  // Claims every key, or none: false if any is held, with `held[i]` telling which.
  bool Claim(const std::vector<std::string>& keys, std::vector<bool>* held);
  void Release(const std::vector<std::string>& keys);
  // Whether any of the keys is held (cheap while no transaction runs).
  bool AnyHeld(const std::vector<std::string>& keys) const;
  // Whether no key is held: no transaction is running. Lock-free, so callers
  // can skip building identities.
  bool Empty() const { return count_.load(std::memory_order_acquire) == 0; }

  // The identity of an item's storage key.
  static std::string Identity(const storage::Key& key);

 private:
  mutable std::mutex mu_;
  std::unordered_set<std::string> held_;  // guarded by mu_
  std::atomic<size_t> count_{0};          // held_.size(), read without mu_
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

  // Applies a transaction: like Apply, but the items are first claimed
  // against other transactions, and every change is evaluated even after one
  // fails. Returns kTransactionCanceled when any write failed, each failure
  // in its results[i].error (kTransactionConflict for a claimed item).
  // With `evaluate_only` nothing is committed: the result is always
  // kTransactionCanceled, with the failures the writes would have had.
  Status ApplyTransaction(std::vector<ItemWrite>& writes, std::vector<ItemWriteResult>* results,
                          bool evaluate_only = false);

  // Whether a transaction is writing any of these items.
  bool InTransaction(const std::vector<storage::Key>& keys) const;

  // Applies the writes in one atomic commit, with the changes they make to
  // the tables' secondary indexes. If any change fails, or a new item holds
  // an index key of the wrong type, nothing is written and that error is
  // returned. `results` receives one entry per write.
  Status Apply(std::vector<ItemWrite>& writes, std::vector<ItemWriteResult>* results);

  // Reads one item (nullopt when absent).
  Status Read(const TableMeta& table, const model::PrimaryKey& key, std::optional<model::Item>* item);
  // Reads several items from one point in time.
  Status ReadMany(std::span<const std::pair<const TableMeta*, const model::PrimaryKey*>> keys,
                  std::vector<std::optional<model::Item>>* items);

  static storage::Key StorageKey(const TableMeta& table, const model::PrimaryKey& key);

 private:
  Status Run(std::vector<ItemWrite>& writes, const std::vector<storage::Key>& keys,
             std::vector<ItemWriteResult>* results, bool all_errors, bool evaluate_only = false);

  storage::Engine* engine_;
  int64_t collection_limit_;
  const Clock* clock_;
  std::function<void()> on_stream_records_;
  InFlightItems in_flight_;
};

}  // namespace basalt::db
