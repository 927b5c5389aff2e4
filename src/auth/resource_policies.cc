#include "auth/resource_policies.h"

#include <mutex>

#include "common/coding.h"

namespace basalt::auth {
namespace {

constexpr std::string_view kPrefix = "auth/resource-policy/";

Status NotFound(const std::string& arn) {
  return Status(Code::kPolicyNotFound, "Resource-based policy not found for the provided ResourceArn: " + arn);
}

}  // namespace

Status ResourcePolicies::Load() {
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(meta_->List(kPrefix, &rows));
  std::unique_lock lock(mu_);
  for (const auto& [k, v] : rows) {
    std::string_view in = v;
    ResourcePolicy p;
    if (!GetString(&in, &p.revision_id) || !GetString(&in, &p.document)) return Status::Internal("corrupt " + k);
    BASALT_ASSIGN_OR_RETURN(Policy parsed, parser_(p.document));
    p.policy = std::make_shared<const Policy>(std::move(parsed));
    policies_[k.substr(kPrefix.size())] = std::move(p);
  }
  return Status::Ok();
}

std::optional<ResourcePolicy> ResourcePolicies::Get(const std::string& arn) const {
  std::shared_lock lock(mu_);
  auto it = policies_.find(arn);
  if (it == policies_.end()) return std::nullopt;
  return it->second;
}

Result<std::string> ResourcePolicies::Put(const std::string& arn, const std::string& document,
                                          const std::optional<std::string>& expected_revision) {
  BASALT_ASSIGN_OR_RETURN(Policy parsed, parser_(document));
  std::unique_lock lock(mu_);
  auto it = policies_.find(arn);
  if (expected_revision && (it == policies_.end() || it->second.revision_id != *expected_revision)) {
    return NotFound(arn);
  }
  if (it != policies_.end() && it->second.document == document) return it->second.revision_id;
  ResourcePolicy p{document, std::to_string(static_cast<int64_t>(clock_->Now() * 1000)), nullptr};
  if (it != policies_.end() && p.revision_id <= it->second.revision_id) {
    p.revision_id = std::to_string(std::stoll(it->second.revision_id) + 1);  // two changes in one millisecond
  }
  p.policy = std::make_shared<const Policy>(std::move(parsed));
  std::string rec;
  PutLengthPrefixed(&rec, p.revision_id);
  PutLengthPrefixed(&rec, p.document);
  BASALT_RETURN_IF_ERROR(meta_->Put(std::string(kPrefix) + arn, rec));
  std::string revision = p.revision_id;
  policies_[arn] = std::move(p);
  return revision;
}

Result<std::string> ResourcePolicies::Delete(const std::string& arn, const std::optional<std::string>& expected_revision) {
  std::unique_lock lock(mu_);
  auto it = policies_.find(arn);
  if (it == policies_.end()) {
    if (expected_revision) return NotFound(arn);
    return std::string();
  }
  if (expected_revision && it->second.revision_id != *expected_revision) return NotFound(arn);
  BASALT_RETURN_IF_ERROR(meta_->Delete(std::string(kPrefix) + arn));
  std::string revision = it->second.revision_id;
  policies_.erase(it);
  return revision;
}

Status ResourcePolicies::ForgetTable(const std::string& table_arn) {
  std::unique_lock lock(mu_);
  for (auto it = policies_.lower_bound(table_arn); it != policies_.end();) {
    const std::string& arn = it->first;
    if (arn != table_arn && !arn.starts_with(table_arn + "/")) {
      if (!arn.starts_with(table_arn)) break;  // past the table's ARNs
      ++it;  // another table whose name starts with this one's
      continue;
    }
    BASALT_RETURN_IF_ERROR(meta_->Delete(std::string(kPrefix) + arn));
    it = policies_.erase(it);
  }
  return Status::Ok();
}

Status ResourcePolicies::ForgetOrphans(const std::function<bool(const std::string& arn)>& orphaned) {
  std::unique_lock lock(mu_);
  for (auto it = policies_.begin(); it != policies_.end();) {
    if (!orphaned(it->first)) {
      ++it;
      continue;
    }
    BASALT_RETURN_IF_ERROR(meta_->Delete(std::string(kPrefix) + it->first));
    it = policies_.erase(it);
  }
  return Status::Ok();
}

}  // namespace basalt::auth
