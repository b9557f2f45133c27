#include "server/generation_owner.h"

namespace inkdex::server {

bool GenerationOwner::TryAcquire() {
  // A waiting re-sync goes first, even between its holder's release and its
  // own wake-up.
  if (YieldRequested()) return false;
  return mu_.TryLock();
}

void GenerationOwner::Acquire() {
  waiting_.fetch_add(1, std::memory_order_relaxed);
  mu_.Lock();
  waiting_.fetch_sub(1, std::memory_order_relaxed);
}

void GenerationOwner::Release() { mu_.Unlock(); }

}  // namespace inkdex::server
