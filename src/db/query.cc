#include "db/query.h"

#include <algorithm>

#include "common/log.h"
#include "db/index.h"
#include "db/index_propagation.h"
#include "model/item.h"
#include "model/key_encoding.h"

namespace basalt::db {
namespace {

Status Invalid(const std::string& m) { return Status::Validation(m); }

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
    if (std::string m = missing(expr::TopLevelNames(*in.filter)); !m.empty()) {
      return Invalid("One or more parameter values were invalid: Secondary index " + index->name +
                     " does not project one or more filter attributes: [" + m + "]");
    }
  }
  return index;
}

// Checks ExclusiveStartKey: exactly the table's key attributes, and on an
// index also the index's. Returns where the start key sits in the key space
// read: (partition key, sort key), encoded.
Result<std::pair<std::string, std::string>> StartPosition(const PageSource& src, const model::Item& esk) {
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
    storage::Key k = StorageKey(src.table, *key);
    return std::make_pair(std::move(k.pk), std::move(k.sk));
  }
  auto pos = EntryKey(src.table, *src.index, esk);
  if (!pos) return Invalid("The provided starting key is invalid: The provided key element does not match the schema");
  return *pos;
}

// Query filters may not name the key attributes of what is queried.
Status CheckFilterAvoidsKeys(const model::KeySchema& keys, const expr::Condition& c) {
  for (const std::string& name : expr::TopLevelNames(c)) {
    if (model::IsKeyAttribute(keys, name)) {
      return Invalid("Filter Expression can only contain non-primary key attributes: Primary key attribute: " + name);
    }
  }
  return Status::Ok();
}

}  // namespace

void Queries::CatchUp(const TableMeta& table, const IndexMeta* index) {
  if (!propagation_ || !index || !index->global) return;
  // A GSI may lag (as DynamoDB's): the read goes on with what is applied.
  if (Status st = propagation_->CatchUp(table.id); !st.ok()) {
    Log(LogLevel::kWarn, "index propagation before a read of " + table.name + ": " + st.message());
  }
}

Result<ReadPageOutput> Queries::Query(const Scope& scope, const QueryInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, catalog_->FindActive(scope.ns, in.table));
  BASALT_ASSIGN_OR_RETURN(const IndexMeta* index, FindIndex(*table, in, true));
  PageSource src{*table, index};
  const model::KeySchema& schema = src.key_schema();
  BASALT_ASSIGN_OR_RETURN(expr::KeyCondition key, expr::MatchKeySchema(in.key_condition, schema));
  if (in.filter) BASALT_RETURN_IF_ERROR(CheckFilterAvoidsKeys(schema, *in.filter));
  std::vector<const model::KeyAttribute*> hash = model::HashAttributes(schema);
  std::vector<const model::AttributeValue*> values;
  for (size_t i = 0; i < hash.size(); ++i) {
    BASALT_RETURN_IF_ERROR(model::CheckKeyValue(*hash[i], key.partition[i], false));
    values.push_back(&key.partition[i]);
  }

  std::string pk;
  AppendPartitionEncoding(schema, values, &pk);
  std::optional<std::string> resume;
  if (in.exclusive_start_key) {
    BASALT_ASSIGN_OR_RETURN(auto start, StartPosition(src, *in.exclusive_start_key));
    if (start.first != pk) return Invalid("The provided starting key does not match the range key predicate");
    if (!start.second.empty()) resume = std::move(start.second);
  }
  // The equal leading sort attributes (multi-attribute keys) are a prefix of every entry read.
  std::string prefix;
  for (const model::AttributeValue& v : key.sort_equal) model::AppendEscapedKeyEncoding(v, &prefix);
  storage::SortKeyRange range;
  if (key.sort) range = SortKeyRangeFor(*key.sort, index != nullptr, prefix);
  const bool insights = insights_ && insights_->Any() && !scope.partiql;
  CatchUp(*table, index);
  if (!throttle_ && !insights) return read_path_->QueryPage(src, in, pk, range, !in.forward, resume);
  // Contributor Insights keys a Query by its partition key value(s).
  std::string key_text;
  if (insights) {
    for (size_t i = 0; i < values.size(); ++i) key_text += (i ? ", " : "") + KeyText(*values[i]);
  }
  if (throttle_) {
    if (Status st = throttle_->AdmitRead(*table, index, &pk); !st.ok()) {
      if (insights) insights_->Throttled(table->ns, table->name, in.index, key_text, nullptr);
      return st;
    }
  }
  BASALT_ASSIGN_OR_RETURN(ReadPageOutput out, read_path_->QueryPage(src, in, pk, range, !in.forward, resume));
  if (throttle_) throttle_->ChargeRead(*table, index, &pk, out.capacity.Total());
  if (insights) insights_->Accessed(table->ns, table->name, in.index, key_text, nullptr, out.capacity.Total());
  return out;
}

Result<ReadPageOutput> Queries::Scan(const Scope& scope, const ScanInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, catalog_->FindActive(scope.ns, in.table));
  BASALT_ASSIGN_OR_RETURN(const IndexMeta* index, FindIndex(*table, in, false));
  PageSource src{*table, index};
  uint32_t segment = static_cast<uint32_t>(in.segment.value_or(0));
  uint32_t total = static_cast<uint32_t>(in.total_segments.value_or(1));
  std::optional<std::pair<std::string, std::string>> resume;
  if (in.exclusive_start_key) {
    BASALT_ASSIGN_OR_RETURN(auto start, StartPosition(src, *in.exclusive_start_key));
    resume = std::move(start);
  }
  const bool insights =
      insights_ && insights_->Any() && !scope.partiql && insights_->Records(table->ns, table->name, in.index);
  CatchUp(*table, index);
  if (!throttle_ && !insights) return read_path_->ScanPage(src, in, segment, total, resume);
  // A throttled Scan has read no key, so Contributor Insights has none to count.
  if (throttle_) BASALT_RETURN_IF_ERROR(throttle_->AdmitRead(*table, index, nullptr));
  std::vector<ReadKey> read;
  BASALT_ASSIGN_OR_RETURN(ReadPageOutput out,
                          read_path_->ScanPage(src, in, segment, total, resume, insights ? &read : nullptr));
  if (throttle_) throttle_->ChargeRead(*table, index, nullptr, out.capacity.Total());
  if (insights) {
    // Each item read is an access, weighted by its share of the page's read
    // units (a page's units are its items' sizes summed, then rounded).
    size_t bytes = 0;
    for (const ReadKey& r : read) bytes += r.size;
    const double units = out.capacity.Total();
    for (const ReadKey& r : read) {
      const double share = bytes ? units * static_cast<double>(r.size) / static_cast<double>(bytes) : 0;
      insights_->RecordKeys(*table, in.index, src.key_schema(), r.key, &share);
    }
  }
  return out;
}

}  // namespace basalt::db
