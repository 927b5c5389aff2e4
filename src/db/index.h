// Secondary index entries: their layout, and the changes an item write makes
// to them.
//
// An index's entries live in a key space of its own (IndexMeta::id):
//   partition key  the index partition key value (for an LSI, the table's);
//                  with several partition attributes, esc() of each in order
//   sort key       esc(index sort key value)    for each sort attribute, in order
//                  esc(table partition key)     GSIs only
//                  table sort key               when the table has one
//   value          the item projected to the index (model/item_codec)
// esc() (model::AppendEscapedKeyEncoding) keeps order and is prefix-free, so
// entries sort by the index sort key first and items with equal index keys
// still get entries of their own, ordered by table key.
//
// What a write changes (IndexDelta) is computed here, apart from how it is
// delivered (STORAGE.md rule 6): the embedded engine puts the deltas in the
// item's own atomic commit (AppendIndexWrites); an engine without
// multi-partition batches (rados) gets the entry keys of its GSI deltas as
// an index change in the item's partition, applied after the commit
// (db/index_propagation.h).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "db/table_meta.h"
#include "expr/expression.h"
#include "expr/key_condition.h"
#include "model/attribute_value.h"
#include "storage/engine.h"

namespace basalt::db {

// DynamoDB counts this much per index entry on top of the projected item
// when it reports IndexSizeBytes.
inline constexpr int64_t kIndexEntryOverhead = 0;

struct IndexEntry {
  std::string pk;
  std::string sk;
  std::string value;  // the encoded projected item
  size_t size = 0;    // the projected item's DynamoDB size
};

// The attributes an index holds of an item: the table and index keys, plus
// the projected attributes.
model::Item ProjectToIndex(const TableMeta& table, const IndexMeta& index, const model::Item& item);
// Whether the index holds attribute `name` of its items.
bool IndexProjects(const TableMeta& table, const IndexMeta& index, std::string_view name);

// The index key attributes of an item about to be written, checked against
// their declared types (DynamoDB rejects the write, naming the index). An
// absent index key attribute is fine: the item is not in that index.
Status CheckIndexKeys(const std::vector<IndexMeta>& indexes, const model::Item& item);

// Where `item` (a whole item, or just the table and index key attributes)
// sits in the index: nullopt when it lacks an index key attribute or holds
// one of the wrong type.
std::optional<std::pair<std::string, std::string>> EntryKey(const TableMeta& table, const IndexMeta& index,
                                                            const model::Item& item);
std::optional<IndexEntry> EntryFor(const TableMeta& table, const IndexMeta& index, const model::Item& item);

// What one item write does to one index.
struct IndexDelta {
  const IndexMeta* index = nullptr;
  std::optional<std::pair<std::string, std::string>> remove;  // the old entry's key, when it goes
  std::optional<IndexEntry> put;                               // the new entry, when it changes
  int64_t count_delta = 0;
  int64_t size_delta = 0;
  double write_units = 0;  // DynamoDB's charge: each entry removed or written, per KB
  double remove_units = 0;  // the part of write_units for removing the old entry
};

// The change from old_item to new_item (either absent) in `index`; nothing
// when the index entry stays as it was.
std::optional<IndexDelta> ComputeIndexDelta(const TableMeta& table, const IndexMeta& index,
                                            const std::optional<model::Item>& old_item,
                                            const std::optional<model::Item>& new_item);

// The partition key of an index entry (or of what a Query of the index
// reads) from the values of the index's partition attributes, in order.
void AppendPartitionEncoding(const model::KeySchema& ks, std::span<const model::AttributeValue* const> values,
                             std::string* out);

// The sort-key range of a Query's sort key condition: on a table
// (`composite` false) over the value's own encoding; on an index with a sort
// key over entry sort keys that begin with the value's escaped encoding, with
// bounds set so that all entries of a value in range are in range. On an
// index with several sort attributes, `prefix` holds the escaped encodings
// of the leading ones the condition fixes (equalities), and the comparison
// is on the next one.
storage::SortKeyRange SortKeyRangeFor(const expr::KeyComparison& c, bool composite, const std::string& prefix = "");

// Delivery in the item's own commit, for engines that write several
// partitions atomically.
void AppendIndexWrites(const std::vector<IndexDelta>& deltas, std::vector<storage::PartitionWrite>* batch);

}  // namespace basalt::db
