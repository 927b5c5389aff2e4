// A NextToken (opaque to clients; checked so that a changed one is refused):
//
//   token   := base64(payload u32be(check))
//   payload := u8(format=1) u64be(statement hash) varint(partition) u8(has_key) [str(key)]
//
// `partition` is the position of the partition value (IN lists) the next page
// starts in, `key` that partition's LastEvaluatedKey (model/item_codec.h), and
// the statement hash ties the token to the statement it paged.
#include "db/statements.h"

#include <functional>
#include <map>
#include <variant>

#include "common/base64.h"
#include "common/coding.h"
#include "db/capacity.h"
#include "db/item_changes.h"
#include "expr/key_condition.h"
#include "model/item.h"
#include "model/item_codec.h"
#include "partiql/parser.h"
#include "partiql/planner.h"
#include "partiql/select_output.h"

namespace basalt::db {

struct Statements::Prepared {
  std::shared_ptr<const TableMeta> table;
  partiql::Plan plan;
  bool read = false;  // a SELECT
};

namespace {

struct Position {
  uint64_t partition = 0;
  std::optional<model::Item> key;
};

uint64_t StatementHash(const std::string& statement) { return std::hash<std::string>{}(statement); }

std::string EncodeToken(const std::string& statement, const Position& p) {
  std::string payload(1, 1);
  PutFixed64BE(&payload, StatementHash(statement));
  PutVarint64(&payload, p.partition);
  payload.push_back(p.key ? 1 : 0);
  if (p.key) {
    std::string key;
    model::EncodeItem(*p.key, &key);
    PutLengthPrefixed(&payload, key);
  }
  PutFixed32BE(&payload, TokenCheck(payload));
  return Base64Encode(payload);
}

Result<Position> DecodeToken(const std::string& statement, const std::string& token) {
  const Status invalid = Status::Validation("Invalid NextToken");
  std::string bytes;
  if (!Base64Decode(token, &bytes) || bytes.size() < 4) return invalid;
  std::string_view payload(bytes.data(), bytes.size() - 4);
  if (DecodeFixed32BE(bytes.data() + payload.size()) != TokenCheck(payload)) return invalid;
  uint8_t format, has_key;
  if (!GetU8(&payload, &format) || format != 1 || payload.size() < 8) return invalid;
  if (DecodeFixed64BE(payload.data()) != StatementHash(statement)) return invalid;
  payload.remove_prefix(8);
  Position p;
  std::string_view key;
  if (!GetVarint64(&payload, &p.partition) || !GetU8(&payload, &has_key)) return invalid;
  if (has_key) {
    if (!GetLengthPrefixed(&payload, &key)) return invalid;
    p.key.emplace();
    if (!model::DecodeItem(key, &*p.key).ok()) return invalid;
  }
  return p;
}

// Adds what one read or write consumed to a statement's (or a batch's) total.
void AddCapacity(const ConsumedCapacity& c, ConsumedCapacity* total) {
  total->read_units += c.read_units;
  total->write_units += c.write_units;
  for (const auto& [name, u] : c.global_indexes) total->global_indexes[name] += u;
  for (const auto& [name, u] : c.local_indexes) total->local_indexes[name] += u;
}

// The scope the operations a statement runs see: the caller's, marked as
// PartiQL's (Contributor Insights does not record PartiQL requests).
Scope PartiQLScope(const Scope& caller) {
  Scope scope = caller;
  scope.partiql = true;
  return scope;
}

// The rest of a SELECT's WHERE, then its projection, on one item read.
Status AddRow(const partiql::SelectPlan& plan, model::Item item, std::vector<model::Item>* rows) {
  if (plan.filter) {
    BASALT_ASSIGN_OR_RETURN(bool keep, expr::Evaluate(*plan.filter, item));
    if (!keep) return Status::Ok();
  }
  rows->push_back(plan.projection.paths.empty() ? std::move(item) : partiql::SelectRow(plan.projection, item));
  return Status::Ok();
}

ReturnValues ReturnValuesOf(partiql::ReturnValues r) {
  switch (r) {
    case partiql::ReturnValues::kNone: return ReturnValues::kNone;
    case partiql::ReturnValues::kAllOld: return ReturnValues::kAllOld;
    case partiql::ReturnValues::kModifiedOld: return ReturnValues::kUpdatedOld;
    case partiql::ReturnValues::kAllNew: return ReturnValues::kAllNew;
    case partiql::ReturnValues::kModifiedNew: return ReturnValues::kUpdatedNew;
  }
  return ReturnValues::kNone;
}

// The key of a planned write or single-item read.
const model::Item& KeyOf(const partiql::Plan& plan) {
  return std::visit(
      [](const auto& p) -> const model::Item& {
        if constexpr (std::is_same_v<std::decay_t<decltype(p)>, partiql::InsertPlan>) {
          return p.item;
        } else {
          return p.key;
        }
      },
      plan);
}

}  // namespace

Result<Statements::Prepared> Statements::Prepare(const Scope& scope, const StatementInput& in,
                                                  partiql::Context context) {
  std::shared_ptr<const partiql::ParsedStatement> parsed = partiql::ParseCached(in.statement);
  BASALT_RETURN_IF_ERROR(parsed->statement.status());
  BASALT_ASSIGN_OR_RETURN(partiql::BoundStatement bound, partiql::Bind(*parsed->statement, in.parameters, context));
  Prepared p;
  BASALT_ASSIGN_OR_RETURN(p.table, catalog_->FindActive(scope.ns, bound.table));
  partiql::KeySchemas keys{p.table->key_schema, std::nullopt};
  if (bound.index) {
    const IndexMeta* index = p.table->FindIndex(*bound.index);
    if (!index) return Status::Validation("The table does not have the specified index: " + *bound.index);
    keys.index = index->key_schema;
    // The planner reads single-attribute keys: a GSI with multi-attribute keys
    // is scanned, with all of WHERE as the filter.
    if (index->key_schema.multi_attribute()) keys.index = model::KeySchema{{"", model::Type::kS}, std::nullopt};
  }
  p.read = bound.kind == partiql::BoundStatement::Kind::kSelect;
  BASALT_ASSIGN_OR_RETURN(p.plan, partiql::PlanStatement(std::move(bound), keys, context));
  return p;
}

Result<StatementOutput> Statements::Select(const Scope& scope, const Prepared& p, const StatementInput& in) {
  const partiql::SelectPlan& plan = std::get<partiql::SelectPlan>(p.plan);
  const TableMeta& table = *p.table;
  StatementOutput out;
  ConsumedCapacity capacity{table.name};
  Position start;
  if (in.next_token) {
    BASALT_ASSIGN_OR_RETURN(start, DecodeToken(in.statement, *in.next_token));
  }
  if (plan.access == partiql::SelectPlan::Access::kGetItem) {
    BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table.key_schema, plan.key));
    std::string pk;
    if (throttle_) {
      pk = StorageKey(table, key).pk;
      BASALT_RETURN_IF_ERROR(throttle_->AdmitRead(table, nullptr, &pk));
    }
    std::optional<model::Item> item;
    BASALT_RETURN_IF_ERROR(read_path_->Read(table, key, &item));
    capacity.read_units = ReadUnits(item ? model::ItemSize(*item) : 0, in.consistent);
    if (throttle_) throttle_->ChargeRead(table, nullptr, &pk, capacity.read_units);
    if (item) BASALT_RETURN_IF_ERROR(AddRow(plan, std::move(*item), &out.items));
    out.capacity = std::move(capacity);
    return out;
  }
  // What Query and Scan share: the whole items (the filter and the
  // projection are PartiQL's, applied here), Limit counted before the filter.
  auto page_input = [&](ReadPageInput* page, const std::optional<model::Item>& esk, std::optional<int64_t> limit) {
    page->table = table.name;
    page->index = plan.index.value_or("");
    page->select = plan.index ? Select::kAllProjectedAttributes : Select::kAllAttributes;
    page->limit = limit;
    page->consistent = in.consistent;
    page->exclusive_start_key = esk;
  };
  if (plan.access == partiql::SelectPlan::Access::kScan) {
    ScanInput scan;
    page_input(&scan, start.key, in.limit);
    BASALT_ASSIGN_OR_RETURN(ReadPageOutput page, queries_->Scan(scope, scan));
    AddCapacity(page.capacity, &capacity);
    for (model::Item& item : page.items) BASALT_RETURN_IF_ERROR(AddRow(plan, std::move(item), &out.items));
    if (page.last_evaluated_key) {
      out.next_token = EncodeToken(in.statement, Position{0, page.last_evaluated_key});
      out.last_evaluated_key = std::move(page.last_evaluated_key);
    }
    out.capacity = std::move(capacity);
    return out;
  }
  // One Query per partition value, in the plan's order; a page goes on into
  // the next partition until Limit items were read.
  int64_t read = 0;
  std::optional<model::Item> esk = start.key;
  for (size_t i = start.partition; i < plan.key_conditions.size(); ++i) {
    QueryInput query;
    std::optional<int64_t> left;
    if (in.limit) left = *in.limit - read;
    page_input(&query, esk, left);
    BASALT_ASSIGN_OR_RETURN(query.key_condition, expr::KeyTermsOf(plan.key_conditions[i]));
    query.forward = plan.forward;
    BASALT_ASSIGN_OR_RETURN(ReadPageOutput page, queries_->Query(scope, query));
    AddCapacity(page.capacity, &capacity);
    for (model::Item& item : page.items) BASALT_RETURN_IF_ERROR(AddRow(plan, std::move(item), &out.items));
    read += page.scanned_count;
    esk.reset();
    if (page.last_evaluated_key) {
      out.next_token = EncodeToken(in.statement, Position{i, page.last_evaluated_key});
      out.last_evaluated_key = std::move(page.last_evaluated_key);
      break;
    }
    if (in.limit && read >= *in.limit) {
      if (i + 1 < plan.key_conditions.size()) out.next_token = EncodeToken(in.statement, Position{i + 1, {}});
      break;
    }
  }
  out.capacity = std::move(capacity);
  return out;
}

Result<StatementOutput> Statements::Write(const Scope& scope, const Prepared& p, const StatementInput& in) {
  StatementOutput out;
  const std::string& table = p.table->name;
  ItemOutput written;
  if (const auto* insert = std::get_if<partiql::InsertPlan>(&p.plan)) {
    PutItemInput put{table, insert->item};
    put.insert_only = true;
    BASALT_ASSIGN_OR_RETURN(written, items_->PutItem(scope, put));
  } else if (const auto* update = std::get_if<partiql::UpdatePlan>(&p.plan)) {
    UpdateItemInput u{table, update->key, update->update, ReturnValuesOf(update->returning),
                      WriteCondition{update->condition, in.return_old_on_failure}};
    BASALT_ASSIGN_OR_RETURN(written, items_->UpdateItem(scope, u));
  } else if (const auto* del = std::get_if<partiql::DeletePlan>(&p.plan)) {
    KeyInput d{table, del->key, del->returning == partiql::ReturnValues::kAllOld, false, std::nullopt,
               WriteCondition{del->condition, in.return_old_on_failure}};
    BASALT_ASSIGN_OR_RETURN(written, items_->DeleteItem(scope, d));
  } else {
    return Status::Validation("EXISTS can only be used in ExecuteTransaction write requests.");
  }
  // RETURNING's image, when there is one (INSERT returns nothing).
  if (written.item) out.items.push_back(std::move(*written.item));
  out.capacity = std::move(written.capacity);
  return out;
}

Result<StatementOutput> Statements::ExecuteStatement(const Scope& caller, const StatementInput& in) {
  const Scope scope = PartiQLScope(caller);
  BASALT_ASSIGN_OR_RETURN(Prepared p, Prepare(scope, in, partiql::Context::kExecuteStatement));
  return p.read ? Select(scope, p, in) : Write(scope, p, in);
}

Result<BatchStatementOutput> Statements::BatchExecuteStatement(const Scope& caller,
                                                                const std::vector<StatementInput>& in) {
  const Scope scope = PartiQLScope(caller);
  BatchStatementOutput out;
  out.responses.resize(in.size());
  std::vector<std::optional<Prepared>> prepared(in.size());
  bool reads = false, writes = false;
  UniqueKeys seen;
  for (size_t i = 0; i < in.size(); ++i) {
    Result<Prepared> p = Prepare(scope, in[i], partiql::Context::kBatch);
    if (!p.ok()) {
      out.responses[i].error = p.status();
      continue;
    }
    out.responses[i].table = p->table->name;
    (p->read ? reads : writes) = true;
    if (!p->read) {
      // One item twice refuses the whole batch, as BatchWriteItem does.
      auto key = model::KeyFromItem(p->table->key_schema, KeyOf(p->plan));
      if (key.ok()) BASALT_RETURN_IF_ERROR(seen.Add(StorageKey(*p->table, *key)));
    }
    prepared[i] = std::move(*p);
  }
  // DynamoDB Local's wording for the reference's rule.
  if (reads && writes) return Status::Validation("Read and write requests together in the same batch is not supported.");
  std::map<std::string, ConsumedCapacity> capacity;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!prepared[i]) continue;
    const Prepared& p = *prepared[i];
    Result<StatementOutput> r = p.read ? Select(scope, p, in[i]) : Write(scope, p, in[i]);
    if (!r.ok()) {
      out.responses[i].error = r.status();
      continue;
    }
    if (p.read && !r->items.empty()) out.responses[i].item = std::move(r->items[0]);
    if (r->capacity) {
      AddCapacity(*r->capacity, &capacity.try_emplace(p.table->name, ConsumedCapacity{p.table->name}).first->second);
    }
  }
  for (auto& [name, c] : capacity) out.capacity.push_back(std::move(c));
  return out;
}

Result<TransactionStatementsOutput> Statements::ExecuteTransaction(const Scope& caller,
                                                                    const TransactionStatementsInput& in) {
  const Scope scope = PartiQLScope(caller);
  std::vector<Prepared> prepared;
  bool reads = false, writes = false;
  for (size_t i = 0; i < in.statements.size(); ++i) {
    Result<Prepared> p = Prepare(scope, in.statements[i], partiql::Context::kTransaction);
    if (!p.ok()) {
      if (p.status().code() != Code::kValidation) return p.status();
      return Status::Validation("Validation failed in TransactStatements[" + std::to_string(i) +
                                "]: " + p.status().message());
    }
    (p->read ? reads : writes) = true;
    prepared.push_back(std::move(*p));
  }
  if (reads && writes) {
    // DynamoDB Local's wording for the reference's rule.
    return Status::Validation(
        "ExecuteTransaction API does not support both read and write operations in the same request.");
  }
  TransactionStatementsOutput out;
  if (reads) {
    std::vector<TransactGet> gets;
    for (const Prepared& p : prepared) gets.push_back(TransactGet{p.table->name, KeyOf(p.plan), std::nullopt});
    BASALT_ASSIGN_OR_RETURN(TransactGetOutput got, transactions_->TransactGetItems(scope, gets));
    for (size_t i = 0; i < prepared.size(); ++i) {
      std::vector<model::Item> rows;
      if (got.items[i]) {
        BASALT_RETURN_IF_ERROR(AddRow(std::get<partiql::SelectPlan>(prepared[i].plan), std::move(*got.items[i]), &rows));
      }
      out.items.push_back(rows.empty() ? std::nullopt : std::optional<model::Item>(std::move(rows[0])));
    }
    out.capacity = std::move(got.capacity);
    return out;
  }
  TransactWriteInput tx;
  tx.client_token = in.client_token;
  tx.fingerprint = in.fingerprint;
  for (size_t i = 0; i < prepared.size(); ++i) {
    const Prepared& p = prepared[i];
    const bool return_old = in.statements[i].return_old_on_failure;
    TransactAction a;
    a.table = p.table->name;
    a.item = KeyOf(p.plan);
    if (std::holds_alternative<partiql::InsertPlan>(p.plan)) {
      a.kind = TransactAction::kInsert;
    } else if (const auto* update = std::get_if<partiql::UpdatePlan>(&p.plan)) {
      a.kind = TransactAction::kUpdate;
      a.update = update->update;
      a.condition = WriteCondition{update->condition, return_old};
    } else if (const auto* del = std::get_if<partiql::DeletePlan>(&p.plan)) {
      a.kind = TransactAction::kDelete;
      a.condition = WriteCondition{del->condition, return_old};
    } else {
      a.kind = TransactAction::kConditionCheck;
      a.condition = WriteCondition{std::get<partiql::ConditionCheckPlan>(p.plan).condition, return_old};
    }
    tx.actions.push_back(std::move(a));
  }
  Result<TransactWriteOutput> written = transactions_->TransactWriteItems(scope, tx);
  if (!written.ok() && written.status().code() == Code::kIdempotentParameterMismatch) {
    return Status(Code::kIdempotentParameterMismatch,
                  "Specified idempotent token was used with different request parameters within the idempotency "
                  "window");
  }
  BASALT_RETURN_IF_ERROR(written.status());
  out.capacity = std::move(written->capacity);
  return out;
}

}  // namespace basalt::db
