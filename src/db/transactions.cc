// TransactWriteItems and TransactGetItems.
//
// A transaction is the write path's ApplyTransaction: its items are claimed
// against other transactions (a conflict cancels, as in DynamoDB), every
// action's change is evaluated, and all of them commit in one atomic Commit
// with a compare-and-set per item, so a transaction is serializable with
// other transactions and with single-item writes. TransactGetItems reads
// every item from one snapshot, so it never sees part of a transaction.
#include <algorithm>
#include <cmath>

#include "db/capacity.h"
#include "db/database.h"
#include "db/item_changes.h"
#include "model/item.h"

namespace basalt::db {
namespace {

constexpr double kTokenSeconds = 600;  // ClientRequestToken idempotency window
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

Status Canceled(std::vector<CancellationReason> reasons) {
  std::string codes;
  for (size_t i = 0; i < reasons.size(); ++i) codes += (i ? ", " : "") + reasons[i].code;
  auto detail = std::make_shared<TransactionCanceled>();
  detail->reasons = std::move(reasons);
  return Status(Code::kTransactionCanceled,
                "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]")
      .WithDetail(std::move(detail));
}

// Capacity by table, in name order.
std::vector<ConsumedCapacity> ByTable(std::map<std::string, ConsumedCapacity> units) {
  std::vector<ConsumedCapacity> out;
  for (auto& [name, c] : units) out.push_back(std::move(c));
  return out;
}

}  // namespace

Result<TransactWriteOutput> Database::TransactWriteItems(const Scope& scope, const TransactWriteInput& in) {
  std::vector<ItemWrite> writes;
  writes.reserve(in.actions.size());
  std::vector<storage::Key> seen;
  for (const TransactAction& a : in.actions) {
    BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, a.table));
    model::PrimaryKey key;
    if (a.kind == TransactAction::kPut) {
      BASALT_ASSIGN_OR_RETURN(key, model::KeyFromItem(table->key_schema, a.item));
      BASALT_RETURN_IF_ERROR(CheckItemSize(a.item));
    } else {
      BASALT_ASSIGN_OR_RETURN(key, model::KeyFromKeyMap(table->key_schema, a.item));
    }
    BASALT_RETURN_IF_ERROR(AddUnique(WritePath::StorageKey(*table, key), &seen, kSameItem));
    writes.push_back(ItemWrite{table, std::move(key), {}});
  }
  for (size_t i = 0; i < writes.size(); ++i) {
    const TransactAction& a = in.actions[i];
    switch (a.kind) {
      case TransactAction::kPut: writes[i].change = PutChange(a.item, a.condition); break;
      case TransactAction::kDelete: writes[i].change = DeleteChange(a.condition); break;
      case TransactAction::kUpdate:
        writes[i].change = UpdateChange(*writes[i].table, writes[i].key, a.update, a.condition);
        break;
      case TransactAction::kConditionCheck:
        writes[i].change = CheckChange(a.condition);
        writes[i].check_only = true;
        break;
    }
  }

  // The same token and request within the window answer as the first did.
  if (in.client_token) {
    std::lock_guard lock(tokens_mu_);
    double now = clock_->Now();
    std::erase_if(tokens_, [&](const auto& e) { return e.second.expires_at <= now; });
    auto it = tokens_.find(*in.client_token);
    if (it != tokens_.end()) {
      if (it->second.fingerprint != in.fingerprint) {
        return Status(Code::kIdempotentParameterMismatch,
                      "Request with the same client token was made with different parameters");
      }
      if (!it->second.done) {
        return Status(Code::kTransactionInProgress,
                      "Transaction with the given request token is already in progress");
      }
      return it->second.output;
    }
    tokens_[*in.client_token] = TokenEntry{in.fingerprint, now + kTokenSeconds, false, {}};
  }

  std::vector<ItemWriteResult> results;
  Status st = write_path_.ApplyTransaction(writes, &results);
  if (!st.ok()) {
    if (in.client_token) {
      // A cancelled transaction applied nothing: the token may be used again.
      std::lock_guard lock(tokens_mu_);
      tokens_.erase(*in.client_token);
    }
    if (st.code() != Code::kTransactionCanceled) return st;
    std::vector<CancellationReason> reasons;
    for (size_t i = 0; i < results.size(); ++i) {
      reasons.push_back(ReasonFor(results[i].error, in.actions[i].condition.return_old_on_failure));
    }
    return Canceled(std::move(reasons));
  }

  // Transactional writes cost twice the units of plain ones.
  TransactWriteOutput out;
  std::map<std::string, ConsumedCapacity> units;
  for (size_t i = 0; i < results.size(); ++i) {
    const ItemWriteResult& r = results[i];
    ConsumedCapacity& c = units.try_emplace(in.actions[i].table, ConsumedCapacity{in.actions[i].table}).first->second;
    c.write_units += 2 * WriteUnits(std::max(r.old_size, r.new_size));
    std::vector<IndexUnits> doubled = r.index_units;
    for (auto& u : doubled) u.units *= 2;
    c.AddIndexUnits(doubled);
    if (auto m = CollectionMetrics(*writes[i].table, writes[i].key, r)) {
      out.collections[in.actions[i].table].push_back(std::move(*m));
    }
  }
  out.capacity = ByTable(std::move(units));
  if (in.client_token) {
    std::lock_guard lock(tokens_mu_);
    auto it = tokens_.find(*in.client_token);
    if (it != tokens_.end()) {
      it->second.done = true;
      it->second.output = out;
    }
  }
  return out;
}

Result<TransactGetOutput> Database::TransactGetItems(const Scope& scope, const std::vector<TransactGet>& in) {
  std::vector<std::shared_ptr<const TableMeta>> tables;
  std::vector<model::PrimaryKey> keys;
  std::vector<storage::Key> seen;
  for (const TransactGet& g : in) {
    BASALT_ASSIGN_OR_RETURN(auto table, FindActive(scope, g.table));
    BASALT_ASSIGN_OR_RETURN(model::PrimaryKey key, model::KeyFromKeyMap(table->key_schema, g.key));
    BASALT_RETURN_IF_ERROR(AddUnique(WritePath::StorageKey(*table, key), &seen, kSameItem));
    tables.push_back(std::move(table));
    keys.push_back(std::move(key));
  }
  // An item a transaction is writing cancels the read, as in DynamoDB.
  std::vector<CancellationReason> reasons(in.size(), CancellationReason{"None", "", std::nullopt});
  bool conflict = false;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (write_path_.InTransaction({seen[i]})) {
      reasons[i] = CancellationReason{"TransactionConflict", "Transaction is ongoing for the item", std::nullopt};
      conflict = true;
    }
  }
  if (conflict) return Canceled(std::move(reasons));

  std::vector<std::pair<const TableMeta*, const model::PrimaryKey*>> refs;
  for (size_t i = 0; i < in.size(); ++i) refs.emplace_back(tables[i].get(), &keys[i]);
  TransactGetOutput out;
  BASALT_RETURN_IF_ERROR(write_path_.ReadMany(refs, &out.items));
  std::map<std::string, ConsumedCapacity> units;
  for (size_t i = 0; i < in.size(); ++i) {
    ConsumedCapacity& c = units.try_emplace(in[i].table, ConsumedCapacity{in[i].table}).first->second;
    size_t size = out.items[i] ? model::ItemSize(*out.items[i]) : 0;
    c.read_units += 2 * ReadUnits(size, true);
    if (out.items[i] && in[i].projection) out.items[i] = expr::ApplyProjection(*in[i].projection, *out.items[i]);
  }
  out.capacity = ByTable(std::move(units));
  return out;
}

}  // namespace basalt::db
