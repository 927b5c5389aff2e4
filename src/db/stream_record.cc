// A stream record's stored form (persistent; fields are appended, never
// reordered):
//
//   record := i64be(created_ms) u8(format=1) u8(event) u8(view) u8(by_service) str(event_id)
//             str(keys) u8(has_new) [str(new_image)] u8(has_old) [str(old_image)]
//             (items in model/item_codec.h's form)
#include "db/stream_record.h"


#include "common/coding.h"
#include "common/random.h"
#include "model/item.h"
#include "model/item_codec.h"

namespace basalt::db {
namespace {

std::string RandomHex(size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digits);
  uint64_t bits = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = RandomBits();
    out.push_back(kHex[bits & 15]);
    bits >>= 4;
  }
  return out;
}

model::Item KeysOf(const model::KeySchema& ks, const model::Item& item) {
  model::Item keys;
  for (const model::KeyAttribute* a : model::KeyAttributes(ks)) {
    auto it = item.find(a->name);
    if (it != item.end()) keys.emplace(it->first, it->second);
  }
  return keys;
}

void PutItem(std::string* out, const model::Item& item) {
  std::string encoded;
  model::EncodeItem(item, &encoded);
  PutLengthPrefixed(out, encoded);
}

bool GetItem(std::string_view* in, model::Item* item) {
  std::string_view encoded;
  return GetLengthPrefixed(in, &encoded) && model::DecodeItem(encoded, item).ok();
}

bool GetOptionalItem(std::string_view* in, std::optional<model::Item>* item) {
  uint8_t has;
  if (!GetU8(in, &has)) return false;
  item->reset();
  if (!has) return true;
  item->emplace();
  return GetItem(in, &**item);
}

}  // namespace

std::optional<std::string> MakeStreamRecord(const model::KeySchema& key_schema, StreamViewType view,
                                            StoredItem old_item, StoredItem new_item, int64_t now_ms,
                                            bool by_service) {
  if (!old_item.item && !new_item.item) return std::nullopt;
  // Equal encodings are equal items; sets in another order are equal too.
  if (old_item.item && new_item.item &&
      (old_item.encoded == new_item.encoded || *old_item.item == *new_item.item)) {
    return std::nullopt;
  }
  StreamRecord::Event event = !old_item.item ? StreamRecord::kInsert
                              : !new_item.item ? StreamRecord::kRemove
                                               : StreamRecord::kModify;
  std::string out;
  PutFixed64BE(&out, static_cast<uint64_t>(now_ms));
  out.push_back(1);
  out.push_back(static_cast<char>(event));
  out.push_back(static_cast<char>(view));
  out.push_back(by_service ? 1 : 0);
  PutLengthPrefixed(&out, RandomHex(32));
  PutItem(&out, KeysOf(key_schema, new_item.item ? *new_item.item : *old_item.item));
  bool with_new = new_item.item && (view == StreamViewType::kNewImage || view == StreamViewType::kNewAndOldImages);
  bool with_old = old_item.item && (view == StreamViewType::kOldImage || view == StreamViewType::kNewAndOldImages);
  out.push_back(with_new ? 1 : 0);
  if (with_new) PutLengthPrefixed(&out, new_item.encoded);
  out.push_back(with_old ? 1 : 0);
  if (with_old) PutLengthPrefixed(&out, old_item.encoded);
  return out;
}

Status DecodeStreamRecord(std::string_view in, StreamRecord* r) {
  auto bad = [] { return Status::Internal("corrupt stream record"); };
  uint8_t format, event, view, by_service;
  if (in.size() < 8) return bad();
  r->created_ms = static_cast<int64_t>(DecodeFixed64BE(in.data()));
  in.remove_prefix(8);
  if (!GetU8(&in, &format) || format != 1 || !GetU8(&in, &event) || !GetU8(&in, &view) ||
      !GetU8(&in, &by_service) || !GetString(&in, &r->event_id) || !GetItem(&in, &r->keys) ||
      !GetOptionalItem(&in, &r->new_image) || !GetOptionalItem(&in, &r->old_image)) {
    return bad();
  }
  r->event = static_cast<StreamRecord::Event>(event);
  r->view = static_cast<StreamViewType>(view);
  r->by_service = by_service != 0;
  r->size_bytes = model::ItemSize(r->keys) + (r->new_image ? model::ItemSize(*r->new_image) : 0) +
                  (r->old_image ? model::ItemSize(*r->old_image) : 0);
  return Status::Ok();
}

}  // namespace basalt::db
