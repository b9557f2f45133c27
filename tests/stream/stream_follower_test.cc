#include "stream/stream_follower.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "stream/fake_stream_source_util.h"

namespace inkdex::stream {
namespace {

using ::testing::ElementsAre;
using testing::Eventually;
using testing::FakeStreamSource;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kTestStreamArn;
using testing::RecordingSink;
using testing::Seq;
using Op = FakeStreamSource::Op;
using dynamodb::ShardIteratorType;

constexpr char kNewStreamArn[] =
    "arn:aws:dynamodb:eu-west-1:123456789012:table/directory/stream/2025-12-31T00:00:00.000";

StreamFollowerOptions FastOptions(absl::Duration describe_interval = absl::Milliseconds(20)) {
  StreamFollowerOptions options;
  options.stream_arn = kTestStreamArn;
  options.describe_interval = describe_interval;
  options.reader = testing::FastReaderOptions();
  return options;
}

// Remembers the re-sync reasons the follower reports.
class ResyncRecorder {
 public:
  std::function<void(const ResyncReason&)> Callback() {
    return [this](const ResyncReason& reason) {
      absl::MutexLock lock(&mu_);
      reasons_.push_back(reason);
    };
  }
  std::vector<ResyncReason> reasons() const {
    absl::MutexLock lock(&mu_);
    return reasons_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<ResyncReason> reasons_;
};

// Index of the first batch of `shard_id` in `batches` matching `pred`.
size_t FirstBatch(const std::vector<ShardBatch>& batches, const std::string& shard_id,
                  bool finished_only) {
  for (size_t i = 0; i < batches.size(); ++i) {
    if (batches[i].shard_id == shard_id && (!finished_only || batches[i].shard_finished)) return i;
  }
  return batches.size();
}

// The GetShardIterator requests for `shard_id`.
std::vector<FakeStreamSource::IteratorRequest> RequestsFor(const FakeStreamSource& source,
                                                           const std::string& shard_id) {
  std::vector<FakeStreamSource::IteratorRequest> requests;
  for (const auto& request : source.iterator_requests()) {
    if (request.shard_id == shard_id) requests.push_back(request);
  }
  return requests;
}

// A stream that split: "parent" closed with 4 records, children "a" and "b"
// open with 3 and 2.
void AddSplitStream(FakeStreamSource& source) {
  source.AddShard("parent");
  source.Append("parent", 4);
  source.Close("parent");
  source.AddShard("a", "parent");
  source.Append("a", 3);
  source.AddShard("b", "parent");
  source.Append("b", 2);
}

TEST(StreamFollowerTest, ReadsAParentToItsEndBeforeItsChildren) {
  FakeStreamSource source;
  AddSplitStream(source);
  source.set_describe_page_size(1);  // every describe takes three pages
  RecordingSink sink;
  StreamFollower follower(source, sink, FastOptions());
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 9; }));
  std::vector<ShardBatch> batches = sink.batches();
  const size_t parent_finished = FirstBatch(batches, "parent", true);
  ASSERT_LT(parent_finished, batches.size());
  EXPECT_LT(parent_finished, FirstBatch(batches, "a", false));
  EXPECT_LT(parent_finished, FirstBatch(batches, "b", false));
  EXPECT_EQ(sink.sequences("parent"),
            (std::vector<std::string>{Seq(100), Seq(101), Seq(102), Seq(103)}));
  EXPECT_EQ(sink.sequences("a").size(), 3u);
  EXPECT_EQ(sink.sequences("b").size(), 2u);
  for (const char* shard : {"parent", "a", "b"}) {
    ASSERT_FALSE(RequestsFor(source, shard).empty()) << shard;
    EXPECT_EQ(RequestsFor(source, shard)[0].type, ShardIteratorType::kTrimHorizon) << shard;
  }
  follower.Stop();
  EXPECT_FALSE(follower.running());

  FollowerStats stats = follower.stats();
  std::vector<std::string> ids;
  for (const ShardStats& shard : stats.shards) ids.push_back(shard.shard_id);
  ASSERT_THAT(ids, ElementsAre("a", "b", "parent"));
  EXPECT_EQ(stats.shards[2].shard_id, "parent");
  EXPECT_TRUE(stats.shards[2].finished);
  EXPECT_EQ(stats.shards[2].records_applied, 4u);
  EXPECT_EQ(stats.stream_status, "ENABLED");
  EXPECT_GE(stats.describes, 1u);
}

TEST(StreamFollowerTest, AChildStartsAsSoonAsItsParentFinishes) {
  FakeStreamSource source;
  AddSplitStream(source);
  RecordingSink sink;
  // An hour between describes: only the wake-up after the parent finished
  // can start the children in time.
  StreamFollower follower(source, sink, FastOptions(absl::Hours(1)));
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 9; }, absl::Seconds(5)));
  EXPECT_EQ(source.describe_calls(), 2);
}

TEST(StreamFollowerTest, NeverRunsTwoReadersForOneShard) {
  FakeStreamSource source;
  for (int i = 0; i < 6; ++i) {
    const std::string shard = "s" + std::to_string(i);
    source.AddShard(shard);
    source.Append(shard, 50);
  }
  source.set_get_records_delay(absl::Milliseconds(1));
  RecordingSink sink;
  StreamFollowerOptions options = FastOptions(absl::Milliseconds(1));
  options.reader.records_limit = 3;
  StreamFollower follower(source, sink, options);
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(follower.Start({}).ok()) << "a second Start is a no-op";
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 300; }));
  absl::SleepFor(absl::Milliseconds(100));  // many more describes while idle
  follower.Stop();
  EXPECT_GT(source.describe_calls(), 20);
  EXPECT_EQ(source.max_concurrent_calls_per_shard(), 1);
  for (int i = 0; i < 6; ++i) {
    const std::string shard = "s" + std::to_string(i);
    EXPECT_EQ(RequestsFor(source, shard).size(), 1u) << shard << " was opened by one reader";
    EXPECT_EQ(sink.sequences(shard).size(), 50u);
  }
}

TEST(StreamFollowerTest, FinishedShardsAreRememberedAcrossRestarts) {
  FakeStreamSource source;
  AddSplitStream(source);
  RecordingSink sink;
  {
    StreamFollower follower(source, sink, FastOptions());
    ASSERT_TRUE(follower.Start({}).ok());
    ASSERT_TRUE(Eventually([&] { return sink.record_count() == 9; }));
  }
  const std::string last_of_a = sink.sequences("a").back();
  StoredCheckpoints stored = sink.checkpoints();
  ASSERT_TRUE(stored.at(kTestStreamArn).IsFinished("parent"));

  source.Append("a", 2);
  const size_t parent_requests = RequestsFor(source, "parent").size();
  StreamFollower restarted(source, sink, FastOptions());
  ASSERT_TRUE(restarted.Start(stored).ok());
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 11; }));
  restarted.Stop();
  EXPECT_EQ(RequestsFor(source, "parent").size(), parent_requests) << "finished: not read again";
  auto a_requests = RequestsFor(source, "a");
  EXPECT_EQ(a_requests.back().type, ShardIteratorType::kAfterSequenceNumber);
  EXPECT_EQ(a_requests.back().sequence_number, last_of_a);
  EXPECT_EQ(sink.sequences("a").size(), 5u) << "nothing applied twice";
}

TEST(StreamFollowerTest, ALaterDescribeDiscoversNewShards) {
  FakeStreamSource source;
  source.AddShard("first");
  source.Append("first", 2);
  RecordingSink sink;
  StreamFollower follower(source, sink, FastOptions(absl::Milliseconds(10)));
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 2; }));
  // The shard rolls over: closed, with a child.
  source.Append("first", 1);
  source.Close("first");
  source.AddShard("second", "first");
  source.Append("second", 3);
  source.AddShard("unrelated");
  source.Append("unrelated", 1);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 7; }));
  EXPECT_EQ(sink.sequences("second").size(), 3u);
  EXPECT_EQ(sink.sequences("unrelated").size(), 1u);
  EXPECT_TRUE(Eventually([&] {
    FollowerStats stats = follower.stats();
    return std::any_of(stats.shards.begin(), stats.shards.end(),
                       [](const ShardStats& s) { return s.shard_id == "first" && s.finished; });
  }));
}

// Runs a follower from `stored` until it asks for a re-sync, and checks it
// then stopped having applied nothing; the one reason it gave.
std::optional<ResyncReason> RunUntilResync(FakeStreamSource& source,
                                           const StoredCheckpoints& stored,
                                           StreamFollowerOptions options = FastOptions()) {
  RecordingSink sink;
  ResyncRecorder resyncs;
  options.on_resync_needed = resyncs.Callback();
  StreamFollower follower(source, sink, options);
  EXPECT_TRUE(follower.Start(stored).ok());
  if (!Eventually([&] { return !resyncs.reasons().empty(); })) return std::nullopt;
  EXPECT_FALSE(follower.running());
  EXPECT_TRUE(follower.resync_reason().has_value());
  EXPECT_TRUE(follower.stats().resync.has_value());
  EXPECT_EQ(sink.record_count(), 0u);
  follower.Stop();  // harmless after a re-sync
  EXPECT_EQ(resyncs.reasons().size(), 1u);
  return resyncs.reasons()[0];
}

TEST(StreamFollowerTest, TrimmedDataStopsTheFollowerAndAsksForAResync) {
  FakeStreamSource source;
  source.AddShard("s");
  source.Append("s", 5);
  source.Trim("s", 3);
  source.AddShard("healthy");
  std::map<std::string, std::string> metadata;
  auto entries = EncodeShardCheckpoint(kTestStreamArn, "s", {Seq(101), false});
  ASSERT_TRUE(entries.ok());
  metadata.insert(entries->begin(), entries->end());
  std::optional<ResyncReason> reason = RunUntilResync(source, *DecodeCheckpoints(metadata));
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->cause, ResyncCause::kTrimmedData);
  EXPECT_THAT(reason->detail, HasSubstr("shard s"));
  EXPECT_THAT(reason->detail, HasSubstr("TrimmedDataAccessException"));
}

TEST(StreamFollowerTest, StoredCheckpointsOfAnotherStreamAskForAResync) {
  FakeStreamSource source;
  source.AddShard("s");
  source.Append("s", 1);
  std::optional<ResyncReason> reason =
      RunUntilResync(source, {{kNewStreamArn, {kNewStreamArn, {{"s", {Seq(1), false}}}}}});
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->cause, ResyncCause::kStreamArnChanged);
  EXPECT_THAT(reason->detail, HasSubstr(kNewStreamArn));
  EXPECT_EQ(source.describe_calls(), 0);
  EXPECT_THAT(source.iterator_requests(), IsEmpty());
}

TEST(StreamFollowerTest, ANewCurrentStreamArnAsksForAResync) {
  FakeStreamSource source;
  source.AddShard("s");
  RecordingSink sink;
  ResyncRecorder resyncs;
  absl::Mutex mu;
  std::string current = kTestStreamArn;
  StreamFollowerOptions options = FastOptions(absl::Milliseconds(5));
  options.on_resync_needed = resyncs.Callback();
  options.current_stream_arn = [&]() -> absl::StatusOr<std::string> {
    absl::MutexLock lock(&mu);
    return current;
  };
  StreamFollower follower(source, sink, options);
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(Eventually([&] { return source.describe_calls() >= 2; }));
  EXPECT_TRUE(follower.running());
  {
    absl::MutexLock lock(&mu);
    current = kNewStreamArn;  // the stream was disabled and enabled again
  }
  ASSERT_TRUE(Eventually([&] { return resyncs.reasons().size() == 1; }));
  EXPECT_EQ(resyncs.reasons()[0].cause, ResyncCause::kStreamArnChanged);
  EXPECT_TRUE(Eventually([&] { return !follower.running(); }));
}

TEST(StreamFollowerTest, AMissingStreamAsksForAResync) {
  FakeStreamSource source;
  source.SetStreamMissing(true);
  std::optional<ResyncReason> reason = RunUntilResync(source, {});
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->cause, ResyncCause::kStreamNotFound);
}

TEST(StreamFollowerTest, AnUnfinishedShardTrimmedAwayAsksForAResync) {
  FakeStreamSource source;
  source.AddShard("child", "gone");
  std::optional<ResyncReason> reason =
      RunUntilResync(source, {{kTestStreamArn, {kTestStreamArn, {{"gone", {Seq(7), false}}}}}});
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->cause, ResyncCause::kShardTrimmed);
  EXPECT_THAT(reason->detail, HasSubstr("gone (applied up to " + Seq(7) + ")"));
  EXPECT_THAT(RequestsFor(source, "child"), IsEmpty()) << "no reading after records were lost";
}

TEST(StreamFollowerTest, AnIdleChildTrimmedWhileTheServerWasDownAsksForAResync) {
  // The parent is read to its end and its child opened, but nothing was
  // written to the child yet when the server stopped.
  FakeStreamSource source;
  source.AddShard("parent");
  source.Append("parent", 2);
  source.Close("parent");
  source.AddShard("child", "parent");
  RecordingSink sink;
  {
    StreamFollower follower(source, sink, FastOptions(absl::Milliseconds(5)));
    ASSERT_TRUE(follower.Start({}).ok());
    ASSERT_TRUE(Eventually([&] {
      const StoredCheckpoints stored = sink.checkpoints();
      return stored.contains(kTestStreamArn) &&
             stored.at(kTestStreamArn).Find("child") != nullptr &&
             stored.at(kTestStreamArn).IsFinished("parent");
    }));
    follower.Stop();
  }
  EXPECT_EQ(*sink.checkpoints().at(kTestStreamArn).Find("child"), (ShardCheckpoint{"", false}))
      << "opened, nothing applied";
  // Down for 30 hours: writes went to the child, which closed, split and was
  // trimmed together with the parent.
  source.Append("child", 3);
  source.Close("child");
  source.AddShard("grandchild", "child");
  source.Append("grandchild", 1);
  source.Remove("parent");
  source.Remove("child");
  std::optional<ResyncReason> reason = RunUntilResync(source, sink.checkpoints());
  ASSERT_TRUE(reason.has_value()) << "the child's records are gone: only a re-sync has them";
  EXPECT_EQ(reason->cause, ResyncCause::kShardTrimmed);
  EXPECT_THAT(reason->detail, HasSubstr("child (opened, nothing applied)"));
  EXPECT_THAT(RequestsFor(source, "grandchild"), IsEmpty());
}

TEST(StreamFollowerTest, FinishedShardsTrimmedAwayAreForgotten) {
  FakeStreamSource source;
  source.AddShard("old");
  source.Append("old", 2);
  source.Close("old");
  source.AddShard("new", "old");
  source.Append("new", 1);
  RecordingSink sink;
  StreamFollower follower(source, sink, FastOptions(absl::Milliseconds(5)));
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 3; }));
  ASSERT_TRUE(sink.checkpoints().at(kTestStreamArn).IsFinished("old"));
  source.Remove("old");  // 24 hours later
  ASSERT_TRUE(
      Eventually([&] { return sink.checkpoints().at(kTestStreamArn).Find("old") == nullptr; }));
  EXPECT_TRUE(Eventually([&] {
    FollowerStats stats = follower.stats();
    return stats.shards.size() == 1 && stats.shards[0].shard_id == "new";
  }));
  EXPECT_TRUE(follower.running());
  EXPECT_FALSE(follower.resync_reason().has_value()) << "a finished shard may vanish";
  EXPECT_EQ(sink.metadata().count(StreamMetadataPrefix(kTestStreamArn) + "shard.old"), 1u)
      << "forgotten by an empty value";
}

TEST(StreamFollowerTest, DescribeErrorsAreCountedAndRetried) {
  FakeStreamSource source;
  source.AddShard("s");
  source.Append("s", 1);
  source.FailNext(Op::kDescribe, testing::AwsErrorStatus("LimitExceededException"), 2);
  RecordingSink sink;
  StreamFollower follower(source, sink, FastOptions(absl::Milliseconds(50)));
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 1; }));
  EXPECT_EQ(follower.stats().describe_errors.at("LimitExceededException"), 2u);
}

TEST(StreamFollowerTest, ASinkErrorRetriesTheSameBatchUnderTheFollower) {
  FakeStreamSource source;
  source.AddShard("s");
  source.Append("s", 3);
  RecordingSink sink;
  sink.FailNext(3);
  StreamFollower follower(source, sink, FastOptions());
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 3; }));
  // The shard's opened checkpoint fails three times, then the records'
  // batch goes through at once.
  EXPECT_EQ(sink.apply_calls(), 5);
  EXPECT_EQ(sink.batches().size(), 2u);
  EXPECT_EQ(follower.stats().shards.at(0).sink_errors, 3u);
}

TEST(StreamFollowerTest, StopIsPromptWithDefaultWaits) {
  FakeStreamSource source;
  for (int i = 0; i < 4; ++i) source.AddShard("s" + std::to_string(i));
  source.Append("s0", 1);
  RecordingSink sink;
  sink.FailNext(1000000);  // every reader sits in its error backoff
  StreamFollowerOptions options;
  options.stream_arn = kTestStreamArn;  // everything else the defaults
  StreamFollower follower(source, sink, options);
  ASSERT_TRUE(follower.Start({}).ok());
  // Each reader's opened checkpoint failed twice: all wait in a backoff.
  ASSERT_TRUE(Eventually([&] { return sink.apply_calls() >= 8; }));
  const absl::Time start = absl::Now();
  follower.Stop();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(300));
  EXPECT_FALSE(follower.running());
  follower.Stop();  // idempotent
}

TEST(StreamFollowerTest, StopWaitsForAnApplyInFlightButNoLonger) {
  FakeStreamSource source;
  source.AddShard("s");
  source.Append("s", 1);
  RecordingSink sink;
  sink.Block();
  StreamFollower follower(source, sink, FastOptions());
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(Eventually([&] { return sink.apply_calls() == 1; }));
  std::thread unblock([&] {
    absl::SleepFor(absl::Milliseconds(50));
    sink.Unblock();
  });
  const absl::Time start = absl::Now();
  follower.Stop();
  const absl::Duration took = absl::Now() - start;
  unblock.join();
  EXPECT_GE(took, absl::Milliseconds(40));
  EXPECT_LT(took, absl::Milliseconds(300));
  EXPECT_EQ(sink.batches().size(), 1u) << "the Apply in flight (the opened checkpoint) completed";
  EXPECT_EQ(sink.apply_calls(), 1) << "and nothing after it";
}

TEST(StreamFollowerTest, CanBeStartedAgainAfterStop) {
  FakeStreamSource source;
  source.AddShard("s");
  source.Append("s", 2);
  RecordingSink sink;
  StreamFollower follower(source, sink, FastOptions());
  ASSERT_TRUE(follower.Start({}).ok());
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 2; }));
  follower.Stop();
  source.Append("s", 2);
  ASSERT_TRUE(follower.Start(sink.checkpoints()).ok());
  EXPECT_TRUE(follower.running());
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 4; }));
  EXPECT_EQ(sink.sequences("s"),
            (std::vector<std::string>{Seq(100), Seq(101), Seq(102), Seq(103)}));
}

TEST(StreamFollowerTest, BadOptionsAreRejectedByStart) {
  FakeStreamSource source;
  RecordingSink sink;
  StreamFollowerOptions no_arn;
  EXPECT_THAT(StreamFollower(source, sink, no_arn).Start({}).message(), HasSubstr("stream_arn"));
  StreamFollowerOptions bad_interval = FastOptions(absl::ZeroDuration());
  EXPECT_THAT(StreamFollower(source, sink, bad_interval).Start({}).message(),
              HasSubstr("describe_interval"));
  StreamFollowerOptions bad_limit = FastOptions();
  bad_limit.reader.records_limit = 0;
  EXPECT_THAT(StreamFollower(source, sink, bad_limit).Start({}).message(),
              HasSubstr("records_limit"));
}

TEST(StreamFollowerTest, ResyncCausesHaveNames) {
  EXPECT_STREQ(ResyncCauseName(ResyncCause::kTrimmedData), "trimmed_data");
  EXPECT_STREQ(ResyncCauseName(ResyncCause::kShardTrimmed), "shard_trimmed");
  EXPECT_STREQ(ResyncCauseName(ResyncCause::kStreamNotFound), "stream_not_found");
  EXPECT_STREQ(ResyncCauseName(ResyncCause::kStreamArnChanged), "stream_arn_changed");
}

}  // namespace
}  // namespace inkdex::stream
