#include "dynamodb/aws_error.h"

#include <gtest/gtest.h>

namespace inkdex::dynamodb {
namespace {

TEST(ParseAwsErrorTest, TypeIsTheSuffixAfterTheLastHash) {
  AwsError error = ParseAwsError(
      400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"})");
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.type, "ResourceNotFoundException");
  EXPECT_EQ(error.message, "Requested resource not found");
}

TEST(ParseAwsErrorTest, TypeWithoutHashAndCapitalizedMessage) {
  AwsError error =
      ParseAwsError(400, R"({"__type":"ThrottlingException","Message":"Rate exceeded"})");
  EXPECT_EQ(error.type, "ThrottlingException");
  EXPECT_EQ(error.message, "Rate exceeded");
}

TEST(ParseAwsErrorTest, BodyThatIsNotJsonKeepsItsStartAsTheMessage) {
  AwsError error = ParseAwsError(502, "<html>Bad Gateway</html>" + std::string(1000, 'x'));
  EXPECT_EQ(error.type, "");
  EXPECT_EQ(error.message.substr(0, 24), "<html>Bad Gateway</html>");
  EXPECT_LE(error.message.size(), 200u);
}

TEST(AwsErrorTest, ThrottlingAndServerErrorsAreRetryable) {
  for (const char* type : {"ProvisionedThroughputExceededException", "ThrottlingException",
                           "LimitExceededException", "RequestLimitExceeded"}) {
    AwsError error{400, type, ""};
    EXPECT_TRUE(error.IsThrottling()) << type;
    EXPECT_TRUE(error.IsRetryable()) << type;
  }
  EXPECT_TRUE((AwsError{500, "InternalServerError", ""}.IsRetryable()));
  EXPECT_FALSE((AwsError{500, "InternalServerError", ""}.IsThrottling()));
  EXPECT_TRUE((AwsError{503, "", "Service Unavailable"}.IsRetryable()));
  EXPECT_TRUE((AwsError{429, "", ""}.IsThrottling()));
  for (const char* type : {"ValidationException", "ResourceNotFoundException",
                           "AccessDeniedException", "TrimmedDataAccessException",
                           "ExpiredIteratorException", "ConditionalCheckFailedException"}) {
    EXPECT_FALSE((AwsError{400, type, ""}.IsRetryable())) << type;
  }
}

TEST(AwsErrorTest, StatusNamesOperationTypeAndMessageAndCarriesTheType) {
  absl::Status status =
      AwsError{400, "ResourceNotFoundException", "Requested resource not found"}.ToStatus(
          "DynamoDB_20120810.Scan");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "DynamoDB_20120810.Scan: ResourceNotFoundException (HTTP 400): Requested resource not "
            "found");
  EXPECT_EQ(ErrorTypeOf(status), "ResourceNotFoundException");
}

TEST(AwsErrorTest, StatusCodesFollowTheType) {
  auto code = [](long http, const char* type) {
    return AwsError{http, type, "m"}.ToStatus("Op").code();
  };
  EXPECT_EQ(code(400, "ValidationException"), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(400, "AccessDeniedException"), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(code(400, "UnrecognizedClientException"), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(code(403, "InvalidSignatureException"), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(code(400, "TrimmedDataAccessException"), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(code(400, "ExpiredIteratorException"), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(400, "ThrottlingException"), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(code(500, "InternalServerError"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(code(400, "SomethingNewException"), absl::StatusCode::kFailedPrecondition);
}

TEST(AwsErrorTest, StatusWithoutTypeHasNoPayload) {
  absl::Status status = AwsError{502, "", "<html>"}.ToStatus("Op");
  EXPECT_EQ(status.message(), "Op: error (HTTP 502): <html>");
  EXPECT_EQ(ErrorTypeOf(status), "");
  EXPECT_EQ(ErrorTypeOf(absl::OkStatus()), "");
}

}  // namespace
}  // namespace inkdex::dynamodb
