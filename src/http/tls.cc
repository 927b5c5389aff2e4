// TLS connections: the handshake, then the same Session as plain HTTP over
// an ssl_stream. The only file that includes Asio's and Beast's SSL headers.
#include "http/tls.h"

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <sys/socket.h>

#include <mutex>

#include "http/session.h"

namespace basalt::http {

namespace ssl = boost::asio::ssl;
using internal::Context;
using internal::Session;
using internal::Socket;
using internal::tcp;
namespace beast = boost::beast;

struct Tls::Impl {
  std::string cert, key, client_ca;
  std::mutex mu;
  std::shared_ptr<ssl::context> context;  // guarded by mu

  std::shared_ptr<ssl::context> Current() {
    std::lock_guard lock(mu);
    return context;
  }
};

namespace {

Result<std::shared_ptr<ssl::context>> Build(const Tls::Impl& t) {
  auto c = std::make_shared<ssl::context>(ssl::context::tls_server);
  c->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                 ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  boost::system::error_code ec;
  c->use_certificate_chain_file(t.cert, ec);
  if (ec) return Status::Validation("cannot load the TLS certificate " + t.cert + ": " + ec.message());
  c->use_private_key_file(t.key, ssl::context::pem, ec);
  if (ec) return Status::Validation("cannot load the TLS key " + t.key + ": " + ec.message());
  if (!t.client_ca.empty()) {
    c->load_verify_file(t.client_ca, ec);
    if (ec) return Status::Validation("cannot load the client CA " + t.client_ca + ": " + ec.message());
    c->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return c;
}

// What a plain-HTTP client gets on the TLS port (nginx answers the same way).
constexpr std::string_view kPlainHttpRefusal =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 53\r\nConnection: close\r\n\r\n"
    "This port speaks HTTPS: send the request over TLS.\r\n\r\n";

void Refuse(Socket& socket) {
  char sink[4096];
  int fd = socket.native_handle();
  for (int i = 0; i < 16 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
  }
  [[maybe_unused]] ssize_t n = ::send(fd, kPlainHttpRefusal.data(), kPlainHttpRefusal.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  boost::system::error_code ec;
  socket.shutdown(tcp::socket::shutdown_send, ec);
  socket.close(ec);
}

}  // namespace

Tls::~Tls() = default;

Result<std::shared_ptr<Tls>> Tls::Create(std::string cert_file, std::string key_file, std::string client_ca_file) {
  auto tls = std::shared_ptr<Tls>(new Tls());
  tls->impl_ = std::make_unique<Impl>();
  tls->impl_->cert = std::move(cert_file);
  tls->impl_->key = std::move(key_file);
  tls->impl_->client_ca = std::move(client_ca_file);
  BASALT_RETURN_IF_ERROR(tls->Reload());
  return tls;
}

Status Tls::Reload() {
  BASALT_ASSIGN_OR_RETURN(auto context, Build(*impl_));
  std::lock_guard lock(impl_->mu);
  impl_->context = std::move(context);
  return Status::Ok();
}

namespace internal {

void StartTls(Tls& tls, Socket socket, Context& ctx) {
  auto context = tls.impl()->Current();
  auto sock = std::make_shared<Socket>(std::move(socket));
  auto timer = std::make_shared<Timer>(sock->get_executor());
  timer->expires_after(std::chrono::seconds(ctx.options.header_timeout_seconds));
  timer->async_wait([sock](boost::system::error_code ec) {
    if (!ec) sock->cancel();  // no first byte in time
  });
  // The first byte tells a TLS ClientHello (a handshake record, 0x16) from plain HTTP.
  sock->async_wait(tcp::socket::wait_read, [sock, timer, context, &ctx](boost::system::error_code ec) {
    timer->cancel();
    unsigned char first = 0;
    if (ec || ::recv(sock->native_handle(), &first, 1, MSG_PEEK) != 1) {
      boost::system::error_code ignored;
      sock->close(ignored);
      ctx.connections.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
    if (first != 0x16) {
      Refuse(*sock);
      ctx.connections.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
    using TlsStream = beast::ssl_stream<Socket>;
    auto stream = std::make_shared<TlsStream>(std::move(*sock), *context);
    // The handshake has the header timeout too: when it passes, the socket
    // is closed and the handshake fails.
    timer->expires_after(std::chrono::seconds(ctx.options.header_timeout_seconds));
    timer->async_wait([weak = std::weak_ptr<TlsStream>(stream)](boost::system::error_code wait) {
      if (wait) return;
      boost::system::error_code ignored;
      if (auto s = weak.lock()) beast::get_lowest_layer(*s).close(ignored);
    });
    stream->async_handshake(ssl::stream_base::server, [stream, timer, context, &ctx](boost::system::error_code hs) {
      timer->cancel();
      if (hs) {  // not TLS after all, an untrusted client certificate, a timeout
        boost::system::error_code ignored;
        beast::get_lowest_layer(*stream).close(ignored);
        ctx.connections.fetch_sub(1, std::memory_order_relaxed);
        return;
      }
      auto session = std::make_shared<Session<TlsStream>>(std::move(*stream), ctx);
      session->Run();
    });
  });
}

}  // namespace internal
}  // namespace basalt::http
