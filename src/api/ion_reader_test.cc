#include "api/ion_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "api/ion_text.h"
#include "common/testing.h"

namespace basalt::api {
namespace {

// Each value of the stream as one line: its item (model::DebugString) or "error: <message>".
std::string Read(std::string_view text) {
  std::string out;
  Status st = ReadIonItems(text, [&](Result<model::Item> item) {
    out += item.ok() ? model::DebugString(*item) : "error: " + item.status().message();
    out += "\n";
    return Status::Ok();
  });
  if (!st.ok()) out += "stopped: " + st.message() + "\n";
  return out;
}

TEST(IonReaderTest, ReadsWhatExportsWrite) {
  model::Item item{
      {"s", model::AttributeValue::S("a \"q\" \\ \n é")},
      {"n", model::AttributeValue::N(*model::Number::Parse("-1.5e-3"))},
      {"i", model::AttributeValue::N(*model::Number::Parse("103"))},
      {"b", model::AttributeValue::B(std::string("\x00\x01\xff", 3))},
      {"t", model::AttributeValue::Bool(true)},
      {"z", model::AttributeValue::Null()},
      {"ss", model::AttributeValue::SS({"p", "q"})},
      {"ns", model::AttributeValue::NS({*model::Number::Parse("1"), *model::Number::Parse("2.5")})},
      {"bs", model::AttributeValue::BS({"x"})},
      {"l", model::AttributeValue::L({model::AttributeValue::S("e"), model::AttributeValue::N(*model::Number::Parse("3"))})},
      {"m", model::AttributeValue::M({{"field name", model::AttributeValue::S("v")}})},
  };
  std::string text = IonItemLine(item) + "\n" + IonItemLine(item);
  std::string once = model::DebugString(item) + "\n";
  EXPECT_EQ(once + once, Read(text));
}

TEST(IonReaderTest, IonTextForms) {
  EXPECT_EQ(Read("$ion_1_0 {Item:{a:1_000, b:1.5d2, c:2e0, d:-0.}}"),
            Read("{Item:{a:1000, b:150., c:2., d:0.}}"));
  EXPECT_EQ(Read("{'Item': {\"x y\": '''long ''' /* c */ '''string''', s:sym, u:\"\\u00e9\\x41\"}} // end"),
            Read("{Item:{'x y':\"long string\", s:\"sym\", u:\"\xc3\xa9" "A\"}}"));
  EXPECT_EQ(Read("{Item:{n:null.string, m:null, t:false, e:{}, l:[]}}"),
            "{e: M{}, l: L[], m: NULL, n: NULL, t: BOOLfalse}\n");
  EXPECT_EQ(Read("{Item:{h:0x1F, n:-0XfF, b:0b101, z:-0x0, big:0xFFFFFFFFFFFFFFFFFFFF}}"),
            Read("{Item:{h:31, n:-255, b:5, z:0, big:1208925819614629174706175}}"));
}

TEST(IonReaderTest, BadValuesAreCountedAndTheStreamGoesOn) {
  EXPECT_EQ(Read("{Item:{a:1}} 5 {NotItem:{}} {Item:{s:$dynamodb_SS::[]}} {Item:{s:$dynamodb_NS::[1,1.0]}} "
                 "{Item:{s:$dynamodb_SS::[\"x\",1]}} {Item:{b:2}}"),
            "{a: N1}\n"
            "error: A top-level value is not a struct\n"
            "error: The value has no Item struct\n"
            "error: An SS set may not be empty\n"
            "error: Input collection contains duplicates\n"
            "error: A member of $dynamodb_SS has another type\n"
            "{b: N2}\n");
}

TEST(IonReaderTest, ASyntaxErrorEndsTheStream) {
  EXPECT_EQ(Read("{Item:{a:1}} {Item:{a:\"open}} {Item:{a:2}}"),
            "{a: N1}\nerror: Ion text at offset 42: an unterminated string\n");
  EXPECT_EQ(Read("{Item:{a:1e999999}}"), "error: Ion text at offset 9: a number DynamoDB cannot hold: 1e999999\n");
  EXPECT_EQ(Read("{Item:{a:{{not base64!}}}}"), "error: Ion text at offset 9: a blob that is not base64\n");
  EXPECT_EQ(Read("{Item:{a:1 b:2}}"), "error: Ion text at offset 11: ',' or '}' was expected\n");
  std::string deep(100, '[');
  EXPECT_EQ(Read("{Item:{a:" + deep + "}}"), "error: Ion text at offset 72: nesting deeper than 64 levels\n");
}

}  // namespace
}  // namespace basalt::api
