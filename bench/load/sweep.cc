#include "sweep.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace inkdex::bench::load {

absl::StatusOr<std::vector<double>> ParseRates(std::string_view list) {
  std::vector<double> rates;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(list.data(), list.size()), ',', absl::SkipWhitespace())) {
    double r = 0;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(item), &r)) {
      return absl::InvalidArgumentError(absl::StrCat("--rates: \"", item, "\" is not a number"));
    }
    rates.push_back(r);
  }
  return rates;
}

absl::StatusOr<std::vector<double>> SweepRates(const SweepOptions& options) {
  std::vector<double> rates = options.rates;
  if (rates.empty()) {
    if (!(options.start > 0) || !(options.step > 0) || !std::isfinite(options.max)) {
      return absl::InvalidArgumentError(
          "--sweep-start and --sweep-step: must be > 0, --sweep-max finite");
    }
    for (double r = options.start; r <= options.max * (1 + 1e-9); r += options.step) {
      rates.push_back(r);
    }
    if (rates.empty()) {
      return absl::InvalidArgumentError("--sweep-max: must be >= --sweep-start");
    }
  }
  for (size_t i = 0; i < rates.size(); ++i) {
    if (!(rates[i] > 0) || !std::isfinite(rates[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("--rates: ", rates[i], " is not a rate > 0 (calls per second)"));
    }
    if (i > 0 && rates[i] <= rates[i - 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat("--rates: must rise; ", rates[i], " follows ", rates[i - 1]));
    }
  }
  return rates;
}

std::optional<std::string> SaturationReason(const StepStats& step, const SweepOptions& options) {
  if (step.achieved_qps < options.min_achieved_share * step.offered_qps) {
    return absl::StrFormat("achieved %.0f/s < %.0f%% of offered %.0f/s", step.achieved_qps,
                           options.min_achieved_share * 100, step.offered_qps);
  }
  const uint64_t errors = step.error_count();
  if (step.measured > 0 &&
      static_cast<double>(errors) > options.max_error_share * static_cast<double>(step.measured)) {
    return absl::StrFormat("%d of %d calls failed", errors, step.measured);
  }
  if (step.latency.p99_us > options.saturation_p99_ms * 1000) {
    return absl::StrFormat("p99 %.1f ms > %.0f ms", step.latency.p99_us / 1000,
                           options.saturation_p99_ms);
  }
  return std::nullopt;
}

std::optional<size_t> BestStepWithinSlo(const std::vector<StepStats>& steps, double slo_p99_ms,
                                        double min_achieved_share) {
  std::optional<size_t> best;
  for (size_t i = 0; i < steps.size(); ++i) {
    const StepStats& s = steps[i];
    if (s.mode != "open" || s.error_count() > 0 || s.ok == 0) continue;
    if (s.latency.p99_us > slo_p99_ms * 1000) continue;
    if (s.achieved_qps < min_achieved_share * s.offered_qps) continue;
    if (!best.has_value() || s.offered_qps > steps[*best].offered_qps) best = i;
  }
  return best;
}

}  // namespace inkdex::bench::load
