// The SQLite peer (bench/README.md "Peers"): the embedded alternative, SQLite
// 3 in process used the way an expert would, answering the benchmark's
// queries with inkdex's semantics (peer.h).
//
// Store (one file, <dir>/inkdex.sqlite, WAL):
//   artists(id INTEGER PRIMARY KEY = load order, artist_id UNIQUE, name,
//           studio, style_mask, rating, review_count, hourly_rate,
//           booking_open, years_active)
//   artist_styles(artist, style) WITHOUT ROWID + index (style, artist)
//   locations(id, artist, lat, lon, from_day, to_day, city, style_mask):
//           one row per primary location and guest spot, dates as day
//           numbers (a primary location is always active); the artist's
//           style mask is repeated so nearest-first rings test the style
//           before reading the artist
//   location_rtree: R*Tree over the location points (lat/lon boxes), ids
//           shared with locations
//   artist_text: FTS5, contentless, terms as inkdex indexes them
//           (sqlite_text.h)
//   suggest_terms(kind, term, text, count, artist): the completions inkdex's
//           Suggest scans (artist names, studio names, primary cities)
//   suggest_words(prefix, lat, lon, location): the first three letters
//           (ASCII lowercased) of every word of a location's artist name,
//           studio name and city, once per location: Suggest's nearby
//           candidates, read by prefix and latitude band
//   style_counts(style, count): artists per style, a materialized
//           aggregate (with writes it would be kept by triggers), as inkdex
//           keeps per-style totals
// Only searchable artists are loaded (opted out or inactive ones are not).
// The load is one transaction with prepared statements, without a journal
// or fsyncs (a 1 GB cache); secondary indexes are created after the rows;
// then FTS5 'optimize', ANALYZE, and the file is switched to WAL.
// Connections: WAL, mmap (4 GB), a 256 MB page cache, temp tables in
// memory, every statement prepared once and reused.
//
// Search (sqlite_search.cc): requests are validated and normalized by
// inkdex's own planner (engine::PlanQuery: the same INVALID_ARGUMENT
// errors, the same date and sort defaults).
//  * Radius / viewport: R*Tree candidates inside the region's bounding box
//    (the radius's box is exact for a spherical cap; two boxes across the
//    antimeridian), active on the date, checked exactly in SQL with inkdex's
//    great-circle distance (geo::DistanceKm registered as dist_km()) or the viewport
//    test, grouped per artist at the nearest matching location (SQLite's
//    MIN() bare-column rule picks that location's city), filtered, joined
//    with the FTS5 matches when there is text (their ids in a temporary
//    table; the weights, which need positions, are read afterwards and only
//    when the region holds a match), into a temporary table: the base set
//    (every constraint but the style). Facets
//    are GROUP BY queries over it (styles by joining artist_styles:
//    disjunctive), the page an ORDER BY over a registered key function
//    rank_key() that is inkdex's Ranker formula, ties by artist id.
//  * Nearest (point alone): the total is the style's row of style_counts
//    (a COUNT over artists with filters or several styles); the
//    page comes from R*Tree rings widened 1, 4, 16, ... km until `limit`
//    matches lie inside one (nothing outside can then come before them).
//  Not supported (UNIMPLEMENTED): page tokens, max_per_studio, a search
//  with no geo at all, nearest-first with text or facets (none is in the
//  benchmark).
//
// Suggest (sqlite_suggest.cc): inkdex's order (styles; then artists,
// studios and cities near the point, from rings widened 2 to 512 km, nearest
// first; then the global completions by artist count) over the same
// candidate lists (global: the first 200 city, 100 studio and 30 artist
// names in key order, as inkdex's term scans) and the same work budget
// (25,000 candidate locations read, 1,000 matching). The nearby candidates
// come from suggest_words (the locations with a word starting as the
// prefix, in the ring's latitude band), where inkdex reads the ring's cell
// entries filtered by a Bloom tag of the same first letters. Where the
// budget cuts a ring short (a very common prefix) the two read different
// locations, so the nearby lists can differ. Suggest is timed but not
// gated (gate.h).
//
// Thread safety: one thread at a time (peer.h).
#ifndef INKDEX_BENCH_PEERS_SQLITE_SQLITE_PEER_H_
#define INKDEX_BENCH_PEERS_SQLITE_SQLITE_PEER_H_

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/query_plan.h"
#include "engine/ranking.h"
#include "inkdex/taxonomy.h"
#include "peers/peer.h"
#include "sqlite_db.h"

namespace inkdex::bench::sqlite {

// The distinct suggest_words prefixes of a location's texts: each
// space-separated word's first three bytes, ASCII lowercased.
std::vector<std::string> SuggestWordPrefixes(std::initializer_list<std::string_view> texts);

class SqlitePeer : public Peer {
 public:
  explicit SqlitePeer(StyleTaxonomy taxonomy) : taxonomy_(std::move(taxonomy)) {}
  std::string name() const override { return "sqlite"; }
  absl::Status Build(const std::vector<Artist>& artists, const std::string& dir) override;
  absl::Status Open(const std::string& dir) override;
  absl::StatusOr<PeerAnswer> Search(const SearchRequest& request, bool collect_ids) override;
  absl::StatusOr<std::vector<std::string>> Suggest(const SuggestRequest& request) override;
  uint64_t DiskBytes() const override;

 private:
  absl::Status OpenConnection(const std::string& dir, bool create);
  absl::Status Load(const std::vector<Artist>& artists);
  absl::StatusOr<PeerAnswer> SearchNearest(const SearchRequest& r, const engine::QueryPlan& p,
                                           bool collect_ids);
  absl::Status FillBase(const SearchRequest& r, const engine::QueryPlan& p);
  absl::Status WeighText(const std::string& match, int64_t base_rows);
  absl::Status CountMatches(const SearchRequest& r, const engine::QueryPlan& p, PeerAnswer* out);
  absl::Status CountStylesAndCities(const SearchRequest& r, const engine::QueryPlan& p, Facets* f);
  absl::Status ReadPage(const SearchRequest& r, const engine::QueryPlan& p, bool collect_ids,
                        PeerAnswer* out);

  StyleTaxonomy taxonomy_;
  std::string dir_;
  std::unique_ptr<SqliteDb> db_;
  // The current query's ranking, read by the SQL function rank_key().
  std::optional<engine::Ranker> ranker_;
};

}  // namespace inkdex::bench::sqlite

#endif  // INKDEX_BENCH_PEERS_SQLITE_SQLITE_PEER_H_
