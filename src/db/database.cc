#include "db/database.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "model/item.h"
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

// DynamoDB charges reads per 4 KB and writes per 1 KB, rounding up, at least
// one unit; an eventually consistent read costs half.
double ReadUnits(size_t size, bool consistent) {
  double units = std::max<double>(1, std::ceil(static_cast<double>(size) / 4096));
  return consistent ? units : units / 2;
}

double WriteUnits(size_t size) { return std::max<double>(1, std::ceil(static_cast<double>(size) / 1024)); }

Status CheckItemSize(const model::Item& item) {
  if (model::ItemSize(item) > model::kMaxItemSize) {
    return Status::Validation("Item size has exceeded the maximum allowed size");
  }
  return Status::Ok();
}

Status CheckKeySchema(const CreateTableInput& in) {
  std::set<std::string> defined;
  for (const auto& a : in.attribute_definitions) {
    if (!defined.insert(a.name).second) {
      return Status::Validation("Cannot have two attributes with the same name");
    }
  }
  std::vector<std::string> keys{in.key_schema.hash.name};
  if (in.key_schema.range) keys.push_back(in.key_schema.range->name);
  std::vector<std::string> missing;
  for (const auto& k : keys) {
    if (!defined.count(k)) missing.push_back(k);
  }
  if (!missing.empty()) {
    std::string msg =
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [";
    for (size_t i = 0; i < keys.size(); ++i) msg += (i ? ", " : "") + keys[i];
    msg += "], AttributeDefinitions: [";
    for (size_t i = 0; i < in.attribute_definitions.size(); ++i) {
      msg += (i ? ", " : "") + in.attribute_definitions[i].name;
    }
    return Status::Validation(msg + "]");
  }
  if (in.attribute_definitions.size() != keys.size()) {
    return Status::Validation(
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
        "number of attributes defined in AttributeDefinitions");
  }
  return Status::Ok();
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

// Evaluates a write's condition against the old item (absent = empty). On
// failure the error carries the old item if the request asked for it.
Status CheckCondition(const WriteCondition& wc, const std::optional<model::Item>& old) {
  if (!wc.condition) return Status::Ok();
  static const model::Item kEmpty;
  BASALT_ASSIGN_OR_RETURN(bool holds, expr::Evaluate(*wc.condition, old ? *old : kEmpty));
  if (holds) return Status::Ok();
  auto detail = std::make_shared<ConditionFailure>();
  if (wc.return_old_on_failure) detail->item = old;
  return Status(Code::kConditionalCheckFailed, "The conditional request failed").WithDetail(std::move(detail));
}

// Records a batch request's key; a key seen before in the batch is DynamoDB's error.
Status AddUnique(storage::Key key, std::vector<storage::Key>* seen) {
  for (const auto& s : *seen) {
    if (s.pk == key.pk && s.sk == key.sk) return Status::Validation("Provided list of item keys contains duplicates");
  }
  seen->push_back(std::move(key));
  return Status::Ok();
}

std::vector<std::string> KeyNames(const TableMeta& t) {
  std::vector<std::string> names{t.key_schema.hash.name};
  if (t.key_schema.range) names.push_back(t.key_schema.range->name);
  return names;
}

}  // namespace

Database::Database(storage::Engine* engine, const Clock* clock, Options options)
    : engine_(engine), clock_(clock), options_(options), catalog_(&engine->meta()), write_path_(engine) {}

Status Database::Open() { return catalog_.Load(); }

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
  d.status = std::move(status);
  engine_->Stats(meta->id, &d.stats).IgnoreError();  // statistics are advisory
  d.meta = std::move(meta);
  return d;
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
  BASALT_RETURN_IF_ERROR(CheckKeySchema(in));
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
  meta.active_at = now + options_.transient_status_seconds;
  std::shared_ptr<const TableMeta> created;
  BASALT_RETURN_IF_ERROR(catalog_.Create(std::move(meta), &created));
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
  BASALT_RETURN_IF_ERROR(engine_->DropTable(meta->id));
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
  BASALT_RETURN_IF_ERROR(catalog_.Update(meta));
  return Describe(meta, StatusOf(*meta));
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
  writes.push_back(ItemWrite{table, std::move(key),
                             [&in](const std::optional<model::Item>& old) -> Result<std::optional<model::Item>> {
                               BASALT_RETURN_IF_ERROR(CheckCondition(in.condition, old));
                               return std::optional<model::Item>(in.item);
                             }});
  std::vector<ItemWriteResult> results;
  BASALT_RETURN_IF_ERROR(write_path_.Apply(writes, &results));
  ItemOutput out;
  if (in.return_old) out.item = std::move(results[0].old_item);
  out.capacity = {table->name, 0, WriteUnits(std::max(results[0].old_size, results[0].new_size))};
  return out;
}

Result<ItemOutput> Database::DeleteItem(const Scope& scope, const KeyInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, in.key));
  std::vector<ItemWrite> writes;
  writes.push_back(ItemWrite{table, std::move(key),
                             [&in](const std::optional<model::Item>& old) -> Result<std::optional<model::Item>> {
                               BASALT_RETURN_IF_ERROR(CheckCondition(in.condition, old));
                               return std::optional<model::Item>();
                             }});
  std::vector<ItemWriteResult> results;
  BASALT_RETURN_IF_ERROR(write_path_.Apply(writes, &results));
  ItemOutput out;
  if (in.return_old) out.item = std::move(results[0].old_item);
  out.capacity = {table->name, 0, WriteUnits(results[0].old_size)};
  return out;
}

Result<ItemOutput> Database::UpdateItem(const Scope& scope, const UpdateItemInput& in) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, in.table));
  BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, in.key));
  model::Item key_item = model::KeyToItem(table->key_schema, key);
  std::vector<std::string> key_names = KeyNames(*table);
  std::vector<ItemWrite> writes;
  writes.push_back(ItemWrite{
      table, std::move(key),
      [&](const std::optional<model::Item>& old) -> Result<std::optional<model::Item>> {
        BASALT_RETURN_IF_ERROR(CheckCondition(in.condition, old));
        // An update of an absent item creates it from its key, as DynamoDB does.
        const model::Item& base = old ? *old : key_item;
        if (!in.update) return std::optional<model::Item>(base);
        BASALT_ASSIGN_OR_RETURN(model::Item updated, expr::ApplyUpdate(*in.update, base, key_names));
        BASALT_RETURN_IF_ERROR(CheckItemSize(updated));
        return std::optional<model::Item>(std::move(updated));
      }});
  std::vector<ItemWriteResult> results;
  BASALT_RETURN_IF_ERROR(write_path_.Apply(writes, &results));
  ItemWriteResult& r = results[0];
  ItemOutput out;
  out.capacity = {table->name, 0, WriteUnits(std::max(r.old_size, r.new_size))};
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
  std::map<std::string, double> units;
  for (size_t i = 0; i < results.size(); ++i) {
    units[table_of_write[i]] += WriteUnits(std::max(results[i].old_size, results[i].new_size));
  }
  for (const auto& t : in) units.try_emplace(t.table, 0);
  for (const auto& [name, u] : units) out.capacity.push_back({name, 0, u});
  return out;
}

}  // namespace basalt::db
