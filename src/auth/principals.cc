#include "auth/principals.h"

#include <mutex>

#include "common/base64.h"
#include "common/coding.h"

namespace basalt::auth {
namespace {

constexpr std::string_view kUserPrefix = "auth/user/";
constexpr std::string_view kRolePrefix = "auth/role/";
constexpr std::string_view kKeyPrefix = "auth/key/";
constexpr std::string_view kSessionPrefix = "auth/session/";

bool ValidName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("+=,.@_-").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool ValidAccount(const std::string& a) {
  return a.size() == 12 && std::all_of(a.begin(), a.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string UserArn(const std::string& account, const std::string& name) {
  return "arn:aws:iam::" + account + ":user/" + name;
}
std::string RoleArnOf(const std::string& account, const std::string& name) {
  return "arn:aws:iam::" + account + ":role/" + name;
}

std::string PrincipalStore::NewKeyId(std::string_view prefix) const {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id(prefix);
  for (unsigned char b : RandomBytes(16)) id.push_back(kAlphabet[b % 32]);
  return id;
}

Result<std::shared_ptr<const Principal>> PrincipalStore::Build(const std::string& arn, const Holder& h) const {
  auto p = std::make_shared<Principal>();
  p->account = h.account;
  p->arn = arn;
  for (const auto& [name, doc] : h.documents) {
    BASALT_ASSIGN_OR_RETURN(Policy policy, parser_(doc));
    p->policies.push_back(NamedPolicy{name, std::make_shared<const Policy>(std::move(policy))});
  }
  return std::shared_ptr<const Principal>(std::move(p));
}

std::string PrincipalStore::EncodeHolder(const Holder& h) const {
  std::string out;
  PutLengthPrefixed(&out, h.account);
  PutVarint64(&out, h.documents.size());
  for (const auto& [name, doc] : h.documents) {
    PutLengthPrefixed(&out, name);
    PutLengthPrefixed(&out, doc);
  }
  return out;
}

Status PrincipalStore::Load() {
  std::unique_lock lock(mu_);
  for (auto [prefix, kind] : {std::pair{kUserPrefix, "user"}, std::pair{kRolePrefix, "role"}}) {
    std::vector<std::pair<std::string, std::string>> rows;
    BASALT_RETURN_IF_ERROR(meta_->List(prefix, &rows));
    for (const auto& [k, v] : rows) {
      Holder h;
      std::string_view in = v;
      uint64_t n = 0;
      if (!GetString(&in, &h.account) || !GetVarint64(&in, &n)) return Status::Internal("corrupt principal " + k);
      for (uint64_t i = 0; i < n; ++i) {
        std::string name, doc;
        if (!GetString(&in, &name) || !GetString(&in, &doc)) return Status::Internal("corrupt principal " + k);
        h.documents[name] = doc;
      }
      std::string name = k.substr(prefix.size());
      std::string arn = std::string(kind) == "user" ? UserArn(h.account, name) : RoleArnOf(h.account, name);
      BASALT_ASSIGN_OR_RETURN(h.principal, Build(arn, h));
      (std::string(kind) == "user" ? users_ : roles_)[name] = std::move(h);
    }
  }
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(meta_->List(kKeyPrefix, &rows));
  for (const auto& [k, v] : rows) {
    std::string_view in = v;
    std::string user, sealed;
    if (!GetString(&in, &user) || !GetString(&in, &sealed)) return Status::Internal("corrupt access key");
    BASALT_ASSIGN_OR_RETURN(std::string secret, box_.Open(sealed));
    keys_[k.substr(kKeyPrefix.size())] = Key{user, std::move(secret)};
  }
  rows.clear();
  BASALT_RETURN_IF_ERROR(meta_->List(kSessionPrefix, &rows));
  const double now = clock_->Now();
  for (const auto& [k, v] : rows) {
    std::string_view in = v;
    Session s;
    std::string sealed_secret, sealed_token;
    if (!GetString(&in, &s.role) || !GetString(&in, &s.name) || !GetString(&in, &sealed_secret) ||
        !GetString(&in, &sealed_token) || !GetF64(&in, &s.expires_at)) {
      return Status::Internal("corrupt session");
    }
    if (s.expires_at <= now) {
      BASALT_RETURN_IF_ERROR(meta_->Delete(k));  // expired while the server was down
      continue;
    }
    BASALT_ASSIGN_OR_RETURN(s.secret, box_.Open(sealed_secret));
    BASALT_ASSIGN_OR_RETURN(s.token, box_.Open(sealed_token));
    auto role = roles_.find(s.role);
    if (role == roles_.end()) continue;
    auto p = std::make_shared<Principal>(*role->second.principal);
    p->arn = "arn:aws:sts::" + role->second.account + ":assumed-role/" + s.role + "/" + s.name;
    s.principal = std::move(p);
    sessions_[k.substr(kSessionPrefix.size())] = std::move(s);
  }
  return Status::Ok();
}

void PrincipalStore::SetRoot(std::string access_key_id, std::string secret) {
  std::unique_lock lock(mu_);
  auto p = std::make_shared<Principal>();
  p->account = "000000000000";
  p->arn = "arn:aws:iam::000000000000:root";
  p->root = true;
  root_key_id_ = std::move(access_key_id);
  root_ = KeyRecord{std::move(secret), "", 0, std::move(p)};
}

std::optional<KeyRecord> PrincipalStore::Lookup(std::string_view akid) const {
  std::shared_lock lock(mu_);
  if (root_ && akid == root_key_id_) return root_;
  if (auto k = keys_.find(akid); k != keys_.end()) {
    auto u = users_.find(k->second.user);
    if (u == users_.end()) return std::nullopt;
    return KeyRecord{k->second.secret, "", 0, u->second.principal};
  }
  if (auto s = sessions_.find(akid); s != sessions_.end()) {
    return KeyRecord{s->second.secret, s->second.token, s->second.expires_at, s->second.principal};
  }
  return std::nullopt;
}

Result<PrincipalInfo> PrincipalStore::CreateUser(const std::string& name, const std::string& account) {
  if (!ValidName(name)) return Status::Validation("Invalid UserName: " + name);
  if (!ValidAccount(account)) return Status::Validation("Account must be 12 digits");
  std::unique_lock lock(mu_);
  if (users_.count(name)) return Status::InUse("User already exists: " + name);
  Holder h{account, {}, nullptr};
  BASALT_ASSIGN_OR_RETURN(h.principal, Build(UserArn(account, name), h));
  BASALT_RETURN_IF_ERROR(meta_->Put(std::string(kUserPrefix) + name, EncodeHolder(h)));
  users_[name] = std::move(h);
  return PrincipalInfo{name, UserArn(account, name), account, {}, {}};
}

Status PrincipalStore::DeleteUser(const std::string& name) {
  std::unique_lock lock(mu_);
  if (!users_.count(name)) return Status::NotFound("User not found: " + name);
  for (auto it = keys_.begin(); it != keys_.end();) {
    if (it->second.user == name) {
      BASALT_RETURN_IF_ERROR(meta_->Delete(std::string(kKeyPrefix) + it->first));
      it = keys_.erase(it);
    } else {
      ++it;
    }
  }
  BASALT_RETURN_IF_ERROR(meta_->Delete(std::string(kUserPrefix) + name));
  users_.erase(name);
  return Status::Ok();
}

std::vector<PrincipalInfo> PrincipalStore::ListUsers() const {
  std::shared_lock lock(mu_);
  std::vector<PrincipalInfo> out;
  for (const auto& [name, h] : users_) {
    PrincipalInfo info{name, h.principal->arn, h.account, {}, {}};
    for (const auto& [p, doc] : h.documents) info.policy_names.push_back(p);
    for (const auto& [akid, k] : keys_) {
      if (k.user == name) info.access_key_ids.push_back(akid);
    }
    out.push_back(std::move(info));
  }
  return out;
}

Result<AccessKey> PrincipalStore::CreateAccessKey(const std::string& user) {
  std::unique_lock lock(mu_);
  auto u = users_.find(user);
  if (u == users_.end()) return Status::NotFound("User not found: " + user);
  AccessKey key{NewKeyId("AKIA"), Base64Encode(RandomBytes(30)), "", 0, u->second.principal->arn};
  std::string rec;
  PutLengthPrefixed(&rec, user);
  PutLengthPrefixed(&rec, box_.Seal(key.secret_access_key));
  BASALT_RETURN_IF_ERROR(meta_->Put(std::string(kKeyPrefix) + key.access_key_id, rec));
  keys_[key.access_key_id] = Key{user, key.secret_access_key};
  return key;
}

Status PrincipalStore::DeleteAccessKey(const std::string& akid) {
  std::unique_lock lock(mu_);
  if (!keys_.count(akid)) return Status::NotFound("Access key not found: " + akid);
  BASALT_RETURN_IF_ERROR(meta_->Delete(std::string(kKeyPrefix) + akid));
  keys_.erase(keys_.find(akid));
  return Status::Ok();
}

Result<PrincipalInfo> PrincipalStore::CreateRole(const std::string& name, const std::string& account) {
  if (!ValidName(name)) return Status::Validation("Invalid RoleName: " + name);
  if (!ValidAccount(account)) return Status::Validation("Account must be 12 digits");
  std::unique_lock lock(mu_);
  if (roles_.count(name)) return Status::InUse("Role already exists: " + name);
  Holder h{account, {}, nullptr};
  BASALT_ASSIGN_OR_RETURN(h.principal, Build(RoleArnOf(account, name), h));
  BASALT_RETURN_IF_ERROR(meta_->Put(std::string(kRolePrefix) + name, EncodeHolder(h)));
  roles_[name] = std::move(h);
  return PrincipalInfo{name, RoleArnOf(account, name), account, {}, {}};
}

Status PrincipalStore::DeleteRole(const std::string& name) {
  std::unique_lock lock(mu_);
  if (!roles_.count(name)) return Status::NotFound("Role not found: " + name);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.role == name) {
      BASALT_RETURN_IF_ERROR(meta_->Delete(std::string(kSessionPrefix) + it->first));
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  BASALT_RETURN_IF_ERROR(meta_->Delete(std::string(kRolePrefix) + name));
  roles_.erase(name);
  return Status::Ok();
}

Status PrincipalStore::PutPolicy(const std::string& kind, const std::string& name, const std::string& policy_name,
                                 const std::string& document) {
  if (!document.empty()) BASALT_RETURN_IF_ERROR(parser_(document).status());
  std::unique_lock lock(mu_);
  auto& holders = kind == "user" ? users_ : roles_;
  auto h = holders.find(name);
  if (h == holders.end()) return Status::NotFound((kind == "user" ? "User not found: " : "Role not found: ") + name);
  Holder copy = h->second;
  if (document.empty()) {
    if (!copy.documents.erase(policy_name)) return Status::NotFound("Policy not found: " + policy_name);
  } else {
    copy.documents[policy_name] = document;
  }
  std::string arn = kind == "user" ? UserArn(copy.account, name) : RoleArnOf(copy.account, name);
  BASALT_ASSIGN_OR_RETURN(copy.principal, Build(arn, copy));
  BASALT_RETURN_IF_ERROR(meta_->Put(std::string(kind == "user" ? kUserPrefix : kRolePrefix) + name, EncodeHolder(copy)));
  h->second = std::move(copy);
  if (kind == "role") {  // the role's sessions take its new policies
    for (auto& [akid, s] : sessions_) {
      if (s.role != name) continue;
      auto p = std::make_shared<Principal>(*h->second.principal);
      p->arn = s.principal->arn;
      s.principal = std::move(p);
    }
  }
  return Status::Ok();
}

std::optional<std::string> PrincipalStore::RoleArn(const std::string& role) const {
  std::shared_lock lock(mu_);
  auto r = roles_.find(role);
  if (r == roles_.end()) return std::nullopt;
  return r->second.principal->arn;
}

Result<AccessKey> PrincipalStore::AssumeRole(const std::string& role, const std::string& session_name,
                                             int duration_seconds) {
  if (!ValidName(session_name)) return Status::Validation("Invalid RoleSessionName: " + session_name);
  if (duration_seconds < 1 || duration_seconds > 43200) {
    return Status::Validation("DurationSeconds must be between 1 and 43200");
  }
  std::unique_lock lock(mu_);
  auto r = roles_.find(role);
  if (r == roles_.end()) return Status::NotFound("Role not found: " + role);
  Session s;
  s.role = role;
  s.name = session_name;
  s.secret = Base64Encode(RandomBytes(30));
  s.token = Base64Encode(RandomBytes(96));
  s.expires_at = clock_->Now() + duration_seconds;
  auto p = std::make_shared<Principal>(*r->second.principal);
  p->arn = "arn:aws:sts::" + r->second.account + ":assumed-role/" + role + "/" + session_name;
  s.principal = p;
  AccessKey key{NewKeyId("ASIA"), s.secret, s.token, s.expires_at, p->arn};
  std::string rec;
  PutLengthPrefixed(&rec, s.role);
  PutLengthPrefixed(&rec, s.name);
  PutLengthPrefixed(&rec, box_.Seal(s.secret));
  PutLengthPrefixed(&rec, box_.Seal(s.token));
  PutF64(&rec, s.expires_at);
  BASALT_RETURN_IF_ERROR(meta_->Put(std::string(kSessionPrefix) + key.access_key_id, rec));
  // Expired sessions are dropped as new ones are made, so they do not pile up.
  const double now = clock_->Now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.expires_at <= now - 3600) {
      (void)meta_->Delete(std::string(kSessionPrefix) + it->first);  // best effort: Load drops it too
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  sessions_[key.access_key_id] = std::move(s);
  return key;
}

}  // namespace basalt::auth
