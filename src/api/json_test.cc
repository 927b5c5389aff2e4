// WriteStoredItem (an item's JSON written from its stored encoding) against
// WriteItem (from the typed item): the same bytes for every type, every
// nesting and every string that needs escaping; and IsUtf8 against
// RapidJSON's own UTF-8 check; NestingBound, and RapidJSON's recursive
// parser against its iterative one on broken bodies.
#include "api/json.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/writer.h>

#include <string>

#include "model/item_codec.h"
#include "model/test_values.h"

namespace basalt::api {
namespace {

using model::AttributeValue;
using model::Item;
using model::test::Hex;
using model::test::N;

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

// IsUtf8 decides whether the router skips RapidJSON's encoding check, so it
// must never accept what that check refuses (and should accept the rest).
bool RapidJsonValidates(std::string_view s) {
  rapidjson::MemoryStream is(s.data(), s.size());
  struct Sink {
    void Put(char) {}
  } os;
  while (is.Tell() < s.size()) {
    if (!rapidjson::UTF8<>::Validate(is, os)) return false;
  }
  return true;
}

TEST(IsUtf8Test, AgreesWithRapidJsonOnEverySequenceUpToThreeBytes) {
  std::string s;
  for (int a = 0; a < 256; ++a) {
    s.assign(1, static_cast<char>(a));
    ASSERT_EQ(RapidJsonValidates(s), IsUtf8(s)) << Hex(s);
    for (int b = 0; b < 256; ++b) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      ASSERT_EQ(RapidJsonValidates(s), IsUtf8(s)) << Hex(s);
      if (a < 0xE0) continue;  // a third byte changes nothing for shorter leads
      for (int c = 0; c < 256; ++c) {
        s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        ASSERT_EQ(RapidJsonValidates(s), IsUtf8(s)) << Hex(s);
      }
    }
  }
}

TEST(IsUtf8Test, AgreesWithRapidJsonOnFourByteSequencesAndWhereTheyStand) {
  const unsigned char edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xF4, 0xFF};
  int accepted = 0;
  for (int a = 0xF0; a < 0x100; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (unsigned char c : edges) {
        for (unsigned char d : edges) {
          const std::string seq{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                                static_cast<char>(d)};
          // Alone, and after ASCII runs that put it on either side of a 16-byte step.
          for (size_t before : {0, 15, 16, 17, 40}) {
            const std::string s = std::string(before, 'x') + seq + "tail";
            ASSERT_EQ(RapidJsonValidates(s), IsUtf8(s)) << Hex(s);
            accepted += IsUtf8(s);
          }
        }
      }
    }
  }
  // Second bytes F0 90-BF, F1-F3 80-BF, F4 80-8F; six of the edges are continuation bytes.
  EXPECT_EQ(5 * (48 + 3 * 64 + 16) * 6 * 6, accepted);
  EXPECT_TRUE(IsUtf8(""));
  EXPECT_TRUE(IsUtf8(std::string(100, 'a') + "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" + std::string(30, 'b')));
  EXPECT_FALSE(IsUtf8(std::string(100, 'a') + "\xe2\x82"));  // cut short at the end
}

TEST(NestingBoundTest, CountsEveryOpeningBracketAndBrace) {
  EXPECT_EQ(0u, NestingBound(""));
  EXPECT_EQ(0u, NestingBound("\"abc\": 1"));
  EXPECT_EQ(3u, NestingBound("{\"a\": [{}]}"));
  EXPECT_EQ(2u, NestingBound("\"{[\""));  // inside strings too: a bound, not the depth
  // On either side of the 16-byte steps.
  for (size_t n : {15, 16, 17, 31, 32, 33, 100}) {
    EXPECT_EQ(n, NestingBound(std::string(n, '[')));
    EXPECT_EQ(n, NestingBound(std::string(n, '{') + std::string(n, '}')));
    EXPECT_EQ(2 * n, NestingBound(std::string(n, '{') + "x" + std::string(n, '[')));
  }
}

// The router parses a body recursively when NestingBound allows and
// iteratively otherwise: the two must answer every body alike. Valid request
// bodies, each cut short at every length, and with every byte deleted or
// replaced by each of the characters that matter to the grammar.
std::string ParseOutcome(std::string_view body, bool iterative) {
  rapidjson::Document doc;
  if (iterative) {
    doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  } else {
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  }
  if (!doc.HasParseError()) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    doc.Accept(w);
    return buf.GetString();
  }
  return "error " + std::to_string(doc.GetParseError());
}

TEST(RequestParseTest, RecursiveAndIterativeParsersAgreeOnBrokenBodies) {
  const std::string bodies[] = {
      R"({"TableName":"bench","Key":{"pk":{"S":"k00000001"}}})",
      R"({"TableName":"t","Item":{"pk":{"S":"a\"b\u00e9"},"n":{"N":"-1.5e3"},"l":{"L":[{"BOOL":true},{"NULL":true},)"
      R"({"M":{"x":{"SS":["a","b"]}}}]},"e":{"L":[]},"m":{"M":{}}},"ReturnValues":"ALL_OLD"})",
      R"([1, -0.5, 2e10, "x", null, false, {"a": [[]]}])",
      "{ \"a\" : \"\xc3\xa9\" , \"b\" :\t[ 1 ,2 ] }",
  };
  const std::string replacements = "\"{}[],:\\x0 -.e\x01\xc3\x80tfn";
  int cases = 0, errors = 0;
  auto check = [&](const std::string& body) {
    const std::string recursive = ParseOutcome(body, false);
    const size_t first = body.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && std::string_view(",:]}").find(body[first]) != std::string_view::npos) {
      // The one difference: a body that opens with one of these is "Invalid
      // value." to the recursive parser and "The document is empty." to the
      // iterative one. Such a body nests deeper than the router's bound only
      // if it has 1,024 openings after that first byte.
      ASSERT_EQ("error " + std::to_string(rapidjson::kParseErrorValueInvalid), recursive) << body;
      ASSERT_EQ("error " + std::to_string(rapidjson::kParseErrorDocumentEmpty), ParseOutcome(body, true)) << body;
    } else {
      ASSERT_EQ(ParseOutcome(body, true), recursive) << body;
    }
    ++cases;
    errors += recursive.starts_with("error");
  };
  for (const std::string& body : bodies) {
    for (size_t n = 0; n <= body.size(); ++n) check(body.substr(0, n));
    for (size_t i = 0; i < body.size(); ++i) {
      check(body.substr(0, i) + body.substr(i + 1));
      for (char c : replacements) {
        std::string changed = body;
        changed[i] = c;
        check(changed);
      }
    }
  }
  EXPECT_GT(cases, 5000);
  EXPECT_GT(errors, cases / 2);  // most of them are broken
}

}  // namespace
}  // namespace basalt::api
