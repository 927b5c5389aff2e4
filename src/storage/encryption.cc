#include "storage/encryption.h"

// AES's low-level single-block interface (deprecated in OpenSSL 3, and the
// right shape for RocksDB's BlockCipher): the key is expanded once and
// shared read-only by every file's cipher stream.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rocksdb/env_encryption.h>

#include <filesystem>
#include <fstream>

namespace basalt::storage {
namespace {

class Aes256BlockCipher : public rocksdb::BlockCipher {
 public:
  explicit Aes256BlockCipher(const std::string& key) {
    const auto* k = reinterpret_cast<const unsigned char*>(key.data());
    AES_set_encrypt_key(k, 256, &encrypt_);
    AES_set_decrypt_key(k, 256, &decrypt_);
  }
  const char* Name() const override { return "BasaltAes256"; }
  size_t BlockSize() override { return AES_BLOCK_SIZE; }
  rocksdb::Status Encrypt(char* data) override {
    auto* d = reinterpret_cast<unsigned char*>(data);
    AES_encrypt(d, d, &encrypt_);
    return rocksdb::Status::OK();
  }
  rocksdb::Status Decrypt(char* data) override {
    auto* d = reinterpret_cast<unsigned char*>(data);
    AES_decrypt(d, d, &decrypt_);
    return rocksdb::Status::OK();
  }

 private:
  AES_KEY encrypt_;
  AES_KEY decrypt_;
};

constexpr const char* kCheckFile = "BASALT-ENCRYPTION";

std::string CheckValue(const std::string& key) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const std::string msg = "basalt encryption check";
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &len);
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 15]);
  }
  return out;
}

}  // namespace

Status CheckEncryptionKey(const std::string& path, const std::string& key) {
  namespace fs = std::filesystem;
  const fs::path check = fs::path(path) / kCheckFile;
  std::error_code ec;
  const bool encrypted = fs::exists(check, ec);
  if (key.empty()) {
    if (encrypted) {
      return Status::Validation("the data in " + path +
                                " is encrypted: give its key with --encryption-key-file or BASALT_ENCRYPTION_KEY");
    }
    return Status::Ok();
  }
  if (encrypted) {
    std::ifstream in(check);
    std::string stored;
    in >> stored;
    std::string want = CheckValue(key);
    if (stored.size() != want.size() || CRYPTO_memcmp(stored.data(), want.data(), want.size()) != 0) {
      return Status::Validation("the encryption key does not match the one the data in " + path + " was written with");
    }
    return Status::Ok();
  }
  if (fs::exists(fs::path(path) / "CURRENT", ec)) {
    return Status::Validation("the data in " + path +
                              " was written without encryption; encryption at rest needs a new data directory");
  }
  fs::create_directories(path, ec);
  std::ofstream out(check);
  out << CheckValue(key) << "\n";
  if (!out.flush()) return Status::IoError("cannot write " + check.string());
  return Status::Ok();
}

std::unique_ptr<rocksdb::Env> NewEncryptedEnv(const std::string& key) {
  auto provider = rocksdb::EncryptionProvider::NewCTRProvider(std::make_shared<Aes256BlockCipher>(key));
  return std::unique_ptr<rocksdb::Env>(rocksdb::NewEncryptedEnv(rocksdb::Env::Default(), provider));
}

}  // namespace basalt::storage
