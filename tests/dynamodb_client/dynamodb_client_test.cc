// DynamoDbClient against a fake endpoint that serves a table in pages.
#include "dynamodb/dynamodb_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

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

json Item(int i) {
  return {{"PK", {{"S", absl::StrCat("ARTIST#a", i)}}},
          {"SK", {{"S", "METADATA"}}},
          {"latitude", {{"N", "51.5"}}}};
}

// Two segments of `total` items each (segment s holds a{s*1000}..), served
// `page` per Scan.
CannedResponse ServeScan(const RecordedRequest& request, int total, int page) {
  std::vector<std::vector<json>> segments(2);
  for (int segment = 0; segment < 2; ++segment) {
    for (int i = 0; i < total; ++i) segments[segment].push_back(Item(segment * 1000 + i));
  }
  return testing::ServeScanPage(segments, page, request);
}

ScanRequest Request(const std::string& table, int segment = 0, int total_segments = 1) {
  ScanRequest request;
  request.table = table;
  request.segment = segment;
  request.total_segments = total_segments;
  return request;
}

using DynamoDbClientTest = testing::FakeEndpointTest<DynamoDbClient>;

TEST_F(DynamoDbClientTest, DescribeTableReadsStreamAndCount) {
  TestHttpServer server([](const RecordedRequest& request) {
    EXPECT_EQ(request.headers.at("x-amz-target"), "DynamoDB_20120810.DescribeTable");
    EXPECT_EQ(json::parse(request.body), (json{{"TableName", "directory"}}));
    return CannedResponse(200, R"({"Table":{"TableName":"directory","TableStatus":"ACTIVE",
      "ItemCount":2038,"LatestStreamArn":"arn:aws:dynamodb:ddblocal:000000000000:table/directory/stream/2026-11-29T07:00:00.000",
      "LatestStreamLabel":"2026-11-29T07:00:00.000",
      "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}})");
  });
  absl::StatusOr<TableDescription> table = Client(server.base_url())->DescribeTable("directory");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->table_name, "directory");
  EXPECT_EQ(table->table_status, "ACTIVE");
  EXPECT_EQ(table->item_count, 2038);
  EXPECT_TRUE(table->stream_enabled);
  EXPECT_EQ(table->stream_view_type, "NEW_AND_OLD_IMAGES");
  EXPECT_TRUE(absl::EndsWith(table->latest_stream_arn, "/stream/2026-11-29T07:00:00.000"));
  EXPECT_EQ(table->latest_stream_label, "2026-11-29T07:00:00.000");
}

TEST_F(DynamoDbClientTest, DescribeTableOfAMissingTableIsNotFound) {
  TestHttpServer server([](const RecordedRequest&) {
    return ErrorResponse(400, "ResourceNotFoundException",
                         "Cannot do operations on a non-existent table");
  });
  absl::StatusOr<TableDescription> table = Client(server.base_url())->DescribeTable("nope");
  EXPECT_EQ(table.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(table.status().message(), "ResourceNotFoundException"));
  EXPECT_EQ(ErrorTypeOf(table.status()), "ResourceNotFoundException");
}

TEST_F(DynamoDbClientTest, DescribeTableWithoutTableIsDataLoss) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse(200, "{}"); });
  EXPECT_EQ(Client(server.base_url())->DescribeTable("t").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(DynamoDbClientTest, ScanSendsSegmentLimitConsistencyAndStartKey) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse(200, R"({"Items":[],"Count":0,"ScannedCount":0})");
  });
  ScanRequest request;
  request.table = "directory";
  request.segment = 2;
  request.total_segments = 4;
  request.limit = 25;
  request.consistent_read = true;
  request.exclusive_start_key = {{"PK", {{"S", "ARTIST#x"}}}, {"SK", {{"S", "METADATA"}}}};
  absl::StatusOr<ScanPage> page = Client(server.base_url())->Scan(request);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(page->items.empty());
  EXPECT_TRUE(page->last_evaluated_key.is_null());
  json sent = json::parse(server.requests().at(0).body);
  EXPECT_EQ(sent, (json{{"TableName", "directory"},
                        {"Segment", 2},
                        {"TotalSegments", 4},
                        {"Limit", 25},
                        {"ConsistentRead", true},
                        {"ExclusiveStartKey", request.exclusive_start_key}}));
  EXPECT_EQ(server.requests().at(0).headers.at("x-amz-target"), "DynamoDB_20120810.Scan");
}

TEST_F(DynamoDbClientTest, APlainScanSendsNoSegments) {
  TestHttpServer server(
      [](const RecordedRequest&) { return CannedResponse(200, R"({"Items":[]})"); });
  ASSERT_TRUE(Client(server.base_url())->Scan(Request("t")).ok());
  EXPECT_EQ(json::parse(server.requests().at(0).body), (json{{"TableName", "t"}}));
}

TEST_F(DynamoDbClientTest, PagingWithLastEvaluatedKeyReadsEverySegmentWhole) {
  std::atomic<int> requests{0};
  TestHttpServer server([&requests](const RecordedRequest& request) {
    // Every third request is throttled: paging must survive it.
    if (requests++ % 3 == 1) return ErrorResponse(400, "ThrottlingException", "Rate exceeded");
    return ServeScan(request, 10, 3);
  });
  auto client = Client(server.base_url());
  std::set<std::string> seen;
  int pages = 0;
  for (int segment = 0; segment < 2; ++segment) {
    ScanRequest request = Request("t", segment, 2);
    do {
      absl::StatusOr<ScanPage> page = client->Scan(request);
      ASSERT_TRUE(page.ok()) << page.status();
      ++pages;
      for (const json& item : page->items) {
        EXPECT_TRUE(seen.insert(item["PK"]["S"].get<std::string>()).second);
      }
      request.exclusive_start_key = page->last_evaluated_key;
    } while (!request.exclusive_start_key.is_null());
  }
  EXPECT_EQ(seen.size(), 20u);
  EXPECT_EQ(pages, 8);  // 4 pages of 3, 3, 3, 1 per segment
  EXPECT_GT(client->counters().throttled, 0u);
  EXPECT_EQ(client->counters().failed, 0u);
}

TEST_F(DynamoDbClientTest, ScanRejectsBadRequestsBeforeSending) {
  TestHttpServer server([](const RecordedRequest&) { return CannedResponse(200, "{}"); });
  auto client = Client(server.base_url());
  EXPECT_EQ(client->Scan(Request("")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Scan(Request("t", 4, 4)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Scan(Request("t", -1, 4)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Scan(Request("t", 0, 0)).status().code(), absl::StatusCode::kInvalidArgument);
  ScanRequest bad_key = Request("t");
  bad_key.exclusive_start_key = "ARTIST#x";
  EXPECT_EQ(client->Scan(bad_key).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(DynamoDbClientTest, ScanAnswerWithoutItemsIsDataLoss) {
  TestHttpServer server(
      [](const RecordedRequest&) { return CannedResponse(200, R"({"Count":0})"); });
  absl::StatusOr<ScanPage> page = Client(server.base_url())->Scan(Request("t"));
  EXPECT_EQ(page.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(page.status().message(), "Items"));
}

}  // namespace
}  // namespace inkdex::dynamodb
