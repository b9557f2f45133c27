#include "server/write_committer.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace inkdex::server {
namespace {

// How many verification problems a refused swap lists.
constexpr size_t kProblemsShown = 5;
// How often a swap waiting for another looks at its cancellation.
constexpr absl::Duration kSwapWaitPoll = absl::Milliseconds(20);

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
  return stopping_;
}

absl::StatusOr<SwapResult> WriteCommitter::SwapIndex(const std::string& dir, bool verify,
                                                     std::function<bool()> cancelled) {
  if (dir.empty()) return absl::InvalidArgumentError("directory: required");
  constexpr absl::string_view kStopping = "index swaps are refused: the server is shutting down";
  // Another swap may hold swap_mu_ for seconds (an open, a verification):
  // wait for it, but not past this call's cancellation or deadline, nor
  // into a drain.
  while (!swap_mu_.TryLock()) {
    if (Stopping()) return absl::UnavailableError(kStopping);
    if (cancelled && cancelled()) {
      return absl::CancelledError("index swap: cancelled while waiting for another swap to end");
    }
    absl::SleepFor(kSwapWaitPoll);
  }
  struct Unlock {
    absl::Mutex& mu;
    ~Unlock() { mu.Unlock(); }
  } unlock{swap_mu_};
  if (Stopping()) return absl::UnavailableError(kStopping);
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
  if (!index.ok()) return index.status();
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
  VerifyOptions verify_options;
  verify_options.cancelled = cancelled;
  absl::StatusOr<VerifyReport> report = (*index)->Verify(verify_options);
  if (!report.ok()) return report.status();
  if (!report->ok()) {
    const auto& problems = report->problems;
    const size_t shown = std::min(problems.size(), kProblemsShown);
    return absl::FailedPreconditionError(absl::StrCat(
        "directory: the index at '", resolved, "' failed verification with ", problems.size(),
        " problem(s): ", absl::StrJoin(problems.begin(), problems.begin() + shown, "; "),
        problems.size() > shown ? "; ..." : ""));
  }
  return index;
}

void WriteCommitter::Stop() {
  absl::MutexLock stop(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (writer_.joinable()) writer_.join();
}

}  // namespace inkdex::server
