// AwsError: an error answer of an AWS JSON-protocol service (DynamoDB,
// DynamoDB Streams), its classification (retry or give up), and its
// conversion to absl::Status.
//
// The JSON protocol answers errors with an HTTP 4xx/5xx and a body
//   {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
//    "message": "Rate of requests exceeds the allowed throughput."}
// The error type is the part of "__type" after the last '#' (the whole value
// when it has none); the message is "message" or "Message". A body that is
// not such an object (an HTML page from a proxy) leaves the type empty and
// keeps the start of the body as the message.
//
// Retryable: ProvisionedThroughputExceededException, ThrottlingException,
// LimitExceededException, RequestLimitExceeded (the throttling errors, also
// any HTTP 429), InternalServerError, and any HTTP 5xx. Everything else is
// the caller's fault or a fact about the data and is returned at once.
//
// Statuses carry the AWS error type as payload kErrorTypePayload (read it
// back with ErrorTypeOf), so callers can tell TrimmedDataAccessException
// from ExpiredIteratorException without parsing messages.
//
// Thread safety: plain value types and pure functions.
#ifndef INKDEX_SERVICE_DYNAMODB_AWS_ERROR_H_
#define INKDEX_SERVICE_DYNAMODB_AWS_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace inkdex::dynamodb {

inline constexpr char kErrorTypePayload[] = "type.inkdex.dev/aws.ErrorType";

struct AwsError {
  long http_status = 0;
  std::string type;  // e.g. "ThrottlingException"; empty when the body had none
  std::string message;

  bool IsThrottling() const;
  bool IsRetryable() const;  // throttling, InternalServerError, 5xx

  // "<operation>: <type> (HTTP <status>): <message>" as a status whose code
  // follows the type (NotFound for ResourceNotFoundException,
  // InvalidArgument for ValidationException, PermissionDenied or
  // Unauthenticated for access and signature errors, OutOfRange for
  // TrimmedDataAccessException, FailedPrecondition for ExpiredIterator and
  // other client errors, ResourceExhausted for throttling, Unavailable for
  // 5xx), with the type as payload.
  absl::Status ToStatus(absl::string_view operation) const;
};

// Reads an error answer (see above). Never fails.
AwsError ParseAwsError(long http_status, absl::string_view body);

// The AWS error type a status from this library carries; empty when none.
std::string ErrorTypeOf(const absl::Status& status);

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_AWS_ERROR_H_
