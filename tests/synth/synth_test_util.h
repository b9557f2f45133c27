// Helpers shared by the synth tests: generate records in memory and parse
// them with nlohmann-json.
#ifndef INKDEX_TESTS_SYNTH_SYNTH_TEST_UTIL_H_
#define INKDEX_TESTS_SYNTH_SYNTH_TEST_UTIL_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "synth/synth.h"

namespace inkdex::synth {

// The whole output of WriteArtists() as one string; fails the test on error.
std::string GenerateText(const SynthOptions& options);
// The output split into lines, without their '\n'.
std::vector<std::string> GenerateLines(const SynthOptions& options);
// Every line parsed; fails the test if a line is not JSON.
std::vector<nlohmann::json> GenerateRecords(const SynthOptions& options);
// Whether `s` is one of the taxonomy's canonical style ids.
bool IsCanonicalStyle(const std::string& s);

}  // namespace inkdex::synth

#endif  // INKDEX_TESTS_SYNTH_SYNTH_TEST_UTIL_H_
