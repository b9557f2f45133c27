// SynthOptions: what `inkdex synth` generates. The output is a pure function
// of these options: equal options give byte-identical output.
#ifndef INKDEX_TOOLS_SYNTH_SYNTH_OPTIONS_H_
#define INKDEX_TOOLS_SYNTH_SYNTH_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace inkdex::synth {

struct SynthOptions {
  // Number of artist records; record i (0 <= i < count) has id id_offset + i.
  uint64_t count = 0;
  uint64_t seed = 42;
  // Adds realistic faults (alias spellings, old field names, bad values,
  // broken lines, duplicate ids) to about `messy_fraction` of the records.
  bool messy = false;
  double messy_fraction = 0.10;
  // The day the data is "as of" (YYYY-MM-DD): availability, guest spots and
  // timestamps lie around it. Passed in rather than read from the clock so
  // that output stays deterministic.
  std::string today = "2026-11-29";
  // Added to every record index in ids, and in the seeding of each record, so
  // that files generated in parts with different offsets do not collide.
  uint64_t id_offset = 0;
  // Generation threads used by WriteArtists*(); the output does not depend on it.
  int threads = 2;
};

// OK, or InvalidArgument naming the bad field.
absl::Status ValidateOptions(const SynthOptions& options);

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_SYNTH_OPTIONS_H_
