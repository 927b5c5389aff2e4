// ClientRequestTokens of TransactWriteItems (and ExecuteTransaction): the
// same token with the same request within 10 minutes answers as the first
// call did, without applying anything again; with another request it is
// IdempotentParameterMismatch; while the first call runs, another with the
// token is TransactionInProgressException. A cancelled transaction frees
// its token.
//
// The tokens live in the MetaStore, so they outlive a restart and are
// shared by front-ends on one store (RADOS): a token is claimed with a
// compare-and-put (MetaStore::PutIf), so two front-ends never both run one.
// A front-end that dies mid-transaction leaves its token in progress until
// it expires. On the embedded engine the entries are written without an
// fsync of their own (MetaStore::Unsynced): a claim reaches the disk with
// its transaction's synced commit, an answer with the next synced write, so
// only a crash right after a transaction can lose its token (the retry
// then applies it again, as before tokens were stored). On disk (sync
// mode), a TransactWriteItems of two puts took 1.35 ms before tokens were
// stored, 2.3 ms with synced token writes and 1.5-1.75 ms unsynced; the
// SDKs send a token with every call.
//
// Stored form:
//   key     "txn-token/" ns 0x00 token
//   value   u8(1) varint(fingerprint) f64(expires) u8(done) [output]        output when done
//   output  varint(n) capacity*n varint(m) (lp(table) varint(k) metric*k)*m
//   capacity  lp(table) f64(read) f64(write) units(global) units(local)
//   units   varint(n) (lp(index) f64)*n
//   metric  lp(key: model/item_codec) f64(low_gb) f64(high_gb)
//   lp      varint length, bytes;  f64: the IEEE bits as u64be
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "db/requests.h"
#include "storage/engine.h"

namespace basalt::db {

class TransactionTokens {
 public:
  static constexpr double kTokenSeconds = 600;

  TransactionTokens(storage::MetaStore* meta, const Clock* clock) : meta_(meta), clock_(clock) {}

  // The answer to a token seen before (nullopt: a new token, now claimed
  // for this call, which must Finish it).
  std::optional<Result<TransactWriteOutput>> Begin(const std::string& ns, const std::string& token,
                                                   uint64_t fingerprint);
  // The claimed token's transaction ended: with `output`, or cancelled
  // (null), which frees the token for another try.
  void Finish(const std::string& ns, const std::string& token, const TransactWriteOutput* output);

 private:
  struct Entry {
    uint64_t fingerprint = 0;
    double expires = 0;
    bool done = false;
    TransactWriteOutput output;
  };
  static std::string Key(const std::string& ns, const std::string& token);
  static std::string Encode(const Entry& e);
  static bool Decode(std::string_view in, Entry* e);
  // Drops expired tokens, at most once a minute.
  void DropExpired(double now);

  storage::MetaStore* meta_;
  const Clock* clock_;
  std::atomic<double> last_sweep_{0};
};

}  // namespace basalt::db
