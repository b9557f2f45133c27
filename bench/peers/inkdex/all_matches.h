// AllMatchIds: every id an inkdex search matches, for the correctness gate.
//
// Index::Search refuses to page past SearchRequest::kMaxDepth (10,000) hits,
// and a wide query matches more (Q6 at 1M artists: about 100,000; Q4, a
// style worldwide, a quarter of the data). Below the limit the ids are paged
// out (kMaxLimit per page). Above it the query's region (its viewport; for a
// radius, the circle's bounding box; without either, the world) is split into
// viewport tiles, each the same request (text, styles, filters) with the
// radius replaced by the tile, quartered until a tile holds at most 1,000
// matches (paging re-runs a tile's search per page, so small tiles cost
// less; up to kMaxDepth where many artists share a point), and each tile
// paged out. A viewport matches an artist
// with any active location inside it, so the tiles' union is a superset of a
// radius's matches; it is filtered back to the radius with the artist's
// stored record (Index::Get) and match_geometry.h's distance, the same
// haversine inkdex uses. The result must have exactly the search's total
// ids, or the enumeration fails (INTERNAL): the ids are inkdex's own
// answers, never a re-implementation's guess.
//
// Cost: at most 10 pages per tile plus a count per tile, so about
// matches / 100 searches; for a radius above the limit also one Get per
// candidate.
//
// Thread safety: as Index::Search.
#ifndef INKDEX_BENCH_PEERS_INKDEX_ALL_MATCHES_H_
#define INKDEX_BENCH_PEERS_INKDEX_ALL_MATCHES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "inkdex/index.h"
#include "inkdex/query.h"

namespace inkdex::bench {

// REQUIRES: `total` is index.Search(request).total.
absl::StatusOr<std::vector<std::string>> AllMatchIds(const Index& index,
                                                     const SearchRequest& request, int64_t total);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_PEERS_INKDEX_ALL_MATCHES_H_
