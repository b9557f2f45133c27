#include "aws/container_credentials.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "aws/url.h"

namespace inkdex::aws {
namespace {

constexpr absl::string_view kSource = "container credentials";

bool IsContainerEndpointHost(absl::string_view host) {
  return IsLoopbackHost(host) || host == "169.254.170.2" || host == "169.254.170.23" ||
         host == "[fd00:ec2::23]";
}

absl::StatusOr<std::string> AuthorizationToken(const Environment& env) {
  std::string token;
  std::string variable;
  if (std::optional<std::string> file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    variable = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
    std::ifstream in(*file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      return absl::InvalidArgumentError(
          absl::StrCat(kSource, ": ", variable, " ", *file, ": cannot be read"));
    }
    token = std::string(absl::StripAsciiWhitespace(text.str()));
  } else if (std::optional<std::string> value = env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    variable = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    token = *value;
  }
  if (token.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(kSource, ": ", variable, " contains CR, LF or NUL"));
  }
  return token;
}

}  // namespace

absl::StatusOr<Credentials> ParseContainerCredentials(absl::string_view json,
                                                      absl::string_view endpoint) {
  auto bad = [endpoint](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(kSource, " from ", endpoint, ": ", why));
  };
  nlohmann::json document = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return bad("answer is not JSON");
  if (!document.is_object()) return bad("answer is not a JSON object");
  auto string_field = [&](const char* name, bool required, std::string* out) -> absl::Status {
    auto it = document.find(name);
    if (it == document.end() || it->is_null()) {
      return required ? bad(absl::StrCat("field ", name, " is missing")) : absl::OkStatus();
    }
    if (!it->is_string()) return bad(absl::StrCat("field ", name, " is not a string"));
    *out = it->get<std::string>();
    if (required && out->empty()) return bad(absl::StrCat("field ", name, " is empty"));
    return absl::OkStatus();
  };
  Credentials credentials;
  std::string expiration;
  for (absl::Status status : {string_field("AccessKeyId", true, &credentials.access_key_id),
                              string_field("SecretAccessKey", true, &credentials.secret_access_key),
                              string_field("Token", false, &credentials.session_token),
                              string_field("Expiration", false, &expiration)}) {
    if (!status.ok()) return status;
  }
  if (!expiration.empty()) {
    absl::Time when;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, expiration, &when, &error)) {
      return bad(
          absl::StrCat("field Expiration \"", expiration, "\" is not an RFC 3339 time: ", error));
    }
    credentials.expiration = when;
  }
  credentials.source = absl::StrCat(kSource, " from ", endpoint);
  return credentials;
}

ContainerCredentialsProvider::ContainerCredentialsProvider(Environment env, HttpClient& http)
    : ContainerCredentialsProvider(std::move(env), http, Options()) {}

ContainerCredentialsProvider::ContainerCredentialsProvider(Environment env, HttpClient& http,
                                                           Options options)
    : env_(std::move(env)), http_(http), options_(std::move(options)) {}

absl::StatusOr<Credentials> ContainerCredentialsProvider::GetCredentials() {
  std::string url;
  if (std::optional<std::string> relative = env_("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    if (relative->empty() || relative->front() != '/') {
      return absl::InvalidArgumentError(absl::StrCat(kSource,
                                                     ": AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \"",
                                                     *relative, "\" does not start with '/'"));
    }
    url = absl::StrCat(options_.relative_uri_base, *relative);
  } else if (std::optional<std::string> full = env_("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    absl::StatusOr<ParsedUrl> parsed = ParseUrl(*full);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          kSource, ": AWS_CONTAINER_CREDENTIALS_FULL_URI: ", parsed.status().message()));
    }
    if (parsed->scheme != "https" && !IsContainerEndpointHost(parsed->host)) {
      return absl::InvalidArgumentError(
          absl::StrCat(kSource, ": AWS_CONTAINER_CREDENTIALS_FULL_URI \"", *full,
                       "\" must be https, or http to a loopback address or the ECS/EKS endpoint"));
    }
    url = *full;
  } else {
    return absl::NotFoundError(absl::StrCat(
        kSource,
        ": neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI "
        "is set"));
  }

  absl::Status last_error;
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    if (attempt > 0) absl::SleepFor(options_.retry_delay * attempt);
    absl::StatusOr<std::string> token = AuthorizationToken(env_);
    if (!token.ok()) return token.status();
    HttpRequest request;
    request.url = url;
    request.timeout = options_.timeout;
    request.connect_timeout = options_.timeout;
    request.headers.emplace_back("Accept", "application/json");
    if (!token->empty()) request.headers.emplace_back("Authorization", *token);
    absl::StatusOr<HttpResponse> response = http_.Send(request);
    if (!response.ok()) {
      last_error = absl::UnavailableError(
          absl::StrCat(kSource, " from ", url, ": ", response.status().message()));
      continue;
    }
    if (response->status_code == 200) return ParseContainerCredentials(response->body, url);
    last_error = absl::UnavailableError(
        absl::StrCat(kSource, " from ", url, ": HTTP ", response->status_code, ": ",
                     absl::string_view(response->body).substr(0, 200)));
    if (response->status_code < 500) break;  // a 4xx will not change on retry
  }
  return last_error;
}

}  // namespace inkdex::aws
