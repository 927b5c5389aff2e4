// The RocksDB engine's cache of recently read records (item_cache.h): its
// bound and order, the rules that keep it from answering with a record older
// than RocksDB's, and the engine's reads under concurrent commits.
#include "storage/item_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/engine.h"

namespace basalt::storage {
namespace {

Record R(std::string value, Version version) { return Record{std::move(value), version}; }

// Looks `key` up, and on a miss fills it with `rec` as a read of RocksDB would.
void ReadThrough(ItemCache& c, const std::string& key, const Record& rec) {
  Record out;
  ItemCache::Ticket t;
  if (!c.Lookup(key, &out, &t)) c.Fill(key, rec, t);
}

std::string Hit(ItemCache& c, const std::string& key) {
  Record out;
  ItemCache::Ticket t;
  return c.Lookup(key, &out, &t) ? out.value + "@" + std::to_string(out.version) : "miss";
}

ItemCache::Change Put(std::string key, const std::string* value, Version v) { return {std::move(key), value, v}; }
ItemCache::Change Del(std::string key) { return {std::move(key), nullptr, 0}; }

TEST(ItemCacheTest, KeepsWhatWasReadMostRecentlyUsedFirstWithinItsBytes) {
  // One shard; each entry is its key, its value and 160 bytes.
  ItemCache c(3 * 162, /*shards=*/1);
  ReadThrough(c, "a", R("1", 1));
  ReadThrough(c, "b", R("2", 2));
  ReadThrough(c, "c", R("3", 3));
  EXPECT_EQ(c.Render(), "[c=3@3 b=2@2 a=1@1]");
  EXPECT_EQ(Hit(c, "a"), "1@1");  // now the most recent
  ReadThrough(c, "d", R("4", 4));  // b, the least recent, goes
  EXPECT_EQ(c.Render(), "[d=4@4 a=1@1 c=3@3]");
  ReadThrough(c, "big", R(std::string(500, 'x'), 5));  // larger than the whole: not kept
  EXPECT_EQ(c.Render(), "[d=4@4 a=1@1 c=3@3]");
  ItemCache::Stats s = c.stats();
  EXPECT_EQ(s.entries, 3u);
  EXPECT_EQ(s.bytes, 3u * 162);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 5u);
}

TEST(ItemCacheTest, ADisabledCacheNeverHits) {
  ItemCache c(0);
  EXPECT_FALSE(c.enabled());
  ReadThrough(c, "a", R("1", 1));
  EXPECT_EQ(Hit(c, "a"), "miss");
  EXPECT_EQ(c.Render(), "");
}

TEST(ItemCacheTest, AReadThatRacedAWriteIsNotKept) {
  ItemCache c(1 << 20, /*shards=*/1);
  const std::string v2 = "2";
  Record out;
  ItemCache::Ticket before;
  ASSERT_FALSE(c.Lookup("a", &out, &before));  // a read misses, then reads RocksDB...
  std::vector<ItemCache::Change> w = {Put("a", &v2, 2)};
  c.BeginWrite(w);
  c.Fill("a", R("1", 1), before);  // ...and comes back while a write is under way
  EXPECT_EQ(c.Render(), "");
  ItemCache::Ticket during;
  ASSERT_FALSE(c.Lookup("a", &out, &during));
  c.EndWrite(w, /*landed=*/true);
  c.Fill("a", R("1", 1), during);  // read during the write, back after it
  EXPECT_EQ(c.Render(), "");
  c.Fill("a", R("1", 1), before);
  EXPECT_EQ(c.Render(), "");
  // Another key of the shard is refused the same way: the epoch is the shard's.
  ItemCache::Ticket other;
  ASSERT_FALSE(c.Lookup("b", &out, &other));
  std::vector<ItemCache::Change> w2 = {Del("a")};
  c.BeginWrite(w2);
  c.EndWrite(w2, true);
  c.Fill("b", R("9", 9), other);
  EXPECT_EQ(c.Render(), "");
  // A read with nothing in between is kept.
  ReadThrough(c, "a", R("2", 2));
  EXPECT_EQ(c.Render(), "[a=2@2]");
}

TEST(ItemCacheTest, AWriteKeepsAHotKeyWithItsNewRecordAndLeavesTheRestOut) {
  ItemCache c(1 << 20, /*shards=*/1);
  ReadThrough(c, "hot", R("1", 1));
  ReadThrough(c, "gone", R("1", 1));
  const std::string v2 = "2";
  std::vector<ItemCache::Change> w = {Put("hot", &v2, 7), Put("cold", &v2, 7), Del("gone")};
  c.BeginWrite(w);
  EXPECT_EQ(c.Render(), "");  // nothing written is answered from the cache during the write
  c.EndWrite(w, /*landed=*/true);
  EXPECT_EQ(c.Render(), "[hot=2@7]");

  // A write that failed leaves its keys to RocksDB.
  const std::string v3 = "3";
  std::vector<ItemCache::Change> failed = {Put("hot", &v3, 8)};
  c.BeginWrite(failed);
  c.EndWrite(failed, /*landed=*/false);
  EXPECT_EQ(c.Render(), "");
}

TEST(ItemCacheTest, ACommitThatOverlapsARangeDeletionDoesNotPutItsRecordsBack) {
  ItemCache c(1 << 20, /*shards=*/2);
  const std::string v2 = "2";
  for (int order = 0; order < 3; ++order) {
    ReadThrough(c, "k", R("1", 1));
    ASSERT_EQ(Hit(c, "k"), "1@1");
    std::vector<ItemCache::Change> w = {Put("k", &v2, 2)};
    // The deletion begins before the commit and ends within it, begins and
    // ends within it, or begins within it and ends after it.
    if (order == 0) c.BeginWriteAll();
    c.BeginWrite(w);
    if (order == 1 || order == 2) c.BeginWriteAll();
    if (order == 0 || order == 1) c.EndWriteAll();
    c.EndWrite(w, true);
    if (order == 2) c.EndWriteAll();
    EXPECT_EQ(c.Render(), "") << order;
  }
  // Wholly after the deletion, a commit keeps its hot key.
  ReadThrough(c, "k", R("1", 1));
  std::vector<ItemCache::Change> w = {Put("k", &v2, 2)};
  c.BeginWrite(w);
  c.EndWrite(w, true);
  EXPECT_EQ(c.Render(), "[k=2@2]");
}

std::unique_ptr<Engine> OpenInMemory(size_t cache_bytes = RocksDbOptions{}.item_cache_bytes) {
  RocksDbOptions options;
  options.in_memory = true;
  options.item_cache_bytes = cache_bytes;
  auto opened = OpenRocksDb(options);
  EXPECT_TRUE(opened.ok()) << opened.status().message();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// The engine with its cache, under commits and reads at once: once a commit
// has returned, no read answers with a record older than it.
TEST(ItemCacheEngineTest, NoReadIsOlderThanACommitThatReturned) {
  auto opened = OpenInMemory(1 << 20);
  ASSERT_NE(opened, nullptr);
  Engine& e = *opened;

  constexpr int kWriters = 3, kKeysEach = 4, kRounds = 3000;
  std::vector<std::atomic<int>> committed(kWriters * kKeysEach);
  std::atomic<bool> done{false};
  std::atomic<int> stale{0}, reads{0};
  auto key = [](int k) { return Key{1, "pk" + std::to_string(k), ""}; };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int n = 1; n <= kRounds; ++n) {
        const int k = w * kKeysEach + n % kKeysEach;
        PartitionWrite pw{1, key(k).pk, {Mutation{Mutation::kPut, "", std::to_string(n), {}}}};
        ASSERT_TRUE(e.Commit(std::span<const PartitionWrite>(&pw, 1)).ok());
        committed[k].store(n);
      }
    });
  }
  // One reader by Get, one by MultiGet of every key (hits and misses mixed).
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      std::vector<Key> all;
      for (int k = 0; k < kWriters * kKeysEach; ++k) all.push_back(key(k));
      while (!done.load()) {
        std::vector<int> floors;
        for (int k = 0; k < kWriters * kKeysEach; ++k) floors.push_back(committed[k].load());
        std::vector<std::optional<Record>> recs(all.size());
        if (r == 0) {
          for (size_t k = 0; k < all.size(); ++k) ASSERT_TRUE(e.Get(all[k], &recs[k]).ok());
        } else {
          ASSERT_TRUE(e.MultiGet(all, &recs).ok());
        }
        for (size_t k = 0; k < all.size(); ++k) {
          const int seen = recs[k] ? std::stoi(recs[k]->value) : 0;
          if (seen < floors[k]) ++stale;
          ++reads;
        }
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  EXPECT_EQ(stale.load(), 0) << "of " << reads.load() << " reads";
  for (int k = 0; k < kWriters * kKeysEach; ++k) {
    std::optional<Record> rec;
    ASSERT_TRUE(e.Get(key(k), &rec).ok());
    ASSERT_TRUE(rec.has_value());
    EXPECT_EQ(std::stoi(rec->value), committed[k].load()) << k;
  }
}

// MultiGet may take some records from the cache and the rest from RocksDB;
// TransactGet never: two keys written together are read together.
TEST(ItemCacheEngineTest, TransactGetReadsAtOneMomentWhereMultiGetNeedNot) {
  auto opened = OpenInMemory();
  ASSERT_NE(opened, nullptr);
  Engine& e = *opened;
  const std::vector<Key> pair = {Key{1, "a", ""}, Key{1, "b", ""}};
  auto write = [&](int n) {
    std::vector<PartitionWrite> ws = {PartitionWrite{1, "a", {Mutation{Mutation::kPut, "", std::to_string(n), {}}}},
                                      PartitionWrite{1, "b", {Mutation{Mutation::kPut, "", std::to_string(n), {}}}}};
    ASSERT_TRUE(e.Commit(ws).ok());
  };
  write(0);
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::thread writer([&] {
    for (int n = 1; n <= 20000; ++n) write(n);
    done = true;
  });
  std::thread reader([&] {
    while (!done.load()) {
      std::optional<Record> one;
      ASSERT_TRUE(e.Get(pair[0], &one).ok());  // keeps "a" cached, so MultiGet mixes
      std::vector<std::optional<Record>> recs;
      ASSERT_TRUE(e.TransactGet(pair, &recs).ok());
      ASSERT_TRUE(recs[0] && recs[1]);
      if (recs[0]->value != recs[1]->value) ++torn;
      ++reads;
    }
  });
  writer.join();
  reader.join();
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load();
  std::vector<std::optional<Record>> recs;
  ASSERT_TRUE(e.MultiGet(pair, &recs).ok());
  EXPECT_EQ(recs[0]->value, "20000");
  EXPECT_EQ(recs[1]->value, "20000");
}

// A dropped table's items are gone from reads at once, cached or not.
TEST(ItemCacheEngineTest, DropTableEmptiesTheCache) {
  auto opened = OpenInMemory();
  ASSERT_NE(opened, nullptr);
  Engine& e = *opened;
  PartitionWrite pw{3, "p", {Mutation{Mutation::kPut, "", "v", {}}}};
  ASSERT_TRUE(e.Commit(std::span<const PartitionWrite>(&pw, 1)).ok());
  std::optional<Record> rec;
  ASSERT_TRUE(e.Get(Key{3, "p", ""}, &rec).ok());
  ASSERT_TRUE(e.Get(Key{3, "p", ""}, &rec).ok());  // a hit
  ASSERT_TRUE(rec.has_value());
  ASSERT_TRUE(e.DropTable(3).ok());
  ASSERT_TRUE(e.Get(Key{3, "p", ""}, &rec).ok());
  EXPECT_FALSE(rec.has_value());
}

}  // namespace
}  // namespace basalt::storage
