// Asynchronous GSIs: engines whose multi-partition commits are distributed
// transactions (rados; storage::Engine::AsyncIndexes) do not write GSI
// entries in the item's commit. The write keeps an index change in the
// item's own partition instead (one atomic object operation), and this
// room applies it to the GSIs after the commit lands, as DynamoDB
// propagates to its GSIs: eventually consistent, usually within
// milliseconds. LSIs stay in the item's commit (they are read strongly).
//
// An index change names the item and, for each GSI, the entry keys the
// write removed or wrote:
//
//   change := table:u64be pk:str sk:str indexes:varint index*
//   index  := id:u64be keys:varint (pk:str sk:str)*
//   str    := length:varint bytes
//
// Applying is reconciling: the item is read as it is now, each named key
// and the key of the entry the item has now are made to hold exactly that
// entry (or nothing), each with a compare on the entry's version, and the
// item is read again: if it changed meanwhile, once more. So the outcome
// does not depend on the order of changes, nor on how many front-ends
// apply the same change at once (the last to finish read the latest
// item), and a change applied twice (a crash before its removal) changes
// nothing. The counters (IndexItemCount, IndexSizeBytes) follow each
// entry's write, so they stay exact too.
//
// Who applies: the front-end that wrote, on its propagation threads, right
// after the commit; a GSI read first applies what waits for its table, so
// a read through any front-end after a write is answered sees it (as
// clients of DynamoDB Local expect; the service may lag); and the holder
// of the `index-propagation` lease applies every table's leftovers each
// second (a front-end that died between its commit and the apply).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/engine.h"

namespace basalt::db {

class Catalog;
struct TableMeta;

using EntryKeyOf = std::pair<std::string, std::string>;  // an index entry's (pk, sk)

// What an item write did to the GSIs (the grammar above).
struct IndexChangeRecord {
  storage::Key item;
  std::vector<std::pair<storage::TableId, std::vector<EntryKeyOf>>> indexes;
};
std::string EncodeIndexChange(const IndexChangeRecord& change);
bool DecodeIndexChange(std::string_view in, IndexChangeRecord* change);

class IndexPropagation {
 public:
  IndexPropagation(storage::Engine* engine, Catalog* catalog) : engine_(engine), catalog_(catalog) {}
  ~IndexPropagation() { Stop(); }

  // Whether GSIs are kept asynchronously here (the engine's choice).
  bool active() const { return engine_->AsyncIndexes(); }

  // Starts the propagation threads (where active()).
  void Start();
  void Stop();

  // A commit kept index changes in the partition: they are applied soon.
  void Kept(storage::TableId table, const std::string& pk);
  // Applies every change waiting for the table's GSIs (before a GSI read).
  Status CatchUp(storage::TableId table);

  // Figures for /metrics. The lag of a change is the time from its commit
  // (its version's clock, the real time) to the end of its application.
  struct Figures {
    uint64_t applied = 0;  // changes applied by this front-end
    double lag_p50 = 0, lag_p99 = 0, lag_max = 0;  // seconds, over the last kLagSamples
  };
  Figures figures() const;

 private:
  static constexpr size_t kLagSamples = 4096;

  void Run(bool sweeper);
  // Applies the changes waiting in `table` (0: every table), or in its
  // partition `pk`; at most about `limit`. *more: the limit was reached.
  Status ApplyWaiting(storage::TableId table, const std::optional<std::string>& pk, size_t limit,
                      bool* more = nullptr);
  // The table definitions one application reads (the catalog's, re-read
  // once when a change names a table or GSI not known here).
  struct Definitions {
    std::map<storage::TableId, std::shared_ptr<const TableMeta>> by_id;
    bool refreshed = false;
    std::shared_ptr<const TableMeta> Find(const Catalog& catalog, storage::TableId id);
  };
  Status ApplyItem(const storage::Key& item, const std::map<storage::TableId, std::set<EntryKeyOf>>& named,
                   Definitions* definitions);
  void Record(const std::vector<storage::IndexChange>& applied);

  storage::Engine* engine_;
  Catalog* catalog_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::pair<storage::TableId, std::string>> queue_;  // partitions to apply, in order; guarded by mu_
  std::set<std::pair<storage::TableId, std::string>> kept_;     // what queue_ holds; guarded by mu_
  std::set<std::pair<storage::TableId, std::string>> busy_;  // being applied by a worker; guarded by mu_
  bool stop_ = false;                                         // guarded by mu_
  std::vector<std::thread> workers_;

  mutable std::mutex figures_mu_;
  uint64_t applied_ = 0;       // guarded by figures_mu_
  std::deque<double> lags_;    // guarded by figures_mu_
};

}  // namespace basalt::db
