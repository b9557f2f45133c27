#include "stream/apply_ahead.h"

#include <utility>

namespace inkdex::stream {

ApplyAhead::~ApplyAhead() {
  {
    absl::MutexLock lock(&mu_);
    quit_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool ApplyAhead::Start(absl::AnyInvocable<bool()> job) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](bool* busy) { return !*busy; }, &busy_));
  if (failed_) return false;
  next_ = std::move(job);
  busy_ = true;
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  return true;
}

bool ApplyAhead::Await() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](bool* busy) { return !*busy; }, &busy_));
  return !failed_;
}

bool ApplyAhead::idle() const {
  absl::MutexLock lock(&mu_);
  return !busy_;
}

void ApplyAhead::Loop() {
  for (;;) {
    absl::AnyInvocable<bool()> job;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ApplyAhead* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->next_.has_value() || self->quit_;
          },
          this));
      // The destructor waits for a job handed over before it, as for one
      // already running: a batch accepted by Start is never dropped.
      if (!next_) return;
      job = *std::move(next_);
      next_.reset();
    }
    const bool ok = job();
    job = nullptr;  // what the job holds is freed on this thread, not the owner's
    absl::MutexLock lock(&mu_);
    busy_ = false;
    if (!ok) failed_ = true;
  }
}

}  // namespace inkdex::stream
