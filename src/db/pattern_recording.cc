#include "db/pattern_recording.h"

#include <array>

#include "db/contributor_insights.h"
#include "db/query.h"
#include "db/tables.h"
#include "model/item.h"

namespace basalt::db {
namespace {

using patterns::Op;
using patterns::RequestShape;
using patterns::UnitsOn;

constexpr std::string_view kStateKey = "access_patterns";

// What one request consumed, on each table and index it names (at most 32).
struct Units {
  std::array<UnitsOn, 32> on;
  size_t n = 0;

  void Add(const ConsumedCapacity& c, bool read) {
    auto put = [&](std::string_view index, double r, double w) {
      if ((r > 0 || w > 0) && n < on.size()) on[n++] = UnitsOn{c.table, index, r, w};
    };
    put("", c.read_units, c.write_units);
    for (const auto& [name, u] : c.global_indexes) put(name, read ? u : 0, read ? 0 : u);
    for (const auto& [name, u] : c.local_indexes) put(name, read ? u : 0, read ? 0 : u);
  }
  std::span<const UnitsOn> span() const { return {on.data(), n}; }
};

// What the observation needs besides the shape.
struct Outcome {
  uint64_t returned = 0, scanned = 0;
  uint64_t item_bytes = 0, max_item = 0;
  uint32_t sized = 0;
  std::string pk;
  const model::AttributeValue* pk_value = nullptr;

  void Size(const model::Item& item) { Sized(model::ItemSize(item)); }
  void Size(const EncodedItem& item) { Sized(item.size); }
  void Sized(uint64_t b) {
    item_bytes += b;
    max_item = std::max(max_item, b);
    ++sized;
  }
};

double Ms(PatternRecording::Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Emit(patterns::Recorder& recorder, const Clock* clock, const Scope& s, const RequestShape& shape,
          const Status& st, PatternRecording::Duration took, const Units& units, const Outcome& oc);

const model::AttributeValue* Find(const model::Item& item, const std::string& name) {
  auto it = item.find(name);
  return it == item.end() ? nullptr : &it->second;
}

}  // namespace

patterns::Outcome OutcomeOf(const Status& st) {
  switch (st.code()) {
    case Code::kOk: return patterns::Outcome::kOk;
    case Code::kConditionalCheckFailed: return patterns::Outcome::kConditional;
    case Code::kProvisionedThroughputExceeded:
    case Code::kThrottling:
    case Code::kRequestLimitExceeded: return patterns::Outcome::kThrottled;
    case Code::kTransactionConflict: return patterns::Outcome::kConflict;
    case Code::kTransactionCanceled:
      if (const auto* c = st.detail<TransactionCanceled>()) {
        for (const CancellationReason& r : c->reasons) {
          if (r.code == "ConditionalCheckFailed") return patterns::Outcome::kConditional;
        }
        for (const CancellationReason& r : c->reasons) {
          if (r.code == "TransactionConflict") return patterns::Outcome::kConflict;
          if (r.code == "ThrottlingError") return patterns::Outcome::kThrottled;
        }
      }
      return patterns::Outcome::kOther;
    default: return patterns::Outcome::kOther;
  }
}


namespace {

void Emit(patterns::Recorder& recorder, const Clock* clock, const Scope& s, const RequestShape& shape,
          const Status& st, PatternRecording::Duration took, const Units& units, const Outcome& oc) {
  patterns::Observation o;
  o.ns = s.ns;
  o.shape = &shape;
  o.now = clock->Now();
  o.outcome = OutcomeOf(st);
  o.latency_ms = Ms(took);
  o.returned = oc.returned;
  o.scanned = oc.scanned;
  o.units = units.span();
  o.item_bytes = oc.item_bytes;
  o.items_sized = oc.sized;
  o.max_item_bytes = oc.max_item;
  o.pk = oc.pk;
  o.pk_value = oc.pk_value;
  recorder.Record(o);
}

}  // namespace

void PatternRecording::Observe(const Scope& s, const PutItemInput& in, const Result<ItemOutput>& out, Duration took) {
  auto meta = catalog_->Find(s.ns, in.table);
  RequestShape shape;
  shape.op = Op::kPutItem;
  shape.table = in.table;
  shape.item = &in.item;
  shape.key_schema = meta ? &meta->key_schema : nullptr;
  shape.condition = in.condition.condition ? &*in.condition.condition : nullptr;
  Units units;
  Outcome oc;
  if (out.ok()) units.Add(out->capacity, false);
  oc.Size(in.item);
  if (meta) {
    oc.pk_value = Find(in.item, meta->key_schema.hash.name);
    if (oc.pk_value) oc.pk = KeyText(*oc.pk_value);
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const KeyInput& in, const Result<ItemOutput>& out, Duration took,
                               bool get) {
  auto meta = catalog_->Find(s.ns, in.table);
  RequestShape shape;
  shape.op = get ? Op::kGetItem : Op::kDeleteItem;
  shape.table = in.table;
  shape.key = &in.key;
  shape.projection = in.projection ? &*in.projection : nullptr;
  shape.consistent = get && in.consistent;
  shape.condition = in.condition.condition ? &*in.condition.condition : nullptr;
  Units units;
  Outcome oc;
  if (out.ok()) {
    units.Add(out->capacity, get);
    if (get && out->item) {
      oc.returned = oc.scanned = 1;
      oc.Size(*out->item);
    } else if (get && out->stored_item) {
      oc.returned = oc.scanned = 1;
      oc.Size(*out->stored_item);
    }
  }
  if (meta) {
    const model::AttributeValue* pk = Find(in.key, meta->key_schema.hash.name);
    if (pk) oc.pk = KeyText(*pk);
    if (!get) oc.pk_value = nullptr;  // a delete makes no new key
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const UpdateItemInput& in, const Result<ItemOutput>& out,
                               Duration took) {
  auto meta = catalog_->Find(s.ns, in.table);
  RequestShape shape;
  shape.op = Op::kUpdateItem;
  shape.table = in.table;
  shape.key = &in.key;
  shape.update = in.update ? &*in.update : nullptr;
  shape.condition = in.condition.condition ? &*in.condition.condition : nullptr;
  Units units;
  Outcome oc;
  if (out.ok()) units.Add(out->capacity, false);
  if (meta) {
    oc.pk_value = Find(in.key, meta->key_schema.hash.name);
    if (oc.pk_value) oc.pk = KeyText(*oc.pk_value);
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const QueryInput& in, const Result<ReadPageOutput>& out,
                               Duration took) {
  RequestShape shape;
  shape.op = Op::kQuery;
  shape.table = in.table;
  shape.index = in.index;
  shape.key_condition = &in.key_condition;
  shape.filter = in.filter ? &*in.filter : nullptr;
  shape.projection = in.projection ? &*in.projection : nullptr;
  shape.consistent = in.consistent;
  shape.count_only = in.select == Select::kCount;
  Units units;
  Outcome oc;
  if (out.ok()) {
    units.Add(out->capacity, true);
    oc.returned = static_cast<uint64_t>(out->count);
    oc.scanned = static_cast<uint64_t>(out->scanned_count);
    for (const model::Item& item : out->items) oc.Size(item);
    for (const EncodedItem& stored : out->stored_items) oc.Size(stored);
  }
  // The partition key: the equality on the first key attribute of the table or index.
  if (auto meta = catalog_->Find(s.ns, in.table)) {
    const model::KeySchema* ks = &meta->key_schema;
    if (!in.index.empty()) {
      const IndexMeta* idx = meta->FindIndex(in.index);
      ks = idx ? &idx->key_schema : nullptr;
    }
    if (ks) {
      for (const expr::KeyComparison& c : in.key_condition.comparisons) {
        if (c.kind == expr::KeyComparison::Kind::kEq && c.path.size() == 1 && c.path[0].name == ks->hash.name &&
            !c.values.empty()) {
          oc.pk = KeyText(c.values[0]);
          break;
        }
      }
    }
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const ScanInput& in, const Result<ReadPageOutput>& out, Duration took) {
  RequestShape shape;
  shape.op = Op::kScan;
  shape.table = in.table;
  shape.index = in.index;
  shape.filter = in.filter ? &*in.filter : nullptr;
  shape.projection = in.projection ? &*in.projection : nullptr;
  shape.consistent = in.consistent;
  shape.count_only = in.select == Select::kCount;
  shape.parallel = in.total_segments.has_value();
  Units units;
  Outcome oc;
  if (out.ok()) {
    units.Add(out->capacity, true);
    oc.returned = static_cast<uint64_t>(out->count);
    oc.scanned = static_cast<uint64_t>(out->scanned_count);
    for (const model::Item& item : out->items) oc.Size(item);
    for (const EncodedItem& stored : out->stored_items) oc.Size(stored);
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const std::vector<BatchGetTableInput>& in,
                               const Result<BatchGetOutput>& out, Duration took) {
  std::vector<patterns::PartShape> parts;
  for (const BatchGetTableInput& t : in) {
    parts.push_back({"Get", t.table, t.keys.empty() ? nullptr : &t.keys[0], nullptr, nullptr,
                     t.projection ? &*t.projection : nullptr});
  }
  RequestShape shape;
  shape.op = Op::kBatchGetItem;
  shape.table = in.empty() ? std::string_view() : std::string_view(in[0].table);
  shape.parts = parts;
  shape.consistent = !in.empty() && in[0].consistent;
  Units units;
  Outcome oc;
  if (out.ok()) {
    for (const ConsumedCapacity& c : out->capacity) units.Add(c, true);
    for (const auto& [table, items] : out->responses) {
      for (const model::Item& item : items) oc.Size(item);
      oc.returned += items.size();
    }
    for (const auto& [table, items] : out->stored_responses) {
      for (const EncodedItem& stored : items) oc.Size(stored);
      oc.returned += items.size();
    }
    oc.scanned = oc.returned;
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const std::vector<BatchWriteTableInput>& in,
                               const Result<BatchWriteOutput>& out, Duration took) {
  std::vector<patterns::PartShape> parts;
  Outcome oc;
  for (const BatchWriteTableInput& t : in) {
    bool puts = false, deletes = false;
    for (const WriteRequest& w : t.requests) {
      (w.is_put ? puts : deletes) = true;
      if (w.is_put) oc.Size(w.item);
    }
    if (puts) parts.push_back({"Put", t.table, nullptr, nullptr, nullptr, nullptr});
    if (deletes) parts.push_back({"Delete", t.table, nullptr, nullptr, nullptr, nullptr});
  }
  RequestShape shape;
  shape.op = Op::kBatchWriteItem;
  shape.table = in.empty() ? std::string_view() : std::string_view(in[0].table);
  shape.parts = parts;
  Units units;
  if (out.ok()) {
    for (const ConsumedCapacity& c : out->capacity) units.Add(c, false);
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const TransactWriteInput& in, const Result<TransactWriteOutput>& out,
                               Duration took) {
  static const char* const kKinds[] = {"ConditionCheck", "Put", "Delete", "Update", "Insert"};
  std::vector<patterns::PartShape> parts;
  Outcome oc;
  for (const TransactAction& a : in.actions) {
    bool put = a.kind == TransactAction::kPut || a.kind == TransactAction::kInsert;
    if (put) oc.Size(a.item);
    parts.push_back({kKinds[a.kind], a.table, put ? nullptr : &a.item, a.update ? &*a.update : nullptr,
                     a.condition.condition ? &*a.condition.condition : nullptr, nullptr});
  }
  RequestShape shape;
  shape.op = Op::kTransactWriteItems;
  shape.table = in.actions.empty() ? std::string_view() : std::string_view(in.actions[0].table);
  shape.parts = parts;
  Units units;
  if (out.ok()) {
    for (const ConsumedCapacity& c : out->capacity) units.Add(c, false);
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const std::vector<TransactGet>& in,
                               const Result<TransactGetOutput>& out, Duration took) {
  std::vector<patterns::PartShape> parts;
  for (const TransactGet& g : in) {
    parts.push_back({"Get", g.table, &g.key, nullptr, nullptr, g.projection ? &*g.projection : nullptr});
  }
  RequestShape shape;
  shape.op = Op::kTransactGetItems;
  shape.table = in.empty() ? std::string_view() : std::string_view(in[0].table);
  shape.parts = parts;
  Units units;
  Outcome oc;
  if (out.ok()) {
    for (const ConsumedCapacity& c : out->capacity) units.Add(c, true);
    for (const auto& item : out->items) {
      if (!item) continue;
      oc.Size(*item);
      ++oc.returned;
    }
    oc.scanned = oc.returned;
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const StatementInput& in, const Result<StatementOutput>& out,
                               Duration took) {
  RequestShape shape;
  shape.op = Op::kExecuteStatement;
  shape.statement = in.statement;
  shape.consistent = in.consistent;
  Units units;
  Outcome oc;
  if (out.ok()) {
    if (out->capacity) {
      shape.table = out->capacity->table;
      units.Add(*out->capacity, out->capacity->write_units == 0);
    }
    oc.returned = oc.scanned = out->items.size();
    for (const model::Item& item : out->items) oc.Size(item);
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const std::vector<StatementInput>& in,
                               const Result<BatchStatementOutput>& out, Duration took) {
  std::string statements;
  for (const StatementInput& st : in) statements += (statements.empty() ? "" : "; ") + st.statement;
  RequestShape shape;
  shape.op = Op::kBatchExecuteStatement;
  shape.statement = statements;
  Units units;
  Outcome oc;
  if (out.ok()) {
    for (const ConsumedCapacity& c : out->capacity) units.Add(c, c.write_units == 0);
    if (!out->capacity.empty()) shape.table = out->capacity[0].table;
    for (const BatchStatementResult& r : out->responses) {
      if (!r.item) continue;
      oc.Size(*r.item);
      ++oc.returned;
    }
    oc.scanned = oc.returned;
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

void PatternRecording::Observe(const Scope& s, const TransactionStatementsInput& in,
                               const Result<TransactionStatementsOutput>& out, Duration took) {
  std::string statements;
  for (const StatementInput& st : in.statements) statements += (statements.empty() ? "" : "; ") + st.statement;
  RequestShape shape;
  shape.op = Op::kExecuteTransaction;
  shape.statement = statements;
  Units units;
  Outcome oc;
  if (out.ok()) {
    for (const ConsumedCapacity& c : out->capacity) units.Add(c, c.write_units == 0);
    if (!out->capacity.empty()) shape.table = out->capacity[0].table;
  }
  Emit(recorder_, clock_, s, shape, out.status(), took, units, oc);
}

Status PatternRecording::Save() { return meta_->Put(kStateKey, recorder_.Encode(clock_->Now())); }

Status PatternRecording::Load() {
  std::optional<std::string> bytes;
  BASALT_RETURN_IF_ERROR(meta_->Get(kStateKey, &bytes));
  if (!bytes) return Status::Ok();
  return recorder_.Load(*bytes);
}

Status PatternRecording::Reset() {
  recorder_.Reset();
  return meta_->Delete(kStateKey);
}

namespace {

const char* ProjectionName(ProjectionType p) {
  switch (p) {
    case ProjectionType::kAll: return "ALL";
    case ProjectionType::kKeysOnly: return "KEYS_ONLY";
    case ProjectionType::kInclude: return "INCLUDE";
  }
  return "ALL";
}

// A key as KeyText wrote it, back to a value of the key's type (B keys are not measured).
std::optional<model::AttributeValue> KeyValue(const std::string& text, model::Type type) {
  if (type == model::Type::kS) return model::AttributeValue::S(text);
  if (type == model::Type::kN) {
    auto n = model::Number::Parse(text);
    if (n.ok()) return model::AttributeValue::N(*n);
  }
  return std::nullopt;
}

}  // namespace

std::vector<patterns::TableInfo> PatternRecording::TableInfos(const Scope& s, Tables* tables,
                                                              Queries* queries, bool measure_collections) {
  // The busiest partition keys of each table, whose item collections are measured.
  std::map<std::string, std::vector<std::string>> busiest;
  for (const patterns::KeyHeatStats& h : recorder_.Snapshot(clock_->Now()).heat) {
    if (h.ns != s.ns || !h.index.empty() || !measure_collections) continue;
    for (size_t i = 0; i < h.requests.size() && i < 3; ++i) busiest[h.table].push_back(h.requests[i].key);
  }
  std::vector<patterns::TableInfo> out;
  for (const auto& meta : catalog_->List(s.ns, "", SIZE_MAX)) {
    auto d = tables->DescribeTable(s, meta->name);
    if (!d.ok()) continue;
    const TableMeta& m = *d->meta;
    patterns::TableInfo t;
    t.name = m.name;
    t.pk = m.key_schema.hash.name;
    if (m.key_schema.range) t.sk = m.key_schema.range->name;
    t.on_demand = m.billing_mode == BillingMode::kPayPerRequest;
    t.provisioned_rcu = m.throughput.read_capacity_units;
    t.provisioned_wcu = m.throughput.write_capacity_units;
    t.item_count = d->stats.item_count;
    t.size_bytes = d->stats.size_bytes;
    for (const IndexDescription& i : d->indexes) {
      patterns::IndexInfo x;
      x.name = i.meta->name;
      x.global = i.meta->global;
      x.pk = i.meta->key_schema.hash.name;
      if (i.meta->key_schema.range) x.sk = i.meta->key_schema.range->name;
      x.projection = ProjectionName(i.meta->projection);
      x.non_key_attributes = i.meta->non_key_attributes;
      x.item_count = i.stats.item_count;
      x.size_bytes = i.stats.size_bytes;
      t.indexes.push_back(std::move(x));
    }
    // Item collections: a consistent COUNT query of each busy key, its units
    // (4 KB each, rounded up per 1 MB page) standing for its bytes; 64 pages at most.
    for (const std::string& key : busiest[m.name]) {
      auto value = KeyValue(key, m.key_schema.hash.type);
      if (!value) continue;
      QueryInput q;
      q.table = m.name;
      q.select = Select::kCount;
      q.consistent = true;
      expr::KeyComparison eq;
      eq.path = {expr::PathElement{m.key_schema.hash.name}};
      eq.values = {*value};
      q.key_condition.comparisons = {eq};
      double units = 0;
      for (int page = 0; page < 64; ++page) {
        auto r = queries->Query(s, q);
        if (!r.ok()) break;
        units += r->capacity.read_units;
        if (!r->last_evaluated_key) break;
        q.exclusive_start_key = r->last_evaluated_key;
      }
      t.collections.emplace_back(key, static_cast<int64_t>(units * 4096));
    }
    std::sort(t.collections.begin(), t.collections.end(),
              [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace basalt::db
