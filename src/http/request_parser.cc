// The head RequestReader parses by hand (RFC 9112's grammar, narrowed):
//
//   request-head = request-line *( field-line ) CRLF     ; < header_limit bytes
//   request-line = method SP request-target SP HTTP-version CRLF
//   method       = 1*tchar
//   request-target = 1*( %x21-7E )
//   HTTP-version = "HTTP/1.0" / "HTTP/1.1"
//   field-line   = field-name ":" OWS field-value OWS CRLF
//   field-name   = 1*tchar
//   field-value  = *( %x20-7E / HTAB )                   ; OWS trimmed off
//   tchar        = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "."
//                / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
//
// with these fields' values narrowed too:
//
//   Content-Length = 1*19DIGIT        ; once, no leading zero, <= body_limit
//   Connection     = "close" / "keep-alive"             ; case-insensitive
//
// and no Transfer-Encoding, Upgrade or Proxy-Connection field. Beast accepts
// every such head and reads it the same way (request_parser_test.cc and
// tests/fuzz/http_fuzzer.cc compare the two); a head of any other shape
// (obs-fold, obs-text, a chunked body, a bad line ending, a malformed one)
// goes to Beast whole.
#include "http/request_parser.h"

#include <strings.h>

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace basalt::http::internal {
namespace {

// Clears what a new request replaces; keeps what can be reused.
void StartRequest(Request* out) {
  out->method.clear();
  out->target.clear();
  // The headers are cut to those of this request once its header is done:
  // until then the last request's strings are overwritten in place.
  // A body is not kept: an idle connection holds no request body.
  std::string().swap(out->body);
  std::string().swap(out->sent_body);
  out->sent_encodings.clear();
}

constexpr bool kTchar[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x00
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x10
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0,  // 0x20  !"#$%&'()*+,-./
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,  // 0x30  0-9:;<=>?
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // 0x40  @A-O
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,  // 0x50  P-Z[\]^_
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // 0x60  `a-o
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,  // 0x70  p-z{|}~DEL
};

// Whether every byte of `s` is printable ASCII, HTAB, CR or LF, and how
// many CRs and LFs it has: 16 bytes per SSE2 step, the counts kept per byte
// lane and summed every 255 steps (before a lane could wrap).
bool HeadBytes(std::string_view s, size_t* crs, size_t* lfs) {
  size_t i = 0, cr = 0, lf = 0;
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i del = _mm_set1_epi8(0x7F);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i cr16 = _mm_set1_epi8('\r');
  const __m128i lf16 = _mm_set1_epi8('\n');
  __m128i cr_lanes = zero, lf_lanes = zero;
  auto sum = [&zero](__m128i lanes) {
    const __m128i halves = _mm_sad_epu8(lanes, zero);
    return static_cast<size_t>(_mm_cvtsi128_si32(halves)) + static_cast<size_t>(_mm_extract_epi16(halves, 4));
  };
  for (int steps = 0; i + 16 <= s.size(); i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // Signed compares: bytes 0x80-0xFF are negative, so below ' ' too.
    const __m128i low = _mm_cmplt_epi8(x, space);
    const __m128i is_cr = _mm_cmpeq_epi8(x, cr16);
    const __m128i is_lf = _mm_cmpeq_epi8(x, lf16);
    const __m128i allowed_low = _mm_or_si128(_mm_or_si128(is_cr, is_lf), _mm_cmpeq_epi8(x, tab));
    const __m128i bad = _mm_or_si128(_mm_andnot_si128(allowed_low, low), _mm_cmpeq_epi8(x, del));
    if (_mm_movemask_epi8(bad) != 0) return false;
    cr_lanes = _mm_sub_epi8(cr_lanes, is_cr);  // a match is -1
    lf_lanes = _mm_sub_epi8(lf_lanes, is_lf);
    if (++steps == 255) {
      cr += sum(cr_lanes);
      lf += sum(lf_lanes);
      cr_lanes = lf_lanes = zero;
      steps = 0;
    }
  }
  cr += sum(cr_lanes);
  lf += sum(lf_lanes);
#endif
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\r') {
      ++cr;
    } else if (c == '\n') {
      ++lf;
    } else if ((c < 0x20 && c != '\t') || c >= 0x7F) {
      return false;
    }
  }
  *crs = cr;
  *lfs = lf;
  return true;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Writes the request's field number `i` over the one at its place in the
// last request, whose strings keep their capacity: an SDK sends the same
// fields in the same order, so the values over the small-string size
// (Authorization, X-Amz-Target, Content-Type) are not allocated and freed
// per request. The list is cut to this request's fields once its head is
// done.
void SetField(Request* out, size_t i, std::string_view name, std::string_view value) {
  auto& headers = out->headers;
  if (i < headers.size()) {
    headers[i].first.assign(name.data(), name.size());
    headers[i].second.assign(value.data(), value.size());
  } else {
    headers.emplace_back(std::string(name), std::string(value));
  }
}

// request-line, without its CRLF: false for a line of any other shape.
bool SplitRequestLine(std::string_view line, std::string_view* method, std::string_view* target, int* version) {
  size_t m = 0;
  while (m < line.size() && kTchar[static_cast<unsigned char>(line[m])]) ++m;
  if (m == 0 || m >= line.size() || line[m] != ' ') return false;
  const size_t t = line.find(' ', m + 1);
  if (t == std::string_view::npos || t == m + 1 || line.size() - t - 1 != 8) return false;
  *target = line.substr(m + 1, t - m - 1);
  if (target->find('\t') != std::string_view::npos) return false;
  const std::string_view v = line.substr(t + 1);
  if (v == "HTTP/1.1") {
    *version = 11;
  } else if (v == "HTTP/1.0") {
    *version = 10;
  } else {
    return false;
  }
  *method = line.substr(0, m);
  return true;
}

std::string_view TrimOws(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

RequestParser::RequestParser(Request* out) : out_(out) { StartRequest(out_); }

void RequestParser::on_request_impl(verb, string_view method_str, string_view target, int version, error_code&) {
  out_->method.assign(method_str.data(), method_str.size());
  out_->target.assign(target.data(), target.size());
  version_ = version;
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) {
  // Never called for a request parser (basic_parser<true>).
  ec = boost::beast::http::error::bad_version;
}

void RequestParser::on_field_impl(field, string_view name, string_view value, error_code&) {
  SetField(out_, fields_++, {name.data(), name.size()}, {value.data(), value.size()});
}

void RequestParser::on_header_impl(error_code&) { out_->headers.resize(fields_); }

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
  // basic_parser has already refused a length over the body limit.
  if (content_length) out_->body.reserve(static_cast<size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  out_->body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  out_->body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}


RequestReader::RequestReader(Request* out) : out_(out) { StartRequest(out_); }

boost::optional<std::uint64_t> RequestReader::content_length() const {
  if (beast_) return beast_->content_length();
  return length_ ? boost::optional<std::uint64_t>(*length_) : boost::none;
}

std::size_t RequestReader::put(boost::asio::const_buffer buffer, boost::beast::error_code& ec) {
  if (beast_) return beast_->put(buffer, ec);
  ec = {};
  std::string_view in(static_cast<const char*>(buffer.data()), buffer.size());
  if (!in.empty()) got_some_ = true;
  if (header_done_) {  // the body, by its length
    const size_t n = static_cast<size_t>(std::min<std::uint64_t>(remaining_, in.size()));
    // Reserved at the body's first bytes, as Beast's on_body_init: the
    // connection has taken the body's size from the memory budget by then.
    if (out_->body.empty()) out_->body.reserve(static_cast<size_t>(remaining_));
    out_->body.append(in.data(), n);
    remaining_ -= n;
    if (remaining_ > 0 && n == 0) ec = boost::beast::http::error::need_more;
    return n;
  }
  // A head is parsed once it is whole; one that is not whole within the
  // header limit, or not of the shape above, is Beast's. While it is not
  // whole, only the bytes that came since the last call are searched and
  // checked, so a head that arrives a byte at a time costs linear time (as
  // in Beast, whose search resumes where it stopped) and not the square of
  // its size.
  const std::string_view window = in.substr(0, header_limit_);
  const size_t end = window.find("\r\n\r\n", checked_ >= 3 ? checked_ - 3 : 0);
  size_t crs = 0, lfs = 0;
  if (end == std::string_view::npos && window.size() < header_limit_ &&
      (in.empty() ||
       (kTchar[static_cast<unsigned char>(in[0])] && HeadBytes(in.substr(std::min(checked_, in.size())), &crs, &lfs) &&
        RequestLineFits(in)))) {
    // Not whole yet. (A part that cannot open a head of the shape above,
    // a request line that is not request-line among them, goes to Beast at
    // once, which refuses a malformed one before the rest arrives.)
    checked_ = in.size();
    ec = boost::beast::http::error::need_more;
    return 0;
  }
  if (end != std::string_view::npos && end + 4 < header_limit_ && ParseHead(in.substr(0, end + 4))) {
    header_done_ = true;
    return end + 4;
  }
  beast_.emplace(out_);
  beast_->header_limit(header_limit_);
  beast_->body_limit(body_limit_);
  return beast_->put(buffer, ec);
}

bool RequestReader::RequestLineFits(std::string_view in) {
  if (line_checked_) return true;
  const size_t lf = in.find('\n', checked_);
  if (lf == std::string_view::npos) return true;  // not whole yet
  line_checked_ = true;
  std::string_view method, target;
  int version;
  return lf > 0 && in[lf - 1] == '\r' && SplitRequestLine(in.substr(0, lf - 1), &method, &target, &version);
}

bool RequestReader::ParseHead(std::string_view head) {
  size_t crs = 0, lfs = 0;
  if (!HeadBytes(head, &crs, &lfs) || crs != lfs) return false;
  // Every line ends in CRLF, and as many CRs as LFs means no other CR.
  auto next_line = [&head](std::string_view* line) {
    const size_t lf = head.find('\n');
    if (lf == std::string_view::npos || lf == 0 || head[lf - 1] != '\r') return false;
    *line = head.substr(0, lf - 1);
    head.remove_prefix(lf + 1);
    return true;
  };
  std::string_view line, method, target;
  if (!next_line(&line) || !SplitRequestLine(line, &method, &target, &version_)) return false;
  out_->method.assign(method.data(), method.size());
  out_->target.assign(target.data(), target.size());
  bool close = false, keep = false;
  // field-lines, up to the empty line that ends the head
  size_t fields = 0;
  while (next_line(&line) && !line.empty()) {
    size_t n = 0;
    while (n < line.size() && kTchar[static_cast<unsigned char>(line[n])]) ++n;
    if (n == 0 || n >= line.size() || line[n] != ':') return false;
    const std::string_view name = line.substr(0, n);
    const std::string_view value = TrimOws(line.substr(n + 1));
    if (IEquals(name, "content-length")) {
      if (length_ || value.empty() || value.size() > 19 || (value.size() > 1 && value[0] == '0')) return false;
      std::uint64_t v = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (v > body_limit_) return false;
      length_ = v;
    } else if (IEquals(name, "connection")) {
      if (IEquals(value, "close")) {
        close = true;
      } else if (IEquals(value, "keep-alive")) {
        keep = true;
      } else {
        return false;
      }
    } else if (IEquals(name, "transfer-encoding") || IEquals(name, "upgrade") || IEquals(name, "proxy-connection")) {
      return false;
    }
    SetField(out_, fields++, name, value);
  }
  if (!line.empty() || !head.empty()) return false;  // a line without its CRLF, or bytes past the empty line
  out_->headers.resize(fields);
  keep_alive_ = version_ == 11 ? !close : keep;
  remaining_ = length_.value_or(0);
  return true;
}

}  // namespace basalt::http::internal
