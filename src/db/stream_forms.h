// Stored forms of DynamoDB Streams (streams.h), persistent; fields are
// appended, never reordered:
//
//   stream := u8(format=1) varint(id) str(ns) str(arn) str(label) str(table) keyschema u8(view)
//             f64(created_at) u8(enabled) f64(disabled_at) varint(trimmed_below) varint(n) shard*
//   shard  := str(id) str(parent) varint(first_seq) varint(last_seq) varint(records) u8(closed)
//             f64(created_at) f64(closed_at)
//
// A stream's definition is the MetaStore entry StreamKey(id) := "stream/" u64be(id).
// A shard iterator is "<stream arn>|1|<base64 of varint(stream) varint(shard first_seq)
// varint(position) varint(created_ms) u32be(check)>", like the service's in shape.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "db/streams.h"

namespace basalt::db::stream_forms {

inline constexpr std::string_view kStreamPrefix = "stream/";

// The MetaStore key of a stream's definition.
std::string StreamKey(uint64_t id);
std::string EncodeStream(const StreamMeta& s);
Status DecodeStream(std::string_view in, StreamMeta* s);

struct Iterator {
  uint64_t stream = 0;
  uint64_t shard = 0;  // the shard's first_seq, which names it within the stream
  uint64_t position = 0;
  int64_t created_ms = 0;
};
std::string EncodeIterator(const std::string& arn, const Iterator& it);
// False for text that is not an iterator of this form (or fails its check).
bool DecodeIterator(std::string_view text, Iterator* it);

}  // namespace basalt::db::stream_forms
