#include "server/console.h"

#include <sys/stat.h>

#include <cctype>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "server/markdown.h"

namespace basalt::server {
namespace {

constexpr size_t kMaxFileBytes = 8 << 20;  // nothing the console serves is near this

// The policy every console response carries: scripts, styles and images from
// Basalt only (no inline script, so nothing in the rendered report can run),
// and no framing by other sites.
constexpr const char* kSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : std::string();
}

bool IsFile(const std::string& path) {
  struct stat st{};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// %XX decoded ('+' is a plus in a path); nullopt for a malformed escape.
std::optional<std::string> DecodePath(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    if (!std::isxdigit(static_cast<unsigned char>(s[i + 1])) || !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return std::nullopt;
    }
    out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

http::Response Text(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.body = std::move(body) + "\n";
  return r;
}

http::Response Html(std::string body) {
  http::Response r;
  r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");  // the report changes with the traffic
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy", kSecurityPolicy);
  r.body = std::move(body);
  return r;
}

// A static file. Its ETag is its size and modification time: the console's
// files change when Basalt is rebuilt or upgraded, so a browser revalidates
// each time (no-cache) and gets 304 while they are the same.
http::Response File(const http::Request& req, const std::string& file) {
  struct stat st{};
  if (stat(file.c_str(), &st) != 0 || static_cast<size_t>(st.st_size) > kMaxFileBytes) {
    return Text(404, "not found");
  }
  std::string etag = "\"" + std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
                     std::to_string(st.st_mtim.tv_nsec) + "\"";
  http::Response r;
  r.headers.emplace_back("Content-Type", std::string(ConsoleContentType(file)));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (file.ends_with(".html")) r.headers.emplace_back("Content-Security-Policy", kSecurityPolicy);
  if (req.Header("If-None-Match") == etag) {
    r.status = 304;
    return r;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Text(404, "not found");
  std::ostringstream body;
  body << in.rdbuf();
  if (req.method != "HEAD") r.body = body.str();
  return r;
}

}  // namespace

std::string DefaultConsoleDir(const std::string& executable) {
  std::string exe = RealPath(executable.empty() ? "/proc/self/exe" : executable);
  if (exe.empty()) return "";
  std::string bin = exe.substr(0, exe.rfind('/'));
  // build/src/basalt (the source tree's build), then PREFIX/bin/basalt (installed).
  for (const std::string& candidate : {bin + "/../../console", bin + "/../share/basalt/console"}) {
    if (IsFile(candidate + "/web/index.html")) return RealPath(candidate);
  }
  return "";
}

std::string_view ConsoleContentType(std::string_view file) {
  struct Type {
    std::string_view extension, type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"}};
  for (const Type& t : kTypes) {
    if (file.ends_with(t.extension)) return t.type;
  }
  return "";
}

Result<std::string> ResolveConsoleFile(const std::string& dir, std::string_view path) {
  if (dir.empty()) return Status(Code::kResourceNotFound, "the console's files were not found (--console-assets)");
  auto decoded = DecodePath(path);
  if (!decoded) return Status::Validation("malformed escape in the path");
  std::string_view rest = *decoded;
  std::string base = dir + "/web";
  if (rest.empty()) rest = "index.html";
  if (rest.starts_with("vendor/")) {
    base = dir + "/node_modules";
    rest.remove_prefix(7);
  }
  for (std::string_view left = rest; !left.empty();) {
    size_t slash = left.find('/');
    std::string_view segment = left.substr(0, slash);
    if (segment.empty() || segment.starts_with('.') || segment.find('\\') != std::string_view::npos ||
        segment.find('\0') != std::string_view::npos) {
      return Status::Validation("path segment not served: \"" + std::string(segment) + "\"");
    }
    if (slash == std::string_view::npos) break;
    left.remove_prefix(slash + 1);
    if (left.empty()) return Status::Validation("path segment not served: \"\"");
  }
  if (ConsoleContentType(rest).empty()) return Status::Validation("file type not served");
  std::string root = RealPath(base);
  std::string file = RealPath(base + "/" + std::string(rest));
  if (root.empty() || file.empty() || !IsFile(file)) return Status(Code::kResourceNotFound, "not found");
  if (!file.starts_with(root + "/")) return Status::Validation("path leads outside the console's files");
  return file;
}

std::string ReportPage(const std::optional<std::string>& markdown, bool fragment) {
  std::string article = "<article id=\"access-pattern-report\" class=\"report\">\n";
  if (markdown) {
    article += MarkdownToHtml(*markdown);
  } else {
    article +=
        "<h1>Access-pattern report</h1>\n<p id=\"report-unavailable\">The access-pattern report is not available "
        "on this server: it records no access patterns (started with <code>--record-patterns=off</code>, or a "
        "build without the recorder).</p>\n";
  }
  article += "</article>\n";
  if (fragment) return article;
  return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>Access-pattern report · Basalt</title>\n"
         "<link rel=\"stylesheet\" href=\"/console/style.css\">\n"
         "<link rel=\"stylesheet\" href=\"/console/vendor/uplot/dist/uPlot.min.css\">\n"
         "<script src=\"/console/vendor/uplot/dist/uPlot.iife.min.js\" defer></script>\n"
         "<script type=\"module\" src=\"/console/report-page.js\"></script>\n"
         "</head>\n<body>\n<header class=\"top\"><a href=\"/console/\">Basalt console</a></header>\n<main>\n" +
         article + "<section id=\"report-charts\" aria-label=\"Report charts\"></section>\n</main>\n</body>\n</html>\n";
}

bool ConsolePathIsOpen(std::string_view path) { return path != std::string(kConsolePath) + "/report"; }

std::optional<http::Response> ServeConsole(const ConsoleOptions& options, const http::Request& req) {
  std::string_view path = PathOf(req.target);
  if (path != kConsolePath && !path.starts_with(std::string(kConsolePath) + "/")) return std::nullopt;
  if (req.method != "GET" && req.method != "HEAD") {
    http::Response r = Text(405, "the console answers GET and HEAD");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  std::string_view rest = path.size() > kConsolePath.size() ? path.substr(kConsolePath.size() + 1) : "";
  if (rest == "report") {
    std::optional<std::string> markdown;
    if (options.report) markdown = options.report(req, "md");
    http::Response r = Html(ReportPage(markdown, req.target.find("?fragment=1") != std::string::npos ||
                                                     req.target.find("&fragment=1") != std::string::npos));
    if (req.method == "HEAD") r.body.clear();
    return r;
  }
  auto file = ResolveConsoleFile(options.dir, rest);
  if (!file.ok()) {
    return Text(file.status().code() == Code::kValidation ? 400 : 404, file.status().message());
  }
  return File(req, *file);
}

}  // namespace basalt::server
