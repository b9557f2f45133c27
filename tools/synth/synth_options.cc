#include "synth/synth_options.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace inkdex::synth {

absl::Status ValidateOptions(const SynthOptions& options) {
  // Ids and seeds stay well inside 64 bits, and no run writes exabytes.
  constexpr uint64_t kMaxCount = uint64_t{1} << 40;
  if (options.count > kMaxCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("count: ", options.count, " is more than the maximum ", kMaxCount));
  }
  if (options.id_offset > kMaxCount * 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("id_offset: ", options.id_offset, " is too large"));
  }
  if (!(options.messy_fraction >= 0 && options.messy_fraction <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("messy_fraction: ", options.messy_fraction, " is not in [0, 1]"));
  }
  absl::CivilDay today;
  if (options.today.size() != 10 || !absl::ParseCivilTime(options.today, &today) ||
      today.year() < 1970 || today.year() > 9000) {
    return absl::InvalidArgumentError(
        absl::StrCat("today: '", options.today, "' is not a date YYYY-MM-DD"));
  }
  if (options.threads < 1 || options.threads > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("threads: ", options.threads, " is not in [1, 256]"));
  }
  return absl::OkStatus();
}

}  // namespace inkdex::synth
