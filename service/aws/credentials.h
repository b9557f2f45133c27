// AWS credentials and where they come from: the Credentials value, the
// CredentialsProvider interface, the environment source, the chain of
// sources, the region, and the default chain
// (environment -> shared credentials file -> ECS/Fargate container
// endpoint, the AWS SDKs' order for these three, behind a cache that
// refreshes temporary credentials before they expire).
//
// Errors: a source that is simply not configured answers NotFound, and the
// chain moves on to the next one; a source that is configured but broken
// (half the variables set, an unreadable file, an endpoint failing) answers
// another code naming the source and the variable or file, and the chain
// stops there rather than silently using other credentials.
//
// Thread safety: providers are safe to call concurrently unless stated.
#ifndef INKDEX_SERVICE_AWS_CREDENTIALS_H_
#define INKDEX_SERVICE_AWS_CREDENTIALS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace inkdex::aws {

class HttpClient;  // http_client.h

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;             // empty for long-term keys
  std::optional<absl::Time> expiration;  // absent: does not expire
  std::string source;                    // where they came from, for logs
};

// Looks up an environment variable; nullopt when unset. Injected so tests
// do not depend on (or modify) the process environment.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv). An empty value counts as unset, as in
// the AWS SDKs.
Environment ProcessEnvironment();

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual absl::StatusOr<Credentials> GetCredentials() = 0;
  // AWS rejected the credentials last returned (ExpiredTokenException,
  // UnrecognizedClientException): forget any cached copy, so the next
  // GetCredentials reads the source again. Default: nothing cached.
  virtual void Invalidate() {}
};

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optional AWS_SESSION_TOKEN.
// NotFound when neither key variable is set; InvalidArgument when only one
// of them is.
class EnvironmentCredentialsProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentCredentialsProvider(Environment env);
  absl::StatusOr<Credentials> GetCredentials() override;

 private:
  Environment env_;
};

// Asks each provider in turn; the first success wins. A NotFound moves on;
// any other error is returned as is. When every provider answers NotFound
// the result is NotFound listing what each one looked for.
class ChainCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ChainCredentialsProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers);
  absl::StatusOr<Credentials> GetCredentials() override;

 private:
  std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

// The region requests are signed for: AWS_REGION, else AWS_DEFAULT_REGION.
// NotFound naming both variables when neither is set; InvalidArgument when
// the value is not a region name (lower-case letters, digits, '-').
absl::StatusOr<std::string> ResolveRegion(const Environment& env);

// The default chain (environment, shared credentials file, container
// endpoint) behind a CachingCredentialsProvider with its default refresh
// margin. `http` is used by the container source, is not owned and must
// outlive the provider.
std::unique_ptr<CredentialsProvider> NewDefaultCredentialsChain(Environment env, HttpClient& http);

}  // namespace inkdex::aws

#endif  // INKDEX_SERVICE_AWS_CREDENTIALS_H_
