// The sweep: open-loop steps at rising offered rates until the server
// saturates, to draw the latency curve up to saturation.
//
// A step counts as saturated when the server no longer keeps up with the
// offered rate: it completed fewer than min_achieved_share of the offered
// calls per second, or more than max_error_share of the calls failed (the
// server refuses work it cannot take: RESOURCE_EXHAUSTED, or calls run past
// their deadline), or the p99 latency passed saturation_p99_ms (queues are
// growing). The sweep stops after the first saturated step.
//
// Thread safety: plain values and free functions.
#ifndef INKDEX_BENCH_LOAD_SWEEP_H_
#define INKDEX_BENCH_LOAD_SWEEP_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "step_stats.h"

namespace inkdex::bench::load {

struct SweepOptions {
  std::vector<double> rates;  // explicit rates; when empty: start, start+step, ... <= max
  double start = 1000;
  double step = 1000;
  double max = 30000;
  double min_achieved_share = 0.95;
  double max_error_share = 0.01;
  double saturation_p99_ms = 100;
};

// The offered rates of the sweep, rising. INVALID_ARGUMENT naming the flag
// when a rate is <= 0, the list does not rise, or start/step/max give none.
absl::StatusOr<std::vector<double>> SweepRates(const SweepOptions& options);

// Parses "1000,2000,5000" (--rates). INVALID_ARGUMENT naming the item that is
// not a number.
absl::StatusOr<std::vector<double>> ParseRates(std::string_view list);

// Why `step` counts as saturated, or nullopt when it does not.
std::optional<std::string> SaturationReason(const StepStats& step, const SweepOptions& options);

// The open-loop step with the highest offered rate that met the service
// level: p99 <= slo_p99_ms, no errors, and achieved >= min_achieved_share of
// offered. nullopt when no step did.
std::optional<size_t> BestStepWithinSlo(const std::vector<StepStats>& steps, double slo_p99_ms,
                                        double min_achieved_share);

}  // namespace inkdex::bench::load

#endif  // INKDEX_BENCH_LOAD_SWEEP_H_
