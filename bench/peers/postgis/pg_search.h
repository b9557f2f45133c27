// The SQL of a search for the PostGIS peer: one statement per request that
// returns the total, the page, the facets (and every id for the gate) as rows
// (kind, key, n, sort_key), from CTEs over the match set:
//
//   loc   the nearest matching active location of each artist (DISTINCT ON
//         (aid) ... ORDER BY aid, distance), with the artist's filter and
//         ranking columns (copied into locations, so a search without text
//         does not join artists): ST_DWithin on the
//         geography's GiST index for a radius, && on the geometry index plus
//         an exact lat/lon test for a viewport (two boxes across the
//         antimeridian); every active location for a point alone
//   base  loc, filters applied, and with text joined with artists for the
//         tsvector: the set the disjunctive style facet counts
//   hits  base with the style constraint and the sort key
//
// Nearest-first by at most one style without facets, text or filters (Q4)
// has its own statements: the total from the artist_styles B-tree (an
// index-only count) and the page from a KNN scan (ORDER BY geog <-> point
// LIMIT k) of the geography GiST index, reading 4x more locations until
// they hold `limit` distinct artists (an artist with guest spots appears
// once per location; its first is its nearest). Measured at 100k artists
// (300 queries, shared machine), KNN: p50 2.0-2.2 ms, p99 7-8 ms; radius
// searches widening 4x from 4 km until one holds `limit` artists: p50
// 2.3-2.5 ms, p99 16 ms.
//
// Distances: ST_Distance(..., use_spheroid => false), PostGIS's sphere of
// radius 6371008.7714 m (WGS84's mean radius) against inkdex's 6371.0088 km:
// 4.5e-9 relative, 2 mm at 500 km, so only artists within millimetres of a
// radius can differ.
//
// Thread safety: free functions, no shared state.
#ifndef INKDEX_BENCH_PEERS_POSTGIS_PG_SEARCH_H_
#define INKDEX_BENCH_PEERS_POSTGIS_PG_SEARCH_H_

#include <string>

#include "absl/status/statusor.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"
#include "peer.h"
#include "pg_connection.h"

namespace inkdex::bench::postgis {

// Stands for the number of locations read in SearchPlan::knn_sql.
inline constexpr char kLimitPlaceholder[] = "$LIMIT";

// How a request is answered (a radius/viewport/point/no geo request, or the
// nearest-first shortcut).
struct SearchPlan {
  bool nearest_shortcut = false;
  std::string sql;        // the general statement; the shortcut's every id (collect_ids)
  std::string total_sql;  // shortcut only
  // Shortcut only: the kLimitPlaceholder nearest active locations of the
  // style, nearest first (KNN), with their artist's id and distance (km).
  std::string knn_sql;
};

// INVALID_ARGUMENT for a request inkdex would refuse that the peer reads
// (unknown style, bad date); UNIMPLEMENTED for what it does not reproduce
// (phrases, page tokens, max_per_studio).
absl::StatusOr<SearchPlan> PlanSearch(const SearchRequest& r, const StyleTaxonomy& taxonomy,
                                      bool collect_ids);

// Reads the rows of a general statement.
PeerAnswer ReadSearchRows(const PgResult& rows, const SearchRequest& r,
                          const StyleTaxonomy& taxonomy);

}  // namespace inkdex::bench::postgis

#endif  // INKDEX_BENCH_PEERS_POSTGIS_PG_SEARCH_H_
