// DynamoDbClient: the DynamoDB API calls inkdex needs (DescribeTable, Scan)
// over JsonProtocolClient: SigV4-signed, retried with jittered backoff on
// throttling, 5xx and network errors (see json_protocol_client.h for the
// retry contract and aws_error.h for the error statuses).
//
// Items are returned as DynamoDB JSON attribute maps
// ({"artistId": {"S": "a1"}, "rating": {"N": "4.8"}, ...}), as nlohmann::json
// objects; numbers stay the strings DynamoDB sent.
//
// Example (a parallel scan runs one such loop per segment, each on its own
// thread; the client is shared):
//   ScanRequest request{.table = "directory", .segment = s, .total_segments = n};
//   do {
//     absl::StatusOr<ScanPage> page = client->Scan(request);
//     if (!page.ok()) return page.status();
//     for (const nlohmann::json& item : page->items) Use(item);
//     request.exclusive_start_key = page->last_evaluated_key;
//   } while (!request.exclusive_start_key.is_null());
//
// Ownership: the HttpClient and CredentialsProvider are not owned and must
// outlive the client. Thread safety: all methods may be called concurrently.
#ifndef INKDEX_SERVICE_DYNAMODB_DYNAMODB_CLIENT_H_
#define INKDEX_SERVICE_DYNAMODB_DYNAMODB_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "aws/credentials.h"
#include "aws/http_client.h"
#include "dynamodb/client_config.h"
#include "dynamodb/json_protocol_client.h"
#include "nlohmann/json.hpp"

namespace inkdex::dynamodb {

struct TableDescription {
  std::string table_name;
  std::string table_status;  // "ACTIVE", "CREATING", ...
  // DynamoDB's estimate, refreshed about every six hours; 0 when absent.
  int64_t item_count = 0;
  bool stream_enabled = false;
  std::string stream_view_type;   // "NEW_AND_OLD_IMAGES", ...; empty without a stream
  std::string latest_stream_arn;  // empty when the table never had a stream
  std::string latest_stream_label;
};

struct ScanRequest {
  std::string table;
  int segment = 0;         // in [0, total_segments)
  int total_segments = 1;  // in [1, 1000000]; 1 = a plain (not parallel) scan
  // The previous page's last_evaluated_key; null to start the segment.
  nlohmann::json exclusive_start_key;
  std::optional<int> limit;  // items evaluated per page; else up to 1 MB
  bool consistent_read = false;
};

struct ScanPage {
  std::vector<nlohmann::json> items;  // attribute maps
  // Where the next page starts; null when the segment is finished.
  nlohmann::json last_evaluated_key;
  int64_t scanned_count = 0;
};

class DynamoDbClient {
 public:
  // InvalidArgument on a bad config (no region, an endpoint that is not an
  // http(s) URL, no attempts).
  static absl::StatusOr<std::unique_ptr<DynamoDbClient>> Create(
      const ClientConfig& config, aws::HttpClient& http, aws::CredentialsProvider& credentials);

  // NotFound (ResourceNotFoundException) when the table does not exist.
  absl::StatusOr<TableDescription> DescribeTable(const std::string& table);

  // One page of one segment. InvalidArgument (before sending) on an empty
  // table name, a segment out of range, or an exclusive_start_key that is
  // neither null nor an object; DataLoss when the answer lacks Items.
  // `parse` reads the answer's text (stream::RecordMapper::ParseScanPage
  // maps items as it reads them).
  absl::StatusOr<ScanPage> Scan(const ScanRequest& request,
                                const JsonProtocolClient::AnswerParser& parse = ParseJson);

  RetryCounters counters() const { return protocol_->counters(); }

 private:
  explicit DynamoDbClient(std::unique_ptr<JsonProtocolClient> protocol)
      : protocol_(std::move(protocol)) {}

  std::unique_ptr<JsonProtocolClient> protocol_;
};

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_DYNAMODB_CLIENT_H_
