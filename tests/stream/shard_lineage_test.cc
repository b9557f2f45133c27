// Shard lineage on recorded DescribeStream answers (the shapes AWS sends
// for a stream whose shard split; DynamoDB Local never splits), parsed by the
// real StreamsClient through StreamsClientSource.
#include "stream/shard_lineage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dynamodb/client_config.h"
#include "stream/fake_stream_source_util.h"
#include "stream/stream_source.h"

namespace inkdex::stream {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kTestStreamArn;

constexpr char kParent[] = "shardId-00000001767225600000-aaaaaaaa";
constexpr char kChildA[] = "shardId-00000001767240000000-bbbbbbbb";
constexpr char kChildB[] = "shardId-00000001767240000001-cccccccc";
constexpr char kGrandchild[] = "shardId-00000001767254400000-dddddddd";
constexpr char kOrphan[] = "shardId-00000001767268800000-eeeeeeee";
constexpr char kTrimmedParent[] = "shardId-00000001767100000000-ffffffff";

// One recorded DescribeStream answer body.
std::string Answer(const std::string& shards, const std::string& last_evaluated = "") {
  std::string body =
      std::string(R"({"StreamDescription":{"StreamArn":")") + kTestStreamArn +
      R"(","StreamLabel":"2026-01-01T00:00:00.000","StreamStatus":"ENABLED",)"
      R"("StreamViewType":"NEW_AND_OLD_IMAGES","CreationRequestDateTime":1.7672256E9,)"
      R"("TableName":"directory","KeySchema":[{"AttributeName":"PK","KeyType":"HASH"},)"
      R"({"AttributeName":"SK","KeyType":"RANGE"}],"Shards":[)" +
      shards + "]";
  if (!last_evaluated.empty()) body += R"(,"LastEvaluatedShardId":")" + last_evaluated + "\"";
  return body + "}}";
}

std::string ClosedShard(const std::string& id, const std::string& parent, const char* start,
                        const char* end) {
  std::string shard = R"({"ShardId":")" + id + "\"";
  if (!parent.empty()) shard += R"(,"ParentShardId":")" + parent + "\"";
  return shard + R"(,"SequenceNumberRange":{"StartingSequenceNumber":")" + start +
         R"(","EndingSequenceNumber":")" + end + "\"}}";
}

std::string OpenShard(const std::string& id, const std::string& parent, const char* start) {
  std::string shard = R"({"ShardId":")" + id + "\"";
  if (!parent.empty()) shard += R"(,"ParentShardId":")" + parent + "\"";
  return shard + R"(,"SequenceNumberRange":{"StartingSequenceNumber":")" + start + "\"}}";
}

std::vector<std::string> Ids(const std::vector<dynamodb::Shard>& shards) {
  std::vector<std::string> ids;
  for (const dynamodb::Shard& shard : shards) ids.push_back(shard.shard_id);
  return ids;
}

// The described shards, through the real client and the source adapter.
class RecordedDescribeTest : public ::testing::Test {
 protected:
  std::vector<dynamodb::Shard> Describe(std::map<std::string, std::string> pages) {
    http_ = std::make_unique<testing::RecordedDescribeHttp>(std::move(pages));
    dynamodb::ClientConfig config;
    config.region = "eu-west-1";
    config.endpoint_override = "http://127.0.0.1:9";  // never contacted: answers are recorded
    config.retry.max_attempts = 1;
    auto client = dynamodb::StreamsClient::Create(config, *http_, credentials_);
    EXPECT_TRUE(client.ok()) << client.status();
    if (!client.ok()) return {};
    client_ = std::move(*client);
    StreamsClientSource source(*client_);
    absl::StatusOr<dynamodb::StreamDescription> description =
        source.DescribeWholeStream(kTestStreamArn);
    EXPECT_TRUE(description.ok()) << description.status();
    if (!description.ok()) return {};
    EXPECT_EQ(description->stream_arn, kTestStreamArn);
    EXPECT_EQ(description->stream_status, "ENABLED");
    return description->shards;
  }

  testing::StaticCredentials credentials_;
  std::unique_ptr<testing::RecordedDescribeHttp> http_;
  std::unique_ptr<dynamodb::StreamsClient> client_;
};

// The split stream: the parent closed, two children open.
std::map<std::string, std::string> SplitStream() {
  return {{"", Answer(ClosedShard(kParent, "", "100000000000000000001", "100000000000000000500") +
                      "," + OpenShard(kChildA, kParent, "200000000000000000001") + "," +
                      OpenShard(kChildB, kParent, "200000000000000000002"))}};
}

TEST_F(RecordedDescribeTest, ASplitParentIsReadBeforeItsChildren) {
  std::vector<dynamodb::Shard> shards = Describe(SplitStream());
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_TRUE(shards[0].closed());
  EXPECT_EQ(shards[0].ending_sequence_number, "100000000000000000500");
  EXPECT_EQ(shards[1].parent_shard_id, kParent);

  StreamCheckpoints none{kTestStreamArn, {}};
  ShardPlan first = PlanShards(shards, none);
  EXPECT_THAT(Ids(first.readable), ElementsAre(kParent));
  EXPECT_THAT(first.waiting, ElementsAre(kChildA, kChildB));
  EXPECT_THAT(first.finished, IsEmpty());

  // Part of the parent applied: the children still wait.
  StreamCheckpoints partly{kTestStreamArn, {{kParent, {"100000000000000000300", false}}}};
  EXPECT_THAT(Ids(PlanShards(shards, partly).readable), ElementsAre(kParent));

  StreamCheckpoints drained{kTestStreamArn, {{kParent, {"100000000000000000500", true}}}};
  ShardPlan second = PlanShards(shards, drained);
  EXPECT_THAT(Ids(second.readable), ElementsAre(kChildA, kChildB));
  EXPECT_THAT(second.waiting, IsEmpty());
  EXPECT_THAT(second.finished, ElementsAre(kParent));
  EXPECT_THAT(second.forgettable, IsEmpty());
  EXPECT_THAT(second.lost, IsEmpty());
}

TEST_F(RecordedDescribeTest, AChildOfATrimmedParentIsReadable) {
  std::vector<dynamodb::Shard> shards =
      Describe({{"", Answer(OpenShard(kOrphan, kTrimmedParent, "300000000000000000001"))}});
  ShardPlan plan = PlanShards(shards, StreamCheckpoints{kTestStreamArn, {}});
  EXPECT_THAT(Ids(plan.readable), ElementsAre(kOrphan));
}

TEST_F(RecordedDescribeTest, PagesAreJoinedAndLineageHoldsAcrossThem) {
  // Children listed before their parents, two shards a page, three pages.
  std::map<std::string, std::string> pages = {
      {"", Answer(OpenShard(kGrandchild, kChildA, "300000000000000000001") + "," +
                      OpenShard(kChildB, kParent, "200000000000000000002"),
                  kChildB)},
      {kChildB,
       Answer(ClosedShard(kChildA, kParent, "200000000000000000001", "200000000000000000900") +
                  "," + ClosedShard(kParent, "", "100000000000000000001", "100000000000000000500"),
              kParent)},
      {kParent, Answer(OpenShard(kOrphan, kTrimmedParent, "300000000000000000002"))},
  };
  std::vector<dynamodb::Shard> shards = Describe(pages);
  EXPECT_THAT(http_->starts(), ElementsAre("", kChildB, kParent));
  ASSERT_THAT(Ids(shards), ElementsAre(kGrandchild, kChildB, kChildA, kParent, kOrphan));

  ShardPlan start = PlanShards(shards, StreamCheckpoints{kTestStreamArn, {}});
  EXPECT_THAT(Ids(start.readable), ElementsAre(kParent, kOrphan));
  EXPECT_THAT(start.waiting, ElementsAre(kGrandchild, kChildB, kChildA));

  StreamCheckpoints parent_done{kTestStreamArn, {{kParent, {"100000000000000000500", true}}}};
  ShardPlan middle = PlanShards(shards, parent_done);
  EXPECT_THAT(Ids(middle.readable), ElementsAre(kChildB, kChildA, kOrphan));
  EXPECT_THAT(middle.waiting, ElementsAre(kGrandchild));

  StreamCheckpoints child_done = parent_done;
  child_done.shards[kChildA] = {"200000000000000000900", true};
  ShardPlan last = PlanShards(shards, child_done);
  EXPECT_THAT(Ids(last.readable), ElementsAre(kGrandchild, kChildB, kOrphan));
  EXPECT_THAT(last.finished, ElementsAre(kChildA, kParent));
}

TEST_F(RecordedDescribeTest, AnOpenedChildTrimmedAwayIsLostBeforeItsChildIsRead) {
  // After a long stop only the grandchild is described; the child had been
  // opened (nothing applied) and the parent finished.
  std::vector<dynamodb::Shard> shards =
      Describe({{"", Answer(OpenShard(kGrandchild, kChildA, "300000000000000000001"))}});
  StreamCheckpoints checkpoints{kTestStreamArn,
                                {{kParent, {"100000000000000000500", true}}, {kChildA, {}}}};
  ShardPlan plan = PlanShards(shards, checkpoints);
  EXPECT_THAT(plan.lost, ElementsAre(kChildA));
  EXPECT_THAT(plan.forgettable, ElementsAre(kParent));
}

TEST(ShardLineageTest, CheckpointsOfVanishedShardsAreForgettableOrLost) {
  std::vector<dynamodb::Shard> shards = {{kChildA, kParent, "2", ""}};
  StreamCheckpoints checkpoints{kTestStreamArn,
                                {{kParent, {"1", true}},
                                 {kTrimmedParent, {"0", true}},
                                 {kOrphan, {"5", false}},
                                 {kChildA, {"3", false}}}};
  ShardPlan plan = PlanShards(shards, checkpoints);
  EXPECT_THAT(Ids(plan.readable), ElementsAre(kChildA));
  EXPECT_THAT(plan.forgettable, ElementsAre(kTrimmedParent, kParent));  // sorted
  EXPECT_THAT(plan.lost, ElementsAre(kOrphan));
}

TEST(ShardLineageTest, AShardListedTwiceCountsOnce) {
  std::vector<dynamodb::Shard> shards = {{kParent, "", "1", ""}, {kParent, "", "1", ""}};
  ShardPlan plan = PlanShards(shards, StreamCheckpoints{kTestStreamArn, {}});
  EXPECT_THAT(Ids(plan.readable), ElementsAre(kParent));
}

TEST(ShardLineageTest, FinishedShardsAreNeverReadable) {
  std::vector<dynamodb::Shard> shards = {{kParent, "", "1", "9"}};
  ShardPlan plan = PlanShards(shards, StreamCheckpoints{kTestStreamArn, {{kParent, {"", true}}}});
  EXPECT_THAT(plan.readable, IsEmpty());
  EXPECT_THAT(plan.finished, ElementsAre(kParent));
}

}  // namespace
}  // namespace inkdex::stream
