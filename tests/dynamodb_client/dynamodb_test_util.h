// Helpers for the tests of service/dynamodb: static credentials, a client
// config pointing at a fake endpoint whose waits between attempts are
// recorded instead of slept, and canned AWS answers.
#ifndef INKDEX_TESTS_DYNAMODB_CLIENT_DYNAMODB_TEST_UTIL_H_
#define INKDEX_TESTS_DYNAMODB_CLIENT_DYNAMODB_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "aws/aws_test_util.h"
#include "aws/credentials.h"
#include "aws/http_client.h"
#include "dynamodb/client_config.h"
#include "nlohmann/json.hpp"

namespace inkdex::dynamodb::testing {

// Always the same long-term keys.
std::unique_ptr<aws::CredentialsProvider> TestCredentials();

// Records the waits a client asked for.
class SleepRecorder {
 public:
  void Sleep(absl::Duration delay);
  std::vector<absl::Duration> delays() const;

 private:
  mutable absl::Mutex mutex_;
  std::vector<absl::Duration> delays_ ABSL_GUARDED_BY(mutex_);
};

// A config for `endpoint` in eu-west-1 with `max_attempts`, base delay
// 100 ms, cap 1 s, jitter 0.5 (half of each ceiling), waits recorded.
ClientConfig TestConfig(const std::string& endpoint, SleepRecorder& sleeps, int max_attempts = 4);

// An AWS JSON-protocol error answer.
aws::testing::CannedResponse ErrorResponse(int status, const std::string& type,
                                           const std::string& message);

// A Scan answer from a fake table: `segments[s]` are segment s's items in
// scan order (each with a distinct "PK"), `page_size` per page, paging with
// LastEvaluatedKey (the page's last item's PK and SK) as DynamoDB does.
aws::testing::CannedResponse ServeScanPage(const std::vector<std::vector<nlohmann::json>>& segments,
                                           size_t page_size,
                                           const aws::testing::RecordedRequest& request);

// A fixture making clients for a fake endpoint with TestConfig:
// Factory::Create(config, http, credentials) returns a StatusOr of the
// client (DynamoDbClient and StreamsClient are their own factories).
template <typename Factory>
class FakeEndpointTest : public ::testing::Test {
 protected:
  auto Client(const std::string& endpoint, int max_attempts = 4) {
    auto client =
        Factory::Create(TestConfig(endpoint, sleeps_, max_attempts), http_, *credentials_);
    EXPECT_TRUE(client.ok()) << client.status();
    using Pointer = typename decltype(client)::value_type;
    return client.ok() ? std::move(*client) : Pointer();
  }

  aws::CurlHttpClient http_;
  std::unique_ptr<aws::CredentialsProvider> credentials_ = TestCredentials();
  SleepRecorder sleeps_;
};

}  // namespace inkdex::dynamodb::testing

#endif  // INKDEX_TESTS_DYNAMODB_CLIENT_DYNAMODB_TEST_UTIL_H_
