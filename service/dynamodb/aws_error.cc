#include "dynamodb/aws_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace inkdex::dynamodb {

namespace {

constexpr size_t kMaxRawMessageBytes = 200;

absl::StatusCode CodeForType(const AwsError& error) {
  const std::string& type = error.type;
  if (error.IsThrottling()) return absl::StatusCode::kResourceExhausted;
  if (error.IsRetryable()) return absl::StatusCode::kUnavailable;
  if (type == "ResourceNotFoundException") return absl::StatusCode::kNotFound;
  if (type == "ValidationException" || type == "SerializationException") {
    return absl::StatusCode::kInvalidArgument;
  }
  if (type == "AccessDeniedException") return absl::StatusCode::kPermissionDenied;
  if (type == "UnrecognizedClientException" || type == "InvalidSignatureException" ||
      type == "MissingAuthenticationTokenException" || type == "IncompleteSignatureException" ||
      type == "ExpiredTokenException") {
    return absl::StatusCode::kUnauthenticated;
  }
  if (type == "TrimmedDataAccessException") return absl::StatusCode::kOutOfRange;
  return absl::StatusCode::kFailedPrecondition;
}

}  // namespace

bool AwsError::IsThrottling() const {
  return http_status == 429 || type == "ProvisionedThroughputExceededException" ||
         type == "ThrottlingException" || type == "LimitExceededException" ||
         type == "RequestLimitExceeded";
}

bool AwsError::IsRetryable() const {
  return IsThrottling() || type == "InternalServerError" || http_status >= 500;
}

absl::Status AwsError::ToStatus(absl::string_view operation) const {
  std::string text =
      absl::StrCat(operation, ": ", type.empty() ? "error" : type, " (HTTP ", http_status, ")");
  if (!message.empty()) absl::StrAppend(&text, ": ", message);
  absl::Status status(CodeForType(*this), text);
  if (!type.empty()) status.SetPayload(kErrorTypePayload, absl::Cord(type));
  return status;
}

AwsError ParseAwsError(long http_status, absl::string_view body) {
  AwsError error;
  error.http_status = http_status;
  nlohmann::json root = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) {
    error.message = std::string(body.substr(0, kMaxRawMessageBytes));
    return error;
  }
  if (auto it = root.find("__type"); it != root.end() && it->is_string()) {
    const std::string& full = it->get_ref<const std::string&>();
    size_t hash = full.rfind('#');
    error.type = hash == std::string::npos ? full : full.substr(hash + 1);
  }
  for (const char* key : {"message", "Message"}) {
    if (auto it = root.find(key); it != root.end() && it->is_string()) {
      error.message = it->get<std::string>();
      break;
    }
  }
  return error;
}

std::string ErrorTypeOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorTypePayload);
  return payload ? std::string(*payload) : std::string();
}

}  // namespace inkdex::dynamodb
