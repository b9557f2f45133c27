// Human-readable renderings of search, suggest and stats results: aligned
// text tables plus one-line facet summaries, for a terminal.
//
// Thread safety: pure functions writing to the given stream.
#ifndef INKDEX_TOOLS_INKDEX_OUTPUT_TABLE_H_
#define INKDEX_TOOLS_INKDEX_OUTPUT_TABLE_H_

#include <ostream>
#include <vector>

#include "inkdex/index.h"
#include "inkdex/query.h"

namespace inkdex::cli {

// The hits as a table (rank, name, studio, location, km, styles, rating,
// rate, score), then the facets, the total and the next page token.
void PrintSearchTable(const SearchResponse& response, const SearchRequest& request,
                      std::ostream& out);

void PrintSuggestionsTable(const std::vector<Suggestion>& suggestions, std::ostream& out);

// `layout`: null when unknown (a server too old to report it).
void PrintStatsTable(const IndexStats& stats, const StyleTaxonomy& taxonomy,
                     const std::vector<int64_t>& style_counts, const SlotLayout* layout,
                     std::ostream& out);

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_OUTPUT_TABLE_H_
