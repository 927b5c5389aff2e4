// The web console at /console (docs/console.md): static files from the
// console's directory, and the access-pattern report rendered on the server
// so that it reads without JavaScript. The console's pages call the
// DynamoDB API, GET /metrics and GET /basalt/report themselves, signed in the
// browser (console/web/sigv4.js), so this module serves no data but the
// report.
//
//   /console, /console/        console/web/index.html
//   /console/report            the report as an HTML page (server-rendered
//                              Markdown; ?fragment=1: its <article> alone,
//                              for the console to insert)
//   /console/vendor/PATH       console/node_modules/PATH (npm packages,
//                              installed by scripts/setup.sh)
//   /console/PATH              console/web/PATH
//
// Every PATH is checked before a file is opened: percent-decoded, its
// segments are not empty, ".", "..", hidden or holding a backslash or NUL;
// its extension has a known Content-Type; and the file, symbolic links
// resolved, lies inside the directory it was asked from.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/server.h"

namespace basalt::server {

constexpr std::string_view kConsolePath = "/console";

struct ConsoleOptions {
  // The console's directory: web/ (the hand-written pages) and node_modules/.
  std::string dir;
  // The access-pattern report for `req`'s namespace in `format` ("md" or
  // "json"), or nullopt when this server has none to give.
  std::function<std::optional<std::string>(const http::Request& req, std::string_view format)> report;
};

// The console's directory when no --console-assets is given: `console/` of
// the source tree the binary was built in (found from the executable's path,
// build/src/basalt -> console/), else the installed share/basalt/console
// next to bin/. Empty when neither holds web/index.html.
std::string DefaultConsoleDir(const std::string& executable);

// The file a console URL path (after /console/) names under `dir`, or the
// reason it is refused (kValidation: a path never served; kResourceNotFound:
// no such file).
Result<std::string> ResolveConsoleFile(const std::string& dir, std::string_view path);

// Content-Type by extension ("" for one that is not served).
std::string_view ConsoleContentType(std::string_view file);

// Whether `path` is one of the console's static files, which hold no data
// and so are served without a signature under --auth=sigv4 (a browser cannot
// sign the page it navigates to). Everything else the console shows comes
// from requests its scripts sign with the root's key (/console/report
// included).
bool ConsolePathIsOpen(std::string_view path);

// Answers GET and HEAD under /console (405 for other methods, 404 for what
// does not exist, 400 for a refused path); nullopt outside /console.
std::optional<http::Response> ServeConsole(const ConsoleOptions& options, const http::Request& req);

// The HTML page of the report: `markdown` rendered, or a page saying the
// report is not available when it is nullopt. `fragment`: the <article> only.
std::string ReportPage(const std::optional<std::string>& markdown, bool fragment);

}  // namespace basalt::server
