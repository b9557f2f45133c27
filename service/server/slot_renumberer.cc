#include "server/slot_renumberer.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "stream/index_generations.h"

namespace inkdex::server {
namespace {

constexpr absl::Duration kReleasePoll = absl::Milliseconds(20);

}  // namespace

SlotRenumberer::SlotRenumberer(WriteCommitter& committer, IndexHolder& holder, Options options)
    : committer_(committer), holder_(holder), options_(std::move(options)) {
  if (options_.drift > 0) thread_ = std::thread([this] { Loop(); });
}

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
  absl::StatusOr<std::optional<SlotRenumbering>> run = Run(force, std::nullopt, nullptr);
  // Not ready, or the measurement failed (the metrics refresh reports it).
  return run.ok() ? *std::move(run) : std::nullopt;
}

absl::StatusOr<SlotRenumbering> SlotRenumberer::RunAsked(double min_drift,
                                                         std::function<bool()> cancelled) {
  if (!run_mu_.TryLock()) {
    return absl::AbortedError(
        "renumbering: another renumbering is running (one at a time); retry once it has "
        "finished");
  }
  absl::StatusOr<std::optional<SlotRenumbering>> run = Run(false, min_drift, cancelled);
  run_mu_.Unlock();
  if (!run.ok()) return run.status();
  return std::move(**run);
}

absl::StatusOr<std::optional<SlotRenumbering>> SlotRenumberer::Run(
    bool force, std::optional<double> asked_drift, const std::function<bool()>& cancelled) {
  const bool asked = asked_drift.has_value();
  if (Stopping()) return absl::UnavailableError("renumbering: the server is stopping");
  if (options_.ready && !options_.ready()) {
    return absl::UnavailableError(
        "renumbering: not now: the index is being loaded from the table (a bootstrap or "
        "re-sync), or the stream reader is waiting after an error; try again later");
  }
  const absl::Time now = absl::Now();
  if (!force && !asked && now < retry_at_) return std::nullopt;
  // Asked: measured now (~15-20 ms at 1,000,000 artists), not the
  // holder's figure of up to an interval ago.
  absl::StatusOr<SlotLayout> layout =
      asked ? holder_.Current()->MeasureSlotLayout() : holder_.CurrentSlotLayout(now);
  if (!layout.ok()) return layout.status();
  if (asked && layout->Drift() < *asked_drift) {
    SlotRenumbering skipped;
    skipped.asked = skipped.skipped = true;
    skipped.before = *layout;
    return std::optional<SlotRenumbering>(std::move(skipped));
  }
  if (!force && !asked && layout->Drift() < options_.drift) return std::nullopt;
  // A stream supervisor's re-sync holds the generations, or waits for them:
  // not now (its new index is loaded in cell order anyway).
  GenerationOwner* const owner = options_.generations;
  if (owner != nullptr && !owner->TryAcquire()) {
    return absl::UnavailableError(
        "renumbering: a re-sync from the table is running or due; try again once it is done");
  }
  const GenerationLease lease(owner);
  auto yield = [owner] { return owner != nullptr && owner->YieldRequested(); };

  SlotRenumbering run;
  run.asked = asked;
  run.before = *layout;
  const absl::Time start = absl::Now();
  // Leftovers of an interrupted renumbering; the served generation stays.
  absl::StatusOr<std::vector<std::string>> leftovers =
      stream::RemoveStaleGenerations(options_.index_path, {holder_.directory()});
  run.directory = stream::NewGenerationDir(options_.index_path);
  if (options_.on_start) options_.on_start(run);
  std::weak_ptr<Index> replaced = holder_.Current();
  RenumberOptions renumber = options_.renumber;
  renumber.cancelled = [this, yield, &cancelled] {
    return Stopping() || yield() || (cancelled && cancelled());
  };
  renumber.before_serving = [this](const std::string& directory) {
    return stream::PointAt(options_.index_path, directory);
  };
  absl::StatusOr<RenumberResult> result = leftovers.ok()
                                              ? committer_.RenumberSlots(run.directory, renumber)
                                              : absl::StatusOr<RenumberResult>(leftovers.status());
  if (result.ok()) {
    retry_at_ = absl::Now() + options_.min_interval;
    run.result = *std::move(result);
    absl::StatusOr<SlotLayout> after = holder_.CurrentSlotLayout(absl::Now());
    if (after.ok()) run.drift_after = after->Drift();
    // The replaced index closes when its last call drops it; its generation
    // goes then (or at the next renumbering or start).
    const absl::Time give_up = absl::Now() + options_.release_wait;
    while (!replaced.expired() && absl::Now() < give_up && !Stopping() && !yield()) {
      absl::SleepFor(kReleasePoll);
    }
    if (replaced.expired()) {
      absl::StatusOr<std::vector<std::string>> removed =
          stream::RemoveStaleGenerations(options_.index_path, {holder_.directory()});
      if (removed.ok()) run.removed = *std::move(removed);
    }
  } else {
    run.status = result.status();
    if (absl::IsCancelled(run.status) && Stopping()) {
      // A drain's: the caller of an asked one should try another replica.
      run.status = absl::UnavailableError(
          absl::StrCat("renumbering: the server is stopping (", run.status.message(), ")"));
    }
    // Given up for a re-sync, which replaces the index anyway, or asked
    // for: the automatic checks are not held back.
    if (!asked && !(yield() && absl::IsCancelled(run.status))) {
      retry_at_ = absl::Now() + options_.retry_after_failure;
    }
  }
  run.duration = absl::Now() - start;
  if (options_.on_run) options_.on_run(run);
  return std::optional<SlotRenumbering>(std::move(run));
}

void SlotRenumberer::RequestStop() {
  stop_requested_.store(true, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

void SlotRenumberer::Stop() {
  RequestStop();
  absl::MutexLock stop(&stop_mu_);
  if (thread_.joinable()) thread_.join();
}

}  // namespace inkdex::server
