// ContainerCredentialsProvider: temporary credentials from the ECS/Fargate
// (or EKS Pod Identity) container credentials endpoint.
//
// Where: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, appended to
// http://169.254.170.2 (the ECS agent), else AWS_CONTAINER_CREDENTIALS_FULL_URI,
// which must be https, or http to a loopback address or to the ECS/EKS
// link-local endpoints (169.254.170.2, 169.254.170.23, [fd00:ec2::23]) so
// that credentials are never fetched in the clear from elsewhere.
// Authorization header: the contents of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
// (re-read on each fetch: the agent rotates it), else
// AWS_CONTAINER_AUTHORIZATION_TOKEN.
// Answer: JSON {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"
// (RFC 3339)}.
//
// Errors: NotFound when neither URI variable is set. InvalidArgument naming
// the variable for a bad URI or token, or naming the field for a bad answer.
// Unavailable (with the HTTP status and the start of the body) when the
// endpoint fails after the retries.
//
// Thread safety: safe to call concurrently.
// Ownership: `http` is not owned and must outlive the provider.
#ifndef INKDEX_SERVICE_AWS_CONTAINER_CREDENTIALS_H_
#define INKDEX_SERVICE_AWS_CONTAINER_CREDENTIALS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "aws/credentials.h"
#include "aws/http_client.h"

namespace inkdex::aws {

class ContainerCredentialsProvider final : public CredentialsProvider {
 public:
  struct Options {
    // Where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is resolved; tests point
    // it at a local server.
    std::string relative_uri_base = "http://169.254.170.2";
    absl::Duration timeout = absl::Seconds(2);
    int attempts = 3;  // transport errors and 5xx are retried
    absl::Duration retry_delay = absl::Milliseconds(100);
  };

  ContainerCredentialsProvider(Environment env, HttpClient& http);
  ContainerCredentialsProvider(Environment env, HttpClient& http, Options options);

  absl::StatusOr<Credentials> GetCredentials() override;

 private:
  Environment env_;
  HttpClient& http_;
  const Options options_;
};

// Parses the endpoint's JSON answer; `endpoint` is used in errors.
absl::StatusOr<Credentials> ParseContainerCredentials(absl::string_view json,
                                                      absl::string_view endpoint);

}  // namespace inkdex::aws

#endif  // INKDEX_SERVICE_AWS_CONTAINER_CREDENTIALS_H_
