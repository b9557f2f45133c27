// Suggest: as-you-type completion over styles (ids, names, aliases), cities,
// studio names and artist names.
//
// Without a point, completions rank by how many searchable artists they
// cover (a style's live count, a city's or studio's artists), then by kind
// (style, city, studio, artist) and text. With a point, artists, studios and
// cities near it come first, nearest first, each with the number of artists
// behind it within the search radius (a guest spot only on the days it is
// active, as search counts it): the radius widens 2, 8, 32, 128,
// 512 km until it holds enough distinct completions, each widening reading
// only the cells the previous ones did not. Then the global ones.
//
// Cost: with a point, up to 25,000 cell entries (~2 ns each, a filter of how
// their words begin) and 1,000 rows whose filter passes (a few cache misses
// each), plus one S2 covering per radius; past those budgets the nearby part
// is what was found so far. Without a point, or when styles and nearby
// completions do not fill the page, the cities and studios with the most
// artists among those the prefix begins (engine/suggest_index.h: a max-tree,
// O(log n) a name) and the first artist names in key order: at most
// 3 x (limit + nearby ones) names, however many the prefix begins.
// Thread safety: reads only the snapshot; any number of calls at once.
#ifndef INKDEX_TEXT_SUGGESTER_H_
#define INKDEX_TEXT_SUGGESTER_H_

#include <vector>

#include "engine/snapshot.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"

namespace inkdex::text {

// `day` (days since 1970-01-01, engine/date.h) is request.date's, validated
// by the caller: near a point, a guest spot counts only when active on it.
std::vector<Suggestion> Suggest(const engine::Snapshot& snapshot, const StyleTaxonomy& taxonomy,
                                const SuggestRequest& request, int32_t day);

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_SUGGESTER_H_
