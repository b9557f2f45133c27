// Fault: the kinds of damage `--messy` gives a record, modelled on what the
// platform's real data holds. Record i gets at most one fault, chosen from
// (seed, i) alone, so tests and benchmarks can ask which record has which.
#ifndef INKDEX_TOOLS_SYNTH_FAULT_H_
#define INKDEX_TOOLS_SYNTH_FAULT_H_

#include <string_view>

namespace inkdex::synth {

enum class Fault {
  kNone,
  kStyleAlias,        // style ids spelled as aliases: "Neo-Traditional", "watercolor", "Irezumi"
  kOldFieldNames,     // `name`, `location`, `bio`, top-level `studioName`
  kMissingFields,     // several optional fields left out
  kNumbersAsStrings,  // "latitude":"53.79", "rating":"4.5", ...
  kBadCoordinates,    // latitude out of range, "NaN", null, or longitude missing
  kWrongTypes,        // styles as one string, rating "five"
  kUnknownStyle,      // a style no taxonomy knows ("dragonz")
  kTruncated,         // the line is cut short: not valid JSON
  kGarbage,           // the line is not an artist record at all
  kDuplicateId,       // reuses the artistId of an earlier record
};
inline constexpr int kFaultKinds = static_cast<int>(Fault::kDuplicateId) + 1;

// "style_alias", "old_field_names", ...; "none" for kNone.
std::string_view FaultName(Fault fault);

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_FAULT_H_
