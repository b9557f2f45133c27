// The PostGIS peer's schema and bulk load (bench/peers/postgis/).
//
//   artists(aid PK, id, styles smallint[] (taxonomy indexes, GIN), rating
//           (NULL: unrated, i.e. no rating or no reviews), reviews (review
//           count when rated, else 0), hourly_rate, booking_open,
//           years_active, name, studio_name, city (primary, "City, CC"),
//           tsv tsvector (GIN; pg_text.h says what it holds))
//   locations(aid, and the artist's id .. years_active copied (a search
//           without text reads one table: filters, ranking and facets come
//           with the location), geog geography(Point,4326) (GiST; the table
//           is CLUSTERed on it), a GiST on geog::geometry for lat/lon
//           rectangles, active_from/active_to (dates; -infinity/infinity for
//           the primary location), city ("City, CC", the facet key), starts
//           (the first three letters of every word of name, studio and city;
//           GIN, for suggest))
//   artist_styles(style, aid): B-tree (style, aid), for counting the
//           artists of a style with an index-only scan
//
// Only searchable artists are loaded (inkdex indexes no others). Both tables
// are created and filled with COPY (text format) in one transaction, then
// indexed, CLUSTERed and VACUUM ANALYZEd (the visibility map makes counts
// index-only).
//
// Thread safety: uses the caller's connection.
#ifndef INKDEX_BENCH_PEERS_POSTGIS_PG_SCHEMA_H_
#define INKDEX_BENCH_PEERS_POSTGIS_PG_SCHEMA_H_

#include <vector>

#include "absl/status/status.h"
#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"
#include "pg_connection.h"

namespace inkdex::bench::postgis {

// Drops and recreates the tables, loads `artists`, builds the indexes and
// runs ANALYZE.
absl::Status LoadArtists(PgConnection& conn, const std::vector<Artist>& artists,
                         const StyleTaxonomy& taxonomy);

// The first three letters (lowercase ASCII) of every word of `text`,
// appended to `out` when new; words of one or two letters are kept whole.
void AppendWordStarts(std::string_view text, std::vector<std::string>* out);

}  // namespace inkdex::bench::postgis

#endif  // INKDEX_BENCH_PEERS_POSTGIS_PG_SCHEMA_H_
