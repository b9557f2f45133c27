#include "dynamodb_client/dynamodb_test_util.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace inkdex::dynamodb::testing {

std::unique_ptr<aws::CredentialsProvider> TestCredentials() {
  return std::make_unique<aws::EnvironmentCredentialsProvider>(aws::testing::MapEnvironment(
      {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
       {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}}));
}

void SleepRecorder::Sleep(absl::Duration delay) {
  absl::MutexLock lock(&mutex_);
  delays_.push_back(delay);
}

std::vector<absl::Duration> SleepRecorder::delays() const {
  absl::MutexLock lock(&mutex_);
  return delays_;
}

ClientConfig TestConfig(const std::string& endpoint, SleepRecorder& sleeps, int max_attempts) {
  ClientConfig config;
  config.region = "eu-west-1";
  config.endpoint_override = endpoint;
  config.retry.max_attempts = max_attempts;
  config.retry.base_delay = absl::Milliseconds(100);
  config.retry.max_delay = absl::Seconds(1);
  config.request_timeout = absl::Seconds(5);
  config.connect_timeout = absl::Milliseconds(500);
  config.sleep = [&sleeps](absl::Duration delay) { sleeps.Sleep(delay); };
  config.uniform01 = [] { return 0.5; };
  return config;
}

aws::testing::CannedResponse ErrorResponse(int status, const std::string& type,
                                           const std::string& message) {
  return aws::testing::CannedResponse(
      status,
      absl::StrCat(R"({"__type":"com.amazonaws.dynamodb.v20120810#)", type, R"(","message":")",
                   message, R"("})"),
      {{"Content-Type", "application/x-amz-json-1.0"}});
}

aws::testing::CannedResponse ServeScanPage(const std::vector<std::vector<nlohmann::json>>& segments,
                                           size_t page_size,
                                           const aws::testing::RecordedRequest& request) {
  const nlohmann::json body = nlohmann::json::parse(request.body);
  const std::vector<nlohmann::json>& items = segments.at(body.value("Segment", 0));
  size_t start = 0;
  if (body.contains("ExclusiveStartKey")) {
    while (start < items.size() && items[start]["PK"] != body["ExclusiveStartKey"]["PK"]) ++start;
    ++start;
  }
  nlohmann::json page = nlohmann::json::array();
  for (size_t i = start; i < std::min(items.size(), start + page_size); ++i) {
    page.push_back(items[i]);
  }
  nlohmann::json answer{{"Items", page}, {"Count", page.size()}, {"ScannedCount", page.size()}};
  if (start + page_size < items.size()) {
    answer["LastEvaluatedKey"] = {{"PK", page.back()["PK"]}, {"SK", page.back()["SK"]}};
  }
  return aws::testing::CannedResponse(200, answer.dump());
}

}  // namespace inkdex::dynamodb::testing
