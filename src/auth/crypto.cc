#include "auth/crypto.h"

// SHA-256's low-level interface, deprecated in OpenSSL 3 but several times
// faster for short inputs than the EVP one-shots, which fetch the algorithm
// from a provider on every call: SigV4 hashes four short strings per request.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace basalt::auth {

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, data.data(), data.size());
  SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &c);
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 15];
  }
  return out;
}

std::string HexSha256(std::string_view data) { return Hex(Sha256(data)); }

std::string HmacSha256(std::string_view key, std::string_view data) { return HmacSha256Key(key).Mac(data); }

void AppendHexSha256(std::string_view data, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_CTX c;  // not the SHA256() one-shot, which takes OpenSSL 3's EVP path
  SHA256_Init(&c);
  SHA256_Update(&c, data.data(), data.size());
  SHA256_Final(md, &c);
  size_t at = out->size();
  out->resize(at + 2 * SHA256_DIGEST_LENGTH);
  for (unsigned char b : md) {
    (*out)[at++] = kDigits[b >> 4];
    (*out)[at++] = kDigits[b & 15];
  }
}

static_assert(sizeof(SHA256_CTX) <= 112, "HmacSha256Key::kStateBytes holds a SHA256_CTX");

HmacSha256Key::HmacSha256Key(std::string_view key) {
  unsigned char block[64] = {0};
  if (key.size() > 64) {
    std::string k = Sha256(key);
    std::copy(k.begin(), k.end(), block);
  } else {
    std::copy(key.begin(), key.end(), block);
  }
  unsigned char pad[64];
  SHA256_CTX c;
  for (int i = 0; i < 64; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(&c);
  SHA256_Update(&c, pad, 64);
  std::memcpy(inner_.data(), &c, sizeof c);
  for (int i = 0; i < 64; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(&c);
  SHA256_Update(&c, pad, 64);
  std::memcpy(outer_.data(), &c, sizeof c);
}

std::string HmacSha256Key::Mac(std::string_view data) const {
  SHA256_CTX c;
  unsigned char inner[SHA256_DIGEST_LENGTH];
  std::memcpy(&c, inner_.data(), sizeof c);
  SHA256_Update(&c, data.data(), data.size());
  SHA256_Final(inner, &c);
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  std::memcpy(&c, outer_.data(), sizeof c);
  SHA256_Update(&c, inner, sizeof inner);
  SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &c);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

namespace {

constexpr size_t kNonce = 12;
constexpr size_t kTag = 16;
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

}  // namespace

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::string out = RandomBytes(kNonce);
  out.resize(kNonce + plaintext.size() + kTag);
  auto* u = reinterpret_cast<unsigned char*>(out.data());
  Ctx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()), u) != 1 ||
      EVP_EncryptUpdate(ctx.get(), u + kNonce, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), u + kNonce + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, u + kNonce + plaintext.size()) != 1) {
    throw std::runtime_error("AES-GCM encryption failed");
  }
  return out;
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (sealed.size() < kNonce + kTag) return Status::Internal("sealed secret too short");
  size_t n = sealed.size() - kNonce - kTag;
  std::string out(n, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  Ctx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  std::string tag(sealed.substr(kNonce + n));
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in + kNonce, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1) {
    return Status::Internal("a stored secret does not open with this server key (wrong --auth-key?)");
  }
  return out;
}

}  // namespace basalt::auth
