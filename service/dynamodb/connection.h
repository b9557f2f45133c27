// DynamoDbConnection: everything a process needs to talk to one account's
// DynamoDB and DynamoDB Streams: the HTTP client, the credentials, the
// region, and both API clients, set up the same way by `inkdex build
// --from-dynamodb` and by inkdex-server's stream reader.
//
// Region from AWS_REGION / AWS_DEFAULT_REGION; credentials from the default
// chain (environment, shared file, container endpoint). With an endpoint
// override (DynamoDB Local) a missing region becomes us-east-1 and missing
// credentials become dummy ones (DynamoDB Local checks neither); each such
// substitution is reported through `notes`.
//
// Example:
//   absl::StatusOr<std::unique_ptr<DynamoDbConnection>> c =
//       DynamoDbConnection::Open({.endpoint = "http://127.0.0.1:8000"});
//   if (!c.ok()) return c.status();
//   absl::StatusOr<TableDescription> t = (*c)->dynamodb().DescribeTable("directory");
//
// Thread safety: the clients may be used from any number of threads.
// Ownership: the connection owns everything it hands out by reference.
#ifndef INKDEX_SERVICE_DYNAMODB_CONNECTION_H_
#define INKDEX_SERVICE_DYNAMODB_CONNECTION_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aws/credentials.h"
#include "aws/http_client.h"
#include "dynamodb/dynamodb_client.h"
#include "dynamodb/retry_policy.h"
#include "dynamodb/streams_client.h"

namespace inkdex::dynamodb {

struct ConnectionOptions {
  std::string endpoint;  // --dynamodb-endpoint; empty: the regional AWS endpoints
  // --dynamodb-streams-endpoint: DynamoDB Streams only (ClientConfig).
  std::string streams_endpoint;
  aws::Environment env = aws::ProcessEnvironment();
  RetryPolicy retry;
  // Receives one line per substitution ("no AWS region set; signing for ...").
  std::function<void(const std::string&)> notes;
  // Waits between retries, and whether to give up retrying (ClientConfig):
  // a server passes its stop signal so that shutdown is prompt.
  std::function<void(absl::Duration)> sleep;
  std::function<bool()> cancelled;
};

class DynamoDbConnection {
 public:
  // NotFound when no region or no credentials are configured (without an
  // endpoint override); InvalidArgument on a bad region or endpoint; the
  // credentials chain's error otherwise. Credentials are fetched once here,
  // so a broken setup fails at start, not at the first request.
  static absl::StatusOr<std::unique_ptr<DynamoDbConnection>> Open(ConnectionOptions options);

  DynamoDbClient& dynamodb() { return *dynamodb_; }
  StreamsClient& streams() { return *streams_; }
  const ClientConfig& config() const { return config_; }

 private:
  DynamoDbConnection() = default;

  std::unique_ptr<aws::HttpClient> http_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  ClientConfig config_;
  std::unique_ptr<DynamoDbClient> dynamodb_;
  std::unique_ptr<StreamsClient> streams_;
};

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_CONNECTION_H_
