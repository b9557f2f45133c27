#include "server/slot_renumberer.h"

#include <memory>
#include <utility>

#include "absl/time/clock.h"
#include "stream/index_generations.h"

namespace inkdex::server {
namespace {

constexpr absl::Duration kReleasePoll = absl::Milliseconds(20);

}  // namespace

SlotRenumberer::SlotRenumberer(WriteCommitter& committer, IndexHolder& holder, Options options)
    : committer_(committer),
      holder_(holder),
      options_(std::move(options)),
      thread_([this] { Loop(); }) {}

SlotRenumberer::~SlotRenumberer() { Stop(); }

bool SlotRenumberer::Stopping() const { return stop_requested_.load(std::memory_order_relaxed); }

void SlotRenumberer::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval);
      if (stopping_) return;
    }
    RunOnce();
  }
}

std::optional<SlotRenumbering> SlotRenumberer::RunOnce(bool force) {
  absl::MutexLock one_at_a_time(&run_mu_);
  if (Stopping()) return std::nullopt;
  if (options_.ready && !options_.ready()) return std::nullopt;
  const absl::Time now = absl::Now();
  if (!force && now < retry_at_) return std::nullopt;
  absl::StatusOr<SlotLayout> layout = holder_.CurrentSlotLayout(now);
  if (!layout.ok()) return std::nullopt;  // the metrics refresh reports a failing measure
  if (!force && layout->Drift() < options_.drift) return std::nullopt;

  SlotRenumbering run;
  run.before = *layout;
  const absl::Time start = absl::Now();
  // Leftovers of an interrupted renumbering; the served generation stays.
  absl::StatusOr<std::vector<std::string>> leftovers =
      stream::RemoveStaleGenerations(options_.index_path, {holder_.directory()});
  run.directory = stream::NewGenerationDir(options_.index_path);
  if (options_.on_start) options_.on_start(run);
  std::weak_ptr<Index> replaced = holder_.Current();
  RenumberOptions renumber = options_.renumber;
  renumber.cancelled = [this] { return Stopping(); };
  renumber.before_serving = [this](const std::string& directory) {
    return stream::PointAt(options_.index_path, directory);
  };
  absl::StatusOr<RenumberResult> result = leftovers.ok()
                                              ? committer_.RenumberSlots(run.directory, renumber)
                                              : absl::StatusOr<RenumberResult>(leftovers.status());
  if (result.ok()) {
    run.result = *std::move(result);
    absl::StatusOr<SlotLayout> after = holder_.CurrentSlotLayout(absl::Now());
    if (after.ok()) run.drift_after = after->Drift();
    // The replaced index closes when its last call drops it; its generation
    // goes then (or at the next renumbering or start).
    const absl::Time give_up = absl::Now() + options_.release_wait;
    while (!replaced.expired() && absl::Now() < give_up && !Stopping()) {
      absl::SleepFor(kReleasePoll);
    }
    if (replaced.expired()) {
      absl::StatusOr<std::vector<std::string>> removed =
          stream::RemoveStaleGenerations(options_.index_path, {holder_.directory()});
      if (removed.ok()) run.removed = *std::move(removed);
    }
  } else {
    run.status = result.status();
    retry_at_ = absl::Now() + options_.retry_after_failure;
  }
  run.duration = absl::Now() - start;
  if (options_.on_run) options_.on_run(run);
  return run;
}

void SlotRenumberer::Stop() {
  stop_requested_.store(true, std::memory_order_relaxed);
  absl::MutexLock stop(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace inkdex::server
