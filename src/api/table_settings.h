// OnDemandThroughput, WarmThroughput and SSESpecification: read from
// CreateTable, UpdateTable, their GSI entries and the restores' overrides,
// and written into TableDescription.
#pragma once

#include <optional>
#include <string>

#include "api/json.h"
#include "db/requests.h"

namespace basalt::api {

// The object `member` of `obj` ("OnDemandThroughput", or a restore's
// "OnDemandThroughputOverride"), when present.
Status ReadOnDemandThroughput(const JsonValue& obj, const char* member, std::optional<db::OnDemandInput>* out);
// WarmThroughput of `obj`, when present; members below 1 are constraint
// errors at `path` ("warmThroughput", "globalSecondaryIndexes.1.member.warmThroughput").
Status ReadWarmThroughput(const JsonValue& obj, const std::string& path, ConstraintErrors* errors,
                          std::optional<db::WarmInput>* out);
// The SSESpecification-shaped object `member` of `obj`, when present.
Status ReadSseSpecification(const JsonValue& obj, const char* member, const std::string& path,
                            ConstraintErrors* errors, std::optional<db::SseSettings>* out);

// "OnDemandThroughput": {...}, when a cap is set (-1 for the other).
void WriteOnDemandThroughput(JsonWriter& w, const db::OnDemandCaps& caps);
// "WarmThroughput": {...}, when it was set; an unset member shows `defaults`.
void WriteWarmThroughput(JsonWriter& w, const db::WarmThroughput& warm, const db::WarmThroughput& defaults,
                         std::string_view status);
// "SSEDescription": {...}, for a table with a KMS key.
void WriteSseDescription(JsonWriter& w, const db::TableMeta& meta);

}  // namespace basalt::api
