// Stored backup record (MetaStore key "backup/" ns 0x00 id). Persistent;
// fields are appended, never reordered:
//
//   record := u8(format=1) str(id) str(name) u8(status) u8(type) f64(created)
//             varint(item_count) varint(size_bytes) varint(keyspace) str(table)
//             [f64(expires)]                  absent in records written before it: 0
//             [varint(source_log)]            absent in records written before it: 0
//   table  := the source definition as db/table_meta.cc encodes it
//   f64    := the IEEE bits as u64be
//
// Restore markers (MetaStore key "restore/" table-id as 16 hex digits), kept
// for as long as the restored table exists (its RestoreSummary):
//
//   marker := u8(format=1) u8(in_progress) str(ns) str(name)
//             str(source_backup_arn) str(source_table_arn) f64(restore_time)
#include "db/backup_record.h"

#include "common/coding.h"

namespace basalt::db {

const char* BackupStatusName(BackupStatus status) {
  switch (status) {
    case BackupStatus::kCreating: return "CREATING";
    case BackupStatus::kAvailable: return "AVAILABLE";
    case BackupStatus::kDeleted: return "DELETED";
  }
  return "CREATING";
}

const char* BackupTypeName(BackupType type) { return type == BackupType::kSystem ? "SYSTEM" : "USER"; }

std::string EncodeBackupRecord(const BackupRecord& r) {
  std::string out;
  out.push_back(1);
  PutLengthPrefixed(&out, r.id);
  PutLengthPrefixed(&out, r.name);
  out.push_back(static_cast<char>(r.status));
  out.push_back(static_cast<char>(r.type));
  PutF64(&out, r.created);
  PutVarint64(&out, static_cast<uint64_t>(r.item_count));
  PutVarint64(&out, static_cast<uint64_t>(r.size_bytes));
  PutVarint64(&out, r.keyspace);
  PutLengthPrefixed(&out, EncodeTableMeta(r.table));
  PutF64(&out, r.expires);
  PutVarint64(&out, r.source_log);
  return out;
}

Status DecodeBackupRecord(std::string_view in, BackupRecord* r) {
  auto bad = [] { return Status::Internal("corrupt backup record"); };
  uint8_t format, status, type;
  uint64_t count, size, keyspace;
  std::string table;
  if (!GetU8(&in, &format) || format != 1 || !GetString(&in, &r->id) || !GetString(&in, &r->name) ||
      !GetU8(&in, &status) || !GetU8(&in, &type) || !GetF64(&in, &r->created) || !GetVarint64(&in, &count) ||
      !GetVarint64(&in, &size) || !GetVarint64(&in, &keyspace) || !GetString(&in, &table) || status > 2 ||
      type > 1) {
    return bad();
  }
  r->status = static_cast<BackupStatus>(status);
  r->type = static_cast<BackupType>(type);
  r->item_count = static_cast<int64_t>(count);
  r->size_bytes = static_cast<int64_t>(size);
  r->keyspace = keyspace;
  r->expires = 0;
  if (!in.empty() && !GetF64(&in, &r->expires)) return bad();
  uint64_t source_log = 0;
  if (!in.empty() && !GetVarint64(&in, &source_log)) return bad();
  r->source_log = source_log;
  return DecodeTableMeta(table, &r->table);
}

std::string_view BackupIdOfArn(std::string_view arn) {
  constexpr std::string_view kMarker = "/backup/";
  size_t pos = arn.rfind(kMarker);
  if (pos == std::string_view::npos) return {};
  return arn.substr(pos + kMarker.size());
}

std::string EncodeRestoreMarker(const RestoreMarker& m) {
  std::string out;
  out.push_back(1);
  out.push_back(m.summary.in_progress ? 1 : 0);
  PutLengthPrefixed(&out, m.ns);
  PutLengthPrefixed(&out, m.name);
  PutLengthPrefixed(&out, m.summary.source_backup_arn);
  PutLengthPrefixed(&out, m.summary.source_table_arn);
  PutF64(&out, m.summary.restore_time);
  return out;
}

Status DecodeRestoreMarker(std::string_view in, RestoreMarker* m) {
  uint8_t format, in_progress;
  if (!GetU8(&in, &format) || format != 1 || !GetU8(&in, &in_progress) || !GetString(&in, &m->ns) ||
      !GetString(&in, &m->name) || !GetString(&in, &m->summary.source_backup_arn) ||
      !GetString(&in, &m->summary.source_table_arn) || !GetF64(&in, &m->summary.restore_time)) {
    return Status::Internal("corrupt restore marker");
  }
  m->summary.in_progress = in_progress != 0;
  return Status::Ok();
}

}  // namespace basalt::db
