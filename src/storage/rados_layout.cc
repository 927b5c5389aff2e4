#include "storage/rados_layout.h"

#include "common/coding.h"
#include "storage/key_format.h"

namespace basalt::storage::rados_layout {
namespace {

constexpr size_t kShortPk = 900;
constexpr char kDigits[] = "0123456789abcdef";

void PutHex(std::string* out, std::string_view bytes) {
  for (unsigned char c : bytes) {
    out->push_back(kDigits[c >> 4]);
    out->push_back(kDigits[c & 0xF]);
  }
}

void PutHexNumber(std::string* out, uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) out->push_back(kDigits[(v >> (4 * i)) & 0xF]);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool ParseHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

bool ParseHexNumber(std::string_view hex, uint64_t* v) {
  *v = 0;
  for (char c : hex) {
    int d = HexValue(c);
    if (d < 0) return false;
    *v = *v << 4 | static_cast<uint64_t>(d);
  }
  return !hex.empty();
}

// FNV-1a with two offset bases: 128 bits that tell long keys apart.
uint64_t Fnv1a(std::string_view bytes, uint64_t basis) {
  uint64_t h = basis;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

void PutI64(std::string* out, int64_t v) { PutFixed64BE(out, static_cast<uint64_t>(v)); }

}  // namespace

std::string TableNamespace(uint64_t table) {
  std::string ns = "t";
  PutHexNumber(&ns, table, 16);
  return ns;
}

std::optional<uint64_t> ParseTableNamespace(std::string_view ns) {
  uint64_t table;
  if (ns.size() != 17 || ns[0] != 't' || !ParseHexNumber(ns.substr(1), &table)) return std::nullopt;
  return table;
}

std::string PartitionObject(std::string_view pk) {
  std::string name;
  PutHexNumber(&name, PartitionHash(pk), 8);
  if (pk.size() <= kShortPk) {
    name.push_back('.');
    PutHex(&name, pk);
  } else {
    name.push_back('~');
    PutHex(&name, pk.substr(0, kShortPk));
    PutHexNumber(&name, Fnv1a(pk, 0xcbf29ce484222325ull), 16);
    PutHexNumber(&name, Fnv1a(pk, 0x84222325cbf29ce4ull), 16);
  }
  return name;
}

bool ParsePartitionObject(std::string_view name, uint32_t* hash, std::string* pk, bool* whole) {
  uint64_t h;
  if (name.size() < 9 || !ParseHexNumber(name.substr(0, 8), &h)) return false;
  *hash = static_cast<uint32_t>(h);
  pk->clear();
  if (name[8] == '.') {
    *whole = true;
    return ParseHex(name.substr(9), pk);
  }
  *whole = false;
  return name[8] == '~';
}

std::string PartitionRef(uint64_t table, std::string_view object) {
  return TableNamespace(table) + "/" + std::string(object);
}

std::optional<std::pair<uint64_t, std::string>> ParsePartitionRef(std::string_view ref) {
  size_t slash = ref.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::optional<uint64_t> table = ParseTableNamespace(ref.substr(0, slash));
  if (!table) return std::nullopt;
  return std::make_pair(*table, std::string(ref.substr(slash + 1)));
}

std::string RecordKey(std::string_view sk) {
  std::string k(1, kRecordPrefix);
  k.append(sk);
  return k;
}

std::string OutboxKey(uint64_t version, uint32_t index) {
  std::string k(1, kOutboxPrefix);
  PutFixed64BE(&k, version);
  PutFixed32BE(&k, index);
  return k;
}

std::string IndexChangeKey(uint64_t version, uint32_t index) {
  std::string k(1, kIndexChangePrefix);
  PutFixed64BE(&k, version);
  PutFixed32BE(&k, index);
  return k;
}

std::string MetaKey(std::string_view name) {
  std::string k(1, kMetaPrefix);
  k.append(name);
  return k;
}

std::string LogKey(uint64_t log, uint64_t seq) {
  std::string k(1, kLogPrefix);
  PutFixed64BE(&k, log);
  PutFixed64BE(&k, seq);
  return k;
}

std::string ShippedKey(std::string_view partition_ref) {
  std::string k(1, kShippedKey);
  k.append(partition_ref);
  return k;
}

std::string IntentObject(uint64_t version) {
  std::string name(kIntentPrefix);
  PutHexNumber(&name, version, 16);
  return name;
}

std::string EncodeCounters(const Counters& c) {
  std::string out;
  PutI64(&out, c.items);
  PutI64(&out, c.bytes);
  PutI64(&out, c.collection);
  return out;
}

Counters DecodeCounters(std::string_view v) {
  Counters c;
  if (v.size() != 24) return c;
  c.items = static_cast<int64_t>(DecodeFixed64BE(v.data()));
  c.bytes = static_cast<int64_t>(DecodeFixed64BE(v.data() + 8));
  c.collection = static_cast<int64_t>(DecodeFixed64BE(v.data() + 16));
  return c;
}

std::string EncodeIntent(const std::vector<Plan>& plans) {
  std::string out;
  PutVarint64(&out, plans.size());
  for (const Plan& p : plans) {
    PutFixed64BE(&out, p.table);
    PutLengthPrefixed(&out, p.pk);
    out.push_back(p.exists ? 1 : 0);
    PutFixed64BE(&out, p.old_version);
    PutFixed64BE(&out, p.new_version);
    PutVarint64(&out, p.sets.size());
    for (const auto& [k, v] : p.sets) {
      PutLengthPrefixed(&out, k);
      PutLengthPrefixed(&out, v);
    }
    PutVarint64(&out, p.removes.size());
    for (const std::string& k : p.removes) PutLengthPrefixed(&out, k);
  }
  return out;
}

bool DecodeIntent(std::string_view in, std::vector<Plan>* plans) {
  plans->clear();
  uint64_t n;
  if (!GetVarint64(&in, &n)) return false;
  auto fixed64 = [&in](uint64_t* v) {
    if (in.size() < 8) return false;
    *v = DecodeFixed64BE(in.data());
    in.remove_prefix(8);
    return true;
  };
  for (uint64_t i = 0; i < n; ++i) {
    Plan p;
    std::string_view s, k, v;
    uint8_t exists;
    uint64_t count;
    if (!fixed64(&p.table) || !GetLengthPrefixed(&in, &s) || !GetU8(&in, &exists) || !fixed64(&p.old_version) ||
        !fixed64(&p.new_version) || !GetVarint64(&in, &count)) {
      return false;
    }
    p.pk.assign(s);
    p.exists = exists != 0;
    for (uint64_t j = 0; j < count; ++j) {
      if (!GetLengthPrefixed(&in, &k) || !GetLengthPrefixed(&in, &v)) return false;
      p.sets.emplace_back(std::string(k), std::string(v));
    }
    if (!GetVarint64(&in, &count)) return false;
    for (uint64_t j = 0; j < count; ++j) {
      if (!GetLengthPrefixed(&in, &k)) return false;
      p.removes.emplace_back(k);
    }
    plans->push_back(std::move(p));
  }
  return in.empty();
}

std::string EncodePartitionIntent(uint64_t txn, const Plan& plan) {
  std::string out;
  PutFixed64BE(&out, txn);
  out += EncodeIntent({plan});
  return out;
}

bool DecodePartitionIntent(std::string_view in, uint64_t* txn, Plan* plan) {
  if (in.size() < 8) return false;
  *txn = DecodeFixed64BE(in.data());
  std::vector<Plan> plans;
  if (!DecodeIntent(in.substr(8), &plans) || plans.size() != 1) return false;
  *plan = std::move(plans[0]);
  return true;
}

}  // namespace basalt::storage::rados_layout
