// The cryptographic primitives auth/ needs, on OpenSSL's libcrypto (included
// only in crypto.cc): SHA-256, HMAC-SHA256, constant-time comparison, random
// bytes and authenticated encryption of stored secrets.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/status.h"

namespace basalt::auth {

std::string Sha256(std::string_view data);     // 32 raw bytes
std::string HexSha256(std::string_view data);  // 64 lowercase hex digits
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string Hex(std::string_view bytes);
// Appends the 64 hex digits of data's SHA-256 (no temporary strings: SigV4
// hashes the body and the canonical request of every request).
void AppendHexSha256(std::string_view data, std::string* out);

// HMAC-SHA256 under one key, with the key's inner and outer pad blocks
// hashed once: SigV4 signs every request of a key and day with the same
// signing key, so each MAC then costs two SHA-256 blocks fewer.
class HmacSha256Key {
 public:
  HmacSha256Key() = default;
  explicit HmacSha256Key(std::string_view key);
  std::string Mac(std::string_view data) const;  // 32 raw bytes, as HmacSha256(key, data)

 private:
  static constexpr size_t kStateBytes = 112;  // sizeof(SHA256_CTX), checked in crypto.cc
  alignas(8) std::array<unsigned char, kStateBytes> inner_{}, outer_{};
};

// True when a and b are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// n bytes from the system's cryptographic generator.
std::string RandomBytes(size_t n);

// AES-256-GCM with a server key: sealed := nonce(12) ciphertext tag(16).
// Used for the secrets SigV4 needs in clear to verify a signature, so they
// cannot be hashed; a sealed secret is useless without the key.
class SecretBox {
 public:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}  // 32 bytes
  std::string Seal(std::string_view plaintext) const;
  Result<std::string> Open(std::string_view sealed) const;

 private:
  std::string key_;
};

}  // namespace basalt::auth
