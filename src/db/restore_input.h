// The definition of a restored table: the source table's key schema,
// attribute definitions, billing, throughput, table class and indexes, with
// a restore's overrides applied. Tags, stream and Time to Live settings are
// not restored (as DynamoDB's restores).
#pragma once

#include <string>

#include "common/status.h"
#include "db/backups.h"
#include "db/requests.h"
#include "db/table_meta.h"

namespace basalt::db {

Result<CreateTableInput> MakeRestoreInput(const TableMeta& source, const RestoreOverrides& overrides,
                                          const std::string& target);

}  // namespace basalt::db
