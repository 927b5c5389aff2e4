// Who may sign requests: the root principal (from the environment), users
// with long-term access keys, and roles whose sessions hold temporary
// credentials. Stored durably in Basalt's MetaStore:
//
//   "auth/user/" name    -> str(account) varint(n) (str(policy name) str(policy json))*
//   "auth/role/" name    -> str(account) varint(n) (str(policy name) str(policy json))*
//   "auth/key/" akid     -> str(user) str(sealed secret)
//   "auth/session/" akid -> str(role) str(session name) str(sealed secret) str(sealed token) f64(expires_at)
//
// Secrets are sealed with the server key (crypto.h's SecretBox): SigV4
// needs a secret itself to verify a signature, so it cannot be hashed. They
// are never logged. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "auth/crypto.h"
#include "auth/policy.h"
#include "auth/sigv4.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/engine.h"

namespace basalt::auth {

struct Principal {
  std::string account;
  std::string arn;  // arn:aws:iam::<account>:user/<name>, ...:root, arn:aws:sts::<account>:assumed-role/<role>/<session>
  bool root = false;  // the account's root: every action is allowed
  std::vector<NamedPolicy> policies;
};

using PolicyParser = std::function<Result<Policy>(std::string_view json)>;

struct AccessKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
  double expires_at = 0;
  std::string principal_arn;
};

struct PrincipalInfo {
  std::string name;
  std::string arn;
  std::string account;
  std::vector<std::string> policy_names;
  std::vector<std::string> access_key_ids;  // users only
};

class PrincipalStore {
 public:
  PrincipalStore(storage::MetaStore* meta, SecretBox box, PolicyParser parser, const Clock* clock)
      : meta_(meta), box_(std::move(box)), parser_(std::move(parser)), clock_(clock) {}

  // Reads every stored principal; an error if a secret does not open (wrong server key).
  Status Load();
  void SetRoot(std::string access_key_id, std::string secret);

  // For the verifier.
  std::optional<KeyRecord> Lookup(std::string_view access_key_id) const;

  Result<PrincipalInfo> CreateUser(const std::string& name, const std::string& account);
  Status DeleteUser(const std::string& name);
  std::vector<PrincipalInfo> ListUsers() const;
  Result<AccessKey> CreateAccessKey(const std::string& user);
  Status DeleteAccessKey(const std::string& access_key_id);
  Result<PrincipalInfo> CreateRole(const std::string& name, const std::string& account);
  Status DeleteRole(const std::string& name);
  // kind: "user" or "role". An empty document deletes the policy.
  Status PutPolicy(const std::string& kind, const std::string& name, const std::string& policy_name,
                   const std::string& document);
  Result<AccessKey> AssumeRole(const std::string& role, const std::string& session_name, int duration_seconds);
  std::optional<std::string> RoleArn(const std::string& role) const;

 private:
  struct Holder {  // a user or a role
    std::string account;
    std::map<std::string, std::string> documents;  // policy name -> JSON
    std::shared_ptr<const Principal> principal;
  };
  struct Key {
    std::string user;
    std::string secret;
  };
  struct Session {
    std::string role, name, secret, token;
    double expires_at = 0;
    std::shared_ptr<const Principal> principal;
  };

  Result<std::shared_ptr<const Principal>> Build(const std::string& arn, const Holder& h) const;
  std::string EncodeHolder(const Holder& h) const;
  Status Rebuild(const std::string& kind, const std::string& name, Holder* h);
  std::string NewKeyId(std::string_view prefix) const;

  storage::MetaStore* meta_;
  SecretBox box_;
  PolicyParser parser_;
  const Clock* clock_;
  mutable std::shared_mutex mu_;
  std::optional<KeyRecord> root_;
  std::string root_key_id_;
  std::map<std::string, Holder> users_, roles_;
  std::map<std::string, Key, std::less<>> keys_;
  std::map<std::string, Session, std::less<>> sessions_;
};

std::string UserArn(const std::string& account, const std::string& name);
std::string RoleArnOf(const std::string& account, const std::string& name);

}  // namespace basalt::auth
