// The index outbox of the rados engine: the changes a commit keeps for the
// GSIs ('g' keys in the item's partition, rados_layout.h), found through
// basalt.index-outbox, which notes the partitions that may hold some.
//
// A note holds the largest version of a commit noted there. A commit notes
// its partition with its own version before it writes (a crash then leaves
// a note, never an unnoted change), raising a smaller note and leaving a
// larger one (an omap compare). A note is dropped only while the partition
// holds no change and no transaction's intent and its version has reached
// the note's, compared on the note. So a noted commit still in flight
// keeps its note: it either lands (its changes are then there, with it) or
// loses its compare and notes again. Every change that landed before a
// reader lists the notes is therefore either applied or noted, with one
// note per commit. (A commit that loses its compare and then has nothing
// left to write leaves a note above its partition's version: dropped once
// kStaleNoteSeconds old.)
#include <set>

#include "common/clock.h"
#include "common/coding.h"
#include "storage/rados_parts.h"

namespace basalt::storage::rados_parts {

namespace {

// A position: the change's key without its prefix (version:u64be
// index:u32be, 12 bytes), then the partition-ref.
constexpr size_t kKeyBytes = 12;
// The age at which a note above its partition's version is dropped (ForgetIndexNote).
constexpr double kStaleNoteSeconds = 10;

}  // namespace

Status RadosEngine::NoteIndexChanges(const std::map<std::string, Version>& refs) {
  for (const auto& [ref, version] : refs) {
    std::string note;
    PutFixed64BE(&note, version);
    librados::ObjectWriteOperation op;
    int cmp = 0;
    // An absent note compares as the empty value, below every version.
    op.omap_cmp({{ref, {Bl(note), LIBRADOS_CMPXATTR_OP_LT}}}, &cmp);
    op.omap_set({{ref, Bl(note)}});
    int r = io_.operate(std::string(L::kIndexOutboxObject), &op);  // the object exists from Connect on
    if (r == -ECANCELED) continue;  // noted with a later commit's version already
    BASALT_RETURN_IF_ERROR(FromRados(r, "note index changes"));
  }
  return Status::Ok();
}

Status RadosEngine::ReadIndexChangesOf(const std::string& ref, std::vector<IndexChange>* out) {
  auto partition = L::ParsePartitionRef(ref);
  if (!partition) return Status::Ok();
  librados::IoCtx io = Io(partition->first);
  const std::string prefix(1, L::kIndexChangePrefix);
  return VisitOmap(io, partition->second, prefix, prefix, [&](const std::string& k, const bufferlist& v) {
    if (k.size() != 1 + kKeyBytes) return true;
    IndexChange c;
    c.position = k.substr(1) + ref;
    std::string_view key(k);
    key.remove_prefix(1);
    c.committed = VersionSeconds(DecodeFixed64BE(key.data()));
    c.value = v.to_str();
    out->push_back(std::move(c));
    return true;
  });
}

Status RadosEngine::ReadIndexChanges(TableId table, const std::optional<std::string>& pk, size_t limit,
                                     std::vector<IndexChange>* out) {
  out->clear();
  if (pk) {
    // One partition: no need to look at the notes.
    return ReadIndexChangesOf(L::PartitionRef(table, L::PartitionObject(*pk)), out);
  }
  const std::string prefix = table == 0 ? std::string() : L::PartitionRef(table, "");
  std::vector<std::string> refs;
  BASALT_RETURN_IF_ERROR(
      VisitOmap(io_, std::string(L::kIndexOutboxObject), prefix, prefix, [&](const std::string& k, const bufferlist&) {
        refs.push_back(k);
        return true;
      }));
  for (const std::string& ref : refs) {
    if (out->size() >= limit) break;
    const size_t before = out->size();
    BASALT_RETURN_IF_ERROR(ReadIndexChangesOf(ref, out));
    if (out->size() == before) {
      // Nothing waits there: the note goes (an applier crashed after
      // removing the changes, or a commit failed after noting).
      BASALT_RETURN_IF_ERROR(ForgetIndexNote(ref));
    }
  }
  return Status::Ok();
}

Status RadosEngine::RemoveIndexChanges(std::span<const IndexChange> applied, bool keep_listed) {
  std::map<std::string, std::set<std::string>> by_ref;  // partition-ref -> change keys
  for (const IndexChange& c : applied) {
    if (c.position.size() <= kKeyBytes) return Status::Internal("bad index change position");
    by_ref[c.position.substr(kKeyBytes)].insert(std::string(1, L::kIndexChangePrefix) +
                                                c.position.substr(0, kKeyBytes));
  }
  for (const auto& [ref, keys] : by_ref) {
    auto partition = L::ParsePartitionRef(ref);
    if (!partition) continue;
    librados::IoCtx io = Io(partition->first);
    librados::ObjectWriteOperation op;
    op.assert_exists();
    op.omap_rm_keys(keys);
    int r = io.operate(partition->second, &op);
    if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove index changes"));
    if (!keep_listed) BASALT_RETURN_IF_ERROR(ForgetIndexNote(ref));
  }
  return Status::Ok();
}

// Drops the note of a partition that holds no index changes and no
// intent, while the note is not above the partition's version (see the top
// of this file): one read of the partition, one compared removal.
Status RadosEngine::ForgetIndexNote(const std::string& ref) {
  auto partition = L::ParsePartitionRef(ref);
  if (!partition) return Status::Ok();
  librados::IoCtx io = Io(partition->first);
  librados::ObjectReadOperation read;
  bufferlist v;
  std::map<std::string, bufferlist> changes, intent;
  bool more = false;
  int vrv = 0, orv = 0, irv = 0;
  read.getxattr(L::kVersionXattr.data(), &v, &vrv);
  const std::string prefix(1, L::kIndexChangePrefix);
  read.omap_get_vals2(prefix, prefix, 1, &changes, &more, &orv);
  read.omap_get_vals_by_keys({std::string(1, L::kIntentKey)}, &intent, &irv);
  int r = io.operate(partition->second, &read, nullptr);
  Version version = ~Version{0} - 1;  // a dropped partition: whatever its note says
  if (r != -ENOENT) {
    BASALT_RETURN_IF_ERROR(FromRados(r, "read partition " + ref));
    // A transaction's intent holds the partition at the transaction's
    // version while its changes wait in the intent: the note stays.
    if (!changes.empty() || !intent.empty()) return Status::Ok();
    version = ParseVersion(v);
  }
  std::string above;  // the note must be below version + 1
  PutFixed64BE(&above, version + 1);
  librados::ObjectWriteOperation rm;
  int cmp = 0;
  rm.omap_cmp({{ref, {Bl(above), LIBRADOS_CMPXATTR_OP_LT}}}, &cmp);
  rm.omap_rm_keys({ref});
  r = io_.operate(std::string(L::kIndexOutboxObject), &rm);
  if (r != -ECANCELED) return FromRados(r, "forget index changes");
  // Above the partition's version: a commit in flight noted it, or a
  // commit that lost its compare and then wrote nothing (its write was
  // evaluated again and had nothing left to do). A note older than
  // kStaleNoteSeconds is taken for the second kind: no commit stays in
  // flight that long (and one that did still has its own front-end apply
  // its changes once it lands).
  std::map<std::string, bufferlist> notes;
  librados::ObjectReadOperation read_note;
  int nrv = 0;
  read_note.omap_get_vals_by_keys({ref}, &notes, &nrv);
  BASALT_RETURN_IF_ERROR(
      FromRados(io_.operate(std::string(L::kIndexOutboxObject), &read_note, nullptr), "read index note"));
  auto note = notes.find(ref);
  if (note == notes.end() || note->second.length() != 8) return Status::Ok();
  const std::string noted = note->second.to_str();
  if (RealClock().Now() - VersionSeconds(DecodeFixed64BE(noted.data())) < kStaleNoteSeconds) return Status::Ok();
  librados::ObjectWriteOperation stale;
  stale.omap_cmp({{ref, {note->second, LIBRADOS_CMPXATTR_OP_EQ}}}, &cmp);
  stale.omap_rm_keys({ref});
  r = io_.operate(std::string(L::kIndexOutboxObject), &stale);
  return r == -ECANCELED ? Status::Ok() : FromRados(r, "forget a stale index note");
}

}  // namespace basalt::storage::rados_parts
