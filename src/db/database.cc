#include "db/database.h"

#include "db/format_version.h"

#include "common/log.h"

namespace basalt::db {
namespace {

// How often a front-end re-reads the table definitions besides when another
// front-end announces a change (db/catalog_follower.h).
constexpr double kCatalogRereadSeconds = 5;

}  // namespace

Database::Database(storage::Engine* engine, const Clock* clock, Options options)
    : engine_(engine),
      clock_(clock),
      options_(options),
      insights_(clock, &engine->meta()),
      throttle_(options.enforce_capacity ? std::make_unique<Throttle>(clock, engine) : nullptr),
      catalog_(&engine->meta(), clock),
      follower_(&catalog_, &engine->meta(), kCatalogRereadSeconds),
      propagation_(engine, &catalog_),
      streams_(engine, clock, options.streams),
      write_path_(engine, options.item_collection_limit, clock, [this] { streams_.Notify(); }),
      read_path_(engine),
      table_streams_(&catalog_, &streams_, clock),
      backfill_(engine, &catalog_, &write_path_),
      tables_(engine, &catalog_, &table_streams_, &backfill_, clock, options.transient_status_seconds),
      items_(&catalog_, &write_path_, &read_path_),
      queries_(&catalog_, &read_path_),
      transactions_(&catalog_, &write_path_, &read_path_, &engine->meta(), clock),
      statements_(&catalog_, &read_path_, &items_, &queries_, &transactions_),
      ttl_(engine, &catalog_, &write_path_, clock, options.transient_status_seconds),
      tags_(&catalog_, clock),
      patterns_(&catalog_, clock, &engine->meta()),
      backups_(engine, &catalog_, &tables_, clock),
      pitr_(engine, &catalog_, &backups_, clock),
      snapshots_(engine, &catalog_, clock,
                 [this](const Scope& s, const std::string& name) { return DeleteTable(s, name).status(); }),
      transfers_(&engine->meta(), options.export_root) {
  tables_.SetDeleteGuard([this](const TableMeta& table) {
    BASALT_RETURN_IF_ERROR(backups_.CheckDeletable(table));
    return pitr_.CheckDeletable(table);
  });
  write_path_.set_throttle(throttle_.get());
  items_.set_throttle(throttle_.get());
  queries_.set_throttle(throttle_.get());
  transactions_.set_throttle(throttle_.get());
  statements_.set_throttle(throttle_.get());
  ttl_.set_metrics(&metrics_);
  write_path_.set_insights(&insights_);
  if (propagation_.active()) {
    write_path_.set_index_changes_hook(
        [this](storage::TableId table, const std::string& pk) { propagation_.Kept(table, pk); });
    queries_.set_index_propagation(&propagation_);
  }
  items_.set_insights(&insights_);
  queries_.set_insights(&insights_);
  transactions_.set_insights(&insights_);
  catalog_.ObserveUpdates([this](const TableMeta& table) {
    pitr_.DefinitionChanged(table);
    insights_.DefinitionChanged(table);
  });
  // A backfill whose front-end died is taken over once its lease lapses.
  // Backups and PITR settings other front-ends stored; PITR enabled or
  // disabled elsewhere changes what this front-end's writers log.
  pitr_.set_reread_seconds(kCatalogRereadSeconds);
  follower_.set_after_refresh([this] {
    if (Status st = backfill_.Resume(); !st.ok()) Log(LogLevel::kWarn, "backfill takeover: " + st.message());
    if (Status st = backups_.Refresh(); !st.ok()) Log(LogLevel::kWarn, "backup records: " + st.message());
    if (Status st = pitr_.Refresh(); !st.ok()) Log(LogLevel::kWarn, "point-in-time recovery settings: " + st.message());
  });
}

// The follower's thread reaches the members declared after it (the
// catalog's observers, the backfill): it stops before they go. So do the
// index propagation's workers, which re-read the catalog too, and the
// backups worker, whose jobs reach point-in-time recovery, declared after it.
Database::~Database() {
  follower_.Stop();
  propagation_.Stop();
  backups_.Stop();
}

Status Database::Open() {
  BASALT_RETURN_IF_ERROR(CheckFormatVersion(&engine_->meta()));
  BASALT_RETURN_IF_ERROR(catalog_.Load());
  BASALT_RETURN_IF_ERROR(insights_.Open(catalog_.All()));
  follower_.Start();
  BASALT_RETURN_IF_ERROR(backups_.Open());
  BASALT_RETURN_IF_ERROR(pitr_.Open());
  BASALT_RETURN_IF_ERROR(transfers_.Open());
  pitr_.StartTrimmer(options_.pitr_trim_seconds);
  BASALT_RETURN_IF_ERROR(backfill_.Resume());
  BASALT_RETURN_IF_ERROR(streams_.Open());
  BASALT_RETURN_IF_ERROR(table_streams_.EndOrphans());
  ttl_.StartSweeper(options_.ttl_sweep_seconds);
  propagation_.Start();
  if (options_.record_patterns) {
    // What was recorded is analysis, not data: an unreadable state is dropped, not fatal.
    if (Status st = patterns_.Load(); !st.ok()) Log(LogLevel::kWarn, "access patterns not loaded: " + st.message());
  }
  return Status::Ok();
}

std::vector<patterns::TableInfo> Database::PatternTables(const Scope& s) {
  // Not with --capacity=enforce, where the item-collection queries would take the tables' capacity.
  return patterns_.TableInfos(s, &tables_, &queries_, /*measure_collections=*/!throttle_);
}

}  // namespace basalt::db
