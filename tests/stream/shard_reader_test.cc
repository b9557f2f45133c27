#include "stream/shard_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "dynamodb/aws_error.h"
#include "stream/fake_stream_source_util.h"

namespace inkdex::stream {
namespace {

using ::testing::ElementsAre;
using testing::Eventually;
using testing::FakeStreamSource;
using ::testing::IsEmpty;
using testing::kTestStreamArn;
using testing::RecordingSink;
using Op = FakeStreamSource::Op;
using dynamodb::ShardIteratorType;

constexpr char kShard[] = "shardId-1";

// Runs one ShardReader on its own thread.
class ReaderRun {
 public:
  ReaderRun(FakeStreamSource& source, RecordingSink& sink, ShardCheckpoint start = {},
            ShardReaderOptions options = testing::FastReaderOptions(), bool closed = false)
      : reader_(source, sink, kTestStreamArn, Shard(closed), std::move(start), options, stop_),
        thread_([this] {
          result_ = reader_.Run();
          done_ = true;
        }) {}
  ~ReaderRun() { Stop(); }

  static dynamodb::Shard Shard(bool closed) {
    dynamodb::Shard shard;
    shard.shard_id = kShard;
    if (closed) shard.ending_sequence_number = "1";
    return shard;
  }

  // Raises the stop signal; returns how long Run took to return.
  absl::Duration Stop() {
    const absl::Time start = absl::Now();
    stop_.Raise();
    if (thread_.joinable()) thread_.join();
    return absl::Now() - start;
  }
  ShardReadResult Join() {
    if (thread_.joinable()) thread_.join();
    return result_;
  }
  bool done() const { return done_; }
  ShardReader& reader() { return reader_; }

 private:
  StopSignal stop_;
  ShardReader reader_;
  ShardReadResult result_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The sequence numbers FakeStreamSource gives records first..first+count-1
// of a stream whose only shard is kShard.
std::vector<std::string> SequencesOf(int first, int count) {
  std::vector<std::string> sequences;
  for (int i = 0; i < count; ++i) sequences.push_back(testing::Seq(100 + first + i));
  return sequences;
}

// Fast options whose clock runs `skew_minutes` ahead.
ShardReaderOptions SkewedOptions(const std::atomic<int64_t>& skew_minutes) {
  ShardReaderOptions options = testing::FastReaderOptions();
  options.now = [&skew_minutes] { return absl::Now() + absl::Minutes(skew_minutes.load()); };
  return options;
}

TEST(ShardReaderTest, StartsAtTrimHorizonThenResumesAfterTheCheckpoint) {
  FakeStreamSource source;
  source.AddShard(kShard);
  const std::string fifth = source.Append(kShard, 5);
  RecordingSink sink;
  {
    ReaderRun run(source, sink);
    ASSERT_TRUE(Eventually([&] { return sink.record_count() == 5; }));
    // The reader moves its checkpoint after the sink returns: wait for it.
    EXPECT_TRUE(Eventually([&] {
      return run.reader().checkpoint() == ShardCheckpoint{fifth, false};
    })) << run.reader().checkpoint().sequence_number;
  }
  ASSERT_FALSE(source.iterator_requests().empty());
  EXPECT_EQ(source.iterator_requests()[0].type, ShardIteratorType::kTrimHorizon);

  // A restart from the committed checkpoint reads only what came after it.
  StoredCheckpoints stored = sink.checkpoints();
  const ShardCheckpoint checkpoint = stored.at(kTestStreamArn).shards.at(kShard);
  EXPECT_EQ(checkpoint, (ShardCheckpoint{fifth, false}));
  source.Append(kShard, 3);
  RecordingSink resumed;
  ReaderRun run(source, resumed, checkpoint);
  ASSERT_TRUE(Eventually([&] { return resumed.record_count() == 3; }));
  const auto requests = source.iterator_requests();
  EXPECT_EQ(requests.back().type, ShardIteratorType::kAfterSequenceNumber);
  EXPECT_EQ(requests.back().sequence_number, fifth);
  EXPECT_EQ(resumed.sequences(kShard), SequencesOf(5, 3));
}

TEST(ShardReaderTest, AClosedShardIsReadToItsEndAndReportedFinished) {
  FakeStreamSource source;
  source.AddShard(kShard);
  const std::string last = source.Append(kShard, 5);
  source.Close(kShard);
  RecordingSink sink;
  ShardReaderOptions options = testing::FastReaderOptions();
  options.records_limit = 2;
  options.max_batch_records = 2;  // a batch per page
  ReaderRun run(source, sink, {}, options, /*closed=*/true);
  ShardReadResult result = run.Join();
  EXPECT_EQ(result.outcome, ShardReadOutcome::kFinished);
  std::vector<ShardBatch> batches = sink.batches();
  // Opened, then 2 + 2 + 1, the last one finishing the shard.
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_THAT(batches[0].records, IsEmpty());
  EXPECT_FALSE(batches[1].shard_finished);
  EXPECT_FALSE(batches[2].shard_finished);
  EXPECT_TRUE(batches[3].shard_finished);
  EXPECT_EQ(batches[3].last_sequence_number, last);
  EXPECT_EQ(sink.sequences(kShard), SequencesOf(0, 5));
  EXPECT_EQ(run.reader().checkpoint(), (ShardCheckpoint{last, true}));
  EXPECT_TRUE(run.reader().stats().finished);
  EXPECT_EQ(sink.checkpoints().at(kTestStreamArn).shards.at(kShard), (ShardCheckpoint{last, true}));
}

// Batch sizes (records) the sink was given, the opened batch left out.
std::vector<size_t> RecordBatchSizes(const RecordingSink& sink) {
  std::vector<size_t> sizes;
  for (const ShardBatch& b : sink.batches()) {
    if (!b.records.empty()) sizes.push_back(b.records.size());
  }
  return sizes;
}

// Fast options reading pages of 3 records, up to 9 in a batch.
ShardReaderOptions PagesOfThree(bool read_ahead = true) {
  ShardReaderOptions options = testing::FastReaderOptions();
  options.records_limit = 3;
  options.max_batch_records = 9;
  options.read_ahead = read_ahead;
  return options;
}

// A shard of `count` records after testing::Seq(100), read from that
// checkpoint (so no "opened" batch comes first) with PagesOfThree.
struct ShardAfterCheckpoint {
  ShardAfterCheckpoint(int count, bool read_ahead) {
    source.AddShard(kShard);
    source.Append(kShard, count + 1);
    options = PagesOfThree(read_ahead);
  }
  void Start() {
    run = std::make_unique<ReaderRun>(source, sink, ShardCheckpoint{testing::Seq(100), false},
                                      options);
  }

  FakeStreamSource source;
  RecordingSink sink;
  ShardReaderOptions options;
  std::unique_ptr<ReaderRun> run;  // stopped first
};

TEST(ShardReaderTest, FullPagesAreAppliedTogetherUpToMaxBatchRecords) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Append(kShard, 20);
  RecordingSink sink;
  ReaderRun run(source, sink, {}, PagesOfThree(/*read_ahead=*/false));
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 20; }));
  // Pages of 3: three full pages a batch, then the short last page alone.
  EXPECT_THAT(RecordBatchSizes(sink), ElementsAre(9, 9, 2));
  EXPECT_EQ(sink.sequences(kShard), SequencesOf(0, 20));
  const std::vector<ShardBatch> batches = sink.batches();
  EXPECT_EQ(batches[1].last_sequence_number, testing::Seq(108));
  EXPECT_EQ(batches[2].last_sequence_number, testing::Seq(117));
  EXPECT_TRUE(Eventually([&] { return run.reader().stats().batches_applied == 3; }));
  EXPECT_EQ(run.reader().stats().records_read, 20u);
  EXPECT_EQ(run.reader().stats().records_applied, 20u);

  // A reader that keeps up (short pages) applies each page as it comes.
  source.Append(kShard, 2);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 22; }));
  source.Append(kShard, 1);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 23; }));
  EXPECT_THAT(RecordBatchSizes(sink), ElementsAre(9, 9, 2, 2, 1));
}

// Without read ahead the reader waits for each commit before it reads on.
TEST(ShardReaderTest, WithoutReadAheadAReaderWaitsForEachCommit) {
  ShardAfterCheckpoint r(20, /*read_ahead=*/false);
  r.sink.Block();
  r.Start();
  ASSERT_TRUE(Eventually([&] { return r.sink.waiting_applies() == 1; }));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(r.source.get_records_calls(kShard), 3);  // the three pages of the batch
  r.sink.Unblock();
  ASSERT_TRUE(Eventually([&] { return r.sink.record_count() == 20; }));
  EXPECT_THAT(RecordBatchSizes(r.sink), ElementsAre(9, 9, 2));
}

// Reading ahead, the sink takes the first full page at once, and the pages
// read while it commits go to it together when it is done.
TEST(ShardReaderTest, ReadAheadReadsTheNextPagesWhileABatchCommits) {
  ShardAfterCheckpoint r(20, /*read_ahead=*/true);
  r.sink.Block();
  r.Start();
  const ShardReader& reader = r.run->reader();
  // The first page is in flight; pages 2 and 3 are held, and page 4 would
  // make them a batch of 9, which waits for the first.
  ASSERT_TRUE(Eventually([&] { return r.sink.waiting_applies() == 1; }));
  ASSERT_TRUE(Eventually([&] { return r.source.get_records_calls(kShard) == 4; }));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(r.source.get_records_calls(kShard), 4);
  EXPECT_EQ(r.sink.apply_calls(), 1);
  // The waiting batch was prepared (mapped) while the first one commits.
  EXPECT_EQ(r.sink.prepare_calls(), 2);
  ShardStats stats = reader.stats();
  EXPECT_EQ(stats.records_read, 12u);
  EXPECT_EQ(stats.records_behind, 12u);
  EXPECT_EQ(stats.records_applied, 0u);
  EXPECT_FALSE(stats.caught_up);

  r.sink.Pass(1);  // the first page
  ASSERT_TRUE(Eventually([&] { return r.sink.record_count() == 3; }));
  // The reader moves its checkpoint once the sink's Apply has returned.
  EXPECT_TRUE(Eventually([&] { return reader.checkpoint().sequence_number == testing::Seq(103); }));
  // Pages 5 and 6 are held and the short page 7 waits for the batch of 9.
  ASSERT_TRUE(Eventually([&] { return r.source.get_records_calls(kShard) == 7; }));
  ASSERT_TRUE(Eventually([&] { return r.sink.waiting_applies() == 1; }));
  EXPECT_TRUE(Eventually([&] { return reader.stats().records_behind == 17u; }));
  r.sink.Pass(1);
  ASSERT_TRUE(Eventually([&] { return r.sink.record_count() == 12; }));
  // Page 7 was short: the reader keeps up, and reads on only after its
  // commit; the shard is not caught up meanwhile.
  ASSERT_TRUE(Eventually([&] { return r.sink.waiting_applies() == 1; }));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(r.source.get_records_calls(kShard), 7);
  EXPECT_FALSE(reader.stats().caught_up);
  EXPECT_TRUE(Eventually([&] { return reader.stats().records_behind == 8u; }));
  r.sink.Unblock();
  ASSERT_TRUE(Eventually([&] { return reader.stats().caught_up; }));
  EXPECT_THAT(RecordBatchSizes(r.sink), ElementsAre(3, 9, 8));
  EXPECT_EQ(r.sink.prepare_calls(), 3);
  EXPECT_EQ(r.sink.sequences(kShard), SequencesOf(1, 20));
  EXPECT_EQ(r.sink.max_concurrent_applies(), 1);
  stats = reader.stats();
  EXPECT_EQ(stats.records_applied, 20u);
  EXPECT_EQ(stats.records_behind, 0u);
  EXPECT_EQ(stats.batches_applied, 3u);
  EXPECT_EQ(reader.checkpoint().sequence_number, testing::Seq(120));
}

// After a full page the reader reads ahead, and the read may come back
// empty while the page commits. It then reads again as soon as the commit
// is done, not after the empty-page backoff, so records written during the
// commit are not held back.
TEST(ShardReaderTest, AnEmptyPageReadDuringACommitIsReadAgainAtOnce) {
  ShardAfterCheckpoint r(3, /*read_ahead=*/true);
  r.options.empty_backoff_initial = absl::Seconds(20);
  r.options.empty_backoff_max = absl::Seconds(20);
  r.sink.Block();
  r.Start();
  // The full page is in flight; the next read finds nothing.
  ASSERT_TRUE(Eventually([&] { return r.sink.waiting_applies() == 1; }));
  ASSERT_TRUE(Eventually([&] { return r.source.get_records_calls(kShard) == 2; }));
  r.source.Append(kShard, 1);  // written during the commit
  r.sink.Unblock();
  EXPECT_TRUE(Eventually([&] { return r.sink.record_count() == 4; }, absl::Seconds(5)));
  EXPECT_EQ(r.sink.sequences(kShard), SequencesOf(1, 4));
  // Then, with nothing in flight, an empty page backs off as before.
  ASSERT_TRUE(Eventually([&] { return r.run->reader().stats().caught_up; }));
  const int calls = r.source.get_records_calls(kShard);
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(r.source.get_records_calls(kShard), calls);
}

// A reader that keeps up (short pages) does not read during a commit.
TEST(ShardReaderTest, AfterAShortPageTheReaderWaitsForItsCommit) {
  ShardAfterCheckpoint r(2, /*read_ahead=*/true);
  r.sink.Block();
  r.Start();
  ASSERT_TRUE(Eventually([&] { return r.sink.waiting_applies() == 1; }));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(r.source.get_records_calls(kShard), 1);
  r.sink.Unblock();
  ASSERT_TRUE(Eventually([&] { return r.run->reader().stats().caught_up; }));
  EXPECT_EQ(r.sink.sequences(kShard), SequencesOf(1, 2));
}

// A batch that fails is retried before any batch read after it.
TEST(ShardReaderTest, ReadAheadRetriesAFailedBatchBeforeTheNextOne) {
  ShardAfterCheckpoint r(40, /*read_ahead=*/true);
  r.sink.FailNext(3);
  r.Start();
  ASSERT_TRUE(Eventually([&] { return r.sink.record_count() == 40; }));
  EXPECT_EQ(r.sink.sequences(kShard), SequencesOf(1, 40));
  EXPECT_EQ(r.sink.max_concurrent_applies(), 1);
  EXPECT_EQ(r.sink.apply_calls(), static_cast<int>(r.sink.batches().size()) + 3);
  EXPECT_EQ(r.run->reader().stats().sink_errors, 3u);
  EXPECT_EQ(r.source.iterator_requests().size(), 1u);  // nothing read twice
}

// Stopped while its batch cannot commit, a reader that read ahead returns
// without moving its checkpoint.
TEST(ShardReaderTest, ReadAheadStopsWhileABatchKeepsFailing) {
  ShardAfterCheckpoint r(20, /*read_ahead=*/true);
  r.sink.FailNext(1000000);
  r.options.error_backoff_initial = absl::Seconds(30);
  r.options.error_backoff_max = absl::Seconds(30);
  r.Start();
  ASSERT_TRUE(Eventually([&] { return r.run->reader().stats().sink_errors == 1; }));
  ASSERT_TRUE(Eventually([&] { return r.run->reader().stats().records_behind == 12; }));
  EXPECT_LT(r.run->Stop(), absl::Seconds(5));
  EXPECT_EQ(r.run->Join().outcome, ShardReadOutcome::kStopped);
  EXPECT_EQ(r.run->reader().checkpoint().sequence_number, testing::Seq(100));
  EXPECT_EQ(r.sink.record_count(), 0u);
}

// A reader of pages of 3 (up to 9 applied together) whose reads take 100 ms,
// started on `count` records. Without read ahead it holds full pages until
// it has 9; with it, it holds them while the sink (blocked until Release)
// applies the first page.
struct HoldingReader {
  HoldingReader(int count, bool read_ahead) : read_ahead(read_ahead) {
    source.AddShard(kShard);
    source.Append(kShard, count);
    source.set_get_records_delay(absl::Milliseconds(100));
    const ShardReaderOptions options = PagesOfThree(read_ahead);
    if (read_ahead) {
      sink.Block();
      sink.Pass(1);  // the "opened" checkpoint
    }
    run = std::make_unique<ReaderRun>(source, sink, ShardCheckpoint{}, options);
  }
  // True once a read is under way with a full page held: the second read
  // (holding the first page), or reading ahead the third (holding the
  // second while the first is applied).
  bool HoldingAPage() {
    return Eventually([&] { return source.get_records_calls(kShard) == (read_ahead ? 3 : 2); });
  }
  void Release() { sink.Unblock(); }
  // The records applied once the held page is: the first page, or reading
  // ahead the first two.
  size_t AppliedWithTheHeldPage() const { return read_ahead ? 6 : 3; }

  const bool read_ahead;
  FakeStreamSource source;
  RecordingSink sink;
  std::unique_ptr<ReaderRun> run;  // stopped first
};

TEST(ShardReaderTest, HeldPagesAreAppliedWhileReadsKeepFailing) {
  for (bool read_ahead : {false, true}) {
    SCOPED_TRACE(read_ahead ? "read ahead" : "no read ahead");
    HoldingReader r(9, read_ahead);
    ASSERT_TRUE(r.HoldingAPage());
    r.source.FailNext(Op::kGetRecords, testing::AwsErrorStatus("InternalServerError", 500), 1000);
    r.Release();
    const size_t applied = r.AppliedWithTheHeldPage();
    ASSERT_TRUE(Eventually([&] { return r.sink.record_count() == applied; }));
    EXPECT_EQ(r.sink.sequences(kShard), SequencesOf(0, static_cast<int>(applied)));
    // The held page goes to the sink before the failed read is counted.
    EXPECT_TRUE(Eventually([&] { return r.run->reader().stats().error_streak > 0; }));
    EXPECT_EQ(r.run->reader().stats().records_behind, 0u);
  }
}

TEST(ShardReaderTest, HeldPagesAreAppliedBeforeAnExpiredIteratorIsReplaced) {
  for (bool read_ahead : {false, true}) {
    SCOPED_TRACE(read_ahead ? "read ahead" : "no read ahead");
    HoldingReader r(9, read_ahead);
    ASSERT_TRUE(r.HoldingAPage());
    r.source.ExpireIterators();  // the read under way finds its iterator expired
    r.Release();
    ASSERT_TRUE(Eventually([&] { return r.sink.record_count() == 9; }));
    // Re-acquired after the held page, which was applied first: nothing read twice.
    EXPECT_EQ(r.sink.sequences(kShard), SequencesOf(0, 9));
    const auto requests = r.source.iterator_requests();
    ASSERT_GE(requests.size(), 2u);
    EXPECT_EQ(requests[1].type, ShardIteratorType::kAfterSequenceNumber);
    EXPECT_EQ(requests[1].sequence_number, testing::Seq(100 + r.AppliedWithTheHeldPage() - 1));
  }
}

TEST(ShardReaderTest, AClosedShardDrainedEarlierFinishesWithAnEmptyBatch) {
  FakeStreamSource source;
  source.AddShard(kShard);
  const std::string last = source.Append(kShard, 2);
  source.Close(kShard);
  RecordingSink sink;
  ReaderRun run(source, sink, ShardCheckpoint{last, false}, testing::FastReaderOptions(), true);
  EXPECT_EQ(run.Join().outcome, ShardReadOutcome::kFinished);
  std::vector<ShardBatch> batches = sink.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_THAT(batches[0].records, IsEmpty());
  EXPECT_TRUE(batches[0].shard_finished);
  EXPECT_EQ(batches[0].last_sequence_number, last) << "the checkpoint is carried over";
}

TEST(ShardReaderTest, AnEmptyClosedShardFinishesWithoutASequenceNumber) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Close(kShard);
  RecordingSink sink;
  ReaderRun run(source, sink, {}, testing::FastReaderOptions(), true);
  EXPECT_EQ(run.Join().outcome, ShardReadOutcome::kFinished);
  EXPECT_EQ(sink.checkpoints().at(kTestStreamArn).shards.at(kShard), (ShardCheckpoint{"", true}));
}

TEST(ShardReaderTest, AnExpiredIteratorIsReacquiredAfterTheLastAppliedRecord) {
  FakeStreamSource source;
  source.AddShard(kShard);
  const std::string third = source.Append(kShard, 3);
  RecordingSink sink;
  ReaderRun run(source, sink);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 3; }));
  source.ExpireIterators();
  source.Append(kShard, 4);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 7; }));
  EXPECT_EQ(sink.sequences(kShard), SequencesOf(0, 7)) << "no gap, no duplicate";
  const auto requests = source.iterator_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].type, ShardIteratorType::kAfterSequenceNumber);
  EXPECT_EQ(requests[1].sequence_number, third);
  ShardStats stats = run.reader().stats();
  EXPECT_EQ(stats.iterator_refreshes, 1u);
  EXPECT_EQ(stats.errors.at("ExpiredIteratorException"), 1u);
}

TEST(ShardReaderTest, AnIteratorIsReplacedBeforeItExpires) {
  FakeStreamSource source;
  source.AddShard(kShard);
  const std::string second = source.Append(kShard, 2);
  std::atomic<int64_t> skew_minutes{0};
  ShardReaderOptions options = SkewedOptions(skew_minutes);
  RecordingSink sink;
  ReaderRun run(source, sink, {}, options);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 2; }));
  EXPECT_EQ(source.iterator_requests().size(), 1u);
  // The clock jumps past iterator_refresh_after (10 min), before AWS's 15.
  // Each read returns a fresh iterator stamped with the time, so a read
  // racing the jump stamps the new time and nothing is due (make test-asan
  // lost that race once): the clock jumps again until the reader has
  // replaced its iterator (a jump racing the replacement may make one more).
  ASSERT_TRUE(Eventually([&] {
    if (source.iterator_requests().size() >= 2) return true;
    skew_minutes += 11;
    absl::SleepFor(absl::Milliseconds(50));
    return source.iterator_requests().size() >= 2;
  }));
  EXPECT_EQ(source.iterator_requests()[1].type, ShardIteratorType::kAfterSequenceNumber);
  EXPECT_EQ(source.iterator_requests()[1].sequence_number, second);
  EXPECT_TRUE(Eventually([&] { return run.reader().stats().iterator_refreshes >= 1; }));
  EXPECT_TRUE(run.reader().stats().errors.empty()) << "refreshed before any expiry error";
}

TEST(ShardReaderTest, TrimmedDataNeedsAResync) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Append(kShard, 5);
  source.Trim(kShard, 3);
  RecordingSink sink;
  // The checkpoint (record 2) is older than the trim horizon.
  ReaderRun run(source, sink, ShardCheckpoint{testing::Seq(101), false});
  ShardReadResult result = run.Join();
  EXPECT_EQ(result.outcome, ShardReadOutcome::kResyncNeeded);
  EXPECT_EQ(result.error.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(dynamodb::ErrorTypeOf(result.error), "TrimmedDataAccessException");
  EXPECT_THAT(sink.batches(), IsEmpty());
}

TEST(ShardReaderTest, TrimmedDataWhileReadingNeedsAResync) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Append(kShard, 2);
  source.FailNext(Op::kGetRecords, testing::AwsErrorStatus("TrimmedDataAccessException"));
  RecordingSink sink;
  ReaderRun run(source, sink);
  EXPECT_EQ(run.Join().outcome, ShardReadOutcome::kResyncNeeded);
}

TEST(ShardReaderTest, AVanishedShardNeedsAResync) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.SetStreamMissing(true);
  RecordingSink sink;
  ReaderRun run(source, sink);
  ShardReadResult result = run.Join();
  EXPECT_EQ(result.outcome, ShardReadOutcome::kResyncNeeded);
  EXPECT_EQ(result.error.code(), absl::StatusCode::kNotFound);
}

TEST(ShardReaderTest, ASinkErrorRetriesTheSameBatch) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Append(kShard, 5);
  RecordingSink sink;
  sink.FailNext(2);
  // From a checkpoint (no opened batch), so the records' batch is the one failing.
  ReaderRun run(source, sink, ShardCheckpoint{testing::Seq(100), false});
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 4; }));
  EXPECT_EQ(sink.apply_calls(), 3);
  ASSERT_EQ(sink.batches().size(), 1u);
  EXPECT_EQ(sink.sequences(kShard), SequencesOf(1, 4));
  EXPECT_EQ(run.reader().stats().sink_errors, 2u);
  // The retried batch was not read again from the stream.
  EXPECT_EQ(source.iterator_requests().size(), 1u);
}

TEST(ShardReaderTest, StreamErrorsAreCountedByTypeAndRetried) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Append(kShard, 3);
  source.FailNext(Op::kGetShardIterator, testing::AwsErrorStatus("InternalServerError", 500), 2);
  source.FailNext(Op::kGetRecords,
                  testing::AwsErrorStatus("ProvisionedThroughputExceededException"), 3);
  source.FailNext(Op::kGetRecords, absl::UnavailableError("connection reset"), 1);
  RecordingSink sink;
  ReaderRun run(source, sink);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 3; }));
  ShardStats stats = run.reader().stats();
  EXPECT_EQ(stats.errors.at("InternalServerError"), 2u);
  EXPECT_EQ(stats.errors.at("ProvisionedThroughputExceededException"), 3u);
  EXPECT_EQ(stats.errors.at("UNAVAILABLE"), 1u);
  EXPECT_EQ(sink.sequences(kShard), SequencesOf(0, 3));
}

TEST(ShardReaderTest, EmptyReadsBackOffInsteadOfSpinning) {
  FakeStreamSource source;
  source.AddShard(kShard);
  RecordingSink sink;
  ShardReaderOptions options = testing::FastReaderOptions();
  options.empty_backoff_initial = absl::Milliseconds(20);
  options.empty_backoff_max = absl::Milliseconds(40);
  ReaderRun run(source, sink, {}, options);
  absl::SleepFor(absl::Milliseconds(400));
  run.Stop();
  const int calls = source.get_records_calls(kShard);
  // Waits of 20, 40, 40, ... ms: about 10 reads in 400 ms.
  EXPECT_GE(calls, 4);
  EXPECT_LE(calls, 14);
  EXPECT_EQ(run.reader().stats().empty_polls, static_cast<uint64_t>(calls));
  EXPECT_TRUE(run.reader().stats().caught_up);
  EXPECT_EQ(run.reader().stats().Lag(absl::Now()), absl::ZeroDuration());
}

TEST(ShardReaderTest, AnOpenShardKeepsPollingAndSeesNewRecords) {
  FakeStreamSource source;
  source.AddShard(kShard);
  RecordingSink sink;
  ReaderRun run(source, sink);
  absl::SleepFor(absl::Milliseconds(50));
  source.Append(kShard, 2);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 2; }));
  absl::SleepFor(absl::Milliseconds(20));
  source.Append(kShard, 1);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 3; }));
  // The reader counts a batch as applied after the sink returns.
  ASSERT_TRUE(Eventually([&] { return run.reader().stats().records_applied == 3; }));
  ShardStats stats = run.reader().stats();
  EXPECT_EQ(stats.records_read, 3u);
  EXPECT_EQ(stats.records_applied, 3u);
  EXPECT_EQ(stats.last_sequence_number, testing::Seq(102));
  ASSERT_TRUE(stats.last_record_time.has_value());
  EXPECT_FALSE(run.done());
}

TEST(ShardReaderTest, RecordsBehindAndLagWhileTheSinkFails) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Append(kShard, 7);
  RecordingSink sink;
  sink.FailNext(1000000);
  ReaderRun run(source, sink, ShardCheckpoint{testing::Seq(100), false});
  ASSERT_TRUE(Eventually([&] { return run.reader().stats().sink_errors >= 2; }));
  ShardStats stats = run.reader().stats();
  EXPECT_EQ(stats.records_read, 6u);
  EXPECT_EQ(stats.records_behind, 6u);
  EXPECT_EQ(stats.records_applied, 0u);
  absl::SleepFor(absl::Milliseconds(5));
  EXPECT_GT(stats.Lag(absl::Now()), absl::ZeroDuration());
  sink.FailNext(0);
  ASSERT_TRUE(Eventually([&] { return sink.record_count() == 6; }));
  ASSERT_TRUE(Eventually([&] { return run.reader().stats().records_behind == 0; }));
}

TEST(ShardReaderTest, AShortPageIsNotCaughtUp) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Append(kShard, 10);
  source.set_max_page_records(3);  // what a 1 MB cap does to a Limit of 1000
  source.set_get_records_delay(absl::Milliseconds(200));
  absl::SleepFor(absl::Milliseconds(5));  // the records are a little old
  RecordingSink sink;
  ReaderRun run(source, sink);
  ASSERT_TRUE(Eventually([&] { return run.reader().stats().records_applied == 3; }));
  ShardStats stats = run.reader().stats();
  EXPECT_FALSE(stats.caught_up) << "3 records of a Limit of 1000, but 7 more wait";
  EXPECT_FALSE(stats.reached_end);
  EXPECT_GE(stats.Lag(absl::Now()), absl::Milliseconds(5)) << "lag counts from the last record";
  // Only the empty page after the last record proves the end.
  ASSERT_TRUE(Eventually([&] { return run.reader().stats().caught_up; }));
  stats = run.reader().stats();
  EXPECT_EQ(stats.records_applied, 10u);
  EXPECT_TRUE(stats.reached_end);
  EXPECT_EQ(stats.Lag(absl::Now()), absl::ZeroDuration());
}

// An empty page of a closed shard that has a next iterator is a stretch of
// the shard without records, not its end (a re-sync's replay from
// TRIM_HORIZON would otherwise swap in its index before the records written
// during its scan were applied); an open shard's empty page is its end.
TEST(ShardReaderTest, AnEmptyPageEndsAnOpenShardButNotAClosedOne) {
  for (bool closed : {true, false}) {
    SCOPED_TRACE(closed);
    FakeStreamSource source;
    source.AddShard(kShard);
    source.Append(kShard, 4);
    if (closed) source.Close(kShard);
    source.AddEmptyPages(kShard, 3);
    source.set_get_records_delay(absl::Milliseconds(50));
    RecordingSink sink;
    ReaderRun run(source, sink, {}, testing::FastReaderOptions(), closed);
    ASSERT_TRUE(Eventually([&] { return run.reader().stats().empty_polls >= 1; }));
    ShardStats stats = run.reader().stats();
    EXPECT_EQ(stats.records_applied, 0u);
    EXPECT_EQ(stats.caught_up, !closed);
    EXPECT_EQ(stats.reached_end, !closed);
    ASSERT_TRUE(Eventually([&] { return sink.record_count() == 4; }));
    if (closed) {
      ASSERT_TRUE(Eventually([&] { return run.reader().stats().finished; }));
      EXPECT_TRUE(run.reader().stats().reached_end);
    }
  }
}

TEST(ShardReaderTest, ARecordAfterTheReferenceTimeIsCaughtUp) {
  for (bool reference_passed : {true, false}) {
    SCOPED_TRACE(reference_passed);
    FakeStreamSource source;
    source.AddShard(kShard);
    ShardReaderOptions options = testing::FastReaderOptions();
    options.caught_up_reference =
        absl::Now() + (reference_passed ? -absl::Hours(1) : absl::Hours(1));
    source.Append(kShard, 10);
    source.set_max_page_records(3);
    source.set_get_records_delay(absl::Milliseconds(200));
    RecordingSink sink;
    ReaderRun run(source, sink, {}, options);
    ASSERT_TRUE(Eventually([&] { return run.reader().stats().records_applied == 3; }));
    ShardStats stats = run.reader().stats();
    EXPECT_EQ(stats.caught_up, reference_passed);
    EXPECT_EQ(stats.reached_end, reference_passed);
  }
}

TEST(ShardReaderTest, ReadErrorsAreReportedAndFlaggedForLoggingAtMostOncePerInterval) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Append(kShard, 2);
  source.FailNext(Op::kGetRecords, testing::AwsErrorStatus("AccessDeniedException"), 1000000);
  std::atomic<int64_t> skew_minutes{0};
  absl::Mutex mu;
  std::vector<ShardReadError> errors;
  ShardReaderOptions options = SkewedOptions(skew_minutes);
  options.error_log_interval = absl::Minutes(1);
  options.on_read_error = [&](const ShardReadError& error) {
    absl::MutexLock lock(&mu);
    errors.push_back(error);
  };
  auto reported = [&] {
    absl::MutexLock lock(&mu);
    return errors;
  };
  auto logged = [&] {
    std::vector<ShardReadError> flagged;
    for (const ShardReadError& e : reported()) {
      if (e.log) flagged.push_back(e);
    }
    return flagged;
  };
  RecordingSink sink;
  ReaderRun run(source, sink, {}, options);
  ASSERT_TRUE(Eventually([&] { return reported().size() >= 5; }));
  std::vector<ShardReadError> flagged = logged();
  ASSERT_EQ(flagged.size(), 1u) << "the first error only, within the interval";
  EXPECT_EQ(flagged[0].shard_id, kShard);
  EXPECT_EQ(flagged[0].operation, "GetRecords");
  EXPECT_EQ(flagged[0].code, "AccessDeniedException");
  EXPECT_FALSE(flagged[0].retryable);
  EXPECT_EQ(flagged[0].suppressed, 0u);
  EXPECT_TRUE(reported().front().log);

  skew_minutes = 2;  // past the interval: the next error is flagged again
  ASSERT_TRUE(Eventually([&] { return logged().size() == 2; }));
  EXPECT_GE(logged()[1].suppressed, 4u);
  EXPECT_GE(run.reader().stats().errors.at("AccessDeniedException"), 5u);
  EXPECT_EQ(sink.record_count(), 0u) << "still retrying, nothing read";
  EXPECT_FALSE(run.done()) << "a permanent error is retried (credentials may be fixed)";
}

TEST(ShardReaderTest, RetryableAndPermanentErrorsAreTold) {
  EXPECT_FALSE(IsPermanentReadError(testing::AwsErrorStatus("ThrottlingException")));
  EXPECT_FALSE(IsPermanentReadError(testing::AwsErrorStatus("InternalServerError", 500)));
  EXPECT_FALSE(IsPermanentReadError(absl::UnavailableError("connection reset")));
  for (const char* type :
       {"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
        "ValidationException", "ResourceNotFoundException"}) {
    EXPECT_TRUE(IsPermanentReadError(testing::AwsErrorStatus(type))) << type;
  }
}

TEST(ShardReaderTest, LagGrowsWhileReadsFailAfterCatchingUp) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.Append(kShard, 2);
  RecordingSink sink;
  ReaderRun run(source, sink);
  ASSERT_TRUE(Eventually([&] { return run.reader().stats().caught_up; }));
  EXPECT_EQ(run.reader().stats().Lag(absl::Now()), absl::ZeroDuration());
  source.FailNext(Op::kGetRecords, testing::AwsErrorStatus("AccessDeniedException"), 1000000);
  ASSERT_TRUE(Eventually([&] { return run.reader().stats().error_streak > 0; }));
  absl::SleepFor(absl::Milliseconds(50));
  ShardStats stats = run.reader().stats();
  EXPECT_FALSE(stats.caught_up) << "a reader that cannot read is not caught up";
  ASSERT_TRUE(stats.last_read_time.has_value());
  EXPECT_GE(stats.Lag(absl::Now()), absl::Milliseconds(50));
  EXPECT_EQ(dynamodb::ErrorTypeOf(stats.last_error), "AccessDeniedException");
}

TEST(ShardReaderTest, LagCountsFromTheStartWhenNoReadEverSucceeded) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.FailNext(Op::kGetShardIterator, testing::AwsErrorStatus("UnrecognizedClientException"),
                  1000000);
  RecordingSink sink;
  ReaderRun run(source, sink);
  ASSERT_TRUE(Eventually([&] { return run.reader().stats().error_streak > 1; }));
  absl::SleepFor(absl::Milliseconds(50));
  ShardStats stats = run.reader().stats();
  EXPECT_FALSE(stats.last_read_time.has_value());
  EXPECT_GE(stats.Lag(absl::Now()), absl::Milliseconds(50));
}

TEST(ShardReaderTest, AShardIsRecordedAsOpenedBeforeItIsRead) {
  FakeStreamSource source;
  source.AddShard(kShard);
  source.FailNext(Op::kGetShardIterator, testing::AwsErrorStatus("AccessDeniedException"), 1000000);
  RecordingSink sink;
  ReaderRun run(source, sink);
  ASSERT_TRUE(Eventually([&] { return !sink.batches().empty(); }));
  const ShardBatch opened = sink.batches()[0];
  EXPECT_THAT(opened.records, IsEmpty());
  EXPECT_FALSE(opened.shard_finished);
  EXPECT_TRUE(opened.progress.has_value());
  const StreamCheckpoints stored = sink.checkpoints().at(kTestStreamArn);
  EXPECT_EQ(stored.shards.at(kShard), ShardCheckpoint{});
  EXPECT_TRUE(stored.progress.has_value());
}

TEST(ShardReaderTest, ACaughtUpShardRecordsItsProgressPeriodically) {
  FakeStreamSource source;
  source.AddShard(kShard);
  const std::string second = source.Append(kShard, 2);
  std::atomic<int64_t> skew_minutes{0};
  ShardReaderOptions options = SkewedOptions(skew_minutes);
  options.progress_interval = absl::Minutes(10);
  RecordingSink sink;
  ReaderRun run(source, sink, ShardCheckpoint{second, false}, options);
  // Resumed from a checkpoint: the first empty poll records progress.
  ASSERT_TRUE(Eventually([&] { return sink.batches().size() == 1; }));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(sink.batches().size(), 1u) << "not again within the interval";
  skew_minutes = 11;
  ASSERT_TRUE(Eventually([&] { return sink.batches().size() == 2; }));
  const ShardBatch heartbeat = sink.batches()[1];
  EXPECT_THAT(heartbeat.records, IsEmpty());
  EXPECT_EQ(heartbeat.last_sequence_number, second) << "the checkpoint does not move";
  ASSERT_TRUE(heartbeat.progress.has_value());
  EXPECT_GE(*heartbeat.progress, absl::Now() + absl::Minutes(10));
}

TEST(ShardReaderTest, StopEndsLongWaitsAtOnce) {
  FakeStreamSource source;
  source.AddShard(kShard);
  ShardReaderOptions options;  // the defaults, not the fast ones
  options.error_backoff_initial = absl::Minutes(1);
  options.error_backoff_max = absl::Minutes(1);
  options.empty_backoff_initial = absl::Minutes(1);
  options.empty_backoff_max = absl::Minutes(1);
  {
    RecordingSink sink;
    ReaderRun idle(source, sink, {}, options);
    ASSERT_TRUE(Eventually([&] { return source.get_records_calls(kShard) == 1; }));
    absl::SleepFor(absl::Milliseconds(20));
    EXPECT_LT(idle.Stop(), absl::Milliseconds(200));
  }
  {
    source.Append(kShard, 1);
    RecordingSink failing;
    failing.FailNext(1000);
    ReaderRun retrying(source, failing, {}, options);
    ASSERT_TRUE(Eventually([&] { return failing.apply_calls() == 1; }));
    absl::SleepFor(absl::Milliseconds(20));
    EXPECT_LT(retrying.Stop(), absl::Milliseconds(200));
    EXPECT_EQ(retrying.Join().outcome, ShardReadOutcome::kStopped);
  }
}

TEST(ShardReaderTest, OptionsAreValidated) {
  EXPECT_TRUE(ValidateShardReaderOptions(ShardReaderOptions()).ok());
  ShardReaderOptions options;
  options.records_limit = 1001;
  EXPECT_THAT(ValidateShardReaderOptions(options).message(), ::testing::HasSubstr("records_limit"));
  options = ShardReaderOptions();
  options.iterator_refresh_after = absl::Minutes(15);
  EXPECT_THAT(ValidateShardReaderOptions(options).message(),
              ::testing::HasSubstr("iterator_refresh_after"));
  options = ShardReaderOptions();
  options.max_batch_records = 999;  // under records_limit
  EXPECT_THAT(ValidateShardReaderOptions(options).message(),
              ::testing::HasSubstr("max_batch_records: 999 is not in 1000..10000"));
  options.max_batch_records = 10001;
  EXPECT_THAT(ValidateShardReaderOptions(options).message(),
              ::testing::HasSubstr("max_batch_records"));
  options = ShardReaderOptions();
  options.empty_backoff_max = absl::ZeroDuration();
  EXPECT_THAT(ValidateShardReaderOptions(options).message(),
              ::testing::HasSubstr("empty_backoff_max"));
}

TEST(ShardReaderTest, CheckpointEntriesFollowTheBatch) {
  ShardBatch batch{kTestStreamArn, kShard, {}, testing::Seq(5), true, std::nullopt, nullptr};
  absl::StatusOr<MetadataEntries> entries = CheckpointEntries(batch);
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::map<std::string, std::string> metadata(entries->begin(), entries->end());
  absl::StatusOr<StoredCheckpoints> stored = DecodeCheckpoints(metadata);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->at(kTestStreamArn).shards.at(kShard), (ShardCheckpoint{testing::Seq(5), true}));
}

}  // namespace
}  // namespace inkdex::stream
