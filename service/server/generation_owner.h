// GenerationOwner: which of inkdex-server's index replacers may create,
// serve and remove the generations of its --index path
// (stream/index_generations.h) at a given moment.
//
// Two of them share one path on a --stream-table server started with
// --renumber-online-at-drift: the stream supervisor's re-syncs (a table scan
// into a new generation) and the slot renumberer's renumberings (a copy
// into a new generation). Each removes the generations it does not serve
// before it starts, so one running beside the other would remove the
// other's half-built generation. They take turns here instead:
//  - a renumbering is optional and can wait: it takes the generations only
//    when free (TryAcquire) and gives them up early when a re-sync asks
//    (YieldRequested, polled as its cancellation);
//  - a re-sync is not optional (the stream has lost records, or the index
//    must be bootstrapped): it asks the holder to yield and waits (Acquire).
//
// Example:
//   GenerationOwner owner;
//   if (owner.TryAcquire()) {            // the renumberer
//     GenerationLease lease(&owner);
//     Renumber(/*cancelled=*/[&] { return owner.YieldRequested(); });
//   }
//   owner.Acquire();                     // the supervisor
//   GenerationLease lease(&owner);
//   Resync();
//
// Thread safety: every method may be called from any thread; YieldRequested
// takes no lock (it is polled by threads of the idle scheduling class).
// REQUIRES: Release only by the thread that acquired.
#ifndef INKDEX_SERVICE_SERVER_GENERATION_OWNER_H_
#define INKDEX_SERVICE_SERVER_GENERATION_OWNER_H_

#include <atomic>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace inkdex::server {

class GenerationOwner {
 public:
  GenerationOwner() = default;
  GenerationOwner(const GenerationOwner&) = delete;
  GenerationOwner& operator=(const GenerationOwner&) = delete;

  // Takes the generations if nobody holds them and nobody waits for them.
  bool TryAcquire() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true, mu_);
  // Takes the generations, asking the holder to yield (YieldRequested) and
  // waiting until it has released them.
  void Acquire() ABSL_EXCLUSIVE_LOCK_FUNCTION(mu_);
  void Release() ABSL_UNLOCK_FUNCTION(mu_);
  // True while an Acquire waits: the holder should finish early.
  bool YieldRequested() const { return waiting_.load(std::memory_order_relaxed) > 0; }

 private:
  absl::Mutex mu_;
  std::atomic<int> waiting_{0};
};

// Releases an acquired GenerationOwner at the end of its scope; a null
// owner (the generations have one user) is nothing to release.
class GenerationLease {
 public:
  explicit GenerationLease(GenerationOwner* acquired) : owner_(acquired) {}
  ~GenerationLease() {
    if (owner_ != nullptr) owner_->Release();
  }
  GenerationLease(const GenerationLease&) = delete;
  GenerationLease& operator=(const GenerationLease&) = delete;

 private:
  GenerationOwner* const owner_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_GENERATION_OWNER_H_
