// WriteStoredItem (an item's JSON written from its stored encoding) against
// WriteItem (from the typed item): the same bytes for every type, every
// nesting and every string that needs escaping.
#include "api/json.h"

#include <gtest/gtest.h>

#include <string>

#include "model/item_codec.h"

namespace basalt::api {
namespace {

using model::AttributeValue;
using model::Item;

AttributeValue N(const char* text) { return AttributeValue::N(model::Number::Parse(text).value()); }

template <typename Write>
std::string Json(Write write) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();  // the item as an element, as a page writes it
  write(w);
  w.StartObject();  // and something after it
  w.EndObject();
  w.EndArray();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Typed(const Item& item) {
  return Json([&](JsonWriter& w) { WriteItem(w, item); });
}

std::string Stored(const Item& item) {
  std::string bytes;
  model::EncodeItem(item, &bytes);
  return Json([&](JsonWriter& w) { EXPECT_TRUE(WriteStoredItem(w, bytes).ok()); });
}

TEST(WriteStoredItemTest, WritesTheSameBytesAsTheTypedItem) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  const Item item{
      {"s", AttributeValue::S("plain")},
      {"escapes", AttributeValue::S("q\"b\\s/" + controls + "\x7f caf\xC3\xA9 \xF0\x9F\x98\x80")},
      {"n", N("-1.5E-3")},
      {"b", AttributeValue::B(std::string("\0\1\xff", 3))},
      {"t", AttributeValue::Bool(true)},
      {"f", AttributeValue::Bool(false)},
      {"z", AttributeValue::Null()},
      {"ss", AttributeValue::SS({"a\"", "b"})},
      {"ns", AttributeValue::NS({model::Number::Parse("1").value(), model::Number::Parse("2E10").value()})},
      {"bs", AttributeValue::BS({"x", std::string(1, '\0')})},
      {"l", AttributeValue::L({AttributeValue::L({}), AttributeValue::M({}), N("0"),
                               AttributeValue::SS({"in list"})})},
      {"m", AttributeValue::M({{"k\n", AttributeValue::M({{"deep", AttributeValue::L({AttributeValue::Null()})}})},
                               {"", AttributeValue::S("")}})},
      {"name \"quoted\"", AttributeValue::S("v")},
  };
  EXPECT_EQ(Typed(item), Stored(item));
  for (const auto& [name, value] : item) {
    const Item one{{name, value}};
    EXPECT_EQ(Typed(one), Stored(one)) << name;
  }
  EXPECT_EQ(Typed(Item{}), Stored(Item{}));
  EXPECT_EQ("[{\"s\":{\"S\":\"plain\"},\"t\":{\"BOOL\":true}},{}]",
            Stored(Item{{"s", AttributeValue::S("plain")}, {"t", AttributeValue::Bool(true)}}));
}

TEST(WriteStoredItemTest, CorruptBytesAreAnInternalError) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  EXPECT_EQ(Code::kInternal, WriteStoredItem(w, std::string("\x01\x01", 2)).code());
}

}  // namespace
}  // namespace basalt::api
