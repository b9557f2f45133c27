// Search, suggest and their results: the request and response types of
// inkdex::Index (index.h). Plain structs; validation happens in Index::Search,
// which rejects bad values with INVALID_ARGUMENT naming the field.
//
// Semantics (README "Search semantics" has the full text):
//  * Geo: `point` + `radius_km` is a radius search; `bbox` is a map viewport
//    (west > east crosses the antimeridian); `point` alone is nearest-first
//    with no radius. An artist matches at the nearest of its locations that
//    is active on `date` (primary always; guest spots between from and to,
//    inclusive). Distances are great-circle on a sphere of 6371.0088 km.
//  * Text: every word must match (name, studio, biography, specialties,
//    location, instagram handle), English stemming, "quoted phrases", and the
//    last word also matches as a prefix.
//  * Ranking (sort = kRelevance): score = text_weight * t/(1+t)
//      + distance_weight * exp(-d / distance_scale_km)
//      + quality_weight * bayes(rating, reviews) / 5,
//    where t is the Xapian TF weight of the text match (0 without text) and
//    bayes = (prior_weight * prior_rating + rating * reviews) /
//            (prior_weight + reviews). A score depends only on the artist and the
//    query, never on the rest of the index, so paging is stable.
//  * Ties always break by artist id (ascending), so results are deterministic.
#ifndef INKDEX_QUERY_H_
#define INKDEX_QUERY_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace inkdex {

struct GeoPoint {
  double lat = 0;  // degrees, [-90, 90]
  double lon = 0;  // degrees, [-180, 180]
};

// A map viewport. south <= north; west > east means the box crosses the
// antimeridian (west=170, east=-170 is 20 degrees wide). Degrees, bounds
// inclusive; longitudes -180 and 180 are one meridian (a box ending at either
// holds artists at both), and a box reaching a pole holds it.
struct BoundingBox {
  double south = 0, west = 0, north = 0, east = 0;
};

enum class SortOrder { kRelevance, kDistance, kRating, kPriceAsc, kPriceDesc };
enum class StyleMatch { kAny, kAll };

struct RankingOptions {
  double text_weight = 1.0;
  double distance_weight = 1.0;
  double quality_weight = 0.5;
  double distance_scale_km = 10.0;  // > 0: the distance at which decay is 1/e
  double prior_rating = 3.5;        // Bayesian prior mean, [0, 5]
  double prior_weight = 10.0;       // reviews the prior is worth, >= 0
};

struct SearchRequest {
  static constexpr int kMaxLimit = 100;
  static constexpr int kMaxTextBytes = 1024;
  // Hits beyond this many (page after page) are refused: deep paging is a
  // scraper's pattern, not a person's.
  static constexpr int kMaxDepth = 10000;
  static constexpr size_t kMaxStyles = 64;  // names in `styles` (aliases may repeat a style)

  std::string text;                 // <= kMaxTextBytes
  std::optional<GeoPoint> point;    // radius centre, nearest origin, distance origin
  std::optional<double> radius_km;  // (0, 20000]; requires point
  std::optional<BoundingBox> bbox;  // exclusive with radius_km
  std::vector<std::string> styles;  // ids or aliases, at most kMaxStyles
  StyleMatch style_match = StyleMatch::kAny;
  std::optional<double> min_rating;       // [0, 5]
  std::optional<double> max_hourly_rate;  // >= 0; artists without a rate do not match
  // ISO 4217 code ("EUR") that max_hourly_rate, the price sorts and the
  // hourly-rate bands are in: they then take only artists priced in it (or
  // with no currency given); others count as having no rate. Empty: every
  // rate as given, whatever its currency (a region with one currency).
  std::string currency;
  bool booking_open = false;            // only artists whose books are open
  std::optional<int> min_years_active;  // [0, 150]; unknown years never match
  std::string date;                     // YYYY-MM-DD; empty = today (UTC)
  SortOrder sort = SortOrder::kRelevance;
  RankingOptions ranking;
  int limit = 20;  // 1..kMaxLimit
  std::string page_token;
  int max_per_studio = 0;  // diversity: > 0 caps artists per studio per page
  bool explain = false;    // fill SearchHit::explanation
  bool facets = true;      // compute facets (total is always exact)
  int top_cities = 10;     // how many city facet values, 0..100

  // Polled while the search runs (every few thousand candidate rows, so a
  // few hundred microseconds apart at worst); when it returns true the search
  // stops and returns CANCELLED. For servers: a call's cancellation or
  // deadline. Empty: never interrupted. Called on the searching thread.
  // Xapian's matching of `text` polls it too (every ~1,000 documents).
  std::function<bool()> interrupted;
  // Past this, the search stops with DEADLINE_EXCEEDED, checked where
  // `interrupted` is polled. InfiniteFuture: no deadline.
  absl::Time deadline = absl::InfiniteFuture();
};

struct ScoreExplanation {
  double text_raw = 0;     // Xapian TF weight t
  double text = 0;         // text_weight * t/(1+t)
  double distance = 0;     // distance_weight * exp(-d/scale)
  double quality_raw = 0;  // Bayesian average rating, [0, 5]
  double quality = 0;      // quality_weight * quality_raw / 5
};

struct SearchHit {
  std::string id;
  std::string name;
  std::string studio_name;
  std::string location;  // display of the matched location
  std::string city;
  bool guest_spot = false;  // matched at a guest spot, not the primary location
  double lat = 0, lon = 0;  // the matched location
  double distance_km = std::numeric_limits<double>::quiet_NaN();  // NaN without a point
  double score = 0;                 // the sort key's value for kRelevance; see ScoreExplanation
  std::vector<std::string> styles;  // canonical ids
  // nullopt: unrated (no rating, or 0 with no reviews), whatever review_count.
  std::optional<double> rating;
  uint32_t review_count = 0;
  std::optional<double> hourly_rate;
  std::string currency;
  bool booking_open = false;
  ScoreExplanation explanation;  // filled when SearchRequest::explain
};

struct FacetValue {
  std::string value;  // style id, ring/band key ("0-2", "2-5", ...), city name
  std::string label;  // display text
  int64_t count = 0;
};

struct Facets {
  // Disjunctive: counted over the matches of every constraint except the
  // style constraint, so choosing a style does not zero the others.
  std::vector<FacetValue> styles;
  std::vector<FacetValue> distance_rings;  // empty without a point
  std::vector<FacetValue>
      hourly_rate_bands;  // "0-50", "50-100", "100-150", "150-200", "200+", "unknown", in each
                          // artist's own currency (a worldwide search mixes currencies)
  std::vector<FacetValue> rating_bands;  // "4.5+", "4-4.5", "3-4", "<3", "unrated"
  std::vector<FacetValue> cities;        // top SearchRequest::top_cities by count
};

struct SearchResponse {
  int64_t total = 0;  // exact number of matching artists
  std::vector<SearchHit> hits;
  Facets facets;
  std::string next_page_token;      // empty on the last page
  std::string spelling_suggestion;  // corrected text, when a word is unknown
  uint64_t commit_seq = 0;          // the commit this response was computed on
};

struct SuggestRequest {
  static constexpr int kMaxLimit = 50;
  std::string prefix;            // 1..100 bytes
  std::optional<GeoPoint> near;  // rank artists, studios and cities by closeness
  int limit = 10;                // 1..kMaxLimit
  // YYYY-MM-DD; empty = today (UTC). Near a point, a guest spot counts only
  // on the days it is active (as in search); primary locations always.
  std::string date;
};

struct Suggestion {
  enum class Kind { kArtist, kStudio, kStyle, kCity };
  Kind kind = Kind::kArtist;
  std::string text;  // what to show and complete to
  std::string id;  // artist id (near a point: the nearest), studio name, style id; city: "City, CC"
  // Artists behind it (for an artist: artists sharing that exact name); near
  // a point, those within the radius searched.
  int64_t count = 0;
  double distance_km = std::numeric_limits<double>::quiet_NaN();  // with `near`
};

const char* SortOrderName(SortOrder sort);
// "relevance", "distance", "rating", "price_asc", "price_desc".
std::optional<SortOrder> ParseSortOrder(std::string_view name);
const char* SuggestionKindName(Suggestion::Kind kind);

}  // namespace inkdex

#endif  // INKDEX_QUERY_H_
