// Tests for the rados engine's layout (rados_layout.h), which need no
// cluster. The engine itself runs the engine tests of storage_test.cc
// (EngineTest/Rados) when BASALT_RADOS_CONF and BASALT_RADOS_POOL name a
// cluster (scripts/rados-dev-cluster.sh starts one).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "storage/key_format.h"
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

}  // namespace
}  // namespace basalt::storage::rados_layout
