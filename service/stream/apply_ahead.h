// ApplyAhead: runs one job at a time, in the order given, on a thread of its
// own, so that the caller can prepare the next job while the previous one
// runs. A shard reader uses it to read the shard's next pages while the sink
// maps and commits the batch before them (ShardReaderOptions::read_ahead):
// one batch in flight, never two, so a shard's batches still reach the sink
// one after another and in stream order.
//
// A job returns false to say it failed for good (a shard reader's: it was
// stopped while retrying its batch); every later Start and Await then
// returns false without running anything.
//
//   ApplyAhead ahead;
//   while (...) {
//     Batch batch = ReadNext();           // overlaps the previous job
//     if (!ahead.Start([b = std::move(batch)]() mutable { return Apply(b); }))
//       break;                            // an earlier job failed
//   }
//   bool ok = ahead.Await();              // the last job's result
//
// Cost: one thread, started by the first Start and joined by the
// destructor; a hand-over is a mutex and a wake-up (microseconds, against
// the tens of milliseconds of a commit).
//
// Thread safety: Start and Await are called from one thread (the owner's);
// idle() from any.
#ifndef INKDEX_SERVICE_STREAM_APPLY_AHEAD_H_
#define INKDEX_SERVICE_STREAM_APPLY_AHEAD_H_

#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace inkdex::stream {

class ApplyAhead {
 public:
  ApplyAhead() = default;
  // Waits for the job in flight (it is not cancelled: stop it through
  // whatever it waits on), then ends the thread.
  ~ApplyAhead();
  ApplyAhead(const ApplyAhead&) = delete;
  ApplyAhead& operator=(const ApplyAhead&) = delete;

  // Waits until the previous job has finished, then hands `job` to the
  // thread and returns true at once; false, without running `job`, when a
  // job has failed.
  bool Start(absl::AnyInvocable<bool()> job);
  // Waits until no job is in flight; false when a job has failed.
  bool Await();
  // No job in flight (a Start would not wait).
  bool idle() const;

 private:
  void Loop();

  mutable absl::Mutex mu_;
  std::optional<absl::AnyInvocable<bool()>> next_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;  // a job handed over and not finished
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool quit_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // started by the first Start
};

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_APPLY_AHEAD_H_
