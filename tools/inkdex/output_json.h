// JSON renderings of search, suggest and stats results for `--json` output
// (nlohmann-json). The shapes are the CLI's documented output: see
// `inkdex search --help` and README "CLI".
//
// Thread safety: pure functions.
#ifndef INKDEX_TOOLS_INKDEX_OUTPUT_JSON_H_
#define INKDEX_TOOLS_INKDEX_OUTPUT_JSON_H_

#include <vector>

#include "inkdex/index.h"
#include "inkdex/query.h"
#include "nlohmann/json.hpp"

namespace inkdex::cli {

// {"total", "hits": [...], "facets": {...}, "next_page_token", "spelling_suggestion"}.
// Absent values (distance without a point, no rate, last page) are null.
// Each hit carries "explanation" only when `explain`.
nlohmann::json SearchResponseToJson(const SearchResponse& response, bool explain);

// {"suggestions": [{"kind", "text", "id", "count", "distance_km"}]}.
nlohmann::json SuggestionsToJson(const std::vector<Suggestion>& suggestions);

// {"documents", "searchable", ..., "styles": [{"id", "label", "count"}]}.
nlohmann::json StatsToJson(const IndexStats& stats, const StyleTaxonomy& taxonomy,
                           const std::vector<int64_t>& style_counts);

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_OUTPUT_JSON_H_
