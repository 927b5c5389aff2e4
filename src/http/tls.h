// TLS for the server's listener (OpenSSL through Boost.Asio, included only in
// tls.cc): with ServerOptions::tls set, every connection on the port speaks
// TLS 1.2 or later; a plain-HTTP request there gets a plain 400 saying so,
// and the connection is closed.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace basalt::http {

class Tls {
 public:
  // PEM files: the certificate chain, its private key and, when given, the
  // CA whose certificates clients must present.
  static Result<std::shared_ptr<Tls>> Create(std::string cert_file, std::string key_file, std::string client_ca_file);
  ~Tls();

  // Re-reads the files (on SIGHUP); new connections use them, open ones go
  // on. On an error the current certificate stays.
  Status Reload();

  struct Impl;
  Impl* impl() const { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace basalt::http
