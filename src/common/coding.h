// Byte coding helpers: varints and big-endian fixed-width integers.
// Big-endian keeps integers in numeric order under memcmp, which the storage
// key format relies on.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace basalt {

inline void PutVarint64(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint from the front of *in; false on truncation or overlong input.
inline bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    auto byte = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}

// Reads a varint length and that many bytes.
inline bool GetLengthPrefixed(std::string_view* in, std::string_view* out) {
  uint64_t len;
  if (!GetVarint64(in, &len) || len > in->size()) return false;
  *out = in->substr(0, len);
  in->remove_prefix(len);
  return true;
}

inline void PutLengthPrefixed(std::string* out, std::string_view s) {
  PutVarint64(out, s.size());
  out->append(s);
}

// Written whole rather than pushed a byte at a time (a capacity check per
// byte: ~135 more instructions per storage::ItemKey, callgrind).
inline void PutFixed64BE(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  out->append(b, sizeof b);
}
inline void PutFixed32BE(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (24 - 8 * i));
  out->append(b, sizeof b);
}
inline uint64_t DecodeFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint32_t DecodeFixed32BE(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

inline bool GetU8(std::string_view* in, uint8_t* v) {
  if (in->empty()) return false;
  *v = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

inline bool GetString(std::string_view* in, std::string* s) {
  std::string_view v;
  if (!GetLengthPrefixed(in, &v)) return false;
  s->assign(v);
  return true;
}

// A double as its IEEE bits, big-endian (timestamps; never DynamoDB numbers).
inline void PutF64(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  PutFixed64BE(out, bits);
}
inline bool GetF64(std::string_view* in, double* d) {
  if (in->size() < 8) return false;
  uint64_t bits = DecodeFixed64BE(in->data());
  std::memcpy(d, &bits, 8);
  in->remove_prefix(8);
  return true;
}

// A 32-bit check of some bytes (FNV-1a, salted), for tokens handed to
// clients (shard iterators, PartiQL's NextToken) so that a changed or
// truncated token is refused instead of misread. Not a cryptographic MAC.
inline uint32_t TokenCheck(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (char c : bytes) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h ^ 0x5b3a17c9u;
}

}  // namespace basalt
