#include "stream/stream_source.h"

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "stream/record_mapper.h"

namespace inkdex::stream {

absl::StatusOr<dynamodb::StreamDescription> StreamsClientSource::DescribeStream(
    const std::string& stream_arn, const std::string& exclusive_start_shard_id) {
  return client_.DescribeStream(stream_arn, exclusive_start_shard_id);
}

absl::StatusOr<dynamodb::StreamDescription> StreamsClientSource::DescribeWholeStream(
    const std::string& stream_arn) {
  return client_.DescribeWholeStream(stream_arn);
}

absl::StatusOr<std::string> StreamsClientSource::GetShardIterator(
    const std::string& stream_arn, const std::string& shard_id, dynamodb::ShardIteratorType type,
    const std::string& sequence_number) {
  return client_.GetShardIterator(stream_arn, shard_id, type, sequence_number);
}

absl::StatusOr<dynamodb::RecordsPage> StreamsClientSource::GetRecords(
    const std::string& shard_iterator, int limit) {
  if (mapper_ == nullptr) {
    return client_.GetRecords(shard_iterator, limit, ParseRecordsPageForMapping);
  }
  std::vector<std::shared_ptr<const MappedRecord>> premapped;
  absl::StatusOr<dynamodb::RecordsPage> page =
      client_.GetRecords(shard_iterator, limit, [this, &premapped](std::string_view text) {
        return mapper_->ParseRecordsPage(text, &premapped);
      });
  if (!page.ok()) return page;
  if (absl::Status s = AttachPremapped(std::move(premapped), *page); !s.ok()) return s;
  return page;
}

}  // namespace inkdex::stream
