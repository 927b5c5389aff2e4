#include "storage/key_format.h"

#include "common/coding.h"
#include "storage/engine.h"

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

bool ScanOrderLess(std::string_view pk_a, std::string_view sk_a, std::string_view pk_b, std::string_view sk_b) {
  uint32_t ha = PartitionHash(pk_a), hb = PartitionHash(pk_b);
  if (ha != hb) return ha < hb;
  if (pk_a != pk_b) return pk_a < pk_b;  // esc() keeps the order of partition keys
  return sk_a < sk_b;
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

namespace {
// esc(pk): the runs between 0x00 bytes are copied whole (a partition key
// seldom has any).
void AppendEscaped(std::string_view pk, std::string* k) {
  for (size_t at = 0;;) {
    const size_t zero = pk.find('\0', at);
    if (zero == std::string_view::npos) {
      k->append(pk.substr(at));
      break;
    }
    k->append(pk.substr(at, zero + 1 - at));
    k->push_back(static_cast<char>(0xFF));
    at = zero + 1;
  }
  k->append("\0\1", 2);
}

// 0x02 table:u64be hash:u32be esc(pk), then sk, built in one allocation: the
// key of every item read and written, twice per PutItem (the read of the old
// item and the write). With a reallocation once past the prefix and the
// partition key pushed byte by byte, it took ~750 instructions per key;
// ~400 so (callgrind, PutItem).
std::string ItemKeyOf(uint64_t table, std::string_view pk, std::string_view sk) {
  std::string k;
  k.reserve(1 + 8 + 4 + pk.size() + 2 + sk.size() + 4);  // + 4: room for a few escapes
  k.push_back(kItemPrefix);
  PutFixed64BE(&k, table);
  PutFixed32BE(&k, PartitionHash(pk));
  AppendEscaped(pk, &k);
  k.append(sk);
  return k;
}
}  // namespace

std::string CollectionKey(uint64_t table, std::string_view pk) {
  std::string k = StatsKey(table);
  AppendEscaped(pk, &k);
  return k;
}

std::string TableBegin(uint64_t table) {
  std::string k(1, kItemPrefix);
  PutFixed64BE(&k, table);
  return k;
}

std::string TableEnd(uint64_t table) { return TableBegin(table + 1); }

std::string PartitionPrefix(uint64_t table, std::string_view pk) { return ItemKeyOf(table, pk, {}); }

std::string ItemKey(uint64_t table, std::string_view pk, std::string_view sk) { return ItemKeyOf(table, pk, sk); }

bool ParseItemKey(std::string_view key, uint64_t table, std::string* pk, std::string_view* sk) {
  if (key.size() < 13 || key[0] != kItemPrefix || DecodeFixed64BE(key.data() + 1) != table) return false;
  pk->clear();
  size_t i = 13;
  while (i + 1 < key.size()) {
    char c = key[i];
    if (c != 0) {
      pk->push_back(c);
      ++i;
      continue;
    }
    char next = key[i + 1];
    if (next == static_cast<char>(0xFF)) {
      pk->push_back(0);
      i += 2;
    } else if (next == 1) {
      *sk = key.substr(i + 2);
      return true;
    } else {
      return false;
    }
  }
  return false;
}

std::string OutboxKey(uint64_t version, uint32_t index) {
  std::string k(1, kOutboxPrefix);
  PutFixed64BE(&k, version);
  PutFixed32BE(&k, index);
  return k;
}

std::string LogKey(uint64_t log, uint64_t seq) {
  std::string k(1, kLogPrefix);
  PutFixed64BE(&k, log);
  PutFixed64BE(&k, seq);
  return k;
}

std::string HashBegin(uint64_t table, uint64_t hash) {
  if (hash >= (uint64_t{1} << 32)) return TableEnd(table);
  std::string k = TableBegin(table);
  PutFixed32BE(&k, static_cast<uint32_t>(hash));
  return k;
}

uint64_t SegmentHashBegin(uint32_t segment, uint32_t total) {
  return (static_cast<uint64_t>(segment) << 32) / total;
}

}  // namespace basalt::storage
