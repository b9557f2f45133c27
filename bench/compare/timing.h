// Small measuring tools for the peer comparison: latency percentiles
// (nearest rank, as the library benchmarks report them) and the process's
// resident set.
//
// Thread safety: pure functions; ResidentBytes reads /proc.
#ifndef INKDEX_BENCH_COMPARE_TIMING_H_
#define INKDEX_BENCH_COMPARE_TIMING_H_

#include <chrono>
#include <cstdint>
#include <vector>

namespace inkdex::bench {

using Clock = std::chrono::steady_clock;

inline double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

struct LatencySummary {
  size_t count = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0, mean_us = 0;
};

// Nearest-rank percentiles of `micros` (any order); all zero when empty.
LatencySummary Summarize(std::vector<double> micros);

// VmRSS of this process in bytes (0 when /proc is unreadable).
uint64_t ResidentBytes();

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_COMPARE_TIMING_H_
