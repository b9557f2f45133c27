#include "dynamodb/streams_client.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dynamodb/json_fields.h"

namespace inkdex::dynamodb {

using nlohmann::json;

namespace {

Shard ParseShard(const json& raw) {
  JsonFields fields(raw, "DescribeStream: Shards[]");
  Shard shard;
  shard.shard_id = fields.String("ShardId");
  shard.parent_shard_id = fields.String("ParentShardId");
  if (absl::StatusOr<JsonFields> range = fields.Object("SequenceNumberRange"); range.ok()) {
    shard.starting_sequence_number = range->String("StartingSequenceNumber");
    shard.ending_sequence_number = range->String("EndingSequenceNumber");
  }
  return shard;
}

}  // namespace

const char* ShardIteratorTypeName(ShardIteratorType type) {
  switch (type) {
    case ShardIteratorType::kTrimHorizon:
      return "TRIM_HORIZON";
    case ShardIteratorType::kLatest:
      return "LATEST";
    case ShardIteratorType::kAtSequenceNumber:
      return "AT_SEQUENCE_NUMBER";
    case ShardIteratorType::kAfterSequenceNumber:
      return "AFTER_SEQUENCE_NUMBER";
  }
  return "TRIM_HORIZON";
}

absl::StatusOr<std::unique_ptr<StreamsClient>> StreamsClient::Create(
    const ClientConfig& config, aws::HttpClient& http, aws::CredentialsProvider& credentials) {
  absl::StatusOr<std::unique_ptr<JsonProtocolClient>> protocol =
      JsonProtocolClient::Create(StreamsProtocolOptions(config), http, credentials);
  if (!protocol.ok()) return protocol.status();
  return std::unique_ptr<StreamsClient>(new StreamsClient(std::move(*protocol)));
}

absl::StatusOr<StreamDescription> StreamsClient::DescribeStream(
    const std::string& stream_arn, const std::string& exclusive_start_shard_id, int limit) {
  if (stream_arn.empty()) return absl::InvalidArgumentError("DescribeStream: stream_arn: empty");
  json body{{"StreamArn", stream_arn}};
  if (!exclusive_start_shard_id.empty()) body["ExclusiveStartShardId"] = exclusive_start_shard_id;
  if (limit > 0) body["Limit"] = limit;
  absl::StatusOr<json> answer = protocol_->Call("DescribeStream", body);
  if (!answer.ok()) return answer.status();
  absl::StatusOr<JsonFields> description =
      JsonFields(*answer, "DescribeStream").Object("StreamDescription");
  if (!description.ok()) return description.status();
  StreamDescription result;
  result.stream_arn = description->String("StreamArn");
  result.stream_label = description->String("StreamLabel");
  result.stream_status = description->String("StreamStatus");
  result.stream_view_type = description->String("StreamViewType");
  result.table_name = description->String("TableName");
  result.last_evaluated_shard_id = description->String("LastEvaluatedShardId");
  if (const json* shards = description->Find("Shards"); shards != nullptr && shards->is_array()) {
    for (const json& shard : *shards) {
      result.shards.push_back(ParseShard(shard));
      if (result.shards.back().shard_id.empty()) {
        return absl::DataLossError("DescribeStream: Shards[]: a shard without ShardId");
      }
    }
  }
  return result;
}

absl::StatusOr<StreamDescription> StreamsClient::DescribeWholeStream(
    const std::string& stream_arn) {
  absl::StatusOr<StreamDescription> whole = DescribeStream(stream_arn);
  if (!whole.ok()) return whole;
  absl::flat_hash_set<std::string> seen;
  std::string next = whole->last_evaluated_shard_id;
  while (!next.empty()) {
    if (!seen.insert(next).second) {
      return absl::DataLossError(
          absl::StrCat("DescribeStream: LastEvaluatedShardId ", next, " came back twice"));
    }
    absl::StatusOr<StreamDescription> page = DescribeStream(stream_arn, next);
    if (!page.ok()) return page;
    for (Shard& shard : page->shards) whole->shards.push_back(std::move(shard));
    next = page->last_evaluated_shard_id;
  }
  whole->last_evaluated_shard_id.clear();
  return whole;
}

absl::StatusOr<std::string> StreamsClient::GetShardIterator(const std::string& stream_arn,
                                                            const std::string& shard_id,
                                                            ShardIteratorType type,
                                                            const std::string& sequence_number) {
  if (stream_arn.empty()) return absl::InvalidArgumentError("GetShardIterator: stream_arn: empty");
  if (shard_id.empty()) return absl::InvalidArgumentError("GetShardIterator: shard_id: empty");
  json body{{"StreamArn", stream_arn},
            {"ShardId", shard_id},
            {"ShardIteratorType", ShardIteratorTypeName(type)}};
  if (type == ShardIteratorType::kAtSequenceNumber ||
      type == ShardIteratorType::kAfterSequenceNumber) {
    if (sequence_number.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "GetShardIterator: sequence_number: required with ", ShardIteratorTypeName(type)));
    }
    body["SequenceNumber"] = sequence_number;
  }
  absl::StatusOr<json> answer = protocol_->Call("GetShardIterator", body);
  if (!answer.ok()) return answer.status();
  std::string iterator = JsonFields(*answer, "GetShardIterator").String("ShardIterator");
  if (iterator.empty())
    return absl::DataLossError("GetShardIterator: no ShardIterator in the answer");
  return iterator;
}

absl::StatusOr<RecordsPage> StreamsClient::GetRecords(
    const std::string& shard_iterator, int limit, const JsonProtocolClient::AnswerParser& parse) {
  if (shard_iterator.empty()) {
    return absl::InvalidArgumentError("GetRecords: shard_iterator: empty");
  }
  json body{{"ShardIterator", shard_iterator}};
  if (limit > 0) body["Limit"] = limit;
  absl::StatusOr<json> answer = protocol_->Call("GetRecords", body, parse);
  if (!answer.ok()) return answer.status();
  return RecordsPageOfAnswer(*std::move(answer));
}

absl::StatusOr<RecordsPage> RecordsPageOfAnswer(json&& answer) {
  auto records = answer.find("Records");
  if (records == answer.end() || !records->is_array()) {
    return absl::DataLossError("GetRecords: the answer has no Records array");
  }
  RecordsPage page;
  page.records.reserve(records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    absl::StatusOr<StreamRecord> record = ParseStreamRecord(std::move((*records)[i]));
    if (!record.ok()) {
      // "GetRecords: Records[3].dynamodb.SequenceNumber: missing"
      const absl::string_view message = record.status().message();
      return absl::DataLossError(absl::StrCat("GetRecords: Records[", i, "]",
                                              absl::StartsWith(message, "dynamodb") ? "." : ": ",
                                              message));
    }
    page.records.push_back(std::move(*record));
  }
  if (std::string next = JsonFields(answer, "GetRecords").String("NextShardIterator");
      !next.empty()) {
    page.next_shard_iterator = std::move(next);
  }
  return page;
}

}  // namespace inkdex::dynamodb
