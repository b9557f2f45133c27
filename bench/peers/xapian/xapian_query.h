// Turning a SearchRequest into Xapian queries, the plain way:
//
//  * text: Xapian::QueryParser (English stemmer, STEM_SOME, default AND,
//    FLAG_PHRASE | FLAG_LOVEHATE, FLAG_PARTIAL on the last word). Runs of 1-3
//    words naming a style (taxonomy id or alias, "irezumi") also match the
//    style's boolean term, as inkdex's text does.
//  * radius: a LatLongDistancePostingSource over the LatLongCoords slot with
//    GreatCircleMetric(6371008.8 m) and max_range = the radius (plus a metre
//    of slack: the exact, date-aware check is ActiveLocationDecider's).
//  * viewport: Xapian has no box query, so an OR over the locations'
//    lat/lon slot pairs of OP_VALUE_RANGE on lat AND lon (two ranges when the
//    box crosses the antimeridian).
//  * styles: OR (any) or AND (all) of the S terms; filters: OP_VALUE_GE/LE on
//    rating, rate and years, the B term for open books; all under OP_FILTER
//    so they add no weight.
//
// Thread safety: free functions; the queries hold their own posting sources.
#ifndef INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_QUERY_H_
#define INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_QUERY_H_

#include <vector>

#include <xapian.h>

#include "absl/status/statusor.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"
#include "xapian_match.h"

namespace inkdex::bench::xapian_peer {

// Every constraint of the request except the styles. `max_locations`: the
// most locations an artist has (the viewport's slot pairs).
absl::StatusOr<Xapian::Query> BaseQuery(const Xapian::Database& db, const SearchRequest& request,
                                        const GeoQuery& geo, const StyleTaxonomy& taxonomy,
                                        int max_locations);

// The style constraint of `style_indexes` (taxonomy indexes, non-empty).
Xapian::Query StyleQuery(const std::vector<int>& style_indexes, StyleMatch match,
                         const StyleTaxonomy& taxonomy);

}  // namespace inkdex::bench::xapian_peer

#endif  // INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_QUERY_H_
