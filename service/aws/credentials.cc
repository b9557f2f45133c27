#include "aws/credentials.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "aws/caching_credentials_provider.h"
#include "aws/container_credentials.h"
#include "aws/shared_credentials_file.h"

namespace inkdex::aws {

Environment ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

EnvironmentCredentialsProvider::EnvironmentCredentialsProvider(Environment env)
    : env_(std::move(env)) {}

absl::StatusOr<Credentials> EnvironmentCredentialsProvider::GetCredentials() {
  std::optional<std::string> access_key_id = env_("AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret_access_key = env_("AWS_SECRET_ACCESS_KEY");
  if (!access_key_id && !secret_access_key) {
    return absl::NotFoundError(
        "environment: neither AWS_ACCESS_KEY_ID nor AWS_SECRET_ACCESS_KEY is set");
  }
  if (!access_key_id || !secret_access_key) {
    return absl::InvalidArgumentError(absl::StrCat(
        "environment: ", access_key_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
        " is set but ", access_key_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID", " is not"));
  }
  Credentials credentials;
  credentials.access_key_id = std::move(*access_key_id);
  credentials.secret_access_key = std::move(*secret_access_key);
  credentials.session_token = env_("AWS_SESSION_TOKEN").value_or("");
  credentials.source = "environment";
  return credentials;
}

ChainCredentialsProvider::ChainCredentialsProvider(
    std::vector<std::unique_ptr<CredentialsProvider>> providers)
    : providers_(std::move(providers)) {}

absl::StatusOr<Credentials> ChainCredentialsProvider::GetCredentials() {
  std::vector<std::string> not_found;
  for (const std::unique_ptr<CredentialsProvider>& provider : providers_) {
    absl::StatusOr<Credentials> credentials = provider->GetCredentials();
    if (credentials.ok() || !absl::IsNotFound(credentials.status())) return credentials;
    not_found.emplace_back(credentials.status().message());
  }
  return absl::NotFoundError(
      absl::StrCat("no AWS credentials found: ", absl::StrJoin(not_found, "; ")));
}

absl::StatusOr<std::string> ResolveRegion(const Environment& env) {
  std::string variable = "AWS_REGION";
  std::optional<std::string> region = env(variable);
  if (!region) {
    variable = "AWS_DEFAULT_REGION";
    region = env(variable);
  }
  if (!region) {
    return absl::NotFoundError("region: neither AWS_REGION nor AWS_DEFAULT_REGION is set");
  }
  for (char c : *region) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') {
      return absl::InvalidArgumentError(
          absl::StrCat("region: ", variable, " \"", *region,
                       "\" is not a region name (lower-case letters, digits and '-')"));
    }
  }
  return *region;
}

std::unique_ptr<CredentialsProvider> NewDefaultCredentialsChain(Environment env, HttpClient& http) {
  std::vector<std::unique_ptr<CredentialsProvider>> chain;
  chain.push_back(std::make_unique<EnvironmentCredentialsProvider>(env));
  chain.push_back(std::make_unique<SharedCredentialsFileProvider>(env));
  chain.push_back(std::make_unique<ContainerCredentialsProvider>(env, http));
  return std::make_unique<CachingCredentialsProvider>(
      std::make_unique<ChainCredentialsProvider>(std::move(chain)));
}

}  // namespace inkdex::aws
