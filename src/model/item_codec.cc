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

// Templates on the visitor: StoredItemSize's final SizeVisitor has its calls
// inlined rather than made through the vtable.
template <class Visitor>
bool VisitValue(std::string_view* in, int depth, Visitor& v);

template <class Visitor>
bool VisitEntries(std::string_view* in, int depth, Visitor& v, uint64_t count) {
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view name;
    if (!GetLengthPrefixed(in, &name)) return false;
    v.Name(name);
    if (!VisitValue(in, depth + 1, v)) return false;
  }
  return true;
}

// DecodeValue's grammar, calling the visitor instead of building values.
template <class Visitor>
bool VisitValue(std::string_view* in, int depth, Visitor& v) {
  if (in->empty() || depth > 64) return false;
  auto type = static_cast<Type>((*in)[0]);
  in->remove_prefix(1);
  uint64_t count = 0;
  switch (type) {
    case Type::kS:
    case Type::kB: {
      std::string_view s;
      if (!GetLengthPrefixed(in, &s)) return false;
      v.Bytes(type, s);
      return true;
    }
    case Type::kN: {
      std::string_view enc;
      return GetLengthPrefixed(in, &enc) && v.NumBytes(enc);
    }
    case Type::kBool:
      if (in->empty()) return false;
      v.Bool((*in)[0] != 0);
      in->remove_prefix(1);
      return true;
    case Type::kNull: v.Null(); return true;
    case Type::kSS:
    case Type::kBS:
    case Type::kNS:
    case Type::kL:
      if (!GetVarint64(in, &count) || count > in->size()) return false;
      v.BeginList(type, count);
      for (uint64_t i = 0; i < count; ++i) {
        if (type == Type::kL) {
          if (!VisitValue(in, depth + 1, v)) return false;
        } else if (type == Type::kNS) {
          std::string_view enc;
          if (!GetLengthPrefixed(in, &enc) || !v.NumBytes(enc)) return false;
        } else {
          std::string_view s;
          if (!GetLengthPrefixed(in, &s)) return false;
          v.Bytes(type == Type::kSS ? Type::kS : Type::kB, s);
        }
      }
      v.EndList();
      return true;
    case Type::kM:
      if (!GetVarint64(in, &count) || count > in->size()) return false;
      v.BeginMap(count);
      if (!VisitEntries(in, depth, v, count)) return false;
      v.EndMap();
      return true;
  }
  return false;
}

// AttributeSize's rules (model/item.cc) over the visitor's calls: an M or L
// adds 3, each of its elements 1 more, an M's entry its name too; the
// item's own names count their bytes; set members only their own size.
class SizeVisitor final : public ItemVisitor {
 public:
  size_t size = 0;

  void Name(std::string_view name) override { size += name.size() + (maps_ > 0 ? 1 : 0); }
  void BeginMap(size_t) override {
    ++maps_;
    size += 3;
  }
  void EndMap() override { --maps_; }
  void BeginList(Type type, size_t count) override {
    if (type == Type::kL) size += 3 + count;
  }
  void EndList() override {}
  void Bytes(Type, std::string_view s) override { size += s.size(); }
  void Num(const Number& n) override { size += n.StorageSize(); }
  bool NumBytes(std::string_view enc) override {
    size_t n;
    if (!Number::StorageSizeOfOrdered(enc, &n)) return false;
    size += n;
    return true;
  }
  void Bool(bool) override { size += 1; }
  void Null() override { size += 1; }

 private:
  int maps_ = 0;  // the Ms open; the item itself is not one
};

template <class Visitor>
bool VisitWholeItem(std::string_view in, Visitor& visitor) {
  uint64_t count;
  return GetVarint64(&in, &count) && count <= in.size() && VisitEntries(&in, 0, visitor, count) && in.empty();
}

}  // namespace

bool ItemVisitor::NumBytes(std::string_view enc) {
  Number n;
  if (!Number::DecodeOrdered(&enc, &n) || !enc.empty()) return false;
  Num(n);
  return true;
}

Status VisitItem(std::string_view in, ItemVisitor& visitor) {
  if (!VisitWholeItem(in, visitor)) return Status::Internal("corrupt item encoding");
  return Status::Ok();
}

Result<size_t> StoredItemSize(std::string_view in) {
  SizeVisitor v;
  if (!VisitWholeItem(in, v)) return Status::Internal("corrupt item encoding");
  return v.size;
}

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
