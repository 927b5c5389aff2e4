#include "common/base64.h"

#include <gtest/gtest.h>

#include "common/coding.h"

namespace basalt {

TEST(Base64Test, RoundTripsEveryLengthModuloThree) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    std::string back;
    ASSERT_TRUE(Base64Decode(Base64Encode(s), &back));
    EXPECT_EQ(s, back);
  }
  EXPECT_EQ("YWJj", Base64Encode("abc"));
  EXPECT_EQ("YQ==", Base64Encode("a"));
}

TEST(Base64Test, RejectsBadLengthCharactersAndPadding) {
  std::string out;
  EXPECT_FALSE(Base64Decode("AQ", &out));
  EXPECT_FALSE(Base64Decode("!!!!", &out));
  EXPECT_FALSE(Base64Decode("A=AA", &out));
  EXPECT_FALSE(Base64Decode("AA=A", &out));
  EXPECT_FALSE(Base64Decode("AA==AAAA", &out));
  EXPECT_TRUE(Base64Decode("AQ==", &out));
  EXPECT_EQ(std::string("\x01"), out);
}

TEST(CodingTest, VarintsRoundTripAndRejectTruncation) {
  std::string buf;
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, ~0ull}) PutVarint64(&buf, v);
  std::string_view in(buf);
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, ~0ull}) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(v, got);
  }
  std::string_view truncated("\x80");
  uint64_t got;
  EXPECT_FALSE(GetVarint64(&truncated, &got));
}

}  // namespace basalt
