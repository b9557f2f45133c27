// JsonProtocolClient: one AWS JSON-protocol (1.0) endpoint, the transport
// under DynamoDbClient and StreamsClient. Call(operation, request) POSTs the
// JSON request to the endpoint with
//   X-Amz-Target: <target_prefix>.<operation>
//   Content-Type: application/x-amz-json-1.0
// signed with SigV4 (aws/sigv4.h) for `signing_service` and `region`, with
// credentials fetched from the provider for every attempt (so refreshed
// temporary credentials are picked up), and returns the parsed JSON answer.
//
// Retries: throttling, InternalServerError, 5xx and network errors (no
// complete answer) are retried per the RetryPolicy with jittered exponential
// backoff; when the attempts run out the last error is returned
// (ResourceExhausted for throttling, Unavailable otherwise) saying how many
// attempts were made. ExpiredTokenException and UnrecognizedClientException
// (the credentials were rotated or have expired) invalidate the provider's
// cached credentials (CredentialsProvider::Invalidate) and are tried once
// more, with the credentials read again, if attempts remain. Other errors
// are returned at once (aws_error.h: the status names the operation and
// carries the AWS error type). A 200 answer
// that is not a JSON object is DataLoss. Every attempt is counted in
// counters().
//
// Ownership: the HttpClient and CredentialsProvider are not owned and must
// outlive the client.
// Thread safety: Call may be called concurrently.
#ifndef INKDEX_SERVICE_DYNAMODB_JSON_PROTOCOL_CLIENT_H_
#define INKDEX_SERVICE_DYNAMODB_JSON_PROTOCOL_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "aws/credentials.h"
#include "aws/http_client.h"
#include "dynamodb/fast_json.h"
#include "dynamodb/retry_policy.h"
#include "nlohmann/json.hpp"

namespace inkdex::dynamodb {

struct JsonProtocolOptions {
  std::string endpoint_url;  // e.g. "https://dynamodb.eu-west-1.amazonaws.com"
  std::string region;        // signed for; required even for DynamoDB Local
  std::string signing_service = "dynamodb";
  std::string target_prefix;  // "DynamoDB_20120810", "DynamoDBStreams_20120810"
  RetryPolicy retry;
  absl::Duration request_timeout = absl::Seconds(10);  // one attempt
  absl::Duration connect_timeout = absl::Seconds(2);
  // How to wait between attempts; absl::SleepFor when empty. Tests record.
  std::function<void(absl::Duration)> sleep;
  // Random numbers in [0, 1) for the jitter; a seeded absl::BitGen when empty.
  std::function<double()> uniform01;
  // Asked after each wait between attempts: true ends the call at once with
  // the last error (a process shutting down should not sit out the retries).
  std::function<bool()> cancelled;
};

class JsonProtocolClient {
 public:
  // Fails (InvalidArgument) on an endpoint that is not an http(s) URL, an
  // empty region or target prefix, or a RetryPolicy without attempts.
  static absl::StatusOr<std::unique_ptr<JsonProtocolClient>> Create(
      JsonProtocolOptions options, aws::HttpClient& http, aws::CredentialsProvider& credentials);

  JsonProtocolClient(const JsonProtocolClient&) = delete;
  JsonProtocolClient& operator=(const JsonProtocolClient&) = delete;

  // Reads a 200 answer's body: ParseJson, or a parser that leaves out what
  // its caller never reads (as ParseJsonOmitting does). An error or a value
  // that is not an object fails the call (DataLoss, not retried).
  using AnswerParser = std::function<absl::StatusOr<nlohmann::json>(std::string_view body)>;

  // REQUIRES: `request` is a JSON object.
  absl::StatusOr<nlohmann::json> Call(absl::string_view operation, const nlohmann::json& request,
                                      const AnswerParser& parse = ParseJson);

  RetryCounters counters() const;
  const JsonProtocolOptions& options() const { return options_; }

 private:
  JsonProtocolClient(JsonProtocolOptions options, aws::HttpClient& http,
                     aws::CredentialsProvider& credentials);

  // One signed POST; the HTTP answer, or the error of the transport, the
  // credentials or the signer.
  absl::StatusOr<aws::HttpResponse> SendOnce(absl::string_view operation, const std::string& body);
  absl::Duration NextDelay(int retry);

  const JsonProtocolOptions options_;
  aws::HttpClient& http_;
  aws::CredentialsProvider& credentials_;

  absl::Mutex random_mutex_;
  absl::BitGen random_ ABSL_GUARDED_BY(random_mutex_);

  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> attempts_{0};
  std::atomic<uint64_t> retries_{0};
  std::atomic<uint64_t> throttled_{0};
  std::atomic<uint64_t> server_errors_{0};
  std::atomic<uint64_t> network_errors_{0};
  std::atomic<uint64_t> failed_{0};
};

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_JSON_PROTOCOL_CLIENT_H_
