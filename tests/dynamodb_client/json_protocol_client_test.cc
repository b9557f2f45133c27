// The transport against a fake endpoint: what goes on the wire, and the
// retry contract (which errors are repeated, the backoff waits, giving up).
#include "dynamodb/json_protocol_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "absl/strings/match.h"
#include "aws/aws_test_util.h"
#include "dynamodb/aws_error.h"
#include "dynamodb_client/dynamodb_test_util.h"

namespace inkdex::dynamodb {
namespace {

using aws::testing::CannedResponse;
using aws::testing::RecordedRequest;
using aws::testing::TestHttpServer;
using testing::ErrorResponse;
using testing::SleepRecorder;
using testing::TestConfig;

// The transport as DynamoDbClient configures it.
struct DynamoDbTransport {
  static absl::StatusOr<std::unique_ptr<JsonProtocolClient>> Create(
      const ClientConfig& config, aws::HttpClient& http, aws::CredentialsProvider& credentials) {
    return JsonProtocolClient::Create(DynamoDbProtocolOptions(config), http, credentials);
  }
};

using JsonProtocolClientTest = testing::FakeEndpointTest<DynamoDbTransport>;

TEST_F(JsonProtocolClientTest, PostsSignedJsonWithTheTarget) {
  TestHttpServer server(
      [](const RecordedRequest&) { return CannedResponse(200, R"({"TableNames":["a"]})"); });
  auto client = Client(server.base_url());
  absl::StatusOr<nlohmann::json> answer = client->Call("ListTables", {{"Limit", 1}});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ((*answer)["TableNames"][0], "a");
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const RecordedRequest& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/");
  EXPECT_EQ(request.headers.at("x-amz-target"), "DynamoDB_20120810.ListTables");
  EXPECT_EQ(request.headers.at("content-type"), "application/x-amz-json-1.0");
  EXPECT_EQ(nlohmann::json::parse(request.body), (nlohmann::json{{"Limit", 1}}));
  const std::string& authorization = request.headers.at("authorization");
  EXPECT_TRUE(absl::StartsWith(authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
      << authorization;
  EXPECT_TRUE(absl::StrContains(authorization, "/eu-west-1/dynamodb/aws4_request"))
      << authorization;
  EXPECT_TRUE(absl::StrContains(authorization, "x-amz-target")) << authorization;
  EXPECT_TRUE(request.headers.contains("x-amz-date"));
  EXPECT_EQ(client->counters().attempts, 1u);
  EXPECT_EQ(client->counters().retries, 0u);
  EXPECT_TRUE(sleeps_.delays().empty());
}

TEST_F(JsonProtocolClientTest, RetriesThrottlingAndServerErrorsThenSucceeds) {
  std::atomic<int> calls{0};
  TestHttpServer server([&calls](const RecordedRequest&) {
    switch (calls++) {
      case 0:
        return ErrorResponse(400, "ThrottlingException", "Rate exceeded");
      case 1:
        return ErrorResponse(400, "ProvisionedThroughputExceededException", "slow down");
      case 2:
        return CannedResponse(500, R"({"__type":"InternalServerError","message":"oops"})");
      default:
        return CannedResponse(200, R"({"ok":true})");
    }
  });
  auto client = Client(server.base_url(), 4);
  absl::StatusOr<nlohmann::json> answer = client->Call("Scan", {{"TableName", "t"}});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(server.requests().size(), 4u);
  RetryCounters counters = client->counters();
  EXPECT_EQ(counters.calls, 1u);
  EXPECT_EQ(counters.attempts, 4u);
  EXPECT_EQ(counters.retries, 3u);
  EXPECT_EQ(counters.throttled, 2u);
  EXPECT_EQ(counters.server_errors, 1u);
  EXPECT_EQ(counters.failed, 0u);
  // Jitter 0.5 of ceilings 100, 200, 400 ms: the waits grow exponentially.
  EXPECT_EQ(sleeps_.delays(),
            (std::vector<absl::Duration>{absl::Milliseconds(50), absl::Milliseconds(100),
                                         absl::Milliseconds(200)}));
}

TEST_F(JsonProtocolClientTest, RetriesA503WithoutABody) {
  std::atomic<int> calls{0};
  TestHttpServer server([&calls](const RecordedRequest&) {
    return calls++ == 0 ? CannedResponse(503, "") : CannedResponse(200, "{}");
  });
  auto client = Client(server.base_url());
  ASSERT_TRUE(client->Call("DescribeTable", {{"TableName", "t"}}).ok());
  EXPECT_EQ(client->counters().server_errors, 1u);
}

TEST_F(JsonProtocolClientTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  TestHttpServer server([](const RecordedRequest&) {
    return ErrorResponse(400, "ProvisionedThroughputExceededException", "too fast");
  });
  auto client = Client(server.base_url(), 3);
  absl::StatusOr<nlohmann::json> answer = client->Call("Scan", {{"TableName", "t"}});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(answer.status().message(),
            "DynamoDB_20120810.Scan: ProvisionedThroughputExceededException (HTTP 400): too "
            "fast (gave up after 3 attempts)");
  EXPECT_EQ(ErrorTypeOf(answer.status()), "ProvisionedThroughputExceededException");
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(sleeps_.delays().size(), 2u);
  EXPECT_EQ(client->counters().failed, 1u);
}

TEST_F(JsonProtocolClientTest, CancelledRetriesEndTheCallAfterTheWait) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse(500, "{}"); });
  int asked = 0;
  absl::StatusOr<std::unique_ptr<JsonProtocolClient>> client = JsonProtocolClient::Create(
      [&] {
        JsonProtocolOptions options =
            DynamoDbProtocolOptions(TestConfig(server.base_url(), sleeps_, 8));
        options.cancelled = [&asked] { return ++asked >= 2; };  // during the second wait
        return options;
      }(),
      http_, *credentials_);
  ASSERT_TRUE(client.ok());
  absl::StatusOr<nlohmann::json> answer = (*client)->Call("Scan", {});
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(answer.status().message()), ::testing::HasSubstr("retries cancelled"));
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(sleeps_.delays().size(), 2u);
  EXPECT_EQ((*client)->counters().failed, 1u);
}

TEST_F(JsonProtocolClientTest, WaitsNeverPassTheCap) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse(500, "{}"); });
  absl::StatusOr<std::unique_ptr<JsonProtocolClient>> client = JsonProtocolClient::Create(
      [&] {
        JsonProtocolOptions options =
            DynamoDbProtocolOptions(TestConfig(server.base_url(), sleeps_, 8));
        options.uniform01 = [] { return 0.999; };
        return options;
      }(),
      http_, *credentials_);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->Call("Scan", {}).status().code(), absl::StatusCode::kUnavailable);
  std::vector<absl::Duration> delays = sleeps_.delays();
  ASSERT_EQ(delays.size(), 7u);
  for (size_t i = 1; i < delays.size(); ++i) EXPECT_GE(delays[i], delays[i - 1]);
  EXPECT_LT(delays.back(), absl::Seconds(1));
  EXPECT_GT(delays.back(), absl::Milliseconds(990));
}

TEST_F(JsonProtocolClientTest, ClientErrorsAreReturnedAtOnce) {
  TestHttpServer server([](const RecordedRequest&) {
    return ErrorResponse(400, "ValidationException", "One or more parameter values were invalid");
  });
  auto client = Client(server.base_url());
  absl::StatusOr<nlohmann::json> answer = client->Call("Scan", {{"TableName", "t"}});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(answer.status().message(), "ValidationException"));
  EXPECT_TRUE(absl::StrContains(answer.status().message(), "parameter values were invalid"));
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(sleeps_.delays().empty());
}

TEST_F(JsonProtocolClientTest, NetworkErrorsAreRetriedThenReported) {
  auto client = Client(absl::StrCat("http://127.0.0.1:", aws::testing::UnusedLoopbackPort()), 3);
  absl::StatusOr<nlohmann::json> answer = client->Call("Scan", {{"TableName", "t"}});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kUnavailable) << answer.status();
  EXPECT_TRUE(absl::StrContains(answer.status().message(), "gave up after 3 attempts"));
  EXPECT_EQ(client->counters().network_errors, 3u);
  EXPECT_EQ(sleeps_.delays().size(), 2u);
}

TEST_F(JsonProtocolClientTest, BrokenCredentialsAreReportedWithoutSending) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse(200, "{}"); });
  credentials_ = std::make_unique<aws::EnvironmentCredentialsProvider>(
      aws::testing::MapEnvironment({{"AWS_ACCESS_KEY_ID", "AKIDONLY"}}));
  auto client = Client(server.base_url());
  absl::Status status = client->Call("Scan", {}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), "DynamoDB_20120810.Scan: credentials: "))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "AWS_SECRET_ACCESS_KEY")) << status;
  EXPECT_TRUE(server.requests().empty());
}

// Hands out "AKIDOLD" until invalidated, then "AKIDNEW" (a rotated file).
class RotatingCredentials : public aws::CredentialsProvider {
 public:
  absl::StatusOr<aws::Credentials> GetCredentials() override {
    aws::Credentials c;
    c.access_key_id = invalidations.load() == 0 ? "AKIDOLD" : "AKIDNEW";
    c.secret_access_key = "secret";
    return c;
  }
  void Invalidate() override { invalidations.fetch_add(1); }
  std::atomic<int> invalidations = 0;
};

TEST_F(JsonProtocolClientTest, RejectedCredentialsAreReadAgainAndTriedOnceMore) {
  for (const char* type : {"ExpiredTokenException", "UnrecognizedClientException"}) {
    SCOPED_TRACE(type);
    TestHttpServer server([type](const RecordedRequest& r) {
      return absl::StrContains(r.headers.at("authorization"), "AKIDOLD")
                 ? ErrorResponse(400, type,
                                 "The security token included in the request is "
                                 "expired")
                 : CannedResponse(200, "{}");
    });
    auto rotating = std::make_unique<RotatingCredentials>();
    RotatingCredentials* source = rotating.get();
    credentials_ = std::move(rotating);
    auto client = Client(server.base_url());
    absl::StatusOr<nlohmann::json> answer = client->Call("Scan", {});
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(source->invalidations.load(), 1);
    EXPECT_EQ(server.requests().size(), 2u);
  }
}

TEST_F(JsonProtocolClientTest, CredentialsRejectedAgainAreReportedAfterOneRetry) {
  TestHttpServer server([](const RecordedRequest&) {
    return ErrorResponse(400, "UnrecognizedClientException", "invalid key");
  });
  auto rotating = std::make_unique<RotatingCredentials>();
  RotatingCredentials* source = rotating.get();
  credentials_ = std::move(rotating);
  auto client = Client(server.base_url());
  absl::Status status = client->Call("Scan", {}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(source->invalidations.load(), 2);  // the next call reads them again too
}

TEST_F(JsonProtocolClientTest, AnAnswerThatIsNotJsonIsDataLoss) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse(200, "not json"); });
  auto client = Client(server.base_url());
  absl::StatusOr<nlohmann::json> answer = client->Call("Scan", {});
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(JsonProtocolClientTest, CreateRejectsBadOptions) {
  SleepRecorder sleeps;
  JsonProtocolOptions options = DynamoDbProtocolOptions(TestConfig("ftp://x", sleeps));
  EXPECT_EQ(JsonProtocolClient::Create(options, http_, *credentials_).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = DynamoDbProtocolOptions(TestConfig("http://127.0.0.1:1", sleeps));
  options.region = "";
  EXPECT_EQ(JsonProtocolClient::Create(options, http_, *credentials_).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = DynamoDbProtocolOptions(TestConfig("http://127.0.0.1:1", sleeps, 0));
  EXPECT_EQ(JsonProtocolClient::Create(options, http_, *credentials_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ClientConfigTest, RegionalEndpointsAndTheOverride) {
  ClientConfig config;
  config.region = "eu-west-1";
  EXPECT_EQ(DynamoDbEndpoint(config), "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(StreamsEndpoint(config), "https://streams.dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(StreamsProtocolOptions(config).target_prefix, "DynamoDBStreams_20120810");
  EXPECT_EQ(StreamsProtocolOptions(config).signing_service, "dynamodb");
  config.endpoint_override = "http://127.0.0.1:8000";
  EXPECT_EQ(DynamoDbEndpoint(config), "http://127.0.0.1:8000");
  EXPECT_EQ(StreamsEndpoint(config), "http://127.0.0.1:8000");
  // A DynamoDB Streams interface endpoint (no private DNS) is named alone.
  config.endpoint_override.clear();
  config.streams_endpoint_override =
      "https://vpce-1a2b-3c4d.streams.dynamodb.eu-west-1.vpce.amazonaws.com";
  EXPECT_EQ(DynamoDbEndpoint(config), "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(StreamsEndpoint(config), config.streams_endpoint_override);
  EXPECT_EQ(StreamsProtocolOptions(config).endpoint_url, config.streams_endpoint_override);
}

}  // namespace
}  // namespace inkdex::dynamodb
