// Random 64-bit draws for identifiers (request ids, UUIDs, backup, export
// and stream ids, file names): splitmix64 over a per-thread state seeded
// once from the system. Unique and unguessable enough for ids, not
// cryptographic.
//
// The state is 8 bytes of thread-local storage. Each caller used to keep a
// std::mt19937_64 of its own (2,504 bytes each); all thread-locals sit in
// every thread's static TLS block, which the C library zeroes as each
// thread starts, so seven of them cost 17.5 KB of resident memory in each
// of Basalt's 13 threads, requests or not.
#pragma once

#include <cstdint>
#include <random>

namespace basalt {

inline uint64_t RandomBits() {
  thread_local uint64_t state = (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace basalt
