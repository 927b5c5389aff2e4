// A stream trigger's definition: Lambda's event source mapping, with a
// local function in place of a Lambda function. Three ways make one:
//
//   --trigger TABLE=http://host:port/path     POST each batch's event; 2xx is success
//   --trigger TABLE=cmd:COMMAND               run COMMAND (/bin/sh -c) with the event on
//                                             stdin; exit status 0 is success
//   --triggers-file FILE                      {"Triggers": [{"TableName": ..., "FunctionName": ...,
//                                             options as CreateEventSourceMapping names them}]}
//   POST /2015-03-31/event-source-mappings/   Lambda's CreateEventSourceMapping, with a
//                                             stream ARN as EventSourceArn (mapping_api.h)
//
// A trigger declared by table name follows every stream of tables with that
// name (a table deleted and created again, in any region); one made through
// the API follows the one stream its ARN names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/json.h"
#include "common/status.h"

namespace basalt::triggers {

struct TriggerConfig {
  std::string uuid;
  std::string table;             // follow the streams of tables with this name...
  std::string event_source_arn;  // ...or this one stream
  std::string function;          // "http://..." or "cmd:..."
  int batch_size = 100;
  int max_batching_window_seconds = 0;
  bool starting_latest = false;  // StartingPosition LATEST (else TRIM_HORIZON)
  bool bisect_on_error = false;
  int max_retry_attempts = -1;   // -1: until the records expire
  int max_record_age_seconds = -1;  // -1: until the stream trims them
  bool report_batch_item_failures = false;
  std::string on_failure_file;   // JSON lines; from DestinationConfig.OnFailure.Destination
  std::vector<std::string> filter_patterns;  // FilterCriteria.Filters[].Pattern
  double timeout_seconds = 60;   // one invocation's limit (Lambda's function timeout)
  bool enabled = true;
  double last_modified = 0;
  bool from_api = false;         // stored in the MetaStore (flag and file triggers are not)
};

// "TABLE=TARGET" from --trigger; the uuid is derived from the text so that
// its checkpoints survive restarts.
Result<TriggerConfig> ParseTriggerFlag(const std::string& text);
// The "Triggers" of a --triggers-file.
Result<std::vector<TriggerConfig>> ParseTriggersFile(const std::string& json);
// A CreateEventSourceMapping request (or a stored mapping): Lambda's member
// names, constraints and defaults. `require_arn`: the API form.
Result<TriggerConfig> ParseMapping(const api::JsonValue& v, bool require_arn);
// EventSourceMappingConfiguration, as Lambda answers Create/Get/List/Delete.
void WriteMapping(api::JsonWriter& w, const TriggerConfig& c, const std::string& state,
                  const std::string& last_result);
std::string MappingJson(const TriggerConfig& c, const std::string& state, const std::string& last_result);

// A stable id in UUID form from any text.
std::string StableUuid(const std::string& text);

}  // namespace basalt::triggers
