#include "server/request_limiter.h"

#include <algorithm>

namespace inkdex::server {

RequestLimiter::RequestLimiter(int max_in_flight) : max_in_flight_(std::max(1, max_in_flight)) {}

bool RequestLimiter::TryAcquire() {
  int current = in_flight_.load(std::memory_order_relaxed);
  while (current < max_in_flight_) {
    if (in_flight_.compare_exchange_weak(current, current + 1, std::memory_order_acquire,
                                         std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

void RequestLimiter::Release() { in_flight_.fetch_sub(1, std::memory_order_release); }

}  // namespace inkdex::server
