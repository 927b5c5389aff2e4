// Decoding of the table operations' requests into db/'s typed inputs, with
// DynamoDB's structural checks in its order ("N validation errors detected"
// for member constraints, then the checks of shape).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/json.h"
#include "db/requests.h"

namespace basalt::api {

Result<db::CreateTableInput> DecodeCreateTable(const JsonValue& request);
Result<db::UpdateTableInput> DecodeUpdateTable(const JsonValue& request);

// Tags of CreateTable and TagResource.
Status ReadTags(const JsonValue& req, ConstraintErrors* errors, std::vector<db::Tag>* tags);
// A restore's GlobalSecondaryIndexOverride or LocalSecondaryIndexOverride
// (`field`, at constraint path `path`): the index definitions, when given.
Status ReadIndexOverride(const JsonValue& req, const char* field, const std::string& path, bool global,
                         ConstraintErrors* errors, std::optional<std::vector<db::IndexInput>>* out);
// ResourceArn of the tagging operations: present, 1 to 1283 characters.
Result<std::string> ReadResourceArn(const JsonValue& req, ConstraintErrors* errors);

}  // namespace basalt::api
