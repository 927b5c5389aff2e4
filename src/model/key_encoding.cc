#include "model/key_encoding.h"

namespace basalt::model {

void AppendKeyEncoding(const AttributeValue& v, std::string* out) {
  if (v.type() == Type::kN) {
    v.num().AppendOrderedEncoding(out);
  } else {
    out->append(v.str());
  }
}

std::string KeyEncoding(const AttributeValue& v) {
  std::string out;
  AppendKeyEncoding(v, &out);
  return out;
}

void AppendEscapedKeyPrefix(const AttributeValue& v, std::string* out) {
  for (char c : KeyEncoding(v)) {
    out->push_back(c);
    if (c == 0) out->push_back(static_cast<char>(0xFF));
  }
}

void AppendEscapedKeyEncoding(const AttributeValue& v, std::string* out) {
  AppendEscapedKeyPrefix(v, out);
  out->push_back(0);
  out->push_back(1);
}

Result<AttributeValue> DecodeKeyEncoding(Type type, std::string_view bytes) {
  switch (type) {
    case Type::kS: return AttributeValue::S(std::string(bytes));
    case Type::kB: return AttributeValue::B(std::string(bytes));
    case Type::kN: {
      Number n;
      if (!Number::DecodeOrdered(&bytes, &n) || !bytes.empty()) {
        return Status::Internal("corrupt number key encoding");
      }
      return AttributeValue::N(std::move(n));
    }
    default: return Status::Internal("not a key type");
  }
}

}  // namespace basalt::model
