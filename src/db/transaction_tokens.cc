#include "db/transaction_tokens.h"

#include "common/coding.h"
#include "common/log.h"
#include "model/item_codec.h"
#include "db/meta_keys.h"

namespace basalt::db {
namespace {

constexpr std::string_view kPrefix = "txn-token/";
constexpr uint8_t kFormat = 1;

void PutUnits(std::string* out, const std::map<std::string, double>& units) {
  PutVarint64(out, units.size());
  for (const auto& [name, u] : units) {
    PutLengthPrefixed(out, name);
    PutF64(out, u);
  }
}

bool GetUnits(std::string_view* in, std::map<std::string, double>* units) {
  uint64_t n = 0;
  if (!GetVarint64(in, &n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    double u = 0;
    if (!GetString(in, &name) || !GetF64(in, &u)) return false;
    (*units)[name] = u;
  }
  return true;
}

}  // namespace

std::string TransactionTokens::Key(const std::string& ns, const std::string& token) {
  return NamespacedKey(kPrefix, ns, token);
}

std::string TransactionTokens::Encode(const Entry& e) {
  std::string out(1, static_cast<char>(kFormat));
  PutVarint64(&out, e.fingerprint);
  PutF64(&out, e.expires);
  out.push_back(e.done ? 1 : 0);
  if (!e.done) return out;
  PutVarint64(&out, e.output.capacity.size());
  for (const ConsumedCapacity& c : e.output.capacity) {
    PutLengthPrefixed(&out, c.table);
    PutF64(&out, c.read_units);
    PutF64(&out, c.write_units);
    PutUnits(&out, c.global_indexes);
    PutUnits(&out, c.local_indexes);
  }
  PutVarint64(&out, e.output.collections.size());
  for (const auto& [table, metrics] : e.output.collections) {
    PutLengthPrefixed(&out, table);
    PutVarint64(&out, metrics.size());
    for (const ItemCollectionMetrics& m : metrics) {
      std::string key;
      model::EncodeItem(m.key, &key);
      PutLengthPrefixed(&out, key);
      PutF64(&out, m.low_gb);
      PutF64(&out, m.high_gb);
    }
  }
  return out;
}

bool TransactionTokens::Decode(std::string_view in, Entry* e) {
  uint8_t format = 0, done = 0;
  if (!GetU8(&in, &format) || format != kFormat || !GetVarint64(&in, &e->fingerprint) || !GetF64(&in, &e->expires) ||
      !GetU8(&in, &done)) {
    return false;
  }
  e->done = done != 0;
  if (!e->done) return in.empty();
  uint64_t n = 0;
  if (!GetVarint64(&in, &n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    ConsumedCapacity c;
    if (!GetString(&in, &c.table) || !GetF64(&in, &c.read_units) || !GetF64(&in, &c.write_units) ||
        !GetUnits(&in, &c.global_indexes) || !GetUnits(&in, &c.local_indexes)) {
      return false;
    }
    e->output.capacity.push_back(std::move(c));
  }
  if (!GetVarint64(&in, &n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string table;
    uint64_t k = 0;
    if (!GetString(&in, &table) || !GetVarint64(&in, &k)) return false;
    auto& metrics = e->output.collections[table];
    for (uint64_t j = 0; j < k; ++j) {
      ItemCollectionMetrics m;
      std::string_view key;
      if (!GetLengthPrefixed(&in, &key) || !model::DecodeItem(key, &m.key).ok() || !GetF64(&in, &m.low_gb) ||
          !GetF64(&in, &m.high_gb)) {
        return false;
      }
      metrics.push_back(std::move(m));
    }
  }
  return in.empty();
}

std::optional<Result<TransactWriteOutput>> TransactionTokens::Begin(const std::string& ns, const std::string& token,
                                                                    uint64_t fingerprint) {
  const double now = clock_->Now();
  DropExpired(now);
  const std::string key = Key(ns, token);
  for (;;) {
    std::optional<std::string> stored;
    if (Status st = meta_->Get(key, &stored); !st.ok()) return Result<TransactWriteOutput>(std::move(st));
    Entry e;
    if (stored && !Decode(*stored, &e)) return Result<TransactWriteOutput>(Status::Internal("corrupt token " + token));
    if (!stored || e.expires <= now) {
      // New (or expired): claimed only if no other call claimed it meanwhile.
      Entry claim{fingerprint, now + kTokenSeconds, false, {}};
      Status st = meta_->PutIf(key, stored, Encode(claim));
      if (st.code() == Code::kConditionalCheckFailed) continue;
      if (!st.ok()) return Result<TransactWriteOutput>(std::move(st));
      return std::nullopt;
    }
    if (e.fingerprint != fingerprint) {
      // DynamoDB Local's (empty) message; the service's is not known.
      return Result<TransactWriteOutput>(Status(Code::kIdempotentParameterMismatch, ""));
    }
    if (!e.done) {
      return Result<TransactWriteOutput>(
          Status(Code::kTransactionInProgress, "Transaction with the given request token is already in progress"));
    }
    return Result<TransactWriteOutput>(std::move(e.output));
  }
}

void TransactionTokens::Finish(const std::string& ns, const std::string& token, const TransactWriteOutput* output) {
  const std::string key = Key(ns, token);
  Status st;
  if (!output) {
    st = meta_->Delete(key);
  } else {
    std::optional<std::string> stored;
    Entry e;
    st = meta_->Get(key, &stored);
    if (st.ok() && stored && Decode(*stored, &e)) {
      e.done = true;
      e.output = *output;
      st = meta_->Put(key, Encode(e));
    }
  }
  // The transaction itself stands; only a retry with the token would run it again.
  if (!st.ok()) Log(LogLevel::kWarn, "ClientRequestToken " + token + " was not recorded: " + st.message());
}

void TransactionTokens::DropExpired(double now) {
  double last = last_sweep_.load();
  if (now - last < 60 || !last_sweep_.compare_exchange_strong(last, now)) return;
  std::vector<std::pair<std::string, std::string>> rows;
  if (!meta_->List(kPrefix, &rows).ok()) return;
  for (const auto& [key, value] : rows) {
    Entry e;
    if (!Decode(value, &e) || e.expires <= now) meta_->Delete(key).IgnoreError();
  }
}

}  // namespace basalt::db
