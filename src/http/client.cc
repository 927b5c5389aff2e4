// Boost.Beast, asynchronously on a private io_context so that one deadline
// (beast::tcp_stream's expiry) covers connect, write and read.
#include "http/client.h"

#include <strings.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace basalt::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr size_t kMaxResponseBytes = 64 << 20;

}  // namespace

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return "";
}

Result<Url> ParseUrl(const std::string& text) {
  constexpr std::string_view kScheme = "http://";
  if (!text.starts_with(kScheme)) return Status::Validation("not an http:// URL: " + text);
  std::string rest = text.substr(kScheme.size());
  Url url;
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) url.target = rest.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    url.host = authority.substr(0, colon);
    url.port = authority.substr(colon + 1);
    if (url.port.empty() || url.port.find_first_not_of("0123456789") != std::string::npos) {
      return Status::Validation("bad port in URL: " + text);
    }
  } else {
    url.host = authority;
  }
  if (url.host.size() > 2 && url.host.front() == '[' && url.host.back() == ']') {
    url.host = url.host.substr(1, url.host.size() - 2);
  }
  if (url.host.empty()) return Status::Validation("no host in URL: " + text);
  return url;
}

namespace {

Result<ClientResponse> Exchange(bhttp::verb verb, const Url& url, const std::string& body,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                double timeout_seconds, const std::atomic<bool>* cancel) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  bhttp::request<bhttp::string_body> req{verb, url.target, 11};
  req.set(bhttp::field::host, url.port == "80" ? url.host : url.host + ":" + url.port);
  req.set(bhttp::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  beast::error_code failure;
  const char* stage = "resolve";

  auto deadline = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  stream.expires_after(deadline);
  resolver.async_resolve(url.host, url.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) {
      failure = ec;
      return;
    }
    stage = "connect";
    stream.async_connect(results, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        failure = ec;
        return;
      }
      stage = "write";
      bhttp::async_write(stream, req, [&](beast::error_code ec, size_t) {
        if (ec) {
          failure = ec;
          return;
        }
        stage = "read";
        bhttp::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) { failure = ec; });
      });
    });
  });
  // The resolver has no expiry of its own: bound the whole run too.
  auto end = std::chrono::steady_clock::now() + deadline + std::chrono::milliseconds(100);
  while (!ioc.stopped() && std::chrono::steady_clock::now() < end) {
    ioc.run_for(std::chrono::milliseconds(100));
    if (cancel && cancel->load()) return Status::IoError(std::string("cancelled at ") + stage);
  }
  if (!ioc.stopped()) return Status::IoError(std::string("timed out at ") + stage);
  if (failure) return Status::IoError(std::string(stage) + ": " + failure.message());
  ClientResponse out;
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(res.body());
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return out;
}

}  // namespace

Result<ClientResponse> Post(const Url& url, const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers, double timeout_seconds,
                            const std::atomic<bool>* cancel) {
  return Exchange(bhttp::verb::post, url, body, headers, timeout_seconds, cancel);
}

Result<ClientResponse> Get(const Url& url, const std::vector<std::pair<std::string, std::string>>& headers,
                           double timeout_seconds) {
  return Exchange(bhttp::verb::get, url, "", headers, timeout_seconds, nullptr);
}

}  // namespace basalt::http
