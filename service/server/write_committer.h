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
// Thread safety: Write, SwapIndex, CommitWithoutWaiting and Stop may be
// called from any thread.
// Ownership: the committer does not own the holder, which must outlive it.
#ifndef INKDEX_SERVICE_SERVER_WRITE_COMMITTER_H_
#define INKDEX_SERVICE_SERVER_WRITE_COMMITTER_H_

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

  // The start of a shutdown's drain: commits the pending writes at once, and
  // from then on each write as soon as it arrives, instead of waiting out
  // the commit interval (a long one would otherwise outlast the drain
  // deadline, and its callers would be cancelled though their writes were
  // later applied). Writes are still accepted, so calls in flight get their
  // real results. Idempotent; Stop() still ends the committer.
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
  bool Stopping() const;

  IndexHolder& holder_;
  const Options options_;

  // Held for a whole swap (open, verification and replacement): one swap at
  // a time, and the served directory does not change under it. Acquired
  // before commit_mu_.
  absl::Mutex swap_mu_;
  // Held for a whole commit and a swap's replacement of the served index: a
  // swap sees no commit half done. Acquired before mu_.
  absl::Mutex commit_mu_ ABSL_ACQUIRED_AFTER(swap_mu_);

  mutable absl::Mutex mu_ ABSL_ACQUIRED_AFTER(commit_mu_);
  std::vector<PendingWrite*> pending_ ABSL_GUARDED_BY(mu_);  // arrival order
  size_t pending_changes_ ABSL_GUARDED_BY(mu_) = 0;
  // When the last commit took its writes (construction, at first).
  absl::Time last_commit_start_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;  // refuse new work, drain
  bool no_wait_ ABSL_GUARDED_BY(mu_) = false;   // CommitWithoutWaiting() called

  absl::Mutex stop_mu_;  // serializes Stop() (joining the thread)
  std::thread writer_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_WRITE_COMMITTER_H_
