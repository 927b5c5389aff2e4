#include "db/database.h"

#include "db/format_version.h"

#include "common/log.h"

namespace basalt::db {

Database::Database(storage::Engine* engine, const Clock* clock, Options options)
    : engine_(engine),
      clock_(clock),
      options_(options),
      insights_(clock),
      throttle_(options.enforce_capacity ? std::make_unique<Throttle>(clock, engine) : nullptr),
      catalog_(&engine->meta(), clock),
      streams_(engine, clock, options.streams),
      write_path_(engine, options.item_collection_limit, clock, [this] { streams_.Notify(); }),
      read_path_(engine),
      table_streams_(&catalog_, &streams_, clock),
      backfill_(engine, &catalog_, &write_path_),
      tables_(engine, &catalog_, &table_streams_, &backfill_, clock, options.transient_status_seconds),
      items_(&catalog_, &write_path_, &read_path_),
      queries_(&catalog_, &read_path_),
      transactions_(&catalog_, &write_path_, &read_path_, clock),
      statements_(&catalog_, &read_path_, &items_, &queries_, &transactions_),
      ttl_(engine, &catalog_, &write_path_, clock, options.transient_status_seconds),
      tags_(&catalog_, clock),
      patterns_(&catalog_, clock, &engine->meta()),
      backups_(engine, &catalog_, &tables_, clock),
      pitr_(engine, &catalog_, &backups_, clock),
      snapshots_(engine, &catalog_, clock,
                 [this](const Scope& s, const std::string& name) { return DeleteTable(s, name).status(); }),
      transfers_(&engine->meta(), options.export_root) {
  tables_.SetDeleteGuard([this](const TableMeta& table) { return backups_.CheckDeletable(table); });
  write_path_.set_throttle(throttle_.get());
  items_.set_throttle(throttle_.get());
  queries_.set_throttle(throttle_.get());
  transactions_.set_throttle(throttle_.get());
  ttl_.set_metrics(&metrics_);
  write_path_.set_insights(&insights_);
  items_.set_insights(&insights_);
  queries_.set_insights(&insights_);
}

Status Database::Open() {
  BASALT_RETURN_IF_ERROR(CheckFormatVersion(&engine_->meta()));
  BASALT_RETURN_IF_ERROR(catalog_.Load());
  BASALT_RETURN_IF_ERROR(backups_.Open());
  BASALT_RETURN_IF_ERROR(pitr_.Open());
  BASALT_RETURN_IF_ERROR(transfers_.Open());
  pitr_.StartTrimmer(options_.pitr_trim_seconds);
  BASALT_RETURN_IF_ERROR(backfill_.Resume());
  BASALT_RETURN_IF_ERROR(streams_.Open());
  BASALT_RETURN_IF_ERROR(table_streams_.EndOrphans());
  ttl_.StartSweeper(options_.ttl_sweep_seconds);
  if (options_.record_patterns) {
    // What was recorded is analysis, not data: an unreadable state is dropped, not fatal.
    if (Status st = patterns_.Load(); !st.ok()) Log(LogLevel::kWarn, "access patterns not loaded: " + st.message());
  }
  return Status::Ok();
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

std::vector<patterns::TableInfo> Database::PatternTables(const Scope& s) {
  // The busiest partition keys of each table, whose item collections are measured.
  // Not with --capacity=enforce, where the queries would take the tables' capacity.
  std::map<std::string, std::vector<std::string>> busiest;
  for (const patterns::KeyHeatStats& h : patterns_.recorder().Snapshot(clock_->Now()).heat) {
    if (h.ns != s.ns || !h.index.empty() || throttle_) continue;
    for (size_t i = 0; i < h.requests.size() && i < 3; ++i) busiest[h.table].push_back(h.requests[i].key);
  }
  std::vector<patterns::TableInfo> out;
  for (const auto& meta : catalog_.List(s.ns, "", SIZE_MAX)) {
    auto d = tables_.DescribeTable(s, meta->name);
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
        auto r = queries_.Query(s, q);
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
