// Tests for the persistent item codec (model/item_codec.h): round trips of
// every type, rejection of corrupt bytes, and the visitor that reads an
// encoding without building the item.
#include "model/item_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "model/item.h"
#include "model/limits.h"
#include "model/test_values.h"

namespace basalt::model {
namespace {

using namespace test;  // NOLINT: the tests' value helpers

std::string Encode(const Item& item) {
  std::string out;
  EncodeItem(item, &out);
  return out;
}

// An item holding every type, nested containers, sets, and edge values.
Item EveryTypeItem() {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  return Item{
      {"s", AV::S("hello \xC3\xA9")},
      {"s_empty", AV::S("")},
      {"n_int", N("42")},
      {"n_neg", N("-1.25")},
      {"n_zero", N("0")},
      {"n_big", N("9.9999999999999999999999999999999999999E125")},
      {"n_tiny", N("-1E-130")},
      {"b", AV::B(all_bytes)},
      {"b_empty", AV::B("")},
      {"bool_t", AV::Bool(true)},
      {"bool_f", AV::Bool(false)},
      {"null", AV::Null()},
      {"ss", AV::SS({"b", "a", "\xC3\xA9"})},
      {"ns", NS({"3", "-1", "0.5", "1E100"})},
      {"bs", AV::BS({std::string("\0\1", 2), "\xFF"})},
      {"l_empty", AV::L({})},
      {"m_empty", AV::M({})},
      {"l", AV::L({AV::S("x"), N("1"), AV::Null(), AV::L({AV::Bool(true), AV::M({{"k", AV::SS({"v"})}})})})},
      {"m", AV::M({{"inner", AV::M({{"deep", AV::L({NS({"1", "2"}), AV::BS({"z"})})}})},
                   {"", AV::S("empty key")},
                   {"n", N("-0.001")}})},
      {"\xF0\x9F\x98\x80 name", AV::S("unicode name")},
  };
}

TEST(ItemCodecTest, EveryTypeRoundTrips) {
  const Item item = EveryTypeItem();
  const std::string bytes = Encode(item);
  Item decoded;
  Status st = DecodeItem(bytes, &decoded);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(decoded, item);
  // Stricter than ==: set member order and byte content survive, so the
  // decoded item encodes to the very same bytes.
  EXPECT_EQ(Hex(Encode(decoded)), Hex(bytes));
  EXPECT_EQ(decoded.at("b").str(), item.at("b").str());
  EXPECT_EQ(decoded.at("ss").strs(), (std::vector<std::string>{"b", "a", "\xC3\xA9"}));
}

TEST(ItemCodecTest, EachTypeRoundTripsOnItsOwn) {
  for (const auto& [name, value] : EveryTypeItem()) {
    const Item item{{name, value}};
    Item decoded;
    Status st = DecodeItem(Encode(item), &decoded);
    ASSERT_TRUE(st.ok()) << DebugString(item) << ": " << st.message();
    EXPECT_EQ(decoded, item);
    EXPECT_EQ(decoded.at(name).type(), value.type()) << name;
  }
}

TEST(ItemCodecTest, EmptyItemRoundTrips) {
  Item decoded{{"stale", AV::Null()}};
  ASSERT_TRUE(DecodeItem(Encode(Item{}), &decoded).ok());
  EXPECT_TRUE(decoded.empty()) << DebugString(decoded);
}

TEST(ItemCodecTest, DecodingReplacesPreviousContent) {
  Item decoded{{"stale", AV::Null()}};
  ASSERT_TRUE(DecodeItem(Encode(Item{{"a", N("1")}}), &decoded).ok());
  EXPECT_EQ(decoded, (Item{{"a", N("1")}}));
}

// A one-element list holding `v`, without copying v's nested content.
AV Wrap(AV v) {
  AttributeList l;
  l.push_back(std::move(v));
  return AV::L(std::move(l));
}

TEST(ItemCodecTest, DeepNestingWithinTheDynamoDbLimitRoundTrips) {
  AV v = AV::S("leaf");
  for (int i = 0; i < kMaxNestingDepth; ++i) {
    v = (i % 2 == 0) ? Wrap(std::move(v)) : AV::M({{"m", v}});
  }
  const Item item{{"deep", v}};
  Item decoded;
  Status st = DecodeItem(Encode(item), &decoded);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(decoded, item);
}

TEST(ItemCodecTest, AbsurdNestingIsRejectedWithoutExhaustingTheStack) {
  AV v = AV::Null();
  for (int i = 0; i < 1000; ++i) v = Wrap(std::move(v));
  Item decoded;
  Status st = DecodeItem(Encode(Item{{"deep", v}}), &decoded);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kInternal);
}

TEST(ItemCodecTest, EveryTruncationOfAValidEncodingFailsCleanly) {
  const std::string bytes = Encode(EveryTypeItem());
  ASSERT_GT(bytes.size(), 300u);
  for (size_t len = 0; len < bytes.size(); ++len) {
    Item decoded;
    Status st = DecodeItem(std::string_view(bytes).substr(0, len), &decoded);
    EXPECT_FALSE(st.ok()) << "prefix of " << len << " of " << bytes.size() << " bytes decoded as "
                          << DebugString(decoded);
    EXPECT_EQ(st.code(), Code::kInternal) << len;
    EXPECT_EQ(st.message(), "corrupt item encoding") << len;
  }
}

TEST(ItemCodecTest, TrailingBytesAreRejected) {
  std::string bytes = Encode(Item{{"a", AV::S("x")}});
  bytes.push_back('\0');
  Item decoded;
  EXPECT_EQ(DecodeItem(bytes, &decoded).code(), Code::kInternal);
}

// Bytes written out one by one, so corrupt encodings read like the format.
std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// The start of an item with one attribute named "a": count 1, name length 1, 'a'.
std::string OneAttributeNamedA() { return Bytes({1, 1, 'a'}); }

void ExpectCorrupt(const std::string& bytes) {
  Item decoded;
  Status st = DecodeItem(bytes, &decoded);
  EXPECT_EQ(st.code(), Code::kInternal) << Hex(bytes) << " decoded as " << DebugString(decoded);
}

TEST(ItemCodecTest, UnknownTypeTagIsRejected) {
  // Type tags just past kM (9) and far past it.
  for (int tag : {0x0A, 0x7F, 0xFF}) ExpectCorrupt(OneAttributeNamedA() + Bytes({tag}));
}

TEST(ItemCodecTest, CountsAndLengthsBeyondTheInputAreRejected) {
  const std::string a = OneAttributeNamedA();
  ExpectCorrupt(Bytes({5}));                                                           // 5 attributes, none present
  ExpectCorrupt(Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));  // a 2^63 count
  ExpectCorrupt(std::string(11, '\xFF'));                                              // a varint that never ends
  ExpectCorrupt(Bytes({1, 0x7F, 'a'}));                                                // name of 127 bytes, 1 present
  ExpectCorrupt(a + Bytes({0x00, 5, 'a', 'b'}));                                       // S of 5 bytes, 2 present
  ExpectCorrupt(a + Bytes({0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));                      // L with a huge count
  ExpectCorrupt(a + Bytes({0x05, 3, 1, 'x'}));                                         // SS of 3, 1 present
  ExpectCorrupt(a + Bytes({0x06, 2, 1, 0x02}));                                        // NS of 2, 1 present
  ExpectCorrupt(a + Bytes({0x09, 2, 1, 'k', 0x04}));                                   // M of 2, 1 present
  ExpectCorrupt(a + Bytes({0x03}));                                                    // BOOL without its byte
}

TEST(ItemCodecTest, MalformedNumberEncodingsAreRejected) {
  // Type N (1), then the length-prefixed ordered encoding.
  const std::string n = OneAttributeNamedA() + Bytes({0x01});
  ExpectCorrupt(n + Bytes({0}));                    // empty encoding
  ExpectCorrupt(n + Bytes({1, 0x07}));              // unknown sign tag
  ExpectCorrupt(n + Bytes({2, 0x02, 0x02}));        // zero followed by garbage
  ExpectCorrupt(n + Bytes({2, 0x01, 0x82}));        // negative without its 0xFF terminator
  ExpectCorrupt(n + Bytes({3, 0x03, 0x82, 0x10}));  // positive with a leading zero digit
  ExpectCorrupt(n + Bytes({1, 0x03}));              // positive without an exponent byte
}

TEST(ItemCodecTest, CorruptingAnySingleByteNeverCrashes) {
  const std::string bytes = Encode(EveryTypeItem());
  int rejected = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char replacement : {0x00, 0x01, 0x04, 0x09, 0x0A, 0x7F, 0x80, 0xFF}) {
      std::string corrupt = bytes;
      if (static_cast<unsigned char>(corrupt[i]) == replacement) continue;
      corrupt[i] = static_cast<char>(replacement);
      Item decoded;
      Status st = DecodeItem(corrupt, &decoded);
      if (!st.ok()) {
        ++rejected;
        EXPECT_EQ(st.code(), Code::kInternal);
      }
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(ItemCodecTest, RandomBytesNeverCrash) {
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<int> len(0, 64);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(static_cast<size_t>(len(rng)), '\0');
    for (char& c : bytes) c = static_cast<char>(byte(rng));
    // Bias toward plausible structure: a small count and a short name.
    if (i % 2 == 0 && bytes.size() >= 3) {
      bytes[0] = 1;
      bytes[1] = 1;
    }
    Item decoded;
    Status st = DecodeItem(bytes, &decoded);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Code::kInternal);
    }
  }
}


// Renders the visitor's calls as text, one token per call.
class Render : public ItemVisitor {
 public:
  std::string out;
  void Name(std::string_view name) override { out += std::string(name) + "="; }
  void BeginMap(size_t count) override { out += "{" + std::to_string(count) + " "; }
  void EndMap() override { out += "} "; }
  void BeginList(Type type, size_t count) override {
    out += std::string(TypeName(type)) + "[" + std::to_string(count) + " ";
  }
  void EndList() override { out += "] "; }
  void Bytes(Type type, std::string_view s) override {
    out += std::string(TypeName(type)) + ":" + (type == Type::kS ? std::string(s) : Hex(s)) + " ";
  }
  void Num(const Number& n) override { out += "N:" + n.ToString() + " "; }
  void Bool(bool b) override { out += b ? "true " : "false "; }
  void Null() override { out += "null "; }
};

TEST(ItemVisitorTest, VisitsEveryPartInEncodingOrder) {
  const Item item{{"a", AV::S("x")},
                  {"b", AV::B(std::string("\0\xff", 2))},
                  {"l", AV::L({N("-1.5"), AV::Bool(true), AV::M({{"k", AV::Null()}})})},
                  {"m", AV::M({{"ns", NS({"2", "1E3"})}, {"ss", AV::SS({"q", "p"})}})},
                  {"z", AV::BS({"\x01"})}};
  Render r;
  ASSERT_TRUE(VisitItem(Encode(item), r).ok());
  EXPECT_EQ(r.out,
            "a=S:x b=B:00ff l=L[3 N:-1.5 true {1 k=null } ] "
            "m={2 ns=NS[2 N:2 N:1000 ] ss=SS[2 S:q S:p ] } z=BS[1 B:01 ] ");
}

TEST(ItemVisitorTest, StoredSizeIsItemSizeForEveryType) {
  const Item every = EveryTypeItem();
  EXPECT_EQ(StoredItemSize(Encode(every)).value(), ItemSize(every));
  for (const auto& [name, value] : every) {
    const Item one{{name, value}};
    EXPECT_EQ(StoredItemSize(Encode(one)).value(), ItemSize(one)) << name;
  }
  EXPECT_EQ(StoredItemSize(Encode(Item{})).value(), 0u);
}

TEST(ItemVisitorTest, CorruptBytesFailAsDecodingDoes) {
  const std::string bytes = Encode(EveryTypeItem());
  for (size_t len = 0; len < bytes.size(); ++len) {
    Render r;
    Status st = VisitItem(std::string_view(bytes).substr(0, len), r);
    EXPECT_EQ(st.code(), Code::kInternal) << len;
    EXPECT_FALSE(StoredItemSize(std::string_view(bytes).substr(0, len)).ok()) << len;
  }
  Render r;
  EXPECT_EQ(VisitItem(bytes + std::string(1, '\0'), r).code(), Code::kInternal);
  AV deep = AV::Null();
  for (int i = 0; i < 1000; ++i) deep = Wrap(std::move(deep));
  EXPECT_EQ(VisitItem(Encode(Item{{"deep", deep}}), r).code(), Code::kInternal);
}

}  // namespace
}  // namespace basalt::model
