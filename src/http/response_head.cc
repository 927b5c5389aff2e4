#include "http/response_head.h"

#include <charconv>

namespace basalt::http {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void AppendNumber(std::string& out, size_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

void AppendResponseHead(std::string& out, const Response& r, unsigned version, bool keep_alive,
                        std::string_view date, std::string_view server_header, size_t body_size) {
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  AppendNumber(out, static_cast<size_t>(r.status));
  out.push_back(' ');
  out.append(ReasonPhrase(r.status));
  out.append("\r\n");
  AppendField(out, "Date", date);
  if (!server_header.empty()) AppendField(out, "Server", server_header);
  for (size_t i = 0; i < r.headers.size(); ++i) {
    const auto& [name, value] = r.headers[i];
    if (SameName(name, "Content-Length") || SameName(name, "Connection")) continue;
    bool replaced = false;
    for (size_t j = i + 1; j < r.headers.size() && !replaced; ++j) replaced = SameName(name, r.headers[j].first);
    if (!replaced) AppendField(out, name, value);
  }
  out.append("Content-Length: ");
  AppendNumber(out, body_size);
  out.append("\r\n");
  if (version == 10 && keep_alive) out.append("Connection: keep-alive\r\n");
  if (version != 10 && !keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n");
}

}  // namespace basalt::http
