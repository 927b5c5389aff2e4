// A stream record: one change to one item, made by the write path in the
// item's own commit and read back by GetRecords (db/streams.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "db/table_meta.h"
#include "model/attribute_value.h"
#include "model/schema.h"

namespace basalt::db {

// One change to one item, as it is stored. Persistent (see streams.cc).
struct StreamRecord {
  enum Event : uint8_t { kInsert = 1, kModify = 2, kRemove = 3 };
  Event event = kInsert;
  StreamViewType view = StreamViewType::kKeysOnly;
  int64_t created_ms = 0;   // ApproximateCreationDateTime, epoch milliseconds
  std::string event_id;     // 32 hex digits
  bool by_service = false;  // a Time to Live deletion
  model::Item keys;
  std::optional<model::Item> new_image;  // per the view type
  std::optional<model::Item> old_image;
  uint64_t seq = 0;         // SequenceNumber, once shipped
  size_t size_bytes = 0;    // SizeBytes, once decoded
};

// An item as a write saw it, decoded and in its stored encoding
// (model/item_codec.h); `item` is null when there is none.
struct StoredItem {
  const model::Item* item = nullptr;
  std::string_view encoded;
};

// The record a write makes, or nullopt when the write changed nothing.
std::optional<std::string> MakeStreamRecord(const model::KeySchema& key_schema, StreamViewType view,
                                            StoredItem old_item, StoredItem new_item, int64_t now_ms,
                                            bool by_service);
Status DecodeStreamRecord(std::string_view in, StreamRecord* out);

}  // namespace basalt::db
