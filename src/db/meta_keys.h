// How the rooms of db/ name their MetaStore entries:
//
//   namespaced  prefix ns 0x00 name     what a namespace owns, by name (the NUL
//                                       keeps "a" apart from a longer "ab")
//   by id       prefix hex16(id) ...    what belongs to one storage key space
//   hex16(id)   16 lowercase hex digits, so entries sort by id
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace basalt::db {

inline std::string NamespacedKey(std::string_view prefix, std::string_view ns, std::string_view name) {
  std::string k(prefix);
  k.append(ns).push_back('\0');
  k.append(name);
  return k;
}

inline std::string Hex16(uint64_t id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, id);
  return buf;
}

// The id of a by-id key: the 16 hex digits after `prefix` (0 when absent).
inline uint64_t IdAfter(std::string_view key, std::string_view prefix) {
  if (key.size() < prefix.size() + 16) return 0;
  return std::stoull(std::string(key.substr(prefix.size(), 16)), nullptr, 16);
}

}  // namespace basalt::db
