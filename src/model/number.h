// DynamoDB's Number type: an exact decimal with up to 38 significant digits
// and a magnitude of zero or between 1E-130 and just below 1E+126.
// Never a double: arithmetic and comparison are exact.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace basalt::model {

class Number {
 public:
  // Zero.
  Number() = default;

  // Parses the text DynamoDB accepts for N: optional sign, digits with an
  // optional '.', optional exponent (e/E, optional sign, digits), leading and
  // trailing zeros allowed, surrounding whitespace not allowed. Errors carry
  // DynamoDB's ValidationException messages:
  //   "The parameter cannot be converted to a numeric value: <text>"
  //   "Attempting to store more than 38 significant digits in a Number"
  //   "Number overflow. Attempting to store a number with magnitude larger than supported range"
  //   "Number underflow. Attempting to store a number with magnitude smaller than supported range"
  static Result<Number> Parse(std::string_view text);

  // DynamoDB's canonical output: no exponent notation, no leading zeros
  // (except the single 0 before a '.'), no trailing fractional zeros, "-0" is
  // "0". Examples: "1E+2" -> "100", "0.50" -> "0.5", "-0.0" -> "0".
  std::string ToString() const;

  // Numeric comparison: negative, zero or positive as *this <, ==, > other.
  int Compare(const Number& other) const;
  bool operator==(const Number& o) const { return Compare(o) == 0; }
  bool operator<(const Number& o) const { return Compare(o) < 0; }

  bool is_zero() const { return digits_.empty(); }
  bool is_negative() const { return negative_; }

  // Exact sum and difference, with the same range and precision errors as Parse.
  static Result<Number> Add(const Number& a, const Number& b);
  static Result<Number> Subtract(const Number& a, const Number& b);

  // The size DynamoDB charges for this number in an item: one byte per two
  // significant digits (pairs aligned on the decimal point), plus one byte,
  // plus one more for a negative number.
  size_t StorageSize() const;

  // Appends an encoding whose bytewise (memcmp) order is the numeric order.
  // Layout (documented again in model/key_encoding.h):
  //   zero:      0x02
  //   positive:  0x03, exponent byte (e + 130), digits two per byte as nibbles (d + 1), 0-padded
  //   negative:  0x01, the positive form's exponent and digit bytes inverted, 0xFF
  // where e is the power of ten of the most significant digit (-130..125).
  void AppendOrderedEncoding(std::string* out) const;
  // Decodes one encoding from the front of *in and advances it; false if malformed.
  static bool DecodeOrdered(std::string_view* in, Number* out);
  // StorageSize() of the number whose whole encoding is `enc`, read without
  // decoding its digits; false where DecodeOrdered would fail or leave bytes.
  static bool StorageSizeOfOrdered(std::string_view enc, size_t* size);

  // Significant digits without leading/trailing zeros ("" for zero) and the
  // power of ten of the first of them: value = 0.d1d2d3... * 10^(exponent+1).
  const std::string& digits() const { return digits_; }
  int exponent() const { return exponent_; }

 private:
  Number(bool negative, std::string digits, int exponent);
  // Normalizes (strips zeros) and checks range and precision.
  static Result<Number> Make(bool negative, std::string digits, int exponent);

  bool negative_ = false;
  std::string digits_;   // '0'..'9', first and last non-zero; empty for zero
  int exponent_ = 0;     // power of ten of digits_[0]
};

}  // namespace basalt::model
