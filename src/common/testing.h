// GoogleTest helpers for errors as values: EXPECT_OK(x) and ASSERT_OK(x),
// for a Status or a Result<T>, print the error's code and message when x is
// not ok; and Hex, bytes as hex so keys and encodings read in failures.
// Tests only.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace basalt::testing {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

template <typename T>
::testing::AssertionResult AssertOk(const char* expression, const T& value) {
  const Status& st = StatusOf(value);
  if (st.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expression << " is not ok: code " << static_cast<int>(st.code()) << ": "
                                       << st.message();
}

inline std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

}  // namespace basalt::testing

#define EXPECT_OK(expression) EXPECT_PRED_FORMAT1(::basalt::testing::AssertOk, expression)
#define ASSERT_OK(expression) ASSERT_PRED_FORMAT1(::basalt::testing::AssertOk, expression)
