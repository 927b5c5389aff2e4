// The JSON Lambda exchanges with a function subscribed to a DynamoDB
// stream: the event (`{"Records": [...]}`), the partial batch response
// (`{"batchItemFailures": [...]}`) and the invocation record an on-failure
// destination receives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "db/stream_record.h"

namespace basalt::triggers {

// The stream a record came from, as an event names it.
struct EventSource {
  std::string stream_arn;
  std::string region;  // from the ARN
};

// The region of a DynamoDB ARN ("arn:aws:dynamodb:<region>:..."), or "".
std::string RegionOfArn(const std::string& arn);

// Sequence numbers as the stream API shows them (21 decimal digits).
std::string SequenceText(uint64_t seq);

// One record as Lambda gives it to a handler: eventID, eventName,
// eventVersion "1.1", eventSource "aws:dynamodb", awsRegion, dynamodb
// {ApproximateCreationDateTime (epoch seconds), Keys, NewImage, OldImage,
// SequenceNumber, SizeBytes, StreamViewType}, eventSourceARN, and
// userIdentity for Time to Live deletions.
std::string RenderRecord(const db::StreamRecord& r, const EventSource& source);
// The event of a batch: {"Records": [record, ...]} from rendered records.
std::string RenderEvent(const std::vector<const std::string*>& records);

// What a function answered, read as Lambda reads it with
// ReportBatchItemFailures: the sequence numbers of the failed records
// (empty: all succeeded, as for an empty or null answer), or an error when
// the answer counts as the whole batch failing (not JSON, an identifier
// missing, empty or not a number).
Result<std::vector<uint64_t>> ParseBatchItemFailures(const std::string& body);

// The line an on-failure destination gets for records given up on: Lambda's
// invocation record (requestContext, responseContext, version, timestamp,
// DDBStreamBatchInfo) plus, as Basalt's addition, the records themselves
// under "Records", since a local destination has no way to fetch them later.
struct FailureInfo {
  std::string function_arn;
  std::string condition;  // RetryAttemptsExhausted or RecordAgeExceeded
  int invocations = 0;
  int status_code = 0;    // the last answer's HTTP status or exit code
  std::string error;      // why the last invocation failed
  std::string shard_id;
  uint64_t first_seq = 0, last_seq = 0;
  int64_t first_created_ms = 0, last_created_ms = 0;
  size_t batch_size = 0;
  double now = 0;
};
std::string RenderFailureRecord(const FailureInfo& info, const EventSource& source,
                                const std::vector<const std::string*>& records);

}  // namespace basalt::triggers
