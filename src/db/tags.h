// TagResource, UntagResource and ListTagsOfResource on table ARNs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/catalog.h"
#include "db/requests.h"

namespace basalt::db {

class Tags {
 public:
  Tags(Catalog* catalog, const Clock* clock) : catalog_(catalog), clock_(clock) {}

  Status TagResource(const Scope& scope, const std::string& arn, const std::vector<Tag>& tags);
  Status UntagResource(const Scope& scope, const std::string& arn, const std::vector<std::string>& keys);
  Result<std::vector<Tag>> ListTagsOfResource(const Scope& scope, const std::string& arn);

 private:
  // The table a tagging request names by ARN (in the caller's region).
  Result<std::shared_ptr<const TableMeta>> FindByArn(const Scope& scope, const std::string& arn);

  Catalog* catalog_;
  const Clock* clock_;
};

}  // namespace basalt::db
