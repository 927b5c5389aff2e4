// Tests for the storage engines' shared behaviour: the RocksDB engine, in
// memory and on disk, and the RADOS engine where a cluster is given. The key
// layout's tests are in key_format_test.cc.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/testing.h"
#include "storage/engine.h"
#include "storage/key_format.h"
#include "storage/rados_engine.h"

namespace basalt::storage {
namespace {

using basalt::testing::Hex;

// ---------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------

// A fresh temporary directory, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "basalt-storage-test-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<Engine> MustOpen(const RocksDbOptions& options) {
  Result<std::unique_ptr<Engine>> r = OpenRocksDb(options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : nullptr;
}

Key K(TableId table, std::string pk, std::string sk = "") { return Key{table, std::move(pk), std::move(sk)}; }

Mutation Put(std::string sk, std::string value, Precondition pre = {}) {
  return Mutation{Mutation::kPut, std::move(sk), std::move(value), pre};
}
Mutation Del(std::string sk, Precondition pre = {}) { return Mutation{Mutation::kDelete, std::move(sk), "", pre}; }

Precondition MustNotExist() { return Precondition{Precondition::kMustNotExist, 0}; }
Precondition MustExist() { return Precondition{Precondition::kMustExist, 0}; }
Precondition VersionEquals(Version v) { return Precondition{Precondition::kVersionEquals, v}; }

PartitionWrite W(TableId table, std::string pk, std::vector<Mutation> muts, int64_t items = 0, int64_t bytes = 0) {
  return PartitionWrite{table, std::move(pk), std::move(muts), items, bytes};
}

Status CommitOne(Engine& e, PartitionWrite w) { return e.Commit(std::span<const PartitionWrite>(&w, 1)); }
Status CommitAll(Engine& e, const std::vector<PartitionWrite>& ws) { return e.Commit(ws); }

std::string Describe(const std::optional<Record>& r) {
  if (!r) return "absent";
  return "{value: \"" + r->value + "\" (" + Hex(r->value) + "), version: " + std::to_string(r->version) + "}";
}

std::string Describe(const Status& st) {
  return st.ok() ? "ok" : "code " + std::to_string(static_cast<int>(st.code())) + ": " + st.message();
}

std::optional<Record> Read(Engine& e, const Key& key) {
  std::optional<Record> out;
  Status st = e.Get(key, &out);
  EXPECT_TRUE(st.ok()) << Describe(st);
  return out;
}

// The stored value, or "<absent>", so a missing record fails an expectation
// instead of crashing the test.
std::string ValueOf(Engine& e, const Key& key) {
  std::optional<Record> r = Read(e, key);
  return r ? r->value : "<absent>";
}

Version VersionOf(Engine& e, const Key& key) {
  std::optional<Record> r = Read(e, key);
  return r ? r->version : 0;
}

TableStats StatsOf(Engine& e, TableId table) {
  TableStats s;
  Status st = e.Stats(table, &s);
  EXPECT_TRUE(st.ok()) << Describe(st);
  return s;
}

// A put that must succeed; returns the version it stored.
Version MustPut(Engine& e, const Key& key, const std::string& value) {
  Status st = CommitOne(e, W(key.table, key.pk, {Put(key.sk, value)}));
  EXPECT_TRUE(st.ok()) << Describe(st);
  std::optional<Record> r = Read(e, key);
  EXPECT_TRUE(r.has_value());
  return r ? r->version : 0;
}

void ExpectPreconditionFailed(const Status& st) { EXPECT_EQ(st.code(), Code::kPreconditionFailed) << Describe(st); }

enum class Mode { kInMemory, kDirectory, kRados };

// A namespace of its own for each rados engine a test opens, so that tests
// sharing one pool start empty.
std::string FreshRadosNamespace() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return "test-" + std::to_string(rd()) + "-" + std::to_string(counter++) + "-";
}

// Runs every engine test against the in-memory engine, a directory engine
// and, when BASALT_RADOS_CONF and BASALT_RADOS_POOL name a cluster
// (scripts/rados-dev-cluster.sh), the rados engine.
class EngineTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override {
    if (GetParam() == Mode::kRados) {
      const char* conf = getenv("BASALT_RADOS_CONF");
      const char* pool = getenv("BASALT_RADOS_POOL");
      if (!RadosAvailable()) GTEST_SKIP() << "built without librados (BASALT_WITH_RADOS=OFF)";
      if (!conf || !pool) GTEST_SKIP() << "no Ceph cluster: set BASALT_RADOS_CONF and BASALT_RADOS_POOL";
      RadosOptions options{conf, pool, "admin", FreshRadosNamespace()};
      Result<std::unique_ptr<Engine>> r = OpenRados(options);
      ASSERT_TRUE(r.ok()) << r.status().message();
      engine_ = std::move(r).value();
      return;
    }
    RocksDbOptions options;
    if (GetParam() == Mode::kInMemory) {
      options.in_memory = true;
    } else {
      dir_ = std::make_unique<TempDir>();
      options.path = dir_->path();
      options.durability = Durability::kRelaxed;
    }
    engine_ = MustOpen(options);
    ASSERT_NE(engine_, nullptr);
  }
  void TearDown() override {
    engine_.reset();  // close before the directory goes
    dir_.reset();
  }

  Engine& e() { return *engine_; }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Engine> engine_;
};

INSTANTIATE_TEST_SUITE_P(Modes, EngineTest, ::testing::Values(Mode::kInMemory, Mode::kDirectory, Mode::kRados),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           switch (info.param) {
                             case Mode::kInMemory: return "InMemory";
                             case Mode::kDirectory: return "Directory";
                             case Mode::kRados: return "Rados";
                           }
                           return "";
                         });

TEST_P(EngineTest, GetOfAnAbsentKeyIsEmpty) {
  std::optional<Record> out = Record{"stale", 99};
  ASSERT_TRUE(e().Get(K(1, "nope", "sk"), &out).ok());
  EXPECT_FALSE(out.has_value()) << Describe(out);
}

TEST_P(EngineTest, MultiGetOfAbsentKeysIsAllEmpty) {
  std::vector<Key> keys = {K(1, "a"), K(1, "b", "x"), K(2, "a")};
  std::vector<std::optional<Record>> out(7, Record{"stale", 1});
  ASSERT_TRUE(e().MultiGet(keys, &out).ok());
  ASSERT_EQ(out.size(), 3u);
  for (const auto& r : out) EXPECT_FALSE(r.has_value()) << Describe(r);

  ASSERT_TRUE(e().MultiGet({}, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST_P(EngineTest, MultiGetAnswersInRequestOrderMixingPresentAndAbsent) {
  MustPut(e(), K(1, "a", "1"), "a1");
  MustPut(e(), K(1, "b"), "b");
  std::vector<Key> keys = {K(1, "b"), K(1, "zz"), K(1, "a", "1"), K(2, "a", "1"), K(1, "b")};
  std::vector<std::optional<Record>> out;
  ASSERT_TRUE(e().MultiGet(keys, &out).ok());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(Describe(out[0]), Describe(Read(e(), K(1, "b"))));
  EXPECT_FALSE(out[1].has_value()) << Describe(out[1]);
  ASSERT_TRUE(out[2].has_value());
  EXPECT_EQ(out[2]->value, "a1");
  EXPECT_FALSE(out[3].has_value()) << Describe(out[3]);  // same pk and sk, other table
  ASSERT_TRUE(out[4].has_value());
  EXPECT_EQ(out[4]->value, "b");
}

TEST_P(EngineTest, PutThenGetReturnsTheValueWithANonZeroVersion) {
  const std::string value("binary\0value\xFF", 13);
  ASSERT_TRUE(CommitOne(e(), W(1, "pk", {Put("sk", value)})).ok());
  std::optional<Record> r = Read(e(), K(1, "pk", "sk"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Hex(r->value), Hex(value));
  EXPECT_GT(r->version, 0u);
}

TEST_P(EngineTest, EmptyValuesAndEmptySortKeysAreStored) {
  ASSERT_TRUE(CommitOne(e(), W(1, "pk", {Put("", "")})).ok());
  std::optional<Record> r = Read(e(), K(1, "pk", ""));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value, "");
}

TEST_P(EngineTest, OverwriteReplacesTheValueAndRaisesTheVersion) {
  const Version v1 = MustPut(e(), K(1, "pk", "sk"), "one");
  const Version v2 = MustPut(e(), K(1, "pk", "sk"), "two");
  EXPECT_GT(v2, v1);
  EXPECT_EQ(ValueOf(e(), K(1, "pk", "sk")), "two");
}

TEST_P(EngineTest, DeleteRemovesTheRecordAndDeletingAnAbsentKeyIsFine) {
  MustPut(e(), K(1, "pk", "sk"), "v");
  ASSERT_TRUE(CommitOne(e(), W(1, "pk", {Del("sk")})).ok());
  EXPECT_FALSE(Read(e(), K(1, "pk", "sk")).has_value());
  EXPECT_TRUE(CommitOne(e(), W(1, "pk", {Del("sk")})).ok());
  EXPECT_TRUE(CommitOne(e(), W(1, "never", {Del("written")})).ok());
}

TEST_P(EngineTest, OneCommitWritesSeveralPartitionsAndSortKeys) {
  ASSERT_TRUE(CommitAll(e(), {W(1, "p1", {Put("a", "1a"), Put("b", "1b")}), W(1, "p2", {Put("a", "2a")}),
                              W(2, "p1", {Put("a", "t2")})})
                  .ok());
  EXPECT_EQ(ValueOf(e(), K(1, "p1", "a")), "1a");
  EXPECT_EQ(ValueOf(e(), K(1, "p1", "b")), "1b");
  EXPECT_EQ(ValueOf(e(), K(1, "p2", "a")), "2a");
  EXPECT_EQ(ValueOf(e(), K(2, "p1", "a")), "t2");
}

TEST_P(EngineTest, KeysThatWouldCollideWithoutEscapingStayApart) {
  // Naive concatenation of pk and sk would make each pair here the same key.
  const std::vector<Key> keys = {K(1, "a", "b"),
                                 K(1, "ab", ""),
                                 K(1, "a", std::string("\0\x01", 2) + "x"),
                                 K(1, std::string("a\0\x01", 3), "x"),
                                 K(1, std::string("a\0", 2), ""),
                                 K(1, "a", std::string("\0", 1))};
  for (size_t i = 0; i < keys.size(); ++i) MustPut(e(), keys[i], "value " + std::to_string(i));
  for (size_t i = 0; i < keys.size(); ++i) {
    std::optional<Record> r = Read(e(), keys[i]);
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->value, "value " + std::to_string(i)) << "pk " << Hex(keys[i].pk) << " sk " << Hex(keys[i].sk);
  }
}

TEST_P(EngineTest, MustNotExistHoldsOnlyForAbsentKeys) {
  EXPECT_TRUE(CommitOne(e(), W(1, "pk", {Put("sk", "first", MustNotExist())})).ok());
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("sk", "second", MustNotExist())})));
  EXPECT_EQ(ValueOf(e(), K(1, "pk", "sk")), "first");
  // Precondition::For(0) is MustNotExist.
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("sk", "third", Precondition::For(0))})));
  EXPECT_TRUE(CommitOne(e(), W(1, "pk", {Put("other", "x", Precondition::For(0))})).ok());
}

TEST_P(EngineTest, MustExistHoldsOnlyForPresentKeys) {
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("sk", "v", MustExist())})));
  EXPECT_FALSE(Read(e(), K(1, "pk", "sk")).has_value());
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Del("sk", MustExist())})));
  MustPut(e(), K(1, "pk", "sk"), "v1");
  EXPECT_TRUE(CommitOne(e(), W(1, "pk", {Put("sk", "v2", MustExist())})).ok());
  EXPECT_EQ(ValueOf(e(), K(1, "pk", "sk")), "v2");
  EXPECT_TRUE(CommitOne(e(), W(1, "pk", {Del("sk", MustExist())})).ok());
  EXPECT_FALSE(Read(e(), K(1, "pk", "sk")).has_value());
}

TEST_P(EngineTest, VersionEqualsHoldsOnlyForTheCurrentVersion) {
  const Version v1 = MustPut(e(), K(1, "pk", "sk"), "v1");
  const Version v2 = MustPut(e(), K(1, "pk", "sk"), "v2");
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("sk", "stale", VersionEquals(v1))})));
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("sk", "future", VersionEquals(v2 + 1))})));
  EXPECT_EQ(ValueOf(e(), K(1, "pk", "sk")), "v2");
  EXPECT_TRUE(CommitOne(e(), W(1, "pk", {Put("sk", "v3", Precondition::For(v2))})).ok());
  EXPECT_EQ(ValueOf(e(), K(1, "pk", "sk")), "v3");
  // An absent record has no version to match.
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("absent", "x", VersionEquals(v1))})));
  EXPECT_FALSE(Read(e(), K(1, "pk", "absent")).has_value());
}

// A precondition carries the mark taken before the read it comes from; a
// commit to the partition after the mark (by anyone) or a dropped table
// makes the engine check it again.
TEST_P(EngineTest, PreconditionsReadAfterAMarkFailOnceTheItemChanged) {
  const Version v1 = MustPut(e(), K(1, "pk", "sk"), "v1");
  uint64_t mark = e().ReadMark();
  const Version v2 = MustPut(e(), K(1, "pk", "sk"), "v2");  // another writer, after the read
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("sk", "lost", Precondition::For(v1, mark))})));

  mark = e().ReadMark();  // absent when read, then written by another
  MustPut(e(), K(1, "pk", "new"), "theirs");
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("new", "mine", Precondition::For(0, mark))})));
  EXPECT_EQ(ValueOf(e(), K(1, "pk", "new")), "theirs");

  mark = e().ReadMark();  // another item of the partition changes: this one's still holds
  MustPut(e(), K(1, "pk", "sibling"), "x");
  EXPECT_TRUE(CommitOne(e(), W(1, "pk", {Put("sk", "v3", Precondition::For(v2, mark))})).ok());
  const Version v3 = Read(e(), K(1, "pk", "sk"))->version;

  mark = e().ReadMark();  // nothing changes
  EXPECT_TRUE(CommitOne(e(), W(1, "pk", {Put("sk", "v4", Precondition::For(v3, mark))})).ok());
  const Version v4 = Read(e(), K(1, "pk", "sk"))->version;

  mark = e().ReadMark();
  ASSERT_TRUE(e().DropTable(1).ok());
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("sk", "v5", Precondition::For(v4, mark))})));
}

TEST_P(EngineTest, FailedPreconditionWritesNothingFromTheWholeCommit) {
  const Version guard = MustPut(e(), K(1, "p3", "guard"), "original");
  MustPut(e(), K(1, "p1", "kept"), "original");
  ASSERT_TRUE(CommitOne(e(), W(1, "p1", {}, 1, 10)).ok());
  ASSERT_TRUE(CommitOne(e(), W(2, "q", {}, 1, 10)).ok());

  // Three partitions in two tables; only the last mutation's precondition fails.
  Status st = CommitAll(e(), {
                                 W(1, "p1", {Put("new", "x"), Put("kept", "overwritten"), Del("kept")}, 5, 500),
                                 W(2, "q", {Put("new", "x", MustNotExist())}, 5, 500),
                                 W(1, "p3", {Put("other", "x"), Put("guard", "changed", VersionEquals(guard + 1))}),
                             });
  ExpectPreconditionFailed(st);
  EXPECT_FALSE(Read(e(), K(1, "p1", "new")).has_value());
  EXPECT_EQ(ValueOf(e(), K(1, "p1", "kept")), "original");
  EXPECT_FALSE(Read(e(), K(2, "q", "new")).has_value());
  EXPECT_FALSE(Read(e(), K(1, "p3", "other")).has_value());
  EXPECT_EQ(ValueOf(e(), K(1, "p3", "guard")), "original");
  EXPECT_EQ(VersionOf(e(), K(1, "p3", "guard")), guard);
  EXPECT_EQ(StatsOf(e(), 1).item_count, 1);
  EXPECT_EQ(StatsOf(e(), 1).size_bytes, 10);
  EXPECT_EQ(StatsOf(e(), 2).item_count, 1);
  EXPECT_EQ(StatsOf(e(), 2).size_bytes, 10);
}

TEST_P(EngineTest, FailedPreconditionInTheFirstPartitionAlsoWritesNothing) {
  Status st = CommitAll(e(), {W(1, "p1", {Put("a", "x", MustExist())}), W(1, "p2", {Put("a", "x")}, 1, 1)});
  ExpectPreconditionFailed(st);
  EXPECT_FALSE(Read(e(), K(1, "p2", "a")).has_value());
  EXPECT_EQ(StatsOf(e(), 1).item_count, 0);
}

// A kCheck mutation (a transaction's ConditionCheck) writes nothing and
// leaves the version alone, but its precondition gates the whole commit.
TEST_P(EngineTest, CheckMutationsGateTheCommitAndWriteNothing) {
  const Version v = MustPut(e(), K(1, "p", "checked"), "original");
  Mutation check{Mutation::kCheck, "checked", "ignored", VersionEquals(v)};
  ASSERT_TRUE(CommitAll(e(), {W(1, "p", {check}), W(1, "q", {Put("a", "x")})}).ok());
  EXPECT_EQ(ValueOf(e(), K(1, "p", "checked")), "original");
  EXPECT_EQ(VersionOf(e(), K(1, "p", "checked")), v);
  EXPECT_EQ(ValueOf(e(), K(1, "q", "a")), "x");

  MustPut(e(), K(1, "p", "checked"), "changed");  // the item moves on: the check fails
  ExpectPreconditionFailed(CommitAll(e(), {W(1, "p", {check}), W(1, "q", {Put("b", "x")})}));
  EXPECT_FALSE(Read(e(), K(1, "q", "b")).has_value());
  Mutation absent{Mutation::kCheck, "never", "", MustNotExist()};
  ASSERT_TRUE(CommitAll(e(), {W(1, "p", {absent})}).ok());
  EXPECT_FALSE(Read(e(), K(1, "p", "never")).has_value());
}

TEST_P(EngineTest, VersionsGrowWithEveryCommit) {
  Version previous = 0;
  for (int i = 0; i < 20; ++i) {
    const Version v = MustPut(e(), K(1 + i % 2, "pk" + std::to_string(i % 3), "sk" + std::to_string(i)), "v");
    EXPECT_GT(v, previous) << "commit " << i;
    previous = v;
  }
}

TEST_P(EngineTest, DeleteAndRecreateNeverReusesAVersion) {
  const Version before = MustPut(e(), K(1, "pk", "sk"), "v");
  ASSERT_TRUE(CommitOne(e(), W(1, "pk", {Del("sk")})).ok());
  const Version after = MustPut(e(), K(1, "pk", "sk"), "v");
  EXPECT_GT(after, before);
  // So a compare-and-set based on the old read cannot succeed.
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("sk", "lost update", VersionEquals(before))})));
}

TEST_P(EngineTest, FailedCommitsDoNotMakeLaterVersionsRepeat) {
  const Version v1 = MustPut(e(), K(1, "pk", "a"), "v");
  for (int i = 0; i < 5; ++i) ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("b", "x", MustExist())})));
  const Version v2 = MustPut(e(), K(1, "pk", "b"), "v");
  const Version v3 = MustPut(e(), K(1, "pk", "c"), "v");
  EXPECT_GT(v2, v1);
  EXPECT_GT(v3, v2);
}

TEST_P(EngineTest, StatsOfAnUnknownTableAreZero) {
  TableStats s{5, 5};
  ASSERT_TRUE(e().Stats(42, &s).ok());
  EXPECT_EQ(s.item_count, 0);
  EXPECT_EQ(s.size_bytes, 0);
}

TEST_P(EngineTest, StatsFollowTheCommittedDeltas) {
  ASSERT_TRUE(CommitOne(e(), W(1, "a", {Put("", "x")}, 1, 100)).ok());
  ASSERT_TRUE(CommitOne(e(), W(1, "b", {Put("", "y")}, 1, 50)).ok());
  EXPECT_EQ(StatsOf(e(), 1).item_count, 2);
  EXPECT_EQ(StatsOf(e(), 1).size_bytes, 150);

  // Replacing an item changes only the size; deleting it takes both back.
  ASSERT_TRUE(CommitOne(e(), W(1, "a", {Put("", "xx")}, 0, 20)).ok());
  ASSERT_TRUE(CommitOne(e(), W(1, "b", {Del("")}, -1, -50)).ok());
  EXPECT_EQ(StatsOf(e(), 1).item_count, 1);
  EXPECT_EQ(StatsOf(e(), 1).size_bytes, 120);

  // Deltas of several partition writes in one commit add up, per table.
  ASSERT_TRUE(CommitAll(e(), {W(1, "c", {Put("", "1")}, 1, 7), W(1, "d", {Put("", "1")}, 1, 8),
                              W(2, "c", {Put("", "1")}, 3, 9)})
                  .ok());
  EXPECT_EQ(StatsOf(e(), 1).item_count, 3);
  EXPECT_EQ(StatsOf(e(), 1).size_bytes, 135);
  EXPECT_EQ(StatsOf(e(), 2).item_count, 3);
  EXPECT_EQ(StatsOf(e(), 2).size_bytes, 9);
}

TEST_P(EngineTest, StatsMayGoNegativeAndBackWithoutClamping) {
  ASSERT_TRUE(CommitOne(e(), W(1, "a", {}, -2, -10)).ok());
  EXPECT_EQ(StatsOf(e(), 1).item_count, -2);
  EXPECT_EQ(StatsOf(e(), 1).size_bytes, -10);
  ASSERT_TRUE(CommitOne(e(), W(1, "a", {}, 2, 10)).ok());
  EXPECT_EQ(StatsOf(e(), 1).item_count, 0);
  EXPECT_EQ(StatsOf(e(), 1).size_bytes, 0);
}

TEST_P(EngineTest, DropTableRemovesOnlyThatTablesRecordsAndStats) {
  const std::string high(8, '\xFF');
  for (TableId t : {1, 2, 3}) {
    ASSERT_TRUE(CommitAll(e(), {W(t, "", {Put("", "low")}, 1, 3), W(t, "pk", {Put("a", "x"), Put("b", "y")}, 2, 2),
                                W(t, high, {Put(high, "high")}, 1, 4)})
                    .ok());
  }
  ASSERT_TRUE(e().meta().Put("table/2", "definition").ok());

  ASSERT_TRUE(e().DropTable(2).ok());

  for (const Key& k : {K(2, "", ""), K(2, "pk", "a"), K(2, "pk", "b"), K(2, high, high)}) {
    EXPECT_FALSE(Read(e(), k).has_value()) << "pk " << Hex(k.pk) << " sk " << Hex(k.sk);
  }
  EXPECT_EQ(StatsOf(e(), 2).item_count, 0);
  EXPECT_EQ(StatsOf(e(), 2).size_bytes, 0);
  for (TableId t : {1, 3}) {
    SCOPED_TRACE("table " + std::to_string(t));
    EXPECT_EQ(ValueOf(e(), K(t, "", "")), "low");
    EXPECT_EQ(ValueOf(e(), K(t, "pk", "a")), "x");
    EXPECT_EQ(ValueOf(e(), K(t, "pk", "b")), "y");
    EXPECT_EQ(ValueOf(e(), K(t, high, high)), "high");
    EXPECT_EQ(StatsOf(e(), t).item_count, 4);
    EXPECT_EQ(StatsOf(e(), t).size_bytes, 9);
  }
  // Metadata is not part of any table's range.
  std::optional<std::string> meta;
  ASSERT_TRUE(e().meta().Get("table/2", &meta).ok());
  EXPECT_EQ(meta, "definition");
}

TEST_P(EngineTest, DroppingAnUnknownTableIsFine) {
  MustPut(e(), K(1, "pk"), "v");
  EXPECT_TRUE(e().DropTable(99).ok());
  EXPECT_TRUE(Read(e(), K(1, "pk")).has_value());
}

TEST_P(EngineTest, MetaStorePutGetOverwriteAndDelete) {
  MetaStore& meta = e().meta();
  std::optional<std::string> v = "stale";
  ASSERT_TRUE(meta.Get("k", &v).ok());
  EXPECT_FALSE(v.has_value());

  ASSERT_TRUE(meta.Put("k", "one").ok());
  ASSERT_TRUE(meta.Get("k", &v).ok());
  EXPECT_EQ(v, "one");

  ASSERT_TRUE(meta.Put("k", std::string("two\0", 4)).ok());
  ASSERT_TRUE(meta.Get("k", &v).ok());
  EXPECT_EQ(v, std::string("two\0", 4));

  ASSERT_TRUE(meta.Delete("k").ok());
  ASSERT_TRUE(meta.Get("k", &v).ok());
  EXPECT_FALSE(v.has_value());
  EXPECT_TRUE(meta.Delete("never-there").ok());
}

TEST_P(EngineTest, MetaStorePutIfPutsOnlyOverTheExpectedValue) {
  MetaStore& meta = e().meta();
  const Code failed = Code::kConditionalCheckFailed;
  EXPECT_TRUE(meta.PutIf("n", std::nullopt, "1").ok());  // absent, as expected
  EXPECT_EQ(failed, meta.PutIf("n", std::nullopt, "x").code());
  EXPECT_EQ(failed, meta.PutIf("n", std::string("2"), "x").code());
  EXPECT_TRUE(meta.PutIf("n", std::string("1"), "2").ok());
  std::optional<std::string> v;
  ASSERT_TRUE(meta.Get("n", &v).ok());
  EXPECT_EQ(v, "2");
  ASSERT_TRUE(meta.Delete("n").ok());
  EXPECT_EQ(failed, meta.PutIf("n", std::string("2"), "3").code());
  EXPECT_TRUE(meta.PutIf("n", std::nullopt, "3").ok());
  // Leases: held by this process (on RADOS, until another's; rados_test.cc).
  auto lease = meta.Lease("job", 5);
  ASSERT_TRUE(lease.ok());
  EXPECT_TRUE(*lease);
}

TEST_P(EngineTest, MetaStoreListReturnsPrefixMatchesInKeyOrder) {
  MetaStore& meta = e().meta();
  for (const char* k : {"table/b", "table/a", "tablex", "table", "tabl", "table/c/sub", "u"}) {
    ASSERT_TRUE(meta.Put(k, std::string("v:") + k).ok());
  }
  std::vector<std::pair<std::string, std::string>> out = {{"stale", "stale"}};
  ASSERT_TRUE(meta.List("table/", &out).ok());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"table/a", "v:table/a"}, {"table/b", "v:table/b"}, {"table/c/sub", "v:table/c/sub"}};
  EXPECT_EQ(out, expected);

  ASSERT_TRUE(meta.List("nothing", &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST_P(EngineTest, MetaStoreListSeesNoItemsOrStats) {
  MustPut(e(), K(1, "pk", "sk"), "item");
  ASSERT_TRUE(CommitOne(e(), W(1, "pk", {}, 1, 1)).ok());
  std::vector<std::pair<std::string, std::string>> out;
  ASSERT_TRUE(e().meta().List("", &out).ok());
  EXPECT_TRUE(out.empty()) << out.size() << " entries, first " << Hex(out.front().first);

  ASSERT_TRUE(e().meta().Put("only", "meta").ok());
  ASSERT_TRUE(e().meta().List("", &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].first, "only");
}

// Many threads increment one counter record with read, then compare-and-set
// on the version, retrying when another thread got there first.
TEST_P(EngineTest, ConcurrentVersionedIncrementsLoseNoUpdates) {
  constexpr int kThreads = 8;
  constexpr int kIncrementsPerThread = 150;
  const Key counter = K(1, "counter", "");
  ASSERT_TRUE(CommitOne(e(), W(1, counter.pk, {Put(counter.sk, "0", MustNotExist())}, 1, 1)).ok());

  std::atomic<int> successes{0};
  std::atomic<int> conflicts{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrementsPerThread; ++i) {
        while (true) {
          std::optional<Record> r;
          if (!e().Get(counter, &r).ok() || !r) {
            ++errors;
            return;
          }
          const std::string next = std::to_string(std::stoll(r->value) + 1);
          Status st = CommitOne(e(), W(1, counter.pk, {Put(counter.sk, next, VersionEquals(r->version))}));
          if (st.ok()) {
            ++successes;
            break;
          }
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

  RecordProperty("conflicts_retried", conflicts.load());
  ASSERT_EQ(errors.load(), 0);
  EXPECT_EQ(successes.load(), kThreads * kIncrementsPerThread);
  std::optional<Record> final_value = Read(e(), counter);
  ASSERT_TRUE(final_value.has_value());
  EXPECT_EQ(final_value->value, std::to_string(successes.load())) << conflicts.load() << " conflicts retried";
}

// Transfers between two partitions, written in both orders by different
// threads: the striped locks must neither deadlock nor let a transfer see a
// half-applied one.
TEST_P(EngineTest, ConcurrentCrossPartitionTransfersKeepTheTotal) {
  constexpr int kThreads = 4;
  constexpr int kTransfersPerThread = 100;
  ASSERT_TRUE(CommitAll(e(), {W(1, "alice", {Put("", "1000")}), W(1, "bob", {Put("", "1000")})}).ok());

  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string from = t % 2 ? "alice" : "bob";
      const std::string to = t % 2 ? "bob" : "alice";
      for (int i = 0; i < kTransfersPerThread;) {
        std::vector<Key> keys = {K(1, from), K(1, to)};
        std::vector<std::optional<Record>> recs;
        if (!e().MultiGet(keys, &recs).ok() || !recs[0] || !recs[1]) {
          ++errors;
          return;
        }
        const std::string new_from = std::to_string(std::stoll(recs[0]->value) - 1);
        const std::string new_to = std::to_string(std::stoll(recs[1]->value) + 1);
        Status st = CommitAll(e(), {W(1, from, {Put("", new_from, VersionEquals(recs[0]->version))}),
                                    W(1, to, {Put("", new_to, VersionEquals(recs[1]->version))})});
        if (st.ok()) {
          ++i;
        } else if (st.code() != Code::kPreconditionFailed) {
          ++errors;
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  ASSERT_EQ(errors.load(), 0);
  const int64_t alice = std::stoll(ValueOf(e(), K(1, "alice")));
  const int64_t bob = std::stoll(ValueOf(e(), K(1, "bob")));
  EXPECT_EQ(alice + bob, 2000);
  // Half the threads move money each way, the same number of times.
  EXPECT_EQ(alice, 1000);
  EXPECT_EQ(bob, 1000);
}

// ---------------------------------------------------------------------------
// Directory engine: persistence across close and reopen
// ---------------------------------------------------------------------------

class DirectoryEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void TearDown() override { engine_.reset(); }

  void Reopen() {
    engine_.reset();  // releases the directory lock
    RocksDbOptions options;
    options.path = dir_.path();
    options.durability = Durability::kRelaxed;
    engine_ = MustOpen(options);
    ASSERT_NE(engine_, nullptr);
  }

  Engine& e() { return *engine_; }

  TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(DirectoryEngineTest, DataMetadataAndStatsSurviveReopen) {
  ASSERT_TRUE(
      CommitAll(e(), {W(1, "a", {Put("1", "a1"), Put("2", "a2")}, 2, 20), W(2, "b", {Put("", "b")}, 1, 5)}).ok());
  ASSERT_TRUE(CommitOne(e(), W(1, "a", {Del("2")}, -1, -10)).ok());
  ASSERT_TRUE(CommitOne(e(), W(3, "gone", {Put("", "x")}, 1, 1)).ok());
  ASSERT_TRUE(e().DropTable(3).ok());
  ASSERT_TRUE(e().meta().Put("table/a", "def-a").ok());
  ASSERT_TRUE(e().meta().Put("table/b", "def-b").ok());
  ASSERT_TRUE(e().meta().Delete("table/b").ok());
  const std::string before = Describe(Read(e(), K(1, "a", "1")));

  Reopen();

  EXPECT_EQ(Describe(Read(e(), K(1, "a", "1"))), before);  // value and version
  EXPECT_FALSE(Read(e(), K(1, "a", "2")).has_value());
  EXPECT_EQ(ValueOf(e(), K(2, "b", "")), "b");
  EXPECT_FALSE(Read(e(), K(3, "gone", "")).has_value());
  EXPECT_EQ(StatsOf(e(), 1).item_count, 1);
  EXPECT_EQ(StatsOf(e(), 1).size_bytes, 10);
  EXPECT_EQ(StatsOf(e(), 2).item_count, 1);
  EXPECT_EQ(StatsOf(e(), 2).size_bytes, 5);
  EXPECT_EQ(StatsOf(e(), 3).item_count, 0);
  std::vector<std::pair<std::string, std::string>> meta;
  ASSERT_TRUE(e().meta().List("table/", &meta).ok());
  EXPECT_EQ(meta, (std::vector<std::pair<std::string, std::string>>{{"table/a", "def-a"}}));
}

TEST_F(DirectoryEngineTest, StoredVersionsStillMatchAfterReopen) {
  const Version v = MustPut(e(), K(1, "pk", "sk"), "v1");
  Reopen();
  EXPECT_TRUE(CommitOne(e(), W(1, "pk", {Put("sk", "v2", VersionEquals(v))})).ok());
}

TEST_F(DirectoryEngineTest, VersionsAfterReopenExceedEveryStoredVersion) {
  Version max_stored = 0;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    for (int i = 0; i < 10; ++i) {
      max_stored = std::max(max_stored, MustPut(e(), K(1, "pk" + std::to_string(i)), "v"));
    }
    Reopen();
    const Version fresh = MustPut(e(), K(1, "fresh" + std::to_string(round)), "v");
    EXPECT_GT(fresh, max_stored);
    max_stored = std::max(max_stored, fresh);
  }
}

TEST_F(DirectoryEngineTest, VersionsAfterReopenExceedStoredOnesEvenAfterFailedCommits) {
  // Commits that fail their precondition write nothing; they must not let the
  // versions handed out run ahead of what a reopened engine can recover.
  MustPut(e(), K(1, "pk", "a"), "v");
  for (int i = 0; i < 10; ++i) ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("x", "x", MustExist())})));
  const Version stored = MustPut(e(), K(1, "pk", "b"), "v");

  Reopen();

  const Version fresh = MustPut(e(), K(1, "pk", "c"), "v");
  EXPECT_GT(fresh, stored);
}

TEST_F(DirectoryEngineTest, StaleVersionNeverMatchesARecreatedRecordAfterReopen) {
  // The ABA case the version rules exist for: a client reads version v, the
  // record is deleted and written again, and the client's VersionEquals(v)
  // must still fail, even across a restart.
  for (int i = 0; i < 10; ++i) ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Del("x", MustExist())})));
  const Version read_by_client = MustPut(e(), K(1, "pk", "sk"), "original");

  Reopen();

  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(CommitOne(e(), W(1, "pk", {Del("sk")})).ok());
    const Version recreated = MustPut(e(), K(1, "pk", "sk"), "recreated " + std::to_string(i));
    ASSERT_NE(recreated, read_by_client) << "after " << i + 1 << " delete/recreate cycles";
  }
  ExpectPreconditionFailed(CommitOne(e(), W(1, "pk", {Put("sk", "lost update", VersionEquals(read_by_client))})));
}

TEST_F(DirectoryEngineTest, SyncDurabilityAlsoPersists) {
  engine_.reset();
  RocksDbOptions options;
  options.path = dir_.path();
  options.durability = Durability::kSync;
  engine_ = MustOpen(options);
  ASSERT_NE(engine_, nullptr);
  MustPut(e(), K(1, "pk"), "synced");
  Reopen();
  EXPECT_EQ(ValueOf(e(), K(1, "pk")), "synced");
}

// Bytes of the table files and write-ahead logs in a data directory.
uint64_t DataBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".sst" || ext == ".log")) total += entry.file_size();
  }
  return total;
}

TEST_F(DirectoryEngineTest, DroppingATableFreesItsSpaceInTheBackground) {
  // 48 MB, more than a memtable holds, so part of it is in table files;
  // random, so that compression does not shrink it.
  std::mt19937_64 rng(5);
  std::string value(1000, ' ');
  for (int batch = 0; batch < 480; ++batch) {
    std::vector<PartitionWrite> writes;
    for (int i = 0; i < 100; ++i) {
      for (char& c : value) c = static_cast<char>(rng());
      writes.push_back(W(5, "pk" + std::to_string(batch * 100 + i), {Put("", value)}, 1, 1000));
    }
    ASSERT_TRUE(e().Commit(writes).ok());
  }
  MustPut(e(), K(4, "before"), "kept");
  MustPut(e(), K(6, "after"), "kept");
  const uint64_t loaded = DataBytes(dir_.path());
  ASSERT_GT(loaded, 40u << 20);

  ASSERT_TRUE(e().DropTable(5).ok());
  e().WaitForReclamation();

  EXPECT_LT(DataBytes(dir_.path()), 2u << 20) << "loaded " << loaded;
  EXPECT_EQ(ValueOf(e(), K(4, "before")), "kept");
  EXPECT_EQ(ValueOf(e(), K(6, "after")), "kept");
  EXPECT_FALSE(Read(e(), K(5, "pk1")).has_value());
  Reopen();
  EXPECT_EQ(ValueOf(e(), K(4, "before")), "kept");
  EXPECT_FALSE(Read(e(), K(5, "pk1")).has_value());
}

TEST_P(EngineTest, ReclamationAfterManyDropsLeavesOtherTablesIntact) {
  for (TableId t = 1; t <= 20; ++t) MustPut(e(), K(t, "pk"), "v" + std::to_string(t));
  for (TableId t = 1; t <= 20; t += 2) ASSERT_TRUE(e().DropTable(t).ok());
  e().WaitForReclamation();
  for (TableId t = 1; t <= 20; ++t) {
    EXPECT_EQ(Read(e(), K(t, "pk")).has_value(), t % 2 == 0) << t;
  }
}

TEST(OpenRocksDbTest, UnusablePathIsAnIoError) {
  RocksDbOptions options;
  options.path = "/proc/basalt-cannot-create-this";
  Result<std::unique_ptr<Engine>> r = OpenRocksDb(options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIoError);
  EXPECT_NE(r.status().message().find("cannot open storage at /proc/basalt-cannot-create-this"), std::string::npos)
      << r.status().message();
}

TEST_P(EngineTest, OutboxRecordsShipIntoALogAtomically) {
  PartitionWrite w = W(1, "a", {Put("", "item")});
  w.log = 7;
  w.outbox = {"r1", "r2"};
  ASSERT_TRUE(CommitOne(e(), w).ok());
  std::vector<OutboxEntry> out;
  ASSERT_TRUE(e().ReadOutbox("", 10, &out).ok());
  ASSERT_EQ(2u, out.size());
  EXPECT_EQ("r1", out[0].value);
  EXPECT_EQ(7u, out[1].log);
  std::vector<LogAppend> appends = {{7, 1, "r1"}, {7, 2, "r2"}};
  std::vector<std::pair<std::string, std::string>> meta = {{"m", "v"}};
  ASSERT_TRUE(e().ShipOutbox(out, appends, meta, nullptr).ok());
  std::vector<OutboxEntry> rest;
  ASSERT_TRUE(e().ReadOutbox("", 10, &rest).ok());
  EXPECT_TRUE(rest.empty());
  std::vector<std::pair<uint64_t, std::string>> log;
  auto collect = [&](uint64_t seq, std::string_view v) {
    log.emplace_back(seq, std::string(v));
    return true;
  };
  ASSERT_TRUE(e().ReadLog(7, 0, collect).ok());
  EXPECT_EQ((std::vector<std::pair<uint64_t, std::string>>{{1, "r1"}, {2, "r2"}}), log);
  std::optional<std::string> m;
  ASSERT_TRUE(e().meta().Get("m", &m).ok());
  EXPECT_EQ("v", m.value_or(""));
  ASSERT_TRUE(e().TrimLog(7, 2).ok());
  log.clear();
  ASSERT_TRUE(e().ReadLog(7, 0, collect).ok());
  EXPECT_EQ((std::vector<std::pair<uint64_t, std::string>>{{2, "r2"}}), log);
}

// Shippers sharing a store take turns by a compare on a metadata entry: a
// ship whose condition fails changes nothing.
TEST_P(EngineTest, ShippingWithAConditionShipsOnlyWhileItHolds) {
  PartitionWrite w = W(1, "a", {Put("", "item")});
  w.log = 7;
  w.outbox = {"r"};
  ASSERT_TRUE(CommitOne(e(), w).ok());
  std::vector<OutboxEntry> out;
  ASSERT_TRUE(e().ReadOutbox("", 10, &out).ok());
  ASSERT_EQ(1u, out.size());
  std::vector<LogAppend> appends = {{7, 1, "r"}};
  std::vector<std::pair<std::string, std::string>> meta = {{"gen", "1"}};
  MetaCondition stale{"gen", std::string("5")};
  EXPECT_EQ(e().ShipOutbox(out, appends, meta, &stale).code(), Code::kConditionalCheckFailed);
  std::vector<OutboxEntry> again;
  ASSERT_TRUE(e().ReadOutbox("", 10, &again).ok());
  EXPECT_EQ(1u, again.size());
  std::string log;
  auto collect = [&](uint64_t seq, std::string_view v) {
    log += std::to_string(seq) + "=" + std::string(v) + ";";
    return true;
  };
  ASSERT_TRUE(e().ReadLog(7, 0, collect).ok());
  EXPECT_EQ("", log);
  MetaCondition absent{"gen", std::nullopt};
  ASSERT_TRUE(e().ShipOutbox(out, appends, meta, &absent).ok());
  ASSERT_TRUE(e().ReadOutbox("", 10, &again).ok());
  EXPECT_TRUE(again.empty());
  ASSERT_TRUE(e().ReadLog(7, 0, collect).ok());
  EXPECT_EQ("1=r;", log);
  std::optional<std::string> gen;
  ASSERT_TRUE(e().meta().Get("gen", &gen).ok());
  EXPECT_EQ("1", gen.value_or(""));
}

TEST_P(EngineTest, AFailedCommitLeavesNoOutboxRecord) {
  PartitionWrite w = W(1, "a", {Put("", "item", Precondition{Precondition::kMustExist, 0})});
  w.log = 7;
  w.outbox = {"r"};
  ExpectPreconditionFailed(CommitOne(e(), w));
  std::vector<OutboxEntry> out;
  ASSERT_TRUE(e().ReadOutbox("", 10, &out).ok());
  EXPECT_TRUE(out.empty());
}

// A reader that goes on from the last position it saw meets every record
// exactly once, and the records of one partition in commit order, while
// writers commit concurrently.
TEST_P(EngineTest, OutboxReaderNeverMissesALateCommit) {
  constexpr int kWriters = 4, kPerWriter = 400;
  std::atomic<int> done{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerWriter; ++i) {
        std::string pk = "p" + std::to_string(i % 8);  // partitions shared by all writers
        PartitionWrite w = W(1, pk, {Put(std::to_string(t), "v")});
        w.log = 1;
        w.outbox = {pk + "/" + std::to_string(t) + "/" + std::to_string(i)};
        EXPECT_TRUE(CommitOne(e(), w).ok());
      }
      done.fetch_add(1);
    });
  }
  std::string position;
  std::vector<std::string> seen;
  for (;;) {
    bool finished = done.load() == kWriters;
    std::vector<OutboxEntry> out;
    ASSERT_TRUE(e().ReadOutbox(position, 64, &out).ok());
    for (auto& entry : out) seen.push_back(entry.value);
    if (!out.empty()) position = out.back().position;
    if (finished && out.empty()) break;
  }
  for (auto& w : writers) w.join();
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), unique.size());
  EXPECT_EQ(static_cast<size_t>(kWriters * kPerWriter), seen.size());
  // The records of one item (a writer's sort key in one partition) come in the order of its writes.
  std::map<std::string, int> last;
  for (const auto& v : seen) {
    size_t slash = v.rfind('/');
    std::string item = v.substr(0, slash);
    int i = std::stoi(v.substr(slash + 1));
    auto it = last.find(item);
    if (it != last.end()) {
      EXPECT_LT(it->second, i) << v;
    }
    last[item] = i;
  }
}

}  // namespace
}  // namespace basalt::storage
