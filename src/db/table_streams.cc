#include "db/table_streams.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

namespace basalt::db {
namespace {

// A stream label: "2026-11-21T20:10:00.123" (UTC).
std::string IsoMillis(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

int64_t LabelMillis(const std::string& label) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(label.c_str(), "%d-%d-%dT%d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace

Status TableStreams::Start(TableMeta* meta, StreamViewType view) {
  BASALT_ASSIGN_OR_RETURN(storage::TableId id, catalog_->NewId());
  // The label is the creation time in milliseconds, distinct from the table's last one.
  auto ms = static_cast<int64_t>(std::floor(clock_->Now() * 1000));
  if (!meta->stream.label.empty()) ms = std::max(ms, LabelMillis(meta->stream.label) + 1);
  meta->stream = TableStream{true, view, id, IsoMillis(ms)};
  return streams_->Create(*meta, static_cast<double>(ms) / 1000);
}

Status TableStreams::Apply(const StreamSpecInput& spec, TableMeta* meta) {
  if (spec.enabled) {
    if (meta->stream.enabled) return Status::Validation("Table already has an enabled stream");
    return Start(meta, spec.view);
  }
  if (!meta->stream.enabled) return Status::Validation("Table has no stream to disable");
  meta->stream.enabled = false;
  return Status::Ok();
}

Status TableStreams::EndOrphans() {
  constexpr double kCreateGraceSeconds = 60;
  const bool shared = streams_->shared();
  for (const StreamMeta& s : streams_->All()) {
    auto table = catalog_->Find(s.ns, s.table);
    // Where front-ends share the store, another one may be creating the
    // table: its stream is stored a moment before the table is.
    if (shared && s.created_at > clock_->Now() - kCreateGraceSeconds) continue;
    if (s.enabled && !(table && table->stream.enabled && table->stream.id == s.id)) {
      BASALT_RETURN_IF_ERROR(streams_->Disable(s.id));
    }
  }
  return Status::Ok();
}

}  // namespace basalt::db
