// The on-disk format version stamp, checked when a database opens.
//
// Basalt's stored bytes (key layout, table definitions, records of backups,
// logs) have a format version, kept in the MetaStore under
// "basalt_format_version" as decimal text. A data directory without the
// stamp holds format 1 (the first). One stamped with a newer version than
// this Basalt reads is refused, so an older binary never misreads newer
// data. The upgrade path: a Basalt that raises the version migrates older
// directories here, at open, then stamps them; to go back, restore a backup
// taken before the upgrade (`basalt backup`).
#pragma once

#include "common/status.h"
#include "storage/engine.h"

namespace basalt::db {

// The formats:
//   1  the first
//   2  change logs of point-in-time recovery hold records by commit
//      (db/change_log.h), which format 1 does not read. Format 1 data is
//      format 2 data: nothing to migrate.
inline constexpr int kFormatVersion = 2;

Status CheckFormatVersion(storage::MetaStore* meta);

// Stamps the data with this format, before the first write of something an
// older format cannot read (a record by commit: when PITR is enabled, or
// found enabled at open).
Status StampFormatVersion(storage::MetaStore* meta);

}  // namespace basalt::db
