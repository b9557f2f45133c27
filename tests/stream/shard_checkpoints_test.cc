#include "stream/shard_checkpoints.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "stream/fake_stream_source_util.h"

namespace inkdex::stream {
namespace {

using ::testing::HasSubstr;
using testing::kTestStreamArn;
using testing::Seq;

constexpr char kReenabledStreamArn[] =
    "arn:aws:dynamodb:eu-west-1:123456789012:table/directory/stream/2026-02-02T00:00:00.000";

// Puts entries into a map the way the index's metadata keeps them.
void Put(const absl::StatusOr<MetadataEntries>& entries, std::map<std::string, std::string>& into) {
  ASSERT_TRUE(entries.ok()) << entries.status();
  for (const auto& [key, value] : *entries) into[key] = value;
}

TEST(ShardCheckpointsTest, RoundTripsAppliedAndFinishedShardsOfSeveralStreams) {
  std::map<std::string, std::string> metadata = {{"inkdex_other", "kept apart"},
                                                 {"inkdex.streamx", "not ours"}};
  Put(EncodeShardCheckpoint(kTestStreamArn, "shardId-a", {Seq(7), false}), metadata);
  Put(EncodeShardCheckpoint(kTestStreamArn, "shardId-b", {Seq(9), true}), metadata);
  Put(EncodeShardCheckpoint(kTestStreamArn, "shardId-c", {"", true}), metadata);
  Put(EncodeShardCheckpoint(kReenabledStreamArn, "shardId-a",
                            {"4421584500000000017450439091", false}),
      metadata);
  // A later checkpoint of the same shard replaces the earlier one.
  Put(EncodeShardCheckpoint(kTestStreamArn, "shardId-a", {Seq(8), false}), metadata);

  absl::StatusOr<StoredCheckpoints> stored = DecodeCheckpoints(metadata);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 2u);
  const StreamCheckpoints& stream = stored->at(kTestStreamArn);
  EXPECT_EQ(stream.stream_arn, kTestStreamArn);
  ASSERT_EQ(stream.shards.size(), 3u);
  EXPECT_EQ(stream.shards.at("shardId-a"), (ShardCheckpoint{Seq(8), false}));
  EXPECT_EQ(stream.shards.at("shardId-b"), (ShardCheckpoint{Seq(9), true}));
  EXPECT_EQ(stream.shards.at("shardId-c"), (ShardCheckpoint{"", true}));
  EXPECT_TRUE(stream.IsFinished("shardId-b"));
  EXPECT_FALSE(stream.IsFinished("shardId-a"));
  EXPECT_EQ(stream.Find("shardId-zzz"), nullptr);
  EXPECT_EQ(stored->at(kReenabledStreamArn).shards.at("shardId-a").sequence_number,
            "4421584500000000017450439091");
}

TEST(ShardCheckpointsTest, KeysLiveUnderThePrefixAndFitInOneKibibyte) {
  const std::string long_arn = "arn:" + std::string(1020, 'a');
  ASSERT_EQ(long_arn.size(), 1024u);
  const std::string long_shard = "shardId-00000001767225600000-" + std::string(36, 'f');
  ASSERT_EQ(long_shard.size(), 65u);
  absl::StatusOr<MetadataEntries> entries =
      EncodeShardCheckpoint(long_arn, long_shard, {Seq(1), false});
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  for (const auto& [key, value] : *entries) {
    EXPECT_TRUE(absl::StartsWith(key, StreamMetadataPrefix(long_arn))) << key;
    EXPECT_TRUE(absl::StartsWith(key, kCheckpointMetadataPrefix)) << key;
    EXPECT_LE(key.size(), 1024u);
  }
  EXPECT_EQ((*entries)[0].second, long_arn);  // the ARN itself is stored
  EXPECT_EQ((*entries)[1].first, StreamMetadataPrefix(long_arn) + "shard." + long_shard);
  EXPECT_EQ((*entries)[1].second, "applied:" + Seq(1));
  EXPECT_NE(StreamMetadataPrefix(kTestStreamArn), StreamMetadataPrefix(kReenabledStreamArn));
}

TEST(ShardCheckpointsTest, EncodingRejectsBadInputNamingTheField) {
  auto error = [](const std::string& arn, const std::string& shard, ShardCheckpoint checkpoint) {
    absl::StatusOr<MetadataEntries> entries = EncodeShardCheckpoint(arn, shard, checkpoint);
    EXPECT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(entries.status().message());
  };
  EXPECT_THAT(error("", "s", {Seq(1), false}), HasSubstr("stream_arn: empty"));
  EXPECT_THAT(error(std::string(1025, 'a'), "s", {Seq(1), false}),
              HasSubstr("stream_arn: 1025 bytes"));
  EXPECT_THAT(error(kTestStreamArn, "", {Seq(1), false}), HasSubstr("shard_id ''"));
  EXPECT_THAT(error(kTestStreamArn, "shard/../x", {Seq(1), false}), HasSubstr("shard_id"));
  EXPECT_THAT(error(kTestStreamArn, std::string(257, 's'), {Seq(1), false}), HasSubstr("shard_id"));
  EXPECT_THAT(error(kTestStreamArn, "s", {"12a", false}), HasSubstr("sequence_number '12a'"));
  EXPECT_THAT(error(kTestStreamArn, "s", {std::string(41, '1'), true}),
              HasSubstr("sequence_number"));
  EXPECT_EQ(EncodeForgottenShards(kTestStreamArn, {"ok", "not ok"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ShardCheckpointsTest, CorruptMetadataIsDataLossNamingTheKey) {
  std::map<std::string, std::string> good;
  Put(EncodeShardCheckpoint(kTestStreamArn, "shardId-a", {Seq(7), false}), good);
  const std::string prefix = StreamMetadataPrefix(kTestStreamArn);

  auto decode_error = [&](const std::string& key, const std::string& value) {
    std::map<std::string, std::string> metadata = good;
    metadata[key] = value;
    absl::StatusOr<StoredCheckpoints> stored = DecodeCheckpoints(metadata);
    EXPECT_EQ(stored.status().code(), absl::StatusCode::kDataLoss) << key << " = " << value;
    return std::string(stored.status().message());
  };
  EXPECT_THAT(decode_error(prefix + "shard.shardId-a", "applied:12x"),
              HasSubstr("'" + prefix + "shard.shardId-a': sequence number '12x'"));
  EXPECT_THAT(decode_error(prefix + "shard.shardId-a", "done"),
              HasSubstr("value 'done' is not applied:<seq>"));
  EXPECT_THAT(decode_error(prefix + "shard.shardId-a", "finished:"), HasSubstr("sequence number"));
  EXPECT_THAT(decode_error(prefix + "shard.shardId-a", "finishedXYZ"), HasSubstr("value"));
  EXPECT_THAT(decode_error(prefix + "arn", kReenabledStreamArn), HasSubstr("does not hash to"));
  EXPECT_THAT(decode_error(prefix + "bogus", "x"),
              HasSubstr("expected .arn, .progress or .shard."));
  EXPECT_THAT(decode_error(std::string(kCheckpointMetadataPrefix) + "short.arn", "x"),
              HasSubstr("<16 hex digits>"));
  EXPECT_THAT(decode_error(StreamMetadataPrefix(kReenabledStreamArn) + "shard.s", "applied:1"),
              HasSubstr("without the stream ARN entry"));
}

TEST(ShardCheckpointsTest, ForgottenShardsDecodeAsAbsent) {
  std::map<std::string, std::string> metadata;
  Put(EncodeShardCheckpoint(kTestStreamArn, "old", {Seq(3), true}), metadata);
  Put(EncodeShardCheckpoint(kTestStreamArn, "new", {Seq(5), false}), metadata);
  Put(EncodeForgottenShards(kTestStreamArn, {"old"}), metadata);
  absl::StatusOr<StoredCheckpoints> stored = DecodeCheckpoints(metadata);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->at(kTestStreamArn).shards.size(), 1u);
  EXPECT_EQ(stored->at(kTestStreamArn).Find("old"), nullptr);

  Put(EncodeForgottenShards(kTestStreamArn, {"new"}), metadata);
  stored = DecodeCheckpoints(metadata);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->at(kTestStreamArn).shards.empty());  // the stream itself is still known
}

TEST(ShardCheckpointsTest, AChangedStreamArnIsDetected) {
  std::map<std::string, std::string> metadata;
  Put(EncodeShardCheckpoint(kReenabledStreamArn, "s", {Seq(3), false}), metadata);
  absl::StatusOr<StoredCheckpoints> stored = DecodeCheckpoints(metadata);
  ASSERT_TRUE(stored.ok());

  EXPECT_TRUE(CheckStreamArn({}, kTestStreamArn).ok()) << "nothing stored is a first start";
  EXPECT_TRUE(CheckStreamArn(*stored, kReenabledStreamArn).ok());
  absl::Status changed = CheckStreamArn(*stored, kTestStreamArn);
  EXPECT_EQ(changed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(changed.message(), HasSubstr(kTestStreamArn));
  EXPECT_THAT(changed.message(), HasSubstr(kReenabledStreamArn));
}

TEST(ShardCheckpointsTest, OpenedShardsAndTheProgressTimeRoundTrip) {
  const absl::Time progress = absl::FromUnixSeconds(1767225600);
  absl::StatusOr<MetadataEntries> opened =
      EncodeShardCheckpoint(kTestStreamArn, "shardId-1", ShardCheckpoint{}, progress);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::map<std::string, std::string> metadata(opened->begin(), opened->end());
  EXPECT_EQ(metadata.at(StreamMetadataPrefix(kTestStreamArn) + "shard.shardId-1"), "opened");
  EXPECT_EQ(metadata.at(StreamMetadataPrefix(kTestStreamArn) + "progress"), "1767225600");
  absl::StatusOr<StoredCheckpoints> stored = DecodeCheckpoints(metadata);
  ASSERT_TRUE(stored.ok()) << stored.status();
  const StreamCheckpoints& stream = stored->at(kTestStreamArn);
  EXPECT_EQ(stream.shards.at("shardId-1"), ShardCheckpoint{});
  EXPECT_EQ(stream.progress, progress);

  absl::StatusOr<MetadataEntries> without = EncodeShardCheckpoint(kTestStreamArn, "shardId-1", {});
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->size(), 2u) << "no progress entry when none is given";

  metadata[StreamMetadataPrefix(kTestStreamArn) + "progress"] = "yesterday";
  stored = DecodeCheckpoints(metadata);
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(stored.status().message(), HasSubstr("progress"));
}

TEST(ShardCheckpointsTest, ProgressOlderThanTheRetentionNeedsAResync) {
  const absl::Time now = absl::FromUnixSeconds(1767225600);
  StreamCheckpoints checkpoints{kTestStreamArn, {}};
  EXPECT_TRUE(CheckProgress(checkpoints, now).ok()) << "nothing stored: nothing to judge by";
  checkpoints.progress = now - absl::Hours(22);
  EXPECT_TRUE(CheckProgress(checkpoints, now).ok());
  checkpoints.progress = now - absl::Hours(30);
  absl::Status expired = CheckProgress(checkpoints, now);
  EXPECT_EQ(expired.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(expired.message(), HasSubstr("30h"));
  EXPECT_EQ(kMaxProgressAge, absl::Hours(23)) << "the 24-hour retention less a margin";
}

TEST(ShardCheckpointsTest, SequenceNumbersAreOneToFortyDigits) {
  EXPECT_TRUE(IsSequenceNumber("1"));
  EXPECT_TRUE(IsSequenceNumber(std::string(40, '9')));
  EXPECT_FALSE(IsSequenceNumber(""));
  EXPECT_FALSE(IsSequenceNumber(std::string(41, '9')));
  EXPECT_FALSE(IsSequenceNumber("-1"));
  EXPECT_FALSE(IsSequenceNumber("1 "));
}

}  // namespace
}  // namespace inkdex::stream
