#include "db/transactions.h"

#include <algorithm>
#include <cmath>

#include "db/capacity.h"
#include "db/item_changes.h"
#include "model/item.h"
#include "model/limits.h"

namespace basalt::db {
namespace {

constexpr const char* kSameItem = "Transaction request cannot include multiple operations on one item";

// DynamoDB's reason for one failed action.
CancellationReason ReasonFor(const Status& st, bool return_old) {
  CancellationReason r;
  switch (st.code()) {
    case Code::kOk: r.code = "None"; break;
    case Code::kConditionalCheckFailed:
      r.code = "ConditionalCheckFailed";
      r.message = st.message();
      if (const auto* f = st.detail<ConditionFailure>(); f && return_old) r.item = f->item;
      break;
    case Code::kTransactionConflict:
      r.code = "TransactionConflict";
      r.message = st.message();
      break;
    case Code::kProvisionedThroughputExceeded:
      r.code = "ProvisionedThroughputExceeded";
      r.message = st.message();
      break;
    case Code::kThrottling:
    case Code::kRequestLimitExceeded:
      r.code = "ThrottlingError";
      r.message = st.message();
      break;
    case Code::kItemCollectionSizeLimitExceeded:
      r.code = "ItemCollectionSizeLimitExceeded";
      r.message = st.message();
      break;
    default:
      r.code = "ValidationError";
      r.message = st.message();
      break;
  }
  return r;
}

bool HasKeyOfWrongType(const model::KeySchema& ks, const model::Item& item) {
  for (const model::KeyAttribute* a : model::KeyAttributes(ks)) {
    auto it = item.find(a->name);
    if (it != item.end() && it->second.type() != a->type) return true;
  }
  return false;
}

Status Canceled(std::vector<CancellationReason> reasons) {
  std::string codes;
  for (size_t i = 0; i < reasons.size(); ++i) codes += (i ? ", " : "") + reasons[i].code;
  auto detail = std::make_shared<TransactionCanceled>();
  detail->reasons = std::move(reasons);
  return Status(Code::kTransactionCanceled,
                "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]")
      .WithDetail(std::move(detail));
}

// The table named `name`, looked up with `find` only the first time a
// request names it: most transactions touch one or two tables, and each
// lookup is a shared lock and a shared_ptr copy, atomics every core touches.
template <typename Find>
Result<std::shared_ptr<const TableMeta>> TableOnce(const std::string& name,
                                                    std::vector<std::shared_ptr<const TableMeta>>* known,
                                                    const Find& find) {
  for (const auto& t : *known) {
    if (t->name == name) return t;
  }
  BASALT_ASSIGN_OR_RETURN(auto table, find(name));
  known->push_back(table);
  return table;
}

}  // namespace

Result<TransactWriteOutput> Transactions::TransactWriteItems(const Scope& scope, const TransactWriteInput& in) {
  // An action whose key does not fit its table is a reason for cancelling,
  // reported with those of the other actions (which are still evaluated).
  std::vector<ItemWrite> writes;
  std::vector<size_t> action_of;  // writes[j] is in.actions[action_of[j]]
  std::vector<Status> key_errors(in.actions.size());
  bool any_key_error = false;
  UniqueKeys seen;
  std::vector<std::shared_ptr<const TableMeta>> known;
  auto find = [&](const std::string& name) { return catalog_->FindActive(scope.ns, name); };
  for (size_t i = 0; i < in.actions.size(); ++i) {
    const TransactAction& a = in.actions[i];
    BASALT_ASSIGN_OR_RETURN(auto table, TableOnce(a.table, &known, find));
    const bool whole_item = a.kind == TransactAction::kPut || a.kind == TransactAction::kInsert;
    Result<model::PrimaryKey> key = whole_item ? model::KeyFromItem(table->key_schema, a.item)
                                               : model::KeyFromKeyMap(table->key_schema, a.item);
    if (!key.ok()) {
      // A key value of the wrong type cancels the transaction (with a
      // reason); any other fault of the key is a fault of the request.
      if (!HasKeyOfWrongType(table->key_schema, a.item)) return key.status();
      key_errors[i] = key.status();
      any_key_error = true;
      continue;
    }
    if (whole_item) BASALT_RETURN_IF_ERROR(CheckItemSize(a.item));
    BASALT_RETURN_IF_ERROR(seen.Add(StorageKey(*table, *key), kSameItem));
    writes.push_back(ItemWrite{table, std::move(*key), {}});
    writes.back().partiql = scope.partiql;
    action_of.push_back(i);
  }
  for (size_t j = 0; j < writes.size(); ++j) {
    const TransactAction& a = in.actions[action_of[j]];
    switch (a.kind) {
      case TransactAction::kPut: writes[j].change = PutChange(a.item, a.condition); break;
      case TransactAction::kInsert: writes[j].change = InsertChange(a.item); break;
      case TransactAction::kDelete: writes[j].change = DeleteChange(a.condition); break;
      case TransactAction::kUpdate:
        writes[j].change = UpdateChange(*writes[j].table, writes[j].key, a.update, a.condition);
        break;
      case TransactAction::kConditionCheck:
        writes[j].change = CheckChange(a.condition);
        writes[j].check_only = true;
        break;
    }
  }

  // The same token and request within the window answer as the first did.
  if (in.client_token) {
    if (auto replay = tokens_.Begin(scope.ns, *in.client_token, in.fingerprint)) return std::move(*replay);
  }
  WriteOutcome outcome;
  Status st = write_path_->Write(writes, any_key_error ? WriteMode::kTransactionDryRun : WriteMode::kTransaction,
                                 &outcome);
  if (!st.ok()) {
    // A cancelled transaction applied nothing: the token may be used again.
    if (in.client_token) tokens_.Finish(scope.ns, *in.client_token, nullptr);
    if (st.code() != Code::kTransactionCanceled) return st;
    std::vector<CancellationReason> reasons;
    for (size_t i = 0; i < in.actions.size(); ++i) reasons.push_back(ReasonFor(key_errors[i], false));
    for (size_t j = 0; j < outcome.items.size(); ++j) {
      reasons[action_of[j]] =
          ReasonFor(outcome.items[j].error, in.actions[action_of[j]].condition.return_old_on_failure);
    }
    return Canceled(std::move(reasons));
  }
  TransactWriteOutput out{std::move(outcome.capacity), std::move(outcome.collections)};
  if (in.client_token) tokens_.Finish(scope.ns, *in.client_token, &out);
  return out;
}

Result<TransactGetOutput> Transactions::TransactGetItems(const Scope& scope, const std::vector<TransactGet>& in) {
  std::vector<std::shared_ptr<const TableMeta>> tables;
  std::vector<model::PrimaryKey> keys;
  UniqueKeys seen;
  tables.reserve(in.size());
  keys.reserve(in.size());
  seen.reserve(in.size());
  std::vector<std::shared_ptr<const TableMeta>> known;
  auto find = [&](const std::string& name) { return catalog_->FindActive(scope.ns, name); };
  // A key that does not fit its table cancels the read with a ValidationError
  // reason for that item (the TransactGetItems reference: "a user error,
  // such as an invalid data format"), after every key was looked at.
  std::vector<CancellationReason> key_reasons;
  for (const TransactGet& g : in) {
    BASALT_ASSIGN_OR_RETURN(auto table, TableOnce(g.table, &known, find));
    Result<model::PrimaryKey> key = model::KeyFromKeyMap(table->key_schema, g.key);
    if (!key.ok()) {
      key_reasons.resize(in.size(), CancellationReason{"None", "", std::nullopt});
      key_reasons[tables.size()] = ReasonFor(key.status(), false);
      key = model::PrimaryKey{};
    } else {
      BASALT_RETURN_IF_ERROR(seen.Add(StorageKey(*table, *key), kSameItem));
    }
    tables.push_back(std::move(table));
    keys.push_back(std::move(*key));
  }
  if (!key_reasons.empty()) return Canceled(std::move(key_reasons));
  // An item a transaction is writing cancels the read, as in DynamoDB.
  if (write_path_->InTransaction(seen.keys())) {
    std::vector<CancellationReason> reasons(in.size(), CancellationReason{"None", "", std::nullopt});
    for (size_t i = 0; i < seen.keys().size(); ++i) {
      if (write_path_->InTransaction({seen.keys()[i]})) {
        reasons[i] = CancellationReason{"TransactionConflict", "Transaction is ongoing for the item", std::nullopt};
      }
    }
    return Canceled(std::move(reasons));
  }

  const bool recording = insights_ && insights_->Any() && !scope.partiql;
  // With --capacity=enforce, an item whose table is out of capacity cancels
  // the read with its throttling reason.
  if (throttle_) {
    std::vector<CancellationReason> reasons(in.size(), CancellationReason{"None", "", std::nullopt});
    bool throttled = false;
    for (size_t i = 0; i < in.size(); ++i) {
      Status st = throttle_->AdmitRead(*tables[i], nullptr, &seen.keys()[i].pk);
      if (st.ok()) continue;
      if (recording) insights_->RecordItem(*tables[i], keys[i], nullptr);
      reasons[i] = ReasonFor(st, false);
      throttled = true;
    }
    if (throttled) return Canceled(std::move(reasons));
  }
  std::vector<std::pair<const TableMeta*, const model::PrimaryKey*>> refs;
  for (size_t i = 0; i < in.size(); ++i) refs.emplace_back(tables[i].get(), &keys[i]);
  TransactGetOutput out;
  if (Status st = read_path_->ReadMany(refs, &out.items, /*transactional=*/true); !st.ok()) {
    if (st.code() != Code::kTransactionConflict) return st;
    // Another front-end's transaction holds an item (the rados engine).
    const auto* on = st.detail<storage::ConflictOn>();
    std::vector<CancellationReason> reasons(in.size(), CancellationReason{"None", "", std::nullopt});
    for (size_t i = 0; i < seen.keys().size(); ++i) {
      if (!on || (seen.keys()[i].table == on->table && seen.keys()[i].pk == on->pk)) reasons[i] = ReasonFor(st, false);
    }
    return Canceled(std::move(reasons));
  }
  // Capacity by table, in name order; transactional reads cost twice.
  // The items read together may not exceed 4 MB, as a transaction's writes
  // may not. DynamoDB Local's wording (the size read when the limit was
  // passed follows the text); the service's is not documented.
  size_t total = 0;
  for (const auto& item : out.items) {
    total += item ? model::ItemSize(*item) : 0;
    if (total > model::kMaxTransactPayloadBytes) {
      return Status::Validation("Payload in response is too large." + std::to_string(total));
    }
  }
  std::map<std::string, ConsumedCapacity> units;
  for (size_t i = 0; i < in.size(); ++i) {
    ConsumedCapacity& c = units.try_emplace(in[i].table, ConsumedCapacity{in[i].table}).first->second;
    size_t size = out.items[i] ? model::ItemSize(*out.items[i]) : 0;
    const double read_units = 2 * ReadUnits(size, true);
    c.read_units += read_units;
    if (throttle_) throttle_->ChargeRead(*tables[i], nullptr, &seen.keys()[i].pk, read_units);
    if (recording) insights_->RecordItem(*tables[i], keys[i], &read_units);
    if (out.items[i] && in[i].projection) out.items[i] = expr::ApplyProjection(*in[i].projection, *out.items[i]);
  }
  for (auto& [name, c] : units) out.capacity.push_back(std::move(c));
  return out;
}

}  // namespace basalt::db
