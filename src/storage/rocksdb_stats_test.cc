// The RocksDB engine keeps the stats and collection keys in a column family
// of their own (rocksdb_parts.h, kStatsFamily). These tests pin the move of a
// database written before that family, whose counters were in the default one.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/engine.h"
#include "storage/key_format.h"
#include "storage/rocksdb_parts.h"

namespace basalt::storage {
namespace {

using rocks::StatsMergeOperator;

class RocksStatsFamilyTest : public ::testing::Test {
 protected:
  RocksStatsFamilyTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "basalt-stats-family-XXXXXX").string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~RocksStatsFamilyTest() override {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  // A database as the engine wrote it before the stats family: one family,
  // the counters as merge operands among the records. Table 7's first
  // operands are flushed to a table file, the last one stays in the log.
  void WriteOldLayout() {
    rocksdb::Options opts;
    opts.create_if_missing = true;
    opts.merge_operator = std::make_shared<StatsMergeOperator>();
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(opts, path_, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions wo;
    ASSERT_TRUE(db->Merge(wo, StatsKey(7), StatsMergeOperator::Encode(2, 200)).ok());
    ASSERT_TRUE(db->Merge(wo, CollectionKey(7, "p"), StatsMergeOperator::Encode(0, 150)).ok());
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    ASSERT_TRUE(db->Merge(wo, StatsKey(7), StatsMergeOperator::Encode(1, 50)).ok());
    ASSERT_TRUE(db->Merge(wo, StatsKey(9), StatsMergeOperator::Encode(4, 40)).ok());
    ASSERT_TRUE(db->Put(wo, MetaKey("m"), "kept").ok());
    ASSERT_TRUE(db->Close().ok());
  }

  std::unique_ptr<Engine> Open() {
    Result<std::unique_ptr<Engine>> r = OpenRocksDb(RocksDbOptions{path_});
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // "table 7: 3 items, 250 bytes; partition p: 150 bytes; table 9: ..."
  static std::string Counters(Engine& e) {
    std::string out;
    for (TableId t : {7, 9}) {
      TableStats s;
      EXPECT_TRUE(e.Stats(t, &s).ok());
      out += "table " + std::to_string(t) + ": " + std::to_string(s.item_count) + " items, " +
             std::to_string(s.size_bytes) + " bytes; ";
    }
    int64_t bytes = 0;
    EXPECT_TRUE(e.CollectionBytes(7, "p", &bytes).ok());
    return out + "partition p: " + std::to_string(bytes) + " bytes";
  }

  // The keys of the default family, in order, as hex of their first byte and length.
  std::string DefaultFamilyKeys() {
    rocksdb::Options opts;
    opts.merge_operator = std::make_shared<StatsMergeOperator>();
    const std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, opts}, {rocks::kStatsFamily, opts}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    EXPECT_TRUE(rocksdb::DB::OpenForReadOnly(opts, path_, families, &handles, &raw).ok());
    if (!raw) return "<not opened>";
    std::string out;
    {
      std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), handles[0]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        out += (out.empty() ? "" : " ") + std::string(it->key()[0] == kStatsPrefix ? "stats" : "other") + "/" +
               std::to_string(it->key().size());
      }
    }
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    delete raw;
    return out;
  }

  std::string path_;
};

TEST_F(RocksStatsFamilyTest, CountersOfAnOlderDatabaseMoveToTheirFamilyOnOpen) {
  WriteOldLayout();
  {
    auto e = Open();
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(Counters(*e), "table 7: 3 items, 250 bytes; table 9: 4 items, 40 bytes; partition p: 150 bytes");
    PartitionWrite w{7, "p", {Mutation{Mutation::kPut, "", "v", {}}}, 1, 10};
    w.collection_bytes_delta = 10;
    ASSERT_TRUE(e->Commit(std::span<const PartitionWrite>(&w, 1)).ok());
    EXPECT_EQ(Counters(*e), "table 7: 4 items, 260 bytes; table 9: 4 items, 40 bytes; partition p: 160 bytes");
  }
  // Moved once: the default family keeps only the other keys (the meta key
  // and the item), and a second open finds the counters where they went.
  EXPECT_EQ(DefaultFamilyKeys(), "other/2 other/16");
  auto e = Open();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(Counters(*e), "table 7: 4 items, 260 bytes; table 9: 4 items, 40 bytes; partition p: 160 bytes");
  ASSERT_TRUE(e->DropTable(7).ok());
  EXPECT_EQ(Counters(*e), "table 7: 0 items, 0 bytes; table 9: 4 items, 40 bytes; partition p: 0 bytes");
}

TEST_F(RocksStatsFamilyTest, ANewDatabaseKeepsNoCounterInTheDefaultFamily) {
  {
    auto e = Open();
    ASSERT_NE(e, nullptr);
    PartitionWrite w{9, "q", {Mutation{Mutation::kPut, "", "v", {}}}, 1, 5};
    ASSERT_TRUE(e->Commit(std::span<const PartitionWrite>(&w, 1)).ok());
  }
  EXPECT_EQ(DefaultFamilyKeys(), "other/16");
  auto e = Open();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(Counters(*e), "table 7: 0 items, 0 bytes; table 9: 1 items, 5 bytes; partition p: 0 bytes");
}

}  // namespace
}  // namespace basalt::storage
