#include "common/crc32.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

namespace basalt {
namespace {

uint32_t ZlibCrc(std::string_view s) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

TEST(Crc32Test, KnownValues) {
  EXPECT_EQ(0u, Crc32(""));
  EXPECT_EQ(0xCBF43926u, Crc32("123456789"));  // the check value of CRC-32
  EXPECT_EQ(ZlibCrc(std::string(100, 'a')), Crc32(std::string(100, 'a')));
}

// Every length up to 600 (each side of every 16-byte step and of the fold's
// threshold), at every start offset within 16 bytes, random contents.
TEST(Crc32Test, EqualsZlibAtEveryLengthAndAlignment) {
  std::mt19937_64 rng(7);
  std::string buf(600 + 16, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t n = 0; n <= 600; ++n) {
      const std::string_view s(buf.data() + offset, n);
      ASSERT_EQ(ZlibCrc(s), Crc32(s)) << "offset " << offset << " length " << n;
    }
  }
}

TEST(Crc32Test, EqualsZlibOnLargeAndUniformInputs) {
  std::mt19937_64 rng(11);
  std::string big(1 << 20, '\0');
  for (char& c : big) c = static_cast<char>(rng());
  EXPECT_EQ(ZlibCrc(big), Crc32(big));
  for (char fill : {'\0', '\xff', '{'}) {
    const std::string s(4096 + 7, fill);
    EXPECT_EQ(ZlibCrc(s), Crc32(s)) << static_cast<int>(fill);
  }
}

}  // namespace
}  // namespace basalt
