// Accounts and the table namespaces they own.
//
// Every table belongs to an account and a region, as in the service, and its
// ARN carries both. The namespace a table is stored under (TableMeta::ns) is
//
//   ns := ""                      with -sharedDb: one namespace for everyone
//       | region                  the default account (and every table made
//                                 before accounts existed, so old data keeps
//                                 its place without being rewritten)
//       | account "/" region      any other account
//
// so the account is recovered from the namespace alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::db {

// The account of --auth=sigv4's root principal and of tables made before
// accounts existed; DynamoDB Local shows it in every ARN.
inline constexpr std::string_view kDefaultAccount = "000000000000";

inline std::string NamespaceFor(std::string_view account, std::string_view region, bool shared) {
  if (shared) return "";
  if (account.empty() || account == kDefaultAccount) return std::string(region);
  std::string ns;
  ns.reserve(account.size() + 1 + region.size());
  ns.append(account).append("/").append(region);
  return ns;
}

inline std::string_view AccountOfNamespace(std::string_view ns) {
  size_t slash = ns.find('/');
  return slash == std::string_view::npos ? kDefaultAccount : ns.substr(0, slash);
}

// In --auth=none every access key id is an account of its own (DynamoDB
// Local keeps a database per access key and region): a stable 12-digit id
// from FNV-1a of the key id. The default account's key ids map to it.
inline std::string AccountForAccessKey(std::string_view access_key_id) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : access_key_id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::string out(12, '0');
  h %= 1000000000000ull;
  for (int i = 11; i >= 0; --i, h /= 10) out[i] = static_cast<char>('0' + h % 10);
  return out;
}

}  // namespace basalt::db
