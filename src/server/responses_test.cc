#include "server/responses.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

namespace basalt::server {
namespace {

// Request ids: 52 characters of A-Z and 0-9, each position uniform. Over
// 36,000 ids each character is expected 1,000 times at each position; a
// fair draw stays within 20% of that (the standard deviation is ~31).
TEST(NewRequestIdTest, FiftyTwoUniformCharactersOfAToZAndDigits) {
  constexpr int kIds = 36000;
  std::array<std::array<int, 36>, 52> counts{};
  std::set<std::string> seen;
  for (int i = 0; i < kIds; ++i) {
    const std::string id = NewRequestId();
    ASSERT_EQ(52u, id.size());
    for (size_t p = 0; p < id.size(); ++p) {
      const char c = id[p];
      ASSERT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) << id;
      ++counts[p][static_cast<size_t>(c >= 'A' ? c - 'A' : 26 + c - '0')];
    }
    seen.insert(id);
  }
  EXPECT_EQ(static_cast<size_t>(kIds), seen.size());
  for (size_t p = 0; p < counts.size(); ++p) {
    for (size_t c = 0; c < 36; ++c) {
      EXPECT_NEAR(1000, counts[p][c], 200) << "position " << p << " character " << c;
    }
  }
}

}  // namespace
}  // namespace basalt::server
