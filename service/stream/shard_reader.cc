#include "stream/shard_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dynamodb/aws_error.h"

namespace inkdex::stream {
namespace {

// initial * 2^(attempt-1), capped; attempt >= 1.
absl::Duration Backoff(absl::Duration initial, absl::Duration max, int attempt) {
  absl::Duration delay = initial;
  for (int i = 1; i < attempt && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

bool IsExpiredIterator(const absl::Status& status) {
  return dynamodb::ErrorTypeOf(status) == "ExpiredIteratorException";
}

// Records are gone for good (trimmed) or the stream is: only a re-sync helps.
bool NeedsResync(const absl::Status& status) {
  return absl::IsOutOfRange(status) || absl::IsNotFound(status);
}

std::string ErrorCode(const absl::Status& status) {
  std::string type = dynamodb::ErrorTypeOf(status);
  return type.empty() ? absl::StatusCodeToString(status.code()) : type;
}

}  // namespace

bool IsPermanentReadError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
      return true;
    default:
      return false;
  }
}

ShardCheckpoint CheckpointAfter(const ShardBatch& batch) {
  return ShardCheckpoint{batch.last_sequence_number, batch.shard_finished};
}

absl::StatusOr<MetadataEntries> CheckpointEntries(const ShardBatch& batch) {
  return EncodeShardCheckpoint(batch.stream_arn, batch.shard_id, CheckpointAfter(batch),
                               batch.progress);
}

void StreamSink::Prepare(ShardBatch&) {}

absl::Status StreamSink::ForgetShards(const std::string&, const std::vector<std::string>&) {
  return absl::OkStatus();
}

void StopSignal::Raise() {
  absl::MutexLock lock(&mu_);
  raised_ = true;
}

bool StopSignal::raised() const {
  absl::MutexLock lock(&mu_);
  return raised_;
}

bool StopSignal::WaitFor(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&raised_), timeout);
  return raised_;
}

absl::Status ValidateShardReaderOptions(const ShardReaderOptions& options) {
  if (options.records_limit < 1 || options.records_limit > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("shard reader: records_limit: ", options.records_limit, " is not in 1..1000"));
  }
  if (options.max_batch_records < options.records_limit || options.max_batch_records > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("shard reader: max_batch_records: ", options.max_batch_records, " is not in ",
                     options.records_limit, "..10000"));
  }
  for (auto [name, value] : {std::pair{"empty_backoff_initial", options.empty_backoff_initial},
                             std::pair{"empty_backoff_max", options.empty_backoff_max},
                             std::pair{"error_backoff_initial", options.error_backoff_initial},
                             std::pair{"error_backoff_max", options.error_backoff_max},
                             std::pair{"progress_interval", options.progress_interval},
                             std::pair{"iterator_refresh_after", options.iterator_refresh_after}}) {
    if (value <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "shard reader: ", name, ": ", absl::FormatDuration(value), " is not positive"));
    }
  }
  if (options.error_log_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shard reader: error_log_interval: ", absl::FormatDuration(options.error_log_interval),
        " is negative"));
  }
  if (options.iterator_refresh_after >= absl::Minutes(15)) {
    return absl::InvalidArgumentError(
        absl::StrCat("shard reader: iterator_refresh_after: ",
                     absl::FormatDuration(options.iterator_refresh_after),
                     " is not under the 15 minutes after which iterators expire"));
  }
  return absl::OkStatus();
}

absl::Duration ShardStats::Lag(absl::Time now) const {
  absl::Duration lag = absl::ZeroDuration();
  if (oldest_pending_record_time) {
    lag = now - *oldest_pending_record_time;
  } else if (!caught_up && last_record_time) {
    lag = now - *last_record_time;
  }
  if (error_streak > 0) lag = std::max(lag, now - last_read_time.value_or(started));
  return std::max(absl::ZeroDuration(), lag);
}

ShardReader::ShardReader(StreamSource& source, StreamSink& sink, std::string stream_arn,
                         dynamodb::Shard shard, ShardCheckpoint start, ShardReaderOptions options,
                         const StopSignal& stop)
    : source_(source),
      sink_(sink),
      stream_arn_(std::move(stream_arn)),
      shard_(std::move(shard)),
      options_(std::move(options)),
      stop_(stop),
      checkpoint_(std::move(start)) {
  stats_.shard_id = shard_.shard_id;
  stats_.parent_shard_id = shard_.parent_shard_id;
  stats_.closed = shard_.closed();
  stats_.last_sequence_number = checkpoint_.sequence_number;
}

absl::Time ShardReader::Now() const { return options_.now ? options_.now() : absl::Now(); }

ShardStats ShardReader::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

ShardCheckpoint ShardReader::checkpoint() const {
  absl::MutexLock lock(&mu_);
  return checkpoint_;
}

void ShardReader::ReportError(const char* operation, const absl::Status& status, bool ends_reader) {
  ShardReadError error;
  error.shard_id = shard_.shard_id;
  error.operation = operation;
  error.code = ErrorCode(status);
  error.status = status;
  error.retryable = !IsPermanentReadError(status);
  const bool routine = IsExpiredIterator(status);
  {
    absl::MutexLock lock(&mu_);
    ++stats_.errors[error.code];
    if (!routine) {
      ++stats_.error_streak;
      stats_.last_error = status;
      stats_.caught_up = false;
    }
  }
  if (!routine && !ends_reader) {
    const absl::Time now = Now();
    if (!last_logged_error_ || now - *last_logged_error_ >= options_.error_log_interval) {
      error.log = true;
      error.suppressed = suppressed_errors_;
      last_logged_error_ = now;
      suppressed_errors_ = 0;
    } else {
      ++suppressed_errors_;
    }
  }
  if (options_.on_read_error) options_.on_read_error(error);
}

absl::StatusOr<std::string> ShardReader::AcquireIterator() {
  std::string after;
  {
    absl::MutexLock lock(&mu_);
    after = checkpoint_.sequence_number;
  }
  if (after.empty()) {
    return source_.GetShardIterator(stream_arn_, shard_.shard_id,
                                    dynamodb::ShardIteratorType::kTrimHorizon, "");
  }
  return source_.GetShardIterator(stream_arn_, shard_.shard_id,
                                  dynamodb::ShardIteratorType::kAfterSequenceNumber, after);
}

bool ShardReader::ApplyUntilCommitted(const ShardBatch& batch) {
  for (int attempt = 1;; ++attempt) {
    absl::Status status = sink_.Apply(batch);
    if (status.ok()) {
      last_commit_ = Now();
      return true;
    }
    {
      absl::MutexLock lock(&mu_);
      ++stats_.sink_errors;
    }
    if (stop_.WaitFor(
            Backoff(options_.error_backoff_initial, options_.error_backoff_max, attempt))) {
      return false;
    }
  }
}

bool ShardReader::CommitProgress() {
  ShardBatch batch;
  batch.stream_arn = stream_arn_;
  batch.shard_id = shard_.shard_id;
  batch.progress = Now();
  {
    absl::MutexLock lock(&mu_);
    batch.last_sequence_number = checkpoint_.sequence_number;
  }
  return ApplyUntilCommitted(batch);
}

bool ShardReader::ApplyBatch(ShardBatch batch) {
  const size_t count = batch.records.size();
  std::optional<absl::Time> last_time =
      count > 0 ? batch.records.back().approximate_creation_time : std::nullopt;
  const bool finished = batch.shard_finished;
  if (!ApplyUntilCommitted(batch)) return false;
  absl::MutexLock lock(&mu_);
  checkpoint_ = CheckpointAfter(batch);
  stats_.last_sequence_number = checkpoint_.sequence_number;
  stats_.records_applied += count;
  ++stats_.batches_applied;
  applying_records_ = 0;
  applying_oldest_.reset();
  UpdatePendingLocked();
  if (last_time) stats_.last_record_time = last_time;
  // Only an empty page (Run), the reference time or the shard's end
  // prove there is nothing more: a short page does not (see the header).
  stats_.caught_up = finished || (options_.caught_up_reference && stats_.last_record_time &&
                                  *stats_.last_record_time >= *options_.caught_up_reference);
  stats_.reached_end = stats_.reached_end || stats_.caught_up;
  if (finished) stats_.finished = true;
  return true;
}

void ShardReader::SetHeld(const std::vector<dynamodb::StreamRecord>& held) {
  absl::MutexLock lock(&mu_);
  held_records_ = held.size();
  held_oldest_ = held.empty() ? std::nullopt : held.front().approximate_creation_time;
  UpdatePendingLocked();
}

void ShardReader::UpdatePendingLocked() {
  stats_.records_behind = applying_records_ + held_records_;
  stats_.oldest_pending_record_time = applying_oldest_ ? applying_oldest_ : held_oldest_;
}

bool ShardReader::StartApply(std::vector<dynamodb::StreamRecord> records, bool finished,
                             absl::Time read_time) {
  ShardBatch batch;
  batch.stream_arn = stream_arn_;
  batch.shard_id = shard_.shard_id;
  batch.shard_finished = finished;
  batch.progress = read_time;
  batch.records = std::move(records);
  // While the batch in flight (if any) commits.
  sink_.Prepare(batch);
  if (!ahead_.Await()) return false;
  {
    absl::MutexLock lock(&mu_);
    // A final batch without records keeps the checkpoint, current now that
    // nothing is in flight.
    batch.last_sequence_number =
        batch.records.empty() ? checkpoint_.sequence_number : batch.records.back().sequence_number;
    // Run hands every held record over with each batch.
    applying_records_ = batch.records.size();
    applying_oldest_ =
        batch.records.empty() ? std::nullopt : batch.records.front().approximate_creation_time;
    held_records_ = 0;
    held_oldest_.reset();
    UpdatePendingLocked();
  }
  if (!options_.read_ahead) return ApplyBatch(std::move(batch));
  return ahead_.Start(
      [this, batch = std::move(batch)]() mutable { return ApplyBatch(std::move(batch)); });
}

bool ShardReader::AwaitApplied() { return ahead_.Await(); }

ShardReadResult ShardReader::Run() {
  std::optional<std::string> iterator;
  absl::Time iterator_time;
  bool acquired_once = false;
  int empty_streak = 0;
  int error_streak = 0;
  bool opened = false;
  {
    absl::MutexLock lock(&mu_);
    stats_.started = Now();
    opened = checkpoint_.sequence_number.empty();
  }
  if (opened && !CommitProgress()) return {ShardReadOutcome::kStopped, absl::OkStatus()};
  auto wait_after_error = [&](const char* operation, const absl::Status& status) {
    ReportError(operation, status, /*ends_reader=*/false);
    return stop_.WaitFor(
        Backoff(options_.error_backoff_initial, options_.error_backoff_max, ++error_streak));
  };
  // Records of full pages read on (see ShardReaderOptions::max_batch_records
  // and read_ahead), not yet handed to the sink; the iterator is past them.
  std::vector<dynamodb::StreamRecord> held;
  absl::Time held_read_time;
  // Everything read goes to the sink and is committed before anything else
  // happens: a failing or re-acquired read must not keep records waiting,
  // nor read them again, and an iterator is acquired after the checkpoint.
  auto apply_all = [&] {
    if (!held.empty() && !StartApply(std::exchange(held, {}), /*finished=*/false, held_read_time)) {
      return false;
    }
    return AwaitApplied();
  };

  while (!stop_.raised()) {
    if (!iterator || Now() - iterator_time >= options_.iterator_refresh_after) {
      if (!apply_all()) break;
      absl::StatusOr<std::string> acquired = AcquireIterator();
      if (!acquired.ok()) {
        if (NeedsResync(acquired.status())) {
          ReportError("GetShardIterator", acquired.status(), /*ends_reader=*/true);
          return {ShardReadOutcome::kResyncNeeded, acquired.status()};
        }
        if (wait_after_error("GetShardIterator", acquired.status())) break;
        continue;
      }
      if (acquired_once) {
        absl::MutexLock lock(&mu_);
        ++stats_.iterator_refreshes;
      }
      acquired_once = true;
      iterator = *std::move(acquired);
      iterator_time = Now();
    }

    // Whether a batch was committing while this page was read: records
    // written meanwhile may have missed the page.
    const bool read_during_commit = !ahead_.idle();
    absl::StatusOr<dynamodb::RecordsPage> page =
        source_.GetRecords(*iterator, options_.records_limit);
    const absl::Time read_time = Now();
    if (!page.ok()) {
      if (!apply_all()) break;
      if (IsExpiredIterator(page.status())) {
        // Re-acquired after the last applied record at the top of the loop.
        ReportError("GetRecords", page.status(), /*ends_reader=*/false);
        iterator.reset();
        continue;
      }
      if (NeedsResync(page.status())) {
        ReportError("GetRecords", page.status(), /*ends_reader=*/true);
        return {ShardReadOutcome::kResyncNeeded, page.status()};
      }
      if (wait_after_error("GetRecords", page.status())) break;
      continue;
    }
    error_streak = 0;
    const bool finished = !page->next_shard_iterator.has_value();
    const size_t read = page->records.size();
    {
      absl::MutexLock lock(&mu_);
      stats_.error_streak = 0;
      stats_.last_read_time = read_time;
      stats_.records_read += read;
    }
    // A full page: the shard likely holds more right behind it (the reader
    // is catching up). Read on and apply the pages together, one commit for
    // up to max_batch_records: each commit has a fixed cost (the search
    // index's flush, a synced write) that dominates a page's.
    if (!finished && static_cast<int>(read) == options_.records_limit &&
        held.size() + 2 * read <= static_cast<size_t>(options_.max_batch_records)) {
      held_read_time = read_time;  // the progress of the pages held
      held.insert(held.end(), std::make_move_iterator(page->records.begin()),
                  std::make_move_iterator(page->records.end()));
      SetHeld(held);
      iterator = std::move(page->next_shard_iterator);
      iterator_time = read_time;
      empty_streak = 0;
      // Reading ahead, the held pages wait only while a batch is in flight:
      // an idle sink takes them at once, and the reader reads on.
      if (options_.read_ahead && ahead_.idle() &&
          !StartApply(std::exchange(held, {}), /*finished=*/false, held_read_time)) {
        break;
      }
      continue;
    }
    std::vector<dynamodb::StreamRecord> records = std::exchange(held, {});
    records.insert(records.end(), std::make_move_iterator(page->records.begin()),
                   std::make_move_iterator(page->records.end()));
    const size_t count = records.size();
    if (count > 0) SetHeld(records);  // waiting for the batch in flight (StartApply)
    if (count > 0 || finished) {
      if (!StartApply(std::move(records), finished, read_time)) break;
      if (finished) {
        if (!AwaitApplied()) break;
        return {ShardReadOutcome::kFinished, absl::OkStatus()};
      }
      // A short page: the reader keeps up, and reads on after the commit,
      // as without read ahead (see the header).
      if (static_cast<int>(read) < options_.records_limit && !AwaitApplied()) break;
    }

    iterator = std::move(page->next_shard_iterator);
    iterator_time = read_time;
    if (count > 0) {
      empty_streak = 0;
      continue;
    }
    // The shard is read to its end only once all that was read is applied.
    if (!AwaitApplied()) break;
    {
      absl::MutexLock lock(&mu_);
      ++stats_.empty_polls;
      // A closed shard's end is its last page (no next iterator, above): an
      // empty page before it is only a stretch of the shard without records
      // (DynamoDB returns those, e.g. where old records were trimmed).
      if (!stats_.closed) {
        stats_.caught_up = true;
        stats_.reached_end = true;
      }
    }
    if (Now() - last_commit_ >= options_.progress_interval && !CommitProgress()) break;
    // Read during a commit, the empty page says little about what arrived
    // while it ran: read again at once, as a reader without read ahead
    // would after its commit, instead of backing off (freshness).
    if (read_during_commit) continue;
    if (stop_.WaitFor(
            Backoff(options_.empty_backoff_initial, options_.empty_backoff_max, ++empty_streak))) {
      break;
    }
  }
  // Stopped: the batch in flight ends with its current attempt.
  AwaitApplied();
  return {ShardReadOutcome::kStopped, absl::OkStatus()};
}

}  // namespace inkdex::stream
