// WriteCommitter: group commit of inkdex-server's writes, and index swaps.
//
// Each write call hands its WriteBatch to Write(), which blocks until the
// batch is committed. One writer thread commits whatever is pending as ONE
// Index::Apply (one synced commit); the per-change results are split back to
// the calls in order. Commits start at most once per `commit_interval`, or
// at once when the pending changes reach `max_pending_changes`: a write
// waits for the next commit start, `commit_interval` after the previous
// one, so a write after a quiet spell commits at once and a steady stream of
// writes shares one commit (one fsync, one Xapian commit) per interval. A
// write is acknowledged only once it is durable and searchable.
//
// Merging keeps the calls' order and each change whole (WriteBatch::Append:
// a stream delete keeps its sequence number and source rank): the changes
// (and metadata) of the call that arrived first come first, so the version
// rules give the same outcome as committing the calls one after another (a
// later call's change of the same id is checked against the earlier call's,
// and a later metadata value wins).
// The cost of grouping: when Apply fails (an I/O error, or metadata the
// library refuses) every call in that commit gets the error, and nothing of
// the commit is applied.
//
// SwapIndex opens (and optionally verifies) the new index while writes go on
// committing to the served one (at 1,000,000 artists the open takes ~5 s and
// a verification ~4 s more), then replaces the served index (IndexHolder)
// under the commit lock: writes pending at that moment are committed to the
// old index first, writes arriving after it go to the new index.
//
// RenumberSlots rebuilds the served index with its slots in cell order
// while it serves: a copy of its documents is opened renumbered, the
// commits made meanwhile are re-applied to it, and it is swapped in.
//
// Thread safety: Write, SwapIndex, RenumberSlots, CommitWithoutWaiting and Stop may be
// called from any thread.
// Ownership: the committer does not own the holder, which must outlive it.
#ifndef INKDEX_SERVICE_SERVER_WRITE_COMMITTER_H_
#define INKDEX_SERVICE_SERVER_WRITE_COMMITTER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "inkdex/index.h"
#include "server/index_holder.h"

namespace inkdex::server {

// One commit attempt, reported to Options::on_commit (metrics, logs).
struct CommitInfo {
  size_t changes = 0;       // changes in the merged batch
  size_t calls = 0;         // Write calls it served
  absl::Duration duration;  // time spent in Index::Apply
  uint64_t commit_seq = 0;  // the index's commit sequence afterwards
  absl::Status status;      // Apply's status; not OK: nothing committed
};

// What one Write call gets back.
struct CommitOutcome {
  std::vector<ChangeResult> results;  // one per change of the call's batch, in order
  uint64_t commit_seq = 0;            // the commit that holds the applied changes
};

struct SwapResult {
  std::string directory;  // the new index's (resolved) directory
  uint64_t documents = 0;
  uint64_t commit_seq = 0;
  uint64_t generation = 0;
  // Index::PrefetchSearchIndex before the swap (Options::prefetch_bytes): the
  // bytes read, or why it failed (the swap goes on: it is only the cache).
  uint64_t prefetched_bytes = 0;
  absl::Status prefetch;
};

// What WriteCommitter::RenumberSlots did.
struct RenumberResult {
  SwapResult swap;                 // the renumbered index, as served
  uint64_t copied_commit_seq = 0;  // the commit the copy was taken at
  // Commits made to the served index while the copy was opened, re-applied
  // to the copy before it was served.
  size_t replayed_commits = 0;
  size_t replayed_changes = 0;
  // The copy, its open (renumbering and rebuilding), the replay's rounds
  // while writes went on, and its last round, with writes held.
  absl::Duration copy_time, open_time, replay_time, held_time;
};

struct RenumberOptions {
  // Verify the renumbered index before it is served (~3-4 s at 1,000,000
  // artists); problems refuse it, as a verified swap does.
  bool verify = true;
  // Open and renumber the copy on a thread of the SCHED_IDLE class (nice
  // 19 where that is refused), which the library's writer threads it starts
  // inherit: the rebuild takes the CPU the searches and writes leave. It
  // does not make the rebuild free: on 2 cores already ~75 % busy (1,500
  // searches/s and 100 writes/s at 1M), search p99 went from 16-19 ms to
  // 25-145 ms, with 0-5 % of calls refused, for the ~3.5 min it took, the
  // same with nice 10 (caches, memory bandwidth and writeback are shared;
  // bench/RESULTS.md, "Forty-second session"). False: the caller's priority.
  bool background = true;
  // Polled throughout, as SwapIndex polls its own.
  std::function<bool()> cancelled;
  // Called with the copy's resolved directory once it holds every commit,
  // under the commit lock, just before it is served: for repointing the
  // path a restart opens (index_generations.h PointAt), so that a restart
  // never opens the old index after writes went to the new one. An error
  // fails the renumbering (the old index serves on). Empty: not called.
  std::function<absl::Status(const std::string& directory)> before_serving;
};

class WriteCommitter {
 public:
  struct Options {
    // The least time between two commit starts, and so the longest a write
    // waits for its commit to start (the group-commit window).
    absl::Duration commit_interval = absl::Milliseconds(100);
    // Commit at once when this many changes are pending.
    size_t max_pending_changes = 10000;
    // Called on the writer thread after every commit attempt. Must not call
    // Write or SwapIndex (the writer waits for it).
    std::function<void(const CommitInfo&)> on_commit;
    // At most this much of a swapped-in index's search index is read into
    // the page cache before it is served (Index::PrefetchSearchIndex); 0: none.
    uint64_t prefetch_bytes = 0;
  };

  // Starts the writer thread.
  WriteCommitter(IndexHolder& holder, Options options);
  ~WriteCommitter();  // Stop()
  WriteCommitter(const WriteCommitter&) = delete;
  WriteCommitter& operator=(const WriteCommitter&) = delete;

  // Commits `batch` (with the other pending writes) and returns its results.
  // Blocks until that commit is done; `batch` is read (not copied, unless
  // merged with other calls') until then. An empty batch commits nothing and
  // returns the served index's commit_seq. UNAVAILABLE after Stop(); the
  // status of Index::Apply when the commit failed.
  absl::StatusOr<CommitOutcome> Write(const WriteBatch& batch);

  // Opens the index in `dir` (it must exist: no index is created), runs
  // Index::Verify on it when `verify`, reads its search index into the page
  // cache (Options::prefetch_bytes), then commits the pending writes to the
  // served index and serves the new one from then on. Writes are held up only
  // by that last step, not by the open, the verification or the read. A
  // read that fails leaves the swap to go on (SwapResult::prefetch). One
  // swap runs at a time: a second call waits, polling `cancelled` (when set)
  // and Stop() every 20 ms. `cancelled` and Stop() are also polled by the open
  // (IndexOptions::cancelled), the verification (VerifyOptions::cancelled)
  // and the read, so a swap ends soon after either. On any error the served
  // index is unchanged: INVALID_ARGUMENT (no directory), NOT_FOUND (no index
  // there), FAILED_PRECONDITION (verification found problems: the first few
  // are listed; or `dir` is the index already served), CANCELLED, UNAVAILABLE
  // after Stop().
  absl::StatusOr<SwapResult> SwapIndex(const std::string& dir, bool verify,
                                       std::function<bool()> cancelled = nullptr);

  // Renumbers the served index's slots while it serves (IndexOptions::
  // renumber_slots, which otherwise needs a restart): copies its document
  // store into `dir` (Index::CopyDocumentStore; `dir` must not exist),
  // opens the copy renumbered on a thread of its own (a rebuild of the
  // search index: ~1 minute at 1,000,000 artists on 2 cores, twice the
  // snapshot's memory meanwhile, and the disk a build needs), re-applies to
  // it every commit made to the served index since the copy, in order
  // (their versions give them the same outcomes there: Index::Apply), and
  // serves it. Writes go on committing to the served index throughout and
  // are held up only by the last round of that replay, which runs under the
  // commit lock with the few commits made during the round before; a
  // commit that fails on the copy fails the renumbering, never a write.
  // Not re-applied: tombstones the purger forgets meanwhile (it commits
  // outside this committer), which the copy forgets at the purger's next
  // run. REQUIRES: nothing commits to the served index but this committer
  // meanwhile (a table bootstrap writes to it directly: wait for it).
  // One swap or renumbering at a time, as SwapIndex. On any error the
  // served index is unchanged and `dir` is removed: INVALID_ARGUMENT (dir
  // empty or taken), RESOURCE_EXHAUSTED (the disk, or more than
  // kMaxReplayChanges changes committed during the open), FAILED_PRECONDITION
  // (verification problems), CANCELLED, UNAVAILABLE after Stop().
  absl::StatusOr<RenumberResult> RenumberSlots(const std::string& dir,
                                               const RenumberOptions& options);
  // Changes recorded for a renumbering's replay at most: ~1 KB each.
  static constexpr size_t kMaxReplayChanges = 2'000'000;

  // The start of a shutdown's drain: commits the pending writes at once, and
  // from then on each write as soon as it arrives, instead of waiting out
  // the commit interval (a long one would otherwise outlast the drain
  // deadline, and its callers would be cancelled though their writes were
  // later applied). Writes are still accepted, so calls in flight get their
  // real results. Swaps and renumberings are not: one in progress stops
  // (UNAVAILABLE; a swap lasts only for the process, and an open or a
  // verification of a large index would outlast the drain), and new ones
  // are refused. Idempotent; Stop() still ends the committer.
  void CommitWithoutWaiting();

  // Write calls waiting for their commit to start (metrics, tests).
  size_t PendingWrites() const;

  // Commits every write still pending, stops the writer thread, and refuses
  // writes and swaps from then on. Idempotent.
  void Stop();

 private:
  struct PendingWrite {
    const WriteBatch* batch;  // the caller's, alive until it is done
    absl::Time enqueued;
    bool done = false;
    absl::StatusOr<CommitOutcome> outcome;
  };

  void WriterLoop();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether the writer thread should commit now (see the class comment).
  bool CommitDue() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes every pending write and commits it as one Apply on the served
  // index; wakes their callers.
  void CommitPending() ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  // Opens and verifies the index a swap will serve.
  absl::StatusOr<std::unique_ptr<Index>> OpenForSwap(const std::string& dir,
                                                     const std::string& resolved, bool verify,
                                                     const std::function<bool()>& cancelled)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(swap_mu_);
  // A drain has begun (CommitWithoutWaiting) or Stop() was called: no swap.
  bool Stopping() const;
  // Takes swap_mu_, waiting for another swap but not past `cancelled` or
  // Stop(); the caller unlocks it.
  absl::Status LockSwaps(const std::function<bool()>& cancelled, absl::string_view what)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true, swap_mu_);
  // Index::Verify; FAILED_PRECONDITION listing the first problems.
  static absl::Status VerifyForServing(const Index& index, const std::string& dir,
                                       const std::function<bool()>& cancelled);
  // A renumbering's copy opened (renumbered), verified and read into the
  // page cache, into *copy; times and sizes into *result.
  absl::Status PrepareCopy(const std::string& resolved, const RenumberOptions& options,
                           const std::function<bool()>& cancelled, std::unique_ptr<Index>* copy,
                           RenumberResult* result);
  // Applies the commits recorded for a renumbering to `index`.
  absl::Status Replay(std::vector<WriteBatch> batches, Index& index, RenumberResult* result);
  void StopRecording() ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);

  IndexHolder& holder_;
  const Options options_;

  // Held for a whole swap (open, verification and replacement): one swap at
  // a time, and the served directory does not change under it. Acquired
  // before commit_mu_.
  absl::Mutex swap_mu_;
  // Held for a whole commit and a swap's replacement of the served index: a
  // swap sees no commit half done. Acquired before mu_.
  absl::Mutex commit_mu_ ABSL_ACQUIRED_AFTER(swap_mu_);

  // While a renumbering opens its copy: every commit made to the served
  // index, in order, for its replay.
  bool recording_ ABSL_GUARDED_BY(commit_mu_) = false;
  bool recording_overflowed_ ABSL_GUARDED_BY(commit_mu_) = false;
  std::vector<WriteBatch> recorded_ ABSL_GUARDED_BY(commit_mu_);
  size_t recorded_changes_ ABSL_GUARDED_BY(commit_mu_) = 0;

  mutable absl::Mutex mu_ ABSL_ACQUIRED_AFTER(commit_mu_);
  std::vector<PendingWrite*> pending_ ABSL_GUARDED_BY(mu_);  // arrival order
  size_t pending_changes_ ABSL_GUARDED_BY(mu_) = 0;
  // When the last commit took its writes (construction, at first).
  absl::Time last_commit_start_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;  // refuse new work, drain
  bool no_wait_ ABSL_GUARDED_BY(mu_) = false;   // CommitWithoutWaiting() called

  // Set by CommitWithoutWaiting() and Stop(), read without a lock
  // (RenumberSlots' background open).
  std::atomic<bool> stop_requested_{false};
  absl::Mutex stop_mu_;  // serializes Stop() (joining the thread)
  std::thread writer_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_WRITE_COMMITTER_H_
