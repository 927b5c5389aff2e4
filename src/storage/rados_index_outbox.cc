// The index outbox of the rados engine: the changes a commit keeps for the
// GSIs ('g' keys in the item's partition, rados_layout.h), found through
// basalt.index-outbox, which names the partitions that may hold some.
//
// A note goes in before the commit (a crash then leaves a note, never an
// unnoted change) and again after it lands (Commit). A partition whose
// changes are all removed loses its note, and is looked at once more
// afterwards: a change that landed between that look and the removal of
// the note is noted again, by this look or by its writer's second note.
// So every change that landed before a reader lists the notes is either
// applied or noted.
#include <set>

#include "common/coding.h"
#include "storage/rados_parts.h"

namespace basalt::storage::rados_parts {

namespace {

// A position: the change's key without its prefix (version:u64be
// index:u32be, 12 bytes), then the partition-ref.
constexpr size_t kKeyBytes = 12;

}  // namespace

Status RadosEngine::NoteIndexChanges(const std::map<std::string, bufferlist>& refs) {
  librados::ObjectWriteOperation op;
  op.omap_set(refs);
  return FromRados(io_.operate(std::string(L::kIndexOutboxObject), &op), "note index changes");
}

Status RadosEngine::ReadIndexChangesOf(const std::string& ref, std::vector<IndexChange>* out) {
  size_t slash = ref.find('/');
  std::optional<TableId> table = L::ParseTableNamespace(ref.substr(0, slash));
  if (slash == std::string::npos || !table) return Status::Ok();
  librados::IoCtx io = Io(*table);
  const std::string prefix(1, L::kIndexChangePrefix);
  return VisitOmap(io, ref.substr(slash + 1), prefix, prefix, [&](const std::string& k, const bufferlist& v) {
    if (k.size() != 1 + kKeyBytes) return true;
    IndexChange c;
    c.position = k.substr(1) + ref;
    std::string_view key(k);
    key.remove_prefix(1);
    c.committed = static_cast<double>(DecodeFixed64BE(key.data()) >> kSlotBits) / 1e6;  // version's micros
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
    return ReadIndexChangesOf(L::TableNamespace(table) + "/" + L::PartitionObject(*pk), out);
  }
  const std::string prefix = table == 0 ? std::string() : L::TableNamespace(table) + "/";
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
    size_t slash = ref.find('/');
    std::optional<TableId> table = L::ParseTableNamespace(ref.substr(0, slash));
    if (slash == std::string::npos || !table) continue;
    const std::string oid = ref.substr(slash + 1);
    librados::IoCtx io = Io(*table);
    librados::ObjectWriteOperation op;
    op.assert_exists();
    op.omap_rm_keys(keys);
    int r = io.operate(oid, &op);
    if (r != -ENOENT) BASALT_RETURN_IF_ERROR(FromRados(r, "remove index changes"));
    if (!keep_listed) BASALT_RETURN_IF_ERROR(ForgetIndexNote(ref));
  }
  return Status::Ok();
}

// Drops the note of a partition that holds no index changes, and looks
// again after: what landed meanwhile is noted anew. This front-end's
// commits to the partition wait meanwhile (its stripe).
Status RadosEngine::ForgetIndexNote(const std::string& ref) {
  size_t slash = ref.find('/');
  std::optional<TableId> table = L::ParseTableNamespace(ref.substr(0, slash));
  if (slash == std::string::npos || !table) return Status::Ok();
  const std::string oid = ref.substr(slash + 1);
  auto guard = LockStripes({StripeOf(*table, oid)}, /*exclusive=*/true);
  std::vector<IndexChange> left;
  BASALT_RETURN_IF_ERROR(ReadIndexChangesOf(ref, &left));
  if (!left.empty()) return Status::Ok();
  librados::ObjectWriteOperation rm;
  rm.omap_rm_keys({ref});
  BASALT_RETURN_IF_ERROR(FromRados(io_.operate(std::string(L::kIndexOutboxObject), &rm), "forget index changes"));
  BASALT_RETURN_IF_ERROR(ReadIndexChangesOf(ref, &left));
  if (left.empty()) return Status::Ok();
  return NoteIndexChanges({{ref, bufferlist()}});
}

}  // namespace basalt::storage::rados_parts
