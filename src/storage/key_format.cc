#include "storage/key_format.h"

#include "common/coding.h"

namespace basalt::storage {

uint32_t PartitionHash(std::string_view pk) {
  // FNV-1a over the bytes, then a 64-bit finalizer (from MurmurHash3's fmix64)
  // so that similar keys spread across the whole range.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : pk) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<uint32_t>(h >> 32);
}

std::string MetaKey(std::string_view name) {
  std::string k(1, kMetaPrefix);
  k.append(name);
  return k;
}

std::string StatsKey(uint64_t table) {
  std::string k(1, kStatsPrefix);
  PutFixed64BE(&k, table);
  return k;
}

std::string TableBegin(uint64_t table) {
  std::string k(1, kItemPrefix);
  PutFixed64BE(&k, table);
  return k;
}

std::string TableEnd(uint64_t table) { return TableBegin(table + 1); }

std::string PartitionPrefix(uint64_t table, std::string_view pk) {
  std::string k = TableBegin(table);
  k.reserve(k.size() + 4 + pk.size() + 2);
  PutFixed32BE(&k, PartitionHash(pk));
  for (char c : pk) {
    k.push_back(c);
    if (c == 0) k.push_back(static_cast<char>(0xFF));
  }
  k.push_back(0);
  k.push_back(1);
  return k;
}

std::string ItemKey(uint64_t table, std::string_view pk, std::string_view sk) {
  std::string k = PartitionPrefix(table, pk);
  k.append(sk);
  return k;
}

uint64_t SegmentHashBegin(uint32_t segment, uint32_t total) {
  return (static_cast<uint64_t>(segment) << 32) / total;
}

}  // namespace basalt::storage
