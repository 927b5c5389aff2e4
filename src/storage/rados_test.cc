// Tests for the rados engine's layout (rados_layout.h), which need no
// cluster. The engine itself runs the engine tests of storage_test.cc
// (EngineTest/Rados) when BASALT_RADOS_CONF and BASALT_RADOS_POOL name a
// cluster (scripts/rados-dev-cluster.sh starts one).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/key_format.h"
#include "storage/rados_engine.h"
#include "storage/rados_layout.h"

namespace basalt::storage::rados_layout {
namespace {

TEST(RadosLayoutTest, TableNamespacesRoundTripAndRejectOthers) {
  EXPECT_EQ(TableNamespace(0x1f), "t000000000000001f");
  EXPECT_EQ(ParseTableNamespace(TableNamespace(0x1f)), 0x1fu);
  EXPECT_EQ(ParseTableNamespace(TableNamespace(~uint64_t{0})), ~uint64_t{0});
  EXPECT_FALSE(ParseTableNamespace("t1f").has_value());
  EXPECT_FALSE(ParseTableNamespace("x000000000000001f").has_value());
  EXPECT_FALSE(ParseTableNamespace("t00000000000000zz").has_value());
}

TEST(RadosLayoutTest, PartitionRefsRoundTripAndRejectOthers) {
  const std::string object = PartitionObject("a/b");
  EXPECT_EQ(PartitionRef(0x1f, object), "t000000000000001f/" + object);
  EXPECT_EQ(ParsePartitionRef(PartitionRef(0x1f, object)), std::make_pair(uint64_t{0x1f}, object));
  EXPECT_FALSE(ParsePartitionRef("t000000000000001f").has_value());
  EXPECT_FALSE(ParsePartitionRef("x000000000000001f/" + object).has_value());
}

TEST(RadosLayoutTest, ShortPartitionKeysAreSpelledOutInTheObjectName) {
  const std::string pk("a\0\xFF", 3);
  char hash[9];
  snprintf(hash, sizeof hash, "%08x", PartitionHash(pk));
  EXPECT_EQ(PartitionObject(pk), std::string(hash) + ".6100ff");
  uint32_t h;
  std::string parsed;
  bool whole;
  ASSERT_TRUE(ParsePartitionObject(PartitionObject(pk), &h, &parsed, &whole));
  EXPECT_TRUE(whole);
  EXPECT_EQ(parsed, pk);
  EXPECT_EQ(h, PartitionHash(pk));
  ASSERT_TRUE(ParsePartitionObject(PartitionObject(""), &h, &parsed, &whole));
  EXPECT_EQ(parsed, "");
  EXPECT_EQ(h, PartitionHash(""));
}

TEST(RadosLayoutTest, LongPartitionKeysGetBoundedDistinctNames) {
  const std::string a(2048, 'a');
  std::string b = a;
  b.back() = 'b';  // differs after the spelled-out part
  const std::string na = PartitionObject(a), nb = PartitionObject(b);
  EXPECT_NE(na, nb);
  EXPECT_LE(na.size(), 2048u - 100);  // under RADOS' default object name limit
  uint32_t h;
  std::string parsed;
  bool whole = true;
  ASSERT_TRUE(ParsePartitionObject(na, &h, &parsed, &whole));
  EXPECT_FALSE(whole);
  EXPECT_EQ(h, PartitionHash(a));
  EXPECT_EQ(PartitionObject(std::string(900, 'x')).find('~'), std::string::npos);
  EXPECT_EQ(PartitionObject(std::string(901, 'x'))[8], '~');
}

TEST(RadosLayoutTest, OtherObjectNamesAreNotPartitions) {
  uint32_t h;
  std::string pk;
  bool whole;
  EXPECT_FALSE(ParsePartitionObject(std::string(kMetaObject), &h, &pk, &whole));
  EXPECT_FALSE(ParsePartitionObject("0000000a.6", &h, &pk, &whole));  // odd hex
  EXPECT_FALSE(ParsePartitionObject("0000000a-61", &h, &pk, &whole));
}

TEST(RadosLayoutTest, RecordAndOutboxKeysSortAsTheirParts) {
  std::vector<std::string> sks = {std::string("\0", 1), "", "b", "a\xFF", "a"};
  std::vector<std::string> keys;
  for (const auto& sk : sks) keys.push_back(RecordKey(sk));
  std::sort(sks.begin(), sks.end());
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < sks.size(); ++i) EXPECT_EQ(keys[i], RecordKey(sks[i]));
  EXPECT_LT(OutboxKey(1, 7), OutboxKey(2, 0));
  EXPECT_LT(OutboxKey(0x100, 0), OutboxKey(0x100, 1));
  EXPECT_LT(LogKey(1, 0xFFFF), LogKey(2, 0));
  // Every record key sorts apart from the counters and outbox keys.
  EXPECT_NE(RecordKey("")[0], kCountersKey);
  EXPECT_NE(RecordKey("")[0], kOutboxPrefix);
}

TEST(RadosLayoutTest, CountersRoundTripIncludingNegatives) {
  Counters c{-3, 1 << 20, -7};
  Counters d = DecodeCounters(EncodeCounters(c));
  EXPECT_EQ(d.items, -3);
  EXPECT_EQ(d.bytes, 1 << 20);
  EXPECT_EQ(d.collection, -7);
  EXPECT_EQ(DecodeCounters("short").items, 0);
}

std::string Render(const std::vector<Plan>& plans) {
  std::string out;
  for (const Plan& p : plans) {
    out += "table " + std::to_string(p.table) + " pk " + p.pk + (p.exists ? " exists" : " new") + " " +
           std::to_string(p.old_version) + "->" + std::to_string(p.new_version) + ":";
    for (const auto& [k, v] : p.sets) out += " set " + k + "=" + v;
    for (const auto& k : p.removes) out += " rm " + k;
    out += "\n";
  }
  return out;
}

TEST(RadosLayoutTest, IntentsRoundTripAndRejectTruncation) {
  std::vector<Plan> plans = {
      Plan{7, "alice", true, 10, 12, {{"ia", "1"}, {"c", std::string(24, '\0')}}, {"ib"}},
      Plan{9, std::string("b\0b", 3), false, 0, 12, {}, {"ix", "iy"}},
  };
  std::string bytes = EncodeIntent(plans);
  std::vector<Plan> back;
  ASSERT_TRUE(DecodeIntent(bytes, &back));
  EXPECT_EQ(Render(back), Render(plans));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(DecodeIntent(std::string_view(bytes).substr(0, cut), &back)) << "cut at " << cut;
  }
  EXPECT_FALSE(DecodeIntent(bytes + "x", &back));
}

// ---------------------------------------------------------------------------
// The engine on a cluster: what the shared engine tests cannot show (crash
// recovery, and two engines, as two front-ends, on one namespace).
// ---------------------------------------------------------------------------

class RadosEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conf_ = getenv("BASALT_RADOS_CONF") ? getenv("BASALT_RADOS_CONF") : "";
    pool_ = getenv("BASALT_RADOS_POOL") ? getenv("BASALT_RADOS_POOL") : "";
    if (!RadosAvailable()) GTEST_SKIP() << "built without librados (BASALT_WITH_RADOS=OFF)";
    if (conf_.empty() || pool_.empty()) GTEST_SKIP() << "no Ceph cluster: set BASALT_RADOS_CONF and BASALT_RADOS_POOL";
    std::random_device rd;
    namespace_ = "rados-test-" + std::to_string(rd()) + "-";
  }

  // Recovery runs at open only unless `recovery_interval_s` is set.
  std::unique_ptr<Engine> Open(int stop_after_writes = -1, double txn_timeout_s = 10,
                               double recovery_interval_s = 0) {
    RadosOptions o{conf_, pool_, "admin", namespace_};
    o.test_stop_after_writes = stop_after_writes;
    o.txn_timeout_s = txn_timeout_s;
    o.txn_recovery_interval_s = recovery_interval_s;
    Result<std::unique_ptr<Engine>> r = OpenRados(o);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  static std::string ValueOf(Engine& e, TableId table, const std::string& pk, const std::string& sk) {
    std::optional<Record> r;
    Status st = e.Get(Key{table, pk, sk}, &r);
    if (!st.ok()) return "error: " + st.message();
    return r ? r->value : "<absent>";
  }

  // Three partitions of two tables, with counters, in one commit.
  static std::vector<PartitionWrite> ThreePartitions(const std::string& tag) {
    return {
        PartitionWrite{1, "a", {Mutation{Mutation::kPut, "1", "a" + tag, {}}}, 1, 10},
        PartitionWrite{1, "b", {Mutation{Mutation::kPut, "1", "b" + tag, {}}}, 1, 10},
        PartitionWrite{2, "c", {Mutation{Mutation::kPut, "", "c" + tag, {}}}, 1, 10},
    };
  }

  // The items, then the counters (which reads of the items may have settled).
  std::string State(Engine& e) {
    std::string items = ValueOf(e, 1, "a", "1") + " " + ValueOf(e, 1, "b", "1") + " " + ValueOf(e, 2, "c", "");
    TableStats s1, s2;
    EXPECT_TRUE(e.Stats(1, &s1).ok());
    EXPECT_TRUE(e.Stats(2, &s2).ok());
    return items + " items " + std::to_string(s1.item_count) + "+" + std::to_string(s2.item_count);
  }

  static std::string Outcome(const Status& st) {
    if (st.ok()) return "ok";
    if (st.code() != Code::kTransactionConflict) return "error " + st.message();
    const ConflictOn* on = st.detail<ConflictOn>();
    return on ? "conflict on " + std::to_string(on->table) + "/" + on->pk : "conflict";
  }

  std::string conf_, pool_, namespace_;
};

// A commit of three partitions stopped after each of its object writes
// (rados_txn.cc: 1 the record, 2-4 the intents, 5 the commit point, 6-8 the
// intents resolved), as a front-end killed there would leave it. Another
// front-end, running meanwhile, reads the items (settling what it meets)
// and writes one of them; then a front-end that opens after the
// transaction's time finishes what is left.
TEST_F(RadosEngineTest, ACommitStoppedAfterEachWriteIsAllOrNothingForTheOthers) {
  std::string seen;
  const std::string base = namespace_;
  for (int k = 0; k <= 8; ++k) {
    namespace_ = base + std::to_string(k) + "-";
    std::unique_ptr<Engine> other = Open();
    std::unique_ptr<Engine> crashed = Open(/*stop_after_writes=*/k);
    ASSERT_NE(other, nullptr);
    ASSERT_NE(crashed, nullptr);
    std::vector<PartitionWrite> writes = ThreePartitions("!");
    EXPECT_EQ(crashed->Commit(writes).code(), Code::kIoError);
    seen += std::to_string(k) + ": " + State(*other);
    PartitionWrite a{1, "a", {Mutation{Mutation::kPut, "1", "a?", {}}}, 0, 0};
    seen += "; writer " + Outcome(other->Commit(std::span<const PartitionWrite>(&a, 1)));
    crashed.reset();
    std::unique_ptr<Engine> later = Open(-1, /*txn_timeout_s=*/0);
    ASSERT_NE(later, nullptr);
    seen += "; later " + State(*later);
    seen += "; writer " + Outcome(later->Commit(std::span<const PartitionWrite>(&a, 1))) + "\n";
  }
  EXPECT_EQ(seen,
            "0: <absent> <absent> <absent> items 0+0; writer ok; later a? <absent> <absent> items 0+0; writer ok\n"
            "1: <absent> <absent> <absent> items 0+0; writer ok; later a? <absent> <absent> items 0+0; writer ok\n"
            "2: <absent> <absent> <absent> items 0+0; writer conflict on 1/a; "
            "later <absent> <absent> <absent> items 0+0; writer ok\n"
            "3: <absent> <absent> <absent> items 0+0; writer conflict on 1/a; "
            "later <absent> <absent> <absent> items 0+0; writer ok\n"
            "4: <absent> <absent> <absent> items 0+0; writer conflict on 1/a; "
            "later <absent> <absent> <absent> items 0+0; writer ok\n"
            "5: a! b! c! items 2+1; writer ok; later a? b! c! items 2+1; writer ok\n"
            "6: a! b! c! items 2+1; writer ok; later a? b! c! items 2+1; writer ok\n"
            "7: a! b! c! items 2+1; writer ok; later a? b! c! items 2+1; writer ok\n"
            "8: a! b! c! items 2+1; writer ok; later a? b! c! items 2+1; writer ok\n");
}

TEST_F(RadosEngineTest, APendingTransactionPastItsTimeIsAbortedByTheWriterThatMeetsIt) {
  std::unique_ptr<Engine> other = Open(-1, /*txn_timeout_s=*/0.3);
  std::unique_ptr<Engine> crashed = Open(/*stop_after_writes=*/4);  // every intent placed, not committed
  ASSERT_NE(other, nullptr);
  ASSERT_NE(crashed, nullptr);
  std::vector<PartitionWrite> writes = ThreePartitions("!");
  EXPECT_EQ(crashed->Commit(writes).code(), Code::kIoError);
  PartitionWrite b{1, "b", {Mutation{Mutation::kPut, "1", "b?", {}}}, 1, 10};
  EXPECT_EQ(Outcome(other->Commit(std::span<const PartitionWrite>(&b, 1))), "conflict on 1/b");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(Outcome(other->Commit(std::span<const PartitionWrite>(&b, 1))), "ok");
  EXPECT_EQ(State(*other), "<absent> b? <absent> items 1+0");
  // The coordinator, had it lived on, could not commit it any more: a new
  // commit of the same partitions goes through.
  std::vector<PartitionWrite> again = ThreePartitions("?");
  EXPECT_EQ(Outcome(other->Commit(again)), "ok");
  EXPECT_EQ(State(*other), "a? b? c? items 3+1");
}

// A transactional read (TransactGetItems) of items another front-end's
// transaction holds: a conflict while it is pending (a plain read gets the
// committed values), its values once it is committed.
TEST_F(RadosEngineTest, ATransactionalReadConflictsWithAPendingTransactionAndSeesACommittedOne) {
  const std::vector<Key> keys = {Key{1, "a", "1"}, Key{1, "b", "1"}, Key{2, "c", ""}};
  auto render = [&](Engine& e, bool transactional) {
    std::vector<std::optional<Record>> got;
    Status st = transactional ? e.TransactGet(keys, &got) : e.MultiGet(keys, &got);
    if (!st.ok()) return Outcome(st);
    std::string out;
    for (const auto& r : got) out += (r ? r->value : "<absent>") + " ";
    return out;
  };
  std::string seen;
  const std::string base = namespace_;
  for (int k : {4, 5}) {  // every intent placed; then committed too
    namespace_ = base + std::to_string(k) + "-";
    std::unique_ptr<Engine> other = Open();
    std::unique_ptr<Engine> crashed = Open(/*stop_after_writes=*/k);
    ASSERT_NE(other, nullptr);
    ASSERT_NE(crashed, nullptr);
    std::vector<PartitionWrite> before = ThreePartitions("0");
    ASSERT_TRUE(other->Commit(before).ok());
    std::vector<PartitionWrite> writes = ThreePartitions("!");
    EXPECT_EQ(crashed->Commit(writes).code(), Code::kIoError);
    seen += std::to_string(k) + ": read " + render(*other, false) + "| transactional " + render(*other, true) + "\n";
  }
  EXPECT_EQ(seen,
            "4: read a0 b0 c0 | transactional conflict on 1/a\n"
            "5: read a! b! c! | transactional a! b! c! \n");
}

TEST_F(RadosEngineTest, TheFrontEndHoldingTheLeaseFinishesACommittedTransactionNobodyReads) {
  // Started before the crash, so its own recovery at open found nothing.
  std::unique_ptr<Engine> other = Open(-1, 10, /*recovery_interval_s=*/0.1);
  std::unique_ptr<Engine> crashed = Open(/*stop_after_writes=*/5);  // committed, nothing resolved
  ASSERT_NE(other, nullptr);
  ASSERT_NE(crashed, nullptr);
  std::vector<PartitionWrite> writes = ThreePartitions("!");
  writes[0].log = 7;
  writes[0].outbox = {"stream record"};
  EXPECT_EQ(crashed->Commit(writes).code(), Code::kIoError);
  // The outbox record lands with its partition's resolution; ReadOutbox does
  // not settle intents, so only the recovery round can make it readable.
  // (Read through the stopped engine, which does nothing of its own: the
  // record's version is from its block, above what `other` reads up to.)
  std::vector<OutboxEntry> entries;
  for (int i = 0; i < 100 && entries.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(crashed->ReadOutbox("", 10, &entries).ok());
  }
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].value, "stream record");
  EXPECT_EQ(State(*other), "a! b! c! items 2+1");
}

// The bank-transfer check on two front-ends: transfers between accounts in
// four partitions, each a two-partition commit with versioned
// preconditions, retried on a precondition failure or a conflict. No money
// is made or lost, and no intent is left behind.
TEST_F(RadosEngineTest, TransfersOnTwoFrontEndsKeepTheTotal) {
  std::unique_ptr<Engine> engines[2] = {Open(), Open()};
  ASSERT_NE(engines[0], nullptr);
  ASSERT_NE(engines[1], nullptr);
  constexpr int kAccounts = 4, kThreads = 4, kTransfers = 25;
  auto account = [](int i) { return "acct" + std::to_string(i); };
  for (int i = 0; i < kAccounts; ++i) {
    PartitionWrite w{1, account(i), {Mutation{Mutation::kPut, "", "100", Precondition::For(0)}}, 1, 3};
    ASSERT_TRUE(engines[0]->Commit(std::span<const PartitionWrite>(&w, 1)).ok());
  }
  std::atomic<int> retries{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Engine& e = *engines[t % 2];
      std::mt19937 rng(t);
      for (int n = 0; n < kTransfers; ++n) {
        int from = static_cast<int>(rng() % kAccounts), to = static_cast<int>((from + 1 + rng() % 3) % kAccounts);
        for (;;) {
          std::vector<Key> keys = {Key{1, account(from), ""}, Key{1, account(to), ""}};
          std::vector<std::optional<Record>> got;
          if (!e.MultiGet(keys, &got).ok() || !got[0] || !got[1]) {
            ++errors;
            return;
          }
          std::vector<PartitionWrite> w = {
              PartitionWrite{1, account(from),
                             {Mutation{Mutation::kPut, "", std::to_string(std::stoll(got[0]->value) - 1),
                                       Precondition::For(got[0]->version)}}},
              PartitionWrite{1, account(to),
                             {Mutation{Mutation::kPut, "", std::to_string(std::stoll(got[1]->value) + 1),
                                       Precondition::For(got[1]->version)}}},
          };
          Status st = e.Commit(w);
          if (st.ok()) break;
          if (st.code() != Code::kPreconditionFailed && st.code() != Code::kTransactionConflict) {
            ++errors;
            return;
          }
          ++retries;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(errors.load(), 0);
  // A third front-end, opened afterwards, sees the total.
  std::unique_ptr<Engine> third = Open();
  ASSERT_NE(third, nullptr);
  int64_t total = 0;
  for (int i = 0; i < kAccounts; ++i) total += std::stoll(ValueOf(*third, 1, account(i), ""));
  EXPECT_EQ(total, 100 * kAccounts) << retries.load() << " retries";
  // Nothing holds the accounts: single-partition writes go straight through.
  for (int i = 0; i < kAccounts; ++i) {
    PartitionWrite w{1, account(i), {Mutation{Mutation::kPut, "", "0", {}}}};
    EXPECT_EQ(Outcome(third->Commit(std::span<const PartitionWrite>(&w, 1))), "ok");
  }
}

TEST_F(RadosEngineTest, TwoEnginesOnOneNamespaceLoseNoVersionedIncrement) {
  // Two engines are two front-ends: their local locks do not see each
  // other, so only the compare on the partition's version in RADOS keeps
  // increments from being lost.
  std::unique_ptr<Engine> engines[2] = {Open(), Open()};
  ASSERT_NE(engines[0], nullptr);
  ASSERT_NE(engines[1], nullptr);
  const Key counter{1, "counter", ""};
  PartitionWrite init{1, "counter", {Mutation{Mutation::kPut, "", "0", Precondition::For(0)}}, 1, 1};
  ASSERT_TRUE(engines[0]->Commit(std::span<const PartitionWrite>(&init, 1)).ok());
  constexpr int kThreads = 4, kIncrements = 40;
  std::atomic<int> conflicts{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Engine& e = *engines[t % 2];
      for (int i = 0; i < kIncrements; ++i) {
        for (;;) {
          std::optional<Record> r;
          if (!e.Get(counter, &r).ok() || !r) {
            ++errors;
            return;
          }
          PartitionWrite w{1, "counter",
                           {Mutation{Mutation::kPut, "", std::to_string(std::stoll(r->value) + 1),
                                     Precondition::For(r->version)}},
                           0, 0, 0};
          Status st = e.Commit(std::span<const PartitionWrite>(&w, 1));
          if (st.ok()) break;
          if (st.code() != Code::kPreconditionFailed) {
            ++errors;
            return;
          }
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(errors.load(), 0);
  EXPECT_EQ(ValueOf(*engines[1], 1, "counter", ""), std::to_string(kThreads * kIncrements))
      << conflicts.load() << " conflicts retried";
  TableStats stats;
  ASSERT_TRUE(engines[0]->Stats(1, &stats).ok());
  EXPECT_EQ(stats.item_count, 1);
}

TEST_F(RadosEngineTest, OutboxRecordsOfAnEarlierRunAreReadBeforeANewCommit) {
  {
    std::unique_ptr<Engine> first = Open();
    ASSERT_NE(first, nullptr);
    PartitionWrite w{1, "p", {Mutation{Mutation::kPut, "", "v", {}}}, 0, 0, 0, /*log=*/5, {"record"}};
    ASSERT_TRUE(first->Commit(std::span<const PartitionWrite>(&w, 1)).ok());
  }
  std::unique_ptr<Engine> next = Open();
  ASSERT_NE(next, nullptr);
  std::vector<OutboxEntry> entries;
  ASSERT_TRUE(next->ReadOutbox("", 10, &entries).ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].log, 5u);
  EXPECT_EQ(entries[0].value, "record");
  // Shipped once: the next read has nothing, even from a fresh engine.
  std::vector<LogAppend> appends = {LogAppend{5, 1, "record"}};
  ASSERT_TRUE(next->ShipOutbox(entries, appends, {}, nullptr).ok());
  ASSERT_TRUE(Open()->ReadOutbox("", 10, &entries).ok());
  EXPECT_TRUE(entries.empty());
  std::string log;
  ASSERT_TRUE(next->ReadLog(5, 0, [&](uint64_t seq, std::string_view v) {
    log += std::to_string(seq) + "=" + std::string(v) + ";";
    return true;
  }).ok());
  EXPECT_EQ(log, "1=record;");
}

TEST_F(RadosEngineTest, VersionsAreUniqueAcrossEngines) {
  std::unique_ptr<Engine> a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  PartitionWrite wa{1, "x", {Mutation{Mutation::kPut, "", "a", {}}}};
  PartitionWrite wb{1, "y", {Mutation{Mutation::kPut, "", "b", {}}}};
  ASSERT_TRUE(a->Commit(std::span<const PartitionWrite>(&wa, 1)).ok());
  ASSERT_TRUE(b->Commit(std::span<const PartitionWrite>(&wb, 1)).ok());
  std::optional<Record> ra, rb;
  ASSERT_TRUE(b->Get(Key{1, "x", ""}, &ra).ok());
  ASSERT_TRUE(a->Get(Key{1, "y", ""}, &rb).ok());
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->value, "a");
  EXPECT_EQ(rb->value, "b");
  EXPECT_NE(ra->version, rb->version);
}

// Streams across front-ends: writers on two engines commit outbox records
// to shared partitions while a shipper on each engine ships in turn, the
// turns decided by a compare on a generation entry (as db/streams.cc does).
// Every record ships exactly once, a partition's records in the order of
// its commits (their versions grow), and the records of one item in the
// order it was written.
TEST_F(RadosEngineTest, ShippersOnTwoEnginesShipEveryRecordOnceInEachPartitionsOrder) {
  std::unique_ptr<Engine> engines[2] = {Open(), Open()};
  ASSERT_NE(engines[0], nullptr);
  ASSERT_NE(engines[1], nullptr);
  constexpr int kWriters = 4, kPerWriter = 60, kPartitions = 5;
  std::atomic<int> writing{kWriters}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      Engine& e = *engines[t % 2];
      for (int i = 0; i < kPerWriter; ++i) {
        std::string pk = "p" + std::to_string(i % kPartitions);
        PartitionWrite w{1, pk, {Mutation{Mutation::kPut, std::to_string(t), "v", {}}}, 0, 0, 0,
                         /*log=*/3, {pk + "/" + std::to_string(t) + "/" + std::to_string(i)}};
        if (!e.Commit(std::span<const PartitionWrite>(&w, 1)).ok()) ++errors;
      }
      writing.fetch_sub(1);
    });
  }
  std::mutex mu;
  std::map<uint64_t, std::vector<OutboxEntry>> batches;  // by the generation each shipped at
  std::atomic<int> conflicts{0};
  for (int s = 0; s < 2; ++s) {
    threads.emplace_back([&, s] {
      Engine& e = *engines[s];
      for (;;) {
        bool last = writing.load() == 0;
        std::optional<std::string> generation;
        std::vector<OutboxEntry> entries;
        if (!e.meta().Get("gen", &generation).ok() || !e.ReadOutbox("", 64, &entries).ok()) {
          ++errors;
          return;
        }
        if (entries.empty()) {
          if (last) return;
          continue;
        }
        uint64_t g = generation ? std::stoull(*generation) : 0;
        std::vector<std::pair<std::string, std::string>> puts = {{"gen", std::to_string(g + 1)}};
        MetaCondition only_if{"gen", generation};
        Status st = e.ShipOutbox(entries, {}, puts, &only_if);
        if (st.code() == Code::kConditionalCheckFailed) {
          ++conflicts;
          continue;
        }
        if (!st.ok()) {
          ++errors;
          return;
        }
        std::lock_guard lock(mu);
        batches[g] = std::move(entries);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(errors.load(), 0);
  std::vector<OutboxEntry> shipped;
  for (auto& [g, batch] : batches) shipped.insert(shipped.end(), batch.begin(), batch.end());
  std::map<std::string, int> seen;          // record -> times shipped
  std::map<std::string, std::string> last;  // partition -> the version of its last record shipped
  std::map<std::string, int> item_last;     // pk/writer -> its last write shipped
  for (const OutboxEntry& r : shipped) {
    ++seen[r.value];
    std::string pk = r.value.substr(0, r.value.find('/'));
    std::string version = r.position.substr(0, 8);
    EXPECT_LT(last[pk], version) << r.value << ": a partition's records out of commit order";
    last[pk] = version;
    size_t slash = r.value.rfind('/');
    std::string item = r.value.substr(0, slash);
    int i = std::stoi(r.value.substr(slash + 1));
    auto it = item_last.find(item);
    if (it != item_last.end()) {
      EXPECT_LT(it->second, i) << r.value;
    }
    item_last[item] = i;
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kWriters * kPerWriter)) << conflicts.load() << " turns lost";
  for (const auto& [record, times] : seen) EXPECT_EQ(times, 1) << record;
  std::vector<OutboxEntry> rest;
  ASSERT_TRUE(engines[0]->ReadOutbox("", 64, &rest).ok());
  EXPECT_TRUE(rest.empty());
}

// A client writes an item through one front-end, then through the other:
// the second commit takes the larger version (so its stream record comes
// after), whichever front-end opened first.
TEST_F(RadosEngineTest, SuccessiveCommitsThroughTwoEnginesTakeGrowingVersions) {
  std::unique_ptr<Engine> engines[2] = {Open(), Open()};
  ASSERT_NE(engines[0], nullptr);
  ASSERT_NE(engines[1], nullptr);
  uint64_t previous = 0;
  for (int i = 0; i < 20; ++i) {
    // Alternate partitions too: growth across partitions comes from the clock.
    PartitionWrite w{1, "p" + std::to_string(i % 3), {Mutation{Mutation::kPut, "", std::to_string(i), {}}}};
    ASSERT_TRUE(engines[i % 2]->Commit(std::span<const PartitionWrite>(&w, 1)).ok());
    std::optional<Record> r;
    ASSERT_TRUE(engines[(i + 1) % 2]->Get(Key{1, w.pk, ""}, &r).ok());
    ASSERT_TRUE(r.has_value());
    EXPECT_GT(r->version, previous) << "commit " << i;
    previous = r->version;
  }
}

// Two front-ends: one's Announce reaches the other's Watch (not its own),
// and PutIf decides between them in RADOS.
TEST_F(RadosEngineTest, AnnouncementsReachTheOtherEngineAndPutIfDecidesBetweenThem) {
  std::unique_ptr<Engine> a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::atomic<int> heard_a{0}, heard_b{0};
  ASSERT_TRUE(a->meta().Watch([&] { ++heard_a; }));
  ASSERT_TRUE(b->meta().Watch([&] { ++heard_b; }));
  a->meta().Announce();  // returns once the watchers have acknowledged
  EXPECT_EQ(0, heard_a.load());
  EXPECT_EQ(1, heard_b.load());
  b->meta().Announce();
  EXPECT_EQ(1, heard_a.load());

  // Many rounds of both taking the next number of one counter: each number once.
  std::vector<int> taken_a, taken_b;
  auto take = [](Engine& e, std::vector<int>* taken) {
    for (int i = 0; i < 50; ++i) {
      for (;;) {
        std::optional<std::string> v;
        ASSERT_TRUE(e.meta().Get("counter", &v).ok());
        const int n = v ? std::stoi(*v) : 0;
        Status st = e.meta().PutIf("counter", v, std::to_string(n + 1));
        if (st.code() == Code::kConditionalCheckFailed) continue;
        ASSERT_TRUE(st.ok()) << st.message();
        taken->push_back(n);
        break;
      }
    }
  };
  std::thread ta([&] { take(*a, &taken_a); });
  std::thread tb([&] { take(*b, &taken_b); });
  ta.join();
  tb.join();
  std::vector<int> all = taken_a;
  all.insert(all.end(), taken_b.begin(), taken_b.end());
  std::sort(all.begin(), all.end());
  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[i] = i;
  EXPECT_EQ(all, expected);
  a->meta().Unwatch();
  b->meta().Unwatch();
}

// A lease is one front-end's until it lapses unrenewed; then another's.
TEST_F(RadosEngineTest, ALeaseIsHeldByOneEngineUntilItLapses) {
  std::unique_ptr<Engine> a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto holds = [](Engine& e) {
    Result<bool> r = e.meta().Lease("job", 1.0);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() && *r;
  };
  EXPECT_TRUE(holds(*a));
  EXPECT_FALSE(holds(*b));
  EXPECT_TRUE(holds(*a));  // renewed
  EXPECT_TRUE(b->meta().Lease("other job", 1.0).value());  // leases are independent
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a stops renewing, as if it died
  EXPECT_TRUE(holds(*b));
  EXPECT_FALSE(holds(*a));
}

}  // namespace
}  // namespace basalt::storage::rados_layout
