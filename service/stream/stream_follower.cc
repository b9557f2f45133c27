#include "stream/stream_follower.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dynamodb/aws_error.h"
#include "stream/shard_lineage.h"

namespace inkdex::stream {
namespace {

constexpr absl::Duration kDescribeRetryInitial = absl::Milliseconds(200);

std::string ErrorName(const absl::Status& status) {
  std::string type = dynamodb::ErrorTypeOf(status);
  return type.empty() ? absl::StatusCodeToString(status.code()) : type;
}

}  // namespace

const char* ResyncCauseName(ResyncCause cause) {
  switch (cause) {
    case ResyncCause::kTrimmedData:
      return "trimmed_data";
    case ResyncCause::kShardTrimmed:
      return "shard_trimmed";
    case ResyncCause::kStreamNotFound:
      return "stream_not_found";
    case ResyncCause::kStreamArnChanged:
      return "stream_arn_changed";
  }
  return "unknown";
}

struct StreamFollower::ReaderSlot {
  std::unique_ptr<ShardReader> reader;
  std::thread thread;
  bool done = false;
  ShardReadResult result;
};

StreamFollower::StreamFollower(StreamSource& source, StreamSink& sink,
                               StreamFollowerOptions options)
    : source_(source), sink_(sink), options_(std::move(options)) {}

StreamFollower::~StreamFollower() { Stop(); }

absl::Status StreamFollower::Start(const StoredCheckpoints& stored) {
  if (options_.stream_arn.empty()) {
    return absl::InvalidArgumentError("stream follower: stream_arn: empty");
  }
  if (options_.describe_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stream follower: describe_interval: ", absl::FormatDuration(options_.describe_interval),
        " is not positive"));
  }
  if (absl::Status s = ValidateShardReaderOptions(options_.reader); !s.ok()) return s;

  absl::MutexLock life(&lifecycle_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (running_) return absl::OkStatus();
  }
  // A previous run that ended by itself (a re-sync) left its thread to join.
  if (coordinator_.joinable()) coordinator_.join();

  auto it = stored.find(options_.stream_arn);
  StreamCheckpoints checkpoints =
      it != stored.end() ? it->second : StreamCheckpoints{options_.stream_arn, {}};
  {
    absl::MutexLock lock(&mu_);
    stop_ = std::make_shared<StopSignal>();
    running_ = true;
    stopping_ = false;
    wake_ = false;
    resync_.reset();
    checkpoints_ = std::move(checkpoints);
    readers_.clear();
    ended_stats_.clear();
    stream_status_.clear();
    describes_ = 0;
    describe_errors_.clear();
    shards_waiting_ = 0;
    if (absl::Status s = CheckStreamArn(stored, options_.stream_arn); !s.ok()) {
      RequestResync(ResyncCause::kStreamArnChanged, std::string(s.message()));
    }
  }
  coordinator_ = std::thread([this] { Coordinate(); });
  return absl::OkStatus();
}

void StreamFollower::Stop() {
  absl::MutexLock life(&lifecycle_mu_);
  if (!coordinator_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    stop_->Raise();
  }
  coordinator_.join();
}

bool StreamFollower::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

std::optional<ResyncReason> StreamFollower::resync_reason() const {
  absl::MutexLock lock(&mu_);
  return resync_;
}

FollowerStats StreamFollower::stats() const {
  absl::MutexLock lock(&mu_);
  FollowerStats stats;
  stats.stream_arn = options_.stream_arn;
  stats.stream_status = stream_status_;
  stats.running = running_;
  stats.describes = describes_;
  stats.describe_errors = describe_errors_;
  stats.shards_waiting = shards_waiting_;
  stats.resync = resync_;
  std::map<std::string, ShardStats> shards = ended_stats_;
  for (const auto& [shard_id, slot] : readers_) shards[shard_id] = slot->reader->stats();
  for (auto& [shard_id, shard] : shards) stats.shards.push_back(std::move(shard));
  return stats;
}

void StreamFollower::RequestResync(ResyncCause cause, std::string detail) {
  if (resync_) return;  // the first reason is the one reported
  resync_ = ResyncReason{cause, std::move(detail)};
  wake_ = true;
  stop_->Raise();
}

void StreamFollower::CountDescribeError(const absl::Status& status) {
  ++describe_errors_[ErrorName(status)];
}

void StreamFollower::Coordinate() {
  int describe_failures = 0;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ || resync_) break;
    }
    absl::Duration wait = options_.describe_interval;
    if (absl::Status described = DescribeAndPlan(); described.ok()) {
      describe_failures = 0;
    } else {
      ++describe_failures;
      wait = kDescribeRetryInitial;
      for (int i = 1; i < describe_failures && wait < options_.describe_interval; ++i) wait *= 2;
      wait = std::min(wait, options_.describe_interval);
    }
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this] {
        mu_.AssertReaderHeld();
        return wake_ || stopping_ || resync_.has_value();
      };
      mu_.AwaitWithTimeout(absl::Condition(&woken), wait);
      wake_ = false;
    }
    ReapReaders();
  }

  std::map<std::string, std::unique_ptr<ReaderSlot>> readers;
  {
    absl::MutexLock lock(&mu_);
    stop_->Raise();
    readers.swap(readers_);
  }
  for (auto& [shard_id, slot] : readers) slot->thread.join();
  std::optional<ResyncReason> resync;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [shard_id, slot] : readers) ended_stats_[shard_id] = slot->reader->stats();
    running_ = false;
    resync = resync_;
  }
  if (resync && options_.on_resync_needed) options_.on_resync_needed(*resync);
}

absl::Status StreamFollower::DescribeAndPlan() {
  if (options_.current_stream_arn) {
    absl::StatusOr<std::string> current = options_.current_stream_arn();
    absl::MutexLock lock(&mu_);
    if (!current.ok()) {
      CountDescribeError(current.status());
    } else if (*current != options_.stream_arn) {
      RequestResync(ResyncCause::kStreamArnChanged,
                    absl::StrCat("the table's stream is now ", *current, ", not ",
                                 options_.stream_arn, " (the stream was re-enabled)"));
      return absl::OkStatus();
    }
  }
  absl::StatusOr<dynamodb::StreamDescription> description =
      source_.DescribeWholeStream(options_.stream_arn);
  std::vector<std::string> forgettable;
  {
    absl::MutexLock lock(&mu_);
    if (!description.ok()) {
      CountDescribeError(description.status());
      if (absl::IsNotFound(description.status())) {
        RequestResync(ResyncCause::kStreamNotFound, std::string(description.status().message()));
      }
      return description.status();
    }
    ++describes_;
    stream_status_ = description->stream_status;
    ShardPlan plan = PlanShards(description->shards, checkpoints_);
    shards_waiting_ = plan.waiting.size();
    if (!plan.lost.empty()) {
      std::vector<std::string> lost;
      for (const std::string& shard_id : plan.lost) {
        const std::string& applied = checkpoints_.shards[shard_id].sequence_number;
        lost.push_back(absl::StrCat(
            shard_id, applied.empty() ? " (opened, nothing applied" : " (applied up to ", applied,
            ")"));
      }
      RequestResync(ResyncCause::kShardTrimmed,
                    absl::StrCat("shards no longer described before they were read to their end "
                                 "(their remaining records were trimmed): ",
                                 absl::StrJoin(lost, ", ")));
      return absl::OkStatus();
    }
    if (stopping_ || resync_) return absl::OkStatus();
    for (const dynamodb::Shard& shard : plan.readable) {
      if (!readers_.contains(shard.shard_id)) StartReader(shard);
    }
    forgettable = std::move(plan.forgettable);
  }
  if (!forgettable.empty() && sink_.ForgetShards(options_.stream_arn, forgettable).ok()) {
    absl::MutexLock lock(&mu_);
    for (const std::string& shard_id : forgettable) {
      checkpoints_.shards.erase(shard_id);
      ended_stats_.erase(shard_id);
    }
  }
  return absl::OkStatus();
}

void StreamFollower::StartReader(const dynamodb::Shard& shard) {
  const ShardCheckpoint* stored = checkpoints_.Find(shard.shard_id);
  auto slot = std::make_unique<ReaderSlot>();
  slot->reader =
      std::make_unique<ShardReader>(source_, sink_, options_.stream_arn, shard,
                                    stored ? *stored : ShardCheckpoint{}, options_.reader, *stop_);
  ShardReader* reader = slot->reader.get();
  std::string shard_id = shard.shard_id;
  ReaderSlot& placed = *readers_.emplace(shard_id, std::move(slot)).first->second;
  placed.thread = std::thread([this, reader, shard_id] { ReaderDone(shard_id, reader->Run()); });
}

void StreamFollower::ReaderDone(const std::string& shard_id, const ShardReadResult& result) {
  absl::MutexLock lock(&mu_);
  auto it = readers_.find(shard_id);
  if (it == readers_.end()) return;
  it->second->done = true;
  it->second->result = result;
  switch (result.outcome) {
    case ShardReadOutcome::kFinished:
      checkpoints_.shards[shard_id] = it->second->reader->checkpoint();
      wake_ = true;  // its children may be readable now
      break;
    case ShardReadOutcome::kResyncNeeded:
      RequestResync(
          absl::IsNotFound(result.error) ? ResyncCause::kStreamNotFound : ResyncCause::kTrimmedData,
          absl::StrCat("shard ", shard_id, ": ", result.error.message()));
      break;
    case ShardReadOutcome::kStopped:
      break;
  }
}

void StreamFollower::ReapReaders() {
  std::vector<std::pair<std::string, std::unique_ptr<ReaderSlot>>> done;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = readers_.begin(); it != readers_.end();) {
      if (it->second->done) {
        done.emplace_back(it->first, std::move(it->second));
        it = readers_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [shard_id, slot] : done) slot->thread.join();
  absl::MutexLock lock(&mu_);
  for (auto& [shard_id, slot] : done) ended_stats_[shard_id] = slot->reader->stats();
}

}  // namespace inkdex::stream
