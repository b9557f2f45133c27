// RequestLimiter: the bound on calls running in inkdex-server's handlers.
//
// A call takes a slot on admission and gives it back when it finishes. When
// all slots are taken, TryAcquire fails at once (the caller answers
// RESOURCE_EXHAUSTED) rather than queueing: a client that is told "busy"
// can back off or go elsewhere, while a queue without bound only turns
// overload into timeouts for everyone.
//
// Thread safety: all methods may be called from any thread; lock-free.
#ifndef INKDEX_SERVICE_SERVER_REQUEST_LIMITER_H_
#define INKDEX_SERVICE_SERVER_REQUEST_LIMITER_H_

#include <atomic>

namespace inkdex::server {

class RequestLimiter {
 public:
  // REQUIRES: max_in_flight >= 1.
  explicit RequestLimiter(int max_in_flight);

  // Takes a slot; false (nothing taken) when max_in_flight are taken.
  bool TryAcquire();
  // Gives back a slot. REQUIRES: a slot taken by TryAcquire, released once.
  void Release();

  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  int max_in_flight() const { return max_in_flight_; }

 private:
  const int max_in_flight_;
  std::atomic<int> in_flight_{0};
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_REQUEST_LIMITER_H_
