// The read path: where an item is stored, reading items, and reading the
// pages of Query and Scan.
//
// A page reads its key range in order from one snapshot, applies Limit
// before the filter (as DynamoDB does), stops at 1 MB of items read,
// filters, projects and sets LastEvaluatedKey. When a page of an LSI must be
// completed from the table (the request wants attributes the index does not
// project), the table items are read from the page's own snapshot, so an
// entry and its item are always of the same moment.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "db/requests.h"
#include "db/table_meta.h"
#include "model/attribute_value.h"
#include "model/schema.h"
#include "storage/engine.h"

namespace basalt::db {

// The storage key of a table's item.
storage::Key StorageKey(const TableMeta& table, const model::PrimaryKey& key);

// What a page reads: the table itself, or one of its indexes.
struct PageSource {
  const TableMeta& table;
  const IndexMeta* index = nullptr;

  storage::TableId id() const { return index ? index->id : table.id; }
  const model::KeySchema& key_schema() const { return index ? index->key_schema : table.key_schema; }
};

// An item a page read, for Contributor Insights (which keys a Scan by the
// items it reads): its key attributes (the table's, and on an index also
// the index's) and its DynamoDB size.
struct ReadKey {
  model::Item key;
  size_t size = 0;
};

class ReadPath {
 public:
  explicit ReadPath(storage::Engine* engine) : engine_(engine) {}

  // Reads one item (nullopt when absent), at `at` when set.
  Status Read(const TableMeta& table, const model::PrimaryKey& key, std::optional<model::Item>* item,
              const storage::Snapshot* at = nullptr);
  // Read's item in its stored encoding (model/item_codec.h), not decoded.
  Status ReadStored(const TableMeta& table, const model::PrimaryKey& key, std::optional<std::string>* stored,
                    const storage::Snapshot* at = nullptr);
  // Reads several items from one point in time; `transactional`
  // (TransactGetItems): Code::kTransactionConflict while a transaction of
  // another front-end holds one (storage::Engine::TransactGet).
  Status ReadMany(std::span<const std::pair<const TableMeta*, const model::PrimaryKey*>> keys,
                  std::vector<std::optional<model::Item>>* items, bool transactional = false);
  // ReadMany's items in their stored encoding, not decoded.
  Status ReadManyStored(std::span<const std::pair<const TableMeta*, const model::PrimaryKey*>> keys,
                        std::vector<std::optional<std::string>>* stored, bool transactional = false);

  // A page of one partition's records within `range` (Query), in sort-key
  // order or `reverse`, after `resume` (an encoded sort key) when set.
  Result<ReadPageOutput> QueryPage(const PageSource& src, const ReadPageInput& in, std::string_view pk,
                                   const storage::SortKeyRange& range, bool reverse,
                                   const std::optional<std::string>& resume);
  // A page of a Scan segment, after `resume` (partition key, sort key) when set.
  // With `read` set, the items read are listed there.
  Result<ReadPageOutput> ScanPage(const PageSource& src, const ReadPageInput& in, uint32_t segment,
                                  uint32_t total, const std::optional<std::pair<std::string, std::string>>& resume,
                                  std::vector<ReadKey>* read = nullptr);

 private:
  storage::Engine* engine_;
};

}  // namespace basalt::db
