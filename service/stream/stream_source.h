// StreamSource: the DynamoDB Streams calls a stream follower makes
// (DescribeStream, GetShardIterator, GetRecords), as an interface so the
// follower can be driven by fakes in tests (shard splits, trimmed data,
// expired iterators: what DynamoDB Local cannot produce), and
// StreamsClientSource, the implementation over dynamodb::StreamsClient.
//
// Errors follow dynamodb/aws_error.h: TrimmedDataAccessException is
// OutOfRange, ExpiredIteratorException FailedPrecondition,
// ResourceNotFoundException NotFound, each with the AWS type as payload
// (dynamodb::ErrorTypeOf). Implementations retry throttling and 5xx
// themselves (StreamsClient does) or leave it to the caller's backoff.
//
// Thread safety: implementations must allow concurrent calls (one follower
// reads many shards at once).
#ifndef INKDEX_SERVICE_STREAM_STREAM_SOURCE_H_
#define INKDEX_SERVICE_STREAM_STREAM_SOURCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "dynamodb/streams_client.h"

namespace inkdex::stream {

class RecordMapper;  // record_mapper.h

class StreamSource {
 public:
  virtual ~StreamSource() = default;

  // One page of the stream's shards after `exclusive_start_shard_id` (empty:
  // the first page).
  virtual absl::StatusOr<dynamodb::StreamDescription> DescribeStream(
      const std::string& stream_arn, const std::string& exclusive_start_shard_id) = 0;
  // Every page: the first page's description with the shards of all pages
  // and an empty last_evaluated_shard_id.
  virtual absl::StatusOr<dynamodb::StreamDescription> DescribeWholeStream(
      const std::string& stream_arn) = 0;
  // REQUIRES for kAtSequenceNumber and kAfterSequenceNumber: a non-empty
  // `sequence_number`.
  virtual absl::StatusOr<std::string> GetShardIterator(const std::string& stream_arn,
                                                       const std::string& shard_id,
                                                       dynamodb::ShardIteratorType type,
                                                       const std::string& sequence_number) = 0;
  // Up to `limit` (1..1000) records after `shard_iterator`.
  virtual absl::StatusOr<dynamodb::RecordsPage> GetRecords(const std::string& shard_iterator,
                                                           int limit) = 0;
};

// GetRecords pages are read without what RecordMapper::Map never reads
// (ParseRecordsPageForMapping). Given a mapper, the source also maps the
// records it can as it parses a page (RecordMapper::ParseRecordsPage:
// StreamRecord::premapped), which the sink's Map then returns: pass the
// mapper the sink maps with. Ownership: borrows the client and the mapper,
// which must outlive the source.
class StreamsClientSource final : public StreamSource {
 public:
  explicit StreamsClientSource(dynamodb::StreamsClient& client,
                               const RecordMapper* mapper = nullptr)
      : client_(client), mapper_(mapper) {}

  absl::StatusOr<dynamodb::StreamDescription> DescribeStream(
      const std::string& stream_arn, const std::string& exclusive_start_shard_id) override;
  absl::StatusOr<dynamodb::StreamDescription> DescribeWholeStream(
      const std::string& stream_arn) override;
  absl::StatusOr<std::string> GetShardIterator(const std::string& stream_arn,
                                               const std::string& shard_id,
                                               dynamodb::ShardIteratorType type,
                                               const std::string& sequence_number) override;
  absl::StatusOr<dynamodb::RecordsPage> GetRecords(const std::string& shard_iterator,
                                                   int limit) override;

 private:
  dynamodb::StreamsClient& client_;
  const RecordMapper* const mapper_;  // null: pages are not mapped as read
};

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_STREAM_SOURCE_H_
