#include "api/router.h"

#include <rapidjson/error/en.h>

#include <exception>

#include "api/handlers.h"
#include "api/json.h"

namespace basalt::api {
namespace {

constexpr std::string_view kTargetPrefix = "DynamoDB_20120810.";
constexpr std::string_view kStreamsTargetPrefix = "DynamoDBStreams_20120810.";
constexpr const char* kDynamoNs = "com.amazonaws.dynamodb.v20120810#";
constexpr const char* kCoralService = "com.amazon.coral.service#";

struct ErrorShape {
  int status;
  std::string type;
};

// DynamoDB's `__type` and HTTP status for each error code. The namespaces
// differ: request-level failures come from the service framework
// (com.amazon.coral.*), DynamoDB's own errors from its API namespace.
ErrorShape ShapeOf(Code code) {
  switch (code) {
    case Code::kValidation: return {400, "com.amazon.coral.validate#ValidationException"};
    case Code::kSerialization: return {400, std::string(kCoralService) + "SerializationException"};
    case Code::kUnknownOperation: return {400, std::string(kCoralService) + "UnknownOperationException"};
    case Code::kMissingAuthentication:
      return {400, std::string(kCoralService) + "MissingAuthenticationTokenException"};
    case Code::kResourceNotFound: return {400, std::string(kDynamoNs) + "ResourceNotFoundException"};
    case Code::kResourceInUse: return {400, std::string(kDynamoNs) + "ResourceInUseException"};
    case Code::kLimitExceeded: return {400, std::string(kDynamoNs) + "LimitExceededException"};
    case Code::kConditionalCheckFailed:
      return {400, std::string(kDynamoNs) + "ConditionalCheckFailedException"};
    case Code::kTransactionConflict: return {400, std::string(kDynamoNs) + "TransactionConflictException"};
    case Code::kItemCollectionSizeLimitExceeded:
      return {400, std::string(kDynamoNs) + "ItemCollectionSizeLimitExceededException"};
    case Code::kTransactionCanceled: return {400, std::string(kDynamoNs) + "TransactionCanceledException"};
    case Code::kIdempotentParameterMismatch:
      return {400, std::string(kDynamoNs) + "IdempotentParameterMismatchException"};
    case Code::kTransactionInProgress: return {400, std::string(kDynamoNs) + "TransactionInProgressException"};
    case Code::kDuplicateItem: return {400, std::string(kDynamoNs) + "DuplicateItemException"};
    case Code::kExpiredIterator:
      return {400, "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException"};
    case Code::kTrimmedDataAccess:
      return {400, "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException"};
    case Code::kProvisionedThroughputExceeded:
      return {400, std::string(kDynamoNs) + "ProvisionedThroughputExceededException"};
    case Code::kThrottling: return {400, std::string(kDynamoNs) + "ThrottlingException"};
    case Code::kRequestLimitExceeded: return {400, std::string(kDynamoNs) + "RequestLimitExceeded"};
    case Code::kBackupNotFound: return {400, std::string(kDynamoNs) + "BackupNotFoundException"};
    case Code::kBackupInUse: return {400, std::string(kDynamoNs) + "BackupInUseException"};
    case Code::kTableNotFound: return {400, std::string(kDynamoNs) + "TableNotFoundException"};
    case Code::kTableAlreadyExists: return {400, std::string(kDynamoNs) + "TableAlreadyExistsException"};
    case Code::kTableInUse: return {400, std::string(kDynamoNs) + "TableInUseException"};
    case Code::kPointInTimeRecoveryUnavailable:
      return {400, std::string(kDynamoNs) + "PointInTimeRecoveryUnavailableException"};
    case Code::kInvalidRestoreTime: return {400, std::string(kDynamoNs) + "InvalidRestoreTimeException"};
    case Code::kContinuousBackupsUnavailable:
      return {400, std::string(kDynamoNs) + "ContinuousBackupsUnavailableException"};
    case Code::kInvalidExportTime: return {400, std::string(kDynamoNs) + "InvalidExportTimeException"};
    case Code::kExportNotFound: return {400, std::string(kDynamoNs) + "ExportNotFoundException"};
    case Code::kImportNotFound: return {400, std::string(kDynamoNs) + "ImportNotFoundException"};
    case Code::kExportConflict: return {400, std::string(kDynamoNs) + "ExportConflictException"};
    case Code::kImportConflict: return {400, std::string(kDynamoNs) + "ImportConflictException"};
    case Code::kRequestTooLarge: return {413, std::string(kCoralService) + "RequestEntityTooLargeException"};
    default: return {500, std::string(kDynamoNs) + "InternalServerError"};
  }
}

ApiResponse ErrorResponse(const Status& st) {
  ErrorShape shape = ShapeOf(st.code());
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("__type");
  WriteString(w, shape.type);
  // DynamoDB's models name the member "Message" for the transaction errors
  // and "message" for the others.
  bool capital = st.code() == Code::kTransactionCanceled || st.code() == Code::kIdempotentParameterMismatch ||
                 st.code() == Code::kTransactionInProgress;
  w.Key(capital ? "Message" : "message");
  // Internal details stay in the log; clients get DynamoDB's generic text.
  WriteString(w, shape.status == 500 ? "Internal server error" : st.message());
  if (const auto* failure = st.detail<db::ConditionFailure>(); failure && failure->item) {
    w.Key("Item");
    WriteItem(w, *failure->item);
  }
  if (const auto* throttled = st.detail<db::Throttled>()) {
    // The models name the member "throttlingReasons" on ThrottlingException
    // and "ThrottlingReasons" on the other two.
    w.Key(st.code() == Code::kThrottling ? "throttlingReasons" : "ThrottlingReasons");
    w.StartArray();
    for (const auto& r : throttled->reasons) {
      w.StartObject();
      w.Key("reason");
      WriteString(w, r.reason);
      w.Key("resource");
      WriteString(w, r.resource);
      w.EndObject();
    }
    w.EndArray();
  }
  if (const auto* canceled = st.detail<db::TransactionCanceled>()) {
    w.Key("CancellationReasons");
    w.StartArray();
    for (const auto& r : canceled->reasons) {
      w.StartObject();
      if (r.item) {
        w.Key("Item");
        WriteItem(w, *r.item);
      }
      w.Key("Code");
      WriteString(w, r.code);
      if (!r.message.empty()) {
        w.Key("Message");
        WriteString(w, r.message);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return ApiResponse{shape.status, std::string(buf.GetString(), buf.GetSize())};
}

}  // namespace

std::string RegionFromAuthorization(std::string_view auth) {
  // Credential=AKID/20200101/us-east-1/dynamodb/aws4_request
  size_t pos = auth.find("Credential=");
  if (pos == std::string_view::npos) return "us-east-1";
  std::string_view rest = auth.substr(pos + 11);
  rest = rest.substr(0, rest.find_first_of(", "));
  std::string_view parts[5];
  for (int i = 0; i < 5; ++i) {
    size_t slash = rest.find('/');
    parts[i] = rest.substr(0, slash);
    if (slash == std::string_view::npos) {
      if (i < 4) return "us-east-1";
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  return parts[2].empty() ? "us-east-1" : std::string(parts[2]);
}

ApiResponse Router::Handle(const ApiRequest& req) const {
  ApiResponse r = Route(req);
  // UserErrors: the 4xx answers but throttling and failed conditions (CloudWatch's definition).
  if (r.status >= 400 && r.status < 500 && db_ &&
      r.body.find("ProvisionedThroughputExceededException") == std::string::npos &&
      r.body.find("#ThrottlingException") == std::string::npos &&
      r.body.find("#RequestLimitExceeded") == std::string::npos &&
      r.body.find("#ConditionalCheckFailedException") == std::string::npos) {
    db_->metrics().RecordUserError();
  }
  return r;
}

ApiResponse Router::Route(const ApiRequest& req) const {
  try {
    if (req.authorization.empty()) {
      return ErrorResponse(Status(Code::kMissingAuthentication, "Request is missing Authentication Token"));
    }
    Handler handler = nullptr;
    if (req.target.starts_with(kTargetPrefix)) {
      handler = FindHandler(req.target.substr(kTargetPrefix.size()));
    } else if (req.target.starts_with(kStreamsTargetPrefix)) {
      handler = FindStreamHandler(req.target.substr(kStreamsTargetPrefix.size()));
    }
    if (!handler) return ErrorResponse(Status(Code::kUnknownOperation, "An unknown operation was requested."));

    // Typical requests parse within these per-thread buffers; the allocators
    // fall back to the heap for larger ones. (RapidJSON's default first
    // chunk is a 64 KB malloc per document.)
    thread_local char value_buffer[16384];
    thread_local char stack_buffer[4096];
    rapidjson::MemoryPoolAllocator<> value_allocator(value_buffer, sizeof value_buffer);
    rapidjson::MemoryPoolAllocator<> stack_allocator(stack_buffer, sizeof stack_buffer);
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>, rapidjson::MemoryPoolAllocator<>>
        doc(&value_allocator, sizeof stack_buffer, &stack_allocator);
    constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
    doc.Parse<kFlags>(req.body.data(), req.body.size());
    if (doc.HasParseError()) {
      return ErrorResponse(Status::Serialization(std::string("Invalid JSON: ") +
                                                 rapidjson::GetParseError_En(doc.GetParseError())));
    }
    if (!doc.IsObject()) return ErrorResponse(Status::Serialization("Request body must be a JSON object"));

    std::string region = RegionFromAuthorization(req.authorization);
    Context ctx{db_, db::Scope{options_.shared_db ? "" : region, region}, req.host};
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    Status st = handler(ctx, doc, w);
    if (!st.ok()) return ErrorResponse(st);
    return ApiResponse{200, std::string(buf.GetString(), buf.GetSize())};
  } catch (const std::exception& e) {
    return ErrorResponse(Status::Internal(e.what()));
  } catch (...) {
    return ErrorResponse(Status::Internal("unknown exception"));
  }
}

Handler FindHandler(std::string_view op) {
  static const std::pair<std::string_view, Handler> kOperations[] = {
      {"BatchGetItem", BatchGetItem},   {"BatchWriteItem", BatchWriteItem},
      {"CreateTable", CreateTable},     {"DeleteItem", DeleteItem},
      {"DeleteTable", DeleteTable},     {"DescribeEndpoints", DescribeEndpoints},
      {"DescribeLimits", DescribeLimits}, {"DescribeTable", DescribeTable},
      {"GetItem", GetItem},             {"ListTables", ListTables},
      {"PutItem", PutItem},             {"Query", Query},
      {"Scan", Scan},             {"UpdateItem", UpdateItem},
      {"UpdateTable", UpdateTable},     {"TransactWriteItems", TransactWriteItems},
      {"TransactGetItems", TransactGetItems}, {"UpdateTimeToLive", UpdateTimeToLive},
      {"DescribeTimeToLive", DescribeTimeToLive}, {"TagResource", TagResource},
      {"UntagResource", UntagResource},         {"ListTagsOfResource", ListTagsOfResource},
      {"ExecuteStatement", ExecuteStatement},   {"BatchExecuteStatement", BatchExecuteStatement},
      {"ExecuteTransaction", ExecuteTransaction},
      {"UpdateContributorInsights", UpdateContributorInsights},
      {"DescribeContributorInsights", DescribeContributorInsights},
      {"ListContributorInsights", ListContributorInsights},
      // Backups and point-in-time recovery (backup_handlers.cc).
      {"CreateBackup", CreateBackup},           {"DescribeBackup", DescribeBackup},
      {"ListBackups", ListBackups},             {"DeleteBackup", DeleteBackup},
      {"RestoreTableFromBackup", RestoreTableFromBackup},
      {"UpdateContinuousBackups", UpdateContinuousBackups},
      {"DescribeContinuousBackups", DescribeContinuousBackups},
      {"RestoreTableToPointInTime", RestoreTableToPointInTime},
      // Exports and imports (export_handlers.cc, import_handlers.cc).
      {"ExportTableToPointInTime", ExportTableToPointInTime},
      {"DescribeExport", DescribeExport},       {"ListExports", ListExports},
      {"ImportTable", ImportTable},             {"DescribeImport", DescribeImport},
      {"ListImports", ListImports},
  };
  for (const auto& [name, h] : kOperations) {
    if (name == op) return h;
  }
  return nullptr;
}

}  // namespace basalt::api
