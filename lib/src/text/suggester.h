// Suggest: as-you-type completion over styles (ids, names, aliases), cities,
// studio names and artist names.
//
// Without a point, completions rank by how many searchable artists they
// cover (a style's live count, a city's or studio's artists), then by kind
// (style, city, studio, artist) and text. With a point, artists, studios and
// cities near it (within a radius widened from 2 km up to 512 km until
// enough are found, or a ring holds 20,000 locations) come first, nearest first, then the global
// ones.
//
// Cost: prefix scans of the XA/XT/XC suggest terms (bounded to a few hundred
// terms each) plus one geo lookup with a point.
// Thread safety: the Xapian::Database must not be shared during the call;
// throws Xapian::Error (the caller converts it).
#ifndef INKDEX_TEXT_SUGGESTER_H_
#define INKDEX_TEXT_SUGGESTER_H_

#include <vector>

#include <xapian.h>

#include "engine/snapshot.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"

namespace inkdex::text {

std::vector<Suggestion> Suggest(Xapian::Database& db, const engine::Snapshot& snapshot,
                                const StyleTaxonomy& taxonomy, const SuggestRequest& request);

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_SUGGESTER_H_
