// DynamoDB's resource-based policies (PutResourcePolicy ...) on tables and
// streams, stored in the MetaStore:
//
//   "auth/resource-policy/" arn -> str(revision id) str(policy json)
//
// The revision id changes with every different document (the same document
// again keeps it: Put is idempotent). Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include "auth/principals.h"

namespace basalt::auth {

struct ResourcePolicy {
  std::string document;
  std::string revision_id;
  std::shared_ptr<const Policy> policy;
};

class ResourcePolicies {
 public:
  ResourcePolicies(storage::MetaStore* meta, PolicyParser parser, const Clock* clock)
      : meta_(meta), parser_(std::move(parser)), clock_(clock) {}

  Status Load();
  std::optional<ResourcePolicy> Get(const std::string& arn) const;
  // The revision id; PolicyNotFound when `expected_revision` is given and is not the current one.
  Result<std::string> Put(const std::string& arn, const std::string& document,
                          const std::optional<std::string>& expected_revision);
  // The revision id deleted ("" when there was none); PolicyNotFound as for Put.
  Result<std::string> Delete(const std::string& arn, const std::optional<std::string>& expected_revision);
  // A table was deleted: its policy and its streams' go with it (a table
  // created later under the same name, and so the same ARN, starts without).
  Status ForgetTable(const std::string& table_arn);
  // Drops the policies whose ARN `orphaned` says has no table any more (at
  // start: those of tables deleted before DeleteTable dropped them).
  Status ForgetOrphans(const std::function<bool(const std::string& arn)>& orphaned);

 private:
  storage::MetaStore* meta_;
  PolicyParser parser_;
  const Clock* clock_;
  mutable std::shared_mutex mu_;
  std::map<std::string, ResourcePolicy> policies_;
};

}  // namespace basalt::auth
