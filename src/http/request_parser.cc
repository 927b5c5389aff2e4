#include "http/request_parser.h"

namespace basalt::http::internal {

RequestParser::RequestParser(Request* out) : out_(out) {
  out_->method.clear();
  out_->target.clear();
  // The headers are cut to those of this request once its header is done:
  // until then the last request's strings are overwritten in place.
  // A body is not kept: an idle connection holds no request body.
  std::string().swap(out_->body);
  std::string().swap(out_->sent_body);
  out_->sent_encodings.clear();
}

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
  // Each field is written over the one at its place in the last request,
  // whose strings keep their capacity: an SDK sends the same fields in the
  // same order, so the values over the small-string size (Authorization,
  // X-Amz-Target, Content-Type) are not allocated and freed per request.
  auto& headers = out_->headers;
  if (fields_ < headers.size()) {
    headers[fields_].first.assign(name.data(), name.size());
    headers[fields_].second.assign(value.data(), value.size());
  } else {
    headers.emplace_back(std::string(name.data(), name.size()), std::string(value.data(), value.size()));
  }
  ++fields_;
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

}  // namespace basalt::http::internal
