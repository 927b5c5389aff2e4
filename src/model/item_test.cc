// Tests for the item-level model: DynamoDB's size arithmetic, primary-key
// extraction and validation, the order-preserving key encoding and
// AttributeValue equality (the item codec's are in item_codec_test.cc).
#include "model/item.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/attribute_value.h"
#include "model/key_encoding.h"
#include "model/limits.h"
#include "model/number.h"
#include "model/schema.h"
#include "model/test_values.h"

namespace basalt::model {
namespace {

using namespace test;  // NOLINT: the tests' value helpers

// -1, 0 or 1 as memcmp orders a and b (a proper prefix sorts first).
int MemcmpSign(std::string_view a, std::string_view b) {
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// ---------------------------------------------------------------------------
// AttributeSize and ItemSize
// ---------------------------------------------------------------------------

TEST(ItemSizeTest, StringCountsUtf8Bytes) {
  EXPECT_EQ(AttributeSize(AV::S("")), 0u);
  EXPECT_EQ(AttributeSize(AV::S("abc")), 3u);
  EXPECT_EQ(AttributeSize(AV::S("\xC3\xA9")), 2u);          // é
  EXPECT_EQ(AttributeSize(AV::S("\xE2\x82\xAC")), 3u);      // €
  EXPECT_EQ(AttributeSize(AV::S("\xF0\x9F\x98\x80")), 4u);  // 😀
}

TEST(ItemSizeTest, BinaryCountsRawBytesIncludingZeros) {
  EXPECT_EQ(AttributeSize(AV::B("")), 0u);
  EXPECT_EQ(AttributeSize(AV::B(std::string("\0\xFF\0x\0", 5))), 5u);
}

TEST(ItemSizeTest, NumberCountsOneBytePerDigitPairPlusOneAndOneMoreIfNegative) {
  EXPECT_EQ(AttributeSize(N("0")), 1u);
  EXPECT_EQ(AttributeSize(N("1")), 2u);
  EXPECT_EQ(AttributeSize(N("12")), 2u);
  EXPECT_EQ(AttributeSize(N("123")), 3u);
  EXPECT_EQ(AttributeSize(N("-1")), 3u);
  EXPECT_EQ(AttributeSize(N("1.5")), 3u);
  EXPECT_EQ(AttributeSize(N("12345678901234567890123456789012345678")), 20u);
}

TEST(ItemSizeTest, BoolAndNullAreOneByte) {
  EXPECT_EQ(AttributeSize(AV::Bool(true)), 1u);
  EXPECT_EQ(AttributeSize(AV::Bool(false)), 1u);
  EXPECT_EQ(AttributeSize(AV::Null()), 1u);
}

TEST(ItemSizeTest, SetsAreTheSumOfTheirMembersWithoutOverhead) {
  EXPECT_EQ(AttributeSize(AV::SS({"a", "bc", "\xC3\xA9"})), 1u + 2u + 2u);
  EXPECT_EQ(AttributeSize(AV::BS({std::string("\0", 1), "xyz"})), 1u + 3u);
  EXPECT_EQ(AttributeSize(NS({"1", "123", "-1"})), 2u + 3u + 3u);
}

TEST(ItemSizeTest, ListCountsThreeBytesPlusOneBytePerElement) {
  EXPECT_EQ(AttributeSize(AV::L({})), 3u);
  EXPECT_EQ(AttributeSize(AV::L({AV::S("ab")})), 3u + 1u + 2u);
  EXPECT_EQ(AttributeSize(AV::L({AV::S("ab"), N("1"), AV::Null()})), 3u + (1u + 2u) + (1u + 2u) + (1u + 1u));
}

TEST(ItemSizeTest, MapCountsKeysAndOneByteOverheadPerElement) {
  EXPECT_EQ(AttributeSize(AV::M({})), 3u);
  EXPECT_EQ(AttributeSize(AV::M({{"ab", AV::S("xyz")}})), 3u + 1u + 2u + 3u);
  EXPECT_EQ(AttributeSize(AV::M({{"ab", AV::S("xyz")}, {"k", AV::Bool(true)}})), 3u + (1u + 2u + 3u) + (1u + 1u + 1u));
  // Map keys are counted in UTF-8 bytes too.
  EXPECT_EQ(AttributeSize(AV::M({{"\xC3\xA9", AV::Null()}})), 3u + 1u + 2u + 1u);
}

TEST(ItemSizeTest, NestedContainersAddTheirOverheadAtEveryLevel) {
  // {"l": [NULL, {}]}: the map 3 + 1 + len("l") + size of the list;
  // the list 3 + (1 + 1) + (1 + 3).
  AV v = AV::M({{"l", AV::L({AV::Null(), AV::M({})})}});
  EXPECT_EQ(AttributeSize(v), 3u + 1u + 1u + (3u + (1u + 1u) + (1u + 3u))) << DebugString(v);
}

TEST(ItemSizeTest, ItemSizeIsNameBytesPlusValueSizeWithoutPerAttributeOverhead) {
  EXPECT_EQ(ItemSize(Item{}), 0u);
  EXPECT_EQ(ItemSize(Item{{"name", AV::S("value")}}), 4u + 5u);
  EXPECT_EQ(ItemSize(Item{{"name", AV::S("value")}, {"n", N("-1")}, {"b", AV::Bool(false)}}),
            (4u + 5u) + (1u + 3u) + (1u + 1u));
}

TEST(ItemSizeTest, AttributeNamesAreCountedInUtf8Bytes) {
  EXPECT_EQ(ItemSize(Item{{"n\xC3\xA9", AV::Null()}}), 3u + 1u);
  EXPECT_EQ(ItemSize(Item{{"\xF0\x9F\x98\x80", AV::S("x")}}), 4u + 1u);
}

TEST(ItemSizeTest, ExactlyFourHundredKilobytesIsWithinTheLimitAndOneMoreByteIsNot) {
  ASSERT_EQ(kMaxItemSize, 409600u);
  // "pk" + "x" is 3 bytes, "data" is 4: the padding brings the item to the limit.
  Item item{{"pk", AV::S("x")}, {"data", AV::S(std::string(409600 - 3 - 4, 'a'))}};
  EXPECT_EQ(ItemSize(item), 409600u);
  EXPECT_LE(ItemSize(item), kMaxItemSize);

  item["data"] = AV::S(std::string(409600 - 3 - 4 + 1, 'a'));
  EXPECT_EQ(ItemSize(item), 409601u);
  EXPECT_GT(ItemSize(item), kMaxItemSize);
}

// ---------------------------------------------------------------------------
// Primary keys
// ---------------------------------------------------------------------------

constexpr char kMissingPrefix[] = "One or more parameter values were invalid: Missing the key ";
constexpr char kHashTooLarge[] =
    "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes";
constexpr char kRangeTooLarge[] =
    "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit "
    "of 1024 bytes";
constexpr char kEmptyKeyPrefix[] =
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ";
constexpr char kKeyMismatch[] = "The provided key element does not match the schema";

KeySchema HashOnly(Type type = Type::kS) { return KeySchema{KeyAttribute{"id", type}, std::nullopt}; }
KeySchema Composite(Type hash_type = Type::kS, Type range_type = Type::kN) {
  return KeySchema{KeyAttribute{"pk", hash_type}, KeyAttribute{"sk", range_type}};
}

std::string ErrorOf(const Result<PrimaryKey>& r) {
  if (r.ok()) return "ok: " + DebugString(r->hash) + (r->range ? " / " + DebugString(*r->range) : "");
  EXPECT_EQ(r.status().code(), Code::kValidation) << r.status().message();
  return r.status().message();
}

TEST(KeyFromItemTest, ExtractsHashKeyAndIgnoresOtherAttributes) {
  Item item{{"id", AV::S("u1")}, {"name", AV::S("Ann")}, {"age", N("30")}};
  Result<PrimaryKey> key = KeyFromItem(HashOnly(), item);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->hash, AV::S("u1"));
  EXPECT_FALSE(key->range.has_value());
}

TEST(KeyFromItemTest, ExtractsHashAndRangeKeys) {
  Item item{{"pk", AV::S("p")}, {"sk", N("-7.5")}, {"other", AV::Bool(true)}};
  Result<PrimaryKey> key = KeyFromItem(Composite(), item);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->hash, AV::S("p"));
  ASSERT_TRUE(key->range.has_value());
  EXPECT_EQ(*key->range, N("-7.5"));
}

TEST(KeyFromItemTest, MissingHashKeyNamesTheAttribute) {
  EXPECT_EQ(ErrorOf(KeyFromItem(HashOnly(), Item{{"other", AV::S("x")}})),
            std::string(kMissingPrefix) + "id in the item");
}

TEST(KeyFromItemTest, MissingRangeKeyNamesTheAttribute) {
  EXPECT_EQ(ErrorOf(KeyFromItem(Composite(), Item{{"pk", AV::S("p")}})),
            std::string(kMissingPrefix) + "sk in the item");
}

TEST(KeyFromItemTest, TypeMismatchNamesExpectedAndActualTypes) {
  EXPECT_EQ(ErrorOf(KeyFromItem(HashOnly(), Item{{"id", N("1")}})),
            "One or more parameter values were invalid: Type mismatch for key id expected: S actual: N");
  EXPECT_EQ(ErrorOf(KeyFromItem(Composite(), Item{{"pk", AV::S("p")}, {"sk", AV::SS({"1"})}})),
            "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: SS");
  EXPECT_EQ(ErrorOf(KeyFromItem(HashOnly(Type::kB), Item{{"id", AV::S("x")}})),
            "One or more parameter values were invalid: Type mismatch for key id expected: B actual: S");
}

TEST(KeyFromItemTest, EmptyStringKeyIsRejected) {
  EXPECT_EQ(ErrorOf(KeyFromItem(HashOnly(), Item{{"id", AV::S("")}})),
            std::string(kEmptyKeyPrefix) + "string value. Key: id");
  EXPECT_EQ(ErrorOf(KeyFromItem(Composite(Type::kS, Type::kS), Item{{"pk", AV::S("p")}, {"sk", AV::S("")}})),
            std::string(kEmptyKeyPrefix) + "string value. Key: sk");
}

TEST(KeyFromItemTest, EmptyBinaryKeyIsRejected) {
  EXPECT_EQ(ErrorOf(KeyFromItem(HashOnly(Type::kB), Item{{"id", AV::B("")}})),
            std::string(kEmptyKeyPrefix) + "binary value. Key: id");
}

TEST(KeyFromItemTest, HashKeyOf2048BytesIsAcceptedAnd2049IsRejected) {
  EXPECT_TRUE(KeyFromItem(HashOnly(), Item{{"id", AV::S(std::string(2048, 'h'))}}).ok());
  EXPECT_EQ(ErrorOf(KeyFromItem(HashOnly(), Item{{"id", AV::S(std::string(2049, 'h'))}})), kHashTooLarge);
  EXPECT_TRUE(KeyFromItem(HashOnly(Type::kB), Item{{"id", AV::B(std::string(2048, '\0'))}}).ok());
  EXPECT_EQ(ErrorOf(KeyFromItem(HashOnly(Type::kB), Item{{"id", AV::B(std::string(2049, '\0'))}})), kHashTooLarge);
}

TEST(KeyFromItemTest, HashKeySizeCountsUtf8Bytes) {
  // 1024 two-byte characters are exactly 2048 bytes; one more ASCII byte is too many.
  std::string two_byte;
  for (int i = 0; i < 1024; ++i) two_byte += "\xC3\xA9";
  EXPECT_TRUE(KeyFromItem(HashOnly(), Item{{"id", AV::S(two_byte)}}).ok());
  EXPECT_EQ(ErrorOf(KeyFromItem(HashOnly(), Item{{"id", AV::S(two_byte + "x")}})), kHashTooLarge);
}

TEST(KeyFromItemTest, RangeKeyOf1024BytesIsAcceptedAnd1025IsRejected) {
  const KeySchema schema = Composite(Type::kS, Type::kS);
  EXPECT_TRUE(KeyFromItem(schema, Item{{"pk", AV::S("p")}, {"sk", AV::S(std::string(1024, 'r'))}}).ok());
  EXPECT_EQ(ErrorOf(KeyFromItem(schema, Item{{"pk", AV::S("p")}, {"sk", AV::S(std::string(1025, 'r'))}})),
            kRangeTooLarge);
  const KeySchema binary = Composite(Type::kS, Type::kB);
  EXPECT_TRUE(KeyFromItem(binary, Item{{"pk", AV::S("p")}, {"sk", AV::B(std::string(1024, 'r'))}}).ok());
  EXPECT_EQ(ErrorOf(KeyFromItem(binary, Item{{"pk", AV::S("p")}, {"sk", AV::B(std::string(1025, 'r'))}})),
            kRangeTooLarge);
}

TEST(KeyFromItemTest, RangeKeyMayBeLargerThan1024BytesOnlyAsHashKey) {
  // A 1025-byte value is fine as the hash key of the same schema.
  const KeySchema schema = Composite(Type::kS, Type::kS);
  EXPECT_TRUE(KeyFromItem(schema, Item{{"pk", AV::S(std::string(1025, 'h'))}, {"sk", AV::S("r")}}).ok());
}

TEST(KeyFromKeyMapTest, AcceptsExactlyTheKeyAttributes) {
  Result<PrimaryKey> key = KeyFromKeyMap(Composite(), Item{{"pk", AV::S("p")}, {"sk", N("3")}});
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->hash, AV::S("p"));
  ASSERT_TRUE(key->range.has_value());
  EXPECT_EQ(*key->range, N("3"));
}

TEST(KeyFromKeyMapTest, ExtraAttributeDoesNotMatchTheSchema) {
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(HashOnly(), Item{{"id", AV::S("x")}, {"other", AV::S("y")}})), kKeyMismatch);
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(Composite(), Item{{"pk", AV::S("p")}, {"sk", N("1")}, {"x", AV::Null()}})),
            kKeyMismatch);
}

TEST(KeyFromKeyMapTest, MissingKeyAttributeDoesNotMatchTheSchema) {
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(HashOnly(), Item{})), kKeyMismatch);
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(Composite(), Item{{"pk", AV::S("p")}})), kKeyMismatch);
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(Composite(), Item{{"sk", N("1")}})), kKeyMismatch);
  // Right count, wrong name.
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(Composite(), Item{{"pk", AV::S("p")}, {"other", N("1")}})), kKeyMismatch);
}

TEST(KeyFromKeyMapTest, WrongTypeDoesNotMatchTheSchema) {
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(HashOnly(), Item{{"id", N("1")}})), kKeyMismatch);
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(Composite(), Item{{"pk", AV::S("p")}, {"sk", AV::S("1")}})), kKeyMismatch);
}

TEST(KeyFromKeyMapTest, EmptyKeyValuesAreRejected) {
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(HashOnly(), Item{{"id", AV::S("")}})),
            std::string(kEmptyKeyPrefix) + "string value. Key: id");
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(HashOnly(Type::kB), Item{{"id", AV::B("")}})),
            std::string(kEmptyKeyPrefix) + "binary value. Key: id");
}

TEST(KeyFromKeyMapTest, KeySizeLimitsApply) {
  EXPECT_TRUE(KeyFromKeyMap(HashOnly(), Item{{"id", AV::S(std::string(2048, 'h'))}}).ok());
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(HashOnly(), Item{{"id", AV::S(std::string(2049, 'h'))}})), kHashTooLarge);
  const KeySchema schema = Composite(Type::kS, Type::kS);
  EXPECT_TRUE(KeyFromKeyMap(schema, Item{{"pk", AV::S("p")}, {"sk", AV::S(std::string(1024, 'r'))}}).ok());
  EXPECT_EQ(ErrorOf(KeyFromKeyMap(schema, Item{{"pk", AV::S("p")}, {"sk", AV::S(std::string(1025, 'r'))}})),
            kRangeTooLarge);
}

TEST(KeyToItemTest, RebuildsTheKeyMap) {
  const KeySchema schema = Composite();
  Item key_map{{"pk", AV::S("p")}, {"sk", N("2")}};
  Result<PrimaryKey> key = KeyFromKeyMap(schema, key_map);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(KeyToItem(schema, *key), key_map);
}

// ---------------------------------------------------------------------------
// Key encoding
// ---------------------------------------------------------------------------

// Checks that `values`, listed in ascending DynamoDB order, have strictly
// ascending encodings under memcmp, for every pair.
void ExpectEncodingsAscend(const std::vector<AV>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < values.size(); ++j) {
      const std::string a = KeyEncoding(values[i]);
      const std::string b = KeyEncoding(values[j]);
      const int expected = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(MemcmpSign(a, b), expected)
          << DebugString(values[i]) << " [" << Hex(a) << "] vs " << DebugString(values[j]) << " [" << Hex(b) << "]";
    }
  }
}

TEST(KeyEncodingTest, StringsAreTheirBytesAndSortBytewise) {
  EXPECT_EQ(KeyEncoding(AV::S("abc")), "abc");
  // Bytewise means unsigned: UTF-8 multibyte characters sort after every ASCII one.
  ExpectEncodingsAscend({AV::S(""), AV::S(std::string("\0", 1)), AV::S("A"), AV::S("Z"), AV::S("a"), AV::S("a\x01"),
                         AV::S("aa"), AV::S("ab"), AV::S("b"), AV::S("z"), AV::S("\x7F"), AV::S("\xC3\xA9"),
                         AV::S("\xE2\x82\xAC"), AV::S("\xF0\x9F\x98\x80")});
}

TEST(KeyEncodingTest, BinariesAreTheirBytesAndSortBytewise) {
  EXPECT_EQ(KeyEncoding(AV::B(std::string("\0\xFF", 2))), std::string("\0\xFF", 2));
  ExpectEncodingsAscend({AV::B(""), AV::B(std::string("\0", 1)), AV::B(std::string("\0\0", 2)),
                         AV::B(std::string("\0\xFF", 2)), AV::B("\x01"), AV::B("\x7F"), AV::B("\x80"),
                         AV::B(std::string("\x80\x00", 2)), AV::B("\xFF"), AV::B("\xFF\xFF")});
}

TEST(KeyEncodingTest, NumbersSortNumericallyAcrossSignsAndMagnitudes) {
  const std::string largest = "9.9999999999999999999999999999999999999E125";
  const std::vector<std::string> texts = {
      "-" + largest, "-1E125", "-1000", "-123",  "-100",    "-12.5", "-12",    "-10",  "-2",   "-1.23", "-1.2",
      "-1.1",        "-1",     "-0.5",  "-0.05", "-1E-130", "0",     "1E-130", "0.05", "0.5",  "1",     "1.1",
      "1.2",         "1.23",   "2",     "10",    "12",      "12.5",  "100",    "123",  "1000", "1E125", largest,
  };
  std::vector<AV> ascending;
  for (const std::string& text : texts) ascending.push_back(N(text));
  ExpectEncodingsAscend(ascending);
}

TEST(KeyEncodingTest, NumbersThatArePrefixesOfEachOtherSortCorrectly) {
  // Digit strings 1 < 12 < 123 at the same exponent, and their negatives reversed.
  ExpectEncodingsAscend({N("-1.23"), N("-1.2"), N("-1"), N("1"), N("1.2"), N("1.23")});
  ExpectEncodingsAscend({N("-123"), N("-12"), N("-1"), N("1"), N("12"), N("123")});
  ExpectEncodingsAscend({N("-0.123"), N("-0.12"), N("-0.1"), N("0.1"), N("0.12"), N("0.123")});
}

TEST(KeyEncodingTest, EqualNumbersWrittenDifferentlyEncodeIdentically) {
  EXPECT_EQ(Hex(KeyEncoding(N("1"))), Hex(KeyEncoding(N("1.000"))));
  EXPECT_EQ(Hex(KeyEncoding(N("100"))), Hex(KeyEncoding(N("1E2"))));
  EXPECT_EQ(Hex(KeyEncoding(N("0"))), Hex(KeyEncoding(N("-0.0"))));
  EXPECT_EQ(Hex(KeyEncoding(N("-0.5"))), Hex(KeyEncoding(N("-5E-1"))));
}

TEST(KeyEncodingTest, NumberEncodingMatchesTheDocumentedLayout) {
  EXPECT_EQ(Hex(KeyEncoding(N("0"))), "02");
  // 1: e = 0 -> 130 = 0x82, digit 1 -> nibble 2, padding nibble 0.
  EXPECT_EQ(Hex(KeyEncoding(N("1"))), "038220");
  // 12: digits 1,2 -> nibbles 2,3.
  EXPECT_EQ(Hex(KeyEncoding(N("12"))), "038323");
  // -1: the positive bytes 82 20 inverted, then the FF terminator.
  EXPECT_EQ(Hex(KeyEncoding(N("-1"))), "017ddfff");
}

TEST(KeyEncodingTest, RandomNumbersSortLikeTheirEncodings) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> digit_count(1, 38);
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> exponent(-120, 80);  // keeps 38 digits below 1E126
  std::vector<Number> nums;
  for (int i = 0; i < 400; ++i) {
    std::string text = (rng() % 2) ? "-" : "";
    const int n = digit_count(rng);
    text.push_back(static_cast<char>('1' + rng() % 9));
    for (int d = 1; d < n; ++d) text.push_back(static_cast<char>('0' + digit(rng)));
    // Small exponents make many numbers share an exponent and so differ only in digits.
    text += "E" + std::to_string(i % 4 == 0 ? exponent(rng) : static_cast<int>(rng() % 3));
    nums.push_back(Num(text));
  }
  std::sort(nums.begin(), nums.end());
  for (size_t i = 1; i < nums.size(); ++i) {
    const std::string a = KeyEncoding(AV::N(nums[i - 1]));
    const std::string b = KeyEncoding(AV::N(nums[i]));
    const int expected = nums[i - 1] == nums[i] ? 0 : -1;
    EXPECT_EQ(MemcmpSign(a, b), expected) << nums[i - 1].ToString() << " vs " << nums[i].ToString();
  }
}

TEST(KeyEncodingTest, AppendKeyEncodingAppends) {
  std::string out = "prefix";
  AppendKeyEncoding(AV::S("x"), &out);
  AppendKeyEncoding(N("0"), &out);
  EXPECT_EQ(out, std::string("prefixx\x02"));
}

TEST(DecodeKeyEncodingTest, StringsAndBinariesRoundTrip) {
  for (const AV& v :
       {AV::S(""), AV::S("abc"), AV::S("\xF0\x9F\x98\x80"), AV::B(""), AV::B(std::string("\0\x01\xFF", 3))}) {
    Result<AV> decoded = DecodeKeyEncoding(v.type(), KeyEncoding(v));
    ASSERT_TRUE(decoded.ok()) << DebugString(v) << ": " << decoded.status().message();
    EXPECT_EQ(*decoded, v);
    EXPECT_EQ(decoded->type(), v.type());
    EXPECT_EQ(decoded->str(), v.str());
  }
}

TEST(DecodeKeyEncodingTest, NumbersRoundTripToTheSameCanonicalValue) {
  for (const char* text : {"0", "1", "-1", "1.23", "-1.23", "12345678901234567890123456789012345678",
                           "-12345678901234567890123456789012345678", "1E-130", "-1E-130", "1E125",
                           "-9.9999999999999999999999999999999999999E125", "0.001", "-100"}) {
    const AV v = N(text);
    Result<AV> decoded = DecodeKeyEncoding(Type::kN, KeyEncoding(v));
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.status().message();
    EXPECT_EQ(*decoded, v) << text;
    EXPECT_EQ(decoded->num().ToString(), v.num().ToString());
  }
}

TEST(DecodeKeyEncodingTest, MalformedNumbersAreRejected) {
  const std::string one = KeyEncoding(N("1"));
  const std::string minus_one = KeyEncoding(N("-1"));
  for (const std::string& bytes : {std::string(), one + "x", std::string("\x02\x02"), std::string("\x07"),
                                   minus_one.substr(0, minus_one.size() - 1), std::string("\x03")}) {
    Result<AV> decoded = DecodeKeyEncoding(Type::kN, bytes);
    EXPECT_FALSE(decoded.ok()) << Hex(bytes) << " decoded as " << DebugString(*decoded);
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), Code::kInternal);
      EXPECT_EQ(decoded.status().message(), "corrupt number key encoding");
    }
  }
}

TEST(DecodeKeyEncodingTest, NonKeyTypesAreRejected) {
  for (Type t : {Type::kBool, Type::kNull, Type::kSS, Type::kNS, Type::kBS, Type::kL, Type::kM}) {
    Result<AV> decoded = DecodeKeyEncoding(t, "x");
    EXPECT_FALSE(decoded.ok()) << TypeName(t);
    EXPECT_EQ(decoded.status().message(), "not a key type") << TypeName(t);
  }
}

// ---------------------------------------------------------------------------
// AttributeValue equality
// ---------------------------------------------------------------------------

TEST(AttributeValueEqualityTest, NumberSetsIgnoreOrderAndCompareNumerically) {
  EXPECT_EQ(NS({"1", "2"}), NS({"2.0", "1"}));
  EXPECT_EQ(NS({"100", "-0.5"}), NS({"-5E-1", "1E2"}));
  EXPECT_NE(NS({"1", "2"}), NS({"1", "3"}));
  EXPECT_NE(NS({"1", "2"}), NS({"1"}));
}

TEST(AttributeValueEqualityTest, StringAndBinarySetsIgnoreOrder) {
  EXPECT_EQ(AV::SS({"a", "b", "c"}), AV::SS({"c", "a", "b"}));
  EXPECT_EQ(AV::BS({"\x01", std::string("\0", 1)}), AV::BS({std::string("\0", 1), "\x01"}));
  EXPECT_NE(AV::SS({"a", "b"}), AV::SS({"a", "c"}));
  EXPECT_NE(AV::SS({"a", "b"}), AV::SS({"a", "b", "c"}));
  EXPECT_NE(AV::SS({"a"}), AV::BS({"a"}));
}

TEST(AttributeValueEqualityTest, NumbersCompareNumerically) {
  EXPECT_EQ(N("1"), N("1.00"));
  EXPECT_EQ(N("1E2"), N("100"));
  EXPECT_EQ(N("-0"), N("0"));
  EXPECT_NE(N("1"), N("1.000000000000000000000000000000000001"));
  EXPECT_NE(N("1"), N("-1"));
}

TEST(AttributeValueEqualityTest, ScalarsOfDifferentTypesAreNeverEqual) {
  EXPECT_NE(AV::S("1"), N("1"));
  EXPECT_NE(AV::S("a"), AV::B("a"));
  EXPECT_NE(AV::S("a"), AV::SS({"a"}));
  EXPECT_NE(AV::Bool(false), AV::Null());
  EXPECT_NE(AV::L({}), AV::M({}));
}

TEST(AttributeValueEqualityTest, ScalarsCompareByValue) {
  EXPECT_EQ(AV::S("abc"), AV::S("abc"));
  EXPECT_NE(AV::S("abc"), AV::S("abd"));
  EXPECT_EQ(AV::B(std::string("\0x", 2)), AV::B(std::string("\0x", 2)));
  EXPECT_NE(AV::B(std::string("\0x", 2)), AV::B("x"));
  EXPECT_EQ(AV::Bool(true), AV::Bool(true));
  EXPECT_NE(AV::Bool(true), AV::Bool(false));
  EXPECT_EQ(AV::Null(), AV::Null());
  EXPECT_EQ(AV(), AV::Null());
}

TEST(AttributeValueEqualityTest, ListsAreOrderedAndCompareElementsByValue) {
  EXPECT_EQ(AV::L({N("1"), AV::S("x")}), AV::L({N("1.0"), AV::S("x")}));
  EXPECT_NE(AV::L({N("1"), N("2")}), AV::L({N("2"), N("1")}));
  EXPECT_NE(AV::L({N("1")}), AV::L({N("1"), N("1")}));
  EXPECT_EQ(AV::L({NS({"1", "2"})}), AV::L({NS({"2", "1"})}));
}

TEST(AttributeValueEqualityTest, MapsCompareKeysAndValuesRecursively) {
  EXPECT_EQ(AV::M({{"a", N("1")}, {"b", AV::L({NS({"3", "4"})})}}),
            AV::M({{"b", AV::L({NS({"4", "3.0"})})}, {"a", N("1.0")}}));
  EXPECT_NE(AV::M({{"a", N("1")}}), AV::M({{"b", N("1")}}));
  EXPECT_NE(AV::M({{"a", N("1")}}), AV::M({{"a", N("1")}, {"b", N("1")}}));
  EXPECT_NE(AV::M({{"a", AV::M({{"x", AV::Null()}})}}), AV::M({{"a", AV::M({{"x", AV::Bool(false)}})}}));
}

TEST(AttributeValueDebugStringTest, RendersTypesAndValues) {
  EXPECT_EQ(DebugString(AV::S("x")), "S\"x\"");
  EXPECT_EQ(DebugString(N("1E2")), "N100");
  EXPECT_EQ(DebugString(AV::B("abc")), "B(3 bytes)");
  EXPECT_EQ(DebugString(Item{{"a", AV::L({AV::Bool(true), AV::Null()})}, {"m", AV::M({{"k", NS({"1"})}})}}),
            "{a: L[BOOLtrue, NULL], m: M{k: NS[1]}}");
}

}  // namespace
}  // namespace basalt::model
