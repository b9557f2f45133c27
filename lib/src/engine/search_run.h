// SearchRun: one execution of a planned query against a snapshot, the
// implementation behind RunSearch (searcher.h). Internal to engine/: the flow
// (candidates, text, classification, ranking) is in searcher.cc, choosing
// the page after the cursor and filling hits in page_selection.cc.
//
// Thread safety: one SearchRun per search; the snapshot is shared read-only.
#ifndef INKDEX_ENGINE_SEARCH_RUN_H_
#define INKDEX_ENGINE_SEARCH_RUN_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/facets.h"
#include "engine/query_plan.h"
#include "engine/ranking.h"
#include "engine/searcher.h"
#include "engine/snapshot.h"
#include "geo/distance.h"
#include "geo/region.h"

namespace inkdex::engine::internal {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Nearest-first with at most this many matches measures each match directly;
// above it, a widening radius bounds the work by the page instead.
inline constexpr size_t kDirectDistanceLimit = 20000;
// Loops over text matches or candidates prefetch the HotRow this many
// matches ahead: a broad text's matches are scattered over the whole slot
// space, so each row is a cache (and TLB) miss, ~100 ns on this class of
// machine, and prefetching overlaps them instead of paying them in turn.
inline constexpr size_t kPrefetchAhead = 8;

struct Match {
  uint32_t slot = 0;
  uint16_t loc = 0;
  double dist = kNaN;
  double text = 0;  // TF weight, 0 without text
  double key = 0;   // sort key, smaller first
};

// Appends a match field by field: a Match built whole (a braced temporary,
// or one filled through a pointer) and then copied is read back in 16-byte
// moves from narrower stores, a store-forwarding stall per match (~40 % of
// classifying a candidate before this).
inline void AppendMatch(std::vector<Match>& out, uint32_t slot, uint16_t loc, double dist,
                        double text, double key = 0) {
  Match& m = out.emplace_back();
  m.slot = slot;
  m.loc = loc;
  m.dist = dist;
  m.text = text;
  m.key = key;
}

class SearchRun {
 public:
  SearchRun(const Snapshot& s, const QueryPlan& p, const StyleTaxonomy& t, const TextSearch* text)
      : s_(s),
        p_(p),
        r_(*p.request),
        tax_(t),
        text_fn_(text),
        ranker_(*p.request, p),
        ref_unit_(geo::ToUnitVector(p.ref_lat, p.ref_lon)),
        facets_(p.currency) {}

  absl::StatusOr<SearchResponse> Run();

 private:
  bool PassesFilters(const HotRow& row) const;
  bool PassesStyle(const HotRow& row) const {
    if (p_.style_mask == 0) return true;
    return p_.style_all ? (row.style_mask & p_.style_mask) == p_.style_mask
                        : (row.style_mask & p_.style_mask) != 0;
  }
  // The active location nearest to the reference point (primary without one).
  std::pair<uint16_t, double> NearestActive(uint32_t slot) const;
  // The facet key of a match's location.
  const std::string* CityOf(uint32_t slot, uint16_t loc) const {
    return loc == 0 ? s_.rows.hot(slot).city : s_.rows.row(slot).locations[loc].city;
  }
  const std::string* CityOf(const Match& m) const { return CityOf(m.slot, m.loc); }
  // Geo candidates of a radius or viewport, one per slot at its best location.
  // With `classify`, artists without guest spots are classified on the spot
  // (ClassifyOne, counting rings) and only the others are returned.
  std::vector<Match> CollectGeo(GeoMode mode, double radius_km, bool classify = false);
  double PrimaryDistance(const HotRow& h) const { return geo::DistanceKm(ref_unit_, h.unit); }
  // Distance from the reference point to another location.
  double DistanceTo(double lat, double lon) const {
    return geo::DistanceKm(ref_unit_, geo::ToUnitVector(lat, lon));
  }
  // The text's matches (TextSearch::match), stopping when the search is
  // stopped (StoppedStatus()).
  absl::StatusOr<TextMatches> MatchText(const std::vector<uint32_t>* restrict_to);
  // Every live text match, unmeasured.
  absl::Status ApplyText(std::vector<Match>* cands);
  // Whether matching the text first, then checking the region, reads less.
  absl::StatusOr<bool> TextFirst(const std::vector<geo::CellRange>& ranges) const;
  // Where a slot matches the radius or viewport (nearest active location in
  // it), or false.
  bool InRegion(uint32_t slot, Match* m) const;
  // Sorted, distinct slots with a location entry in `ranges` active on the
  // query date, current or superseded (a superset of the region's artists:
  // no row is read, nothing is measured).
  std::vector<uint32_t> SlotsInCover(const std::vector<geo::CellRange>& ranges) const;
  // The covering of the radius or viewport, computed once per search.
  const std::vector<geo::CellRange>& RegionRanges();
  void Classify(std::vector<Match>& cands, bool count_rings);
  // Adds the candidate to the facets and, if it passes the filters and
  // styles, to matches_. Takes fields, not a Match: see the definition.
  void ClassifyOne(uint32_t slot, uint16_t loc, double dist, double text, bool count_rings);
  bool HasFilters() const {
    return r_.min_rating || r_.max_hourly_rate || r_.booking_open || r_.min_years_active;
  }
  void RingsByLookup();
  bool ExpandNearest();
  // Polls SearchRequest::interrupted and deadline once every kPollEvery
  // calls (a call costs an increment otherwise); sticky once it has returned
  // true. Loops over candidates call it per candidate and stop early; Run
  // turns it into StoppedStatus() between phases.
  static constexpr uint32_t kPollEvery = 4096;
  bool Stopped() {
    if (stopped_ || !polled_) return stopped_;
    if (++polls_ % kPollEvery != 0) return false;
    return StoppedNow();
  }
  // Polls now, whatever the count.
  bool StoppedNow() {
    if (!stopped_ && polled_) {
      stopped_ = (r_.interrupted && r_.interrupted()) || absl::Now() >= r_.deadline;
    }
    return stopped_;
  }
  // Why the search stopped: DEADLINE_EXCEEDED past the deadline, else
  // CANCELLED.
  absl::Status StoppedStatus() const;
  bool AfterCursor(const Match& m) const;
  void BuildPage(SearchResponse* out);
  void FillHit(const Match& m, SearchHit* hit) const;

  const Snapshot& s_;
  const QueryPlan& p_;
  const SearchRequest& r_;
  const StyleTaxonomy& tax_;
  const TextSearch* text_fn_;
  Ranker ranker_;
  const geo::UnitVector ref_unit_;  // the reference point (QueryPlan::ref_lat, ref_lon)
  TextMatches text_;
  FacetCounter facets_;
  std::vector<Match> matches_;  // the match set (M), unless counted without a scan
  int64_t total_ = 0;           // |M|
  std::vector<Match> pool_;     // matches with final keys, the page is chosen from
  // With a partial pool (ExpandNearest), only keys below the bound are final.
  bool pool_partial_ = false;
  double pool_bound_ = 0;
  std::optional<std::vector<geo::CellRange>> region_ranges_;
  // Whether there is anything to poll.
  const bool polled_ = r_.interrupted != nullptr || r_.deadline != absl::InfiniteFuture();
  uint32_t polls_ = 0;
  bool stopped_ = false;
};

}  // namespace inkdex::engine::internal

#endif  // INKDEX_ENGINE_SEARCH_RUN_H_
