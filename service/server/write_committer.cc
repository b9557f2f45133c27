#include "server/write_committer.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace inkdex::server {
namespace {

// How many verification problems a refused swap lists.
constexpr size_t kProblemsShown = 5;
// How often a swap waiting for another looks at its cancellation.
constexpr absl::Duration kSwapWaitPoll = absl::Milliseconds(20);
// A renumbering's replay ends its unlocked rounds once a round re-applies
// fewer changes than this (the last round, with writes held, then has about
// as many: a few milliseconds of commits), or after kReplayRounds rounds.
constexpr size_t kReplayHeldChanges = 2000;
constexpr int kReplayRounds = 20;
// Changes per commit of the copy at most when a replay merges commits.
constexpr size_t kReplayCommitChanges = 5000;
constexpr absl::string_view kStopping =
    "index swaps and renumberings are refused: the server is shutting down";

}  // namespace

WriteCommitter::WriteCommitter(IndexHolder& holder, Options options)
    : holder_(holder),
      options_(std::move(options)),
      last_commit_start_(absl::Now()),
      writer_([this] { WriterLoop(); }) {}

WriteCommitter::~WriteCommitter() { Stop(); }

absl::StatusOr<CommitOutcome> WriteCommitter::Write(const WriteBatch& batch) {
  PendingWrite write;
  write.batch = &batch;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("writes are refused: the server is shutting down");
    if (!batch.empty()) {
      write.enqueued = absl::Now();
      pending_.push_back(&write);
      pending_changes_ += batch.size();
      mu_.Await(absl::Condition(&write.done));
      return std::move(write.outcome);
    }
  }
  return CommitOutcome{{}, holder_.Current()->Stats().commit_seq};
}

size_t WriteCommitter::PendingWrites() const {
  absl::MutexLock lock(&mu_);
  return pending_.size();
}

bool WriteCommitter::HasWork() const { return stopping_ || !pending_.empty(); }

bool WriteCommitter::CommitDue() const {
  // An empty queue means a swap committed the writes meanwhile: wake to wait
  // for the next ones.
  return stopping_ || no_wait_ || pending_.empty() ||
         pending_changes_ >= options_.max_pending_changes;
}

void WriteCommitter::CommitWithoutWaiting() {
  stop_requested_.store(true, std::memory_order_relaxed);  // no swap from now on
  // The writer thread re-evaluates CommitDue when mu_ is released.
  absl::MutexLock lock(&mu_);
  no_wait_ = true;
}

void WriteCommitter::WriterLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &WriteCommitter::HasWork));
      if (pending_.empty()) return;  // stopping, and nothing left to commit
      // One interval after the previous commit started (in the past after a
      // quiet spell: at once); never later than the oldest write's interval.
      const absl::Time due =
          std::min(last_commit_start_, pending_.front()->enqueued) + options_.commit_interval;
      mu_.AwaitWithDeadline(absl::Condition(this, &WriteCommitter::CommitDue), due);
    }
    absl::MutexLock commit(&commit_mu_);
    CommitPending();
  }
}

void WriteCommitter::CommitPending() {
  std::vector<PendingWrite*> group;
  {
    absl::MutexLock lock(&mu_);
    group.swap(pending_);
    pending_changes_ = 0;
    if (!group.empty()) last_commit_start_ = absl::Now();
  }
  if (group.empty()) return;

  // A lone call's batch is applied as it is; a group's are concatenated in
  // arrival order.
  WriteBatch merged;
  if (group.size() > 1) {
    for (const PendingWrite* write : group) merged.Append(*write->batch);
  }
  const WriteBatch& batch = group.size() > 1 ? merged : *group.front()->batch;

  const std::shared_ptr<Index> index = holder_.Current();
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<ChangeResult>> results = index->Apply(batch);
  CommitInfo info;
  info.changes = batch.size();
  info.calls = group.size();
  info.duration = absl::Now() - start;
  info.commit_seq = index->Stats().commit_seq;
  if (results.ok() && results->size() != batch.size()) {
    results = absl::InternalError(absl::StrCat("commit: the index returned ", results->size(),
                                               " results for ", batch.size(), " changes"));
  }
  info.status = results.status();
  if (results.ok() && recording_ && !recording_overflowed_) {
    recorded_changes_ += batch.size();
    if (recorded_changes_ > kMaxReplayChanges) {
      recording_overflowed_ = true;
      recorded_.clear();
    } else if (group.size() > 1) {
      recorded_.push_back(std::move(merged));
    } else {
      recorded_.push_back(batch);
    }
  }
  if (options_.on_commit) options_.on_commit(info);

  absl::MutexLock lock(&mu_);
  auto next = results.ok() ? results->begin() : std::vector<ChangeResult>::iterator();
  for (PendingWrite* write : group) {
    if (results.ok()) {
      CommitOutcome outcome;
      outcome.results.assign(std::make_move_iterator(next),
                             std::make_move_iterator(next + write->batch->size()));
      next += write->batch->size();
      outcome.commit_seq = info.commit_seq;
      write->outcome = std::move(outcome);
    } else {
      write->outcome = results.status();
    }
    write->done = true;  // the caller may return (and free `write`) once mu_ is released
  }
}

bool WriteCommitter::Stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_ || no_wait_;
}

absl::Status WriteCommitter::LockSwaps(const std::function<bool()>& cancelled,
                                       absl::string_view what) {
  // Another swap may hold swap_mu_ for seconds (an open, a verification) or
  // minutes (a renumbering): wait for it, but not past this call's
  // cancellation or deadline, nor into a drain.
  while (!swap_mu_.TryLock()) {
    if (Stopping()) return absl::UnavailableError(kStopping);
    if (cancelled && cancelled()) {
      return absl::CancelledError(
          absl::StrCat(what, ": cancelled while waiting for another swap to end"));
    }
    absl::SleepFor(kSwapWaitPoll);
  }
  if (Stopping()) {
    swap_mu_.Unlock();
    return absl::UnavailableError(kStopping);
  }
  return absl::OkStatus();
}

namespace {

struct Unlock {
  absl::Mutex& mu;
  ~Unlock() { mu.Unlock(); }
};

}  // namespace

absl::StatusOr<SwapResult> WriteCommitter::SwapIndex(const std::string& dir, bool verify,
                                                     std::function<bool()> cancelled) {
  if (dir.empty()) return absl::InvalidArgumentError("directory: required");
  if (absl::Status s = LockSwaps(cancelled, "index swap"); !s.ok()) return s;
  Unlock unlock{swap_mu_};
  absl::StatusOr<std::string> resolved = ResolveIndexDirectory(dir);
  if (!resolved.ok()) return resolved.status();
  // The served index holds the directory's locks; opening it twice would fail
  // with a less helpful message. Only a swap changes the directory, and
  // swap_mu_ keeps the others out.
  if (*resolved == holder_.directory()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "directory: '", *resolved,
        "' is the index already being served; build the new index into another directory"));
  }
  absl::StatusOr<std::unique_ptr<Index>> index = OpenForSwap(dir, *resolved, verify, cancelled);
  if (!index.ok()) {
    // A drain's cancellation says why.
    if (absl::IsCancelled(index.status()) && Stopping()) return absl::UnavailableError(kStopping);
    return index.status();
  }
  const IndexStats stats = (*index)->Stats();
  SwapResult result;
  result.directory = *resolved;
  result.documents = stats.documents;
  result.commit_seq = stats.commit_seq;
  if (options_.prefetch_bytes > 0) {
    // Before the swap, so that the new index's first searches find its pages
    // cached; the old index serves meanwhile.
    PrefetchOptions prefetch;
    prefetch.max_bytes = options_.prefetch_bytes;
    prefetch.cancelled = [this, &cancelled] { return Stopping() || (cancelled && cancelled()); };
    absl::StatusOr<PrefetchReport> read = (*index)->PrefetchSearchIndex(prefetch);
    if (read.ok()) {
      result.prefetched_bytes = read->bytes_read;
    } else if (read.status().code() == absl::StatusCode::kCancelled) {
      if (Stopping()) return absl::UnavailableError(kStopping);
      return absl::CancelledError(absl::StrCat("index swap: ", read.status().message()));
    } else {
      result.prefetch = read.status();
    }
  }

  absl::MutexLock commit(&commit_mu_);
  if (Stopping()) return absl::UnavailableError(kStopping);
  CommitPending();
  result.generation = holder_.Swap(std::shared_ptr<Index>(*std::move(index)), *resolved);
  return result;
}

absl::StatusOr<std::unique_ptr<Index>> WriteCommitter::OpenForSwap(
    const std::string& dir, const std::string& resolved, bool verify,
    const std::function<bool()>& cancelled) {
  IndexOptions options = holder_.options();
  options.create_if_missing = false;
  options.error_if_missing = true;
  // Opening reads every record (~3-6 s at 1,000,000 artists, a minute or
  // more when text/ must be rebuilt): a call that goes away, or a drain,
  // stops it as it stops the verification.
  options.cancelled = [this, &cancelled] { return Stopping() || (cancelled && cancelled()); };
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(resolved, options);
  if (!index.ok()) {
    // The library names the resolved path; the caller knows the one it gave.
    return absl::Status(index.status().code(),
                        absl::StrCat("directory: ", index.status().message(),
                                     resolved == dir ? "" : " (resolved from '" + dir + "')"));
  }
  if (!verify) return index;
  if (absl::Status s = VerifyForServing(**index, resolved, options.cancelled); !s.ok()) return s;
  return index;
}

absl::Status WriteCommitter::VerifyForServing(const Index& index, const std::string& dir,
                                              const std::function<bool()>& cancelled) {
  VerifyOptions verify_options;
  verify_options.cancelled = cancelled;
  absl::StatusOr<VerifyReport> report = index.Verify(verify_options);
  if (!report.ok()) return report.status();
  if (report->ok()) return absl::OkStatus();
  const auto& problems = report->problems;
  const size_t shown = std::min(problems.size(), kProblemsShown);
  return absl::FailedPreconditionError(
      absl::StrCat("directory: the index at '", dir, "' failed verification with ", problems.size(),
                   " problem(s): ", absl::StrJoin(problems.begin(), problems.begin() + shown, "; "),
                   problems.size() > shown ? "; ..." : ""));
}

void WriteCommitter::StopRecording() {
  recording_ = false;
  recording_overflowed_ = false;
  recorded_.clear();
  recorded_changes_ = 0;
}

absl::Status WriteCommitter::Replay(std::vector<WriteBatch> batches, Index& index,
                                    RenumberResult* result) {
  // Consecutive commits are re-applied together (WriteBatch::Append: the
  // same outcomes as one after another), so a replay of many small commits
  // does not pay a commit's fixed cost for each.
  size_t next = 0;
  while (next < batches.size()) {
    WriteBatch merged;
    size_t taken = 0;
    while (next < batches.size() &&
           (taken == 0 || merged.size() + batches[next].size() <= kReplayCommitChanges)) {
      merged.Append(batches[next]);
      result->replayed_changes += batches[next].size();
      ++next;
      ++taken;
    }
    absl::StatusOr<std::vector<ChangeResult>> applied = index.Apply(merged);
    if (!applied.ok()) {
      return absl::Status(applied.status().code(),
                          absl::StrCat("renumbering: re-applying commits to the copy: ",
                                       applied.status().message()));
    }
    result->replayed_commits += taken;
  }
  return absl::OkStatus();
}

absl::Status WriteCommitter::PrepareCopy(const std::string& resolved,
                                         const RenumberOptions& options,
                                         const std::function<bool()>& cancelled,
                                         std::unique_ptr<Index>* copy, RenumberResult* result) {
  absl::Time start = absl::Now();
  IndexOptions index_options = holder_.options();
  index_options.create_if_missing = false;
  index_options.error_if_missing = true;
  index_options.renumber_slots = true;
  index_options.renumber_slots_at_drift = 0;
  index_options.cancelled = cancelled;
  absl::StatusOr<std::unique_ptr<Index>> opened = Index::Open(resolved, index_options);
  result->open_time = absl::Now() - start;
  if (!opened.ok()) return opened.status();
  *copy = *std::move(opened);

  if (options.verify) {
    if (absl::Status s = VerifyForServing(**copy, resolved, cancelled); !s.ok()) return s;
  }
  result->swap.directory = resolved;
  result->swap.documents = (*copy)->Stats().documents;
  if (options_.prefetch_bytes > 0) {
    PrefetchOptions prefetch;
    prefetch.max_bytes = options_.prefetch_bytes;
    prefetch.cancelled = cancelled;
    absl::StatusOr<PrefetchReport> read = (*copy)->PrefetchSearchIndex(prefetch);
    if (read.ok()) {
      result->swap.prefetched_bytes = read->bytes_read;
    } else if (read.status().code() == absl::StatusCode::kCancelled) {
      return absl::CancelledError(absl::StrCat("renumbering: ", read.status().message()));
    } else {
      result->swap.prefetch = read.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RenumberResult> WriteCommitter::RenumberSlots(const std::string& dir,
                                                             const RenumberOptions& options) {
  if (dir.empty()) return absl::InvalidArgumentError("directory: required");
  // Polled by the copy's open on a thread of the idle class: no lock
  // (stop_requested_, not Stopping()), so that a preemption there holds up
  // nobody.
  const std::function<bool()> cancelled = [this, &options] {
    return stop_requested_.load(std::memory_order_relaxed) ||
           (options.cancelled && options.cancelled());
  };
  if (absl::Status s = LockSwaps(options.cancelled, "renumbering"); !s.ok()) return s;
  Unlock unlock{swap_mu_};
  // Whatever fails from here leaves no copy and no recording behind.
  std::unique_ptr<Index> copy;
  bool created = false;
  auto fail = [&](absl::Status s) {
    // A drain's cancellation says why.
    if (absl::IsCancelled(s) && Stopping()) s = absl::UnavailableError(kStopping);
    {
      absl::MutexLock commit(&commit_mu_);
      StopRecording();
    }
    copy.reset();
    if (created) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
    return s;
  };

  RenumberResult result;
  absl::Time start = absl::Now();
  {
    // The copy and the start of the recording are one point between
    // commits: every commit after the copy is recorded.
    absl::MutexLock commit(&commit_mu_);
    absl::StatusOr<uint64_t> copied = holder_.Current()->CopyDocumentStore(dir);
    if (!copied.ok()) {
      return absl::Status(copied.status().code(),
                          absl::StrCat("directory: ", copied.status().message()));
    }
    created = true;
    result.copied_commit_seq = *copied;
    recording_ = true;
  }
  result.copy_time = absl::Now() - start;
  absl::StatusOr<std::string> resolved = ResolveIndexDirectory(dir);
  if (!resolved.ok()) return fail(resolved.status());

  // The open (which renumbers and rebuilds the search index), the
  // verification and the read into the page cache run on a thread of their
  // own, whose scheduling class the library's writer threads inherit
  // (RenumberOptions::background); they take none of the served index's
  // locks.
  absl::Status prepared;
  std::thread background([&] {
    if (options.background) {
      sched_param idle{};
      if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle) != 0) {
        setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
      }
    }
    prepared = PrepareCopy(*resolved, options, cancelled, &copy, &result);
  });
  background.join();
  if (!prepared.ok()) return fail(prepared);

  // Catch up without holding writes, until a round has little to do: on
  // this thread, at the caller's priority, as the rounds take the commit
  // lock (briefly; a thread of the idle class could be preempted holding
  // it, and hold up the writes).
  start = absl::Now();
  for (int round = 0; round < kReplayRounds; ++round) {
    std::vector<WriteBatch> batches;
    size_t changes = 0;
    {
      absl::MutexLock commit(&commit_mu_);
      if (recording_overflowed_) {
        return fail(absl::ResourceExhaustedError(absl::StrCat(
            "renumbering: more than ", kMaxReplayChanges,
            " changes were committed while the copy was opened; try again when writes are fewer")));
      }
      batches.swap(recorded_);
      changes = recorded_changes_;
      recorded_changes_ = 0;
    }
    if (absl::Status s = Replay(std::move(batches), *copy, &result); !s.ok()) return fail(s);
    if (cancelled()) return fail(absl::CancelledError("renumbering: cancelled"));
    if (changes < kReplayHeldChanges) break;
  }
  result.replay_time = absl::Now() - start;
  // The last round, with writes held: the writes pending now are committed
  // to the served index first (and recorded), then everything recorded is
  // re-applied to the copy, which is served from then on.
  absl::Status last_round;
  {
    absl::MutexLock commit(&commit_mu_);
    const absl::Time held = absl::Now();
    if (Stopping()) {
      last_round = absl::UnavailableError(kStopping);
    } else {
      CommitPending();
      if (recording_overflowed_) {
        last_round = absl::ResourceExhaustedError(
            absl::StrCat("renumbering: more than ", kMaxReplayChanges,
                         " changes were committed while the copy was opened"));
      } else {
        std::vector<WriteBatch> batches;
        batches.swap(recorded_);
        last_round = Replay(std::move(batches), *copy, &result);
        if (last_round.ok() && options.before_serving)
          last_round = options.before_serving(*resolved);
      }
    }
    if (last_round.ok()) {
      StopRecording();
      result.swap.commit_seq = copy->Stats().commit_seq;
      result.swap.generation = holder_.Swap(std::shared_ptr<Index>(std::move(copy)), *resolved);
      result.held_time = absl::Now() - held;
    }
  }
  if (!last_round.ok()) return fail(last_round);
  return result;
}

void WriteCommitter::Stop() {
  stop_requested_.store(true, std::memory_order_relaxed);
  absl::MutexLock stop(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (writer_.joinable()) writer_.join();
}

}  // namespace inkdex::server
