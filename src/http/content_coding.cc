#include "http/content_coding.h"

#include <strings.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>

namespace basalt::http {
namespace {

// Decoded bodies grow by at least this much at a time (and at most doubling),
// so a small body takes one or two steps of the budget and a 16 MiB one ~10.
constexpr size_t kMinGrowth = 64 * 1024;

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `fn` with each trimmed, non-empty element of the comma lists in
// every header named `name`.
template <typename Fn>
void ForEachListElement(const Request& req, std::string_view name, Fn fn) {
  for (const auto& [k, v] : req.headers) {
    if (!IEquals(k, name)) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view element = Trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (!element.empty()) fn(element);
    }
  }
}

DecodeError Undecodable(std::string_view coding, const std::string& why) {
  return {ErrorKind::kUndecodableBody, "The request body is not valid " + std::string(coding) + " data: " + why};
}

// True when `in` opens with a zlib header (RFC 1950 2.2): method 8
// (deflate), a window of at most 32 KiB, and check bits making the first two
// bytes a multiple of 31. A raw deflate stream matches by chance at most
// 1 time in 31 * 16, and then fails to decode; clients send the zlib form.
bool HasZlibHeader(std::string_view in) {
  if (in.size() < 2) return false;
  auto cmf = static_cast<uint8_t>(in[0]);
  auto flg = static_cast<uint8_t>(in[1]);
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

// A zlib inflate stream that ends itself.
class Inflater {
 public:
  explicit Inflater(int window_bits) { ok_ = inflateInit2(&zs_, window_bits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  bool ok() const { return ok_; }
  z_stream& stream() { return zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

}  // namespace

std::string_view CodingName(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::kGzip: return "gzip";
    case ContentCoding::kDeflate: return "deflate";
    case ContentCoding::kIdentity: break;
  }
  return "identity";
}

std::variant<ContentCoding, DecodeError> RequestCoding(const Request& req) {
  ContentCoding coding = ContentCoding::kIdentity;
  std::optional<DecodeError> error;
  ForEachListElement(req, "Content-Encoding", [&](std::string_view name) {
    if (error || IEquals(name, "identity")) return;
    ContentCoding c;
    if (IEquals(name, "gzip") || IEquals(name, "x-gzip")) {
      c = ContentCoding::kGzip;
    } else if (IEquals(name, "deflate")) {
      c = ContentCoding::kDeflate;
    } else {
      error = DecodeError{ErrorKind::kUnsupportedEncoding,
                          "Unsupported Content-Encoding: " + std::string(name) + " (supported: gzip, deflate)"};
      return;
    }
    // Codings applied one over another would each need a bound of their
    // own; no client sends them.
    if (coding != ContentCoding::kIdentity) {
      error = DecodeError{ErrorKind::kUnsupportedEncoding,
                          "Unsupported Content-Encoding: more than one coding applied to the request body"};
      return;
    }
    coding = c;
  });
  if (error) return *std::move(error);
  return coding;
}

std::variant<std::string, DecodeError> Decode(ContentCoding coding, std::string_view in, size_t limit,
                                              const GrowFn& grow) {
  if (coding == ContentCoding::kIdentity) return std::string(in);
  std::string_view name = CodingName(coding);
  if (in.empty()) return Undecodable(name, "the body is empty");
  int window_bits = coding == ContentCoding::kGzip ? 16 + MAX_WBITS : (HasZlibHeader(in) ? MAX_WBITS : -MAX_WBITS);
  Inflater inflater(window_bits);
  if (!inflater.ok()) return DecodeError{ErrorKind::kOverloaded, "Cannot allocate a decompressor"};
  z_stream& zs = inflater.stream();
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  // The body is at most the server's body limit, far below 4 GiB.
  zs.avail_in = static_cast<uInt>(in.size());

  std::string out;
  size_t produced = 0;
  // One byte past the limit tells "exactly the limit" from "over it".
  const size_t cap = limit + 1;
  auto too_large = [&] {
    return DecodeError{ErrorKind::kBodyTooLarge, "The request body exceeds the limit of " + std::to_string(limit) +
                                                     " bytes once decompressed (" + std::string(name) + ")"};
  };
  while (true) {
    if (produced == out.size()) {
      if (out.size() >= cap) return too_large();
      size_t step = std::min(std::max({kMinGrowth, out.size(), in.size() * 2}), cap - out.size());
      if (!grow(step)) {
        return DecodeError{ErrorKind::kOverloaded, "Too much request data is in flight on this server to decompress "
                                                   "this body; try again shortly"};
      }
      out.resize(out.size() + step);
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out.size() - produced);
    int rc = inflate(&zs, Z_NO_FLUSH);
    produced = out.size() - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows; anything else is junk.
      std::string_view rest(reinterpret_cast<const char*>(zs.next_in), zs.avail_in);
      if (coding == ContentCoding::kGzip && rest.size() >= 2 && static_cast<uint8_t>(rest[0]) == 0x1f &&
          static_cast<uint8_t>(rest[1]) == 0x8b) {
        inflateReset(&zs);
        continue;
      }
      return Undecodable(name, std::to_string(rest.size()) + " byte(s) of trailing data after the end of the stream");
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) return Undecodable(name, "the stream is truncated");
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // the output was full: grow it
    if (rc == Z_NEED_DICT) return Undecodable(name, "the stream needs a preset dictionary");
    if (rc == Z_MEM_ERROR) return DecodeError{ErrorKind::kOverloaded, "Out of memory decompressing the request body"};
    return Undecodable(name, zs.msg ? zs.msg : "corrupt stream");
  }
  if (produced > limit) return too_large();
  out.resize(produced);
  return out;
}

std::optional<DecodeError> DecodeRequestBody(Request& req, size_t limit, const GrowFn& grow) {
  auto coding = RequestCoding(req);
  if (auto* error = std::get_if<DecodeError>(&coding)) return std::move(*error);
  auto c = std::get<ContentCoding>(coding);
  if (c == ContentCoding::kIdentity) return std::nullopt;
  auto decoded = Decode(c, req.body, limit, grow);
  if (auto* error = std::get_if<DecodeError>(&decoded)) return std::move(*error);
  req.sent_body = std::move(req.body);
  req.body = std::get<std::string>(std::move(decoded));
  for (const auto& h : req.headers) {
    if (IEquals(h.first, "Content-Encoding")) req.sent_encodings.push_back(h);
  }
  std::erase_if(req.headers, [](const auto& h) { return IEquals(h.first, "Content-Encoding"); });
  return std::nullopt;
}

namespace {

// A quality value (RFC 9110 12.4.2) in thousandths, or -1 if malformed.
int ParseQuality(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return -1;
  int whole = q[0] - '0';
  if (q.size() == 1) return whole * 1000;
  if (q[1] != '.' || q.size() > 5) return -1;
  int frac = 0;
  for (size_t i = 2; i < 5; ++i) {
    char d = i < q.size() ? q[i] : '0';
    if (d < '0' || d > '9') return -1;
    frac = frac * 10 + (d - '0');
  }
  if (whole == 1 && frac != 0) return -1;
  return whole * 1000 + frac;
}

}  // namespace

ContentCoding ResponseCoding(const Request& req) {
  // Quality per coding in thousandths; -1: not listed.
  int gzip = -1, deflate = -1, identity = -1, any = -1;
  ForEachListElement(req, "Accept-Encoding", [&](std::string_view element) {
    size_t semi = element.find(';');
    std::string_view name = Trim(element.substr(0, semi));
    std::string_view params = semi == std::string_view::npos ? std::string_view() : element.substr(semi + 1);
    int q = 1000;
    while (!params.empty()) {
      size_t next = params.find(';');
      std::string_view param = Trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      size_t eq = param.find('=');
      if (eq != std::string_view::npos && IEquals(Trim(param.substr(0, eq)), "q")) {
        q = ParseQuality(Trim(param.substr(eq + 1)));
      }
    }
    if (q < 0) return;  // a malformed element is ignored
    int* slot = nullptr;
    if (IEquals(name, "gzip") || IEquals(name, "x-gzip")) {
      slot = &gzip;
    } else if (IEquals(name, "deflate")) {
      slot = &deflate;
    } else if (IEquals(name, "identity")) {
      slot = &identity;
    } else if (name == "*") {
      slot = &any;
    }
    if (slot) *slot = std::max(*slot, q);
  });
  // Unlisted codings take "*"'s quality. Unlisted identity is acceptable
  // but not preferred (RFC 9110 12.5.3 gives it no quality): "gzip;q=0.5"
  // alone asks for gzip. When nothing is acceptable, not even identity
  // ("*;q=0"), the body goes as it is rather than as a 415.
  if (gzip < 0) gzip = std::max(any, 0);
  if (deflate < 0) deflate = std::max(any, 0);
  if (identity < 0) identity = std::max(any, 0);
  if (gzip > 0 && gzip >= deflate && gzip >= identity) return ContentCoding::kGzip;
  if (deflate > 0 && deflate >= identity) return ContentCoding::kDeflate;
  return ContentCoding::kIdentity;
}

std::optional<std::string> Encode(ContentCoding coding, std::string_view body) {
  if (coding == ContentCoding::kIdentity) return std::nullopt;
  z_stream zs{};
  int window_bits = coding == ContentCoding::kGzip ? 16 + MAX_WBITS : MAX_WBITS;
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&zs, static_cast<uLong>(body.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  zs.avail_in = static_cast<uInt>(body.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  // deflateBound leaves room for the whole output, so one call finishes.
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace basalt::http
