// The request parser of http/session.h: Beast's HTTP/1.x grammar
// (basic_parser: request line, fields, Content-Length and chunked bodies,
// header and body limits) writing straight into a Request.
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

}  // namespace basalt::http::internal
