// The backup and restore operations' shared pieces (backup_handlers.cc):
// BackupDetails and BackupDescription, and the override members restores
// accept (RestoreTableFromBackup, RestoreTableToPointInTime).
#pragma once

#include "api/json.h"
#include "db/backups.h"

namespace basalt::api {

void WriteBackupDetails(JsonWriter& w, const db::BackupRecord& r);
void WriteBackupDescription(JsonWriter& w, const db::BackupRecord& r);
Status ReadRestoreOverrides(const JsonValue& req, ConstraintErrors* errors, db::RestoreOverrides* out);

}  // namespace basalt::api
