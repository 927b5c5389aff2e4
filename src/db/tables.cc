#include "db/tables.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "db/table_validation.h"
#include "model/limits.h"

namespace basalt::db {
namespace {

Status TableNotFound(const std::string& name) {
  return Status::NotFound("Requested resource not found: Table: " + name + " not found");
}

}  // namespace

std::string Tables::StatusOf(const TableMeta& meta) const {
  double now = clock_->Now();
  if (now < meta.active_at) return "CREATING";
  if (now < meta.updated_until) return "UPDATING";
  return "ACTIVE";
}

Status Tables::CheckNotChanging(const TableMeta& meta) const {
  std::string status = StatusOf(meta);
  if (status == "ACTIVE") return Status::Ok();
  return Status::InUse("Attempt to change a resource which is still in use: Table is being " +
                       std::string(status == "CREATING" ? "created" : "updated") + ": " + meta.name);
}

TableDescription Tables::Describe(std::shared_ptr<const TableMeta> meta, std::string status) {
  TableDescription d;
  engine_->Stats(meta->id, &d.stats).IgnoreError();  // statistics are advisory
  for (const IndexMeta& index : meta->indexes) {
    IndexDescription id;
    id.meta = &index;
    id.status = index.backfilling ? "CREATING" : status == "UPDATING" ? "ACTIVE" : status;
    if (index.backfilling) id.backfilling = true;
    engine_->Stats(index.id, &id.stats).IgnoreError();
    d.indexes.push_back(std::move(id));
  }
  d.status = std::move(status);
  d.meta = std::move(meta);
  return d;
}

std::shared_ptr<const TableMeta> Tables::Deleting(const Scope& scope, const std::string& name) {
  double now = clock_->Now();
  std::erase_if(deleting_, [&](const Deleted& d) { return d.gone_at <= now; });
  for (const auto& d : deleting_) {
    if (d.meta->ns == scope.ns && d.meta->name == name) return d.meta;
  }
  return nullptr;
}

void Tables::DropIndexes(const std::vector<IndexMeta>& indexes) {
  for (const IndexMeta& index : indexes) {
    // A failure leaves unreachable entries behind (ids are never reused).
    engine_->DropTable(index.id).IgnoreError();
  }
}

Result<TableDescription> Tables::CreateTable(const Scope& scope, const CreateTableInput& in, bool held_creating) {
  BASALT_ASSIGN_OR_RETURN(std::vector<IndexMeta> indexes, CheckCreateTable(in));
  auto lock = catalog_->LockDefinitions();
  if (Deleting(scope, in.name)) {
    return Status::InUse("Attempt to change a resource which is still in use: Table is being deleted: " + in.name);
  }
  if (catalog_->Find(scope.ns, in.name)) return Status::InUse("Table already exists: " + in.name);
  if (catalog_->Count(scope.ns) >= static_cast<size_t>(model::kMaxTablesPerAccount)) {
    return Status(Code::kLimitExceeded, "Subscriber limit exceeded: There is a limit of 2500 tables per account");
  }
  TableMeta meta;
  meta.ns = scope.ns;
  meta.region = scope.region;
  meta.name = in.name;
  meta.uuid = NewUuid();
  meta.key_schema = in.key_schema;
  meta.attribute_definitions = in.attribute_definitions;
  meta.billing_mode = in.billing_mode;
  if (in.throughput) meta.throughput = *in.throughput;
  double now = std::floor(clock_->Now() * 1000) / 1000;
  if (in.billing_mode == BillingMode::kPayPerRequest) meta.billing_mode_update_time = now;
  meta.table_class = in.table_class;
  meta.deletion_protection = in.deletion_protection;
  meta.creation_time = now;
  meta.tags = in.tags;
  meta.indexes = std::move(indexes);
  meta.active_at = held_creating ? std::numeric_limits<double>::max() : now + transient_;
  BASALT_RETURN_IF_ERROR(ApplyTableSettings(in.on_demand, in.warm, in.sse, &meta));
  if (in.stream && in.stream->enabled) BASALT_RETURN_IF_ERROR(streams_->Start(&meta, in.stream->view));
  uint64_t stream = meta.stream.enabled ? meta.stream.id : 0;
  std::shared_ptr<const TableMeta> created;
  if (Status st = catalog_->Create(std::move(meta), &created); !st.ok()) {
    if (stream != 0) (void)streams_->End(stream);  // no table records into it
    return st;
  }
  return Describe(created, StatusOf(*created));
}

Result<TableDescription> Tables::DescribeTable(const Scope& scope, const std::string& name) {
  auto meta = catalog_->Find(scope.ns, name);
  if (meta) return Describe(meta, StatusOf(*meta));
  auto lock = catalog_->LockDefinitions();
  if (auto deleting = Deleting(scope, name)) return Describe(deleting, "DELETING");
  return TableNotFound(name);
}

Result<TableDescription> Tables::DeleteTable(const Scope& scope, const std::string& name) {
  auto lock = catalog_->LockDefinitions();
  auto meta = catalog_->Find(scope.ns, name);
  if (!meta) return TableNotFound(name);
  if (meta->deletion_protection) {
    return Status::Validation(
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
        "protection first.");
  }
  BASALT_RETURN_IF_ERROR(CheckNotChanging(*meta));
  if (delete_guard_) BASALT_RETURN_IF_ERROR(delete_guard_(*meta));
  TableDescription d = Describe(meta, "DELETING");
  BASALT_RETURN_IF_ERROR(catalog_->Remove(*meta));
  // The stream stays readable, DISABLED, for the retention period.
  if (meta->stream.enabled) BASALT_RETURN_IF_ERROR(streams_->End(meta->stream.id));
  BASALT_RETURN_IF_ERROR(engine_->DropTable(meta->id));
  DropIndexes(meta->indexes);
  if (transient_ > 0) deleting_.push_back({meta, clock_->Now() + transient_});
  return d;
}

Result<TableDescription> Tables::UpdateTable(const Scope& scope, const UpdateTableInput& in) {
  auto lock = catalog_->LockDefinitions();
  auto current = catalog_->Find(scope.ns, in.name);
  if (!current) return TableNotFound(in.name);
  BASALT_RETURN_IF_ERROR(CheckNotChanging(*current));
  auto meta = std::make_shared<TableMeta>(*current);
  double now = std::floor(clock_->Now() * 1000) / 1000;
  BASALT_RETURN_IF_ERROR(ApplyCapacityUpdate(in, now, meta.get()));
  if (in.table_class) meta->table_class = *in.table_class;
  if (in.deletion_protection) meta->deletion_protection = *in.deletion_protection;
  BASALT_RETURN_IF_ERROR(ApplyTableSettings(in.on_demand, in.warm, in.sse, meta.get()));
  if (in.billing_mode || in.throughput || in.table_class) meta->updated_until = now + transient_;
  if (!in.index_updates.empty()) {
    BASALT_RETURN_IF_ERROR(ApplyIndexUpdates(in, [&] { return catalog_->NewId(); }, meta.get()));
  }
  if (in.stream) BASALT_RETURN_IF_ERROR(streams_->Apply(*in.stream, meta.get()));

  // Writers switch to the new index set at once: a new index starts empty
  // with its backfill cursor, a deleted one is dropped.
  std::vector<IndexMeta> gone;
  std::optional<IndexMeta> created;
  for (const IndexMeta& old : current->indexes) {
    if (!meta->FindIndex(old.name)) gone.push_back(old);
  }
  for (const IndexMeta& i : meta->indexes) {
    if (!current->FindIndex(i.name)) created = i;
  }
  Status stored = catalog_->Update(meta, [&](TableRuntime& rt) {
    for (const IndexMeta& g : gone) rt.backfill.erase(g.id);
    if (created) rt.backfill[created->id] = std::nullopt;
  });
  if (!stored.ok()) {
    if (meta->stream.enabled && meta->stream.id != current->stream.id) (void)streams_->End(meta->stream.id);
    return stored;
  }
  // Writers record into the new stream from here on, or into none.
  if (in.stream && !meta->stream.enabled) BASALT_RETURN_IF_ERROR(streams_->End(meta->stream.id));
  if (in.index_updates.empty()) return Describe(meta, StatusOf(*meta));
  DropIndexes(gone);
  if (created) backfill_->Start(meta, *created);
  TableDescription d = Describe(meta, StatusOf(*meta));
  // The response shows a new index before its backfill starts (Backfilling
  // false, as DynamoDB's does) and a deleted one as DELETING.
  for (IndexDescription& i : d.indexes) {
    if (created && i.meta->id == created->id) i.backfilling = false;
  }
  for (const IndexMeta& g : gone) {
    for (const IndexMeta& i : current->indexes) {
      if (i.id == g.id) d.indexes.push_back(IndexDescription{&i, "DELETING", std::nullopt, {}});
    }
  }
  d.keep_alive = current;
  return d;
}

Result<ListTablesOutput> Tables::ListTables(const Scope& scope, const std::string& start_after, size_t limit) {
  ListTablesOutput out;
  auto tables = catalog_->List(scope.ns, start_after, limit + 1);
  for (size_t i = 0; i < tables.size() && i < limit; ++i) out.names.push_back(tables[i]->name);
  // Like DynamoDB, LastEvaluatedTableName is set whenever the page is full
  // and more tables follow.
  if (tables.size() > limit && !out.names.empty()) out.last_evaluated = out.names.back();
  return out;
}

}  // namespace basalt::db
