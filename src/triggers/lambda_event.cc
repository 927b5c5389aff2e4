#include "triggers/lambda_event.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "common/random.h"
#include "api/handlers.h"
#include "api/json.h"

namespace basalt::triggers {
namespace {

std::string Iso8601(double seconds, bool with_ms) {
  auto whole = static_cast<time_t>(seconds);
  struct tm tm;
  gmtime_r(&whole, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (with_ms) {
    n += std::snprintf(buf + n, sizeof buf - n, ".%03d", static_cast<int>((seconds - static_cast<double>(whole)) * 1000));
  }
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

std::string RequestId() {
  uint64_t a = RandomBits(), b = RandomBits();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%012" PRIx64, static_cast<unsigned>(a >> 32),
                static_cast<unsigned>(a >> 16) & 0xffff, static_cast<unsigned>(a) & 0xfff,
                static_cast<unsigned>(b >> 52) & 0xfff, static_cast<uint64_t>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace

std::string RegionOfArn(const std::string& arn) {
  // arn:aws:dynamodb:<region>:<account>:table/...
  size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    start = arn.find(':', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  size_t end = arn.find(':', start);
  return end == std::string::npos ? "" : arn.substr(start, end - start);
}

std::string SequenceText(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%021" PRIu64, seq);
  return buf;
}

std::string RenderRecord(const db::StreamRecord& r, const EventSource& source) {
  static constexpr const char* kEventNames[] = {"", "INSERT", "MODIFY", "REMOVE"};
  rapidjson::StringBuffer buf;
  api::JsonWriter out(buf);
  out.StartObject();
  out.Key("eventID");
  api::WriteString(out, r.event_id);
  out.Key("eventName");
  out.String(kEventNames[r.event]);
  out.Key("eventVersion");
  out.String("1.1");
  out.Key("eventSource");
  out.String("aws:dynamodb");
  out.Key("awsRegion");
  api::WriteString(out, source.region);
  out.Key("dynamodb");
  out.StartObject();
  out.Key("ApproximateCreationDateTime");
  out.Int64(r.created_ms / 1000);
  out.Key("Keys");
  api::WriteItem(out, r.keys);
  if (r.new_image) {
    out.Key("NewImage");
    api::WriteItem(out, *r.new_image);
  }
  if (r.old_image) {
    out.Key("OldImage");
    api::WriteItem(out, *r.old_image);
  }
  out.Key("SequenceNumber");
  api::WriteString(out, SequenceText(r.seq));
  out.Key("SizeBytes");
  out.Uint64(r.size_bytes);
  out.Key("StreamViewType");
  out.String(api::StreamViewTypeName(r.view));
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
  out.Key("eventSourceARN");
  api::WriteString(out, source.stream_arn);
  out.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string RenderEvent(const std::vector<const std::string*>& records) {
  size_t size = 16;
  for (const std::string* r : records) size += r->size() + 1;
  std::string out;
  out.reserve(size);
  out += "{\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) out += ',';
    out += *records[i];
  }
  out += "]}";
  return out;
}

Result<std::vector<uint64_t>> ParseBatchItemFailures(const std::string& body) {
  std::vector<uint64_t> failed;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return failed;  // an empty answer: success
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) return Status::Validation("the answer is not JSON");
  if (doc.IsNull() || !doc.IsObject()) return failed;
  auto list = doc.FindMember("batchItemFailures");
  if (list == doc.MemberEnd() || list->value.IsNull()) return failed;
  if (!list->value.IsArray()) return Status::Validation("batchItemFailures is not a list");
  for (const auto& f : list->value.GetArray()) {
    if (!f.IsObject()) return Status::Validation("a batchItemFailures entry is not an object");
    auto id = f.FindMember("itemIdentifier");
    if (id == f.MemberEnd() || !id->value.IsString() || id->value.GetStringLength() == 0) {
      return Status::Validation("a batchItemFailures entry has no itemIdentifier");
    }
    std::string text = id->value.GetString();
    size_t digits = text.find_first_not_of('0');
    if (text.find_first_not_of("0123456789") != std::string::npos ||
        (digits != std::string::npos && text.size() - digits > 19)) {
      return Status::Validation("itemIdentifier '" + text + "' is not a sequence number");
    }
    failed.push_back(std::stoull(text));
  }
  return failed;
}

std::string RenderFailureRecord(const FailureInfo& info, const EventSource& source,
                                const std::vector<const std::string*>& records) {
  rapidjson::StringBuffer buf;
  api::JsonWriter out(buf);
  out.StartObject();
  out.Key("requestContext");
  out.StartObject();
  out.Key("requestId");
  out.String(RequestId().c_str());
  out.Key("functionArn");
  api::WriteString(out, info.function_arn);
  out.Key("condition");
  api::WriteString(out, info.condition);
  out.Key("approximateInvokeCount");
  out.Int(info.invocations);
  out.EndObject();
  out.Key("responseContext");
  out.StartObject();
  out.Key("statusCode");
  out.Int(info.status_code);
  out.Key("executedVersion");
  out.String("$LATEST");
  out.Key("functionError");
  api::WriteString(out, info.error);
  out.EndObject();
  out.Key("version");
  out.String("1.0");
  out.Key("timestamp");
  api::WriteString(out, Iso8601(info.now, true));
  out.Key("DDBStreamBatchInfo");
  out.StartObject();
  out.Key("shardId");
  api::WriteString(out, info.shard_id);
  out.Key("startSequenceNumber");
  api::WriteString(out, SequenceText(info.first_seq));
  out.Key("endSequenceNumber");
  api::WriteString(out, SequenceText(info.last_seq));
  out.Key("approximateArrivalOfFirstRecord");
  api::WriteString(out, Iso8601(static_cast<double>(info.first_created_ms) / 1000, false));
  out.Key("approximateArrivalOfLastRecord");
  api::WriteString(out, Iso8601(static_cast<double>(info.last_created_ms) / 1000, false));
  out.Key("batchSize");
  out.Uint64(info.batch_size);
  out.Key("streamArn");
  api::WriteString(out, source.stream_arn);
  out.EndObject();
  // The records are JSON already.
  std::string array = "[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) array += ',';
    array += *records[i];
  }
  array += ']';
  out.Key("Records");
  out.RawValue(array.data(), array.size(), rapidjson::kArrayType);
  out.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace basalt::triggers
