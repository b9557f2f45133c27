// TombstonePurger: inkdex-server's periodic Index::PurgeTombstones.
//
// A thread wakes every `interval` and forgets, in the index the holder
// serves at that moment, the tombstones of deletes committed more than `ttl`
// ago, in commits of at most `batch` records until none is left. Without it a
// server that follows a stream keeps every deleted id's row (~200 bytes of
// memory) and record forever. The index serializes a purge commit with the
// group commit's (its writer lock: ~15 ms for a batch of 1,000 scattered
// tombstones at 1,000,000 artists); searches never wait.
//
// The TTL is the guard against resurrection (inkdex/index.h,
// PurgeTombstones): a change older than a forgotten delete, arriving later,
// brings the artist back, so the TTL must exceed how long any change can be
// delayed or replayed (DynamoDB Streams keep records 24 hours).
//
// Example:
//   TombstonePurger::Options options;
//   options.ttl = absl::Hours(168);
//   options.on_run = [&](const TombstonePurgeRun& run) { metrics.Record...; };
//   TombstonePurger purger(holder, options);  // runs until Stop()
//
// Thread safety: RunOnce and Stop may be called from any thread; runs never
// overlap. Ownership: the holder must outlive the purger.
#ifndef INKDEX_SERVICE_SERVER_TOMBSTONE_PURGER_H_
#define INKDEX_SERVICE_SERVER_TOMBSTONE_PURGER_H_

#include <cstddef>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "inkdex/index.h"
#include "server/index_holder.h"

namespace inkdex::server {

// What one run did: the sums over its commits.
struct TombstonePurgeRun {
  uint64_t purged = 0;
  uint64_t dated = 0;
  uint64_t remaining = 0;
  size_t commits = 0;  // purge calls that wrote something
  absl::Duration duration;
  absl::Status status;  // not OK: the run stopped at that error (retried next interval)
};

class TombstonePurger {
 public:
  struct Options {
    // Tombstones of deletes older than this are forgotten. REQUIRES: > 0.
    absl::Duration ttl = absl::Hours(168);
    // Time between runs; the first runs one interval after the start.
    absl::Duration interval = absl::Hours(1);
    // Records per purge commit (TombstonePurgeOptions::max_records).
    size_t batch = 1000;
    // Called after each run on the purger's thread (metrics, logs).
    std::function<void(const TombstonePurgeRun&)> on_run;
  };

  // Starts the thread.
  TombstonePurger(IndexHolder& holder, Options options);
  ~TombstonePurger();  // Stop()
  TombstonePurger(const TombstonePurger&) = delete;
  TombstonePurger& operator=(const TombstonePurger&) = delete;

  // Purges now, on the calling thread (after any run in progress), and
  // reports the run to on_run like a scheduled one.
  TombstonePurgeRun RunOnce();

  // Stops the thread, waiting for a run in progress to finish its current
  // commit. Idempotent.
  void Stop();

 private:
  void Loop();

  IndexHolder& holder_;
  const Options options_;
  absl::Mutex run_mu_;  // one run at a time
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex stop_mu_;  // serializes Stop() (joining the thread)
  std::thread thread_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_TOMBSTONE_PURGER_H_
