// StreamFollower against a real DynamoDB Streams API (DynamoDB Local),
// driven by tests/dynamodb/test_stream_follower.py, which starts the
// emulator, creates the directory table, writes to it before and while this
// test runs, and sets:
//   INKDEX_DYNAMODB_ENDPOINT  the emulator's URL (required: this binary is
//                             not run by CTest directly, only by that script)
//   INKDEX_STREAM_ARN         the table's stream
//   INKDEX_STREAM_EXPECTED    a JSON file: every write's expected stream
//                             record, in write order:
//                             [{"eventName": "INSERT", "PK": "...", "SK": "..."}, ...]
// The follower is stopped halfway and restarted from the checkpoints it
// committed; every record must arrive once, in order, with its images.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>

#include "aws/http_client.h"
#include "dynamodb/client_config.h"
#include "dynamodb/streams_client.h"
#include "nlohmann/json.hpp"
#include "stream/fake_stream_source_util.h"
#include "stream/stream_follower.h"
#include "stream/stream_source.h"

namespace inkdex::stream {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

struct ExpectedRecord {
  std::string event_name, pk, sk;
};

std::vector<ExpectedRecord> ReadExpected(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "INKDEX_STREAM_EXPECTED: cannot read " << path;
  nlohmann::json expected = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(expected.is_array()) << path << ": not a JSON array";
  std::vector<ExpectedRecord> records;
  if (!expected.is_array()) return records;
  for (const nlohmann::json& entry : expected) {
    records.push_back({entry.value("eventName", ""), entry.value("PK", ""), entry.value("SK", "")});
  }
  return records;
}

std::string KeyString(const nlohmann::json& keys, const char* name) {
  if (!keys.is_object() || !keys.contains(name) || !keys[name].contains("S")) return "";
  return keys[name]["S"].get<std::string>();
}

TEST(StreamFollowerDynamoDbLocalTest, FollowsInsertsModifiesAndRemovesThroughARestart) {
  const std::string endpoint = Env("INKDEX_DYNAMODB_ENDPOINT");
  ASSERT_FALSE(endpoint.empty())
      << "INKDEX_DYNAMODB_ENDPOINT is unset; tests/dynamodb/test_stream_follower.py runs this "
         "test against DynamoDB Local";
  const std::string stream_arn = Env("INKDEX_STREAM_ARN");
  ASSERT_FALSE(stream_arn.empty()) << "INKDEX_STREAM_ARN must name the table's stream";
  const std::vector<ExpectedRecord> expected = ReadExpected(Env("INKDEX_STREAM_EXPECTED"));
  ASSERT_GE(expected.size(), 10u);

  aws::CurlHttpClient http;
  testing::StaticCredentials credentials;
  dynamodb::ClientConfig config;
  config.region = "us-east-1";
  config.endpoint_override = endpoint;
  config.request_timeout = absl::Seconds(5);
  absl::StatusOr<std::unique_ptr<dynamodb::StreamsClient>> client =
      dynamodb::StreamsClient::Create(config, http, credentials);
  ASSERT_TRUE(client.ok()) << client.status();
  StreamsClientSource source(**client);

  StreamFollowerOptions options;
  options.stream_arn = stream_arn;
  options.describe_interval = absl::Milliseconds(500);
  options.reader.records_limit = 7;  // many pages
  testing::RecordingSink sink;

  {
    StreamFollower first(source, sink, options);
    ASSERT_TRUE(first.Start({}).ok());
    ASSERT_TRUE(testing::Eventually([&] { return sink.record_count() >= expected.size() / 2; },
                                    absl::Seconds(60)))
        << "applied " << sink.record_count() << " of " << expected.size();
    first.Stop();
    EXPECT_FALSE(first.resync_reason().has_value());
  }
  const size_t before_restart = sink.record_count();
  StoredCheckpoints stored = sink.checkpoints();
  ASSERT_EQ(stored.count(stream_arn), 1u);
  StreamFollower second(source, sink, options);
  ASSERT_TRUE(second.Start(stored).ok());
  ASSERT_TRUE(testing::Eventually([&] { return sink.record_count() >= expected.size(); },
                                  absl::Seconds(60)))
      << "applied " << sink.record_count() << " of " << expected.size() << " (" << before_restart
      << " before the restart)";
  absl::SleepFor(absl::Milliseconds(300));  // anything extra would show up now
  second.Stop();
  EXPECT_FALSE(second.resync_reason().has_value());

  std::vector<dynamodb::StreamRecord> applied;
  std::set<std::string> shards;
  for (const ShardBatch& batch : sink.batches()) {
    shards.insert(batch.shard_id);
    applied.insert(applied.end(), batch.records.begin(), batch.records.end());
  }
  ASSERT_EQ(shards.size(), 1u) << "DynamoDB Local keeps one shard per table";
  EXPECT_EQ(applied.size(), expected.size()) << "every record exactly once";
  for (size_t i = 0; i < std::max(applied.size(), expected.size()); ++i) {
    const std::string got = i < applied.size()
                                ? applied[i].event_name + " " + KeyString(applied[i].keys, "PK")
                                : "(none)";
    const std::string want =
        i < expected.size() ? expected[i].event_name + " " + expected[i].pk : "(none)";
    ASSERT_EQ(got, want) << "the first difference is record " << i;
  }
  for (size_t i = 0; i < applied.size(); ++i) {
    const dynamodb::StreamRecord& record = applied[i];
    SCOPED_TRACE(testing::Seq(i) + ": " + record.raw.dump() + " keys " + record.keys.dump());
    EXPECT_EQ(record.event_name, expected[i].event_name);
    EXPECT_EQ(KeyString(record.keys, "PK"), expected[i].pk);
    EXPECT_EQ(KeyString(record.keys, "SK"), expected[i].sk);
    if (i > 0) {
      // Same-length decimals (DynamoDB Local pads them): string order is numeric order.
      EXPECT_LT(applied[i - 1].sequence_number, record.sequence_number);
    }
    EXPECT_EQ(record.new_image.is_object(), record.event_name != "REMOVE");
    // The source leaves out the OldImage the mapper never reads (a MODIFY's:
    // ParseRecordsPageForMapping); a REMOVE keeps it.
    EXPECT_EQ(record.old_image.is_object(), record.event_name == "REMOVE");
    EXPECT_TRUE(record.approximate_creation_time.has_value());
  }
  const StreamCheckpoints final_checkpoints = sink.checkpoints().at(stream_arn);
  ASSERT_EQ(final_checkpoints.shards.size(), 1u);
  EXPECT_EQ(final_checkpoints.shards.begin()->second,
            (ShardCheckpoint{applied.back().sequence_number, false}));
  FollowerStats stats = second.stats();
  ASSERT_EQ(stats.shards.size(), 1u);
  EXPECT_EQ(stats.shards[0].records_applied, expected.size() - before_restart);
  EXPECT_EQ(stats.stream_status, "ENABLED");
}

}  // namespace
}  // namespace inkdex::stream
