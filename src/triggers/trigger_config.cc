#include "triggers/trigger_config.h"

#include <cinttypes>
#include <cstdio>
#include <functional>

#include "triggers/event_filter.h"

namespace basalt::triggers {
namespace {

// Lambda's InvalidParameterValueException (the mapping API maps kValidation to it).
Status InvalidParameter(const std::string& m) { return Status::Validation(m); }

uint64_t Fnv1a(std::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

Status ReadInt(const api::JsonValue& v, const char* field, std::string_view path, int64_t lo, int64_t hi,
               api::ConstraintErrors* errors, int* out) {
  BASALT_ASSIGN_OR_RETURN(auto n, api::GetInteger(v, field));
  if (!n) return Status::Ok();
  if (*n < lo) {
    errors->Add("'" + std::to_string(*n) + "'", path,
                "Member must have value greater than or equal to " + std::to_string(lo));
  } else if (*n > hi) {
    errors->Add("'" + std::to_string(*n) + "'", path,
                "Member must have value less than or equal to " + std::to_string(hi));
  } else {
    *out = static_cast<int>(*n);
  }
  return Status::Ok();
}

Status CheckFunction(const std::string& f) {
  if (f.starts_with("http://") || (f.starts_with("cmd:") && f.size() > 4)) return Status::Ok();
  return InvalidParameter("FunctionName must be an http:// URL or cmd:COMMAND (Basalt runs functions locally): " + f);
}

}  // namespace

std::string StableUuid(const std::string& text) {
  uint64_t a = Fnv1a(text, 14695981039346656037ULL);
  uint64_t b = Fnv1a(text, a ^ 0x9e3779b97f4a7c15ULL);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012" PRIx64, static_cast<unsigned>(a >> 32),
                static_cast<unsigned>(a >> 16) & 0xffff, static_cast<unsigned>(a) & 0xffff,
                static_cast<unsigned>(b >> 48), static_cast<uint64_t>(b & 0xffffffffffffULL));
  return buf;
}

Result<TriggerConfig> ParseTriggerFlag(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    return Status::Validation("invalid value for --trigger: '" + text +
                              "' (expected TABLE=http://host:port/path or TABLE=cmd:COMMAND)");
  }
  TriggerConfig c;
  c.table = text.substr(0, eq);
  c.function = text.substr(eq + 1);
  BASALT_RETURN_IF_ERROR(CheckFunction(c.function));
  c.uuid = StableUuid("flag:" + text);
  return c;
}

Result<TriggerConfig> ParseMapping(const api::JsonValue& v, bool require_arn) {
  if (!v.IsObject()) return Status::Serialization("a mapping is a JSON object");
  TriggerConfig c;
  api::ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto uuid, api::GetString(v, "UUID"));
  BASALT_ASSIGN_OR_RETURN(auto function, api::GetString(v, "FunctionName"));
  if (!function) {
    BASALT_ASSIGN_OR_RETURN(function, api::GetString(v, "FunctionArn"));
  }
  BASALT_ASSIGN_OR_RETURN(auto arn, api::GetString(v, "EventSourceArn"));
  BASALT_ASSIGN_OR_RETURN(auto table, api::GetString(v, "TableName"));
  BASALT_ASSIGN_OR_RETURN(auto enabled, api::GetBool(v, "Enabled"));
  BASALT_ASSIGN_OR_RETURN(auto position, api::GetString(v, "StartingPosition"));
  BASALT_ASSIGN_OR_RETURN(auto bisect, api::GetBool(v, "BisectBatchOnFunctionError"));
  BASALT_ASSIGN_OR_RETURN(auto last_modified, api::GetInteger(v, "LastModified"));
  BASALT_ASSIGN_OR_RETURN(auto timeout, api::GetInteger(v, "TimeoutSeconds"));
  if (!function) errors.AddNull("functionName");
  BASALT_RETURN_IF_ERROR(ReadInt(v, "BatchSize", "batchSize", 1, 10000, &errors, &c.batch_size));
  BASALT_RETURN_IF_ERROR(ReadInt(v, "MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, 300,
                                 &errors, &c.max_batching_window_seconds));
  BASALT_RETURN_IF_ERROR(
      ReadInt(v, "MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000, &errors, &c.max_retry_attempts));
  BASALT_RETURN_IF_ERROR(ReadInt(v, "MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, 604800, &errors,
                                 &c.max_record_age_seconds));
  if (position && *position != "TRIM_HORIZON" && *position != "LATEST" && *position != "AT_TIMESTAMP") {
    errors.Add("'" + *position + "'", "startingPosition", "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  if (c.max_record_age_seconds >= 0 && c.max_record_age_seconds < 60) {
    return InvalidParameter("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800");
  }
  c.function = *function;
  BASALT_RETURN_IF_ERROR(CheckFunction(c.function));
  if (arn) c.event_source_arn = *arn;
  if (table) c.table = *table;
  if (require_arn && c.event_source_arn.empty()) return InvalidParameter("EventSourceArn is required");
  if (c.event_source_arn.empty() && c.table.empty()) return InvalidParameter("TableName is required");
  if (!c.event_source_arn.empty() && c.event_source_arn.find(":table/") == std::string::npos) {
    return InvalidParameter("EventSourceArn must be a DynamoDB stream ARN: " + c.event_source_arn);
  }
  if (require_arn && !position) {
    return InvalidParameter("StartingPosition is required for DynamoDB stream event sources.");
  }
  if (position && *position == "AT_TIMESTAMP") {
    return InvalidParameter("Unsupported starting position for DynamoDB streams: AT_TIMESTAMP");
  }
  c.starting_latest = position && *position == "LATEST";
  c.enabled = enabled.value_or(true);
  c.bisect_on_error = bisect.value_or(false);
  if (last_modified) c.last_modified = static_cast<double>(*last_modified);
  if (timeout) {
    if (*timeout < 1 || *timeout > 900) return InvalidParameter("TimeoutSeconds must be between 1 and 900");
    c.timeout_seconds = static_cast<double>(*timeout);
  }
  if (uuid) c.uuid = *uuid;

  BASALT_ASSIGN_OR_RETURN(const api::JsonValue* types, api::GetArray(v, "FunctionResponseTypes"));
  if (types) {
    for (const auto& t : types->GetArray()) {
      if (!t.IsString() || std::string_view(t.GetString()) != "ReportBatchItemFailures") {
        return InvalidParameter("FunctionResponseTypes may only contain ReportBatchItemFailures");
      }
      c.report_batch_item_failures = true;
    }
  }
  BASALT_ASSIGN_OR_RETURN(const api::JsonValue* dest, api::GetObject(v, "DestinationConfig"));
  if (dest) {
    BASALT_ASSIGN_OR_RETURN(const api::JsonValue* on_failure, api::GetObject(*dest, "OnFailure"));
    if (on_failure) {
      BASALT_ASSIGN_OR_RETURN(auto d, api::GetString(*on_failure, "Destination"));
      if (d && !d->empty()) {
        std::string path = d->starts_with("file://") ? d->substr(7) : d->starts_with("file:") ? d->substr(5) : *d;
        if (!path.starts_with("/")) {
          return InvalidParameter("DestinationConfig.OnFailure.Destination must be an absolute file path (file:///...): " + *d);
        }
        c.on_failure_file = path;
      }
    }
  }
  BASALT_ASSIGN_OR_RETURN(const api::JsonValue* criteria, api::GetObject(v, "FilterCriteria"));
  if (criteria) {
    BASALT_ASSIGN_OR_RETURN(const api::JsonValue* filters, api::GetArray(*criteria, "Filters"));
    if (filters) {
      if (filters->Size() > 10) return InvalidParameter("FilterCriteria may hold 10 filters at most");
      for (const auto& f : filters->GetArray()) {
        if (!f.IsObject()) return Status::Serialization("a filter is a JSON object");
        BASALT_ASSIGN_OR_RETURN(auto pattern, api::GetString(f, "Pattern"));
        if (!pattern) return InvalidParameter("a filter needs a Pattern");
        c.filter_patterns.push_back(*pattern);
      }
      BASALT_RETURN_IF_ERROR(EventFilter::Parse(c.filter_patterns).status());
    }
  }
  return c;
}

Result<std::vector<TriggerConfig>> ParseTriggersFile(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return Status::Validation("the triggers file is not a JSON object");
  BASALT_ASSIGN_OR_RETURN(const api::JsonValue* list, api::GetArray(doc, "Triggers"));
  if (!list) return Status::Validation("the triggers file has no \"Triggers\" list");
  std::vector<TriggerConfig> out;
  for (const auto& entry : list->GetArray()) {
    BASALT_ASSIGN_OR_RETURN(TriggerConfig c, ParseMapping(entry, false));
    if (c.uuid.empty()) {
      rapidjson::StringBuffer buf;
      api::JsonWriter w(buf);
      entry.Accept(w);
      c.uuid = StableUuid("file:" + std::string(buf.GetString(), buf.GetSize()));
    }
    out.push_back(std::move(c));
  }
  return out;
}

void WriteMapping(api::JsonWriter& w, const TriggerConfig& c, const std::string& state,
                  const std::string& last_result) {
  w.StartObject();
  w.Key("UUID");
  api::WriteString(w, c.uuid);
  w.Key("StartingPosition");
  w.String(c.starting_latest ? "LATEST" : "TRIM_HORIZON");
  w.Key("BatchSize");
  w.Int(c.batch_size);
  w.Key("MaximumBatchingWindowInSeconds");
  w.Int(c.max_batching_window_seconds);
  w.Key("ParallelizationFactor");
  w.Int(1);
  if (!c.event_source_arn.empty()) {
    w.Key("EventSourceArn");
    api::WriteString(w, c.event_source_arn);
  }
  if (!c.table.empty()) {
    w.Key("TableName");  // Basalt's: a trigger that follows a table by name
    api::WriteString(w, c.table);
  }
  if (!c.filter_patterns.empty()) {
    w.Key("FilterCriteria");
    w.StartObject();
    w.Key("Filters");
    w.StartArray();
    for (const std::string& p : c.filter_patterns) {
      w.StartObject();
      w.Key("Pattern");
      api::WriteString(w, p);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.Key("FunctionArn");
  api::WriteString(w, c.function);
  w.Key("LastModified");
  w.Int64(static_cast<int64_t>(c.last_modified));
  w.Key("LastProcessingResult");
  api::WriteString(w, last_result);
  w.Key("State");
  api::WriteString(w, state);
  w.Key("StateTransitionReason");
  w.String("User action");
  w.Key("DestinationConfig");
  w.StartObject();
  w.Key("OnFailure");
  w.StartObject();
  if (!c.on_failure_file.empty()) {
    w.Key("Destination");
    api::WriteString(w, "file://" + c.on_failure_file);
  }
  w.EndObject();
  w.EndObject();
  w.Key("MaximumRecordAgeInSeconds");
  w.Int(c.max_record_age_seconds);
  w.Key("BisectBatchOnFunctionError");
  w.Bool(c.bisect_on_error);
  w.Key("MaximumRetryAttempts");
  w.Int(c.max_retry_attempts);
  w.Key("TumblingWindowInSeconds");
  w.Int(0);
  w.Key("FunctionResponseTypes");
  w.StartArray();
  if (c.report_batch_item_failures) w.String("ReportBatchItemFailures");
  w.EndArray();
  w.EndObject();
}

std::string MappingJson(const TriggerConfig& c, const std::string& state, const std::string& last_result) {
  rapidjson::StringBuffer buf;
  api::JsonWriter w(buf);
  WriteMapping(w, c, state, last_result);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace basalt::triggers
