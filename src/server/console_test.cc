#include "server/console.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace basalt::server {
namespace {

namespace fs = std::filesystem;

// A console directory in a temporary folder:
//   DIR/web/index.html, DIR/web/app.js, DIR/web/.hidden.js, DIR/web/notes.txt,
//   DIR/web/escape.js -> ../../secret.js (a link out of the directory)
//   DIR/node_modules/uplot/dist/uPlot.min.css
//   DIR/../secret.js
class ConsoleTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/console_test.XXXXXX";
    root_ = mkdtemp(pattern);
    dir_ = root_ + "/console";
    fs::create_directories(dir_ + "/web");
    fs::create_directories(dir_ + "/node_modules/uplot/dist");
    Write(dir_ + "/web/index.html", "<!doctype html><title>console</title>");
    Write(dir_ + "/web/app.js", "console.log(1)");
    Write(dir_ + "/web/.hidden.js", "hidden");
    Write(dir_ + "/web/notes.txt", "text");
    Write(dir_ + "/node_modules/uplot/dist/uPlot.min.css", ".u{}");
    Write(root_ + "/secret.js", "secret");
    fs::create_symlink("../../secret.js", dir_ + "/web/escape.js");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

  // "ok FILE-RELATIVE-TO-DIR" or "refused: REASON" or "missing".
  std::string Resolve(std::string_view path) {
    auto r = ResolveConsoleFile(dir_, path);
    if (r.ok()) return "ok " + r->substr(fs::canonical(dir_).string().size() + 1);
    return r.status().code() == Code::kResourceNotFound ? "missing" : "refused: " + r.status().message();
  }

  http::Response Get(std::string target, std::string method = "GET",
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.headers = std::move(headers);
    ConsoleOptions options{dir_, report_};
    auto r = ServeConsole(options, req);
    EXPECT_TRUE(r.has_value());
    return r ? *r : http::Response{};
  }

  static std::string Header(const http::Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "(none)";
  }

  std::string root_, dir_;
  std::function<std::optional<std::string>(const http::Request&, std::string_view)> report_;
};

TEST_F(ConsoleTest, ResolvesPagesAndVendorFiles) {
  EXPECT_EQ("ok web/index.html", Resolve(""));
  EXPECT_EQ("ok web/index.html", Resolve("index.html"));
  EXPECT_EQ("ok web/app.js", Resolve("app.js"));
  EXPECT_EQ("ok web/app.js", Resolve("app%2Ejs"));
  EXPECT_EQ("ok node_modules/uplot/dist/uPlot.min.css", Resolve("vendor/uplot/dist/uPlot.min.css"));
  EXPECT_EQ("missing", Resolve("nothing.js"));
  EXPECT_EQ("missing", Resolve("vendor/uplot/dist/none.js"));
}

TEST_F(ConsoleTest, RefusesTraversalHiddenFilesAndUnknownTypes) {
  EXPECT_EQ("refused: path segment not served: \"..\"", Resolve("../secret.js"));
  EXPECT_EQ("refused: path segment not served: \"..\"", Resolve("%2E%2E/secret.js"));
  EXPECT_EQ("refused: path segment not served: \"..\"", Resolve("%2e%2e%2fsecret.js"));
  EXPECT_EQ("refused: path segment not served: \"..\"", Resolve("vendor/../../secret.js"));
  EXPECT_EQ("refused: path segment not served: \"..\"", Resolve("vendor/uplot/../../web/app.js"));
  EXPECT_EQ("refused: path segment not served: \"..\\secret.js\"", Resolve("..\\secret.js"));
  EXPECT_EQ("refused: path segment not served: \".\"", Resolve("./app.js"));
  EXPECT_EQ("refused: path segment not served: \"\"", Resolve("/etc/passwd.js"));
  EXPECT_EQ("refused: path segment not served: \"\"", Resolve("a//app.js"));
  EXPECT_EQ("refused: path segment not served: \".hidden.js\"", Resolve(".hidden.js"));
  EXPECT_EQ("refused: file type not served", Resolve("notes.txt"));
  EXPECT_EQ("refused: file type not served", Resolve("vendor/uplot/package.json"));
  EXPECT_EQ("refused: malformed escape in the path", Resolve("app%2"));
  std::string nul = "app.js";
  nul += '\0';
  nul += ".js";
  EXPECT_EQ("refused: path segment not served: \"app.js", Resolve(nul).substr(0, 41));
  EXPECT_EQ("refused: path segment not served: \"app.js", Resolve("app.js%00.js").substr(0, 41));
  // a symbolic link out of the directory
  EXPECT_EQ("refused: path leads outside the console's files", Resolve("escape.js"));
}

TEST_F(ConsoleTest, ServesFilesWithTypeAndCacheHeaders) {
  http::Response page = Get("/console");
  EXPECT_EQ(200, page.status);
  EXPECT_EQ("text/html; charset=utf-8", Header(page, "Content-Type"));
  EXPECT_EQ("no-cache", Header(page, "Cache-Control"));
  EXPECT_EQ("nosniff", Header(page, "X-Content-Type-Options"));
  EXPECT_NE("(none)", Header(page, "Content-Security-Policy"));
  EXPECT_EQ("<!doctype html><title>console</title>", page.body);
  EXPECT_EQ(page.body, Get("/console/?x=1").body);

  http::Response js = Get("/console/app.js");
  EXPECT_EQ("text/javascript; charset=utf-8", Header(js, "Content-Type"));
  EXPECT_EQ("console.log(1)", js.body);
  EXPECT_EQ("text/css; charset=utf-8", Header(Get("/console/vendor/uplot/dist/uPlot.min.css"), "Content-Type"));

  // revalidation: the same ETag gets 304 without a body; HEAD has headers only
  http::Response again = Get("/console/app.js", "GET", {{"If-None-Match", Header(js, "ETag")}});
  EXPECT_EQ(304, again.status);
  EXPECT_EQ("", again.body);
  http::Response head = Get("/console/app.js", "HEAD");
  EXPECT_EQ(200, head.status);
  EXPECT_EQ("", head.body);
  EXPECT_EQ(Header(js, "ETag"), Header(head, "ETag"));
}

TEST_F(ConsoleTest, AnswersErrorsAndLeavesOtherPathsAlone) {
  EXPECT_EQ(404, Get("/console/nothing.js").status);
  EXPECT_EQ(400, Get("/console/../secret.js").status);
  EXPECT_EQ(400, Get("/console/%2e%2e/secret.js").status);
  http::Response post = Get("/console/app.js", "POST");
  EXPECT_EQ(405, post.status);
  EXPECT_EQ("GET, HEAD", Header(post, "Allow"));
  http::Request other;
  other.method = "GET";
  other.target = "/consoles";
  EXPECT_FALSE(ServeConsole(ConsoleOptions{dir_, nullptr}, other).has_value());
  other.target = "/metrics";
  EXPECT_FALSE(ServeConsole(ConsoleOptions{dir_, nullptr}, other).has_value());
  // without the console's files
  http::Request page;
  page.method = "GET";
  page.target = "/console/";
  EXPECT_EQ(404, ServeConsole(ConsoleOptions{"", nullptr}, page)->status);
}

TEST_F(ConsoleTest, OnlyTheReportNeedsASignature) {
  EXPECT_TRUE(ConsolePathIsOpen("/console"));
  EXPECT_TRUE(ConsolePathIsOpen("/console/app.js"));
  EXPECT_TRUE(ConsolePathIsOpen("/console/vendor/uplot/dist/uPlot.min.css"));
  EXPECT_FALSE(ConsolePathIsOpen("/console/report"));
}

TEST_F(ConsoleTest, RendersTheReportOrSaysItIsNotAvailable) {
  http::Response none = Get("/console/report");
  EXPECT_EQ(200, none.status);
  EXPECT_EQ("no-store", Header(none, "Cache-Control"));
  EXPECT_NE(std::string::npos, none.body.find("<p id=\"report-unavailable\">"));

  std::string asked;
  report_ = [&](const http::Request& req, std::string_view format) -> std::optional<std::string> {
    asked = req.target + " " + std::string(format);
    return "# Report\n| a |\n|---|\n| <x> |\n";
  };
  http::Response page = Get("/console/report?access_key=local");
  EXPECT_EQ("/console/report?access_key=local md", asked);
  EXPECT_EQ("text/html; charset=utf-8", Header(page, "Content-Type"));
  EXPECT_EQ(0u, page.body.find("<!doctype html>"));
  EXPECT_NE(std::string::npos, page.body.find("<h1 id=\"report\">Report</h1>\n<table>"));
  EXPECT_NE(std::string::npos, page.body.find("<td>&lt;x&gt;</td>"));
  EXPECT_NE(std::string::npos, page.body.find("<script type=\"module\" src=\"/console/report-page.js\">"));

  http::Response fragment = Get("/console/report?fragment=1");
  EXPECT_EQ(0u, fragment.body.find("<article id=\"access-pattern-report\" class=\"report\">\n<h1"));
  EXPECT_EQ(std::string::npos, fragment.body.find("<script"));
}

}  // namespace
}  // namespace basalt::server
