#include "dynamodb/connection.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace inkdex::dynamodb {
namespace {

// DynamoDB Local checks neither key, but requests must be signed.
constexpr char kDummyKeyId[] = "inkdexlocal";
constexpr char kDummySecret[] = "inkdexlocal";
constexpr char kLocalRegion[] = "us-east-1";

class FixedCredentialsProvider final : public aws::CredentialsProvider {
 public:
  explicit FixedCredentialsProvider(aws::Credentials credentials)
      : credentials_(std::move(credentials)) {}
  absl::StatusOr<aws::Credentials> GetCredentials() override { return credentials_; }

 private:
  const aws::Credentials credentials_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<DynamoDbConnection>> DynamoDbConnection::Open(
    ConnectionOptions options) {
  const bool local = !options.endpoint.empty();
  auto note = [&options](const std::string& line) {
    if (options.notes) options.notes(line);
  };
  std::unique_ptr<DynamoDbConnection> c(new DynamoDbConnection());
  c->http_ = std::make_unique<aws::CurlHttpClient>();
  c->credentials_ = aws::NewDefaultCredentialsChain(options.env, *c->http_);
  c->config_.endpoint_override = options.endpoint;
  c->config_.streams_endpoint_override = options.streams_endpoint;
  c->config_.retry = options.retry;
  c->config_.sleep = options.sleep;
  c->config_.cancelled = options.cancelled;
  absl::StatusOr<std::string> region = aws::ResolveRegion(options.env);
  if (region.ok()) {
    c->config_.region = *region;
  } else if (absl::IsNotFound(region.status()) && local) {
    c->config_.region = kLocalRegion;
    note(absl::StrCat("no AWS region set; signing for ", kLocalRegion, " (--dynamodb-endpoint ",
                      options.endpoint, ")"));
  } else {
    return region.status();
  }
  absl::StatusOr<aws::Credentials> credentials = c->credentials_->GetCredentials();
  if (!credentials.ok()) {
    if (!absl::IsNotFound(credentials.status()) || !local) return credentials.status();
    note(
        absl::StrCat("no AWS credentials configured; using dummy credentials, which DynamoDB "
                     "Local accepts (--dynamodb-endpoint ",
                     options.endpoint, ")"));
    aws::Credentials dummy;
    dummy.access_key_id = kDummyKeyId;
    dummy.secret_access_key = kDummySecret;
    dummy.source = "dummy credentials for --dynamodb-endpoint";
    c->credentials_ = std::make_unique<FixedCredentialsProvider>(std::move(dummy));
  }
  absl::StatusOr<std::unique_ptr<DynamoDbClient>> dynamodb =
      DynamoDbClient::Create(c->config_, *c->http_, *c->credentials_);
  if (!dynamodb.ok()) return dynamodb.status();
  c->dynamodb_ = std::move(*dynamodb);
  absl::StatusOr<std::unique_ptr<StreamsClient>> streams =
      StreamsClient::Create(c->config_, *c->http_, *c->credentials_);
  if (!streams.ok()) return streams.status();
  c->streams_ = std::move(*streams);
  return c;
}

}  // namespace inkdex::dynamodb
