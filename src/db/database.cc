#include "db/database.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <set>

#include "db/capacity.h"
#include "db/index.h"
#include "db/item_changes.h"
#include "model/item.h"
#include "model/item_codec.h"
#include "model/limits.h"

namespace basalt::db {
namespace {

Status TableNotFound(const std::string& name) {
  return Status::NotFound("Requested resource not found: Table: " + name + " not found");
}

Status ResourceNotFound() { return Status::NotFound("Requested resource not found"); }

std::string NewUuid() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  uint64_t a = rng(), b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

// A stream label: "2026-11-21T20:10:00.123" (UTC).
std::string IsoMillis(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

int64_t LabelMillis(const std::string& label) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(label.c_str(), "%d-%d-%dT%d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

std::string Invalid(const std::string& what) { return "One or more parameter values were invalid: " + what; }

// DynamoDB's error when some of `keys` are not in `shown` (the
// AttributeDefinitions of the request), or Ok.
Status CheckKeysDefined(const std::vector<std::string>& keys, const std::vector<model::KeyAttribute>& defined,
                        const std::vector<model::KeyAttribute>& shown) {
  bool missing = std::any_of(keys.begin(), keys.end(), [&](const std::string& k) {
    return std::none_of(defined.begin(), defined.end(), [&](const auto& d) { return d.name == k; });
  });
  if (!missing) return Status::Ok();
  std::string msg = "Some index key attributes are not defined in AttributeDefinitions. Keys: [";
  for (size_t i = 0; i < keys.size(); ++i) msg += (i ? ", " : "") + keys[i];
  msg += "], AttributeDefinitions: [";
  for (size_t i = 0; i < shown.size(); ++i) msg += (i ? ", " : "") + shown[i].name;
  return Status::Validation(Invalid(msg + "]"));
}

// Every attribute named by the table's and its indexes' key schemas must be
// defined, and nothing else.
Status CheckAttributeDefinitions(const std::vector<model::KeyAttribute>& defs,
                                 const std::vector<std::string>& key_names) {
  std::set<std::string> defined;
  for (const auto& a : defs) {
    if (!defined.insert(a.name).second) return Status::Validation("Cannot have two attributes with the same name");
  }
  BASALT_RETURN_IF_ERROR(CheckKeysDefined(key_names, defs, defs));
  std::set<std::string> used(key_names.begin(), key_names.end());
  if (defs.size() != used.size()) {
    return Status::Validation(
        Invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in "
                "AttributeDefinitions"));
  }
  return Status::Ok();
}

model::Type TypeOf(const std::vector<model::KeyAttribute>& defs, const std::string& name) {
  for (const auto& d : defs) {
    if (d.name == name) return d.type;
  }
  return model::Type::kS;  // undefined names are reported by CheckAttributeDefinitions
}

// An index definition checked against its table.
Result<IndexMeta> BuildIndex(const IndexInput& in, const std::vector<model::KeyAttribute>& defs,
                             const model::KeySchema& table_key, BillingMode billing) {
  IndexMeta m;
  m.name = in.name;
  m.global = in.global;
  const auto& ks = in.key_schema;
  if (ks[0].second != "HASH") {
    return Status::Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (ks.size() == 2 && ks[1].second != "RANGE") {
    return Status::Validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  if (ks.size() == 2 && ks[0].first == ks[1].first) {
    return Status::Validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  m.key_schema.hash = {ks[0].first, TypeOf(defs, ks[0].first)};
  if (ks.size() == 2) m.key_schema.range = model::KeyAttribute{ks[1].first, TypeOf(defs, ks[1].first)};
  if (!in.global) {
    if (!table_key.range) {
      return Status::Validation(Invalid(
          "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"));
    }
    if (!m.key_schema.range) {
      return Status::Validation(Invalid("Index KeySchema does not have a range key for index: " + m.name));
    }
    if (m.key_schema.hash.name != table_key.hash.name) {
      return Status::Validation(Invalid("Index KeySchema does not have the same leading hash key as table "
                                        "KeySchema for index: " + m.name + ". index hash key: " +
                                        m.key_schema.hash.name + ", table hash key: " + table_key.hash.name));
    }
  }
  m.projection = in.projection;
  if (in.projection == ProjectionType::kInclude) {
    if (!in.non_key_attributes || in.non_key_attributes->empty()) {
      return Status::Validation(Invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified"));
    }
    m.non_key_attributes = *in.non_key_attributes;
  } else if (in.non_key_attributes) {
    return Status::Validation(Invalid(std::string("ProjectionType is ") +
                                      (in.projection == ProjectionType::kAll ? "ALL" : "KEYS_ONLY") +
                                      ", but NonKeyAttributes is specified"));
  }
  if (in.global) {
    if (billing == BillingMode::kProvisioned && !in.throughput) {
      return Status::Validation(Invalid("ProvisionedThroughput must be specified for index: " + m.name));
    }
    if (billing == BillingMode::kPayPerRequest && in.throughput) {
      return Status::Validation(Invalid("ProvisionedThroughput should not be specified for index: " + m.name +
                                        " when BillingMode is PAY_PER_REQUEST"));
    }
    if (in.throughput) m.throughput = *in.throughput;
  } else if (in.throughput) {
    return Status::Validation(Invalid("ProvisionedThroughput should not be specified for LocalSecondaryIndex"));
  }
  return m;
}

// The indexes of a new table, checked.
Result<std::vector<IndexMeta>> BuildIndexes(const CreateTableInput& in) {
  if (in.has_local_indexes && in.local_indexes.empty()) {
    return Status::Validation(Invalid("List of LocalSecondaryIndexes is empty"));
  }
  if (in.has_global_indexes && in.global_indexes.empty()) {
    return Status::Validation(Invalid("List of GlobalSecondaryIndexes is empty"));
  }
  if (in.local_indexes.size() > static_cast<size_t>(model::kMaxLocalIndexes)) {
    return Status::Validation(Invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5"));
  }
  if (in.global_indexes.size() > static_cast<size_t>(model::kMaxGlobalIndexes)) {
    return Status::Validation(Invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20"));
  }
  std::vector<IndexMeta> out;
  std::set<std::string> names;
  size_t projected = 0;
  for (const auto* list : {&in.local_indexes, &in.global_indexes}) {
    for (const IndexInput& i : *list) {
      if (!names.insert(i.name).second) return Status::Validation(Invalid("Duplicate index name: " + i.name));
      BASALT_ASSIGN_OR_RETURN(IndexMeta m, BuildIndex(i, in.attribute_definitions, in.key_schema, in.billing_mode));
      projected += m.non_key_attributes.size();
      out.push_back(std::move(m));
    }
  }
  if (projected > static_cast<size_t>(model::kMaxProjectedAttributes)) {
    return Status::Validation(Invalid("Number of projected attributes in all indexes exceeds limit of 100"));
  }
  return out;
}

Status CheckKeySchema(const CreateTableInput& in, const std::vector<IndexMeta>& indexes) {
  std::vector<std::string> names = model::KeyNames(in.key_schema);
  for (const IndexMeta& i : indexes) {
    for (const auto& n : model::KeyNames(i.key_schema)) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  return CheckAttributeDefinitions(in.attribute_definitions, names);
}

Status CheckBilling(BillingMode mode, const std::optional<ProvisionedThroughput>& tp) {
  if (mode == BillingMode::kProvisioned && !tp) {
    return Status::Validation("No provisioned throughput specified for the table");
  }
  if (mode == BillingMode::kPayPerRequest && tp) {
    return Status::Validation(
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
        "specified when BillingMode is PAY_PER_REQUEST");
  }
  if (tp && (tp->read_capacity_units > model::kMaxTableReadCapacity ||
             tp->write_capacity_units > model::kMaxTableWriteCapacity)) {
    return Status(Code::kLimitExceeded,
                  "Subscriber limit exceeded: Provisioned throughput for a single table cannot exceed "
                  "40000 read capacity units and 40000 write capacity units.");
  }
  return Status::Ok();
}






}  // namespace

double ConsumedCapacity::Total() const {
  double units = read_units + write_units;
  for (const auto& [name, u] : global_indexes) units += u;
  for (const auto& [name, u] : local_indexes) units += u;
  return units;
}

void ConsumedCapacity::AddIndexUnits(const std::vector<IndexUnits>& units) {
  for (const IndexUnits& u : units) (u.global ? global_indexes : local_indexes)[u.index] += u.units;
}

Database::Database(storage::Engine* engine, const Clock* clock, Options options)
    : engine_(engine),
      clock_(clock),
      options_(options),
      catalog_(&engine->meta()),
      streams_(engine, clock, options.streams),
      write_path_(engine, options.item_collection_limit, clock, [this] { streams_.Notify(); }) {}

Database::~Database() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(workers_mu_);
    stopping_ = true;
    workers.swap(workers_);
  }
  workers_cv_.notify_all();
  for (auto& t : workers) t.join();
}

Status Database::Open() {
  BASALT_RETURN_IF_ERROR(catalog_.Load());
  // A backfill cut short by a restart starts over: its partial entries and
  // counts are dropped, and writers leave the index to it again.
  for (const auto& table : catalog_.All()) {
    for (const IndexMeta& index : table->indexes) {
      if (!index.backfilling) continue;
      BASALT_RETURN_IF_ERROR(engine_->DropTable(index.id));
      {
        std::unique_lock lock(table->runtime->mu);
        table->runtime->backfill[index.id] = std::nullopt;
      }
      StartBackfill(table, index);
    }
  }
  BASALT_RETURN_IF_ERROR(streams_.Open());
  // A stream started by a table change that did not get stored is ended.
  for (const StreamMeta& s : streams_.All()) {
    auto table = catalog_.Find(s.ns, s.table);
    if (s.enabled && !(table && table->stream.enabled && table->stream.id == s.id)) {
      BASALT_RETURN_IF_ERROR(streams_.Disable(s.id));
    }
  }
  StartSweeper();
  return Status::Ok();
}

Status Database::StartStream(TableMeta* meta, StreamViewType view) {
  BASALT_ASSIGN_OR_RETURN(storage::TableId id, catalog_.NewId());
  // The label is the creation time in milliseconds, distinct from the table's last one.
  auto ms = static_cast<int64_t>(std::floor(clock_->Now() * 1000));
  if (!meta->stream.label.empty()) ms = std::max(ms, LabelMillis(meta->stream.label) + 1);
  meta->stream = TableStream{true, view, id, IsoMillis(ms)};
  return streams_.Create(*meta, static_cast<double>(ms) / 1000);
}

Status Database::UpdateStream(const StreamSpecInput& spec, TableMeta* meta) {
  if (spec.enabled) {
    if (meta->stream.enabled) {
      return Status::Validation("Table already has an enabled stream");
    }
    return StartStream(meta, spec.view);
  }
  if (!meta->stream.enabled) {
    return Status::Validation("Table has no stream to disable");
  }
  meta->stream.enabled = false;
  return Status::Ok();
}

std::string Database::StatusOf(const TableMeta& meta) const {
  double now = clock_->Now();
  if (now < meta.active_at) return "CREATING";
  if (now < meta.updated_until) return "UPDATING";
  return "ACTIVE";
}

Status Database::CheckNotChanging(const TableMeta& meta) const {
  std::string status = StatusOf(meta);
  if (status == "ACTIVE") return Status::Ok();
  return Status::InUse("Attempt to change a resource which is still in use: Table is being " +
                       std::string(status == "CREATING" ? "created" : "updated") + ": " + meta.name);
}

TableDescription Database::Describe(std::shared_ptr<const TableMeta> meta, std::string status) {
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

void Database::DropIndexes(const std::vector<IndexMeta>& indexes) {
  for (const IndexMeta& index : indexes) {
    // A failure leaves unreachable entries behind (ids are never reused).
    engine_->DropTable(index.id).IgnoreError();
  }
}

void Database::StartBackfill(std::shared_ptr<const TableMeta> table, IndexMeta index) {
  std::lock_guard lock(workers_mu_);
  if (stopping_) return;
  workers_.emplace_back([this, table = std::move(table), index = std::move(index)] {
    for (;;) {
      {
        std::lock_guard stop_lock(workers_mu_);
        if (stopping_) return;
      }
      Result<bool> done = BackfillStep(*table, index);
      if (!done.ok()) {
        // Storage failed; try again shortly rather than leave the index CREATING.
        std::unique_lock stop_lock(workers_mu_);
        workers_cv_.wait_for(stop_lock, std::chrono::milliseconds(100), [&] { return stopping_; });
        continue;
      }
      if (!*done) continue;
      // Every item is indexed: the index becomes ACTIVE.
      std::lock_guard ddl(ddl_mu_);
      auto current = catalog_.Find(table->ns, table->name);
      if (!current || current->runtime != table->runtime) return;
      auto meta = std::make_shared<TableMeta>(*current);
      for (IndexMeta& i : meta->indexes) {
        if (i.id == index.id) i.backfilling = false;
      }
      catalog_.Update(meta).IgnoreError();  // on failure the index is backfilled again after a restart
      return;
    }
  });
}

Result<bool> Database::BackfillStep(const TableMeta& table, const IndexMeta& index) {
  constexpr size_t kStepRecords = 256;  // writers to the table wait for one step at most
  TableRuntime& rt = *table.runtime;
  std::unique_lock lock(rt.mu);
  auto cursor_it = rt.backfill.find(index.id);
  if (rt.dropped || cursor_it == rt.backfill.end()) return true;  // the table or index is gone
  const IndexMeta* live = nullptr;
  for (const IndexMeta& i : rt.indexes) {
    if (i.id == index.id) live = &i;
  }
  if (!live) return true;
  std::vector<IndexDelta> deltas;
  size_t seen = 0;
  BackfillCursor last = cursor_it->second;
  Status error;
  BASALT_RETURN_IF_ERROR(engine_->ScanSegment(table.id, 0, 1, cursor_it->second, [&](const storage::Row& row) {
    model::Item item;
    if (Status st = model::DecodeItem(row.value, &item); !st.ok()) {
      error = st;
      return false;
    }
    // Items whose index keys have the wrong type stay out of the index, as in DynamoDB.
    if (auto d = ComputeIndexDelta(table, *live, std::nullopt, item)) deltas.push_back(std::move(*d));
    last.emplace(std::string(row.pk), std::string(row.sk));
    return ++seen < kStepRecords;
  }));
  BASALT_RETURN_IF_ERROR(error);
  std::vector<storage::PartitionWrite> batch;
  AppendIndexWrites(deltas, &batch);
  if (!batch.empty()) BASALT_RETURN_IF_ERROR(engine_->Commit(batch));
  if (seen < kStepRecords) {
    rt.backfill.erase(cursor_it);
    return true;
  }
  cursor_it->second = std::move(last);
  return false;
}

void Database::ReapDeleted() {
  double now = clock_->Now();
  std::erase_if(deleting_, [&](const Deleting& d) { return d.gone_at <= now; });
}

Result<std::shared_ptr<const TableMeta>> Database::FindActive(const Scope& scope, const std::string& name) {
  auto meta = catalog_.Find(scope.ns, name);
  if (!meta || clock_->Now() < meta->active_at) return ResourceNotFound();
  return meta;
}

Result<TableDescription> Database::CreateTable(const Scope& scope, const CreateTableInput& in) {
  BASALT_ASSIGN_OR_RETURN(std::vector<IndexMeta> indexes, BuildIndexes(in));
  BASALT_RETURN_IF_ERROR(CheckKeySchema(in, indexes));
  BASALT_RETURN_IF_ERROR(CheckBilling(in.billing_mode, in.throughput));
  std::lock_guard lock(ddl_mu_);
  ReapDeleted();
  for (const auto& d : deleting_) {
    if (d.meta->ns == scope.ns && d.meta->name == in.name) {
      return Status::InUse("Attempt to change a resource which is still in use: Table is being deleted: " +
                           in.name);
    }
  }
  if (catalog_.Find(scope.ns, in.name)) return Status::InUse("Table already exists: " + in.name);
  if (catalog_.Count(scope.ns) >= static_cast<size_t>(model::kMaxTablesPerAccount)) {
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
  meta.active_at = now + options_.transient_status_seconds;
  if (in.stream && in.stream->enabled) BASALT_RETURN_IF_ERROR(StartStream(&meta, in.stream->view));
  uint64_t stream = meta.stream.enabled ? meta.stream.id : 0;
  std::shared_ptr<const TableMeta> created;
  if (Status st = catalog_.Create(std::move(meta), &created); !st.ok()) {
    if (stream != 0) (void)streams_.Disable(stream);  // no table records into it
    return st;
  }
  return Describe(created, StatusOf(*created));
}

Result<TableDescription> Database::DescribeTable(const Scope& scope, const std::string& name) {
  auto meta = catalog_.Find(scope.ns, name);
  if (meta) return Describe(meta, StatusOf(*meta));
  std::lock_guard lock(ddl_mu_);
  ReapDeleted();
  for (const auto& d : deleting_) {
    if (d.meta->ns == scope.ns && d.meta->name == name) return Describe(d.meta, "DELETING");
  }
  return TableNotFound(name);
}

Result<TableDescription> Database::DeleteTable(const Scope& scope, const std::string& name) {
  std::lock_guard lock(ddl_mu_);
  auto meta = catalog_.Find(scope.ns, name);
  if (!meta) return TableNotFound(name);
  if (meta->deletion_protection) {
    return Status::Validation(
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
        "protection first.");
  }
  BASALT_RETURN_IF_ERROR(CheckNotChanging(*meta));
  TableDescription d = Describe(meta, "DELETING");
  BASALT_RETURN_IF_ERROR(catalog_.Remove(*meta));
  {
    // Writers in flight finish first; later ones find the table gone.
    std::unique_lock lock(meta->runtime->mu);
    meta->runtime->dropped = true;
    meta->runtime->backfill.clear();
    meta->runtime->stream = 0;
  }
  // The stream stays readable, DISABLED, for the retention period.
  if (meta->stream.enabled) BASALT_RETURN_IF_ERROR(streams_.Disable(meta->stream.id));
  BASALT_RETURN_IF_ERROR(engine_->DropTable(meta->id));
  DropIndexes(meta->indexes);
  if (options_.transient_status_seconds > 0) {
    deleting_.push_back({meta, clock_->Now() + options_.transient_status_seconds});
  }
  return d;
}

Result<TableDescription> Database::UpdateTable(const Scope& scope, const UpdateTableInput& in) {
  std::lock_guard lock(ddl_mu_);
  auto current = catalog_.Find(scope.ns, in.name);
  if (!current) return TableNotFound(in.name);
  BASALT_RETURN_IF_ERROR(CheckNotChanging(*current));
  auto meta = std::make_shared<TableMeta>(*current);
  double now = std::floor(clock_->Now() * 1000) / 1000;
  bool changes_capacity = in.billing_mode || in.throughput;
  if (changes_capacity) {
    BillingMode mode = in.billing_mode.value_or(meta->billing_mode);
    if (mode == BillingMode::kProvisioned && !in.throughput &&
        meta->billing_mode == BillingMode::kPayPerRequest) {
      return Status::Validation("No provisioned throughput specified for the table");
    }
    if (mode == BillingMode::kPayPerRequest && in.throughput) {
      BASALT_RETURN_IF_ERROR(CheckBilling(mode, in.throughput));
    }
    if (in.throughput) BASALT_RETURN_IF_ERROR(CheckBilling(BillingMode::kProvisioned, in.throughput));
    if (in.throughput && mode == meta->billing_mode &&
        in.throughput->read_capacity_units == meta->throughput.read_capacity_units &&
        in.throughput->write_capacity_units == meta->throughput.write_capacity_units) {
      const auto& c = meta->throughput;
      const auto& r = *in.throughput;
      return Status::Validation(
          "The provisioned throughput for the table will not change. The requested value equals the current "
          "value. Current ReadCapacityUnitsForTable: " +
          std::to_string(c.read_capacity_units) +
          ". Requested ReadCapacityUnitsForTable: " + std::to_string(r.read_capacity_units) +
          ". Current WriteCapacityUnitsForTable: " + std::to_string(c.write_capacity_units) +
          ". Requested WriteCapacityUnitsForTable: " + std::to_string(r.write_capacity_units) +
          ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher "
          "limits.");
    }
    if (mode == BillingMode::kPayPerRequest) {
      if (meta->billing_mode != mode) meta->billing_mode_update_time = now;
      meta->throughput.read_capacity_units = 0;
      meta->throughput.write_capacity_units = 0;
    } else if (in.throughput) {
      auto& tp = meta->throughput;
      bool increase = in.throughput->read_capacity_units > tp.read_capacity_units ||
                      in.throughput->write_capacity_units > tp.write_capacity_units;
      bool decrease = in.throughput->read_capacity_units < tp.read_capacity_units ||
                      in.throughput->write_capacity_units < tp.write_capacity_units;
      if (increase) tp.last_increase_time = now;
      if (decrease && meta->billing_mode == BillingMode::kProvisioned) {
        tp.last_decrease_time = now;
        ++tp.decreases_today;
      }
      tp.read_capacity_units = in.throughput->read_capacity_units;
      tp.write_capacity_units = in.throughput->write_capacity_units;
    }
    meta->billing_mode = mode;
  }
  if (in.table_class) meta->table_class = *in.table_class;
  if (in.deletion_protection) meta->deletion_protection = *in.deletion_protection;
  if (changes_capacity || in.table_class) meta->updated_until = now + options_.transient_status_seconds;
  if (!in.index_updates.empty()) BASALT_RETURN_IF_ERROR(UpdateIndexes(in, meta.get()));
  if (in.stream) BASALT_RETURN_IF_ERROR(UpdateStream(*in.stream, meta.get()));
  if (Status st = catalog_.Update(meta); !st.ok()) {
    if (meta->stream.enabled && meta->stream.id != current->stream.id) (void)streams_.Disable(meta->stream.id);
    return st;
  }
  if (in.stream) {
    // Writers record into the new stream from here on, or into none.
    {
      std::unique_lock lock(meta->runtime->mu);
      meta->runtime->stream = meta->stream.enabled ? meta->stream.id : 0;
      meta->runtime->stream_view = meta->stream.view;
    }
    if (!meta->stream.enabled) BASALT_RETURN_IF_ERROR(streams_.Disable(meta->stream.id));
  }
  if (in.index_updates.empty()) return Describe(meta, StatusOf(*meta));

  // Writers switch to the new index set at once; a new index starts empty
  // and is filled by its backfill, a deleted one is dropped.
  std::vector<IndexMeta> gone;
  std::optional<IndexMeta> created;
  {
    std::unique_lock lock(meta->runtime->mu);
    for (const IndexMeta& old : meta->runtime->indexes) {
      if (!meta->FindIndex(old.name)) gone.push_back(old);
    }
    for (const IndexMeta& i : meta->indexes) {
      if (!current->FindIndex(i.name)) created = i;
    }
    for (const IndexMeta& g : gone) meta->runtime->backfill.erase(g.id);
    if (created) meta->runtime->backfill[created->id] = std::nullopt;
    meta->runtime->indexes = meta->indexes;
  }
  DropIndexes(gone);
  if (created) StartBackfill(meta, *created);
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

Status Database::UpdateIndexes(const UpdateTableInput& in, TableMeta* meta) {
  for (const IndexMeta& i : meta->indexes) {
    if (i.backfilling) {
      return Status(Code::kLimitExceeded,
                    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per "
                    "table");
    }
  }
  std::set<std::string> named;
  for (const IndexUpdate& u : in.index_updates) {
    if (!named.insert(u.index.name).second) {
      // DynamoDB Local's wording; the service's is not known.
      return Status::Validation("Only one global secondary index update per index is allowed simultaneously.");
    }
  }
  size_t structural = 0;
  for (const IndexUpdate& u : in.index_updates) structural += u.kind != IndexUpdate::kUpdate;
  if (structural > 1) {
    return Status(Code::kLimitExceeded,
                  "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
  }
  std::vector<model::KeyAttribute> defs = meta->attribute_definitions;
  for (const model::KeyAttribute& a : in.attribute_definitions) {
    auto it = std::find_if(defs.begin(), defs.end(), [&](const auto& d) { return d.name == a.name; });
    if (it == defs.end()) {
      defs.push_back(a);
    } else if (it->type != a.type) {
      // DynamoDB Local's wording; the service's is not known.
      return Status::Validation("invalid attribute, SchemaElement redefined should be of same type as previously defined");
    }
  }
  for (const IndexUpdate& u : in.index_updates) {
    const std::string& name = u.index.name;
    auto existing = std::find_if(meta->indexes.begin(), meta->indexes.end(),
                                 [&](const IndexMeta& i) { return i.name == name; });
    switch (u.kind) {
      case IndexUpdate::kCreate: {
        if (existing != meta->indexes.end()) {
          return Status::Validation(Invalid("Index with name: " + name + " already exists"));
        }
        size_t globals = std::count_if(meta->indexes.begin(), meta->indexes.end(),
                                       [](const IndexMeta& i) { return i.global; });
        if (globals >= static_cast<size_t>(model::kMaxGlobalIndexes)) {
          return Status(Code::kLimitExceeded,
                        "Subscriber limit exceeded: The number of global secondary indexes has reached the limit of "
                        "20");
        }
        if (in.attribute_definitions.empty()) {
          return Status::Validation(
              "One or more parameter values were invalid: Some index key attributes are not defined in "
              "AttributeDefinitions");
        }
        BASALT_ASSIGN_OR_RETURN(IndexMeta index, BuildIndex(u.index, defs, meta->key_schema, meta->billing_mode));
        BASALT_RETURN_IF_ERROR(CheckKeysDefined(model::KeyNames(index.key_schema), defs, in.attribute_definitions));
        BASALT_ASSIGN_OR_RETURN(index.id, catalog_.NewId());
        index.backfilling = true;
        meta->indexes.push_back(std::move(index));
        break;
      }
      case IndexUpdate::kDelete:
        if (existing == meta->indexes.end() || !existing->global) {
          return Status::NotFound("Requested resource not found: Index: " + name + " not found");
        }
        meta->indexes.erase(existing);
        break;
      case IndexUpdate::kUpdate:
        if (existing == meta->indexes.end() || !existing->global) {
          return Status::NotFound("Requested resource not found: Index: " + name + " not found");
        }
        if (meta->billing_mode == BillingMode::kPayPerRequest) {
          return Status::Validation(Invalid(
              "ProvisionedThroughput cannot be specified for index: " + name + " when BillingMode is PAY_PER_REQUEST"));
        }
        if (u.index.throughput && u.index.throughput->read_capacity_units == existing->throughput.read_capacity_units &&
            u.index.throughput->write_capacity_units == existing->throughput.write_capacity_units) {
          // DynamoDB Local's wording; the service's is not known.
          return Status::Validation("The requested throughput value equals the current value");
        }
        if (u.index.throughput) existing->throughput = *u.index.throughput;
        break;
    }
  }
  // Attribute definitions are what the keys of the table and its indexes use.
  std::vector<std::string> used = model::KeyNames(meta->key_schema);
  for (const IndexMeta& i : meta->indexes) {
    for (const auto& n : model::KeyNames(i.key_schema)) used.push_back(n);
  }
  std::erase_if(defs, [&](const model::KeyAttribute& d) {
    return std::find(used.begin(), used.end(), d.name) == used.end();
  });
  meta->attribute_definitions = std::move(defs);
  return Status::Ok();
}

Result<ListTablesOutput> Database::ListTables(const Scope& scope, const std::string& start_after, size_t limit) {
  ListTablesOutput out;
  auto tables = catalog_.List(scope.ns, start_after, limit + 1);
  for (size_t i = 0; i < tables.size() && i < limit; ++i) out.names.push_back(tables[i]->name);
  // Like DynamoDB, LastEvaluatedTableName is set whenever the page is full
  // and more tables follow.
  if (tables.size() > limit && !out.names.empty()) out.last_evaluated = out.names.back();
  return out;
}

Result<ItemOutput> Database::PutItem(const Scope& scope, const PutItemInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromItem(table->key_schema, in.item));
  BASALT_RETURN_IF_ERROR(CheckItemSize(in.item));
  std::vector<ItemWrite> writes;
  writes.push_back(ItemWrite{table, std::move(key), PutChange(in.item, in.condition)});
  std::vector<ItemWriteResult> results;
  BASALT_RETURN_IF_ERROR(write_path_.Apply(writes, &results));
  ItemOutput out;
  if (in.return_old) out.item = std::move(results[0].old_item);
  out.capacity = {table->name, 0, WriteUnits(std::max(results[0].old_size, results[0].new_size))};
  out.capacity.AddIndexUnits(results[0].index_units);
  out.collection = CollectionMetrics(*table, writes[0].key, results[0]);
  return out;
}

Result<ItemOutput> Database::DeleteItem(const Scope& scope, const KeyInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, in.key));
  std::vector<ItemWrite> writes;
  writes.push_back(ItemWrite{table, std::move(key), DeleteChange(in.condition)});
  std::vector<ItemWriteResult> results;
  BASALT_RETURN_IF_ERROR(write_path_.Apply(writes, &results));
  ItemOutput out;
  if (in.return_old) out.item = std::move(results[0].old_item);
  out.capacity = {table->name, 0, WriteUnits(results[0].old_size)};
  out.capacity.AddIndexUnits(results[0].index_units);
  out.collection = CollectionMetrics(*table, writes[0].key, results[0]);
  return out;
}

Result<ItemOutput> Database::UpdateItem(const Scope& scope, const UpdateItemInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, in.key));
  std::vector<ItemWrite> writes;
  writes.push_back(ItemWrite{table, key, {}});
  writes[0].change = UpdateChange(*table, writes[0].key, in.update, in.condition);
  std::vector<ItemWriteResult> results;
  BASALT_RETURN_IF_ERROR(write_path_.Apply(writes, &results));
  ItemWriteResult& r = results[0];
  ItemOutput out;
  out.capacity = {table->name, 0, WriteUnits(std::max(r.old_size, r.new_size))};
  out.capacity.AddIndexUnits(r.index_units);
  out.collection = CollectionMetrics(*table, writes[0].key, r);
  auto updated = [&](const model::Item& item) {
    expr::Projection p;
    if (in.update) p.paths = expr::UpdatedPaths(*in.update);
    return expr::ApplyProjection(p, item);
  };
  switch (in.return_values) {
    case ReturnValues::kNone: break;
    case ReturnValues::kAllOld: out.item = std::move(r.old_item); break;
    case ReturnValues::kAllNew: out.item = std::move(r.new_item); break;
    case ReturnValues::kUpdatedOld:
      if (r.old_item) out.item = updated(*r.old_item);
      break;
    case ReturnValues::kUpdatedNew:
      if (r.new_item) out.item = updated(*r.new_item);
      break;
  }
  // DynamoDB leaves out Attributes when nothing of what was asked for exists.
  if (out.item && out.item->empty()) out.item.reset();
  return out;
}

Result<ItemOutput> Database::GetItem(const Scope& scope, const KeyInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, in.key));
  ItemOutput out;
  BASALT_RETURN_IF_ERROR(write_path_.Read(*table, key, &out.item));
  size_t size = out.item ? model::ItemSize(*out.item) : 0;
  if (out.item && in.projection) out.item = expr::ApplyProjection(*in.projection, *out.item);
  out.capacity = {table->name, ReadUnits(size, in.consistent), 0};
  return out;
}

Result<BatchGetOutput> Database::BatchGetItem(const Scope& scope, const std::vector<BatchGetTableInput>& in) {
  struct Entry {
    const BatchGetTableInput* input;
    size_t key_index;
    std::shared_ptr<const TableMeta> table;
    model::PrimaryKey key;
  };
  std::vector<Entry> entries;
  for (const auto& t : in) {
    BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, t.table));
    std::vector<storage::Key> seen;
    for (size_t i = 0; i < t.keys.size(); ++i) {
      BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, t.keys[i]));
      BASALT_RETURN_IF_ERROR(AddUnique(WritePath::StorageKey(*table, key), &seen));
      entries.push_back(Entry{&t, i, table, std::move(key)});
    }
  }
  std::vector<std::pair<const TableMeta*, const model::PrimaryKey*>> keys;
  keys.reserve(entries.size());
  for (const auto& e : entries) keys.emplace_back(e.table.get(), &e.key);
  std::vector<std::optional<model::Item>> items;
  BASALT_RETURN_IF_ERROR(write_path_.ReadMany(keys, &items));

  BatchGetOutput out;
  std::map<std::string, double> units;
  size_t response_bytes = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const std::string& name = e.input->table;
    units.try_emplace(name, 0);
    out.responses.try_emplace(name);
    size_t size = items[i] ? model::ItemSize(*items[i]) : 0;
    // Past the response size limit the remaining keys go back unprocessed.
    if (response_bytes + size > model::kMaxBatchGetResponseBytes) {
      out.unprocessed[name].push_back(e.input->keys[e.key_index]);
      continue;
    }
    units[name] += ReadUnits(size, e.input->consistent);
    if (!items[i]) continue;
    response_bytes += size;
    out.responses[name].push_back(e.input->projection ? expr::ApplyProjection(*e.input->projection, *items[i])
                                                      : std::move(*items[i]));
  }
  for (const auto& [name, u] : units) out.capacity.push_back({name, u, 0});
  return out;
}

Result<BatchWriteOutput> Database::BatchWriteItem(const Scope& scope,
                                                  const std::vector<BatchWriteTableInput>& in) {
  std::vector<ItemWrite> writes;
  std::vector<std::string> table_of_write;
  for (const auto& t : in) {
    BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, t.table));
    std::vector<storage::Key> seen;
    for (const auto& req : t.requests) {
      model::PrimaryKey key;
      if (req.is_put) {
        BASALT_ASSIGN_OR_RETURN(key, model::KeyFromItem(table->key_schema, req.item));
        BASALT_RETURN_IF_ERROR(CheckItemSize(req.item));
      } else {
        BASALT_ASSIGN_OR_RETURN(key, model::KeyFromKeyMap(table->key_schema, req.item));
      }
      BASALT_RETURN_IF_ERROR(AddUnique(WritePath::StorageKey(*table, key), &seen));
      const WriteRequest* r = &req;
      writes.push_back(ItemWrite{table, std::move(key),
                                 [r](const std::optional<model::Item>&) -> Result<std::optional<model::Item>> {
                                   if (r->is_put) return std::optional<model::Item>(r->item);
                                   return std::optional<model::Item>();
                                 }});
      table_of_write.push_back(t.table);
    }
  }
  // DynamoDB applies a batch's requests independently; applying them in one
  // atomic commit is a stronger guarantee and costs one log write.
  std::vector<ItemWriteResult> results;
  BASALT_RETURN_IF_ERROR(write_path_.Apply(writes, &results));
  BatchWriteOutput out;
  std::map<std::string, ConsumedCapacity> units;
  for (const auto& t : in) units.try_emplace(t.table, ConsumedCapacity{t.table});
  for (size_t i = 0; i < results.size(); ++i) {
    ConsumedCapacity& c = units[table_of_write[i]];
    c.write_units += WriteUnits(std::max(results[i].old_size, results[i].new_size));
    c.AddIndexUnits(results[i].index_units);
    if (auto m = CollectionMetrics(*writes[i].table, writes[i].key, results[i])) {
      AddCollectionMetrics(table_of_write[i], std::move(*m), &out.collections);
    }
  }
  for (auto& [name, c] : units) out.capacity.push_back(std::move(c));
  return out;
}

}  // namespace basalt::db
