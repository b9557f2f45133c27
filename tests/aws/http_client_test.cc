#include "aws/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "aws/aws_test_util.h"

namespace inkdex::aws {
namespace {

using ::inkdex::aws::testing::CannedResponse;
using ::inkdex::aws::testing::RecordedRequest;
using ::inkdex::aws::testing::TestHttpServer;
using ::testing::HasSubstr;

TEST(CurlHttpClientTest, GetReturnsStatusBodyAndHeaders) {
  TestHttpServer server([](const RecordedRequest& request) {
    return CannedResponse{200, "hello " + request.path, {{"X-Amzn-RequestId", "req-1"}}};
  });
  CurlHttpClient client;
  HttpRequest request;
  request.url = server.base_url() + "/path/x?a=1";
  request.headers = {{"X-Custom", "value one"}, {"X-Empty", ""}};
  absl::StatusOr<HttpResponse> response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status_code, 200);
  EXPECT_EQ(response->body, "hello /path/x");
  EXPECT_EQ(response->Header("x-amzn-requestid"), "req-1");
  EXPECT_EQ(response->Header("X-AMZN-REQUESTID"), "req-1");
  EXPECT_EQ(response->Header("absent"), std::nullopt);

  std::vector<RecordedRequest> seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].query, "a=1");
  EXPECT_EQ(seen[0].headers["x-custom"], "value one");
  EXPECT_TRUE(seen[0].headers.contains("x-empty"));
  EXPECT_EQ(seen[0].headers["host"], absl::StrCat("127.0.0.1:", server.port()));
}

TEST(CurlHttpClientTest, PostSendsTheBodyAndOurContentType) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse{200, "{}"}; });
  CurlHttpClient client;
  HttpRequest request;
  request.method = "POST";
  request.url = server.base_url() + "/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "DynamoDB_20120810.ListTables"}};
  request.body = std::string(100000, 'x') + "\xe2\x82\xac";
  absl::StatusOr<HttpResponse> response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  std::vector<RecordedRequest> seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, request.body);
  EXPECT_EQ(seen[0].headers["content-type"], "application/x-amz-json-1.0");
  EXPECT_EQ(seen[0].headers["x-amz-target"], "DynamoDB_20120810.ListTables");
  EXPECT_FALSE(seen[0].headers.contains("expect"));
}

TEST(CurlHttpClientTest, ErrorStatusesAreResponses) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{400, R"({"__type":"ValidationException"})"};
  });
  CurlHttpClient client;
  HttpRequest request;
  request.method = "PUT";
  request.url = server.base_url() + "/";
  request.body = "x";
  absl::StatusOr<HttpResponse> response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status_code, 400);
  EXPECT_THAT(response->body, HasSubstr("ValidationException"));
  EXPECT_EQ(server.requests().at(0).method, "PUT");
}

TEST(CurlHttpClientTest, TimeoutIsDeadlineExceeded) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, "late", {}, absl::Milliseconds(1500)};
  });
  CurlHttpClient client;
  HttpRequest request;
  request.url = server.base_url() + "/slow";
  request.timeout = absl::Milliseconds(200);
  const absl::Time start = absl::Now();
  absl::StatusOr<HttpResponse> response = client.Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(response.status().message(), HasSubstr("/slow"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(CurlHttpClientTest, RefusedConnectionIsUnavailable) {
  CurlHttpClient client;
  HttpRequest request;
  request.url = absl::StrCat("http://127.0.0.1:", testing::UnusedLoopbackPort(), "/");
  absl::StatusOr<HttpResponse> response = client.Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr(request.url));
}

TEST(CurlHttpClientTest, OversizedBodyIsResourceExhausted) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, std::string(10000, 'z')};
  });
  CurlHttpClient::Options options;
  options.max_response_bytes = 1000;
  CurlHttpClient client(options);
  HttpRequest request;
  request.url = server.base_url() + "/";
  absl::StatusOr<HttpResponse> response = client.Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(response.status().message(), HasSubstr("larger than 1000 bytes"));
}

TEST(CurlHttpClientTest, BadRequestsAreRejectedBeforeSending) {
  CurlHttpClient client;
  HttpRequest request;
  request.url = "ftp://example.com/";
  EXPECT_EQ(client.Send(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.url = "http://127.0.0.1:1/";
  request.method = "PATCHY";
  EXPECT_THAT(client.Send(request).status().message(), HasSubstr("unsupported method"));
  request.method = "GET";
  request.headers = {{"X-Injected", "a\r\nEvil: yes"}};
  EXPECT_THAT(client.Send(request).status().message(), HasSubstr("CR, LF"));
}

TEST(CurlHttpClientTest, ConcurrentSends) {
  TestHttpServer server([](const RecordedRequest& request) {
    return CannedResponse{200, request.body};
  });
  CurlHttpClient client;
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        HttpRequest request;
        request.method = "POST";
        request.url = server.base_url() + "/";
        request.body = absl::StrCat("thread ", t, " call ", i);
        absl::StatusOr<HttpResponse> response = client.Send(request);
        if (!response.ok() || response->body != request.body) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.requests().size(), 120u);
}

}  // namespace
}  // namespace inkdex::aws
