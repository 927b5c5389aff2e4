#include "triggers/mapping_api.h"

#include <cctype>

#include "api/json.h"

namespace basalt::triggers {
namespace {

MappingResponse Error(const Status& st) {
  MappingResponse r;
  std::string type;
  switch (st.code()) {
    case Code::kResourceNotFound:
      r.status = 404;
      type = "ResourceNotFoundException";
      break;
    case Code::kResourceInUse:
      r.status = 409;
      type = "ResourceInUseException";
      break;
    case Code::kSerialization:
      r.status = 400;
      type = "InvalidRequestContentException";
      break;
    case Code::kValidation:
      r.status = 400;
      type = st.message().find("validation error") != std::string::npos ? "ValidationException"
                                                                         : "InvalidParameterValueException";
      break;
    default:
      r.status = 500;
      type = "ServiceException";
  }
  rapidjson::StringBuffer buf;
  api::JsonWriter w(buf);
  w.StartObject();
  w.Key("Type");
  w.String(r.status == 500 ? "Service" : "User");
  w.Key("Message");
  api::WriteString(w, st.message());
  w.EndObject();
  r.headers.emplace_back("X-Amzn-ErrorType", type);
  r.body.assign(buf.GetString(), buf.GetSize());
  return r;
}

// The API answers anyone who reaches the port: a command would run what any
// client asked. Commands are for the operator's flags and files only.
// Likewise a destination file: only inside the directory the operator named.
Status CheckApiMapping(const Triggers& triggers, const TriggerConfig& c) {
  if (c.function.starts_with("cmd:")) {
    return Status::Validation(
        "cmd: functions can only be declared with --trigger or --triggers-file; the API takes http:// URLs");
  }
  if (c.on_failure_file.empty()) return Status::Ok();
  const std::string& dir = triggers.api_destination_dir();
  if (dir.empty()) {
    return Status::Validation(
        "on-failure destination files through the API need Basalt started with --trigger-destination-dir DIR");
  }
  std::string prefix = dir.ends_with("/") ? dir : dir + "/";
  if (!c.on_failure_file.starts_with(prefix) || c.on_failure_file.find("/../") != std::string::npos ||
      c.on_failure_file.ends_with("/..")) {
    return Status::Validation("the on-failure destination must be a file in " + dir);
  }
  return Status::Ok();
}

MappingResponse Json(int status, std::string body) {
  MappingResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::string QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
  }
  return "";
}

}  // namespace

bool IsMappingRequest(std::string_view target) { return target.starts_with(kMappingPath); }

MappingResponse HandleMappingRequest(Triggers* triggers, const std::string& method, const std::string& target,
                                     const std::string& body) {
  std::string_view t = target;
  std::string_view query;
  if (size_t q = t.find('?'); q != std::string_view::npos) {
    query = t.substr(q + 1);
    t = t.substr(0, q);
  }
  std::string_view rest = t.substr(kMappingPath.size());
  if (rest.starts_with("/")) rest.remove_prefix(1);
  std::string uuid = PercentDecode(rest);
  if (uuid.ends_with("/")) uuid.pop_back();

  if (uuid.empty() && method == "POST") {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) return Error(Status::Serialization("The request body is not a JSON object."));
    Result<TriggerConfig> config = ParseMapping(doc, true);
    if (!config.ok()) return Error(config.status());
    if (Status st = CheckApiMapping(*triggers, *config); !st.ok()) return Error(st);
    Result<MappingView> view = triggers->Create(*std::move(config));
    if (!view.ok()) return Error(view.status());
    return Json(202, MappingJson(view->config, view->state, view->last_result));
  }
  if (uuid.empty() && method == "GET") {
    rapidjson::StringBuffer buf;
    api::JsonWriter w(buf);
    w.StartObject();
    w.Key("EventSourceMappings");
    w.StartArray();
    for (const MappingView& v : triggers->List(QueryParam(query, "EventSourceArn"), QueryParam(query, "FunctionName"))) {
      WriteMapping(w, v.config, v.state, v.last_result);
    }
    w.EndArray();
    w.EndObject();
    return Json(200, std::string(buf.GetString(), buf.GetSize()));
  }
  if (!uuid.empty() && method == "PUT") {
    // The stored mapping with the request's members laid over it.
    Result<MappingView> current = triggers->Get(uuid);
    if (!current.ok()) return Error(current.status());
    rapidjson::Document changes;
    changes.Parse(body.data(), body.size());
    if (changes.HasParseError() || !changes.IsObject()) {
      return Error(Status::Serialization("The request body is not a JSON object."));
    }
    for (const char* fixed : {"EventSourceArn", "StartingPosition", "StartingPositionTimestamp", "UUID"}) {
      if (changes.HasMember(fixed)) return Error(Status::Validation(std::string(fixed) + " cannot be updated."));
    }
    std::string base = MappingJson(current->config, current->state, current->last_result);
    rapidjson::Document merged;
    merged.Parse(base.data(), base.size());
    merged.AddMember("Enabled", current->config.enabled, merged.GetAllocator());
    for (auto& member : changes.GetObject()) {
      merged.RemoveMember(member.name.GetString());
      if (std::string_view(member.name.GetString()) == "FunctionName") merged.RemoveMember("FunctionArn");
      merged.AddMember(rapidjson::Value(member.name, merged.GetAllocator()),
                       rapidjson::Value(member.value, merged.GetAllocator()), merged.GetAllocator());
    }
    Result<TriggerConfig> config = ParseMapping(merged, true);
    if (!config.ok()) return Error(config.status());
    if (Status st = CheckApiMapping(*triggers, *config); !st.ok()) return Error(st);
    Result<MappingView> view = triggers->Update(*std::move(config));
    if (!view.ok()) return Error(view.status());
    return Json(202, MappingJson(view->config, view->state, view->last_result));
  }
  if (!uuid.empty() && (method == "GET" || method == "DELETE")) {
    Result<MappingView> view = method == "GET" ? triggers->Get(uuid) : triggers->Delete(uuid);
    if (!view.ok()) return Error(view.status());
    return Json(method == "GET" ? 200 : 202, MappingJson(view->config, view->state, view->last_result));
  }
  MappingResponse r = Error(Status(Code::kUnknownOperation, "Method " + method + " is not supported on " + target));
  r.status = 405;
  return r;
}

}  // namespace basalt::triggers
