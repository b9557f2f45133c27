#include "server/stream_supervisor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/json_log.h"
#include "server/table_connection.h"
#include "stream/index_generations.h"
#include "stream/shard_checkpoints.h"
#include "stream/stream_applier.h"
#include "stream/stream_source.h"
#include "stream/table_loader.h"

namespace inkdex::server {
namespace {

constexpr absl::Duration kRetryInitial = absl::Seconds(1);
constexpr absl::Duration kRetryMax = absl::Seconds(30);
// How often the control thread looks at a follower (re-sync asked, caught up).
constexpr absl::Duration kPollInterval = absl::Milliseconds(50);
// A replayed shard busy enough never to return an empty page counts as
// caught up once it applied a record created this long after the scan
// ended: ApproximateCreationDateTime is rounded to the second (1 s), and
// this host's clock may differ from AWS's (2 s allowed; NTP keeps EC2 and
// Fargate hosts well within that). Too small a margin only lets the new
// index be swapped in slightly stale; the follower then catches it up.
constexpr absl::Duration kCaughtUpMargin = absl::Seconds(3);

StreamRecordOutcome MetricOutcome(stream::RecordOutcome outcome) {
  switch (outcome) {
    case stream::RecordOutcome::kApplied:
      return StreamRecordOutcome::kApplied;
    case stream::RecordOutcome::kStale:
      return StreamRecordOutcome::kStale;
    case stream::RecordOutcome::kIgnored:
      return StreamRecordOutcome::kIgnored;
    case stream::RecordOutcome::kRejected:
      return StreamRecordOutcome::kRejected;
  }
  return StreamRecordOutcome::kFailed;
}

// Index metadata: the fingerprint of the item mapping the index was built
// and followed with (ItemMapping::Fingerprint). Outside the checkpoints'
// prefix, which DecodeCheckpoints owns.
constexpr char kMappingMetadataKey[] = "inkdex.mapping.fingerprint";

// Every described shard is being read and has reached the end of what the
// stream holds at least once since the replay started (or is finished), and
// none waits for its parent: then everything written before the scan ended
// is applied (ShardStats::reached_end; ShardReaderOptions::caught_up_reference).
bool ReplayCaughtUp(const stream::FollowerStats& stats) {
  if (stats.describes == 0 || stats.shards_waiting > 0) return false;
  return std::all_of(stats.shards.begin(), stats.shards.end(),
                     [](const stream::ShardStats& s) { return s.finished || s.reached_end; });
}

// The largest shard lag of a follower.
absl::Duration MaxLag(const stream::FollowerStats& stats, absl::Time now) {
  absl::Duration lag = absl::ZeroDuration();
  for (const stream::ShardStats& s : stats.shards) {
    if (!s.finished) lag = std::max(lag, s.Lag(now));
  }
  return lag;
}

}  // namespace

absl::Status PrepareStreamIndexPath(const std::string& index_path) {
  if (absl::Status s = stream::EnsureGenerationLayout(index_path); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("--index: ", s.message()));
  }
  absl::StatusOr<std::vector<std::string>> removed = stream::RemoveStaleGenerations(index_path);
  return removed.status();
}

bool NeedsBootstrap(const Index& index) {
  const IndexStats stats = index.Stats();
  if (stats.documents > 0 || stats.tombstones > 0) return false;
  absl::StatusOr<std::map<std::string, std::string>> metadata =
      index.ListMetadata(stream::kCheckpointMetadataPrefix);
  return metadata.ok() && metadata->empty();
}

absl::StatusOr<std::unique_ptr<StreamSupervisor>> StreamSupervisor::Create(
    StreamSupervisorOptions options, WriteCommitter& committer, IndexHolder& holder,
    CallEnvironment& env) {
  if (options.table.empty()) return absl::InvalidArgumentError("--stream-table: empty");
  absl::StatusOr<std::unique_ptr<stream::RecordMapper>> mapper =
      NewTableRecordMapper(options.mapping);
  if (!mapper.ok()) return mapper.status();
  // Raised by Stop(); also ends the AWS clients' retry waits.
  auto stop = std::make_shared<stream::StopSignal>();
  absl::StatusOr<std::unique_ptr<dynamodb::DynamoDbConnection>> connection = OpenTableConnection(
      {"--stream-table", options.endpoint, options.streams_endpoint, options.env}, stop, env);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<StreamSupervisor>(
      new StreamSupervisor(std::move(options), committer, holder, env, *std::move(connection),
                           *std::move(mapper), std::move(stop)));
}

StreamSupervisor::StreamSupervisor(StreamSupervisorOptions options, WriteCommitter& committer,
                                   IndexHolder& holder, CallEnvironment& env,
                                   std::unique_ptr<dynamodb::DynamoDbConnection> connection,
                                   std::unique_ptr<stream::RecordMapper> mapper,
                                   std::shared_ptr<stream::StopSignal> stop)
    : stop_(std::move(stop)),
      options_(std::move(options)),
      committer_(committer),
      holder_(holder),
      env_(env),
      connection_(std::move(connection)),
      mapper_(std::move(mapper)) {}

StreamSupervisor::~StreamSupervisor() { Stop(); }

void StreamSupervisor::Start() {
  if (thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    current_as_of_ = absl::Now();
  }
  thread_ = std::thread([this] { Run(); });
}

void StreamSupervisor::Stop() {
  stop_->Raise();
  if (thread_.joinable()) thread_.join();
}

StreamSupervisorSnapshot StreamSupervisor::Snapshot() const {
  StreamSupervisorSnapshot snap;
  {
    absl::MutexLock lock(&mu_);
    snap.state = state_;
    snap.stream_arn = stream_arn_;
    snap.resyncs_completed = resyncs_completed_;
    snap.resyncs_started = resyncs_started_;
    snap.resyncs_failed = resyncs_failed_;
    if (follower_ != nullptr) snap.follower = follower_->stats();
    snap.read_errors = read_errors_;
    snap.current_as_of = current_as_of_;
  }
  snap.streams_requests = connection_->streams().counters();
  snap.dynamodb_requests = connection_->dynamodb().counters();
  return snap;
}

void StreamSupervisor::SetState(std::string state, stream::StreamFollower* follower) {
  absl::MutexLock lock(&mu_);
  state_ = std::move(state);
  follower_ = follower;
}

void StreamSupervisor::Run() {
  absl::Duration backoff = kRetryInitial;
  while (!stop_->raised()) {
    const absl::Status s = RunOnce();
    if (stop_->raised()) break;
    if (s.ok()) {
      backoff = kRetryInitial;
      continue;
    }
    nlohmann::ordered_json fields = StatusFields(s);
    fields["table"] = options_.table;
    fields["retry_in_ms"] = absl::ToInt64Milliseconds(backoff);
    env_.log().Event(LogLevel::kError, "stream_error", fields);
    SetState("waiting", nullptr);
    stop_->WaitFor(backoff);
    backoff = std::min(backoff * 2, kRetryMax);
  }
  SetState("stopped", nullptr);
}

absl::StatusOr<std::string> StreamSupervisor::CurrentStreamArn() {
  absl::StatusOr<dynamodb::TableDescription> table =
      connection_->dynamodb().DescribeTable(options_.table);
  if (!table.ok()) return table.status();
  if (!table->stream_enabled || table->latest_stream_arn.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("table ", options_.table, " has no stream enabled"));
  }
  if (table->stream_view_type != "NEW_AND_OLD_IMAGES" && table->stream_view_type != "NEW_IMAGE") {
    return absl::FailedPreconditionError(
        absl::StrCat("table ", options_.table, " streams ", table->stream_view_type,
                     "; inkdex needs NEW_IMAGE or NEW_AND_OLD_IMAGES"));
  }
  return table->latest_stream_arn;
}

absl::Status StreamSupervisor::RunOnce() {
  absl::StatusOr<std::string> arn = CurrentStreamArn();
  if (!arn.ok()) return arn.status();
  {
    absl::MutexLock lock(&mu_);
    stream_arn_ = *arn;
  }
  // Released before following: an index swapped in meanwhile (a
  // renumbering) must be able to close the old one.
  std::shared_ptr<Index> served = holder_.Current();
  absl::StatusOr<std::map<std::string, std::string>> metadata =
      served->ListMetadata(stream::kCheckpointMetadataPrefix);
  if (!metadata.ok()) return metadata.status();
  absl::StatusOr<stream::StoredCheckpoints> stored = stream::DecodeCheckpoints(*metadata);
  if (!stored.ok()) {
    // Corrupt checkpoints: the index cannot say where it stands.
    env_.log().Event(LogLevel::kError, "stream_checkpoints_corrupt", StatusFields(stored.status()));
    return Resync("corrupt_checkpoints", *arn, false);
  }
  if (stored->empty()) {
    const bool first = NeedsBootstrap(*served);
    return Resync(first ? "bootstrap" : "no_checkpoints", *arn, first);
  }
  if (!stream::CheckStreamArn(*stored, *arn).ok()) return Resync("stream_arn_changed", *arn, false);
  absl::StatusOr<std::map<std::string, std::string>> mapping =
      served->ListMetadata(kMappingMetadataKey);
  if (!mapping.ok()) return mapping.status();
  const std::string fingerprint = options_.mapping.Fingerprint();
  if (auto it = mapping->find(kMappingMetadataKey); it == mapping->end()) {
    // An index from before fingerprints were stored: take the mapping as the
    // one it was built with (a re-sync of every such index on upgrade would
    // cost more than the rare mapping change it could catch).
    WriteBatch batch;
    batch.PutMetadata(kMappingMetadataKey, fingerprint);
    if (absl::StatusOr<CommitOutcome> written = committer_.Write(batch); !written.ok()) {
      return written.status();
    }
    env_.log().Event(LogLevel::kInfo, "stream_mapping_recorded", {{"fingerprint", fingerprint}});
  } else if (it->second != fingerprint) {
    env_.log().Event(LogLevel::kWarn, "stream_mapping_changed",
                     {{"stored", it->second},
                      {"current", fingerprint},
                      {"detail", "the index was built with another --mapping: rebuilding it"}});
    return Resync("mapping_changed", *arn, false);
  }
  if (absl::Status s = stream::CheckProgress(stored->at(*arn), absl::Now()); !s.ok()) {
    env_.log().Event(LogLevel::kWarn, "stream_checkpoints_expired", StatusFields(s));
    return Resync("checkpoints_expired", *arn, false);
  }
  served.reset();
  return Follow(*arn, *stored);
}

void StreamSupervisor::ObserveResult(const stream::ShardBatch& batch,
                                     const stream::RecordResult& result) {
  env_.metrics().RecordStreamRecords(StreamRecordSource::kReader, MetricOutcome(result.outcome),
                                     result.metric_reason);
  if (result.outcome == stream::RecordOutcome::kRejected) {
    env_.log().Event(LogLevel::kWarn, "stream_record_rejected",
                     {{"shard", batch.shard_id},
                      {"sequence_number", result.sequence_number},
                      {"artist_id", result.artist_id},
                      {"reason", result.reason}});
  }
}

void StreamSupervisor::ObserveReadError(const stream::ShardReadError& error) {
  {
    absl::MutexLock lock(&mu_);
    ++read_errors_[error.code];
  }
  if (!error.log) return;
  env_.log().Event(error.retryable ? LogLevel::kWarn : LogLevel::kError, "stream_read_error",
                   {{"table", options_.table},
                    {"shard", error.shard_id},
                    {"operation", error.operation},
                    {"error", error.code},
                    {"message", std::string(error.status.message())},
                    {"retryable", error.retryable},
                    {"suppressed", error.suppressed}});
}

stream::StreamApplier::ResultObserver StreamSupervisor::Observer() {
  return [this](const stream::ShardBatch& batch, const stream::RecordResult& result) {
    ObserveResult(batch, result);
  };
}

stream::StreamFollowerOptions StreamSupervisor::FollowerOptions(const std::string& stream_arn) {
  stream::StreamFollowerOptions options;
  options.stream_arn = stream_arn;
  options.describe_interval = options_.describe_interval;
  options.reader = options_.reader;
  options.reader.on_read_error = [this](const stream::ShardReadError& error) {
    ObserveReadError(error);
  };
  return options;
}

absl::Status StreamSupervisor::Follow(const std::string& stream_arn,
                                      const stream::StoredCheckpoints& stored) {
  stream::StreamApplier sink(
      *mapper_,
      [this](const WriteBatch& batch) -> absl::StatusOr<std::vector<ChangeResult>> {
        absl::StatusOr<CommitOutcome> outcome = committer_.Write(batch);
        if (!outcome.ok()) return outcome.status();
        return std::move(outcome->results);
      },
      Observer());
  stream::StreamsClientSource source(connection_->streams(), mapper_.get());
  stream::StreamFollowerOptions follower_options = FollowerOptions(stream_arn);
  follower_options.current_stream_arn = [this] { return CurrentStreamArn(); };
  stream::StreamFollower follower(source, sink, follower_options);
  if (absl::Status s = follower.Start(stored); !s.ok()) return s;
  SetState("following", &follower);
  env_.log().Event(LogLevel::kInfo, "stream_following",
                   {{"table", options_.table}, {"stream_arn", stream_arn}});
  std::optional<SlotLayout> drifted;
  while (!stop_->WaitFor(kPollInterval)) {
    if (follower.resync_reason().has_value()) break;
    const absl::Time now = absl::Now();
    if (options_.resync_at_slot_drift > 0) {
      // Measured at most once per --slot-drift-interval (the holder caches).
      absl::StatusOr<SlotLayout> layout = holder_.CurrentSlotLayout(now);
      if (layout.ok() && layout->Drift() >= drift_after_resync_ + options_.resync_at_slot_drift) {
        drifted = *layout;
        break;
      }
    }
    const absl::Duration lag = MaxLag(follower.stats(), now);
    absl::MutexLock lock(&mu_);
    current_as_of_ = std::max(current_as_of_, now - lag);
  }
  SetState("stopping", nullptr);
  follower.Stop();
  if (stop_->raised()) return absl::OkStatus();
  // The follower's own reason first: it stopped reading for it.
  std::string cause;
  if (const std::optional<stream::ResyncReason> reason = follower.resync_reason()) {
    cause = stream::ResyncCauseName(reason->cause);
    env_.log().Event(LogLevel::kWarn, "stream_resync_needed",
                     {{"cause", cause}, {"detail", reason->detail}});
  } else if (drifted.has_value()) {
    cause = "slot_drift";
    env_.log().Event(LogLevel::kInfo, "stream_resync_needed",
                     {{"cause", cause},
                      {"slot_drift", drifted->Drift()},
                      {"breaks", drifted->breaks},
                      {"artists", drifted->artists},
                      {"drift_after_last_resync", drift_after_resync_},
                      {"threshold", options_.resync_at_slot_drift}});
  } else {
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> arn = CurrentStreamArn();
  if (!arn.ok()) return arn.status();
  return Resync(cause, *arn, false);
}

absl::Status StreamSupervisor::Replay(const std::string& stream_arn, Index& index,
                                      absl::Time scanned) {
  stream::StreamApplier sink(
      *mapper_, [&index](const WriteBatch& batch) { return index.Apply(batch); }, Observer());
  stream::StreamsClientSource source(connection_->streams(), mapper_.get());
  stream::StreamFollowerOptions follower_options = FollowerOptions(stream_arn);
  follower_options.reader.caught_up_reference = scanned + kCaughtUpMargin;
  stream::StreamFollower follower(source, sink, follower_options);
  if (absl::Status s = follower.Start({}); !s.ok()) return s;
  SetState("resyncing", &follower);
  absl::Status result = absl::CancelledError("stopped during the stream replay");
  while (!stop_->WaitFor(kPollInterval)) {
    if (std::optional<stream::ResyncReason> r = follower.resync_reason(); r.has_value()) {
      result = absl::UnavailableError(
          absl::StrCat("stream replay: ", stream::ResyncCauseName(r->cause), ": ", r->detail));
      break;
    }
    if (ReplayCaughtUp(follower.stats())) {
      result = absl::OkStatus();
      break;
    }
  }
  SetState("resyncing", nullptr);
  follower.Stop();
  return result;
}

absl::Status StreamSupervisor::Resync(const std::string& reason, const std::string& stream_arn,
                                      bool first) {
  // A renumbering in progress (--renumber-online-at-drift) gives way: this
  // replaces the index it copies.
  GenerationOwner* const owner = options_.generations;
  if (owner != nullptr) owner->Acquire();
  const GenerationLease lease(owner);
  {
    absl::MutexLock lock(&mu_);
    ++resyncs_started_[reason];
    state_ = "resyncing";
  }
  const absl::Time start = absl::Now();
  env_.log().Event(LogLevel::kInfo, "resync_started",
                   {{"reason", reason}, {"table", options_.table}, {"stream_arn", stream_arn}});
  if (first && options_.set_serving) options_.set_serving(false);
  auto failed = [this, &reason](absl::Status s) {
    {
      absl::MutexLock lock(&mu_);
      ++resyncs_failed_;
    }
    if (!stop_->raised()) {
      nlohmann::ordered_json fields = StatusFields(s);
      fields["reason"] = reason;
      env_.log().Event(LogLevel::kError, "resync_failed", fields);
    }
    return s;
  };

  // Leftovers of an earlier, interrupted re-sync; the served generation stays.
  absl::StatusOr<std::vector<std::string>> removed =
      stream::RemoveStaleGenerations(options_.index_path, {holder_.directory()});
  if (!removed.ok()) return failed(removed.status());
  const std::string generation = stream::NewGenerationDir(options_.index_path);
  uint64_t documents = 0;
  stream::TableLoadTally tally;
  {
    IndexOptions index_options = holder_.options();
    index_options.create_if_missing = true;
    index_options.error_if_missing = false;
    // The scan loads a new index: its text is indexed once, in parallel,
    // when the scan is done (before the stream's replay, which updates
    // artists already loaded).
    index_options.defer_search_index = true;
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(generation, index_options);
    if (!index.ok()) return failed(index.status());
    stream::TableLoadOptions load;
    load.table = options_.table;
    load.segments = options_.scan_segments;
    load.cancelled = [this] { return stop_->raised(); };
    load.on_reject = [this](const std::string& id, const std::string& why) {
      env_.metrics().RecordStreamRecords(StreamRecordSource::kReader,
                                         StreamRecordOutcome::kRejected, "invalid_field");
      env_.log().Event(LogLevel::kWarn, "scan_item_rejected", {{"artist_id", id}, {"reason", why}});
    };
    absl::StatusOr<stream::TableLoadTally> loaded =
        stream::LoadTable(connection_->dynamodb(), *mapper_, **index, load);
    if (!loaded.ok()) return failed(loaded.status());
    // A drain stops it too: the generation is abandoned (the next start
    // removes it), and at 1,000,000 artists the build outlasts the drain.
    BuildSearchIndexOptions build;
    build.cancelled = [this] { return stop_->raised(); };
    if (absl::Status s = (*index)->BuildDeferredSearchIndex(build); !s.ok()) return failed(s);
    tally = *loaded;
    const absl::Time scanned = absl::Now();
    WriteBatch mapping;
    mapping.PutMetadata(kMappingMetadataKey, options_.mapping.Fingerprint());
    if (absl::StatusOr<std::vector<ChangeResult>> put = (*index)->Apply(mapping); !put.ok()) {
      return failed(put.status());
    }
    env_.log().Event(LogLevel::kInfo, "resync_scanned",
                     {{"reason", reason},
                      {"items", tally.items},
                      {"artists", tally.artists},
                      {"rejected", tally.rejected},
                      {"ignored", tally.ignored},
                      {"duration_ms", absl::ToInt64Milliseconds(tally.duration)}});
    if (absl::Status s = Replay(stream_arn, **index, scanned); !s.ok()) return failed(s);
    documents = (*index)->Stats().documents;
  }  // closed here: SwapIndex opens it again
  const absl::Time swap_started = absl::Now();
  absl::StatusOr<SwapResult> swapped =
      committer_.SwapIndex(generation, /*verify=*/false, [this] { return stop_->raised(); });
  if (!swapped.ok()) return failed(swapped.status());
  if (absl::Status s = stream::PointAt(options_.index_path, generation); !s.ok()) {
    return failed(s);
  }
  if (first && options_.set_serving) options_.set_serving(true);
  {
    absl::MutexLock lock(&mu_);
    ++resyncs_completed_;
    current_as_of_ = std::max(current_as_of_, swap_started);
  }
  // Measured at once: the holder serves a new generation.
  absl::StatusOr<SlotLayout> layout = holder_.CurrentSlotLayout(absl::Now());
  drift_after_resync_ = layout.ok() ? layout->Drift() : 0;
  env_.log().Event(LogLevel::kInfo, "resync_done",
                   {{"reason", reason},
                    {"directory", swapped->directory},
                    {"documents", documents},
                    {"generation", swapped->generation},
                    {"slot_drift", layout.ok() ? layout->Drift() : -1.0},
                    {"duration_ms", absl::ToInt64Milliseconds(absl::Now() - start)}});
  return absl::OkStatus();
}

}  // namespace inkdex::server
