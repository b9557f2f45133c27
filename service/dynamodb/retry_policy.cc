#include "dynamodb/retry_policy.h"

#include <algorithm>

namespace inkdex::dynamodb {

absl::Duration RetryPolicy::Ceiling(int retry) const {
  absl::Duration ceiling = base_delay;
  // Doubling stops at the cap, so large retry numbers cannot overflow.
  for (int i = 1; i < retry && ceiling < max_delay; ++i) ceiling *= 2;
  return std::min(ceiling, max_delay);
}

absl::Duration RetryPolicy::Delay(int retry, double uniform01) const {
  return Ceiling(retry) * std::clamp(uniform01, 0.0, 1.0);
}

}  // namespace inkdex::dynamodb
