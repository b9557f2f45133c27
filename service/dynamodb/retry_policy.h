// RetryPolicy: how often and how long the DynamoDB clients wait before
// repeating a request that failed in a way worth repeating (throttling, 5xx,
// network errors; see aws_error.h): up to `max_attempts` attempts, waiting
// before retry n (1-based) a uniformly random time in [0, ceiling(n)], where
// ceiling(n) = min(max_delay, base_delay * 2^(n-1)) ("full jitter", as in the
// AWS Architecture Blog's "Exponential Backoff And Jitter": concurrent
// clients throttled together spread out instead of retrying in step).
//
// RetryCounters: what the retries cost, for metrics and summaries.
//
// Thread safety: plain value types and pure functions.
#ifndef INKDEX_SERVICE_DYNAMODB_RETRY_POLICY_H_
#define INKDEX_SERVICE_DYNAMODB_RETRY_POLICY_H_

#include <cstdint>

#include "absl/time/time.h"

namespace inkdex::dynamodb {

struct RetryPolicy {
  int max_attempts = 10;  // >= 1; 1 = never retry
  absl::Duration base_delay = absl::Milliseconds(50);
  absl::Duration max_delay = absl::Seconds(10);  // the cap of every single wait

  // The longest wait before retry `retry` (1-based).
  absl::Duration Ceiling(int retry) const;
  // The wait before retry `retry` given `uniform01`, a random number in
  // [0, 1): uniform01 * Ceiling(retry).
  absl::Duration Delay(int retry, double uniform01) const;
};

// Totals over the calls a client made (every attempt counted once).
struct RetryCounters {
  uint64_t calls = 0;           // operations asked for
  uint64_t attempts = 0;        // HTTP requests sent (or tried)
  uint64_t retries = 0;         // attempts after the first of a call
  uint64_t throttled = 0;       // answers that were throttling errors
  uint64_t server_errors = 0;   // 5xx answers
  uint64_t network_errors = 0;  // no complete answer (timeouts, resets)
  uint64_t failed = 0;          // calls that ended in an error
};

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_RETRY_POLICY_H_
