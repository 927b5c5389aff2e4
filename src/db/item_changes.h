// The changes single-item operations and transactions make, as ItemChanges
// for the write path, with the checks they share.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "db/requests.h"
#include "db/write_path.h"

namespace basalt::db {

Status CheckItemSize(const model::Item& item);

// Evaluates a write's condition against the old item (absent = empty). On
// failure the error carries the old item if the request asked for it.
Status CheckCondition(const WriteCondition& wc, const std::optional<model::Item>& old);

// The keys of one request, each once: a key seen before in the same
// request is DynamoDB's error (`message`). Seen keys are found by their hash:
// a scan of the keys before each was 4,950 comparisons for a BatchGetItem of
// 100 keys (~200,000 of its ~1,080,000 instructions, callgrind).
class UniqueKeys {
 public:
  Status Add(storage::Key key, const char* message = "Provided list of item keys contains duplicates");
  const std::vector<storage::Key>& keys() const { return keys_; }
  void reserve(size_t n) {
    keys_.reserve(n);
    hashes_.reserve(n);
  }

 private:
  std::vector<storage::Key> keys_;
  std::unordered_set<size_t> hashes_;
};

// PutItem: the item, if the condition holds. `item` must outlive the write.
ItemChange PutChange(const model::Item& item, const WriteCondition& condition);
// A PartiQL INSERT: the item, which must not exist yet (DuplicateItemException).
// `item` must outlive the write.
ItemChange InsertChange(const model::Item& item);
// DeleteItem: nothing, if the condition holds.
ItemChange DeleteChange(const WriteCondition& condition);
// UpdateItem: the old item (or the key, when absent) updated, if the
// condition holds. The arguments must outlive the write.
ItemChange UpdateChange(const TableMeta& table, const model::PrimaryKey& key, const std::optional<expr::Update>& update,
                        const WriteCondition& condition);
// A transaction's ConditionCheck: the old item as it is, if the condition holds.
ItemChange CheckChange(const WriteCondition& condition);

}  // namespace basalt::db
