// Content codings: the bounds on decoding (bombs, truncation, trailing data,
// the memory budget), the two forms of "deflate", and Accept-Encoding.
#include "http/content_coding.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <string>

namespace basalt::http {
namespace {

// `data` compressed by zlib: window_bits 16 + 15 for gzip, 15 for the zlib
// format, -15 for raw deflate. `repeat` feeds `data` that many times, so a
// large input never exists in memory.
std::string Compress(const std::string& data, int window_bits, size_t repeat = 1, int level = Z_BEST_COMPRESSION) {
  z_stream zs{};
  EXPECT_EQ(Z_OK, deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY));
  std::string out;
  char buf[64 * 1024];
  for (size_t i = 0; i < repeat; ++i) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    int flush = i + 1 == repeat ? Z_FINISH : Z_NO_FLUSH;
    int rc;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      rc = deflate(&zs, flush);
      out.append(buf, sizeof buf - zs.avail_out);
    } while (zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }
  deflateEnd(&zs);
  return out;
}

std::string Gzip(const std::string& data) { return Compress(data, 16 + MAX_WBITS); }
std::string Zlib(const std::string& data) { return Compress(data, MAX_WBITS); }
std::string RawDeflate(const std::string& data) { return Compress(data, -MAX_WBITS); }

const GrowFn kUnbounded = [](size_t) { return true; };

// The decoded body, or "error <kind>: <detail>".
std::string DecodeToString(ContentCoding coding, const std::string& in, size_t limit = 1 << 20,
                           const GrowFn& grow = kUnbounded) {
  auto r = Decode(coding, in, limit, grow);
  if (auto* e = std::get_if<DecodeError>(&r)) return "error " + std::to_string(static_cast<int>(e->kind)) + ": " + e->detail;
  return std::get<std::string>(r);
}

ErrorKind DecodeErrorKind(ContentCoding coding, const std::string& in, size_t limit = 1 << 20,
                          const GrowFn& grow = kUnbounded) {
  auto r = Decode(coding, in, limit, grow);
  EXPECT_TRUE(std::holds_alternative<DecodeError>(r));
  return std::holds_alternative<DecodeError>(r) ? std::get<DecodeError>(r).kind : ErrorKind::kMalformed;
}

std::string DecodeErrorDetail(ContentCoding coding, const std::string& in, size_t limit = 1 << 20) {
  auto r = Decode(coding, in, limit, kUnbounded);
  return std::holds_alternative<DecodeError>(r) ? std::get<DecodeError>(r).detail : "(decoded)";
}

const std::string kJson = R"({"TableName":"t","Item":{"pk":{"S":"caf\u00e9"},"v":{"B":"AAEC"}}})";

TEST(DecodeTest, GzipRoundTrips) { EXPECT_EQ(kJson, DecodeToString(ContentCoding::kGzip, Gzip(kJson))); }

TEST(DecodeTest, DeflateInTheZlibFormatRoundTrips) {
  EXPECT_EQ(kJson, DecodeToString(ContentCoding::kDeflate, Zlib(kJson)));
}

TEST(DecodeTest, RawDeflateIsAcceptedUnderTheNameDeflate) {
  EXPECT_EQ(kJson, DecodeToString(ContentCoding::kDeflate, RawDeflate(kJson)));
  std::string big(300000, 'x');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(big, DecodeToString(ContentCoding::kDeflate, RawDeflate(big)));
}

TEST(DecodeTest, GzipIsNotAcceptedAsDeflateNorZlibAsGzip) {
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kDeflate, Gzip(kJson)));
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kGzip, Zlib(kJson)));
}

TEST(DecodeTest, ConcatenatedGzipMembersAreOneBody) {
  EXPECT_EQ("hello, world", DecodeToString(ContentCoding::kGzip, Gzip("hello, ") + Gzip("world")));
}

TEST(DecodeTest, AnEmptyCompressedBodyIsAnError) {
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kGzip, ""));
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kDeflate, ""));
  EXPECT_NE(std::string::npos, DecodeErrorDetail(ContentCoding::kGzip, "").find("empty"));
}

TEST(DecodeTest, ACompressedEmptyBodyIsEmpty) { EXPECT_EQ("", DecodeToString(ContentCoding::kGzip, Gzip(""))); }

TEST(DecodeTest, TruncationAtEveryLengthIsAnError) {
  std::string gz = Gzip(kJson);
  for (size_t n = 1; n < gz.size(); ++n) {
    EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kGzip, gz.substr(0, n))) << n;
  }
  std::string z = Zlib(kJson);
  for (size_t n = 2; n < z.size(); ++n) {
    EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kDeflate, z.substr(0, n))) << n;
  }
  EXPECT_NE(std::string::npos, DecodeErrorDetail(ContentCoding::kGzip, gz.substr(0, gz.size() - 3)).find("truncated"));
}

TEST(DecodeTest, CorruptStreamsAreErrorsNotCrashes) {
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kGzip, "not gzip at all"));
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kDeflate, std::string(100, '\xff')));
  std::string gz = Gzip(kJson);
  // A flipped byte anywhere is caught by the format or by the CRC-32 and
  // length in gzip's trailer.
  for (size_t i = 0; i < gz.size(); ++i) {
    std::string bad = gz;
    bad[i] = static_cast<char>(bad[i] ^ 0x55);
    auto r = Decode(ContentCoding::kGzip, bad, 1 << 20, kUnbounded);
    if (auto* s = std::get_if<std::string>(&r)) {
      // Only a header byte that changes nothing decodable (mtime, OS) may pass.
      EXPECT_EQ(kJson, *s) << i;
    }
  }
}

TEST(DecodeTest, TrailingDataAfterTheStreamIsAnError) {
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kGzip, Gzip(kJson) + "junk"));
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kGzip, Gzip(kJson) + std::string(1, '\0')));
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kDeflate, Zlib(kJson) + "x"));
  EXPECT_EQ(ErrorKind::kUndecodableBody, DecodeErrorKind(ContentCoding::kDeflate, RawDeflate(kJson) + "x"));
  EXPECT_NE(std::string::npos, DecodeErrorDetail(ContentCoding::kGzip, Gzip(kJson) + "junk").find("4 byte(s) of trailing"));
}

TEST(DecodeTest, APresetDictionaryIsAnError) {
  z_stream zs{};
  ASSERT_EQ(Z_OK, deflateInit(&zs, Z_DEFAULT_COMPRESSION));
  const char dict[] = "TableName";
  ASSERT_EQ(Z_OK, deflateSetDictionary(&zs, reinterpret_cast<const Bytef*>(dict), sizeof dict - 1));
  std::string out(256, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(kJson.data()));
  zs.avail_in = static_cast<uInt>(kJson.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  ASSERT_EQ(Z_STREAM_END, deflate(&zs, Z_FINISH));
  out.resize(zs.total_out);
  deflateEnd(&zs);
  EXPECT_NE(std::string::npos, DecodeErrorDetail(ContentCoding::kDeflate, out).find("dictionary"));
}

TEST(DecodeTest, TheLimitIsOnTheDecodedSize) {
  std::string exact(1000, 'a');
  EXPECT_EQ(exact, DecodeToString(ContentCoding::kGzip, Gzip(exact), 1000));
  EXPECT_EQ(ErrorKind::kBodyTooLarge, DecodeErrorKind(ContentCoding::kGzip, Gzip(exact + "a"), 1000));
  EXPECT_EQ(ErrorKind::kBodyTooLarge, DecodeErrorKind(ContentCoding::kDeflate, Zlib(exact + "a"), 1000));
  EXPECT_EQ(ErrorKind::kBodyTooLarge, DecodeErrorKind(ContentCoding::kDeflate, RawDeflate(exact + "a"), 1000));
}

// A gigabyte of zeros is 1 MB of gzip. Decoding it must stop at the limit:
// the memory asked for stays within limit + 1 and the time is that of
// inflating the limit, not the gigabyte.
TEST(DecodeTest, AGigabyteBombStopsAtTheLimit) {
  std::string zeros(1 << 20, '\0');
  std::string bomb = Compress(zeros, 16 + MAX_WBITS, 1024, Z_BEST_SPEED);
  ASSERT_LT(bomb.size(), size_t{8} << 20);
  const size_t limit = size_t{16} << 20;
  size_t granted = 0;
  GrowFn grow = [&](size_t n) {
    granted += n;
    return true;
  };
  auto start = std::chrono::steady_clock::now();
  auto r = Decode(ContentCoding::kGzip, bomb, limit, grow);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(std::holds_alternative<DecodeError>(r));
  EXPECT_EQ(ErrorKind::kBodyTooLarge, std::get<DecodeError>(r).kind);
  EXPECT_LE(granted, limit + 1);
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(DecodeTest, BodiesGrowInBoundedStepsAskedOfTheBudget) {
  std::string big(5 << 20, 'q');
  std::string gz = Gzip(big);
  size_t granted = 0;
  int steps = 0;
  GrowFn grow = [&](size_t n) {
    granted += n;
    ++steps;
    return true;
  };
  auto r = Decode(ContentCoding::kGzip, gz, size_t{16} << 20, grow);
  ASSERT_TRUE(std::holds_alternative<std::string>(r));
  EXPECT_EQ(big.size(), std::get<std::string>(r).size());
  EXPECT_GE(granted, big.size());
  EXPECT_LE(granted, 2 * big.size());  // doubling: never more than twice what was needed
  EXPECT_LE(steps, 12);
}

TEST(DecodeTest, ARefusedGrowthIsOverloaded) {
  std::string big(1 << 20, 'q');
  size_t allowed = 256 * 1024;
  GrowFn grow = [&](size_t n) {
    if (n > allowed) return false;
    allowed -= n;
    return true;
  };
  EXPECT_EQ(ErrorKind::kOverloaded, DecodeErrorKind(ContentCoding::kGzip, Gzip(big), 16 << 20, grow));
}

Request WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  Request r;
  r.method = "POST";
  r.target = "/";
  r.headers = std::move(headers);
  return r;
}

std::string CodingOf(const Request& req) {
  auto c = RequestCoding(req);
  if (auto* e = std::get_if<DecodeError>(&c)) return "error " + std::to_string(static_cast<int>(e->kind));
  return std::string(CodingName(std::get<ContentCoding>(c)));
}

TEST(RequestCodingTest, ReadsEveryContentEncodingHeader) {
  const std::string unsupported = "error " + std::to_string(static_cast<int>(ErrorKind::kUnsupportedEncoding));
  EXPECT_EQ("identity", CodingOf(WithHeaders({})));
  EXPECT_EQ("gzip", CodingOf(WithHeaders({{"Content-Encoding", "gzip"}})));
  EXPECT_EQ("gzip", CodingOf(WithHeaders({{"content-encoding", "GZip"}})));
  EXPECT_EQ("gzip", CodingOf(WithHeaders({{"Content-Encoding", "x-gzip"}})));
  EXPECT_EQ("deflate", CodingOf(WithHeaders({{"Content-Encoding", " deflate "}})));
  EXPECT_EQ("identity", CodingOf(WithHeaders({{"Content-Encoding", "identity"}})));
  EXPECT_EQ("identity", CodingOf(WithHeaders({{"Content-Encoding", ""}})));
  EXPECT_EQ("gzip", CodingOf(WithHeaders({{"Content-Encoding", "identity, gzip"}})));
  EXPECT_EQ("gzip", CodingOf(WithHeaders({{"Content-Encoding", "identity"}, {"Content-Encoding", "gzip"}})));
  EXPECT_EQ(unsupported, CodingOf(WithHeaders({{"Content-Encoding", "br"}})));
  EXPECT_EQ(unsupported, CodingOf(WithHeaders({{"Content-Encoding", "compress"}})));
  EXPECT_EQ(unsupported, CodingOf(WithHeaders({{"Content-Encoding", "gzip, gzip"}})));
  EXPECT_EQ(unsupported, CodingOf(WithHeaders({{"Content-Encoding", "gzip"}, {"Content-Encoding", "deflate"}})));
}

TEST(RequestCodingTest, DecodeRequestBodyReplacesTheBodyAndDropsTheHeader) {
  Request req = WithHeaders({{"Content-Type", "application/x-amz-json-1.0"}, {"Content-Encoding", "gzip"}});
  req.body = Gzip(kJson);
  EXPECT_FALSE(DecodeRequestBody(req, 1 << 20, kUnbounded).has_value());
  EXPECT_EQ(kJson, req.body);
  EXPECT_EQ("", req.Header("Content-Encoding"));
  EXPECT_EQ("application/x-amz-json-1.0", req.Header("Content-Type"));
  EXPECT_EQ(Gzip(kJson), req.sent_body);
  ASSERT_EQ(1u, req.sent_encodings.size());
  EXPECT_EQ("gzip", req.sent_encodings[0].second);

  Request plain = WithHeaders({});
  plain.body = kJson;
  EXPECT_FALSE(DecodeRequestBody(plain, 1 << 20, kUnbounded).has_value());
  EXPECT_EQ(kJson, plain.body);
}

std::string Chosen(std::vector<std::string> accept) {
  Request r;
  for (auto& a : accept) r.headers.emplace_back("Accept-Encoding", a);
  return std::string(CodingName(ResponseCoding(r)));
}

TEST(ResponseCodingTest, FollowsAcceptEncoding) {
  EXPECT_EQ("identity", Chosen({}));  // botocore sends none: it could not read gzip
  EXPECT_EQ("identity", Chosen({""}));
  EXPECT_EQ("identity", Chosen({"identity"}));
  EXPECT_EQ("identity", Chosen({"br"}));
  EXPECT_EQ("gzip", Chosen({"gzip"}));
  EXPECT_EQ("gzip", Chosen({"GZIP"}));
  EXPECT_EQ("gzip", Chosen({"x-gzip"}));
  EXPECT_EQ("deflate", Chosen({"deflate"}));
  EXPECT_EQ("gzip", Chosen({"gzip, deflate"}));
  EXPECT_EQ("gzip", Chosen({"deflate, gzip"}));  // a tie goes to gzip
  EXPECT_EQ("gzip", Chosen({"gzip, deflate, br"}));
  EXPECT_EQ("gzip", Chosen({"*"}));
  EXPECT_EQ("gzip", Chosen({"br", "gzip"}));  // several headers
}

TEST(ResponseCodingTest, HonoursQualityValues) {
  EXPECT_EQ("identity", Chosen({"gzip;q=0"}));
  EXPECT_EQ("identity", Chosen({"gzip; q=0.000"}));
  EXPECT_EQ("identity", Chosen({"gzip;Q=0"}));
  EXPECT_EQ("deflate", Chosen({"gzip;q=0, deflate"}));
  EXPECT_EQ("deflate", Chosen({"gzip;q=0.4, deflate;q=0.5"}));
  EXPECT_EQ("gzip", Chosen({"gzip;q=0.5"}));  // identity unlisted ranks lowest
  EXPECT_EQ("gzip", Chosen({"gzip;q=1.0"}));
  EXPECT_EQ("gzip", Chosen({"gzip ; q = 0.9 "}));
  EXPECT_EQ("identity", Chosen({"identity;q=1, gzip;q=0.5"}));
  EXPECT_EQ("deflate", Chosen({"*;q=0.3, gzip;q=0.1"}));  // deflate takes *'s quality
  EXPECT_EQ("identity", Chosen({"*;q=0"}));
  EXPECT_EQ("identity", Chosen({"*, gzip;q=0, deflate;q=0"}));
  EXPECT_EQ("gzip", Chosen({"gzip;q=0", "gzip"}));  // listed twice: the higher quality counts
  // Malformed quality values drop their element.
  EXPECT_EQ("identity", Chosen({"gzip;q=abc"}));
  EXPECT_EQ("identity", Chosen({"gzip;q=1.5"}));
  EXPECT_EQ("identity", Chosen({"gzip;q=0.0001"}));
  EXPECT_EQ("deflate", Chosen({"gzip;q=2, deflate"}));
}

TEST(EncodeTest, GzipAndDeflateRoundTripThroughDecode) {
  std::string body(20000, 'z');
  auto gz = Encode(ContentCoding::kGzip, body);
  ASSERT_TRUE(gz.has_value());
  EXPECT_LT(gz->size(), body.size() / 10);
  EXPECT_EQ('\x1f', (*gz)[0]);
  EXPECT_EQ('\x8b', (*gz)[1]);
  EXPECT_EQ(body, DecodeToString(ContentCoding::kGzip, *gz));
  auto z = Encode(ContentCoding::kDeflate, body);
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ('\x78', (*z)[0]);  // the zlib format, as RFC 9110 names "deflate"
  EXPECT_EQ(body, DecodeToString(ContentCoding::kDeflate, *z));
  EXPECT_FALSE(Encode(ContentCoding::kIdentity, body).has_value());
}

}  // namespace
}  // namespace basalt::http
