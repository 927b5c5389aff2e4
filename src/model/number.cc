#include "model/number.h"

#include <algorithm>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace basalt::model {

namespace {

// DynamoDB's limits: at most 38 significant digits, and a nonzero magnitude
// in [1E-130, 1E+126), i.e. the first significant digit's power of ten is
// between -130 and 125.
constexpr size_t kMaxDigits = 38;
constexpr int kMinExponent = -130;
constexpr int kMaxExponent = 125;

// The real service's texts, as far as can be told without it: DynamoDB Local's
// jar carries them in an ErrorFactory it never uses, and dynalite, which was
// written against the real service, sends them. Local itself words two of them
// differently: "A value provided cannot be converted into a number" (without
// the text) and "DynamoDB only supports precision up to 38 digits".
constexpr const char kNotNumeric[] = "The parameter cannot be converted to a numeric value";
constexpr const char kTooPrecise[] =
    "Attempting to store more than 38 significant digits in a Number";
constexpr const char kOverflow[] =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr const char kUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";

// Ordered encoding tags: below every byte a positive number's digits can use,
// so that a positive encoding followed by another encoding stays in order.
constexpr uint8_t kNegativeTag = 0x01;
constexpr uint8_t kZeroTag = 0x02;
constexpr uint8_t kPositiveTag = 0x03;
constexpr uint8_t kNegativeTerminator = 0xFF;
constexpr size_t kMaxDigitBytes = (kMaxDigits + 1) / 2;

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Floor division: the base-100 pair holding the digit of power p is
// FloorDiv(p, 2), also for negative p (C++ division truncates toward zero).
int FloorDiv(int a, int b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// A byte holding two digit nibbles (d + 1, so 1..10), or one digit nibble
// followed by the 0 padding nibble.
bool IsDigitByte(uint8_t b) {
  const int hi = b >> 4;
  const int lo = b & 0x0F;
  return hi >= 1 && hi <= 10 && lo <= 10;
}

// How many digits digit bytes (already un-inverted) hold if they are
// canonical: 1..38 digits, no leading or trailing zero, padding only in the
// last byte; 0 if they are not.
size_t CanonicalDigitCount(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (!IsDigitByte(bytes[i])) return 0;
    if ((bytes[i] & 0x0F) == 0 && i + 1 != bytes.size()) return 0;
  }
  const int first = bytes.front() >> 4;
  const int last_lo = bytes.back() & 0x0F;
  const int last = last_lo == 0 ? bytes.back() >> 4 : last_lo;
  if (first == 1 || last == 1) return 0;  // the nibble of a '0' digit
  return 2 * bytes.size() - (last_lo == 0 ? 1 : 0);
}

// Unpacks canonical digit bytes (CanonicalDigitCount) into '0'..'9'; false
// for bytes that are not canonical.
bool UnpackDigits(std::span<const uint8_t> bytes, std::string* digits) {
  const size_t count = CanonicalDigitCount(bytes);
  if (count == 0) return false;
  digits->resize(count);
  char* d = digits->data();
  for (const uint8_t b : bytes) {
    *d++ = static_cast<char>('0' + (b >> 4) - 1);
    if ((b & 0x0F) != 0) *d++ = static_cast<char>('0' + (b & 0x0F) - 1);
  }
  return true;
}

}  // namespace

Number::Number(bool negative, std::string digits, int exponent)
    : negative_(negative), digits_(std::move(digits)), exponent_(exponent) {}

Result<Number> Number::Make(bool negative, std::string digits, int exponent) {
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Number();  // Zero has no sign: "-0" is "0".
  const size_t last = digits.find_last_not_of('0');
  digits = digits.substr(first, last - first + 1);
  exponent -= static_cast<int>(first);
  // Range before precision, as the real service does according to dynalite.
  // DynamoDB Local checks precision first, so for a number that is both out of
  // range and too precise (e.g. 1.00000000000000000000000000000000000001E126)
  // it reports precision where we report overflow.
  if (exponent > kMaxExponent) return Status::Validation(kOverflow);
  if (exponent < kMinExponent) return Status::Validation(kUnderflow);
  if (digits.size() > kMaxDigits) return Status::Validation(kTooPrecise);
  return Number(negative, std::move(digits), exponent);
}

// Grammar (DynamoDB Local, checked by hand):
//   [+-] (digits [. [digits]] | . digits) [(e|E) [+-] digits]
// so "5.", ".5", "+5", "1.e5", "007" and "1e+2" are numbers; "", " 1", "1 ",
// ".", "e5", ".e5", "1e", "1e+", "--1", "0x10", "NaN" and "Infinity" are not.
// Local parses with Java's BigDecimal, which also takes non-ASCII digits such
// as "١" (Arabic-Indic one); we accept ASCII digits only.
// BigDecimal also rejects an exponent outside int32, or one that takes the
// scale (digits after the point minus the exponent) outside int32, as not a
// number rather than as out of range: "1e2147483647" overflows but
// "1e2147483648", "0e2147483648" and "0.1e-2147483647" are "not numeric". We
// do the same. (Local then computes the magnitude in int32 and wraps: it calls
// "10e2147483647" an underflow. We call it an overflow.)
Result<Number> Number::Parse(std::string_view text) {
  // The real service sends the bare message for an empty string (dynalite does
  // the same), and appends the text otherwise.
  if (text.empty()) return Status::Validation(kNotNumeric);
  auto not_numeric = [text] {
    return Status::Validation(std::string(kNotNumeric) + ": " + std::string(text));
  };

  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }

  std::string mantissa;  // every digit before and after the point, as written
  int64_t int_digits = 0;
  int64_t frac_digits = 0;
  for (; i < text.size() && IsAsciiDigit(text[i]); ++i, ++int_digits) mantissa.push_back(text[i]);
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && IsAsciiDigit(text[i]); ++i, ++frac_digits) {
      mantissa.push_back(text[i]);
    }
  }
  if (mantissa.empty()) return not_numeric();

  int64_t exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i == text.size()) return not_numeric();
    // Saturate well above int32 so that long exponents cannot overflow int64.
    constexpr int64_t kSaturated = int64_t{1} << 40;
    for (; i < text.size() && IsAsciiDigit(text[i]); ++i) {
      exp = std::min(exp * 10 + (text[i] - '0'), kSaturated);
    }
    if (exp_negative) exp = -exp;
  }
  if (i != text.size()) return not_numeric();

  constexpr int64_t kIntMin = std::numeric_limits<int32_t>::min();
  constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();
  const int64_t scale = frac_digits - exp;
  if (exp < kIntMin || exp > kIntMax || scale < kIntMin || scale > kIntMax) return not_numeric();

  const size_t first = mantissa.find_first_not_of('0');
  if (first == std::string::npos) return Number();
  // The power of ten of the first significant digit fits in int64 but not
  // necessarily in int. Anything past +-1e6 is out of range either way, so
  // clamp it and let Make report which side.
  const int64_t power = int_digits - 1 - static_cast<int64_t>(first) + exp;
  constexpr int64_t kClamp = 1000000;
  const int clamped = static_cast<int>(std::clamp(power, -kClamp, kClamp));
  return Make(negative, mantissa.substr(first), clamped);
}

std::string Number::ToString() const {
  if (is_zero()) return "0";
  std::string out;
  if (negative_) out.push_back('-');
  const int n = static_cast<int>(digits_.size());
  if (exponent_ < 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-exponent_ - 1), '0');
    out.append(digits_);
    return out;
  }
  const int int_len = exponent_ + 1;  // digits before the point
  if (n <= int_len) {
    out.append(digits_);
    out.append(static_cast<size_t>(int_len - n), '0');
  } else {
    out.append(digits_, 0, static_cast<size_t>(int_len));
    out.push_back('.');
    out.append(digits_, static_cast<size_t>(int_len), std::string::npos);
  }
  return out;
}

int Number::Compare(const Number& other) const {
  // Sign classes: -1 negative, 0 zero, +1 positive.
  const int sa = is_zero() ? 0 : (negative_ ? -1 : 1);
  const int sb = other.is_zero() ? 0 : (other.negative_ ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  // Same sign: compare magnitudes. Without leading zeros the larger exponent
  // is the larger magnitude; with equal exponents and no trailing zeros, digit
  // strings compare lexicographically (a proper prefix is smaller: 1.2 < 1.23).
  int mag;
  if (exponent_ != other.exponent_) {
    mag = exponent_ < other.exponent_ ? -1 : 1;
  } else {
    const int c = digits_.compare(other.digits_);
    mag = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sa * mag;
}

Result<Number> Number::Add(const Number& a, const Number& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;

  // Lay both magnitudes out by power of ten, in a window from the lowest digit
  // of either to one above the highest (room for a carry). With exponents in
  // [-130, 125] and 38 digits, that is under 300 places.
  auto lowest_power = [](const Number& x) {
    return x.exponent_ - static_cast<int>(x.digits_.size()) + 1;
  };
  const int low = std::min(lowest_power(a), lowest_power(b));
  const int high = std::max(a.exponent_, b.exponent_) + 1;
  std::vector<int> place(static_cast<size_t>(high - low + 1), 0);  // place[p - low]: power p
  auto lay = [&](const Number& x, int sign) {
    for (size_t i = 0; i < x.digits_.size(); ++i) {
      place[static_cast<size_t>(x.exponent_ - static_cast<int>(i) - low)] +=
          sign * (x.digits_[i] - '0');
    }
  };

  bool negative;
  if (a.negative_ == b.negative_) {
    lay(a, 1);
    lay(b, 1);
    negative = a.negative_;
  } else {
    // Opposite signs: subtract the smaller magnitude from the larger, which
    // takes the sign of the result.
    const Number abs_a(false, a.digits_, a.exponent_);
    const Number abs_b(false, b.digits_, b.exponent_);
    const int mag = abs_a.Compare(abs_b);
    if (mag == 0) return Number();
    const Number& larger = mag > 0 ? a : b;
    const Number& smaller = mag > 0 ? b : a;
    lay(larger, 1);
    lay(smaller, -1);
    negative = larger.negative_;
  }

  // Each place is now in [-9, 18]; propagate carries and borrows upward. The
  // top place absorbs the last carry, and the result is never negative since
  // the larger magnitude went in with the plus sign.
  int carry = 0;
  for (int& v : place) {
    v += carry;
    if (v < 0) {
      v += 10;
      carry = -1;
    } else {
      carry = v / 10;
      v %= 10;
    }
  }

  std::string digits;
  digits.reserve(place.size());
  for (auto it = place.rbegin(); it != place.rend(); ++it) {
    digits.push_back(static_cast<char>('0' + *it));
  }
  return Make(negative, std::move(digits), high);
}

Result<Number> Number::Subtract(const Number& a, const Number& b) {
  if (b.is_zero()) return a;
  return Add(a, Number(!b.negative_, b.digits_, b.exponent_));
}

// DynamoDB documents a number's size as "approximately 1 byte per two
// significant digits, plus 1 byte". Exactly, it is the length of an Oracle
// NUMBER-style encoding: one exponent byte, one byte per base-100 digit
// (digit pairs aligned on the decimal point, counted from the most to the least
// significant nonzero pair), and for a negative number a terminator byte, but
// only when there are fewer than 20 base-100 digits. Zero is 1 byte.
//
// Checked against DynamoDB Local 10.3.0 (PutItem's ConsumedCapacity crossing
// from 1 to 2 WCU at 1025 bytes, with a padded string attribute and a fresh key
// each time, since a replaced item is charged the larger of old and new):
//   0, -0, -0.0 -> 1       1, 12, 10, 100, 1000, 0.5, 0.05, 0.005, 1E125, 1E-130 -> 2
//   123, 1234, 1.5, 12.5, 1.25, -1, -12, -0.05, -1E-130 -> 3       123.4500E3 -> 4
//   15, 0.15, 1.1E-129 -> 2 (one pair)      150, 0.015, 1.1E-130 -> 3 (two pairs)
//   12345678901234567890123456789012345678 (19 pairs) -> 20, its negative -> 21
//   1.2345678901234567890123456789012345678 (20 pairs) -> 21, its negative -> 21
//   -1234567890123456789012345678901234567.8 (20 pairs) -> 21
//   -9.9999999999999999999999999999999999999E125 (19 pairs) -> 21
// and 150 random numbers (1..38 digits, either sign, exponents across the range)
// all matched. Local computes it as the length of its own encoding
// (LocalDBUtils.encodeBigDecimal), which omits the negative terminator at 20
// base-100 digits as Oracle does. dynalite always adds 1 for a negative number;
// we follow Local, the only one of the two that can be measured.
size_t Number::StorageSize() const {
  if (is_zero()) return 1;
  const int lowest = exponent_ - static_cast<int>(digits_.size()) + 1;
  const size_t pairs = static_cast<size_t>(FloorDiv(exponent_, 2) - FloorDiv(lowest, 2) + 1);
  return 1 + pairs + (negative_ && pairs < 20 ? 1 : 0);
}

// Why this orders correctly under memcmp:
// - The tag orders negative < zero < positive.
// - Positive: a larger exponent means a larger magnitude (no leading zeros),
//   and e + 130 maps -130..125 onto 0..255. With equal exponents the digit
//   nibbles (d + 1, never 0) compare digit by digit, and a number that is a
//   proper prefix of another (1.2 vs 1.23) ends in a 0 nibble or, with an even
//   digit count, at the end of its encoding, both below any further digit.
// - Negative: inverting every byte reverses that order. The 0xFF terminator
//   sits above every inverted digit byte (those are at most 0xEF), so the
//   shorter prefix (-1.2, the larger number) sorts after -1.23, as it must.
// A positive encoding has no terminator: it ends at the end of the input or
// at the first byte that is not a digit byte. That keeps order and decodes
// unambiguously when it is last or followed by a byte below 0x10, such as the
// tag of another number encoding.
void Number::AppendOrderedEncoding(std::string* out) const {
  if (is_zero()) {
    out->push_back(static_cast<char>(kZeroTag));
    return;
  }
  const uint8_t flip = negative_ ? 0xFF : 0x00;
  out->push_back(static_cast<char>(negative_ ? kNegativeTag : kPositiveTag));
  out->push_back(static_cast<char>(static_cast<uint8_t>(exponent_ - kMinExponent) ^ flip));
  for (size_t i = 0; i < digits_.size(); i += 2) {
    const int hi = digits_[i] - '0' + 1;
    const int lo = i + 1 < digits_.size() ? digits_[i + 1] - '0' + 1 : 0;
    out->push_back(static_cast<char>(static_cast<uint8_t>(hi << 4 | lo) ^ flip));
  }
  if (negative_) out->push_back(static_cast<char>(kNegativeTerminator));
}

namespace {

// One ordered encoding at the front of s, its digit bytes un-inverted.
struct OrderedParts {
  bool zero = false;
  bool negative = false;
  int exponent = 0;
  uint8_t bytes[kMaxDigitBytes];
  size_t count = 0;  // digit bytes
  size_t length = 0;  // of the whole encoding
};

// The grammar of AppendOrderedEncoding; false if s does not open with one
// (the digits' canonical form is checked by the caller).
bool ScanOrdered(std::string_view s, OrderedParts* p) {
  auto byte_at = [&s](size_t i) { return static_cast<uint8_t>(s[i]); };
  if (s.empty()) return false;
  const uint8_t tag = byte_at(0);
  if (tag == kZeroTag) {
    p->zero = true;
    p->length = 1;
    return true;
  }
  if ((tag != kPositiveTag && tag != kNegativeTag) || s.size() < 2) return false;
  p->negative = tag == kNegativeTag;
  const uint8_t flip = p->negative ? 0xFF : 0x00;
  p->exponent = static_cast<int>(byte_at(1) ^ flip) + kMinExponent;
  // On the stack: a vector here cost a few allocations per number read
  // (~1,000 instructions per stored number, read for its size and again for
  // its text).
  size_t pos = 2;
  if (p->negative) {
    // Inverted digit bytes are at most 0xEF, so the first 0xFF is the end.
    while (pos < s.size() && byte_at(pos) != kNegativeTerminator) {
      if (p->count == kMaxDigitBytes) return false;
      p->bytes[p->count++] = byte_at(pos++) ^ flip;
    }
    if (pos == s.size()) return false;  // no terminator
    ++pos;
  } else {
    // Digit bytes run until a byte that cannot be one, the end of the input,
    // a byte with the padding nibble (odd digit count), or 19 bytes.
    while (pos < s.size() && p->count < kMaxDigitBytes && IsDigitByte(byte_at(pos))) {
      const uint8_t b = byte_at(pos++);
      p->bytes[p->count++] = b;
      if ((b & 0x0F) == 0) break;
    }
  }
  p->length = pos;
  return true;
}

}  // namespace

bool Number::DecodeOrdered(std::string_view* in, Number* out) {
  OrderedParts p;
  if (!ScanOrdered(*in, &p)) return false;
  if (p.zero) {
    *out = Number();
    in->remove_prefix(1);
    return true;
  }
  std::string digits;
  if (!UnpackDigits(std::span<const uint8_t>(p.bytes, p.count), &digits)) return false;
  *out = Number(p.negative, std::move(digits), p.exponent);
  in->remove_prefix(p.length);
  return true;
}

// StorageSize's arithmetic on the exponent and digit count read from the
// encoding: an item's size no longer decodes each of its numbers into
// digits (Query of 10 items: StoredItemSize 8,400 -> 6,900 instructions,
// callgrind).
bool Number::StorageSizeOfOrdered(std::string_view enc, size_t* size) {
  OrderedParts p;
  if (!ScanOrdered(enc, &p) || p.length != enc.size()) return false;
  if (p.zero) {
    *size = 1;
    return true;
  }
  const size_t digits = CanonicalDigitCount(std::span<const uint8_t>(p.bytes, p.count));
  if (digits == 0) return false;
  const int lowest = p.exponent - static_cast<int>(digits) + 1;
  const size_t pairs = static_cast<size_t>(FloorDiv(p.exponent, 2) - FloorDiv(lowest, 2) + 1);
  *size = 1 + pairs + (p.negative && pairs < 20 ? 1 : 0);
  return true;
}

}  // namespace basalt::model
