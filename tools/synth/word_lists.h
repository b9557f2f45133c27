// Word lists for synthetic artist records: names by naming culture, the
// canonical style ids with their popularity order, display names and alias
// spellings, motifs, studio-name parts and biography sentence templates.
//
// All lists are static constant data; safe to read from any thread.
#ifndef INKDEX_TOOLS_SYNTH_WORD_LISTS_H_
#define INKDEX_TOOLS_SYNTH_WORD_LISTS_H_

#include <string_view>

#include "absl/types/span.h"

namespace inkdex::synth {

using WordList = absl::Span<const std::string_view>;

// A naming culture: romanized first and last names, plus how its streets are
// written ("{name}" is replaced by a street name, "{n}" by a house number).
struct NameCulture {
  std::string_view id;
  WordList first_names;
  WordList last_names;
  std::string_view street_pattern;
  WordList street_suffixes;  // appended to the street name when the pattern has "{suffix}"
};

// The culture most artists in `country_code` are named in; a default
// (English-speaking) culture for countries without their own list.
const NameCulture& CultureForCountry(std::string_view country_code);
// All cultures, for the share of artists named in another culture.
absl::Span<const NameCulture> AllCultures();

// The 27 canonical style ids (data-model.md), most popular first.
WordList StyleIdsByPopularity();
// Human wording of a canonical id ("neo_traditional" -> "neo-traditional");
// the id itself when unknown.
std::string_view StyleDisplayName(std::string_view style_id);
// Other spellings the platform's data uses for a canonical id (aliases and
// variants of case and separators); never empty for a canonical id.
WordList StyleAliases(std::string_view style_id);
// Style values that are no style inkdex knows ("dragonz").
WordList UnknownStyles();

// Motifs (specialties) typical for a canonical style; empty when none.
WordList MotifsForStyle(std::string_view style_id);
// Motifs any artist may list.
WordList CommonMotifs();
WordList BodyParts();

// Studio names: patterns with "{adj}", "{noun}", "{noun2}" and "{city}".
WordList StudioNamePatterns();
WordList StudioAdjectives();
WordList StudioNouns();

// Biography sentence templates. Placeholders: {first}, {city}, {years},
// {style}, {style2}, {motif}, {motif2}, {studio}.
WordList BioOpenings();
WordList BioMiddles();
WordList BioClosings();

// Instagram handle patterns: {first}, {last}, {f} (first initial), {city}.
WordList HandlePatterns();

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_WORD_LISTS_H_
