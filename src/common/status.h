// Errors as values. Every layer below api/ reports failures through Status and
// Result<T>; api/ turns them into DynamoDB's wire errors in exactly one place.
// A failed condition is normal traffic, so nothing here throws.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace basalt {

// The domain of an error. The api layer maps each code to DynamoDB's
// `__type` and HTTP status (api/errors.cc).
enum class Code {
  kOk = 0,
  kValidation,                 // ValidationException
  kSerialization,              // SerializationException
  kUnknownOperation,           // UnknownOperationException
  kMissingAuthentication,      // MissingAuthenticationTokenException
  kUnrecognizedClient,         // UnrecognizedClientException (unknown key or token)
  kInvalidSignature,           // InvalidSignatureException
  kIncompleteSignature,        // IncompleteSignatureException (malformed Authorization)
  kExpiredToken,               // ExpiredTokenException (temporary credentials past expiry)
  kAccessDenied,               // AccessDeniedException (a policy denies the request)
  kPolicyNotFound,             // PolicyNotFoundException (resource-based policies)
  kResourceNotFound,           // ResourceNotFoundException
  kResourceInUse,              // ResourceInUseException
  kLimitExceeded,              // LimitExceededException
  kConditionalCheckFailed,     // ConditionalCheckFailedException
  kTransactionConflict,        // TransactionConflictException
  kItemCollectionSizeLimitExceeded,
  kTransactionCanceled,        // TransactionCanceledException
  kIdempotentParameterMismatch,  // IdempotentParameterMismatchException
  kTransactionInProgress,      // TransactionInProgressException
  kDuplicateItem,              // DuplicateItemException (PartiQL INSERT of an existing item)
  kExpiredIterator,            // ExpiredIteratorException (Streams)
  kTrimmedDataAccess,          // TrimmedDataAccessException (Streams)
  kProvisionedThroughputExceeded,  // ProvisionedThroughputExceededException (--capacity=enforce)
  kThrottling,                 // ThrottlingException (on-demand capacity, --capacity=enforce)
  kRequestLimitExceeded,       // RequestLimitExceeded (the per-table quota, --capacity=enforce)
  kBackupNotFound,             // BackupNotFoundException
  kBackupInUse,                // BackupInUseException
  kTableNotFound,              // TableNotFoundException (backups and restores)
  kTableAlreadyExists,         // TableAlreadyExistsException (restores)
  kTableInUse,                 // TableInUseException (backups and restores)
  kPointInTimeRecoveryUnavailable,  // PointInTimeRecoveryUnavailableException
  kInvalidRestoreTime,         // InvalidRestoreTimeException
  kContinuousBackupsUnavailable,  // ContinuousBackupsUnavailableException
  kInvalidExportTime,          // InvalidExportTimeException
  kExportNotFound,             // ExportNotFoundException
  kImportNotFound,             // ImportNotFoundException
  kExportConflict,             // ExportConflictException
  kImportConflict,             // ImportConflictException
  kRequestTooLarge,            // HTTP 413
  kInternal,                   // InternalServerError (HTTP 500)
  // Storage-level outcomes, never shown to clients as such.
  kPreconditionFailed,         // a storage Precondition did not hold: retry
  kIoError,                    // the engine failed; becomes kInternal
};

// Typed details a rich error carries (for example the old item of a failed
// condition); the layer that creates one defines a subclass.
struct ErrorDetail {
  virtual ~ErrorDetail() = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Validation(std::string m) { return Status(Code::kValidation, std::move(m)); }
  static Status Serialization(std::string m) { return Status(Code::kSerialization, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kResourceNotFound, std::move(m)); }
  static Status InUse(std::string m) { return Status(Code::kResourceInUse, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
  static Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  Status WithDetail(std::shared_ptr<const ErrorDetail> detail) && {
    detail_ = std::move(detail);
    return std::move(*this);
  }
  // The typed detail, if it is a T.
  template <typename T>
  const T* detail() const {
    return dynamic_cast<const T*>(detail_.get());
  }

  // Marks a Status that is dropped on purpose.
  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::shared_ptr<const ErrorDetail> detail_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Status status) : v_(std::move(status)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }
  Status take_status() && { return ok() ? Status() : std::move(std::get<1>(v_)); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace basalt

// Returns early from the enclosing function when `expr` is not ok.
#define BASALT_RETURN_IF_ERROR(expr)           \
  do {                                         \
    ::basalt::Status _st = (expr);             \
    if (!_st.ok()) return _st;                 \
  } while (0)

#define BASALT_CONCAT_INNER(a, b) a##b
#define BASALT_CONCAT(a, b) BASALT_CONCAT_INNER(a, b)
#define BASALT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).take_status(); \
  lhs = std::move(tmp).value()
// `BASALT_ASSIGN_OR_RETURN(auto x, F());` declares x from F()'s value or returns its Status.
#define BASALT_ASSIGN_OR_RETURN(lhs, expr) \
  BASALT_ASSIGN_OR_RETURN_IMPL(BASALT_CONCAT(_res_, __LINE__), lhs, expr)
