// ReadWorkers: a fixed pool of threads, one per core by default, that runs
// the admitted read calls of inkdex-server's callback-API handlers.
//
// Why not run a read inline on the gRPC thread that delivers it: gRPC runs
// the calls that arrive in one read of a connection one after another on
// that thread, and only a couple of its threads poll. Inline, the reads
// queue invisibly behind each other on one core while the other idles, the
// limiter never sees them (RESOURCE_EXHAUSTED stops working) and, under
// overload, most calls expire in that queue. With the pool, a handler admits
// the call inline (CallGuard: token, limiter) and hands it here: the queue
// holds admitted calls only, so --max-concurrent-requests bounds it, and the
// calls spread over all cores. The hand-off is one queue push and at most one
// wake-up, far cheaper than the synchronous server's (which also creates and
// ends threads).
//
// Thread safety: thread-safe.
// Ownership: owns its threads. The destructor runs the jobs already queued,
// then joins the threads. REQUIRES: nothing calls Run once destruction has
// begun.
#ifndef INKDEX_SERVICE_SERVER_READ_WORKERS_H_
#define INKDEX_SERVICE_SERVER_READ_WORKERS_H_

#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace inkdex::server {

class ReadWorkers {
 public:
  // `threads` <= 0: one per core (std::thread::hardware_concurrency, at
  // least 1).
  explicit ReadWorkers(int threads = 0);
  ~ReadWorkers();
  ReadWorkers(const ReadWorkers&) = delete;
  ReadWorkers& operator=(const ReadWorkers&) = delete;

  // Queues `job`; a worker runs it (jobs start in the order queued).
  void Run(absl::AnyInvocable<void() &&> job);

  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void Work();
  bool HasJobOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queue_.empty();
  }

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_READ_WORKERS_H_
