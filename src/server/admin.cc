#include "server/admin.h"

#include <cctype>
#include <cstdio>
#include <string>

namespace basalt::server {
namespace {

constexpr std::string_view kPrefix = "/basalt/snapshots";

http::Response Json(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body) + "\n";
  return r;
}

http::Response Error(const Status& st) {
  int status = st.code() == Code::kResourceNotFound ? 404 : st.code() == Code::kValidation ? 400 : 500;
  std::string message;
  for (char c : st.message()) {
    if (c == '"' || c == '\\') message.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) message.push_back(c);
  }
  return Json(status, "{\"error\":\"" + message + "\"}");
}

std::string Info(const db::InstanceSnapshotInfo& i) {
  char created[32];
  std::snprintf(created, sizeof created, "%.3f", i.created);
  return "{\"name\":\"" + i.name + "\",\"created\":" + created + ",\"tables\":" + std::to_string(i.tables) +
         ",\"items\":" + std::to_string(i.items) + "}";
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  }
  return true;
}

}  // namespace

std::optional<http::Response> HandleAdmin(db::Database* db, const NamespaceRule& rule, const http::Request& req) {
  std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
  if (path == "/basalt/backup") {
    if (req.method != "POST") return Json(405, "{\"error\":\"use POST /basalt/backup?to=DIR\"}");
    std::string to = QueryParam(req.target, "to");
    if (to.empty() || to[0] != '/') {
      return Json(400, "{\"error\":\"give the directory to write as an absolute path: ?to=/DIR\"}");
    }
    Status st = db->Checkpoint(to);
    if (!st.ok()) return Error(st);
    return Json(200, "{\"backup\":\"" + to + "\"}");
  }
  if (!path.starts_with(kPrefix)) return std::nullopt;
  RequestNamespace where = NamespaceOf(req, rule);
  db::Scope scope{where.ns, where.region};
  db::InstanceSnapshots& snapshots = db->snapshots();
  std::string_view rest = path.substr(kPrefix.size());
  if (rest.empty() || rest == "/") {
    if (req.method != "GET") return Json(405, "{\"error\":\"use GET to list snapshots\"}");
    auto list = snapshots.List(scope);
    if (!list.ok()) return Error(list.status());
    std::string body = "{\"snapshots\":[";
    for (size_t i = 0; i < list->size(); ++i) body += (i ? "," : "") + Info((*list)[i]);
    return Json(200, body + "]}");
  }
  rest.remove_prefix(1);
  bool restore = rest.ends_with("/restore");
  std::string name(restore ? rest.substr(0, rest.size() - 8) : rest);
  if (!ValidName(name)) return Json(400, "{\"error\":\"a snapshot name is 1 to 255 of [a-zA-Z0-9_.-]\"}");
  if (restore || req.method == "POST") {
    if (req.method != "POST") return Json(405, "{\"error\":\"use POST\"}");
    auto info = restore ? snapshots.Restore(scope, name) : snapshots.Save(scope, name);
    if (!info.ok()) return Error(info.status());
    return Json(200, Info(*info));
  }
  if (req.method == "DELETE") {
    Status st = snapshots.Delete(scope, name);
    if (!st.ok()) return Error(st);
    return Json(200, "{}");
  }
  return Json(405, "{\"error\":\"use POST to save, POST .../restore to restore, DELETE to delete\"}");
}

}  // namespace basalt::server
