#include "model/number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace basalt::model {
namespace {

constexpr char kNotNumeric[] = "The parameter cannot be converted to a numeric value";
constexpr char kTooPrecise[] = "Attempting to store more than 38 significant digits in a Number";
constexpr char kOverflow[] =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr char kUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";

Number N(std::string_view text) {
  Result<Number> r = Number::Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? r.value() : Number();
}

std::string Canonical(std::string_view text) { return N(text).ToString(); }

std::string ParseError(std::string_view text) {
  Result<Number> r = Number::Parse(text);
  if (r.ok()) return "parsed as " + r->ToString();
  EXPECT_EQ(r.status().code(), Code::kValidation);
  return r.status().message();
}

std::string Encode(const Number& n) {
  std::string out;
  n.AppendOrderedEncoding(&out);
  return out;
}

int Sign(int v) { return (v > 0) - (v < 0); }

int MemcmpSign(const std::string& a, const std::string& b) {
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return Sign(c);
  return Sign(static_cast<int>(a.size()) - static_cast<int>(b.size()));
}

// Plain decimal text for (sign, digits, power of ten of digits[0]), written
// independently of Number::ToString so tests can use it as a reference.
std::string Plain(bool negative, std::string digits, int exponent) {
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) return "0";
  std::string s = negative ? "-" : "";
  if (exponent < 0) return s + "0." + std::string(-exponent - 1, '0') + digits;
  if (static_cast<int>(digits.size()) <= exponent + 1) {
    return s + digits + std::string(exponent + 1 - digits.size(), '0');
  }
  return s + digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
}

// Compares two plain decimal strings ("-12.5", "0.001") by padding, without
// using Number at all.
int ReferenceCompare(const std::string& a, const std::string& b) {
  struct Parts {
    int sign;
    std::string int_part;
    std::string frac;
  };
  auto split = [](const std::string& s) {
    Parts p{1, "", ""};
    std::string body = s;
    if (body[0] == '-') {
      p.sign = -1;
      body = body.substr(1);
    }
    const size_t dot = body.find('.');
    p.int_part = body.substr(0, dot);
    p.frac = dot == std::string::npos ? "" : body.substr(dot + 1);
    p.int_part.erase(0, std::min(p.int_part.find_first_not_of('0'), p.int_part.size()));
    while (!p.frac.empty() && p.frac.back() == '0') p.frac.pop_back();
    if (p.int_part.empty() && p.frac.empty()) p.sign = 0;
    return p;
  };
  Parts x = split(a);
  Parts y = split(b);
  if (x.sign != y.sign) return x.sign < y.sign ? -1 : 1;
  if (x.sign == 0) return 0;
  int mag;
  if (x.int_part.size() != y.int_part.size()) {
    mag = x.int_part.size() < y.int_part.size() ? -1 : 1;
  } else if (x.int_part != y.int_part) {
    mag = Sign(x.int_part.compare(y.int_part));
  } else {
    const size_t len = std::max(x.frac.size(), y.frac.size());
    x.frac.resize(len, '0');
    y.frac.resize(len, '0');
    mag = Sign(x.frac.compare(y.frac));
  }
  return x.sign * mag;
}

// A random valid number as written text plus its plain reference form:
// random sign, 1..38 digits, first-digit exponent anywhere in [-130, 125].
struct RandomDecimal {
  std::string text;
  std::string plain;
};

RandomDecimal MakeRandomDecimal(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> nonzero(1, 9);
  const bool negative = rng() & 1;
  const int count = std::uniform_int_distribution<int>(1, 38)(rng);
  const int exponent = std::uniform_int_distribution<int>(-130, 125)(rng);
  std::string digits(1, static_cast<char>('0' + nonzero(rng)));
  for (int i = 1; i < count; ++i) digits.push_back(static_cast<char>('0' + digit(rng)));
  std::string text = negative ? "-" : "";
  text += digits.substr(0, 1) + "." + digits.substr(1) + "E" + std::to_string(exponent);
  return {text, Plain(negative, digits, exponent)};
}

// ---------------------------------------------------------------------------
// Parsing

TEST(NumberTest, ParseAcceptsEveryFormDynamoDbAccepts) {
  // Each pair was checked against DynamoDB Local (PutItem, then GetItem).
  const std::pair<const char*, const char*> cases[] = {
      {"0", "0"},      {"-0", "0"},         {"+0", "0"},
      {"-.0", "0"},    {"-0e5", "0"},       {"0.0", "0"},
      {"00000", "0"},  {"0E-200", "0"},     {"00.00e99999", "0"},
      {".5", "0.5"},   {"+.5", "0.5"},      {"-.5", "-0.5"},
      {"5.", "5"},     {"-5.", "-5"},       {"+5", "5"},
      {"1e+2", "100"}, {"1E2", "100"},      {"1e-2", "0.01"},
      {"1e+0", "1"},   {"1e-0", "1"},       {"5.e3", "5000"},
      {".5e3", "500"}, {"1.e5", "100000"},  {"007", "7"},
      {"0e0", "0"},    {"-00.000e-5", "0"}, {"1e0000000000000000000002", "100"},
  };
  for (const auto& [text, canonical] : cases) EXPECT_EQ(Canonical(text), canonical) << text;
}

TEST(NumberTest, ParseRejectsTextThatIsNotANumberAndEchoesIt) {
  const char* cases[] = {
      "abc",      " 1",    "1 ",    "\t1",   "1\n",   "1e", "1e+", "1E-", "--1",      "++1",
      "+-1",      "0x10",  "0x",    "1_000", "1,000", ".",  "-",   "+",   "e5",       ".e5",
      "1.2.3",    "1e2e3", "1e++2", "1e2.5", "1d",    "1f", "1L",  "NaN", "Infinity", "-Infinity",
      "\xd9\xa1",  // Arabic-Indic one: Local (Java BigDecimal) takes it; we take ASCII only.
  };
  for (const char* text : cases) {
    EXPECT_EQ(ParseError(text), std::string(kNotNumeric) + ": " + text) << text;
  }
  // A NUL inside the text is not a digit either.
  const std::string with_nul("1\0", 2);
  EXPECT_EQ(ParseError(with_nul), std::string(kNotNumeric) + ": " + with_nul);
}

TEST(NumberTest, EmptyTextIsRejectedWithoutEchoingIt) { EXPECT_EQ(ParseError(""), kNotNumeric); }

TEST(NumberTest, ExponentsBeyondJavaIntAreNotNumbersButLargeOnesAreOutOfRange) {
  // The exponent must fit in int32, and so must (digits after the point - exponent).
  EXPECT_EQ(ParseError("1e2147483647"), kOverflow);
  EXPECT_EQ(ParseError("1e-2147483647"), kUnderflow);
  EXPECT_EQ(ParseError("0.1e2147483647"), kOverflow);
  // Local reports "underflow" for this one because it wraps around in int32.
  EXPECT_EQ(ParseError("10e2147483647"), kOverflow);
  for (const char* text : {"1e2147483648", "1e-2147483648", "1e-2147483649", "0e2147483648",
                           "0e-2147483648", "0.1e-2147483647", "1e99999999999", "1e-99999999999",
                           "0e99999999999", "1e123456789012345678901234567890"}) {
    EXPECT_EQ(ParseError(text), std::string(kNotNumeric) + ": " + text) << text;
  }
}

TEST(NumberTest, ThirtyEightSignificantDigitsAreAllowedAndThirtyNineAreNot) {
  EXPECT_EQ(Canonical("12345678901234567890123456789012345678"),
            "12345678901234567890123456789012345678");
  EXPECT_EQ(ParseError("123456789012345678901234567890123456789"), kTooPrecise);
  EXPECT_EQ(ParseError("1.23456789012345678901234567890123456789"), kTooPrecise);
  EXPECT_EQ(ParseError("-0.000123456789012345678901234567890123456789"), kTooPrecise);
}

TEST(NumberTest, LeadingAndTrailingZerosAreNotSignificant) {
  EXPECT_EQ(Canonical("1" + std::string(100, '0')), "1" + std::string(100, '0'));
  EXPECT_EQ(N("1" + std::string(100, '0')).digits(), "1");
  EXPECT_EQ(Canonical("1234567890123456789012345678901234567800000"),
            "1234567890123456789012345678901234567800000");
  EXPECT_EQ(Canonical("0.000012345678901234567890123456789012345678"),
            "0.000012345678901234567890123456789012345678");
  EXPECT_EQ(Canonical("000012345678901234567890123456789012345678.000000"),
            "12345678901234567890123456789012345678");
}

TEST(NumberTest, MagnitudesFrom1EMinus130ToJustBelow1E126AreInRange) {
  const std::string max38 = "9.9999999999999999999999999999999999999E125";
  EXPECT_EQ(Canonical(max38), std::string(126, '9').replace(38, 88, std::string(88, '0')));
  EXPECT_EQ(Canonical("-" + max38), "-" + Canonical(max38));
  EXPECT_EQ(ParseError("1E126"), kOverflow);
  EXPECT_EQ(ParseError("-1E126"), kOverflow);
  EXPECT_EQ(ParseError("1" + std::string(126, '0')), kOverflow);
  EXPECT_EQ(Canonical("1E-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canonical("1.2345678901234567890123456789012345678E-130"),
            "0." + std::string(129, '0') + "12345678901234567890123456789012345678");
  EXPECT_EQ(ParseError("1E-131"), kUnderflow);
  EXPECT_EQ(ParseError("-1E-131"), kUnderflow);
  EXPECT_EQ(ParseError("0.99E-130"), kUnderflow);
  EXPECT_EQ(ParseError("0." + std::string(200, '0') + "1"), kUnderflow);
}

TEST(NumberTest, RangeIsCheckedBeforePrecision) {
  // Follows the real service as dynalite models it; DynamoDB Local reports
  // precision for both of these.
  EXPECT_EQ(ParseError("1.00000000000000000000000000000000000001E126"), kOverflow);
  EXPECT_EQ(ParseError("1.00000000000000000000000000000000000001E-131"), kUnderflow);
}

TEST(NumberTest, NegativeZeroIsPlainZero) {
  for (const char* text : {"-0", "-0.0", "-0e10", "-.000"}) {
    Number n = N(text);
    EXPECT_TRUE(n.is_zero()) << text;
    EXPECT_FALSE(n.is_negative()) << text;
    EXPECT_EQ(n, Number());
  }
}

// ---------------------------------------------------------------------------
// Canonical form

TEST(NumberTest, TrailingZerosAreDroppedInCanonicalForm) {
  EXPECT_EQ(Canonical("0.50"), "0.5");
  EXPECT_EQ(Canonical("1.2300"), "1.23");
  EXPECT_EQ(Canonical("10.0"), "10");
  EXPECT_EQ(Canonical("-7.000e0"), "-7");
}

TEST(NumberTest, CanonicalFormNeverUsesExponentNotation) {
  EXPECT_EQ(Canonical("1E+2"), "100");
  EXPECT_EQ(Canonical("-0.0"), "0");
  EXPECT_EQ(Canonical("123.4500E3"), "123450");
  EXPECT_EQ(Canonical("1.5E1"), "15");
  EXPECT_EQ(Canonical("1.55E1"), "15.5");
  EXPECT_EQ(Canonical("-12.34E-5"), "-0.0001234");
  EXPECT_EQ(Canonical("1E+125"), "1" + std::string(125, '0'));
  EXPECT_EQ(Canonical("1E-130"), "0." + std::string(129, '0') + "1");
}

TEST(NumberTest, DigitsAndExponentDescribeTheValue) {
  Number n = N("-00123.4500");
  EXPECT_EQ(n.digits(), "12345");
  EXPECT_EQ(n.exponent(), 2);
  EXPECT_TRUE(n.is_negative());
  EXPECT_EQ(N("0.05").exponent(), -2);
  EXPECT_EQ(N("0").digits(), "");
}

TEST(NumberTest, CanonicalFormParsesBackToTheSameNumber) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    RandomDecimal r = MakeRandomDecimal(rng);
    Number n = N(r.text);
    ASSERT_EQ(n.ToString(), r.plain) << r.text;
    Number back = N(n.ToString());
    ASSERT_EQ(back.digits(), n.digits());
    ASSERT_EQ(back.exponent(), n.exponent());
    ASSERT_EQ(back.is_negative(), n.is_negative());
  }
}

// ---------------------------------------------------------------------------
// Comparison

TEST(NumberTest, CompareOrdersNumbersNumerically) {
  const char* ascending[] = {
      "-9.9999999999999999999999999999999999999E125",
      "-1E125",
      "-100",
      "-12.3",
      "-1.23",
      "-1.2",
      "-1",
      "-0.5",
      "-1E-130",
      "0",
      "1E-130",
      "0.05",
      "0.5",
      "1",
      "1.2",
      "1.23",
      "1.3",
      "9",
      "10",
      "12.3",
      "100",
      "1E125",
      "9.9999999999999999999999999999999999999E125",
  };
  const size_t count = std::size(ascending);
  for (size_t i = 0; i < count; ++i) {
    for (size_t j = 0; j < count; ++j) {
      const int expected = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Sign(N(ascending[i]).Compare(N(ascending[j]))), expected)
          << ascending[i] << " vs " << ascending[j];
    }
  }
}

TEST(NumberTest, EqualValuesWrittenDifferentlyCompareEqual) {
  EXPECT_EQ(N("100"), N("1E2"));
  EXPECT_EQ(N("0.5"), N(".50"));
  EXPECT_EQ(N("-0"), N("0.000"));
  EXPECT_EQ(N("123.4500E3"), N("123450"));
  EXPECT_FALSE(N("1") < N("1.0"));
  EXPECT_TRUE(N("-2") < N("-1.99"));
}

TEST(NumberTest, CompareAgreesWithAReferenceOnRandomNumbers) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    RandomDecimal a = MakeRandomDecimal(rng);
    RandomDecimal b = MakeRandomDecimal(rng);
    if (i % 4 == 0) b.text = a.text;  // equal values are interesting too
    if (i % 4 == 0) b.plain = a.plain;
    ASSERT_EQ(Sign(N(a.text).Compare(N(b.text))), ReferenceCompare(a.plain, b.plain))
        << a.text << " vs " << b.text;
  }
}

// ---------------------------------------------------------------------------
// Arithmetic

Number Sum(std::string_view a, std::string_view b) {
  Result<Number> r = Number::Add(N(a), N(b));
  EXPECT_TRUE(r.ok()) << a << " + " << b << ": " << r.status().message();
  return r.ok() ? r.value() : Number();
}

Number Difference(std::string_view a, std::string_view b) {
  Result<Number> r = Number::Subtract(N(a), N(b));
  EXPECT_TRUE(r.ok()) << a << " - " << b << ": " << r.status().message();
  return r.ok() ? r.value() : Number();
}

std::string AddError(std::string_view a, std::string_view b) {
  Result<Number> r = Number::Add(N(a), N(b));
  return r.ok() ? "ok: " + r->ToString() : r.status().message();
}

std::string SubtractError(std::string_view a, std::string_view b) {
  Result<Number> r = Number::Subtract(N(a), N(b));
  return r.ok() ? "ok: " + r->ToString() : r.status().message();
}

TEST(NumberTest, AddAndSubtractAreExact) {
  EXPECT_EQ(Sum("1", "2").ToString(), "3");
  EXPECT_EQ(Difference("1", "0.1").ToString(), "0.9");
  EXPECT_EQ(Sum("0.1", "0.2").ToString(), "0.3");
  EXPECT_EQ(Sum("-1.5", "0.25").ToString(), "-1.25");
  EXPECT_EQ(Difference("-1.5", "-0.25").ToString(), "-1.25");
  EXPECT_EQ(Difference("0.25", "1.5").ToString(), "-1.25");
  EXPECT_EQ(Sum("1E100", "1E100").ToString(), "2" + std::string(100, '0'));
  EXPECT_EQ(Sum("0", "-7").ToString(), "-7");
  EXPECT_EQ(Difference("0", "7").ToString(), "-7");
  EXPECT_EQ(Difference("7", "0").ToString(), "7");
}

TEST(NumberTest, CarryPropagatesAcrossManyDigits) {
  const std::string nines(38, '9');
  EXPECT_EQ(Sum(nines, "1").ToString(), "1" + std::string(38, '0'));
  EXPECT_EQ(Sum("12345678901234567890123456789012345678", "1").ToString(),
            "12345678901234567890123456789012345679");
  EXPECT_EQ(Sum("0." + nines, "0." + std::string(37, '0') + "1").ToString(), "1");
  EXPECT_EQ(Difference("1" + std::string(38, '0'), "1").ToString(), nines);
  EXPECT_EQ(Sum("-" + nines, "-1").ToString(), "-1" + std::string(38, '0'));
}

TEST(NumberTest, CancellationGivesPlainZero) {
  for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
           {"5", "5"}, {"1E-130", "1E-130"}, {"-0.5", "-0.5"}, {"1E125", "1E125"}}) {
    Number d = Difference(a, b);
    EXPECT_TRUE(d.is_zero()) << a << " - " << b;
    EXPECT_FALSE(d.is_negative());
    EXPECT_EQ(d.ToString(), "0");  // DynamoDB Local keeps the scale: "0.0" for 0.5 + -0.5.
  }
  EXPECT_TRUE(Sum("0.5", "-0.5").is_zero());
  const std::string digits = "12345678901234567890123456789012345678";
  EXPECT_TRUE(Sum("-" + digits, digits).is_zero());
}

TEST(NumberTest, ResultsBeyondThirtyEightDigitsAreErrorsNotRounded) {
  // Messages checked against UpdateItem "SET n = n + :x" and "ADD n :x" in
  // DynamoDB Local, which uses the same texts as for a stored value.
  EXPECT_EQ(AddError(std::string(38, '9'), "2"), kTooPrecise);
  EXPECT_EQ(AddError("1E20", "1E-20"), kTooPrecise);
  EXPECT_EQ(AddError("12345678901234567890123456789012345678", "0.1"), kTooPrecise);
  EXPECT_EQ(SubtractError("1E38", "1E-1"), kTooPrecise);  // 38 nines, then .9
  EXPECT_EQ(SubtractError("1E37", "1E-1"), "ok: " + std::string(37, '9') + ".9");
}

TEST(NumberTest, ResultsOutOfRangeAreErrors) {
  EXPECT_EQ(AddError("9E125", "9E125"), kOverflow);
  EXPECT_EQ(SubtractError("-9E125", "9E125"), kOverflow);
  // The exact sum has 39 digits and is too large: range is reported first.
  EXPECT_EQ(AddError("9.9999999999999999999999999999999999999E125", "1E125"), kOverflow);
  EXPECT_EQ(SubtractError("1.1E-130", "1E-130"), kUnderflow);
  EXPECT_EQ(SubtractError("2E-130", "1.5E-130"), kUnderflow);
  EXPECT_EQ(SubtractError("1E-130", "2E-130"), "ok: -0." + std::string(129, '0') + "1");
}

TEST(NumberTest, AddAndSubtractMatchIntegerArithmeticOnRandomOperands) {
  // Operands x * 10^s and y * 10^s with |x|, |y| < 10^18: the exact result
  // (x +- y) * 10^s comes from int64 arithmetic, which cannot overflow here.
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> mantissa(-999999999999999999, 999999999999999999);
  std::uniform_int_distribution<int> scale(-40, 40);
  for (int i = 0; i < 20000; ++i) {
    const int64_t x = mantissa(rng) >> (rng() % 60);  // vary the digit count
    const int64_t y = i % 10 == 0 ? -x : mantissa(rng) >> (rng() % 60);
    const std::string e = "E" + std::to_string(scale(rng));
    const Number a = N(std::to_string(x) + e);
    const Number b = N(std::to_string(y) + e);
    const Number sum = N(std::to_string(x + y) + e);
    const Number difference = N(std::to_string(x - y) + e);
    Result<Number> got_sum = Number::Add(a, b);
    Result<Number> got_difference = Number::Subtract(a, b);
    ASSERT_TRUE(got_sum.ok() && got_difference.ok()) << x << e << ", " << y << e;
    ASSERT_EQ(got_sum->ToString(), sum.ToString()) << x << e << " + " << y << e;
    ASSERT_EQ(got_difference->ToString(), difference.ToString()) << x << e << " - " << y << e;
    ASSERT_EQ(Number::Add(b, a)->ToString(), sum.ToString());
  }
}

TEST(NumberTest, AddingThenSubtractingGivesBackTheOperandOnRandomNumbers) {
  std::mt19937_64 rng(5);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    const Number a = N(MakeRandomDecimal(rng).text);
    const Number b = N(MakeRandomDecimal(rng).text);
    Result<Number> sum = Number::Add(a, b);
    if (!sum.ok()) continue;  // mostly more than 38 digits apart
    Result<Number> back = Number::Subtract(*sum, b);
    ASSERT_TRUE(back.ok()) << a.ToString() << " " << b.ToString();
    ASSERT_EQ(back->ToString(), a.ToString());
    ASSERT_EQ(Sign(sum->Compare(a)), Sign(b.Compare(Number())));
    ++checked;
  }
  EXPECT_GT(checked, 1000);
}

// ---------------------------------------------------------------------------
// Storage size

TEST(NumberTest, StorageSizeMatchesDynamoDbLocalConsumedCapacity) {
  // Every value here was measured with DynamoDB Local (see number.cc).
  const std::pair<const char*, size_t> cases[] = {
      {"0", 1},
      {"-0.0", 1},
      {"1", 2},
      {"12", 2},
      {"10", 2},
      {"100", 2},
      {"1000", 2},
      {"0.5", 2},
      {"0.05", 2},
      {"0.005", 2},
      {"1E125", 2},
      {"1E-130", 2},
      {"123", 3},
      {"1234", 3},
      {"1.5", 3},
      {"12.5", 3},
      {"1.25", 3},
      {"-1", 3},
      {"-12", 3},
      {"-0.05", 3},
      {"-1E-130", 3},
      {"123.4500E3", 4},
      {"12345678901234567890123456789012345678", 20},
      {"-12345678901234567890123456789012345678", 21},
      {"1234567890123456789012345678901234567", 20},
      {"-1234567890123456789012345678901234567", 21},
      {"0.000012345678901234567890123456789012345678", 20},
      {"-0.000012345678901234567890123456789012345678", 21},
      {"-123456789012345678901234567890123456.7", 21},
      {"-9.9999999999999999999999999999999999999E125", 21},
      // 20 base-100 digits: a negative number gets no terminator byte.
      {"1.2345678901234567890123456789012345678", 21},
      {"-1.2345678901234567890123456789012345678", 21},
      {"-1234567890123456789012345678901234567.8", 21},
  };
  for (const auto& [text, size] : cases) EXPECT_EQ(N(text).StorageSize(), size) << text;
}

TEST(NumberTest, StorageSizeCountsDigitPairsAlignedOnTheDecimalPoint) {
  // "1.5" is 01|.50: two pairs; "15" is one pair; "150" is 01|50: two pairs.
  EXPECT_EQ(N("15").StorageSize(), 2);
  EXPECT_EQ(N("150").StorageSize(), 3);
  EXPECT_EQ(N("1.5").StorageSize(), 3);
  EXPECT_EQ(N("0.15").StorageSize(), 2);
  EXPECT_EQ(N("0.015").StorageSize(), 3);
  EXPECT_EQ(N("1E-129").StorageSize(), 2);
  EXPECT_EQ(N("1.1E-129").StorageSize(), 2);  // one pair: 10^-129 and 10^-130
  EXPECT_EQ(N("1.1E-130").StorageSize(), 3);
}

// ---------------------------------------------------------------------------
// Ordered encoding

TEST(NumberTest, EncodingFollowsTheDocumentedLayout) {
  EXPECT_EQ(Encode(Number()), std::string("\x02", 1));
  // 1: exponent 0 -> 130 = 0x82; digit 1 -> nibble 2, padded.
  EXPECT_EQ(Encode(N("1")), std::string("\x03\x82\x20", 3));
  // 1.23: nibbles 2,3 | 4,0.
  EXPECT_EQ(Encode(N("1.23")), std::string("\x03\x82\x23\x40", 4));
  // 12: nibbles 2,3, no padding; exponent 1 -> 0x83.
  EXPECT_EQ(Encode(N("12")), std::string("\x03\x83\x23", 3));
  // -1: inverted exponent and digits, then 0xFF.
  EXPECT_EQ(Encode(N("-1")), std::string("\x01\x7d\xdf\xff", 4));
  EXPECT_EQ(Encode(N("1E-130")), std::string("\x03\x00\x20", 3));
  EXPECT_EQ(Encode(N("9E125")), std::string("\x03\xff\xa0", 3));
  EXPECT_EQ(Encode(N("-1E-130")), std::string("\x01\xff\xdf\xff", 4));
}

TEST(NumberTest, EncodingRoundTripsAndConsumesExactlyItsBytes) {
  std::mt19937_64 rng(13);
  std::vector<Number> numbers = {Number(),
                                 N("1"),
                                 N("-1"),
                                 N("1E-130"),
                                 N("-1E-130"),
                                 N("9.9999999999999999999999999999999999999E125"),
                                 N("-9.9999999999999999999999999999999999999E125")};
  for (int i = 0; i < 20000; ++i) numbers.push_back(N(MakeRandomDecimal(rng).text));
  std::string all;
  for (const Number& n : numbers) {
    const std::string enc = Encode(n);
    std::string_view in = enc;
    Number decoded;
    ASSERT_TRUE(Number::DecodeOrdered(&in, &decoded)) << n.ToString();
    ASSERT_TRUE(in.empty()) << n.ToString();
    ASSERT_EQ(decoded.ToString(), n.ToString());
    ASSERT_EQ(decoded.digits(), n.digits());
    ASSERT_EQ(decoded.exponent(), n.exponent());
    ASSERT_EQ(decoded.is_negative(), n.is_negative());
    all += enc;
  }
  // Back to back, each encoding ends where the next one's tag begins.
  std::string_view in = all;
  for (const Number& n : numbers) {
    Number decoded;
    ASSERT_TRUE(Number::DecodeOrdered(&in, &decoded));
    ASSERT_EQ(decoded.ToString(), n.ToString());
  }
  EXPECT_TRUE(in.empty());
}

TEST(NumberTest, MalformedEncodingsAreRejected) {
  const std::string cases[] = {
      std::string(""),
      std::string("\x00", 1),                  // unknown tag
      std::string("\x04\x82\x20", 3),          // unknown tag
      std::string("\x03", 1),                  // no exponent
      std::string("\x03\x82", 2),              // no digits
      std::string("\x03\x82\x10", 3),          // leading zero digit
      std::string("\x03\x82\x21", 3),          // trailing zero digit
      std::string("\x03\x82\xb0", 3),          // nibble 11 is not a digit
      std::string("\x01\x7d\xdf", 3),          // negative without terminator
      std::string("\x01\x7d\xff", 3),          // negative without digits
      std::string("\x01\x7d\xdf\xdf\xff", 5),  // padding before the last digit byte
      std::string("\x01\x7d\x4f\xff", 4),      // inverted nibble 11
  };
  for (const std::string& enc : cases) {
    std::string_view in = enc;
    Number n;
    EXPECT_FALSE(Number::DecodeOrdered(&in, &n)) << testing::PrintToString(enc);
    EXPECT_EQ(in.size(), enc.size());  // nothing consumed on failure
  }
  // More than 19 digit bytes (38 digits).
  std::string too_long = "\x01\x7d";
  too_long += std::string(20, '\xdd');
  too_long += '\xff';
  std::string_view in = too_long;
  Number n;
  EXPECT_FALSE(Number::DecodeOrdered(&in, &n));
}

// The size read from an encoding is the decoded number's, and an encoding
// is refused by one exactly where it is by the other: every random number,
// each with a byte changed, cut short or extended, and random bytes.
TEST(NumberTest, StorageSizeOfAnEncodingAgreesWithDecodingIt) {
  std::mt19937_64 rng(17);
  auto decoded_size = [](std::string_view enc, size_t* size) {
    Number n;
    if (!Number::DecodeOrdered(&enc, &n) || !enc.empty()) return false;
    *size = n.StorageSize();
    return true;
  };
  size_t valid = 0, refused = 0;
  auto check = [&](const std::string& enc) {
    size_t a = 0, b = 0;
    const bool decoded = decoded_size(enc, &a);
    ASSERT_EQ(decoded, Number::StorageSizeOfOrdered(enc, &b)) << testing::PrintToString(enc);
    if (decoded) {
      ASSERT_EQ(a, b) << testing::PrintToString(enc);
      ++valid;
    } else {
      ++refused;
    }
  };
  std::vector<std::string> encodings = {Encode(Number()), Encode(N("1")), Encode(N("-1")), Encode(N("1E-130")),
                                        Encode(N("-9.9999999999999999999999999999999999999E125"))};
  for (int i = 0; i < 20000; ++i) encodings.push_back(Encode(N(MakeRandomDecimal(rng).text)));
  for (const std::string& enc : encodings) {
    check(enc);
    std::string changed = enc;
    changed[rng() % changed.size()] = static_cast<char>(rng());
    check(changed);
    check(enc.substr(0, enc.size() - 1));
    check(enc + static_cast<char>(rng()));
    std::string random(1 + rng() % 24, '\0');
    for (char& c : random) c = static_cast<char>(rng() % 4 == 0 ? rng() % 4 : rng());
    check(random);
  }
  EXPECT_GT(valid, 20000u);
  EXPECT_GT(refused, 20000u);
}

TEST(NumberTest, PositiveEncodingStopsAtTheFirstByteThatIsNotADigitByte) {
  std::string enc = Encode(N("12"));  // even digit count: no padding nibble
  enc += '\x02';
  std::string_view in = enc;
  Number n;
  ASSERT_TRUE(Number::DecodeOrdered(&in, &n));
  EXPECT_EQ(n.ToString(), "12");
  EXPECT_EQ(in, std::string_view("\x02", 1));
}

TEST(NumberTest, EncodingOrderIsNumericOrderOverManyRandomDecimals) {
  std::mt19937_64 rng(42);
  std::vector<Number> numbers = {Number(), Number()};
  while (numbers.size() < 100000) {
    RandomDecimal r = MakeRandomDecimal(rng);
    Number n = N(r.text);
    numbers.push_back(n);
    // Prefixes of the same digits (1.2 vs 1.23), with both signs, and the
    // same digits at a neighbouring exponent.
    if (rng() % 8 == 0 && n.digits().size() > 1) {
      const std::string& d = n.digits();
      const size_t cut = 1 + rng() % (d.size() - 1);
      const std::string stem =
          d.substr(0, 1) + "." + d.substr(1, cut - 1) + "E" + std::to_string(n.exponent());
      numbers.push_back(N(stem));
      numbers.push_back(N("-" + stem));
      numbers.push_back(Number::Subtract(Number(), n).value());
      if (n.exponent() < 125) {
        numbers.push_back(
            N(d.substr(0, 1) + "." + d.substr(1) + "E" + std::to_string(n.exponent() + 1)));
      }
    }
  }
  std::sort(numbers.begin(), numbers.end());
  std::vector<std::string> encodings;
  encodings.reserve(numbers.size());
  for (const Number& n : numbers) encodings.push_back(Encode(n));
  // Sorted numerically, consecutive encodings must be in memcmp order (equal
  // exactly when the numbers are equal); by transitivity the two orders agree
  // on every pair.
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    const int numeric = Sign(numbers[i].Compare(numbers[i + 1]));
    ASSERT_LE(numeric, 0);
    ASSERT_EQ(MemcmpSign(encodings[i], encodings[i + 1]), numeric)
        << numbers[i].ToString() << " vs " << numbers[i + 1].ToString();
    ASSERT_EQ(ReferenceCompare(numbers[i].ToString(), numbers[i + 1].ToString()), numeric);
  }
  // And directly on random pairs, including the order of the shorter encoding.
  std::uniform_int_distribution<size_t> pick(0, numbers.size() - 1);
  for (int i = 0; i < 100000; ++i) {
    const size_t a = pick(rng);
    const size_t b = pick(rng);
    ASSERT_EQ(MemcmpSign(encodings[a], encodings[b]), Sign(numbers[a].Compare(numbers[b])));
  }
}

}  // namespace
}  // namespace basalt::model
