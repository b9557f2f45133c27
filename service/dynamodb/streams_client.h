// StreamsClient: the DynamoDB Streams API calls a stream reader needs
// (DescribeStream with paging, GetShardIterator, GetRecords) over
// JsonProtocolClient: SigV4-signed, retried with jittered backoff on
// throttling (LimitExceededException, ...), 5xx and network errors; other
// errors returned with their AWS type (aws_error.h: TrimmedDataAccessException
// is OutOfRange, ExpiredIteratorException FailedPrecondition,
// ResourceNotFoundException NotFound; ErrorTypeOf(status) names it).
//
// Ownership: the HttpClient and CredentialsProvider are not owned and must
// outlive the client. Thread safety: all methods may be called concurrently.
#ifndef INKDEX_SERVICE_DYNAMODB_STREAMS_CLIENT_H_
#define INKDEX_SERVICE_DYNAMODB_STREAMS_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aws/credentials.h"
#include "aws/http_client.h"
#include "dynamodb/client_config.h"
#include "dynamodb/json_protocol_client.h"
#include "dynamodb/stream_record.h"
#include "nlohmann/json.hpp"

namespace inkdex::dynamodb {

struct Shard {
  std::string shard_id;
  std::string parent_shard_id;  // empty for a shard without a parent
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // empty while the shard is open
  bool closed() const { return !ending_sequence_number.empty(); }
};

struct StreamDescription {
  std::string stream_arn;
  std::string stream_label;
  std::string stream_status;  // "ENABLING", "ENABLED", "DISABLING", "DISABLED"
  std::string stream_view_type;
  std::string table_name;
  std::vector<Shard> shards;
  // Pass as exclusive_start_shard_id for the next page; empty on the last.
  std::string last_evaluated_shard_id;
};

enum class ShardIteratorType {
  kTrimHorizon,          // the oldest record still in the shard
  kLatest,               // after the newest record
  kAtSequenceNumber,     // the record with the sequence number
  kAfterSequenceNumber,  // the record after it
};

// The API's name for the type ("TRIM_HORIZON", ...).
const char* ShardIteratorTypeName(ShardIteratorType type);

struct RecordsPage {
  std::vector<StreamRecord> records;
  // The iterator for the next call; nullopt when the shard is closed and
  // every record has been read.
  std::optional<std::string> next_shard_iterator;
};

// The page a GetRecords answer holds (its JSON, whose records are moved
// out): each record by ParseStreamRecord, and NextShardIterator. DataLoss when
// there is no Records array or a record fails to parse ("GetRecords:
// Records[3].dynamodb.SequenceNumber: missing").
absl::StatusOr<RecordsPage> RecordsPageOfAnswer(nlohmann::json&& answer);

class StreamsClient {
 public:
  // InvalidArgument on a bad config (see DynamoDbClient::Create).
  static absl::StatusOr<std::unique_ptr<StreamsClient>> Create(
      const ClientConfig& config, aws::HttpClient& http, aws::CredentialsProvider& credentials);

  // One page of the stream's shards, starting after
  // `exclusive_start_shard_id` (empty: from the first); `limit` shards per
  // page when > 0 (the API allows up to 100).
  absl::StatusOr<StreamDescription> DescribeStream(const std::string& stream_arn,
                                                   const std::string& exclusive_start_shard_id = "",
                                                   int limit = 0);
  // Every page: the first page's description with the shards of all pages.
  // DataLoss when the API repeats a LastEvaluatedShardId (it would loop).
  absl::StatusOr<StreamDescription> DescribeWholeStream(const std::string& stream_arn);

  // REQUIRES for kAtSequenceNumber and kAfterSequenceNumber: a non-empty
  // `sequence_number` (InvalidArgument otherwise).
  absl::StatusOr<std::string> GetShardIterator(const std::string& stream_arn,
                                               const std::string& shard_id, ShardIteratorType type,
                                               const std::string& sequence_number = "");

  // Up to `limit` records (1..1000) when > 0, as RecordsPageOfAnswer reads
  // them. `parse` reads the answer's text: a caller may leave out what it
  // never reads (stream::ParseRecordsPageForMapping).
  absl::StatusOr<RecordsPage> GetRecords(const std::string& shard_iterator, int limit = 0,
                                         const JsonProtocolClient::AnswerParser& parse = ParseJson);

  RetryCounters counters() const { return protocol_->counters(); }

 private:
  explicit StreamsClient(std::unique_ptr<JsonProtocolClient> protocol)
      : protocol_(std::move(protocol)) {}

  std::unique_ptr<JsonProtocolClient> protocol_;
};

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_STREAMS_CLIENT_H_
