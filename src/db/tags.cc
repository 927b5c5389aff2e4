// DynamoDB Local does not implement tagging, so the messages here follow
// the service's documentation and behaviour as remembered; they are not
// checked against a reference implementation.
#include "db/tags.h"

#include <algorithm>

#include "db/account.h"
#include "model/limits.h"

namespace basalt::db {

Result<std::shared_ptr<const TableMeta>> Tags::FindByArn(const Scope& scope, const std::string& arn) {
  // arn:aws:dynamodb:<region>:<account>:table/<name>
  constexpr std::string_view kPrefix = "arn:aws:dynamodb:";
  auto invalid = [&] { return Status::Validation("Invalid TableArn: Invalid ResourceArn provided as input " + arn); };
  if (!arn.starts_with(kPrefix)) return invalid();
  std::string_view rest = std::string_view(arn).substr(kPrefix.size());
  size_t region_end = rest.find(':');
  if (region_end == std::string_view::npos) return invalid();
  std::string_view region = rest.substr(0, region_end);
  rest.remove_prefix(region_end + 1);
  size_t account_end = rest.find(':');
  if (account_end == std::string_view::npos) return invalid();
  std::string_view account = rest.substr(0, account_end);
  rest.remove_prefix(account_end + 1);
  if (!rest.starts_with("table/") || rest.size() == 6) return invalid();
  std::string name(rest.substr(6));
  if (name.find('/') != std::string::npos) return invalid();  // an index or stream ARN: not taggable
  // Another account's table is not found, as a table of another region.
  bool ours = region == scope.region && (scope.ns.empty() || account == AccountOfNamespace(scope.ns));
  auto table = ours ? catalog_->Find(scope.ns, name) : nullptr;
  if (!table || clock_->Now() < table->active_at) {
    return Status::NotFound("Requested resource not found: ResourcArn: " + arn + " not found");
  }
  return table;
}

Status Tags::TagResource(const Scope& scope, const std::string& arn, const std::vector<Tag>& tags) {
  auto lock = catalog_->LockDefinitions();
  BASALT_ASSIGN_OR_RETURN(auto current, FindByArn(scope, arn));
  for (const Tag& t : tags) {
    if (t.key.starts_with("aws:")) {
      return Status::Validation("One or more parameter values were invalid: Tag keys starting with aws: are reserved");
    }
  }
  auto meta = std::make_shared<TableMeta>(*current);
  for (const Tag& t : tags) {
    auto it = std::find_if(meta->tags.begin(), meta->tags.end(), [&](const Tag& e) { return e.key == t.key; });
    if (it != meta->tags.end()) {
      it->value = t.value;  // the same key again replaces its value
    } else {
      meta->tags.push_back(t);
    }
  }
  if (meta->tags.size() > model::kMaxTagsPerResource) {
    return Status::Validation("One or more parameter values were invalid: Too many tags");  // as CreateTable's
  }
  return catalog_->Update(meta);
}

Status Tags::UntagResource(const Scope& scope, const std::string& arn, const std::vector<std::string>& keys) {
  auto lock = catalog_->LockDefinitions();
  auto found = FindByArn(scope, arn);
  // UntagResource does not name the ARN it did not find (recorded).
  if (!found.ok() && found.status().code() == Code::kResourceNotFound) {
    return Status::NotFound("Requested resource not found");
  }
  BASALT_ASSIGN_OR_RETURN(auto current, std::move(found));
  auto meta = std::make_shared<TableMeta>(*current);
  std::erase_if(meta->tags, [&](const Tag& t) { return std::find(keys.begin(), keys.end(), t.key) != keys.end(); });
  return catalog_->Update(meta);
}

Result<std::vector<Tag>> Tags::ListTagsOfResource(const Scope& scope, const std::string& arn) {
  BASALT_ASSIGN_OR_RETURN(auto table, FindByArn(scope, arn));
  return table->tags;
}

}  // namespace basalt::db
