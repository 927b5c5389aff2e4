// TableDescription as DynamoDB writes it (CreateTable, DescribeTable,
// UpdateTable, DeleteTable and, later, restores).
#pragma once

#include "api/json.h"
#include "db/requests.h"

namespace basalt::api {

void WriteTableDescription(JsonWriter& w, const db::TableDescription& d);
// {"<key>": TableDescription}, the response of every table operation.
void WriteDescriptionResponse(JsonWriter& out, const char* key, const db::TableDescription& d);

}  // namespace basalt::api
