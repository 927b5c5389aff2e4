// The stored forms of DynamoDB Streams' registry and shard iterators
// (stream_forms.h has their grammar).
#include "db/stream_forms.h"

#include "common/base64.h"
#include "common/coding.h"
#include "model/item_codec.h"

namespace basalt::db::stream_forms {

// The MetaStore key of a stream's definition.
std::string StreamKey(uint64_t id) {
  std::string k(kStreamPrefix);
  PutFixed64BE(&k, id);
  return k;
}

std::string EncodeStream(const StreamMeta& s) {
  std::string out(1, 1);
  PutVarint64(&out, s.id);
  PutLengthPrefixed(&out, s.ns);
  PutLengthPrefixed(&out, s.arn);
  PutLengthPrefixed(&out, s.label);
  PutLengthPrefixed(&out, s.table);
  PutKeySchema(&out, s.key_schema);
  out.push_back(static_cast<char>(s.view));
  PutF64(&out, s.created_at);
  out.push_back(s.enabled ? 1 : 0);
  PutF64(&out, s.disabled_at);
  PutVarint64(&out, s.trimmed_below);
  PutVarint64(&out, s.shards.size());
  for (const ShardMeta& sh : s.shards) {
    PutLengthPrefixed(&out, sh.id);
    PutLengthPrefixed(&out, sh.parent);
    PutVarint64(&out, sh.first_seq);
    PutVarint64(&out, sh.last_seq);
    PutVarint64(&out, sh.records);
    out.push_back(sh.closed ? 1 : 0);
    PutF64(&out, sh.created_at);
    PutF64(&out, sh.closed_at);
  }
  return out;
}

Status DecodeStream(std::string_view in, StreamMeta* s) {
  auto bad = [] { return Status::Internal("corrupt stream definition"); };
  uint8_t format, view, enabled;
  uint64_t n;
  if (!GetU8(&in, &format) || format != 1 || !GetVarint64(&in, &s->id) || !GetString(&in, &s->ns) ||
      !GetString(&in, &s->arn) || !GetString(&in, &s->label) || !GetString(&in, &s->table) ||
      !GetKeySchema(&in, &s->key_schema) || !GetU8(&in, &view) || !GetF64(&in, &s->created_at) ||
      !GetU8(&in, &enabled) || !GetF64(&in, &s->disabled_at) || !GetVarint64(&in, &s->trimmed_below) ||
      !GetVarint64(&in, &n) || n > in.size()) {
    return bad();
  }
  s->view = static_cast<StreamViewType>(view);
  s->enabled = enabled != 0;
  s->shards.resize(n);
  for (ShardMeta& sh : s->shards) {
    uint8_t closed;
    if (!GetString(&in, &sh.id) || !GetString(&in, &sh.parent) || !GetVarint64(&in, &sh.first_seq) ||
        !GetVarint64(&in, &sh.last_seq) || !GetVarint64(&in, &sh.records) || !GetU8(&in, &closed) ||
        !GetF64(&in, &sh.created_at) || !GetF64(&in, &sh.closed_at)) {
      return bad();
    }
    sh.closed = closed != 0;
  }
  return Status::Ok();
}

std::string EncodeIterator(const std::string& arn, const Iterator& it) {
  std::string payload;
  PutVarint64(&payload, it.stream);
  PutVarint64(&payload, it.shard);
  PutVarint64(&payload, it.position);
  PutVarint64(&payload, static_cast<uint64_t>(it.created_ms));
  PutFixed32BE(&payload, TokenCheck(payload));
  return arn + "|1|" + Base64Encode(payload);
}

bool DecodeIterator(std::string_view text, Iterator* it) {
  size_t bar = text.rfind('|');
  if (bar == std::string_view::npos || bar < 2 || text.substr(bar - 2, 3) != "|1|") return false;
  std::string payload;
  if (!Base64Decode(text.substr(bar + 1), &payload) || payload.size() < 4) return false;
  std::string_view body(payload.data(), payload.size() - 4);
  if (DecodeFixed32BE(payload.data() + payload.size() - 4) != TokenCheck(body)) return false;
  uint64_t created;
  if (!GetVarint64(&body, &it->stream) || !GetVarint64(&body, &it->shard) || !GetVarint64(&body, &it->position) ||
      !GetVarint64(&body, &created) || !body.empty()) {
    return false;
  }
  it->created_ms = static_cast<int64_t>(created);
  return true;
}

}  // namespace basalt::db::stream_forms
