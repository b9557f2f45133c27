#include "server/tombstone_purger.h"

#include <utility>

#include "absl/time/clock.h"

namespace inkdex::server {

TombstonePurger::TombstonePurger(IndexHolder& holder, Options options)
    : holder_(holder), options_(std::move(options)), thread_([this] { Loop(); }) {}

TombstonePurger::~TombstonePurger() { Stop(); }

void TombstonePurger::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      // Returns early only when stopping.
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval);
      if (stopping_) return;
    }
    RunOnce();
  }
}

TombstonePurgeRun TombstonePurger::RunOnce() {
  absl::MutexLock run(&run_mu_);
  const absl::Time start = absl::Now();
  TombstonePurgeRun result;
  // The index served now; a swap during the run leaves this one to finish
  // on an index that is being dropped, which is harmless.
  const std::shared_ptr<Index> index = holder_.Current();
  TombstonePurgeOptions purge;
  purge.deleted_before = start - options_.ttl;
  purge.max_records = options_.batch;
  for (;;) {
    absl::StatusOr<TombstonePurge> p = index->PurgeTombstones(purge);
    if (!p.ok()) {
      result.status = p.status();
      break;
    }
    result.purged += p->purged;
    result.dated += p->dated;
    result.remaining = p->remaining;
    if (p->purged + p->dated > 0) ++result.commits;
    if (!p->more) break;
    absl::MutexLock lock(&mu_);
    if (stopping_) break;
  }
  result.duration = absl::Now() - start;
  if (options_.on_run) options_.on_run(result);
  return result;
}

void TombstonePurger::Stop() {
  absl::MutexLock stop(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace inkdex::server
