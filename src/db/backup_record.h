// An on-demand backup as Basalt keeps it: what DescribeBackup shows, the
// source table's definition at the cut, and the key space holding a copy of
// the table's items (independent of the table, so the backup outlives it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "db/requests.h"
#include "db/table_meta.h"
#include "storage/engine.h"

namespace basalt::db {

// Do not reorder: persisted.
enum class BackupStatus : uint8_t { kCreating = 0, kAvailable = 1, kDeleted = 2 };
enum class BackupType : uint8_t { kUser = 0, kSystem = 1 };

struct BackupRecord {
  std::string id;    // "<14-digit epoch millis>-<8 hex>", the last part of the ARN
  std::string name;  // BackupName
  BackupStatus status = BackupStatus::kCreating;
  BackupType type = BackupType::kUser;
  double created = 0;  // epoch seconds, millisecond precision: the cut
  double expires = 0;  // BackupExpiryDateTime (SYSTEM backups: 35 days after the cut); 0: never
  int64_t item_count = 0;
  int64_t size_bytes = 0;
  storage::TableId keyspace = 0;  // where the copied items live
  // A $DeletedTableBackup's source: the deleted table's PITR log, replayed
  // into the backup while CREATING (after a restart too) and dropped once
  // the backup is AVAILABLE; 0 when none is left to replay or drop.
  storage::TableId source_log = 0;
  // The source table's definition at the cut: namespace, region and name
  // (which the ARN names), key schema, throughput, indexes, and the stream
  // and Time to Live settings DescribeBackup reports but restores never apply.
  TableMeta table;

  std::string Arn() const { return table.Arn() + "/backup/" + id; }
};

const char* BackupStatusName(BackupStatus status);
const char* BackupTypeName(BackupType type);

std::string EncodeBackupRecord(const BackupRecord& record);
Status DecodeBackupRecord(std::string_view in, BackupRecord* record);

// The id part of a backup ARN (after "/backup/"), or empty.
std::string_view BackupIdOfArn(std::string_view arn);

// What says a restore (or an import) is in flight, and afterwards a restored
// table's RestoreSummary: the marker of its table id (db/backups.h).
struct RestoreMarker {
  std::string ns;
  std::string name;
  RestoreSummary summary;
};

std::string EncodeRestoreMarker(const RestoreMarker& m);
Status DecodeRestoreMarker(std::string_view in, RestoreMarker* m);

}  // namespace basalt::db
