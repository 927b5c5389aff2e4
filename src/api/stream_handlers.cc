// The DynamoDB Streams API: ListStreams, DescribeStream, GetShardIterator
// and GetRecords.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>

#include "api/handlers.h"

namespace basalt::api {

const char* StreamViewTypeName(db::StreamViewType type) {
  switch (type) {
    case db::StreamViewType::kKeysOnly: return "KEYS_ONLY";
    case db::StreamViewType::kNewImage: return "NEW_IMAGE";
    case db::StreamViewType::kOldImage: return "OLD_IMAGE";
    case db::StreamViewType::kNewAndOldImages: return "NEW_AND_OLD_IMAGES";
  }
  return "KEYS_ONLY";
}

std::optional<db::StreamViewType> ParseStreamViewType(std::string_view name) {
  if (name == "KEYS_ONLY") return db::StreamViewType::kKeysOnly;
  if (name == "NEW_IMAGE") return db::StreamViewType::kNewImage;
  if (name == "OLD_IMAGE") return db::StreamViewType::kOldImage;
  if (name == "NEW_AND_OLD_IMAGES") return db::StreamViewType::kNewAndOldImages;
  return std::nullopt;
}

namespace {

// Sequence numbers are shown as 21-digit decimal strings, as DynamoDB Local
// does; the service's are longer, and clients compare them as numbers.
std::string SequenceText(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%021" PRIu64, seq);
  return buf;
}

// A Limit member: at least 1 (a constraint error), at most `max` (DynamoDB's
// own ValidationException `too_many`).
Status ReadLimit(const JsonValue& req, int64_t max, const std::string& too_many, ConstraintErrors* errors,
                 std::optional<int64_t>* out) {
  BASALT_ASSIGN_OR_RETURN(*out, GetInteger(req, "Limit"));
  if (*out && **out < 1) {
    errors->Add("'" + std::to_string(**out) + "'", "limit", "Member must have value greater than or equal to 1");
  }
  BASALT_RETURN_IF_ERROR(errors->ToStatus());
  if (*out && **out > max) return Status::Validation(too_many);
  return Status::Ok();
}

void CheckLength(const std::optional<std::string>& v, std::string_view path, size_t min, size_t max,
                 ConstraintErrors* errors) {
  if (!v) return;
  if (v->size() < min) {
    errors->Add("'" + *v + "'", path, "Member must have length greater than or equal to " + std::to_string(min));
  } else if (v->size() > max) {
    errors->Add("'" + *v + "'", path, "Member must have length less than or equal to " + std::to_string(max));
  }
}

// DescribeStream's ShardFilter: the parent shard whose children are asked
// for ("" when the filter names none), or nullopt without a filter.
Result<std::optional<std::string>> ReadShardFilter(const JsonValue& req) {
  BASALT_ASSIGN_OR_RETURN(const JsonValue* filter, GetObject(req, "ShardFilter"));
  if (!filter) return std::optional<std::string>();
  BASALT_ASSIGN_OR_RETURN(auto type, GetString(*filter, "Type"));
  BASALT_ASSIGN_OR_RETURN(auto shard, GetString(*filter, "ShardId"));
  ConstraintErrors errors;
  if (!type) {
    // DynamoDB Local's wording; the service's is not documented.
    errors.Add("'null'", "shardFilter.type", "Member must be CHILD_SHARDS");
  } else if (*type != "CHILD_SHARDS") {
    errors.Add("'" + *type + "'", "shardFilter.type", "Member must satisfy enum value set: [CHILD_SHARDS]");
  }
  CheckLength(shard, "shardFilter.shardId", 28, 65, &errors);
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  return std::optional<std::string>(shard.value_or(""));
}

Status ListStreams(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto table, GetString(req, "TableName"));
  BASALT_ASSIGN_OR_RETURN(auto start, GetString(req, "ExclusiveStartStreamArn"));
  if (table) CheckTableName(table, "tableName", &errors);
  CheckLength(start, "exclusiveStartStreamArn", 37, 1024, &errors);
  std::optional<int64_t> limit;
  BASALT_RETURN_IF_ERROR(ReadLimit(req, 100,
                                   "One or more parameter values were invalid: Limit cannot be greater than the "
                                   "maximum allowed size: 100",
                                   &errors, &limit));
  std::vector<db::StreamMeta> streams = ctx.db->streams().List(ctx.scope.ns, table, start.value_or(""));
  size_t n = std::min(streams.size(), static_cast<size_t>(limit.value_or(100)));
  out.StartObject();
  out.Key("Streams");
  out.StartArray();
  for (size_t i = 0; i < n; ++i) {
    out.StartObject();
    out.Key("StreamArn");
    WriteString(out, streams[i].arn);
    out.Key("TableName");
    WriteString(out, streams[i].table);
    out.Key("StreamLabel");
    WriteString(out, streams[i].label);
    out.EndObject();
  }
  out.EndArray();
  if (n < streams.size()) {
    out.Key("LastEvaluatedStreamArn");
    WriteString(out, streams[n - 1].arn);
  }
  out.EndObject();
  return Status::Ok();
}

Status DescribeStream(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto arn, GetString(req, "StreamArn"));
  BASALT_ASSIGN_OR_RETURN(auto start, GetString(req, "ExclusiveStartShardId"));
  if (!arn) errors.AddNull("streamArn");
  CheckLength(arn, "streamArn", 37, 1024, &errors);
  CheckLength(start, "exclusiveStartShardId", 28, 65, &errors);
  std::optional<int64_t> limit;
  BASALT_RETURN_IF_ERROR(ReadLimit(
      req, 100, "One or more parameter values were invalid: Limit cannot be greater than the maximum: 100", &errors,
      &limit));
  BASALT_ASSIGN_OR_RETURN(std::optional<std::string> children_of, ReadShardFilter(req));
  if (children_of && start) {
    // DynamoDB Local's wording; the service's is not documented.
    return Status::Validation("ShardFilter and ExclusiveStartShardId both should not be specified in the request.");
  }
  BASALT_ASSIGN_OR_RETURN(db::StreamMeta s, ctx.db->streams().Describe(ctx.scope.ns, *arn));
  if (children_of) {
    // Only the children of the named shard (none when it names no shard).
    std::erase_if(s.shards, [&](const db::ShardMeta& sh) { return children_of->empty() || sh.parent != *children_of; });
  }
  // Shards after ExclusiveStartShardId: after the shard it names, or, when it
  // names none, after where such a shard id would sort (ids begin with their
  // creation time).
  size_t first = 0;
  if (start) {
    auto named = std::find_if(s.shards.begin(), s.shards.end(), [&](const db::ShardMeta& sh) { return sh.id == *start; });
    if (named != s.shards.end()) {
      first = named - s.shards.begin() + 1;
    } else {
      first = std::find_if(s.shards.begin(), s.shards.end(), [&](const db::ShardMeta& sh) { return sh.id > *start; }) -
              s.shards.begin();
    }
  }
  size_t end = std::min(s.shards.size(), first + static_cast<size_t>(limit.value_or(100)));
  out.StartObject();
  out.Key("StreamDescription");
  out.StartObject();
  out.Key("StreamArn");
  WriteString(out, s.arn);
  out.Key("StreamLabel");
  WriteString(out, s.label);
  out.Key("StreamStatus");
  out.String(s.enabled ? "ENABLED" : "DISABLED");
  out.Key("StreamViewType");
  out.String(StreamViewTypeName(s.view));
  out.Key("CreationRequestDateTime");
  out.Double(std::round(s.created_at * 1000) / 1000);
  out.Key("TableName");
  WriteString(out, s.table);
  out.Key("KeySchema");
  out.StartArray();
  for (const model::KeyAttribute* a : model::KeyAttributes(s.key_schema)) {
    out.StartObject();
    out.Key("AttributeName");
    WriteString(out, a->name);
    out.Key("KeyType");
    out.String(a == &s.key_schema.hash ? "HASH" : "RANGE");
    out.EndObject();
  }
  out.EndArray();
  out.Key("Shards");
  out.StartArray();
  for (size_t i = first; i < end; ++i) {
    const db::ShardMeta& sh = s.shards[i];
    out.StartObject();
    out.Key("ShardId");
    WriteString(out, sh.id);
    out.Key("SequenceNumberRange");
    out.StartObject();
    out.Key("StartingSequenceNumber");
    WriteString(out, SequenceText(sh.first_seq));
    if (sh.closed) {
      // An empty closed shard ends where it starts.
      out.Key("EndingSequenceNumber");
      WriteString(out, SequenceText(sh.records ? sh.last_seq : sh.first_seq));
    }
    out.EndObject();
    if (!sh.parent.empty()) {
      out.Key("ParentShardId");
      WriteString(out, sh.parent);
    }
    out.EndObject();
  }
  out.EndArray();
  if (end < s.shards.size()) {
    out.Key("LastEvaluatedShardId");
    WriteString(out, s.shards[end - 1].id);
  }
  out.EndObject();
  out.EndObject();
  return Status::Ok();
}

// A SequenceNumber member: decimal digits (21 to 40 of them, the model's
// lengths); numbers past what Basalt hands out saturate.
Result<std::optional<uint64_t>> ReadSequenceNumber(const JsonValue& req, ConstraintErrors* errors) {
  BASALT_ASSIGN_OR_RETURN(auto text, GetString(req, "SequenceNumber"));
  if (!text) return std::optional<uint64_t>();
  CheckLength(text, "sequenceNumber", 21, 40, errors);
  BASALT_RETURN_IF_ERROR(errors->ToStatus());
  uint64_t v = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return Status::Validation("Invalid SequenceNumber for the shard");
    uint64_t digit = static_cast<uint64_t>(c - '0');
    v = v > (std::numeric_limits<uint64_t>::max() - digit) / 10 ? std::numeric_limits<uint64_t>::max()
                                                                 : v * 10 + digit;
  }
  return std::optional<uint64_t>(v);
}

Status GetShardIterator(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto arn, GetString(req, "StreamArn"));
  BASALT_ASSIGN_OR_RETURN(auto shard, GetString(req, "ShardId"));
  BASALT_ASSIGN_OR_RETURN(
      auto type, GetEnum(req, "ShardIteratorType", "shardIteratorType",
                         {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"},
                         "[TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]", &errors));
  if (!arn) errors.AddNull("streamArn");
  CheckLength(arn, "streamArn", 37, 1024, &errors);
  if (!shard) errors.AddNull("shardId");
  CheckLength(shard, "shardId", 28, 65, &errors);
  auto t = req.FindMember("ShardIteratorType");
  if (t == req.MemberEnd() || t->value.IsNull()) errors.AddNull("shardIteratorType");
  BASALT_ASSIGN_OR_RETURN(std::optional<uint64_t> seq, ReadSequenceNumber(req, &errors));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  db::IteratorType kind = *type == "TRIM_HORIZON" ? db::IteratorType::kTrimHorizon
                          : *type == "LATEST"     ? db::IteratorType::kLatest
                          : *type == "AT_SEQUENCE_NUMBER" ? db::IteratorType::kAtSequenceNumber
                                                          : db::IteratorType::kAfterSequenceNumber;
  bool needs_seq = kind == db::IteratorType::kAtSequenceNumber || kind == db::IteratorType::kAfterSequenceNumber;
  // DynamoDB Local's wording for these two.
  if (needs_seq && !seq) return Status::Validation("One or more parameter values were invalid: Invalid SequenceNumber");
  if (!needs_seq && seq) {
    return Status::Validation(
        "One or more parameter values were invalid: SequenceNumber should not be passed for this iterator type");
  }
  BASALT_ASSIGN_OR_RETURN(std::string iterator,
                          ctx.db->streams().GetShardIterator(ctx.scope.ns, *arn, *shard, kind, seq));
  out.StartObject();
  out.Key("ShardIterator");
  WriteString(out, iterator);
  out.EndObject();
  return Status::Ok();
}

void WriteRecord(JsonWriter& out, const db::StreamRecord& r, const std::string& region) {
  static constexpr const char* kEventNames[] = {"", "INSERT", "MODIFY", "REMOVE"};
  out.StartObject();
  out.Key("eventID");
  WriteString(out, r.event_id);
  out.Key("eventName");
  out.String(kEventNames[r.event]);
  out.Key("eventVersion");
  out.String("1.1");
  out.Key("eventSource");
  out.String("aws:dynamodb");
  out.Key("awsRegion");
  WriteString(out, region);
  out.Key("dynamodb");
  out.StartObject();
  out.Key("ApproximateCreationDateTime");
  out.Double(std::floor(static_cast<double>(r.created_ms) / 1000));  // rounded down to the second
  out.Key("Keys");
  WriteItem(out, r.keys);
  if (r.new_image) {
    out.Key("NewImage");
    WriteItem(out, *r.new_image);
  }
  if (r.old_image) {
    out.Key("OldImage");
    WriteItem(out, *r.old_image);
  }
  out.Key("SequenceNumber");
  WriteString(out, SequenceText(r.seq));
  out.Key("SizeBytes");
  out.Uint64(r.size_bytes);
  out.Key("StreamViewType");
  out.String(StreamViewTypeName(r.view));
  out.EndObject();
  if (r.by_service) {
    out.Key("userIdentity");
    out.StartObject();
    out.Key("type");
    out.String("Service");
    out.Key("principalId");
    out.String("dynamodb.amazonaws.com");
    out.EndObject();
  }
  out.EndObject();
}

Status GetRecords(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto iterator, GetString(req, "ShardIterator"));
  if (!iterator) errors.AddNull("shardIterator");
  CheckLength(iterator, "shardIterator", 1, 2048, &errors);
  std::optional<int64_t> limit;
  BASALT_RETURN_IF_ERROR(ReadLimit(
      req, 1000, "One or more parameter values were invalid: Limit should be less than or equal to 1000", &errors,
      &limit));
  BASALT_ASSIGN_OR_RETURN(db::GetRecordsOutput page,
                          ctx.db->streams().GetRecords(ctx.scope.ns, *iterator, limit.value_or(1000)));
  out.StartObject();
  out.Key("Records");
  out.StartArray();
  for (const db::StreamRecord& r : page.records) WriteRecord(out, r, ctx.scope.region);
  out.EndArray();
  if (page.next_iterator) {
    out.Key("NextShardIterator");
    WriteString(out, *page.next_iterator);
  }
  out.EndObject();
  return Status::Ok();
}

}  // namespace

Handler FindStreamHandler(std::string_view op) {
  static const std::pair<std::string_view, Handler> kOperations[] = {
      {"ListStreams", ListStreams},
      {"DescribeStream", DescribeStream},
      {"GetShardIterator", GetShardIterator},
      {"GetRecords", GetRecords},
  };
  for (const auto& [name, h] : kOperations) {
    if (name == op) return h;
  }
  return nullptr;
}

}  // namespace basalt::api
