#include "api/router.h"

#include <rapidjson/error/en.h>

#include <exception>

#include "api/admin_handlers.h"
#include "api/authorize.h"
#include "api/handlers.h"
#include "api/json.h"
#include "auth/sigv4.h"
#include "db/account.h"

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
    case Code::kUnrecognizedClient: return {400, std::string(kCoralService) + "UnrecognizedClientException"};
    case Code::kInvalidSignature: return {400, std::string(kCoralService) + "InvalidSignatureException"};
    case Code::kIncompleteSignature: return {400, std::string(kCoralService) + "IncompleteSignatureException"};
    case Code::kExpiredToken: return {400, std::string(kCoralService) + "ExpiredTokenException"};
    case Code::kAccessDenied: return {400, std::string(kCoralService) + "AccessDeniedException"};
    case Code::kPolicyNotFound: return {400, std::string(kDynamoNs) + "PolicyNotFoundException"};
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
  auth::CredentialHint hint = auth::CredentialHintOf(auth);
  return hint.region.empty() ? "us-east-1" : std::string(hint.region);
}

ApiResponse Router::ErrorFor(const Status& st) { return ErrorResponse(st); }

std::string_view Router::ErrorName(const Status& st) {
  static thread_local std::string type;
  type = ShapeOf(st.code()).type;
  return std::string_view(type).substr(type.find('#') + 1);
}

namespace {

bool IsControlPlane(std::string_view op) {
  static constexpr std::string_view kOps[] = {"CreateTable", "UpdateTable", "DeleteTable", "DescribeTable",
                                              "PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy",
                                              "ListTables", "UpdateTimeToLive", "DescribeTimeToLive",
                                              "TagResource", "UntagResource", "ListTagsOfResource",
                                              "DescribeLimits", "DescribeEndpoints"};
  for (auto o : kOps) {
    if (o == op) return true;
  }
  return false;
}

std::string Field(const JsonValue& doc, const char* name) {
  auto it = doc.FindMember(name);
  return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::string RequestResource(const Context& ctx, const JsonValue& doc) {
  if (std::string arn = Field(doc, "ResourceArn"); !arn.empty()) return arn;
  if (std::string arn = Field(doc, "StreamArn"); !arn.empty()) return arn;
  std::string table = Field(doc, "TableName");
  if (table.empty()) return "*";
  return "arn:aws:dynamodb:" + ctx.scope.region + ":" + std::string(db::AccountOfNamespace(ctx.scope.ns)) +
         ":table/" + table;
}

std::string AdminResource(const auth::Principal& caller, const JsonValue& doc) {
  if (std::string user = Field(doc, "UserName"); !user.empty()) return auth::UserArn(caller.account, user);
  if (std::string role = Field(doc, "RoleName"); !role.empty()) return auth::RoleArnOf(caller.account, role);
  return "*";
}

}  // namespace

void Router::Audit(const ApiRequest& req, const std::string& action, const std::string& resource,
                   const Status& st) const {
  if (!options_.audit) return;
  auth::AuditEvent e;
  std::string principal = req.principal ? req.principal->arn : std::string(auth::CredentialHintOf(req.authorization).access_key_id);
  e.principal = principal;
  e.action = action;
  e.resource = resource;
  e.source = req.source_ip;
  e.outcome = st.ok() ? "allowed" : st.code() == Code::kAccessDenied ? "denied" : "failed";
  if (!st.ok()) e.error = ErrorName(st);
  options_.audit->Record(e);
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
    std::string_view op;
    bool streams = false, admin = false;
    if (req.target.starts_with(kTargetPrefix)) {
      op = req.target.substr(kTargetPrefix.size());
      handler = FindHandler(op);
    } else if (req.target.starts_with(kStreamsTargetPrefix)) {
      op = req.target.substr(kStreamsTargetPrefix.size());
      handler = FindStreamHandler(op);
      streams = true;
    } else if (req.target.starts_with(kAdminTargetPrefix) && options_.principals && req.principal) {
      op = req.target.substr(kAdminTargetPrefix.size());
      admin = true;
    }
    if (!handler && !admin) return ErrorResponse(Status(Code::kUnknownOperation, "An unknown operation was requested."));

    // Typical requests parse within these per-thread buffers; the allocators
    // fall back to the heap for larger ones. (RapidJSON's default first
    // chunk is a 64 KB malloc per document.) They are made on a thread's
    // first request: as thread_local arrays they were in every thread's
    // static TLS block, 20 KB zeroed at the start of each of 13 threads.
    constexpr size_t kValueBuffer = 16384, kStackBuffer = 4096;
    thread_local std::unique_ptr<char[]> buffers(new char[kValueBuffer + kStackBuffer]);
    rapidjson::MemoryPoolAllocator<> value_allocator(buffers.get(), kValueBuffer);
    rapidjson::MemoryPoolAllocator<> stack_allocator(buffers.get() + kValueBuffer, kStackBuffer);
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>, rapidjson::MemoryPoolAllocator<>>
        doc(&value_allocator, kStackBuffer, &stack_allocator);
    // Strings must be UTF-8. A body that is UTF-8 throughout is parsed
    // without RapidJSON's own check (IsUtf8 costs a 30th of it); any other
    // is parsed with it, for the same answer as before in every case
    // (whichever error RapidJSON meets first).
    //
    // RapidJSON's recursive parser costs less per token than its iterative
    // one (~300 fewer instructions of a GetItem's ~2,600 of parsing, ~500 of
    // a PutItem's ~6,300, callgrind), but takes ~160 bytes of stack per
    // level of nesting. A body that cannot
    // nest deeper than kRecursiveNesting (at most ~160 KB of stack) is
    // parsed recursively; any other, a hostile "[[[[..." among them,
    // iteratively. Both give the same errors, but for a body that opens
    // with one of ",:]}" ("Invalid value." and "The document is empty."
    // respectively; api/json_test.cc).
    constexpr size_t kRecursiveNesting = 1024;
    const bool utf8 = IsUtf8(req.body);
    if (NestingBound(req.body) <= kRecursiveNesting) {
      if (utf8) {
        doc.Parse<rapidjson::kParseNoFlags>(req.body.data(), req.body.size());
      } else {
        doc.Parse<rapidjson::kParseValidateEncodingFlag>(req.body.data(), req.body.size());
      }
    } else if (utf8) {
      doc.Parse<rapidjson::kParseIterativeFlag>(req.body.data(), req.body.size());
    } else {
      doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(req.body.data(),
                                                                                         req.body.size());
    }
    if (doc.HasParseError()) {
      return ErrorResponse(Status::Serialization(std::string("Invalid JSON: ") +
                                                 rapidjson::GetParseError_En(doc.GetParseError())));
    }
    if (!doc.IsObject()) return ErrorResponse(Status::Serialization("Request body must be a JSON object"));

    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    if (admin) {
      Status st = HandleAdmin(options_.principals, *req.principal, op, doc, w);
      Audit(req, "basalt:" + std::string(op), AdminResource(*req.principal, doc), st);
      if (!st.ok()) return ErrorResponse(st);
      return ApiResponse{200, std::string(buf.GetString(), buf.GetSize())};
    }
    // The account: the signer's, or with --auth=none the access key id's own.
    auth::CredentialHint hint = auth::CredentialHintOf(req.authorization);
    std::string region = hint.region.empty() ? "us-east-1" : std::string(hint.region);
    std::string account = req.principal                                    ? req.principal->account
                          : hint.access_key_id == options_.legacy_access_key ? std::string(db::kDefaultAccount)
                                                                              : db::AccountForAccessKey(hint.access_key_id);
    Context ctx{db_, db::Scope{db::NamespaceFor(account, region, options_.shared_db), region}, req.host,
                options_.resource_policies};
    if (req.principal && !req.principal->root) {
      Caller caller{req.principal, req.source_ip, options_.clock ? options_.clock->Now() : 0,
                    options_.resource_policies};
      if (Status st = Authorize(caller, op, streams, doc, ctx); !st.ok()) {
        Audit(req, "dynamodb:" + std::string(op), RequestResource(ctx, doc), st);
        return ErrorResponse(st);
      }
    }
    Status st = handler(ctx, doc, w);
    if (options_.audit && !streams && IsControlPlane(op)) {
      Audit(req, "dynamodb:" + std::string(op), RequestResource(ctx, doc), st);
    }
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
      {"PutResourcePolicy", PutResourcePolicy},   {"GetResourcePolicy", GetResourcePolicy},
      {"DeleteResourcePolicy", DeleteResourcePolicy},
  };
  for (const auto& [name, h] : kOperations) {
    if (name == op) return h;
  }
  return nullptr;
}

}  // namespace basalt::api
