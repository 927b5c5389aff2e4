// Query and Scan, on a table or one of its secondary indexes: build a key
// range, read a snapshot in key order, apply Limit before the filter (as
// DynamoDB does), stop at 1 MB of evaluated items, project, and return
// LastEvaluatedKey.
#include <algorithm>
#include <cmath>

#include "db/capacity.h"
#include "db/database.h"
#include "db/index.h"
#include "model/item.h"
#include "model/item_codec.h"
#include "model/key_encoding.h"

namespace basalt::db {
namespace {

// DynamoDB stops a page once the items it has read reach 1 MB.
constexpr size_t kMaxPageBytes = 1024 * 1024;

Status Invalid(const std::string& m) { return Status::Validation(m); }

// The top-level attribute names a condition reads, in order of appearance.
std::vector<std::string> TopLevelNames(const expr::Condition& c) {
  std::vector<std::string> out;
  for (const expr::Operand& o : c.args) {
    if (o.kind == expr::Operand::Kind::kPath && !o.path.empty()) out.push_back(o.path[0].name);
  }
  for (const expr::Condition& child : c.children) {
    for (auto& n : TopLevelNames(child)) out.push_back(std::move(n));
  }
  return out;
}

// What a page reads: the table itself, or one of its indexes.
struct Source {
  const TableMeta& table;
  const IndexMeta* index = nullptr;

  storage::TableId id() const { return index ? index->id : table.id; }
  const model::KeySchema& key_schema() const { return index ? index->key_schema : table.key_schema; }
};

// Whether an item read from an LSI must be completed from the table: when
// the request wants attributes the index does not hold (an LSI fetches them,
// at extra read cost; a GSI cannot and returns what it has).
bool NeedsFetch(const Source& src, const ReadPageInput& in) {
  if (!src.index || src.index->global || src.index->projection == ProjectionType::kAll) return false;
  if (in.select == Select::kAllAttributes) return true;
  auto outside = [&](const expr::Path& p) { return !p.empty() && !IndexProjects(src.table, *src.index, p[0].name); };
  if (in.projection && std::any_of(in.projection->paths.begin(), in.projection->paths.end(), outside)) return true;
  if (in.filter) {
    for (const auto& name : TopLevelNames(*in.filter)) {
      if (!IndexProjects(src.table, *src.index, name)) return true;
    }
  }
  return false;
}

// The page loop shared by Query and Scan: called with each stored row.
class PageBuilder {
 public:
  PageBuilder(const Source& src, const ReadPageInput& in, WritePath* fetch)
      : src_(src), in_(in), fetch_(fetch) {}

  // Returns false when the page is full or on error.
  bool Add(std::string_view value, Status* error) {
    model::Item item;
    if (Status st = model::DecodeItem(value, &item); !st.ok()) return Fail(st, error);
    size_t size = model::ItemSize(item);
    scanned_bytes_ += size;
    ++out_.scanned_count;
    last_key_ = KeyOf(item);
    if (fetch_) {
      // The LSI entry stands for a table item, read whole (and charged) here.
      auto key = model::KeyFromItem(src_.table.key_schema, item);
      if (!key.ok()) return Fail(key.status(), error);
      std::optional<model::Item> full;
      if (Status st = fetch_->Read(src_.table, *key, &full); !st.ok()) return Fail(st, error);
      if (full) {
        fetched_units_ += ReadUnits(model::ItemSize(*full), in_.consistent);
        item = std::move(*full);
      }
    }
    bool keep = true;
    if (in_.filter) {
      auto r = expr::Evaluate(*in_.filter, item);
      if (!r.ok()) return Fail(r.status(), error);
      keep = *r;
    }
    if (keep) {
      ++out_.count;
      if (in_.projection) {
        out_.items.push_back(expr::ApplyProjection(*in_.projection, item));
      } else if (fetch_ && in_.select == Select::kAllProjectedAttributes) {
        // Fetched for the filter only: the answer is still what the index projects.
        out_.items.push_back(ProjectToIndex(src_.table, *src_.index, item));
      } else if (in_.select != Select::kCount) {
        out_.items.push_back(std::move(item));
      }
    }
    if (in_.limit && out_.scanned_count >= *in_.limit) return Stop();
    if (scanned_bytes_ >= kMaxPageBytes) return Stop();
    return true;
  }

  ReadPageOutput Finish() {
    double units = std::max(1.0, std::ceil(static_cast<double>(scanned_bytes_) / 4096));
    if (!in_.consistent) units /= 2;
    out_.capacity.table = src_.table.name;
    if (!src_.index) {
      out_.capacity.read_units = units;
    } else {
      (src_.index->global ? out_.capacity.global_indexes : out_.capacity.local_indexes)[src_.index->name] = units;
      out_.capacity.read_units = fetched_units_;
    }
    if (stopped_) out_.last_evaluated_key = std::move(last_key_);
    return std::move(out_);
  }

 private:
  bool Stop() {
    stopped_ = true;
    return false;
  }
  static bool Fail(Status st, Status* error) {
    *error = std::move(st);
    return false;
  }

  // LastEvaluatedKey: the table's key, and on an index also the index's.
  model::Item KeyOf(const model::Item& item) const {
    model::Item key;
    auto add = [&](const model::KeySchema& ks) {
      for (const model::KeyAttribute* a : model::KeyAttributes(ks)) {
        auto it = item.find(a->name);
        if (it != item.end()) key.insert(*it);
      }
    };
    add(src_.table.key_schema);
    if (src_.index) add(src_.index->key_schema);
    return key;
  }

  const Source& src_;
  const ReadPageInput& in_;
  WritePath* fetch_;  // set when LSI entries are completed from the table
  ReadPageOutput out_;
  size_t scanned_bytes_ = 0;
  double fetched_units_ = 0;
  model::Item last_key_;
  bool stopped_ = false;
};

// The index named by the request, and what may be asked of it.
Result<const IndexMeta*> FindIndex(const TableMeta& table, const ReadPageInput& in, bool is_query) {
  if (in.index.empty()) {
    if (in.select == Select::kAllProjectedAttributes) {
      return Invalid(std::string("ALL_PROJECTED_ATTRIBUTES can be used only when ") +
                     (is_query ? "Querying" : "Scanning") + " using an IndexName");
    }
    return nullptr;
  }
  const IndexMeta* index = table.FindIndex(in.index);
  if (!index) return Invalid("The table does not have the specified index: " + in.index);
  if (index->global && in.consistent) {
    return Invalid("Consistent reads are not supported on global secondary indexes");
  }
  if (index->global && in.select == Select::kAllAttributes && index->projection != ProjectionType::kAll) {
    return Invalid("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
                   "global secondary index " + index->name + " because its projection type is not ALL");
  }
  if (index->backfilling) return Invalid("Cannot read from backfilling global secondary index: " + index->name);
  // What the index does not project: names of its attributes, in order of
  // appearance, once each.
  auto missing = [&](const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& n : names) {
      if (!IndexProjects(table, *index, n) && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
    std::string list;
    for (size_t i = 0; i < out.size(); ++i) list += (i ? ", " : "") + out[i];
    return list;
  };
  if (index->global && in.projection) {
    // A GSI cannot fetch what it does not hold (an LSI fetches it from the table).
    std::vector<std::string> names;
    for (const expr::Path& p : in.projection->paths) names.push_back(p[0].name);
    if (std::string m = missing(names); !m.empty()) {
      return Invalid("One or more parameter values were invalid: Global secondary index " + index->name +
                     " does not project [" + m + "]");
    }
  }
  // A Query filter may only read what the index projects, on LSIs too (as
  // DynamoDB Local answers; a Scan filter on an LSI reads the fetched item).
  if (is_query && in.filter) {
    if (std::string m = missing(TopLevelNames(*in.filter)); !m.empty()) {
      return Invalid("One or more parameter values were invalid: Secondary index " + index->name +
                     " does not project one or more filter attributes: [" + m + "]");
    }
  }
  return index;
}

// Checks ExclusiveStartKey: exactly the table's key attributes, and on an
// index also the index's. Returns where the start key sits in the key space
// read: (partition key, sort key), encoded.
Result<std::pair<std::string, std::string>> StartPosition(const Source& src, const model::Item& esk) {
  size_t expected = src.table.key_schema.range ? 2 : 1;
  if (src.index && src.index->global) {
    // DynamoDB answers every malformed GSI start key alike.
    const Status bad = Invalid("The provided starting key is invalid: The provided key element does not match the schema");
    auto pos = EntryKey(src.table, *src.index, esk);
    for (const auto& [name, value] : esk) {
      if (!model::IsKeyAttribute(src.table.key_schema, name) && !model::IsKeyAttribute(src.index->key_schema, name)) {
        return bad;
      }
    }
    if (!pos) return bad;
    return *pos;
  }
  if (src.index) {
    for (const model::KeyAttribute* a : model::KeyAttributes(src.index->key_schema)) {
      if (!model::IsKeyAttribute(src.table.key_schema, a->name)) ++expected;
    }
  }
  if (esk.size() != expected) return Invalid("Exclusive Start Key must have same size as table's key schema");
  model::Item table_key;
  for (const model::KeyAttribute* a : model::KeyAttributes(src.table.key_schema)) {
    auto it = esk.find(a->name);
    if (it != esk.end()) table_key.insert(*it);
  }
  auto key = model::KeyFromKeyMap(src.table.key_schema, table_key);
  if (!key.ok()) return Invalid("The provided starting key is invalid: " + key.status().message());
  if (!src.index) {
    storage::Key k = WritePath::StorageKey(src.table, *key);
    return std::make_pair(std::move(k.pk), std::move(k.sk));
  }
  auto pos = EntryKey(src.table, *src.index, esk);
  if (!pos) return Invalid("The provided starting key is invalid: The provided key element does not match the schema");
  return *pos;
}

// Query filters may not name the key attributes of what is queried.
Status CheckFilterAvoidsKeys(const model::KeySchema& keys, const expr::Condition& c) {
  for (const std::string& name : TopLevelNames(c)) {
    if (model::IsKeyAttribute(keys, name)) {
      return Invalid("Filter Expression can only contain non-primary key attributes: Primary key attribute: " + name);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ReadPageOutput> Database::Query(const Scope& scope, const QueryInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_ASSIGN_OR_RETURN(const IndexMeta* index, FindIndex(*table, in, true));
  Source src{*table, index};
  const model::KeySchema& schema = src.key_schema();

  // The key condition: equality on the partition key, at most one condition
  // on the sort key.
  std::optional<model::AttributeValue> hash;
  const expr::KeyComparison* range_cmp = nullptr;
  std::vector<expr::KeyComparison> comparisons = expr::KeyComparisons(in.key_condition);
  for (const auto& c : comparisons) {
    if (c.path.size() != 1 || c.path[0].is_index) {
      std::string name = c.path.empty() ? "" : c.path[0].name;
      return Invalid(
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: " + name);
    }
    const std::string& name = c.path[0].name;
    if (name == schema.hash.name) {
      if (c.kind != expr::KeyComparison::Kind::kEq) return Invalid("Query key condition not supported");
      hash = c.values[0];
    } else if (schema.range && name == schema.range->name) {
      range_cmp = &c;
    } else {
      return Invalid("Query condition missed key schema element");
    }
  }
  if (!hash) return Invalid("Query condition missed key schema element");
  if (hash->type() != schema.hash.type) {
    return Invalid("One or more parameter values were invalid: Condition parameter type does not match schema type");
  }
  if (range_cmp) {
    for (const auto& v : range_cmp->values) {
      if (v.type() != schema.range->type) {
        return Invalid(
            "One or more parameter values were invalid: Condition parameter type does not match schema type");
      }
    }
  }
  if (in.filter) BASALT_RETURN_IF_ERROR(CheckFilterAvoidsKeys(schema, *in.filter));
  BASALT_RETURN_IF_ERROR(model::CheckKeyValue(schema.hash, *hash, false));

  std::string pk = model::KeyEncoding(*hash);
  std::optional<std::string> resume;
  if (in.exclusive_start_key) {
    BASALT_ASSIGN_OR_RETURN(auto start, StartPosition(src, *in.exclusive_start_key));
    if (start.first != pk) return Invalid("The provided starting key does not match the range key predicate");
    if (!start.second.empty()) resume = std::move(start.second);
  }
  storage::SortKeyRange range;
  if (range_cmp) range = SortKeyRangeFor(*range_cmp, index != nullptr);

  PageBuilder page(src, in, NeedsFetch(src, in) ? &write_path_ : nullptr);
  Status error;
  BASALT_RETURN_IF_ERROR(engine_->QueryPartition(src.id(), pk, range, !in.forward, resume,
                                                 [&](const storage::Row& row) { return page.Add(row.value, &error); }));
  BASALT_RETURN_IF_ERROR(error);
  return page.Finish();
}

Result<ReadPageOutput> Database::Scan(const Scope& scope, const ScanInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_ASSIGN_OR_RETURN(const IndexMeta* index, FindIndex(*table, in, false));
  Source src{*table, index};
  uint32_t segment = static_cast<uint32_t>(in.segment.value_or(0));
  uint32_t total = static_cast<uint32_t>(in.total_segments.value_or(1));
  std::optional<std::pair<std::string, std::string>> resume;
  if (in.exclusive_start_key) {
    BASALT_ASSIGN_OR_RETURN(auto start, StartPosition(src, *in.exclusive_start_key));
    resume = std::move(start);
  }
  PageBuilder page(src, in, NeedsFetch(src, in) ? &write_path_ : nullptr);
  Status error;
  BASALT_RETURN_IF_ERROR(engine_->ScanSegment(src.id(), segment, total, resume,
                                              [&](const storage::Row& row) { return page.Add(row.value, &error); }));
  BASALT_RETURN_IF_ERROR(error);
  return page.Finish();
}

}  // namespace basalt::db
