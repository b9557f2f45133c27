#include "dynamodb/json_protocol_client.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "aws/sigv4.h"
#include "aws/url.h"
#include "dynamodb/aws_error.h"
#include "dynamodb/fast_json.h"

namespace inkdex::dynamodb {

namespace {

// Transport failures that may succeed when repeated; see http_client.h.
bool IsRetryableTransportError(const absl::Status& status) {
  return absl::IsDeadlineExceeded(status) || absl::IsUnavailable(status);
}

absl::Status GaveUp(int attempts, const absl::Status& last) {
  absl::Status status(last.code(), absl::StrCat(last.message(), " (gave up after ", attempts,
                                                attempts == 1 ? " attempt)" : " attempts)"));
  if (std::string type = ErrorTypeOf(last); !type.empty()) {
    status.SetPayload(kErrorTypePayload, absl::Cord(type));
  }
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<JsonProtocolClient>> JsonProtocolClient::Create(
    JsonProtocolOptions options, aws::HttpClient& http, aws::CredentialsProvider& credentials) {
  if (absl::StatusOr<aws::ParsedUrl> url = aws::ParseUrl(options.endpoint_url); !url.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("endpoint: ", url.status().message()));
  }
  if (options.region.empty()) return absl::InvalidArgumentError("region: empty");
  if (options.target_prefix.empty()) return absl::InvalidArgumentError("target_prefix: empty");
  if (options.retry.max_attempts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("retry.max_attempts: must be >= 1, got ", options.retry.max_attempts));
  }
  return std::unique_ptr<JsonProtocolClient>(
      new JsonProtocolClient(std::move(options), http, credentials));
}

JsonProtocolClient::JsonProtocolClient(JsonProtocolOptions options, aws::HttpClient& http,
                                       aws::CredentialsProvider& credentials)
    : options_(std::move(options)), http_(http), credentials_(credentials) {}

absl::StatusOr<aws::HttpResponse> JsonProtocolClient::SendOnce(absl::string_view operation,
                                                               const std::string& body) {
  absl::StatusOr<aws::Credentials> credentials = credentials_.GetCredentials();
  if (!credentials.ok()) {
    return absl::Status(credentials.status().code(),
                        absl::StrCat("credentials: ", credentials.status().message()));
  }
  aws::HttpRequest request;
  request.method = "POST";
  request.url = options_.endpoint_url;
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", absl::StrCat(options_.target_prefix, ".", operation)}};
  request.body = body;
  request.timeout = options_.request_timeout;
  request.connect_timeout = options_.connect_timeout;
  aws::SignableRequest signable{request.method, request.url, request.headers, request.body};
  aws::SigningParams params;
  params.service = options_.signing_service;
  params.region = options_.region;
  params.time = absl::Now();
  absl::StatusOr<aws::SignedRequest> signed_request =
      aws::SignRequest(signable, *credentials, params);
  if (!signed_request.ok()) {
    return absl::Status(signed_request.status().code(),
                        absl::StrCat("signing: ", signed_request.status().message()));
  }
  for (auto& header : signed_request->headers_to_add) request.headers.push_back(std::move(header));
  return http_.Send(request);
}

absl::Duration JsonProtocolClient::NextDelay(int retry) {
  double uniform01;
  if (options_.uniform01) {
    uniform01 = options_.uniform01();
  } else {
    absl::MutexLock lock(&random_mutex_);
    uniform01 = absl::Uniform(random_, 0.0, 1.0);
  }
  return options_.retry.Delay(retry, uniform01);
}

absl::StatusOr<nlohmann::json> JsonProtocolClient::Call(absl::string_view operation,
                                                        const nlohmann::json& request,
                                                        const AnswerParser& parse) {
  calls_.fetch_add(1, std::memory_order_relaxed);
  const std::string body = request.dump();
  const std::string name = absl::StrCat(options_.target_prefix, ".", operation);
  absl::Status last;
  bool credentials_retried = false;
  for (int attempt = 1; attempt <= options_.retry.max_attempts; ++attempt) {
    if (attempt > 1) {
      retries_.fetch_add(1, std::memory_order_relaxed);
      absl::Duration delay = NextDelay(attempt - 1);
      if (options_.sleep) {
        options_.sleep(delay);
      } else {
        absl::SleepFor(delay);
      }
      if (options_.cancelled && options_.cancelled()) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        return absl::Status(last.code(), absl::StrCat(last.message(), " (retries cancelled)"));
      }
    }
    attempts_.fetch_add(1, std::memory_order_relaxed);
    absl::StatusOr<aws::HttpResponse> response = SendOnce(operation, body);
    if (!response.ok()) {
      last = absl::Status(response.status().code(),
                          absl::StrCat(name, ": ", response.status().message()));
      if (!IsRetryableTransportError(response.status())) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        return last;
      }
      network_errors_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (response->status_code == 200) {
      absl::StatusOr<nlohmann::json> answer = parse(response->body);
      if (!answer.ok() || !answer->is_object()) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        return absl::DataLossError(absl::StrCat(name, ": the answer is not a JSON object: '",
                                                response->body.substr(0, 200), "'"));
      }
      return answer;
    }
    AwsError error = ParseAwsError(response->status_code, response->body);
    if (error.IsThrottling()) throttled_.fetch_add(1, std::memory_order_relaxed);
    if (error.http_status >= 500) server_errors_.fetch_add(1, std::memory_order_relaxed);
    last = error.ToStatus(name);
    if (error.type == "ExpiredTokenException" || error.type == "UnrecognizedClientException") {
      // Cached credentials AWS no longer takes (a rotated file, expired
      // keys): read them again, and try once more with the new ones.
      credentials_.Invalidate();
      if (!credentials_retried) {
        credentials_retried = true;
        continue;
      }
    }
    if (!error.IsRetryable()) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      return last;
    }
  }
  failed_.fetch_add(1, std::memory_order_relaxed);
  return GaveUp(options_.retry.max_attempts, last);
}

RetryCounters JsonProtocolClient::counters() const {
  RetryCounters c;
  c.calls = calls_.load(std::memory_order_relaxed);
  c.attempts = attempts_.load(std::memory_order_relaxed);
  c.retries = retries_.load(std::memory_order_relaxed);
  c.throttled = throttled_.load(std::memory_order_relaxed);
  c.server_errors = server_errors_.load(std::memory_order_relaxed);
  c.network_errors = network_errors_.load(std::memory_order_relaxed);
  c.failed = failed_.load(std::memory_order_relaxed);
  return c;
}

}  // namespace inkdex::dynamodb
