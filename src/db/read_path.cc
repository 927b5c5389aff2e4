#include "db/read_path.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "db/capacity.h"
#include "db/index.h"
#include "model/item.h"
#include "model/item_codec.h"
#include "model/key_encoding.h"

namespace basalt::db {
namespace {

// DynamoDB stops a page once the items it has read reach 1 MB.
constexpr size_t kMaxPageBytes = 1024 * 1024;

// Whether an item read from an LSI must be completed from the table: when
// the request wants attributes the index does not hold (an LSI fetches them,
// at extra read cost; a GSI cannot and returns what it has).
bool NeedsFetch(const PageSource& src, const ReadPageInput& in) {
  if (!src.index || src.index->global || src.index->projection == ProjectionType::kAll) return false;
  if (in.select == Select::kAllAttributes) return true;
  auto outside = [&](const expr::Path& p) { return !p.empty() && !IndexProjects(src.table, *src.index, p[0].name); };
  if (in.projection && std::any_of(in.projection->paths.begin(), in.projection->paths.end(), outside)) return true;
  if (in.filter) {
    for (const auto& name : expr::TopLevelNames(*in.filter)) {
      if (!IndexProjects(src.table, *src.index, name)) return true;
    }
  }
  return false;
}

// The page loop shared by Query and Scan: called with each stored row.
class PageBuilder {
 public:
  // `fetch` is set when LSI entries are completed from the table, read at `at`.
  // `read`, when set, lists the items read.
  PageBuilder(const PageSource& src, const ReadPageInput& in, ReadPath* fetch, const storage::Snapshot* at,
              std::vector<ReadKey>* read = nullptr)
      : src_(src),
        in_(in),
        fetch_(fetch),
        at_(at),
        read_(read),
        stored_(in.stored_items && !in.filter && !in.projection && !fetch && !read && in.select != Select::kCount) {}

  // Returns false when the page is full or on error.
  bool Add(std::string_view value, Status* error) {
    if (stored_) return AddStored(value, error);
    model::Item item;
    if (Status st = model::DecodeItem(value, &item); !st.ok()) return Fail(st, error);
    size_t size = model::ItemSize(item);
    scanned_bytes_ += size;
    ++out_.scanned_count;
    // LastEvaluatedKey is read from the last item when the page stops: a copy
    // of its bytes costs less than the key map per item.
    last_value_.assign(value);
    if (read_) read_->push_back(ReadKey{KeyOf(item), size});
    if (fetch_) {
      // The LSI entry stands for a table item, read whole (and charged) here.
      auto key = model::KeyFromItem(src_.table.key_schema, item);
      if (!key.ok()) return Fail(key.status(), error);
      std::optional<model::Item> full;
      if (Status st = fetch_->Read(src_.table, *key, &full, at_); !st.ok()) return Fail(st, error);
      if (full) {
        fetched_units_ += ReadUnits(model::ItemSize(*full), in_.consistent);
        item = std::move(*full);
      }
    }
    bool keep = true;
    if (in_.filter) {
      auto r = expr::Evaluate(*in_.filter, item);
      if (!r.ok()) return Fail(r.status(), error);
      keep = *r;
    }
    if (keep) {
      ++out_.count;
      if (in_.projection) {
        out_.items.push_back(expr::ApplyProjection(*in_.projection, item));
      } else if (fetch_ && in_.select == Select::kAllProjectedAttributes) {
        // Fetched for the filter only: the answer is still what the index projects.
        out_.items.push_back(ProjectToIndex(src_.table, *src_.index, item));
      } else if (in_.select != Select::kCount) {
        out_.items.push_back(std::move(item));
      }
    }
    return Continue();
  }

  ReadPageOutput Finish() {
    // Read units: the sizes of the items read summed, then rounded up per 4 KB.
    double units = std::max(1.0, std::ceil(static_cast<double>(scanned_bytes_) / 4096));
    if (!in_.consistent) units /= 2;
    out_.capacity.table = src_.table.name;
    if (!src_.index) {
      out_.capacity.read_units = units;
    } else {
      (src_.index->global ? out_.capacity.global_indexes : out_.capacity.local_indexes)[src_.index->name] = units;
      out_.capacity.read_units = fetched_units_;
    }
    if (stopped_) {
      // The bytes were decoded (or sized) once already, so they decode.
      model::Item last;
      if (model::DecodeItem(stored_ ? out_.stored_items.back().bytes : last_value_, &last).ok()) {
        out_.last_evaluated_key = KeyOf(last);
      }
    }
    return std::move(out_);
  }

 private:
  // An item nothing reads typed goes to the answer as its stored bytes, and
  // api writes its JSON from them (WriteStoredItem): no map of the item is
  // built. Per item of the Query bench (4 attributes, ~110 bytes) the page's
  // work went from ~4,600 instructions (decoding 2,850, the key map 1,100,
  // the size 470) to ~1,150 (the size read off the bytes, 920), and the
  // request from 159,700 to 121,300 (bench/instructions.py).
  bool AddStored(std::string_view value, Status* error) {
    auto size = model::StoredItemSize(value);
    if (!size.ok()) return Fail(size.status(), error);
    scanned_bytes_ += *size;
    ++out_.scanned_count;
    ++out_.count;
    out_.stored_items.push_back(EncodedItem{std::string(value), *size});
    return Continue();
  }

  bool Continue() {
    if (in_.limit && out_.scanned_count >= *in_.limit) return Stop();
    if (scanned_bytes_ >= kMaxPageBytes) return Stop();
    return true;
  }
  bool Stop() {
    stopped_ = true;
    return false;
  }
  static bool Fail(Status st, Status* error) {
    *error = std::move(st);
    return false;
  }

  // LastEvaluatedKey: the table's key, and on an index also the index's.
  model::Item KeyOf(const model::Item& item) const {
    model::Item key;
    auto add = [&](const model::KeySchema& ks) {
      for (const model::KeyAttribute* a : model::KeyAttributes(ks)) {
        auto it = item.find(a->name);
        if (it != item.end()) key.insert(*it);
      }
    };
    add(src_.table.key_schema);
    if (src_.index) add(src_.index->key_schema);
    return key;
  }

  const PageSource& src_;
  const ReadPageInput& in_;
  ReadPath* fetch_;
  const storage::Snapshot* at_;
  std::vector<ReadKey>* read_;
  const bool stored_;  // items kept as their stored bytes (AddStored)
  ReadPageOutput out_;
  size_t scanned_bytes_ = 0;
  double fetched_units_ = 0;
  std::string last_value_;  // the last item's bytes (typed items)
  bool stopped_ = false;
};

}  // namespace

storage::Key StorageKey(const TableMeta& table, const model::PrimaryKey& key) {
  storage::Key k;
  k.table = table.id;
  model::AppendKeyEncoding(key.hash, &k.pk);
  if (key.range) model::AppendKeyEncoding(*key.range, &k.sk);
  return k;
}

Status ReadPath::Read(const TableMeta& table, const model::PrimaryKey& key, std::optional<model::Item>* item,
                      const storage::Snapshot* at) {
  std::optional<std::string> stored;
  BASALT_RETURN_IF_ERROR(ReadStored(table, key, &stored, at));
  item->reset();
  if (!stored) return Status::Ok();
  item->emplace();
  return model::DecodeItem(*stored, &**item);
}

Status ReadPath::ReadStored(const TableMeta& table, const model::PrimaryKey& key, std::optional<std::string>* stored,
                            const storage::Snapshot* at) {
  std::optional<storage::Record> rec;
  BASALT_RETURN_IF_ERROR(engine_->Get(StorageKey(table, key), &rec, at));
  stored->reset();
  if (rec) *stored = std::move(rec->value);
  return Status::Ok();
}

Status ReadPath::ReadManyStored(std::span<const std::pair<const TableMeta*, const model::PrimaryKey*>> keys,
                                std::vector<std::optional<std::string>>* stored, bool transactional) {
  std::vector<storage::Key> skeys;
  skeys.reserve(keys.size());
  for (const auto& [table, key] : keys) skeys.push_back(StorageKey(*table, *key));
  std::vector<std::optional<storage::Record>> recs;
  BASALT_RETURN_IF_ERROR(transactional ? engine_->TransactGet(skeys, &recs) : engine_->MultiGet(skeys, &recs));
  stored->assign(keys.size(), std::nullopt);
  for (size_t i = 0; i < recs.size(); ++i) {
    if (recs[i]) (*stored)[i] = std::move(recs[i]->value);
  }
  return Status::Ok();
}

Status ReadPath::ReadMany(std::span<const std::pair<const TableMeta*, const model::PrimaryKey*>> keys,
                          std::vector<std::optional<model::Item>>* items, bool transactional) {
  std::vector<std::optional<std::string>> stored;
  BASALT_RETURN_IF_ERROR(ReadManyStored(keys, &stored, transactional));
  items->assign(keys.size(), std::nullopt);
  for (size_t i = 0; i < stored.size(); ++i) {
    if (!stored[i]) continue;
    (*items)[i].emplace();
    BASALT_RETURN_IF_ERROR(model::DecodeItem(*stored[i], &*(*items)[i]));
  }
  return Status::Ok();
}

Result<ReadPageOutput> ReadPath::QueryPage(const PageSource& src, const ReadPageInput& in, std::string_view pk,
                                           const storage::SortKeyRange& range, bool reverse,
                                           const std::optional<std::string>& resume) {
  // A snapshot costs two passes through the engine's lock: taken only when
  // the page reads the table besides the index.
  std::unique_ptr<storage::Snapshot> at = NeedsFetch(src, in) ? engine_->NewSnapshot() : nullptr;
  PageBuilder page(src, in, at ? this : nullptr, at.get());
  Status error;
  BASALT_RETURN_IF_ERROR(engine_->QueryPartition(
      src.id(), pk, range, reverse, resume, [&](const storage::Row& row) { return page.Add(row.value, &error); },
      at.get()));
  BASALT_RETURN_IF_ERROR(error);
  return page.Finish();
}

Result<ReadPageOutput> ReadPath::ScanPage(const PageSource& src, const ReadPageInput& in, uint32_t segment,
                                          uint32_t total,
                                          const std::optional<std::pair<std::string, std::string>>& resume,
                                          std::vector<ReadKey>* read) {
  std::unique_ptr<storage::Snapshot> at = NeedsFetch(src, in) ? engine_->NewSnapshot() : nullptr;
  PageBuilder page(src, in, at ? this : nullptr, at.get(), read);
  Status error;
  BASALT_RETURN_IF_ERROR(engine_->ScanSegment(
      src.id(), segment, total, resume, [&](const storage::Row& row) { return page.Add(row.value, &error); },
      at.get()));
  BASALT_RETURN_IF_ERROR(error);
  return page.Finish();
}

}  // namespace basalt::db
