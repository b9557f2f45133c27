// StreamsClient against a fake endpoint: DescribeStream paging, shard
// iterators of each type, records and the end of a closed shard.
#include "dynamodb/streams_client.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "aws/aws_test_util.h"
#include "dynamodb/aws_error.h"
#include "dynamodb_client/dynamodb_test_util.h"

namespace inkdex::dynamodb {
namespace {

using aws::testing::CannedResponse;
using aws::testing::RecordedRequest;
using aws::testing::TestHttpServer;
using nlohmann::json;
using testing::ErrorResponse;
using testing::SleepRecorder;

constexpr char kArn[] = "arn:aws:dynamodb:eu-west-1:1:table/directory/stream/label";

json ShardJson(int i, bool closed) {
  json range{{"StartingSequenceNumber", absl::StrCat(i * 100)}};
  if (closed) range["EndingSequenceNumber"] = absl::StrCat(i * 100 + 99);
  json shard{{"ShardId", absl::StrCat("shardId-", i)}, {"SequenceNumberRange", range}};
  if (i > 0) shard["ParentShardId"] = absl::StrCat("shardId-", i - 1);
  return shard;
}

using StreamsClientTest = testing::FakeEndpointTest<StreamsClient>;

TEST_F(StreamsClientTest, DescribeWholeStreamFollowsExclusiveStartShardId) {
  // Five shards (a chain of parents), two per page.
  TestHttpServer server([](const RecordedRequest& request) {
    EXPECT_EQ(request.headers.at("x-amz-target"), "DynamoDBStreams_20120810.DescribeStream");
    json body = json::parse(request.body);
    EXPECT_EQ(body["StreamArn"], kArn);
    int start = 0;
    if (body.contains("ExclusiveStartShardId")) {
      std::string id = body["ExclusiveStartShardId"];
      start = std::stoi(id.substr(id.find('-') + 1)) + 1;
    }
    json shards = json::array();
    for (int i = start; i < std::min(5, start + 2); ++i) shards.push_back(ShardJson(i, i < 4));
    json description{{"StreamArn", kArn},         {"StreamLabel", "label"},
                     {"StreamStatus", "ENABLED"}, {"StreamViewType", "NEW_AND_OLD_IMAGES"},
                     {"TableName", "directory"},  {"Shards", shards}};
    if (start + 2 < 5) description["LastEvaluatedShardId"] = shards.back()["ShardId"];
    return CannedResponse(200, json{{"StreamDescription", description}}.dump());
  });
  absl::StatusOr<StreamDescription> stream = Client(server.base_url())->DescribeWholeStream(kArn);
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(stream->stream_status, "ENABLED");
  EXPECT_EQ(stream->stream_view_type, "NEW_AND_OLD_IMAGES");
  EXPECT_EQ(stream->table_name, "directory");
  EXPECT_TRUE(stream->last_evaluated_shard_id.empty());
  ASSERT_EQ(stream->shards.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    const Shard& shard = stream->shards[i];
    EXPECT_EQ(shard.shard_id, absl::StrCat("shardId-", i));
    EXPECT_EQ(shard.parent_shard_id, i == 0 ? "" : absl::StrCat("shardId-", i - 1));
    EXPECT_EQ(shard.starting_sequence_number, absl::StrCat(i * 100));
    EXPECT_EQ(shard.closed(), i < 4);
  }
  EXPECT_EQ(stream->shards[3].ending_sequence_number, "399");
}

TEST_F(StreamsClientTest, DescribeStreamPageSendsLimitAndStart) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse(200, R"({"StreamDescription":{"Shards":[]}})");
  });
  ASSERT_TRUE(Client(server.base_url())->DescribeStream(kArn, "shardId-7", 10).ok());
  EXPECT_EQ(json::parse(server.requests().at(0).body),
            (json{{"StreamArn", kArn}, {"ExclusiveStartShardId", "shardId-7"}, {"Limit", 10}}));
}

TEST_F(StreamsClientTest, ARepeatedLastEvaluatedShardIdIsDataLossNotALoop) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse(
        200, R"({"StreamDescription":{"Shards":[{"ShardId":"s"}],"LastEvaluatedShardId":"s"}})");
  });
  absl::StatusOr<StreamDescription> stream = Client(server.base_url())->DescribeWholeStream(kArn);
  EXPECT_EQ(stream.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(StreamsClientTest, GetShardIteratorSendsEachType) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse(200, R"({"ShardIterator":"iterator-1"})");
  });
  auto client = Client(server.base_url());
  struct Case {
    ShardIteratorType type;
    std::string sequence;
    const char* name;
  };
  for (const Case& c :
       {Case{ShardIteratorType::kTrimHorizon, "", "TRIM_HORIZON"},
        Case{ShardIteratorType::kLatest, "", "LATEST"},
        Case{ShardIteratorType::kAtSequenceNumber, "300", "AT_SEQUENCE_NUMBER"},
        Case{ShardIteratorType::kAfterSequenceNumber, "301", "AFTER_SEQUENCE_NUMBER"}}) {
    absl::StatusOr<std::string> iterator =
        client->GetShardIterator(kArn, "shardId-1", c.type, c.sequence);
    ASSERT_TRUE(iterator.ok()) << iterator.status();
    EXPECT_EQ(*iterator, "iterator-1");
    json expected{{"StreamArn", kArn}, {"ShardId", "shardId-1"}, {"ShardIteratorType", c.name}};
    if (!c.sequence.empty()) expected["SequenceNumber"] = c.sequence;
    EXPECT_EQ(json::parse(server.requests().back().body), expected) << c.name;
  }
  EXPECT_EQ(client->GetShardIterator(kArn, "shardId-1", ShardIteratorType::kAfterSequenceNumber)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST_F(StreamsClientTest, GetRecordsParsesRecordsAndTheNextIterator) {
  TestHttpServer server([](const RecordedRequest& request) {
    EXPECT_EQ(request.headers.at("x-amz-target"), "DynamoDBStreams_20120810.GetRecords");
    EXPECT_EQ(json::parse(request.body), (json{{"ShardIterator", "it-1"}, {"Limit", 100}}));
    return CannedResponse(200, R"({"Records":[
      {"eventID":"e1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1764400000.5,
        "Keys":{"PK":{"S":"ARTIST#a1"},"SK":{"S":"METADATA"}},
        "NewImage":{"PK":{"S":"ARTIST#a1"},"artistName":{"S":"A"}},
        "SequenceNumber":"000000000000000000001","SizeBytes":42,"StreamViewType":"NEW_AND_OLD_IMAGES"}},
      {"eventID":"e2","eventName":"REMOVE","dynamodb":{
        "Keys":{"PK":{"S":"ARTIST#a1"},"SK":{"S":"METADATA"}},
        "OldImage":{"PK":{"S":"ARTIST#a1"}},"SequenceNumber":"000000000000000000002"}}],
      "NextShardIterator":"it-2"})");
  });
  absl::StatusOr<RecordsPage> page = Client(server.base_url())->GetRecords("it-1", 100);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->records.size(), 2u);
  const StreamRecord& insert = page->records[0];
  EXPECT_EQ(insert.event_id, "e1");
  EXPECT_EQ(insert.event_name, "INSERT");
  EXPECT_EQ(insert.sequence_number, "000000000000000000001");
  EXPECT_EQ(insert.size_bytes, 42);
  ASSERT_TRUE(insert.approximate_creation_time.has_value());
  EXPECT_EQ(*insert.approximate_creation_time, absl::FromUnixMillis(1764400000500));
  EXPECT_EQ(insert.keys["PK"]["S"], "ARTIST#a1");
  EXPECT_EQ(insert.new_image["artistName"]["S"], "A");
  EXPECT_TRUE(insert.old_image.is_null());
  const StreamRecord& remove = page->records[1];
  EXPECT_EQ(remove.event_name, "REMOVE");
  EXPECT_TRUE(remove.new_image.is_null());
  EXPECT_EQ(remove.old_image["PK"]["S"], "ARTIST#a1");
  EXPECT_FALSE(remove.approximate_creation_time.has_value());
  EXPECT_EQ(remove.raw["eventID"], "e2");
  EXPECT_EQ(page->next_shard_iterator, "it-2");
}

TEST_F(StreamsClientTest, AClosedShardAtItsEndHasNoNextIterator) {
  TestHttpServer server(
      [](const RecordedRequest&) { return CannedResponse(200, R"({"Records":[]})"); });
  absl::StatusOr<RecordsPage> page = Client(server.base_url())->GetRecords("it-9");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(page->records.empty());
  EXPECT_FALSE(page->next_shard_iterator.has_value());
}

TEST_F(StreamsClientTest, ARecordWithoutSequenceNumberIsDataLoss) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse(200, R"({"Records":[{"eventName":"INSERT","dynamodb":{}}]})");
  });
  absl::StatusOr<RecordsPage> page = Client(server.base_url())->GetRecords("it");
  EXPECT_EQ(page.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(page.status().message(), "Records[0].dynamodb.SequenceNumber"));
}

TEST_F(StreamsClientTest, TrimmedDataAndExpiredIteratorsKeepTheirType) {
  TestHttpServer server([](const RecordedRequest& request) {
    return absl::StrContains(request.body, "old")
               ? ErrorResponse(400, "TrimmedDataAccessException", "trimmed")
               : ErrorResponse(400, "ExpiredIteratorException", "expired");
  });
  auto client = Client(server.base_url());
  absl::Status trimmed = client->GetRecords("old").status();
  EXPECT_EQ(trimmed.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ErrorTypeOf(trimmed), "TrimmedDataAccessException");
  absl::Status expired = client->GetRecords("new").status();
  EXPECT_EQ(expired.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorTypeOf(expired), "ExpiredIteratorException");
  EXPECT_EQ(server.requests().size(), 2u);  // neither is retried
}

TEST_F(StreamsClientTest, LimitExceededIsRetried) {
  std::atomic<int> calls{0};
  TestHttpServer server([&calls](const RecordedRequest&) {
    return calls++ < 2 ? ErrorResponse(400, "LimitExceededException", "too many")
                       : CannedResponse(200, R"({"ShardIterator":"it"})");
  });
  auto client = Client(server.base_url());
  ASSERT_TRUE(client->GetShardIterator(kArn, "s", ShardIteratorType::kTrimHorizon).ok());
  EXPECT_EQ(client->counters().throttled, 2u);
  EXPECT_EQ(sleeps_.delays().size(), 2u);
}

}  // namespace
}  // namespace inkdex::dynamodb
