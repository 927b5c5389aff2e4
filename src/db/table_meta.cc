// Stored table definition. Persistent; fields are appended, never reordered:
//
//   meta := u8(format=1) str(ns) str(region) str(name) varint(id) str(uuid)
//           keyattr(hash) u8(has_range) [keyattr(range)]
//           varint(n) keyattr*                              attribute definitions
//           u8(billing) varint(rcu) varint(wcu) f64(last_increase) f64(last_decrease)
//           varint(decreases_today) f64(billing_mode_update_time) u8(table_class)
//           u8(deletion_protection) f64(creation_time) varint(n) (str(key) str(value))*
//           f64(active_at) f64(updated_until)
//           [varint(n) index*]                              absent in definitions from before indexes
//   index := str(name) u8(global) keyattr(hash) u8(has_range) [keyattr(range)]
//            u8(projection) varint(n) str* varint(id) varint(rcu) varint(wcu) u8(backfilling)
//   then, absent in older definitions: str(ttl_attribute) u8(ttl_enabled) f64(ttl_changed_at)
//   then, absent in older definitions: u8(stream_enabled) u8(stream_view) varint(stream_id) str(stream_label)
//   then, absent in older definitions: one entry per index, in order, of its further key attributes
//           (multi-attribute GSI keys): varint(n) keyattr* (partition) varint(n) keyattr* (sort)
//   then, absent in older definitions: throughput(table) u8(sse_kms) str(kms_key), then one
//           throughput per index, in order
//   throughput := varint(max_read) varint(max_write) varint(warm_read) varint(warm_write)
//                                                         OnDemandThroughput, WarmThroughput
//   keyattr := str(name) u8(type)
//   f64 := the IEEE bits as u64be (timestamps only; never used for numbers)
#include "db/table_meta.h"

#include "db/account.h"


#include "common/coding.h"

namespace basalt::db {
namespace {

void PutKeyAttr(std::string* out, const model::KeyAttribute& a) {
  PutLengthPrefixed(out, a.name);
  out->push_back(static_cast<char>(a.type));
}

bool GetKeyAttr(std::string_view* in, model::KeyAttribute* a) {
  uint8_t t;
  if (!GetString(in, &a->name) || !GetU8(in, &t)) return false;
  a->type = static_cast<model::Type>(t);
  return true;
}

}  // namespace

void PutKeySchema(std::string* out, const model::KeySchema& ks) {
  PutKeyAttr(out, ks.hash);
  out->push_back(ks.range ? 1 : 0);
  if (ks.range) PutKeyAttr(out, *ks.range);
}

bool GetKeySchema(std::string_view* in, model::KeySchema* ks) {
  uint8_t has_range;
  if (!GetKeyAttr(in, &ks->hash) || !GetU8(in, &has_range)) return false;
  ks->range.reset();
  if (has_range) {
    model::KeyAttribute r;
    if (!GetKeyAttr(in, &r)) return false;
    ks->range = r;
  }
  return true;
}

namespace {

bool GetI64(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *v = static_cast<int64_t>(u);
  return true;
}

void PutThroughput(std::string* out, const OnDemandCaps& caps, const WarmThroughput& warm) {
  for (int64_t v : {caps.max_read, caps.max_write, warm.read, warm.write}) PutVarint64(out, static_cast<uint64_t>(v));
}

bool GetThroughput(std::string_view* in, OnDemandCaps* caps, WarmThroughput* warm) {
  return GetI64(in, &caps->max_read) && GetI64(in, &caps->max_write) && GetI64(in, &warm->read) &&
         GetI64(in, &warm->write);
}

}  // namespace

const IndexMeta* TableMeta::FindIndex(std::string_view index_name) const {
  for (const auto& i : indexes) {
    if (i.name == index_name) return &i;
  }
  return nullptr;
}

std::string TableMeta::Arn() const {
  return "arn:aws:dynamodb:" + region + ":" + std::string(AccountOfNamespace(ns)) + ":table/" + name;
}

std::string EncodeTableMeta(const TableMeta& m) {
  std::string out;
  out.push_back(1);
  PutLengthPrefixed(&out, m.ns);
  PutLengthPrefixed(&out, m.region);
  PutLengthPrefixed(&out, m.name);
  PutVarint64(&out, m.id);
  PutLengthPrefixed(&out, m.uuid);
  PutKeySchema(&out, m.key_schema);
  PutVarint64(&out, m.attribute_definitions.size());
  for (const auto& a : m.attribute_definitions) PutKeyAttr(&out, a);
  out.push_back(static_cast<char>(m.billing_mode));
  PutVarint64(&out, m.throughput.read_capacity_units);
  PutVarint64(&out, m.throughput.write_capacity_units);
  PutF64(&out, m.throughput.last_increase_time);
  PutF64(&out, m.throughput.last_decrease_time);
  PutVarint64(&out, m.throughput.decreases_today);
  PutF64(&out, m.billing_mode_update_time);
  out.push_back(static_cast<char>(m.table_class));
  out.push_back(m.deletion_protection ? 1 : 0);
  PutF64(&out, m.creation_time);
  PutVarint64(&out, m.tags.size());
  for (const auto& t : m.tags) {
    PutLengthPrefixed(&out, t.key);
    PutLengthPrefixed(&out, t.value);
  }
  PutF64(&out, m.active_at);
  PutF64(&out, m.updated_until);
  PutVarint64(&out, m.indexes.size());
  for (const auto& i : m.indexes) {
    PutLengthPrefixed(&out, i.name);
    out.push_back(i.global ? 1 : 0);
    PutKeySchema(&out, i.key_schema);
    out.push_back(static_cast<char>(i.projection));
    PutVarint64(&out, i.non_key_attributes.size());
    for (const auto& a : i.non_key_attributes) PutLengthPrefixed(&out, a);
    PutVarint64(&out, i.id);
    PutVarint64(&out, i.throughput.read_capacity_units);
    PutVarint64(&out, i.throughput.write_capacity_units);
    out.push_back(i.backfilling ? 1 : 0);
  }
  PutLengthPrefixed(&out, m.ttl_attribute);
  out.push_back(m.ttl_enabled ? 1 : 0);
  PutF64(&out, m.ttl_changed_at);
  out.push_back(m.stream.enabled ? 1 : 0);
  out.push_back(static_cast<char>(m.stream.view));
  PutVarint64(&out, m.stream.id);
  PutLengthPrefixed(&out, m.stream.label);
  for (const auto& i : m.indexes) {
    for (const auto* extra : {&i.key_schema.extra_hash, &i.key_schema.extra_range}) {
      PutVarint64(&out, extra->size());
      for (const auto& a : *extra) PutKeyAttr(&out, a);
    }
  }
  PutThroughput(&out, m.on_demand, m.warm);
  out.push_back(m.sse.kms ? 1 : 0);
  PutLengthPrefixed(&out, m.sse.kms_key);
  for (const auto& i : m.indexes) PutThroughput(&out, i.on_demand, i.warm);
  return out;
}

Status DecodeTableMeta(std::string_view in, TableMeta* m) {
  uint8_t format, billing, table_class, protection;
  uint64_t id, n;
  auto bad = [] { return Status::Internal("corrupt table definition"); };
  if (!GetU8(&in, &format) || format != 1) return bad();
  if (!GetString(&in, &m->ns) || !GetString(&in, &m->region) || !GetString(&in, &m->name) ||
      !GetVarint64(&in, &id) || !GetString(&in, &m->uuid) || !GetKeySchema(&in, &m->key_schema)) {
    return bad();
  }
  m->id = id;
  if (!GetVarint64(&in, &n) || n > in.size()) return bad();
  m->attribute_definitions.resize(n);
  for (auto& a : m->attribute_definitions) {
    if (!GetKeyAttr(&in, &a)) return bad();
  }
  if (!GetU8(&in, &billing) || !GetI64(&in, &m->throughput.read_capacity_units) ||
      !GetI64(&in, &m->throughput.write_capacity_units) || !GetF64(&in, &m->throughput.last_increase_time) ||
      !GetF64(&in, &m->throughput.last_decrease_time) || !GetI64(&in, &m->throughput.decreases_today) ||
      !GetF64(&in, &m->billing_mode_update_time) || !GetU8(&in, &table_class) || !GetU8(&in, &protection) ||
      !GetF64(&in, &m->creation_time) || !GetVarint64(&in, &n) || n > in.size()) {
    return bad();
  }
  m->billing_mode = static_cast<BillingMode>(billing);
  m->table_class = static_cast<TableClass>(table_class);
  m->deletion_protection = protection != 0;
  m->tags.resize(n);
  for (auto& t : m->tags) {
    if (!GetString(&in, &t.key) || !GetString(&in, &t.value)) return bad();
  }
  if (!GetF64(&in, &m->active_at) || !GetF64(&in, &m->updated_until)) return bad();
  m->indexes.clear();
  if (in.empty()) return Status::Ok();
  if (!GetVarint64(&in, &n) || n > in.size()) return bad();
  m->indexes.resize(n);
  for (auto& i : m->indexes) {
    uint8_t global, projection, backfilling;
    uint64_t attrs;
    if (!GetString(&in, &i.name) || !GetU8(&in, &global) || !GetKeySchema(&in, &i.key_schema)) return bad();
    i.global = global != 0;
    if (!GetU8(&in, &projection) || !GetVarint64(&in, &attrs) || attrs > in.size()) return bad();
    i.projection = static_cast<ProjectionType>(projection);
    i.non_key_attributes.resize(attrs);
    for (auto& a : i.non_key_attributes) {
      if (!GetString(&in, &a)) return bad();
    }
    if (!GetVarint64(&in, &id) || !GetI64(&in, &i.throughput.read_capacity_units) ||
        !GetI64(&in, &i.throughput.write_capacity_units) || !GetU8(&in, &backfilling)) {
      return bad();
    }
    i.id = id;
    i.backfilling = backfilling != 0;
  }
  m->ttl_attribute.clear();
  m->ttl_enabled = false;
  m->ttl_changed_at = 0;
  if (in.empty()) return Status::Ok();
  uint8_t ttl_enabled;
  if (!GetString(&in, &m->ttl_attribute) || !GetU8(&in, &ttl_enabled) || !GetF64(&in, &m->ttl_changed_at)) return bad();
  m->ttl_enabled = ttl_enabled != 0;
  m->stream = TableStream{};
  if (in.empty()) return Status::Ok();
  uint8_t stream_enabled, view;
  if (!GetU8(&in, &stream_enabled) || !GetU8(&in, &view) || !GetVarint64(&in, &m->stream.id) ||
      !GetString(&in, &m->stream.label)) {
    return bad();
  }
  m->stream.enabled = stream_enabled != 0;
  m->stream.view = static_cast<StreamViewType>(view);
  if (in.empty()) return Status::Ok();
  for (auto& i : m->indexes) {
    for (auto* extra : {&i.key_schema.extra_hash, &i.key_schema.extra_range}) {
      if (!GetVarint64(&in, &n) || n > in.size()) return bad();
      extra->resize(n);
      for (auto& a : *extra) {
        if (!GetKeyAttr(&in, &a)) return bad();
      }
    }
  }
  m->on_demand = OnDemandCaps{};
  m->warm = WarmThroughput{};
  m->sse = SseSettings{};
  if (in.empty()) return Status::Ok();
  uint8_t kms;
  if (!GetThroughput(&in, &m->on_demand, &m->warm) || !GetU8(&in, &kms) || !GetString(&in, &m->sse.kms_key)) {
    return bad();
  }
  m->sse.kms = kms != 0;
  for (auto& i : m->indexes) {
    if (!GetThroughput(&in, &i.on_demand, &i.warm)) return bad();
  }
  return Status::Ok();
}

}  // namespace basalt::db
