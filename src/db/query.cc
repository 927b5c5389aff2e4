// Query and Scan: build a key range, read a snapshot in key order, apply
// Limit before the filter (as DynamoDB does), stop at 1 MB of evaluated
// items, project, and return LastEvaluatedKey.
#include <cmath>

#include "db/database.h"
#include "model/item.h"
#include "model/item_codec.h"
#include "model/key_encoding.h"

namespace basalt::db {
namespace {

// DynamoDB stops a page once the items it has read reach 1 MB.
constexpr size_t kMaxPageBytes = 1024 * 1024;

Status Invalid(const std::string& m) { return Status::Validation(m); }

// The page loop shared by Query and Scan: called with each stored row.
class PageBuilder {
 public:
  PageBuilder(const TableMeta& table, const ReadPageInput& in) : table_(table), in_(in) {}

  // Returns false when the page is full.
  bool Add(std::string_view value, Status* error) {
    model::Item item;
    if (Status st = model::DecodeItem(value, &item); !st.ok()) {
      *error = st;
      return false;
    }
    size_t size = model::ItemSize(item);
    scanned_bytes_ += size;
    ++out_.scanned_count;
    bool keep = true;
    if (in_.filter) {
      auto r = expr::Evaluate(*in_.filter, item);
      if (!r.ok()) {
        *error = r.status();
        return false;
      }
      keep = *r;
    }
    last_key_ = model::KeyToItem(table_.key_schema, KeyOf(item));
    if (keep) {
      ++out_.count;
      if (in_.select != Select::kCount) {
        out_.items.push_back(in_.projection ? expr::ApplyProjection(*in_.projection, item) : std::move(item));
      }
    }
    if (in_.limit && out_.scanned_count >= *in_.limit) return Stop();
    if (scanned_bytes_ >= kMaxPageBytes) return Stop();
    return true;
  }

  ReadPageOutput Finish() {
    double units = std::max(1.0, std::ceil(static_cast<double>(scanned_bytes_) / 4096));
    out_.capacity = {table_.name, in_.consistent ? units : units / 2, 0};
    if (stopped_) out_.last_evaluated_key = std::move(last_key_);
    return std::move(out_);
  }

 private:
  bool Stop() {
    stopped_ = true;
    return false;
  }

  model::PrimaryKey KeyOf(const model::Item& item) const {
    model::PrimaryKey k;
    k.hash = item.at(table_.key_schema.hash.name);
    if (table_.key_schema.range) k.range = item.at(table_.key_schema.range->name);
    return k;
  }

  const TableMeta& table_;
  const ReadPageInput& in_;
  ReadPageOutput out_;
  size_t scanned_bytes_ = 0;
  model::Item last_key_;
  bool stopped_ = false;
};

Status CheckCommon(const TableMeta& table, const ReadPageInput& in, bool is_query) {
  if (!in.index.empty()) return Invalid("The table does not have the specified index: " + in.index);
  if (in.select == Select::kAllProjectedAttributes) {
    return Invalid(std::string("ALL_PROJECTED_ATTRIBUTES can be used only when ") +
                   (is_query ? "Querying" : "Scanning") + " using an IndexName");
  }
  return Status::Ok();
}

// ExclusiveStartKey must be exactly the table's key.
Result<model::PrimaryKey> StartKey(const TableMeta& table, const model::Item& esk) {
  size_t expected = table.key_schema.range ? 2 : 1;
  if (esk.size() != expected) return Invalid("Exclusive Start Key must have same size as table's key schema");
  auto key = model::KeyFromKeyMap(table.key_schema, esk);
  if (!key.ok()) return Invalid("The provided starting key is invalid: " + key.status().message());
  return key;
}

// Every path of the filter that names a key attribute (Query filters may not).
Status CheckFilterAvoidsKeys(const TableMeta& table, const expr::Condition& c) {
  for (const expr::Operand& o : c.args) {
    if (o.kind != expr::Operand::Kind::kPath || o.path.empty()) continue;
    const std::string& name = o.path[0].name;
    if (name == table.key_schema.hash.name || (table.key_schema.range && name == table.key_schema.range->name)) {
      return Invalid("Filter Expression can only contain non-primary key attributes: Primary key attribute: " + name);
    }
  }
  for (const expr::Condition& child : c.children) BASALT_RETURN_IF_ERROR(CheckFilterAvoidsKeys(table, child));
  return Status::Ok();
}

}  // namespace

Result<ReadPageOutput> Database::Query(const Scope& scope, const QueryInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_RETURN_IF_ERROR(CheckCommon(*table, in, true));
  const model::KeySchema& schema = table->key_schema;

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
  if (in.filter) BASALT_RETURN_IF_ERROR(CheckFilterAvoidsKeys(*table, *in.filter));
  BASALT_RETURN_IF_ERROR(model::CheckKeyValue(schema.hash, *hash, false));

  std::optional<std::string> resume;
  if (in.exclusive_start_key) {
    BASALT_ASSIGN_OR_RETURN(model::PrimaryKey start, StartKey(*table, *in.exclusive_start_key));
    if (!(start.hash == *hash)) return Invalid("The provided starting key does not match the range key predicate");
    if (start.range) resume = model::KeyEncoding(*start.range);
  }

  storage::SortKeyRange range;
  if (range_cmp) {
    using K = expr::KeyComparison::Kind;
    std::string a = model::KeyEncoding(range_cmp->values[0]);
    switch (range_cmp->kind) {
      case K::kEq:
        range.lower = a;
        range.upper = a;
        break;
      case K::kLt: range.upper = a, range.upper_inclusive = false; break;
      case K::kLe: range.upper = a; break;
      case K::kGt: range.lower = a, range.lower_inclusive = false; break;
      case K::kGe: range.lower = a; break;
      case K::kBetween:
        range.lower = a;
        range.upper = model::KeyEncoding(range_cmp->values[1]);
        break;
      case K::kBeginsWith: range.prefix = a; break;
    }
  }

  PageBuilder page(*table, in);
  Status error;
  std::string pk = model::KeyEncoding(*hash);
  BASALT_RETURN_IF_ERROR(engine_->QueryPartition(table->id, pk, range, !in.forward, resume,
                                                 [&](const storage::Row& row) { return page.Add(row.value, &error); }));
  BASALT_RETURN_IF_ERROR(error);
  return page.Finish();
}

Result<ReadPageOutput> Database::Scan(const Scope& scope, const ScanInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_RETURN_IF_ERROR(CheckCommon(*table, in, false));
  uint32_t segment = static_cast<uint32_t>(in.segment.value_or(0));
  uint32_t total = static_cast<uint32_t>(in.total_segments.value_or(1));
  std::optional<std::pair<std::string, std::string>> resume;
  if (in.exclusive_start_key) {
    BASALT_ASSIGN_OR_RETURN(model::PrimaryKey start, StartKey(*table, *in.exclusive_start_key));
    storage::Key k = WritePath::StorageKey(*table, start);
    resume.emplace(std::move(k.pk), std::move(k.sk));
  }
  PageBuilder page(*table, in);
  Status error;
  BASALT_RETURN_IF_ERROR(engine_->ScanSegment(table->id, segment, total, resume,
                                              [&](const storage::Row& row) { return page.Add(row.value, &error); }));
  BASALT_RETURN_IF_ERROR(error);
  return page.Finish();
}

}  // namespace basalt::db
