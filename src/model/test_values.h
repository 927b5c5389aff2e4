// For the model's tests: values written as text (numbers, number sets),
// bytes shown as hex (common/testing.h), and GoogleTest printers that show values and items in
// full.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/testing.h"
#include "model/attribute_value.h"
#include "model/number.h"

namespace basalt::model {

// GoogleTest finds these by argument-dependent lookup, so every failed
// EXPECT_EQ on values or items prints them in full.
inline void PrintTo(const AttributeValue& v, std::ostream* os) { *os << DebugString(v); }
inline void PrintTo(const Item& item, std::ostream* os) { *os << DebugString(item); }

namespace test {

using AV = AttributeValue;

inline Number Num(std::string_view text) {
  Result<Number> r = Number::Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? r.value() : Number();
}

inline AV N(std::string_view text) { return AV::N(Num(text)); }

inline AV NS(std::initializer_list<std::string_view> texts) {
  std::vector<Number> nums;
  for (std::string_view t : texts) nums.push_back(Num(t));
  return AV::NS(std::move(nums));
}

using basalt::testing::Hex;

}  // namespace test
}  // namespace basalt::model
