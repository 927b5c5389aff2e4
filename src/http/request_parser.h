// The request parsers of http/session.h. RequestReader, which the
// connection uses, parses a head of the common shape by hand (the grammar is
// at the top of request_parser.cc) and hands any other request, from its
// first byte, to RequestParser: Beast's HTTP/1.x grammar (basic_parser:
// request line, fields, Content-Length and chunked bodies, header and body
// limits) writing straight into a Request.
//
// Beast's request_parser<string_body> kept the fields in its own list (one
// allocation per field) that the session then copied into a Request (two
// more per field past the small-string size); this parser appends each field
// to the Request as it is parsed, and the connection keeps that Request (and
// its header vector's capacity) from one request to the next. It saved
// ~3,100 instructions per GetItem (57,400 -> 54,300, callgrind).
#pragma once

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

#include "http/server.h"

namespace basalt::http::internal {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Parses into *out, which it clears first (keeping what can be reused:
  // the header strings' capacity and the remote address). out->headers
  // holds the request's fields once the header is done (is_header_done()),
  // and is not to be read before.
  explicit RequestParser(Request* out);

  // The request line's HTTP version (10 for HTTP/1.0, 11 for HTTP/1.1),
  // known once the header is done.
  int version() const { return version_; }

 private:
  using error_code = boost::beast::error_code;
  using verb = boost::beast::http::verb;
  using field = boost::beast::http::field;
  using string_view = boost::beast::string_view;

  void on_request_impl(verb method, string_view method_str, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(field name, string_view name_string, string_view value, error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  Request* out_;
  size_t fields_ = 0;  // the fields parsed so far, out_->headers' first ones
  int version_ = 11;
};

// What a connection reads a request with: RequestParser's interface, as the
// session uses it. A head of the common shape (request-head in
// request_parser.cc: HTTP/1.0 or 1.1, printable ASCII, no Transfer-Encoding,
// one Content-Length) is parsed by hand once it has arrived whole, and its
// body read by length. Anything else goes to a RequestParser from the
// request's first byte, so every other request, and every error, is parsed
// and answered by Beast as before. It goes as soon as what has come shows it
// is not of that shape: a byte outside it, or a first line that is not
// request-line (refused then by Beast, before the rest of the head arrives). Beast's parser costs ~6,700 instructions
// for the head of an SDK's GetItem (callgrind: 5,800 in basic_parser, 900
// in on_field_impl); this one ~3,500.
class RequestReader {
 public:
  // As RequestParser(out).
  explicit RequestReader(Request* out);

  void header_limit(std::uint32_t bytes) { header_limit_ = bytes; }
  void body_limit(std::uint64_t bytes) { body_limit_ = bytes; }

  // As basic_parser::put: the bytes of `buffer` used, and need_more when a
  // head is not whole yet or a body needs more bytes.
  std::size_t put(boost::asio::const_buffer buffer, boost::beast::error_code& ec);

  bool got_some() const { return beast_ ? beast_->got_some() : got_some_; }
  bool is_header_done() const { return beast_ ? beast_->is_header_done() : header_done_; }
  bool is_done() const { return beast_ ? beast_->is_done() : header_done_ && remaining_ == 0; }
  bool keep_alive() const { return beast_ ? beast_->keep_alive() : keep_alive_; }
  bool chunked() const { return beast_ ? beast_->chunked() : false; }
  boost::optional<std::uint64_t> content_length() const;
  int version() const { return beast_ ? beast_->version() : version_; }

  // Whether Beast parses this request (for tests).
  bool by_beast() const { return beast_.has_value(); }

 private:
  // Parses a whole head by hand into out_; false (out_ partly written) for
  // a head of any other shape.
  bool ParseHead(std::string_view head);
  // Whether the head so far (not whole yet) may still be of the common
  // shape: false once its first line is in and is not request-line. Looks
  // at each byte once.
  bool RequestLineFits(std::string_view in);

  Request* out_;
  std::optional<RequestParser> beast_;
  std::uint32_t header_limit_ = 8192;  // Beast's defaults
  std::uint64_t body_limit_ = 1024 * 1024;
  bool got_some_ = false;
  bool header_done_ = false;
  bool keep_alive_ = true;
  int version_ = 11;
  std::size_t checked_ = 0;  // bytes of a head not whole yet that were searched and checked
  bool line_checked_ = false;  // its request line was whole and checked
  std::optional<std::uint64_t> length_;
  std::uint64_t remaining_ = 0;  // of the body
};

}  // namespace basalt::http::internal
