// Tests for the persistent key layout of the embedded engine (key_format.h):
// the bytes of each kind of key, and the orders and ranges they must keep.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/coding.h"
#include "common/testing.h"
#include "storage/key_format.h"

namespace basalt::storage {
namespace {

using basalt::testing::Hex;

// Note: std::string's operator< compares bytes as unsigned char (like
// memcmp), which is the order RocksDB's default comparator uses.

constexpr size_t kItemHeaderSize = 1 + 8 + 4;  // prefix, table, hash

std::string Be64(uint64_t v) {
  std::string s;
  PutFixed64BE(&s, v);
  return s;
}
std::string Be32(uint32_t v) {
  std::string s;
  PutFixed32BE(&s, v);
  return s;
}

// The escaped partition key and terminator of an item key or partition prefix.
std::string EscapedPart(const std::string& prefix) { return prefix.substr(kItemHeaderSize); }

const std::vector<std::string>& TrickyPartitionKeys() {
  static const std::vector<std::string> pks = {
      std::string(""),          std::string("\0", 1),      std::string("\0\0", 2), std::string("\0\x01", 2),
      std::string("\0\xFF", 2), std::string("\x01"),       std::string("a"),       std::string("a\0", 2),
      std::string("a\0\0", 3),  std::string("a\0\x01", 3), std::string("a\0b", 3), std::string("a\x01"),
      std::string("ab"),        std::string("b"),          std::string("\xFF"),    std::string("\xFF\xFF"),
  };
  return pks;
}

TEST(KeyFormatTest, MetaAndStatsKeysCarryTheirPrefixes) {
  EXPECT_EQ(Hex(MetaKey("abc")), Hex(std::string("\0abc", 4)));
  EXPECT_EQ(Hex(StatsKey(0x0102)), Hex("\x01" + Be64(0x0102)));
}

TEST(KeyFormatTest, TableRangeIsPrefixAndBigEndianId) {
  EXPECT_EQ(Hex(TableBegin(7)), Hex("\x02" + Be64(7)));
  EXPECT_EQ(Hex(TableEnd(7)), Hex("\x02" + Be64(8)));
  EXPECT_EQ(Hex(TableEnd(0xFF)), Hex("\x02" + Be64(0x100)));
}

TEST(KeyFormatTest, PartitionPrefixIsTableHashEscapedKeyAndTerminator) {
  const std::string pk("a\0b", 3);
  const std::string escaped = std::string("a\0\xFF", 3) + "b" + std::string("\0\x01", 2);
  const std::string expected = "\x02" + Be64(7) + Be32(PartitionHash(pk)) + escaped;
  EXPECT_EQ(Hex(PartitionPrefix(7, pk)), Hex(expected));
  EXPECT_EQ(Hex(EscapedPart(PartitionPrefix(7, ""))), "0001");
  EXPECT_EQ(Hex(EscapedPart(PartitionPrefix(7, std::string("\0", 1)))), "00ff0001");
}

TEST(KeyFormatTest, ItemKeyAppendsTheSortKeyUnescaped) {
  const std::string sk("\0\xFF\0", 3);
  EXPECT_EQ(Hex(ItemKey(3, "pk", sk)), Hex(PartitionPrefix(3, "pk") + sk));
  EXPECT_EQ(Hex(ItemKey(3, "pk", "")), Hex(PartitionPrefix(3, "pk")));
}

TEST(KeyFormatTest, EscapedPartitionKeysArePrefixFreeAndKeepOrder) {
  const auto& pks = TrickyPartitionKeys();
  for (const std::string& a : pks) {
    for (const std::string& b : pks) {
      const std::string ea = EscapedPart(PartitionPrefix(1, a));
      const std::string eb = EscapedPart(PartitionPrefix(1, b));
      EXPECT_EQ(a < b, ea < eb) << Hex(a) << " vs " << Hex(b) << ": " << Hex(ea) << " vs " << Hex(eb);
      if (a != b) {
        EXPECT_FALSE(eb.starts_with(ea)) << Hex(ea) << " is a prefix of " << Hex(eb);
      }
    }
  }
}

TEST(KeyFormatTest, PartitionKeysAAndAZeroAndAbStayDistinctAndOrdered) {
  // "a" < "a\0" < "ab" bytewise, and escaping keeps it so: 'a' 00 01 < 'a' 00 FF 00 01 < 'a' 'b' 00 01.
  const std::string a = EscapedPart(PartitionPrefix(1, "a"));
  const std::string a0 = EscapedPart(PartitionPrefix(1, std::string("a\0", 2)));
  const std::string ab = EscapedPart(PartitionPrefix(1, "ab"));
  EXPECT_EQ(Hex(a), "610001");
  EXPECT_EQ(Hex(a0), "6100ff0001");
  EXPECT_EQ(Hex(ab), "61620001");
  EXPECT_LT(a, a0);
  EXPECT_LT(a0, ab);
}

// Sorts every (pk, sk) item key and checks that each partition's records form
// one contiguous run ordered by sort key. `strip_hash` drops the hash bytes,
// showing the escaping alone guarantees it, whatever the hashes are.
void ExpectPartitionsContiguous(bool strip_hash) {
  const std::vector<std::string> sks = {
      std::string(""),  std::string("\0", 1),  std::string("\0\0", 2), std::string("\x01"),         std::string("\x02"),
      std::string("a"), std::string("b\0", 2), std::string("\xFF"),    std::string("\xFF\xFF\xFF"),
  };
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> keys;  // key -> (pk, sk)
  for (const std::string& pk : TrickyPartitionKeys()) {
    for (const std::string& sk : sks) {
      std::string k = ItemKey(1, pk, sk);
      if (strip_hash) k.erase(9, 4);
      keys.push_back({k, {pk, sk}});
    }
  }
  std::sort(keys.begin(), keys.end());
  std::set<std::string> finished;
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto& [pk, sk] = keys[i].second;
    const bool continues = i > 0 && keys[i - 1].second.first == pk;
    if (!continues) {
      EXPECT_TRUE(finished.insert(pk).second) << "partition " << Hex(pk) << " is split";
    } else {
      EXPECT_LT(keys[i - 1].second.second, sk) << "partition " << Hex(pk) << " is not ordered by sort key";
    }
  }
  EXPECT_EQ(finished.size(), TrickyPartitionKeys().size());
}

TEST(KeyFormatTest, AllRecordsOfOnePartitionAreContiguousAndSortedBySortKey) {
  ExpectPartitionsContiguous(/*strip_hash=*/false);
}

TEST(KeyFormatTest, EscapingAloneKeepsPartitionsContiguous) { ExpectPartitionsContiguous(/*strip_hash=*/true); }

TEST(KeyFormatTest, ItemKeyOrderEqualsTableHashPkSkOrder) {
  std::mt19937 rng(42);
  const char alphabet[] = {'\0', '\x01', 'a', '\xFE', '\xFF'};
  auto random_bytes = [&] {
    std::string s(rng() % 5, '\0');
    for (char& c : s) c = alphabet[rng() % sizeof(alphabet)];
    return s;
  };
  using Tuple = std::tuple<uint64_t, uint32_t, std::string, std::string>;
  std::set<Tuple> tuples;
  // Few distinct partition keys with several sort keys each, so ties on
  // (table, hash, pk) are common and the sort key decides.
  std::vector<std::string> pks;
  for (int i = 0; i < 40; ++i) pks.push_back(random_bytes());
  for (int i = 0; i < 2000; ++i) {
    const std::string& pk = pks[rng() % pks.size()];
    tuples.insert({1 + rng() % 3, PartitionHash(pk), pk, random_bytes()});
  }
  std::vector<std::pair<std::string, Tuple>> by_key;
  for (const Tuple& t : tuples) by_key.push_back({ItemKey(std::get<0>(t), std::get<2>(t), std::get<3>(t)), t});
  std::sort(by_key.begin(), by_key.end());
  // `tuples` iterates in tuple order; the sorted keys must visit the same tuples in the same order.
  size_t i = 0;
  for (const Tuple& t : tuples) {
    ASSERT_EQ(by_key[i].second, t) << "position " << i << ": key " << Hex(by_key[i].first);
    ++i;
  }
}

TEST(KeyFormatTest, TableRangeHoldsExactlyThatTablesItems) {
  const std::string high_pk(5, '\xFF');
  const std::string high_sk(100, '\xFF');
  for (uint64_t t : {uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 40}) {
    for (const std::string& pk : {std::string(""), high_pk, std::string("\0", 1)}) {
      for (const std::string& sk : {std::string(""), high_sk}) {
        const std::string k = ItemKey(t, pk, sk);
        EXPECT_LE(TableBegin(t), k);
        EXPECT_LT(k, TableEnd(t));
        EXPECT_LT(ItemKey(t - 1, pk, sk), TableBegin(t));
        EXPECT_LE(TableEnd(t), ItemKey(t + 1, pk, sk));
      }
    }
  }
  // Item keys sort after stats and meta keys of any table.
  EXPECT_LT(StatsKey(~uint64_t{0}), TableBegin(0));
  EXPECT_LT(MetaKey(std::string(10, '\xFF')), StatsKey(0));
}

TEST(KeyFormatTest, SegmentsCoverTheWholeHashSpaceWithoutGapsOrOverlaps) {
  constexpr uint64_t kSpace = uint64_t{1} << 32;
  for (uint32_t total : {1u, 2u, 3u, 7u, 1000000u}) {
    SCOPED_TRACE("total " + std::to_string(total));
    EXPECT_EQ(SegmentHashBegin(0, total), 0u);
    EXPECT_EQ(SegmentHashBegin(total, total), kSpace);
    const uint64_t even = kSpace / total;
    uint64_t previous = 0;
    for (uint32_t s = 1; s <= total; ++s) {
      const uint64_t begin = SegmentHashBegin(s, total);
      ASSERT_GT(begin, previous) << "segment " << s - 1 << " is empty";
      // Segment s - 1 is [previous, begin): its size is the even share, give or take one.
      const uint64_t size = begin - previous;
      ASSERT_TRUE(size == even || size == even + 1) << "segment " << s - 1 << " has " << size << " hashes";
      previous = begin;
    }
    // Every hash value belongs to exactly one segment: the one a binary search finds.
    for (uint64_t h : {uint64_t{0}, uint64_t{1}, kSpace / 2, kSpace / 3, kSpace - 1, uint64_t{PartitionHash("a")},
                       uint64_t{PartitionHash("hello")}}) {
      uint32_t lo = 0, hi = total;  // find the last s with begin(s) <= h
      while (hi - lo > 1) {
        const uint32_t mid = lo + (hi - lo) / 2;
        (SegmentHashBegin(mid, total) <= h ? lo : hi) = mid;
      }
      EXPECT_LE(SegmentHashBegin(lo, total), h);
      EXPECT_LT(h, SegmentHashBegin(lo + 1, total));
    }
  }
}

TEST(KeyFormatTest, SmallSegmentCountsSplitAtTheExpectedHashes) {
  EXPECT_EQ(SegmentHashBegin(1, 2), uint64_t{1} << 31);
  EXPECT_EQ(SegmentHashBegin(1, 3), 1431655765u);
  EXPECT_EQ(SegmentHashBegin(2, 3), 2863311530u);
}

TEST(KeyFormatTest, PartitionHashIsPinned) {
  // FNV-1a 64 then MurmurHash3's fmix64, top 32 bits. Records are placed by
  // this hash on disk: if these change, existing data is unreadable.
  EXPECT_EQ(PartitionHash(""), 0xd725c98eu);
  EXPECT_EQ(PartitionHash("a"), 0x43a94154u);
  EXPECT_EQ(PartitionHash("b"), 0xb4d1ea34u);
  EXPECT_EQ(PartitionHash("hello"), 0xdfd47fc0u);
  EXPECT_EQ(PartitionHash("user#42"), 0xea7069d4u);
  EXPECT_EQ(PartitionHash(std::string("\0", 1)), 0xbd61e3d9u);
  EXPECT_EQ(PartitionHash(std::string("\x03\x82\x20", 3)), 0x0b700391u);  // the number 1, key-encoded
}

}  // namespace
}  // namespace basalt::storage
