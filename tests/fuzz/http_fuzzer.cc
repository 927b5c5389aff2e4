// libFuzzer target for the HTTP request reader: http/request_parser's
// RequestReader (a common head by hand, any other through Beast's grammar,
// filling a Request) fed the input in pieces whose sizes the input chooses,
// as a connection's reads would bring it, then http/content_coding's body
// decoder, under small header and body limits.
// Input: byte 0 = piece size (1-256), then the bytes on the wire.
// Any crash, sanitizer report or hang is a finding, and so is a parsed
// request whose body or decoded body passes its limit, and so is any input
// that RequestReader reads otherwise than Beast's parser alone.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/content_coding.h"
#include "http/request_parser.h"

namespace {

constexpr size_t kHeaderLimit = 2048;
constexpr size_t kBodyLimit = 4096;

}  // namespace

namespace {

// What a parser made of the wire: the request as text, or its error.
template <class Parser>
std::string Read(Parser& parser, basalt::http::Request& req, std::string_view wire, size_t step) {
  parser.header_limit(kHeaderLimit);
  parser.body_limit(kBodyLimit);
  std::string buffered;
  size_t given = 0;
  while (!parser.is_done()) {
    if (given == wire.size()) return "waits";  // the connection would wait for more
    size_t n = std::min(step, wire.size() - given);
    buffered.append(wire.substr(given, n));
    given += n;
    for (;;) {
      boost::beast::error_code ec;
      size_t used = parser.put(boost::asio::buffer(buffered), ec);
      buffered.erase(0, used);
      if (ec == boost::beast::http::error::need_more) break;
      if (ec) return "error " + ec.message();  // answered with an error and closed
      if (parser.is_done() || used == 0) break;
    }
  }
  std::string out = req.method + " " + req.target + " " + std::to_string(parser.version()) +
                    (parser.keep_alive() ? " keep" : " close") + (parser.chunked() ? " chunked" : "") +
                    (parser.content_length() ? " length " + std::to_string(*parser.content_length()) : "") + "\n";
  for (const auto& [name, value] : req.headers) out += name + ": " + value + "\n";
  return out + req.body + "\nrest " + buffered;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t step = static_cast<size_t>(data[0]) + 1;
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  basalt::http::Request req;
  basalt::http::internal::RequestReader reader(&req);
  const std::string read = Read(reader, req, wire, step);
  basalt::http::Request alone;
  basalt::http::internal::RequestParser beast(&alone);
  const std::string by_beast = Read(beast, alone, wire, step);
  // The two may refuse a bad head at different reads: the reader waits for
  // a whole head before it parses one (and hands it to Beast whole), where
  // Beast alone parses what it has at its first read and then waits for a
  // whole head. So one may still wait where the other has refused; any
  // other difference is a finding.
  // And Beast's own header limit moves with how the bytes arrive (its
  // request line is counted apart when it comes in a read of its own), so a
  // head over the limit may pass in one and not in the other.
  const size_t head_end = wire.find("\r\n\r\n");
  const bool over_limit = head_end == std::string_view::npos || head_end + 4 > kHeaderLimit;
  const std::string limit_error = "error header limit exceeded";
  const bool excused = (read == "waits" && by_beast.starts_with("error")) ||
                       (by_beast == "waits" && read.starts_with("error")) ||
                       (over_limit && (read == limit_error || by_beast == limit_error));
  if (read != by_beast && !excused) {
    fprintf(stderr, "reader: [%s]\nbeast alone: [%s]\n", read.c_str(), by_beast.c_str());
    std::abort();
  }
  if (!reader.is_done()) return 0;
  if (req.body.size() > kBodyLimit) std::abort();
  size_t granted = 0;
  auto grow = [&granted](size_t n) {
    granted += n;
    return granted <= 4 * kBodyLimit;
  };
  if (!basalt::http::DecodeRequestBody(req, kBodyLimit, grow) && req.body.size() > kBodyLimit) std::abort();
  (void)basalt::http::ResponseCoding(req);
  (void)req.Header("x-amz-target");
  return 0;
}
