// Encryption at rest: RocksDB's encrypted environment with a CTR provider
// whose block cipher is AES-256 from OpenSSL. Every file RocksDB writes
// (tables, write-ahead log, manifest) is encrypted with a per-file random
// IV kept in the file's prefix. A check file in the data directory,
//
//   BASALT-ENCRYPTION := hex(HMAC-SHA256(key, "basalt encryption check")) "\n"
//
// tells a wrong or missing key at start, before RocksDB reads anything.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace rocksdb {
class Env;
}

namespace basalt::storage {

// Checks `key` (32 bytes, or empty for none) against the data directory
// `path`, creating the check file for a new encrypted directory. An error
// for a wrong key, a missing key for encrypted data, or a key for data
// written without one.
Status CheckEncryptionKey(const std::string& path, const std::string& key);

// An Env encrypting every file with `key` (32 bytes).
std::unique_ptr<rocksdb::Env> NewEncryptedEnv(const std::string& key);

}  // namespace basalt::storage
