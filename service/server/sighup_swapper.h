// SighupSwapper: runs the index swaps that SIGHUP asks for on a thread of its
// own. The signal thread only requests one, so it stays free to start a
// drain: a swap opens the new index first (~5 s at 1,000,000 artists;
// WriteCommitter::SwapIndex), and a SIGTERM that waited for it would leave
// that much less of the drain deadline.
//
// Requests made while a swap runs coalesce into one more swap after it (the
// --index symlink may have been re-pointed again meanwhile, and the next
// swap reads it afresh). Stop() drops a request not yet started, tells the
// swap that runs (its `stopping` turns true: a swap stops opening the new
// index when it sees it) and waits for it.
//
// Example:
//   SighupSwapper swapper([&](const std::function<bool()>& stopping) {
//     SwapOnSighup(env, committer, index_dir, stopping);
//   });
//   swapper.Request();  // returns at once
//   ...
//   swapper.Stop();     // before the committer stops
//
// Thread safety: Request and Stop may be called from any thread.
// Ownership: `swap` (and what it refers to) must stay valid until Stop()
// returns.
#ifndef INKDEX_SERVICE_SERVER_SIGHUP_SWAPPER_H_
#define INKDEX_SERVICE_SERVER_SIGHUP_SWAPPER_H_

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace inkdex::server {

class SighupSwapper {
 public:
  // Starts the thread; `swap` runs on it once per (coalesced) request, with
  // `stopping`, true once Stop() has been called.
  explicit SighupSwapper(std::function<void(const std::function<bool()>& stopping)> swap);
  ~SighupSwapper();  // Stop()
  SighupSwapper(const SighupSwapper&) = delete;
  SighupSwapper& operator=(const SighupSwapper&) = delete;

  // Has a swap run: at once when none runs, else once after the one running
  // (however many requests arrive meanwhile). Never blocks on a swap.
  void Request();

  // Drops a request not yet started, waits for the running swap, and ends
  // the thread; later requests are ignored. Idempotent.
  void Stop();

 private:
  void Loop();

  const std::function<void(const std::function<bool()>& stopping)> swap_;
  absl::Mutex mu_;
  bool requested_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex stop_mu_;  // serializes Stop() (joining the thread)
  std::thread thread_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_SIGHUP_SWAPPER_H_
