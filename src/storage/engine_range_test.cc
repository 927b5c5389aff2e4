// Range reads (QueryPartition, ScanSegment) of every engine against the
// in-memory RocksDB engine as the reference: the same random records go into
// both, and every read must visit the same rows. The rados engine takes part
// when BASALT_RADOS_CONF and BASALT_RADOS_POOL name a cluster.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/testing.h"
#include "storage/engine.h"
#include "storage/rados_engine.h"

namespace basalt::storage {
namespace {

using basalt::testing::Hex;

enum class Subject { kInMemory, kRados };

class EngineRangeTest : public ::testing::TestWithParam<Subject> {
 protected:
  void SetUp() override {
    RocksDbOptions memory;
    memory.in_memory = true;
    Result<std::unique_ptr<Engine>> ref = OpenRocksDb(memory);
    ASSERT_TRUE(ref.ok()) << ref.status().message();
    reference_ = std::move(ref).value();
    if (GetParam() == Subject::kRados) {
      const char* conf = getenv("BASALT_RADOS_CONF");
      const char* pool = getenv("BASALT_RADOS_POOL");
      if (!RadosAvailable()) GTEST_SKIP() << "built without librados (BASALT_WITH_RADOS=OFF)";
      if (!conf || !pool) GTEST_SKIP() << "no Ceph cluster: set BASALT_RADOS_CONF and BASALT_RADOS_POOL";
      std::random_device rd;
      Result<std::unique_ptr<Engine>> r =
          OpenRados(RadosOptions{conf, pool, "admin", "range-test-" + std::to_string(rd()) + "-"});
      ASSERT_TRUE(r.ok()) << r.status().message();
      subject_ = std::move(r).value();
    } else {
      Result<std::unique_ptr<Engine>> r = OpenRocksDb(memory);
      ASSERT_TRUE(r.ok()) << r.status().message();
      subject_ = std::move(r).value();
    }
  }

  // Writes the same records to both engines.
  void PutBoth(TableId table, const std::string& pk, const std::string& sk, const std::string& value) {
    PartitionWrite w{table, pk, {Mutation{Mutation::kPut, sk, value, {}}}};
    ASSERT_TRUE(reference_->Commit(std::span<const PartitionWrite>(&w, 1)).ok());
    Status st = subject_->Commit(std::span<const PartitionWrite>(&w, 1));
    ASSERT_TRUE(st.ok()) << st.message();
  }

  // The rows a read visits (at most `limit`), one line each.
  static std::string Query(Engine& e, TableId table, const std::string& pk, const SortKeyRange& range, bool reverse,
                           const std::optional<std::string>& resume, size_t limit) {
    std::string out;
    size_t n = 0;
    Status st = e.QueryPartition(table, pk, range, reverse, resume, [&](const Row& row) {
      out += Hex(row.pk) + "/" + Hex(row.sk) + "=" + std::string(row.value) + "\n";
      return ++n < limit;
    });
    return st.ok() ? out : "error: " + st.message();
  }
  static std::string Scan(Engine& e, TableId table, uint32_t segment, uint32_t total,
                          const std::optional<std::pair<std::string, std::string>>& resume, size_t limit) {
    std::string out;
    size_t n = 0;
    Status st = e.ScanSegment(table, segment, total, resume, [&](const Row& row) {
      out += Hex(row.pk) + "/" + Hex(row.sk) + "=" + std::string(row.value) + "\n";
      return ++n < limit;
    });
    return st.ok() ? out : "error: " + st.message();
  }

  std::unique_ptr<Engine> reference_, subject_;
};

INSTANTIATE_TEST_SUITE_P(Engines, EngineRangeTest, ::testing::Values(Subject::kInMemory, Subject::kRados),
                         [](const ::testing::TestParamInfo<Subject>& info) {
                           return info.param == Subject::kRados ? "Rados" : "InMemory";
                         });

// Sort keys from a small alphabet with 0x00 and 0xFF, so bounds, prefixes
// and the empty key meet real records often.
std::string RandomKey(std::mt19937& rng, size_t max_len) {
  static const char kAlphabet[] = {'\0', 'a', 'b', '\xFF'};
  std::string s(rng() % (max_len + 1), '\0');
  for (char& c : s) c = kAlphabet[rng() % 4];
  return s;
}

TEST_P(EngineRangeTest, QueryPartitionMatchesTheReferenceForRandomRanges) {
  std::mt19937 rng(7);
  const std::vector<std::string> pks = {"", "p", std::string("p\0", 2), "q"};
  for (const std::string& pk : pks) {
    for (int i = 0; i < 40; ++i) PutBoth(1, pk, RandomKey(rng, 3), std::to_string(i));
  }
  PutBoth(2, "p", "other-table", "x");
  for (int q = 0; q < 300; ++q) {
    const std::string& pk = pks[rng() % pks.size()];
    SortKeyRange range;
    if (rng() % 2) range.lower = RandomKey(rng, 3), range.lower_inclusive = rng() % 2;
    if (rng() % 2) range.upper = RandomKey(rng, 3), range.upper_inclusive = rng() % 2;
    if (rng() % 4 == 0) range.prefix = RandomKey(rng, 2);
    bool reverse = rng() % 2;
    std::optional<std::string> resume;
    if (rng() % 3 == 0) resume = RandomKey(rng, 3);
    size_t limit = 1 + rng() % 50;
    ASSERT_EQ(Query(*subject_, 1, pk, range, reverse, resume, limit),
              Query(*reference_, 1, pk, range, reverse, resume, limit))
        << "query " << q << " pk " << Hex(pk) << " reverse " << reverse << " lower "
        << (range.lower ? Hex(*range.lower) + (range.lower_inclusive ? " incl" : " excl") : "-") << " upper "
        << (range.upper ? Hex(*range.upper) + (range.upper_inclusive ? " incl" : " excl") : "-") << " prefix "
        << (range.prefix ? Hex(*range.prefix) : "-") << " resume " << (resume ? Hex(*resume) : "-");
  }
}

TEST_P(EngineRangeTest, ScanSegmentsMatchTheReferenceAndResume) {
  std::mt19937 rng(11);
  for (int i = 0; i < 60; ++i) PutBoth(3, RandomKey(rng, 4), RandomKey(rng, 2), std::to_string(i));
  PutBoth(4, "elsewhere", "", "x");
  for (uint32_t total : {1u, 2u, 7u}) {
    for (uint32_t segment = 0; segment < total; ++segment) {
      ASSERT_EQ(Scan(*subject_, 3, segment, total, std::nullopt, 1000),
                Scan(*reference_, 3, segment, total, std::nullopt, 1000))
          << "segment " << segment << " of " << total;
    }
  }
  // Resuming after each of a few records visits what the reference does.
  for (int i = 0; i < 20; ++i) {
    std::pair<std::string, std::string> resume{RandomKey(rng, 4), RandomKey(rng, 2)};
    ASSERT_EQ(Scan(*subject_, 3, 0, 1, resume, 15), Scan(*reference_, 3, 0, 1, resume, 15)) << i;
  }
}

}  // namespace
}  // namespace basalt::storage
