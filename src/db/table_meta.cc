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
//   keyattr := str(name) u8(type)
//   f64 := the IEEE bits as u64be (timestamps only; never used for numbers)
#include "db/table_meta.h"

#include <cstring>

#include "common/coding.h"

namespace basalt::db {
namespace {

void PutF64(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  PutFixed64BE(out, bits);
}

bool GetF64(std::string_view* in, double* d) {
  if (in->size() < 8) return false;
  uint64_t bits = DecodeFixed64BE(in->data());
  std::memcpy(d, &bits, 8);
  in->remove_prefix(8);
  return true;
}

bool GetU8(std::string_view* in, uint8_t* v) {
  if (in->empty()) return false;
  *v = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

bool GetStr(std::string_view* in, std::string* s) {
  std::string_view v;
  if (!GetLengthPrefixed(in, &v)) return false;
  s->assign(v);
  return true;
}

void PutKeyAttr(std::string* out, const model::KeyAttribute& a) {
  PutLengthPrefixed(out, a.name);
  out->push_back(static_cast<char>(a.type));
}

bool GetKeyAttr(std::string_view* in, model::KeyAttribute* a) {
  uint8_t t;
  if (!GetStr(in, &a->name) || !GetU8(in, &t)) return false;
  a->type = static_cast<model::Type>(t);
  return true;
}

bool GetI64(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *v = static_cast<int64_t>(u);
  return true;
}

}  // namespace

const IndexMeta* TableMeta::FindIndex(std::string_view index_name) const {
  for (const auto& i : indexes) {
    if (i.name == index_name) return &i;
  }
  return nullptr;
}

std::string TableMeta::Arn() const {
  return "arn:aws:dynamodb:" + region + ":000000000000:table/" + name;
}

std::string EncodeTableMeta(const TableMeta& m) {
  std::string out;
  out.push_back(1);
  PutLengthPrefixed(&out, m.ns);
  PutLengthPrefixed(&out, m.region);
  PutLengthPrefixed(&out, m.name);
  PutVarint64(&out, m.id);
  PutLengthPrefixed(&out, m.uuid);
  PutKeyAttr(&out, m.key_schema.hash);
  out.push_back(m.key_schema.range ? 1 : 0);
  if (m.key_schema.range) PutKeyAttr(&out, *m.key_schema.range);
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
    PutKeyAttr(&out, i.key_schema.hash);
    out.push_back(i.key_schema.range ? 1 : 0);
    if (i.key_schema.range) PutKeyAttr(&out, *i.key_schema.range);
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
  return out;
}

Status DecodeTableMeta(std::string_view in, TableMeta* m) {
  uint8_t format, has_range, billing, table_class, protection;
  uint64_t id, n;
  auto bad = [] { return Status::Internal("corrupt table definition"); };
  if (!GetU8(&in, &format) || format != 1) return bad();
  if (!GetStr(&in, &m->ns) || !GetStr(&in, &m->region) || !GetStr(&in, &m->name) ||
      !GetVarint64(&in, &id) || !GetStr(&in, &m->uuid) || !GetKeyAttr(&in, &m->key_schema.hash) ||
      !GetU8(&in, &has_range)) {
    return bad();
  }
  m->id = id;
  m->key_schema.range.reset();
  if (has_range) {
    model::KeyAttribute r;
    if (!GetKeyAttr(&in, &r)) return bad();
    m->key_schema.range = r;
  }
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
    if (!GetStr(&in, &t.key) || !GetStr(&in, &t.value)) return bad();
  }
  if (!GetF64(&in, &m->active_at) || !GetF64(&in, &m->updated_until)) return bad();
  m->indexes.clear();
  if (in.empty()) return Status::Ok();
  if (!GetVarint64(&in, &n) || n > in.size()) return bad();
  m->indexes.resize(n);
  for (auto& i : m->indexes) {
    uint8_t global, projection, backfilling;
    uint64_t attrs;
    if (!GetStr(&in, &i.name) || !GetU8(&in, &global) || !GetKeyAttr(&in, &i.key_schema.hash) ||
        !GetU8(&in, &has_range)) {
      return bad();
    }
    i.global = global != 0;
    if (has_range) {
      model::KeyAttribute r;
      if (!GetKeyAttr(&in, &r)) return bad();
      i.key_schema.range = r;
    }
    if (!GetU8(&in, &projection) || !GetVarint64(&in, &attrs) || attrs > in.size()) return bad();
    i.projection = static_cast<ProjectionType>(projection);
    i.non_key_attributes.resize(attrs);
    for (auto& a : i.non_key_attributes) {
      if (!GetStr(&in, &a)) return bad();
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
  if (!GetStr(&in, &m->ttl_attribute) || !GetU8(&in, &ttl_enabled) || !GetF64(&in, &m->ttl_changed_at)) return bad();
  m->ttl_enabled = ttl_enabled != 0;
  return Status::Ok();
}

}  // namespace basalt::db
