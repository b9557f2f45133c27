#include "aws/container_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "aws/aws_test_util.h"
#include "aws/caching_credentials_provider.h"

namespace inkdex::aws {
namespace {

using ::inkdex::aws::testing::CannedResponse;
using ::inkdex::aws::testing::MapEnvironment;
using ::inkdex::aws::testing::RecordedRequest;
using ::inkdex::aws::testing::TempDir;
using ::inkdex::aws::testing::TestHttpServer;
using ::testing::HasSubstr;

std::string CredentialsJson(const std::string& key_id, absl::Time expiration) {
  return absl::StrCat(R"({"RoleArn":"arn:aws:iam::1:role/x","AccessKeyId":")", key_id,
                      R"(","SecretAccessKey":"secret-)", key_id, R"(","Token":"token-)", key_id,
                      R"(","Expiration":")",
                      absl::FormatTime(absl::RFC3339_sec, expiration, absl::UTCTimeZone()), "\"}");
}

ContainerCredentialsProvider::Options FastOptions() {
  ContainerCredentialsProvider::Options options;
  options.timeout = absl::Seconds(2);
  options.retry_delay = absl::Milliseconds(1);
  return options;
}

TEST(ContainerCredentialsTest, FullUriWithAuthorizationToken) {
  const absl::Time expiration = absl::FromUnixSeconds(4102444800);  // 2100-01-01
  TestHttpServer endpoint([&](const RecordedRequest&) {
    return CannedResponse{200, CredentialsJson("AKIDC", expiration)};
  });
  CurlHttpClient http;
  ContainerCredentialsProvider provider(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.base_url() + "/v1/creds"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc=="}}),
      http, FastOptions());
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "AKIDC");
  EXPECT_EQ(credentials->secret_access_key, "secret-AKIDC");
  EXPECT_EQ(credentials->session_token, "token-AKIDC");
  EXPECT_EQ(credentials->expiration, expiration);
  EXPECT_THAT(credentials->source, HasSubstr("/v1/creds"));
  std::vector<RecordedRequest> requests = endpoint.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/v1/creds");
  EXPECT_EQ(requests[0].headers["authorization"], "Basic abc==");
}

TEST(ContainerCredentialsTest, TokenFileWinsAndIsReadOnEveryFetch) {
  TestHttpServer endpoint([&](const RecordedRequest&) {
    return CannedResponse{200, CredentialsJson("AKIDC", absl::FromUnixSeconds(4102444800))};
  });
  TempDir dir;
  const std::string token_file = dir.WriteFile("token", "token-one\n");
  CurlHttpClient http;
  ContainerCredentialsProvider provider(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.base_url() + "/creds"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-variable"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}}),
      http, FastOptions());
  ASSERT_TRUE(provider.GetCredentials().ok());
  dir.WriteFile("token", "token-two");
  ASSERT_TRUE(provider.GetCredentials().ok());
  std::vector<RecordedRequest> requests = endpoint.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers["authorization"], "token-one");
  EXPECT_EQ(requests[1].headers["authorization"], "token-two");
}

TEST(ContainerCredentialsTest, RelativeUriAgainstTheAgentAddress) {
  TestHttpServer endpoint([&](const RecordedRequest&) {
    return CannedResponse{200, CredentialsJson("AKIDREL", absl::FromUnixSeconds(4102444800))};
  });
  CurlHttpClient http;
  ContainerCredentialsProvider::Options options = FastOptions();
  options.relative_uri_base = endpoint.base_url();
  ContainerCredentialsProvider provider(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc-123"},
                      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/unused"}}),
      http, options);
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "AKIDREL");
  ASSERT_EQ(endpoint.requests().size(), 1u);
  EXPECT_EQ(endpoint.requests()[0].path, "/v2/credentials/abc-123");
  EXPECT_FALSE(endpoint.requests()[0].headers.contains("authorization"));
}

TEST(ContainerCredentialsTest, NotConfiguredIsNotFound) {
  CurlHttpClient http;
  ContainerCredentialsProvider provider(MapEnvironment({}), http);
  EXPECT_EQ(provider.GetCredentials().status().code(), absl::StatusCode::kNotFound);
}

TEST(ContainerCredentialsTest, RejectsUnsafeOrMalformedUris) {
  CurlHttpClient http;
  ContainerCredentialsProvider plain_http(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}}), http);
  absl::StatusOr<Credentials> credentials = plain_http.GetCredentials();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(credentials.status().message(),
              HasSubstr("AWS_CONTAINER_CREDENTIALS_FULL_URI \"http://example.com/creds\" must be "
                        "https"));
  ContainerCredentialsProvider garbage(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "ftp://x"}}), http);
  EXPECT_THAT(garbage.GetCredentials().status().message(),
              HasSubstr("AWS_CONTAINER_CREDENTIALS_FULL_URI: url \"ftp://x\""));
  ContainerCredentialsProvider relative(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/creds"}}), http);
  EXPECT_THAT(relative.GetCredentials().status().message(),
              HasSubstr("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \"v2/creds\" does not start"));
}

TEST(ContainerCredentialsTest, RejectsAMissingTokenFile) {
  CurlHttpClient http;
  ContainerCredentialsProvider provider(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent/token"}}),
      http, FastOptions());
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(credentials.status().message(),
              HasSubstr("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE /nonexistent/token"));
}

TEST(ContainerCredentialsTest, RetriesServerErrorsButNotClientErrors) {
  std::atomic<int> calls = 0;
  TestHttpServer flaky([&](const RecordedRequest&) {
    if (calls.fetch_add(1) < 2) return CannedResponse{500, "busy"};
    return CannedResponse{200, CredentialsJson("AKIDOK", absl::FromUnixSeconds(4102444800))};
  });
  CurlHttpClient http;
  ContainerCredentialsProvider provider(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", flaky.base_url() + "/c"}}), http,
      FastOptions());
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(calls.load(), 3);

  TestHttpServer forbidden([](const RecordedRequest&) { return CannedResponse{403, "bad token"}; });
  ContainerCredentialsProvider denied(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", forbidden.base_url() + "/c"}}), http,
      FastOptions());
  absl::StatusOr<Credentials> refused = denied.GetCredentials();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("HTTP 403: bad token"));
  EXPECT_EQ(forbidden.requests().size(), 1u);
}

TEST(ContainerCredentialsTest, UnreachableEndpointIsUnavailable) {
  CurlHttpClient http;
  const std::string url = absl::StrCat("http://127.0.0.1:", testing::UnusedLoopbackPort(), "/c");
  ContainerCredentialsProvider provider(
      MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url}}), http, FastOptions());
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(credentials.status().message(), HasSubstr("container credentials from " + url));
}

TEST(ParseContainerCredentialsTest, ErrorsNameTheField) {
  auto error = [](const std::string& json) {
    return std::string(ParseContainerCredentials(json, "E").status().message());
  };
  EXPECT_EQ(error("not json"), "container credentials from E: answer is not JSON");
  EXPECT_EQ(error("[]"), "container credentials from E: answer is not a JSON object");
  EXPECT_EQ(error(R"({"SecretAccessKey":"s"})"),
            "container credentials from E: field AccessKeyId is missing");
  EXPECT_EQ(error(R"({"AccessKeyId":"a","SecretAccessKey":7})"),
            "container credentials from E: field SecretAccessKey is not a string");
  EXPECT_EQ(error(R"({"AccessKeyId":"","SecretAccessKey":"s"})"),
            "container credentials from E: field AccessKeyId is empty");
  EXPECT_THAT(error(R"({"AccessKeyId":"a","SecretAccessKey":"s","Expiration":"tomorrow"})"),
              HasSubstr("field Expiration \"tomorrow\" is not an RFC 3339 time"));
}

TEST(ParseContainerCredentialsTest, TokenAndExpirationAreOptional) {
  absl::StatusOr<Credentials> credentials =
      ParseContainerCredentials(R"({"AccessKeyId":"a","SecretAccessKey":"s"})", "E");
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials->session_token, "");
  EXPECT_FALSE(credentials->expiration.has_value());
  absl::StatusOr<Credentials> fractional = ParseContainerCredentials(
      R"({"AccessKeyId":"a","SecretAccessKey":"s","Expiration":"2026-11-29T08:00:00.5+01:00"})",
      "E");
  ASSERT_TRUE(fractional.ok()) << fractional.status();
  EXPECT_EQ(*fractional->expiration, absl::FromUnixMillis(1795935600500));
}

// The endpoint hands out credentials valid for 15 minutes from the fake
// clock's now; the cache must come back for new ones 5 minutes early.
TEST(ContainerCredentialsTest, CachedCredentialsAreRefreshedBeforeExpiry) {
  absl::Mutex clock_mutex;
  absl::Time now = absl::FromUnixSeconds(1800000000);
  std::atomic<int> issued = 0;
  TestHttpServer endpoint([&](const RecordedRequest&) {
    absl::MutexLock lock(&clock_mutex);
    const int n = issued.fetch_add(1) + 1;
    return CannedResponse{200, CredentialsJson(absl::StrCat("AKID", n), now + absl::Minutes(15))};
  });
  CurlHttpClient http;
  CachingCredentialsProvider::Options options;
  options.now = [&] {
    absl::MutexLock lock(&clock_mutex);
    return now;
  };
  CachingCredentialsProvider provider(
      std::make_unique<ContainerCredentialsProvider>(
          MapEnvironment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.base_url() + "/c"},
                          {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok"}}),
          http, FastOptions()),
      options);
  auto advance = [&](absl::Duration d) {
    absl::MutexLock lock(&clock_mutex);
    now += d;
  };

  EXPECT_EQ(provider.GetCredentials()->access_key_id, "AKID1");
  advance(absl::Minutes(9));
  EXPECT_EQ(provider.GetCredentials()->access_key_id, "AKID1");
  advance(absl::Minutes(1) + absl::Seconds(1));  // 4:59 before expiry
  EXPECT_EQ(provider.GetCredentials()->access_key_id, "AKID2");
  EXPECT_EQ(provider.GetCredentials()->access_key_id, "AKID2");
  EXPECT_EQ(issued.load(), 2);
  for (const RecordedRequest& request : endpoint.requests()) {
    EXPECT_EQ(request.headers.at("authorization"), "tok");
  }
}

}  // namespace
}  // namespace inkdex::aws
