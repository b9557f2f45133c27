// SlotRenumberer: inkdex-server --renumber-online-at-drift: renumbers the
// served index's slots while serving, when they have drifted.
//
// An index fed for long loses the cell order of its slots (new artists get
// the next slot, moved ones keep theirs), and text-in-region searches slow
// as it goes (README "An index fed for long"). A thread checks the served
// index's slot drift every `interval` (IndexHolder::CurrentSlotLayout) and,
// at `drift` or more, has the committer renumber it
// (WriteCommitter::RenumberSlots) into a new generation directory beside
// --index (stream/index_generations.h: --index is a symlink to the served
// generation, repointed just before the renumbered one is served). Once the
// old index is closed (its last call has finished), its generation is
// removed. A failed renumbering (the disk, too many writes meanwhile) is
// reported and tried again `retry_after_failure` later at the soonest; a
// successful one is followed by none for `min_interval`.
//
// Cost of one: about a build of the index at idle CPU priority (1-4 min
// at 1,000,000 artists on 2 cores, longer the busier they are), twice the
// index's memory and disk meanwhile, and slower searches while it runs on
// a busy machine (WriteCommitter's RenumberOptions::background). No write is
// refused for it; writes wait only for the last round of the replay
// (WriteCommitter::RenumberSlots).
//
// On a --stream-table server the stream's records go on being applied
// meanwhile (through the committer, checkpoints included, so the
// renumbered index resumes the stream where the old one was); the
// supervisor's re-syncs and the renumberings take turns with the
// generations (Options::generations, generation_owner.h), a re-sync first.
//
// REQUIRES: --index prepared as a generation symlink before the open
// (PrepareStreamIndexPath, stream_supervisor.h); nothing but the committer
// writes the served index while `ready` returns true (a table bootstrap
// writes to it directly).
//
// Example:
//   SlotRenumberer::Options options;
//   options.index_path = flags.index_dir;
//   options.drift = 0.05;
//   options.on_run = [&](const SlotRenumbering& run) { log... };
//   SlotRenumberer renumberer(committer, holder, options);  // until Stop()
//
// Thread safety: RunOnce and Stop may be called from any thread; runs never
// overlap. Ownership: the committer and holder must outlive it.
#ifndef INKDEX_SERVICE_SERVER_SLOT_RENUMBERER_H_
#define INKDEX_SERVICE_SERVER_SLOT_RENUMBERER_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "inkdex/index.h"
#include "server/generation_owner.h"
#include "server/index_holder.h"
#include "server/write_committer.h"

namespace inkdex::server {

// One renumbering, reported to Options::on_start and on_run.
struct SlotRenumbering {
  SlotLayout before;                 // the layout that called for it
  bool asked = false;                // by RunAsked, not the drift
  bool skipped = false;              // RunAsked: under its min_drift, nothing done
  std::string directory;             // the new generation
  absl::Status status;               // not OK: the old index serves on
  RenumberResult result;             // when status is OK
  double drift_after = -1;           // measured on the renumbered index; -1: not measured
  std::vector<std::string> removed;  // old generations removed afterwards
  absl::Duration duration;
};

class SlotRenumberer {
 public:
  struct Options {
    std::string index_path;  // --index: a generation symlink
    // Renumber at this slot drift or more; 0: only when asked (RunAsked),
    // and no thread is started. REQUIRES: in [0, 1].
    double drift = 0.05;
    // Time between checks; the first is one interval after the start.
    absl::Duration interval = absl::Minutes(1);
    // After a failed renumbering, none before this much later.
    absl::Duration retry_after_failure = absl::Hours(1);
    // After a renumbering, no automatic one before this much later: a
    // stream of moves fast enough to drift the index again within one
    // renumbering's time would otherwise keep the server renumbering (and
    // holding two indexes) back to back. Asked ones (RunAsked) do not wait.
    absl::Duration min_interval = absl::Hours(1);
    // How long to wait for the replaced index's last call before removing
    // its generation (else it is removed by the next renumbering or start).
    absl::Duration release_wait = absl::Seconds(30);
    RenumberOptions renumber;  // `cancelled` and `before_serving` are set here
    // False while the served index may be written other than through the
    // committer (a table bootstrap): no check then. Empty: always ready.
    std::function<bool()> ready;
    // Shared with a stream supervisor (--stream-table), whose re-syncs
    // replace the index too: a renumbering runs only while it holds the
    // generations, and gives them up (cancelled: the old index serves on
    // until the re-sync's replaces it) when a re-sync asks. Not owned; null:
    // the renumberer is their only user.
    GenerationOwner* generations = nullptr;
    // Called on the renumberer's thread before a renumbering starts and
    // after it ends (logs, metrics).
    std::function<void(const SlotRenumbering&)> on_start;
    std::function<void(const SlotRenumbering&)> on_run;
  };

  // Starts the thread.
  SlotRenumberer(WriteCommitter& committer, IndexHolder& holder, Options options);
  ~SlotRenumberer();  // Stop()
  SlotRenumberer(const SlotRenumberer&) = delete;
  SlotRenumberer& operator=(const SlotRenumberer&) = delete;

  // Checks the drift now and renumbers when it calls for it (or always,
  // with `force`), on the calling thread; nullopt when nothing was done.
  std::optional<SlotRenumbering> RunOnce(bool force = false);

  // A renumbering asked for (Admin.RenumberSlots), on the calling thread:
  // when the drift, measured now, is at least `min_drift` (0: always),
  // whatever the automatic threshold and the wait after a failure. A run
  // that failed has its status in the result; `skipped`: the drift was
  // under min_drift (`before` says what it was).
  // Errors, nothing done: ABORTED (a renumbering is running), UNAVAILABLE
  // (not ready: a bootstrap or re-sync; or stopping), or the drift's
  // measurement's. `cancelled` (may be empty) stops the run as Stop does.
  absl::StatusOr<SlotRenumbering> RunAsked(double min_drift, std::function<bool()> cancelled);

  // Stops the thread, cancelling a renumbering in progress (the old index
  // serves on; the partial generation is removed). Idempotent.
  void Stop();
  // Stop's first half, without waiting for the thread: the running
  // renumbering (automatic or asked) ends soon after (about 2 s into a
  // rebuild at 1,000,000 artists; its status UNAVAILABLE), and no other
  // starts. (A server's drain stops them through the committer first,
  // WriteCommitter::CommitWithoutWaiting.)
  void RequestStop();

 private:
  // RunOnce, and RunAsked (`asked_drift`: its min_drift). REQUIRES: run_mu_
  // held.
  absl::StatusOr<std::optional<SlotRenumbering>> Run(bool force, std::optional<double> asked_drift,
                                                     const std::function<bool()>& cancelled)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  void Loop();
  // Lock-free: polled by the renumbering's open on a thread of the idle
  // scheduling class.
  bool Stopping() const;

  WriteCommitter& committer_;
  IndexHolder& holder_;
  const Options options_;
  absl::Mutex run_mu_;  // one run at a time
  absl::Time retry_at_ ABSL_GUARDED_BY(run_mu_) = absl::InfinitePast();
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> stop_requested_{false};
  absl::Mutex stop_mu_;  // serializes Stop() (joining the thread)
  std::thread thread_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_SLOT_RENUMBERER_H_
