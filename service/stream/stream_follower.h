// StreamFollower: follows a DynamoDB stream into a StreamSink, shard by
// shard, in lineage order, from stored checkpoints, until stopped or until
// only a re-sync can keep the index equal to the table.
//
// On Start it checks the stored checkpoints against the stream ARN
// (CheckStreamArn: a re-enabled stream has a new ARN and the old records are
// gone), then, on its own coordinator thread: DescribeStream (every page)
// at once and every `describe_interval`, and immediately again whenever a
// shard finishes (so its children start without waiting); PlanShards
// (shard_lineage.h) on the description and the checkpoints; one ShardReader
// thread (shard_reader.h) per readable shard that has none: never two
// readers for one shard. Finished shards are remembered (in memory for this
// run, in the sink's checkpoints across runs) and never read again; finished
// shards no longer described are forgotten through StreamSink::ForgetShards.
// Describe errors are counted and retried (backoff from 200 ms doubling up
// to describe_interval).
//
// Re-sync needed (the follower stops reading, every reader stops, and
// on_resync_needed is called once with the reason; resync_reason() keeps
// it): TrimmedDataAccessException from a reader (its checkpoint is older than
// the 24-hour retention), a ResourceNotFoundException (the stream or a shard
// is gone), an unfinished checkpointed shard no longer described (trimmed
// before it was read to its end), or the stream ARN changed (stored
// checkpoints of another stream only; or `current_stream_arn`, asked before
// each describe, answering another ARN).
//
// Defaults (StreamFollowerOptions, ShardReaderOptions): describe every 10 s;
// GetRecords of 1000; empty reads wait 50 ms doubling to 500 ms (an idle
// shard is polled twice a second, keeping freshness well under a second);
// errors and sink failures wait 100 ms doubling to 5 s; iterators are
// replaced after 10 minutes (they expire at 15).
//
// Stop is prompt: every wait ends at once; what is in flight (one HTTP call
// of each reader, including the client's own retries, and one sink Apply)
// completes first. Configure the StreamsClient with a short request timeout
// and few attempts for a faster Stop.
//
// Thread safety: Start, Stop, running, resync_reason and stats may be called
// from any thread (Start and Stop are idempotent). on_resync_needed runs on
// the coordinator thread and must not call Start or Stop on this follower
// (it would wait for itself); hand the re-sync to another thread.
// Ownership: borrows the source and the sink, which must outlive the
// follower (its destructor stops it).
#ifndef INKDEX_SERVICE_STREAM_STREAM_FOLLOWER_H_
#define INKDEX_SERVICE_STREAM_STREAM_FOLLOWER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "stream/shard_checkpoints.h"
#include "stream/shard_reader.h"
#include "stream/stream_source.h"

namespace inkdex::stream {

enum class ResyncCause {
  kTrimmedData,       // TrimmedDataAccessException: a checkpoint past retention
  kShardTrimmed,      // an unfinished checkpointed shard is no longer described
  kStreamNotFound,    // ResourceNotFoundException: the stream (or a shard) is gone
  kStreamArnChanged,  // the table's stream was re-enabled with a new ARN
};

const char* ResyncCauseName(ResyncCause cause);

struct ResyncReason {
  ResyncCause cause = ResyncCause::kTrimmedData;
  std::string detail;  // the error or the shards/ARNs concerned
};

struct StreamFollowerOptions {
  std::string stream_arn;  // required: the table's current stream
  absl::Duration describe_interval = absl::Seconds(10);
  ShardReaderOptions reader;
  // The table's current stream ARN (e.g. DescribeTable's LatestStreamArn),
  // asked before each describe; errors are counted, not fatal. Optional.
  std::function<absl::StatusOr<std::string>()> current_stream_arn;
  std::function<void(const ResyncReason&)> on_resync_needed;  // optional
};

struct FollowerStats {
  std::string stream_arn;
  std::string stream_status;  // from the last DescribeStream ("ENABLED", ...)
  bool running = false;
  uint64_t describes = 0;
  // Failed DescribeStream and current_stream_arn calls, by AWS error type
  // (else status code name).
  std::map<std::string, uint64_t> describe_errors;
  size_t shards_waiting = 0;  // described shards whose parent is not finished
  std::optional<ResyncReason> resync;
  // By shard id: the shards being read and those finished in this run
  // (until forgotten); after the run ended, the last stats of every reader.
  std::vector<ShardStats> shards;
};

class StreamFollower {
 public:
  // The options are checked by Start.
  StreamFollower(StreamSource& source, StreamSink& sink, StreamFollowerOptions options);
  ~StreamFollower();
  StreamFollower(const StreamFollower&) = delete;
  StreamFollower& operator=(const StreamFollower&) = delete;

  // Starts following from `stored` (DecodeCheckpoints of the index's
  // metadata; the checkpoints of options.stream_arn are used, the others
  // only show a changed ARN). OK at once when already running; InvalidArgument
  // naming the option when one is bad. A re-sync found at the start is
  // reported like any other (callback, resync_reason), not by this status.
  absl::Status Start(const StoredCheckpoints& stored);
  // Stops every reader and waits for them (see "Stop is prompt"). A no-op
  // when not running.
  void Stop();

  // Started and neither stopped nor ended by a re-sync.
  bool running() const;
  std::optional<ResyncReason> resync_reason() const;
  FollowerStats stats() const;

 private:
  struct ReaderSlot;

  // The coordinator thread: describes, starts and reaps readers, shuts down.
  void Coordinate();
  // One describe and what follows from it; sets resync_ when needed.
  absl::Status DescribeAndPlan();
  void StartReader(const dynamodb::Shard& shard) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReaderDone(const std::string& shard_id, const ShardReadResult& result);
  // Joins readers that ended (finished shards; any once stopping) and keeps
  // their last stats.
  void ReapReaders();
  void RequestResync(ResyncCause cause, std::string detail) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CountDescribeError(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  StreamSource& source_;
  StreamSink& sink_;
  const StreamFollowerOptions options_;

  // Serializes Start and Stop.
  absl::Mutex lifecycle_mu_;
  std::thread coordinator_ ABSL_GUARDED_BY(lifecycle_mu_);

  mutable absl::Mutex mu_;
  // The current run's; replaced by each Start.
  std::shared_ptr<StopSignal> stop_ ABSL_GUARDED_BY(mu_);
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Wakes the coordinator early (a shard finished, a re-sync).
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<ResyncReason> resync_ ABSL_GUARDED_BY(mu_);
  StreamCheckpoints checkpoints_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<ReaderSlot>> readers_ ABSL_GUARDED_BY(mu_);
  // The last stats of readers that ended: finished shards (until forgotten),
  // and every reader once the run ended.
  std::map<std::string, ShardStats> ended_stats_ ABSL_GUARDED_BY(mu_);
  std::string stream_status_ ABSL_GUARDED_BY(mu_);
  uint64_t describes_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, uint64_t> describe_errors_ ABSL_GUARDED_BY(mu_);
  size_t shards_waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_STREAM_FOLLOWER_H_
