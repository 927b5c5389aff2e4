#include "model/item_codec.h"

#include "common/coding.h"

namespace basalt::model {
namespace {

void EncodeNumber(const Number& n, std::string* out) {
  std::string enc;
  n.AppendOrderedEncoding(&enc);
  PutLengthPrefixed(out, enc);
}

void EncodeValue(const AttributeValue& v, std::string* out) {
  out->push_back(static_cast<char>(v.type()));
  switch (v.type()) {
    case Type::kS:
    case Type::kB: PutLengthPrefixed(out, v.str()); break;
    case Type::kN: EncodeNumber(v.num(), out); break;
    case Type::kBool: out->push_back(v.boolean() ? 1 : 0); break;
    case Type::kNull: break;
    case Type::kSS:
    case Type::kBS:
      PutVarint64(out, v.strs().size());
      for (const auto& s : v.strs()) PutLengthPrefixed(out, s);
      break;
    case Type::kNS:
      PutVarint64(out, v.nums().size());
      for (const auto& n : v.nums()) EncodeNumber(n, out);
      break;
    case Type::kL:
      PutVarint64(out, v.list().size());
      for (const auto& e : v.list()) EncodeValue(e, out);
      break;
    case Type::kM:
      PutVarint64(out, v.map().size());
      for (const auto& [k, e] : v.map()) {
        PutLengthPrefixed(out, k);
        EncodeValue(e, out);
      }
      break;
  }
}

bool DecodeNumber(std::string_view* in, Number* n) {
  std::string_view enc;
  if (!GetLengthPrefixed(in, &enc)) return false;
  return Number::DecodeOrdered(&enc, n) && enc.empty();
}

bool DecodeValue(std::string_view* in, int depth, AttributeValue* v);

bool DecodeMap(std::string_view* in, int depth, AttributeMap* m) {
  uint64_t count;
  if (!GetVarint64(in, &count) || count > in->size()) return false;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view name;
    AttributeValue e;
    if (!GetLengthPrefixed(in, &name) || !DecodeValue(in, depth + 1, &e)) return false;
    // Encoded in name order (EncodeItem walks the map): each name goes at the end.
    m->emplace_hint(m->end(), std::string(name), std::move(e));
  }
  return true;
}

bool DecodeValue(std::string_view* in, int depth, AttributeValue* v) {
  if (in->empty() || depth > 64) return false;
  auto type = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  switch (static_cast<Type>(type)) {
    case Type::kS:
    case Type::kB: {
      std::string_view s;
      if (!GetLengthPrefixed(in, &s)) return false;
      *v = type == static_cast<uint8_t>(Type::kS) ? AttributeValue::S(std::string(s))
                                                   : AttributeValue::B(std::string(s));
      return true;
    }
    case Type::kN: {
      Number n;
      if (!DecodeNumber(in, &n)) return false;
      *v = AttributeValue::N(std::move(n));
      return true;
    }
    case Type::kBool:
      if (in->empty()) return false;
      *v = AttributeValue::Bool((*in)[0] != 0);
      in->remove_prefix(1);
      return true;
    case Type::kNull: *v = AttributeValue::Null(); return true;
    case Type::kSS:
    case Type::kBS: {
      uint64_t count;
      if (!GetVarint64(in, &count) || count > in->size()) return false;
      std::vector<std::string> strs;
      strs.reserve(count);
      for (uint64_t i = 0; i < count; ++i) {
        std::string_view s;
        if (!GetLengthPrefixed(in, &s)) return false;
        strs.emplace_back(s);
      }
      *v = type == static_cast<uint8_t>(Type::kSS) ? AttributeValue::SS(std::move(strs))
                                                    : AttributeValue::BS(std::move(strs));
      return true;
    }
    case Type::kNS: {
      uint64_t count;
      if (!GetVarint64(in, &count) || count > in->size()) return false;
      std::vector<Number> nums(count);
      for (auto& n : nums) {
        if (!DecodeNumber(in, &n)) return false;
      }
      *v = AttributeValue::NS(std::move(nums));
      return true;
    }
    case Type::kL: {
      uint64_t count;
      if (!GetVarint64(in, &count) || count > in->size()) return false;
      AttributeList list(count);
      for (auto& e : list) {
        if (!DecodeValue(in, depth + 1, &e)) return false;
      }
      *v = AttributeValue::L(std::move(list));
      return true;
    }
    case Type::kM: {
      AttributeMap m;
      if (!DecodeMap(in, depth, &m)) return false;
      *v = AttributeValue::M(std::move(m));
      return true;
    }
  }
  return false;
}

}  // namespace

void EncodeItem(const Item& item, std::string* out) {
  PutVarint64(out, item.size());
  for (const auto& [name, v] : item) {
    PutLengthPrefixed(out, name);
    EncodeValue(v, out);
  }
}

Status DecodeItem(std::string_view in, Item* item) {
  item->clear();
  if (!DecodeMap(&in, 0, item) || !in.empty()) return Status::Internal("corrupt item encoding");
  return Status::Ok();
}

}  // namespace basalt::model
