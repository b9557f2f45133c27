// ShardReader: reads one shard of a DynamoDB stream, from its checkpoint to
// its end (a closed shard) or for as long as it runs (an open one), handing
// the records in order to a StreamSink that applies them and commits the
// checkpoint. StreamFollower (stream_follower.h) runs one per readable
// shard; this file also defines the sink contract and the stop signal they
// share.
//
// The loop:
//   - A reader starting without a sequence number first commits the shard's
//     "opened" checkpoint (an empty batch), so a shard that vanishes before
//     any record of it was applied is known to be lost (shard_lineage.h).
//   - GetShardIterator TRIM_HORIZON without a checkpoint, else
//     AFTER_SEQUENCE_NUMBER the last applied sequence number. The iterator is
//     re-acquired so (counted as a refresh) when it is older than
//     `iterator_refresh_after` (AWS expires them after 15 minutes, which only
//     matters while a sink keeps failing) and on ExpiredIteratorException.
//   - GetRecords (up to `records_limit`). Records go to the sink as one
//     ShardBatch (the records of consecutive full pages together, up to
//     `max_batch_records`: a reader that is behind commits less often); a
//     sink error retries the SAME batch after a backoff, for as long as the
//     reader runs, so nothing is skipped. Held pages go to the sink before a
//     failed or expired read is handled, so an error never holds them. A page without a next
//     iterator ends a closed shard: its batch (possibly without records)
//     carries shard_finished = true and the reader returns kFinished.
//   - Read ahead (ShardReaderOptions::read_ahead, the default): the sink
//     applies a batch on a thread of the reader's (apply_ahead.h) while Run
//     reads the next pages, so fetching and parsing a page overlap mapping
//     and committing the previous batch. One batch is in flight at a time:
//     full pages are held while it is, and go to the sink as one batch when
//     it is done (or when the held pages reach max_batch_records, which
//     then wait for it), so a batch holds whatever arrived during the
//     previous commit: the slower the commits, the larger the batches.
//     Each batch goes through the sink's Prepare (on Run's thread) before
//     it waits for the one in flight, so preparing overlaps committing.
//     Anything that needs the checkpoint (re-acquiring an iterator after an
//     error or an expiry, a heartbeat) or says the shard is read (an empty
//     page, the end of a closed shard) first waits until every batch read
//     is committed. Only a reader that is behind reads ahead: after a short
//     page (it keeps up) it waits for the commit before its next read, as
//     the records written during a commit are best read right after it (read
//     during it, the page comes back empty and the reader backs off: +50-100
//     ms at p50 in bench/stream/freshness.py). For the same reason an empty
//     page read while a batch was committing is followed by another read at
//     once, not by the empty-page backoff. Caveat: DynamoDB caps a page at
//     1 MB, so a reader behind on large items gets short pages and does not
//     read ahead.
//   - An empty page waits empty_backoff_initial, doubling per consecutive
//     empty page up to empty_backoff_max (an open shard keeps polling).
//     Every batch carries the progress time (shard_checkpoints.h); a caught
//     up shard commits an empty heartbeat batch when its last commit is
//     `progress_interval` old, so an idle stream's progress time stays fresh.
//   - Caught up (ShardStats::caught_up) means the reader has reached the
//     end of what the shard holds: a page of an open shard came back empty,
//     or the last applied record was created at or after
//     `caught_up_reference`, or the shard is closed and read to its end (an
//     empty page of a closed shard that has a next iterator is a stretch
//     without records, such as a trimmed one, not its end). A short page proves nothing:
//     DynamoDB Streams caps pages at 1 MB and may return short (even empty)
//     pages while more records follow, so short non-empty pages leave the
//     shard behind (its lag then counts from its last applied record).
//   - Errors (throttling and 5xx were already retried inside the client)
//     wait error_backoff_initial, doubling up to error_backoff_max, and the
//     reader tries again: it never gives up while running, except on
//     TrimmedDataAccessException (OutOfRange: the checkpoint is older than
//     the shard's 24-hour trim horizon) and ResourceNotFoundException
//     (NotFound: stream or shard gone), which return kResyncNeeded with the
//     error, because records were lost and only a re-sync repairs that.
//     Errors that retrying cannot fix by itself (access denied, bad
//     credentials or signature, validation: IsPermanentReadError) are
//     retried all the same, since an operator may fix the credentials or the
//     policy, but they are reported as such. Every failed call goes to
//     `on_read_error`, flagged for logging the first time and then at most
//     once per `error_log_interval`, so a stalled shard is loud but not
//     noisy; while calls fail the shard is not caught up and its lag grows
//     from its last successful GetRecords.
// Every wait ends at once when the StopSignal is raised; a call already in
// flight (one HTTP request, or one sink Apply) is finished first.
//
// Thread safety: Run is called once, on one thread (which with read_ahead
// starts one more, ended before Run returns); stats() and checkpoint() may be
// called from any thread meanwhile.
// Ownership: borrows the source, the sink and the stop signal, which must
// outlive Run.
#ifndef INKDEX_SERVICE_STREAM_SHARD_READER_H_
#define INKDEX_SERVICE_STREAM_SHARD_READER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "dynamodb/streams_client.h"
#include "stream/apply_ahead.h"
#include "stream/shard_checkpoints.h"
#include "stream/stream_source.h"

namespace inkdex::stream {

// What a sink's Prepare made of a batch's records (StreamApplier: the
// records mapped, stream_applier.h).
struct PreparedRecords;

// Records of one shard, in stream order, to apply together with the
// checkpoint they reach.
struct ShardBatch {
  std::string stream_arn;
  std::string shard_id;
  std::vector<dynamodb::StreamRecord> records;
  // The checkpoint after this batch: the last record's sequence number, or
  // (a final batch without records) the previous checkpoint, possibly empty.
  std::string last_sequence_number;
  // The shard is closed and read to its end: record it as finished.
  bool shard_finished = false;
  // When the reader made the batch: the stream's progress time.
  std::optional<absl::Time> progress;
  // Set by the sink's Prepare, for its Apply; null when not prepared.
  std::shared_ptr<PreparedRecords> prepared;
};

// The checkpoint a batch reaches and its metadata entries
// (shard_checkpoints.h), for the sink to put with WriteBatch::PutMetadata.
ShardCheckpoint CheckpointAfter(const ShardBatch& batch);
absl::StatusOr<MetadataEntries> CheckpointEntries(const ShardBatch& batch);

// Where records go. Called concurrently from the readers of different
// shards (never concurrently for one shard): implementations must be
// thread-safe.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Called on the reader's thread with each batch of records before it goes
  // to Apply, while the shard's previous batch may still be applying (read
  // ahead): work that depends on the records alone (mapping them) belongs
  // here, off the commit's path. May set batch.prepared. The default does
  // nothing.
  virtual void Prepare(ShardBatch& batch);
  // Applies the records and commits the checkpoint (CheckpointEntries)
  // atomically; OK = durable. On error the reader retries the SAME batch
  // after a backoff, so Apply must be idempotent (stream versions make it).
  virtual absl::Status Apply(const ShardBatch& batch) = 0;
  // Drops the checkpoints of finished shards DescribeStream no longer lists
  // (EncodeForgottenShards). Best effort: on error they are offered again
  // after the next describe. The default keeps them.
  virtual absl::Status ForgetShards(const std::string& stream_arn,
                                    const std::vector<std::string>& shard_ids);
};

// A flag that, once raised, ends every wait on it at once.
class StopSignal {
 public:
  void Raise();
  bool raised() const;
  // Waits up to `timeout`; true when raised (before or during the wait).
  bool WaitFor(absl::Duration timeout) const;

 private:
  mutable absl::Mutex mu_;
  bool raised_ ABSL_GUARDED_BY(mu_) = false;
};

// A failed stream call, for logs and metrics (ShardReaderOptions::on_read_error).
struct ShardReadError {
  std::string shard_id;
  std::string operation;  // "GetShardIterator" or "GetRecords"
  // The AWS error type (ErrorTypeOf), or the status code name when the error
  // has none (network errors after the client's retries).
  std::string code;
  absl::Status status;
  // False for errors that retrying alone cannot fix (IsPermanentReadError).
  bool retryable = true;
  // Whether to log it: the first error of the reader, then at most one per
  // error_log_interval. Expired iterators (routine) and errors that end the
  // reader (a re-sync, logged by whoever runs it) are never flagged.
  bool log = false;
  // Errors of this reader not flagged for logging since the last flagged one.
  uint64_t suppressed = 0;
};

// Access denied, unknown or expired credentials, bad signatures, invalid
// requests: errors that repeat until someone changes the configuration.
bool IsPermanentReadError(const absl::Status& status);

struct ShardReaderOptions {
  int records_limit = 1000;  // per GetRecords, 1..1000
  // A full page (records_limit records) says the reader is behind: it reads
  // on and hands the pages to the sink together, up to this many records in
  // one batch (one commit), records_limit..10000. A commit costs about as
  // much as applying 300-600 records (a search index flush and a synced
  // write), so a reader catching up applies 15-40 % more records per second
  // with 5,000 than page by page (bench/stream/ANALYSIS.md). A short or
  // empty page ends the run: a reader that keeps up applies each page at
  // once.
  int max_batch_records = 5000;
  // A reader that is behind (full pages) reads the next pages while the
  // sink applies a batch (see "Read ahead" above): one more thread per
  // reader, and at most one batch more in memory. Off, or after a short
  // page, a reader waits for each commit before its next GetRecords.
  bool read_ahead = true;
  absl::Duration empty_backoff_initial = absl::Milliseconds(50);
  absl::Duration empty_backoff_max = absl::Milliseconds(500);
  absl::Duration error_backoff_initial = absl::Milliseconds(100);
  absl::Duration error_backoff_max = absl::Seconds(5);
  // Iterators expire 15 minutes after GetShardIterator/GetRecords returned
  // them; older ones are replaced before use.
  absl::Duration iterator_refresh_after = absl::Minutes(10);
  // When set, a shard whose last applied record was created at or after it
  // counts as caught up although its last page was not empty (a busy shard
  // never returns one). A re-sync sets it to when its scan finished plus a
  // margin for the creation times' one-second rounding and clock skew.
  std::optional<absl::Time> caught_up_reference;
  // A caught-up shard commits a heartbeat (its unchanged checkpoint with a
  // new progress time) when its last commit is this old.
  absl::Duration progress_interval = absl::Minutes(10);
  // At most one error per reader is flagged for logging per interval.
  absl::Duration error_log_interval = absl::Minutes(1);
  // Sees every failed stream call, on the reader's thread. Optional.
  std::function<void(const ShardReadError&)> on_read_error;
  std::function<absl::Time()> now;  // the clock; absl::Now when empty
};

// InvalidArgument naming the field when an option is out of range.
absl::Status ValidateShardReaderOptions(const ShardReaderOptions& options);

// What a reader did and where it is, for metrics.
struct ShardStats {
  std::string shard_id;
  std::string parent_shard_id;
  bool closed = false;    // the description gave it an ending sequence number
  bool finished = false;  // read to its end and committed
  uint64_t records_read = 0;
  uint64_t records_applied = 0;
  uint64_t batches_applied = 0;
  uint64_t empty_polls = 0;
  uint64_t iterator_refreshes = 0;
  uint64_t sink_errors = 0;
  // Failed stream calls by AWS error type (ErrorTypeOf), or by status code
  // name when the error has none (network errors after the client's retries).
  std::map<std::string, uint64_t> errors;
  std::string last_sequence_number;  // the checkpoint
  // ApproximateCreationDateTime of the last applied record.
  std::optional<absl::Time> last_record_time;
  // The reader is at the end of what the shard holds (see "Caught up"
  // above); false again after a non-empty page or a failed call.
  bool caught_up = false;
  // caught_up was true at least once since Run started: everything written
  // to the shard before that moment has been applied.
  bool reached_end = false;
  // Records behind: the records read but not yet applied (a batch the sink
  // is applying or retrying, and pages held for the next). How many more
  // wait in the shard the API does not say; caught_up is false then.
  uint64_t records_behind = 0;
  // ApproximateCreationDateTime of the oldest record read but not applied.
  std::optional<absl::Time> oldest_pending_record_time;
  // When Run started, and when a GetRecords last succeeded.
  absl::Time started = absl::InfinitePast();
  std::optional<absl::Time> last_read_time;
  // Stream calls failed in a row (0 once one succeeds), and the last error.
  uint64_t error_streak = 0;
  absl::Status last_error;

  // How far the index trails this shard: now minus the creation time of the
  // oldest record not yet applied; else 0 when caught up; else now minus the
  // last applied record's creation time (more records may wait); 0 before
  // any. While calls fail, at least now minus the last successful GetRecords
  // (or the start): a reader that cannot read falls further behind.
  absl::Duration Lag(absl::Time now) const;
};

enum class ShardReadOutcome {
  kStopped,       // the stop signal was raised
  kFinished,      // closed shard read to its end, committed as finished
  kResyncNeeded,  // records were lost (trimmed) or the stream is gone
};

struct ShardReadResult {
  ShardReadOutcome outcome = ShardReadOutcome::kStopped;
  absl::Status error;  // kResyncNeeded: why (OutOfRange or NotFound)
};

class ShardReader {
 public:
  // REQUIRES: ValidateShardReaderOptions(options).ok(); `start` not finished.
  ShardReader(StreamSource& source, StreamSink& sink, std::string stream_arn, dynamodb::Shard shard,
              ShardCheckpoint start, ShardReaderOptions options, const StopSignal& stop);
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;

  // Reads until stopped, finished or a re-sync is needed (see above).
  // REQUIRES: called once.
  ShardReadResult Run();

  ShardStats stats() const;
  // The last committed checkpoint.
  ShardCheckpoint checkpoint() const;

 private:
  absl::StatusOr<std::string> AcquireIterator();
  // Applies until OK (true) or stopped (false).
  bool ApplyUntilCommitted(const ShardBatch& batch);
  // Hands `batch` to the sink, retried until committed, and moves the
  // checkpoint and the stats past it; false when the stop signal ended the
  // retries. Runs on the ApplyAhead thread with read_ahead.
  bool ApplyBatch(ShardBatch batch);
  // Makes `records` (read at `read_time`) a batch and has the sink prepare
  // it, then waits for the batch in flight and starts applying this one
  // (ApplyBatch): in the background with read_ahead, else before it
  // returns. False when stopped (this batch's or an earlier one's retries).
  bool StartApply(std::vector<dynamodb::StreamRecord> records, bool finished, absl::Time read_time);
  // Waits until every batch handed to StartApply is committed; false when
  // stopped.
  bool AwaitApplied();
  // stats_.records_behind and oldest_pending_record_time from the four
  // fields below them.
  void UpdatePendingLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Counts `held` (read, not yet handed to StartApply) as pending.
  void SetHeld(const std::vector<dynamodb::StreamRecord>& held) ABSL_LOCKS_EXCLUDED(mu_);
  // Commits the current checkpoint again with a new progress time (the
  // opened checkpoint, a heartbeat); false when stopped.
  bool CommitProgress();
  // Counts a failed call and reports it (on_read_error); `ends_reader`: the
  // reader returns because of it.
  void ReportError(const char* operation, const absl::Status& status, bool ends_reader);
  absl::Time Now() const;

  StreamSource& source_;
  StreamSink& sink_;
  const std::string stream_arn_;
  const dynamodb::Shard shard_;
  const ShardReaderOptions options_;
  const StopSignal& stop_;

  mutable absl::Mutex mu_;
  ShardCheckpoint checkpoint_ ABSL_GUARDED_BY(mu_);
  ShardStats stats_ ABSL_GUARDED_BY(mu_);
  // What stats_.records_behind counts: the batch in flight and the pages
  // held, with the creation times of their first records.
  uint64_t applying_records_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t held_records_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<absl::Time> applying_oldest_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Time> held_oldest_ ABSL_GUARDED_BY(mu_);

  // When the last batch was committed; written by whichever thread applies,
  // read by Run's after AwaitApplied.
  absl::Time last_commit_ = absl::InfinitePast();
  // Rate limit of the errors flagged for logging; Run's thread only.
  std::optional<absl::Time> last_logged_error_;
  uint64_t suppressed_errors_ = 0;

  // Declared last: destroyed first, so its thread (which uses the members
  // above) ends before they do.
  ApplyAhead ahead_;
};

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_SHARD_READER_H_
