// The flow of a search (RunSearch, SearchRun::Run): candidates, text,
// classification into base set and matches, sort keys. Page selection is in
// page_selection.cc.
#include "engine/searcher.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "engine/search_run.h"
#include "engine/slot_collector.h"

namespace inkdex::engine {
namespace internal {

bool SearchRun::PassesFilters(const HotRow& row) const {
  if (r_.min_rating && !(row.rating >= *r_.min_rating)) return false;  // NaN (unrated) fails
  if (r_.max_hourly_rate && !(RateIn(row, p_.currency) <= *r_.max_hourly_rate)) return false;
  if (r_.booking_open && !row.booking_open) return false;
  if (r_.min_years_active && row.years_active < *r_.min_years_active) return false;
  return true;
}

std::pair<uint16_t, double> SearchRun::NearestActive(uint32_t slot) const {
  if (!p_.has_ref) return {0, kNaN};
  const HotRow& h = s_.rows.hot(slot);
  if (h.num_locations <= 1) return {0, PrimaryDistance(h)};
  const Row& row = s_.rows.row(slot);
  uint16_t best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < row.locations.size(); ++i) {
    const RowLocation& l = row.locations[i];
    if (!l.ActiveOn(p_.day)) continue;
    const double d = DistanceTo(l.lat, l.lon);
    if (d < best_d) best_d = d, best = static_cast<uint16_t>(i);
  }
  return {best, best_d};
}

const std::vector<geo::CellRange>& SearchRun::RegionRanges() {
  if (region_ranges_) return *region_ranges_;
  if (p_.geo == GeoMode::kViewport) {
    const BoundingBox& b = *r_.bbox;
    region_ranges_ = geo::CoverRect(b.south, b.west, b.north, b.east);
  } else {
    // A wide radius covered by more cells reads fewer entries outside it.
    region_ranges_ =
        geo::CoverCap(p_.ref_lat, p_.ref_lon, *r_.radius_km, *r_.radius_km > 100 ? 32 : 12);
  }
  return *region_ranges_;
}

absl::StatusOr<bool> SearchRun::TextFirst(const std::vector<geo::CellRange>& ranges) const {
  const uint64_t in_region = s_.CountIn(ranges);
  if (in_region < 2000) return false;  // small regions: geo first is always cheap
  absl::StatusOr<uint64_t> estimate = text_fn_->estimate();
  if (!estimate.ok()) return estimate.status();
  return *estimate * 4 < in_region;
}

std::vector<uint32_t> SearchRun::SlotsInCover(const std::vector<geo::CellRange>& ranges) const {
  SlotCollector slots;
  slots.Reserve(s_.CountIn(ranges));
  // Entries are taken unchecked against their rows: checking them would
  // read every artist's row in the covering (a cache miss each, ~15 % of a
  // text query in a city at 1M). A superseded entry only adds a slot whose
  // text match InRegion then measures at the row's current locations, and a
  // slot whose row is not live has no search document at this commit, so it
  // never matches. Guest spots not active on the query's date are left out
  // by the entry's days: their slots lie outside the region's runs of slots
  // (new artists get slots in cell order of their primary location:
  // index_impl.cc), and each one sent to Xapian costs a block read per word
  // of the query there (a text query in a city at 1M: ~240 guest spots, ~15
  // active; Xapian read 181 blocks for it with them all, 81 without).
  auto add = [&](const geo::CellEntry& e) {
    if (e.ActiveOn(p_.day)) slots.Add(e.slot);
    return true;
  };
  s_.geo_base->ForEachInUntil(ranges, add);
  s_.geo_delta->ForEachInUntil(ranges, add);
  return std::move(slots).Take(s_.rows.slot_limit());
}

bool SearchRun::InRegion(uint32_t slot, Match* m) const {
  const HotRow& h = s_.rows.hot(slot);
  const Row* row = h.num_locations > 1 ? &s_.rows.row(slot) : nullptr;
  bool found = false;
  for (uint16_t i = 0; i < h.num_locations; ++i) {
    double lat = h.lat, lon = h.lon;
    if (i > 0) {
      const RowLocation& l = row->locations[i];
      if (!l.ActiveOn(p_.day)) continue;
      lat = l.lat;
      lon = l.lon;
    }
    const double d = i == 0 ? PrimaryDistance(h) : DistanceTo(lat, lon);
    if (p_.geo == GeoMode::kViewport) {
      const BoundingBox& b = *r_.bbox;
      if (!geo::RectContains(b.south, b.west, b.north, b.east, lat, lon)) continue;
    } else if (d > *r_.radius_km) {
      continue;
    }
    if (!found || d < m->dist) {
      m->loc = i;
      m->dist = d;
      found = true;
    }
  }
  return found;
}

std::vector<Match> SearchRun::CollectGeo(GeoMode mode, double radius_km, bool classify) {
  std::vector<Match> out;
  absl::flat_hash_map<uint32_t, size_t> multi;  // slot -> index, rows with guest spots
  const BoundingBox* box = r_.bbox ? &*r_.bbox : nullptr;
  const std::vector<geo::CellRange> ranges =
      mode == p_.geo ? RegionRanges() : geo::CoverCap(p_.ref_lat, p_.ref_lon, radius_km);
  s_.ForEachLocationIn(ranges, p_.day, [&](uint32_t slot, uint32_t li) {
    if (Stopped()) return;
    const HotRow& h = s_.rows.hot(slot);
    double lat = h.lat, lon = h.lon;
    if (li > 0) {  // a guest spot active on the day
      const RowLocation& loc = s_.rows.row(slot).locations[li];
      lat = loc.lat;
      lon = loc.lon;
    }
    if (mode == GeoMode::kViewport &&
        !geo::RectContains(box->south, box->west, box->north, box->east, lat, lon)) {
      return;
    }
    const double d = li == 0 ? PrimaryDistance(h) : DistanceTo(lat, lon);
    if (mode != GeoMode::kViewport && d > radius_km) return;
    if (classify && h.num_locations <= 1) {
      ClassifyOne(slot, 0, d, 0, /*count_rings=*/true);
      return;
    }
    if (h.num_locations > 1) {
      auto [it, inserted] = multi.try_emplace(slot, out.size());
      if (!inserted) {
        Match& m = out[it->second];
        if (d < m.dist) m.dist = d, m.loc = static_cast<uint16_t>(li);
        return;
      }
    }
    AppendMatch(out, slot, static_cast<uint16_t>(li), d, 0);
  });
  return out;
}

absl::StatusOr<TextMatches> SearchRun::MatchText(const std::vector<uint32_t>* restrict_to) {
  absl::StatusOr<TextMatches> tm = text_fn_->match(restrict_to, [this] { return StoppedNow(); });
  // Stopped during Xapian's match, or past the deadline by its end: the
  // match may be partial, and the rest of the search would overrun.
  if (StoppedNow()) return StoppedStatus();
  return tm;
}

absl::Status SearchRun::StoppedStatus() const {
  if (absl::Now() >= r_.deadline) {
    return absl::DeadlineExceededError("search stopped at its deadline");
  }
  return absl::CancelledError("search interrupted by the caller");
}

absl::Status SearchRun::ApplyText(std::vector<Match>* cands) {
  absl::StatusOr<TextMatches> tm = MatchText(nullptr);
  if (!tm.ok()) return tm.status();
  text_ = std::move(*tm);
  cands->reserve(text_.weights.size());
  const std::vector<SlotWeight>& weights = text_.weights;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (i + kPrefetchAhead < weights.size()) s_.PrefetchHot(weights[i + kPrefetchAhead].slot);
    const auto [slot, w] = weights[i];
    if (!s_.rows.has(slot) || !s_.rows.hot(slot).live) continue;
    AppendMatch(*cands, slot, 0, kNaN, w);
  }
  return absl::OkStatus();
}

void SearchRun::Classify(std::vector<Match>& cands, bool count_rings) {
  if (count_rings) facets_.EnableRings();
  for (size_t i = 0; i < cands.size(); ++i) {
    if (Stopped()) return;
    if (i + kPrefetchAhead < cands.size()) s_.PrefetchHot(cands[i + kPrefetchAhead].slot);
    const Match& c = cands[i];
    ClassifyOne(c.slot, c.loc, c.dist, c.text, count_rings);
  }
}

void SearchRun::ClassifyOne(uint32_t slot, uint16_t loc, double dist, double text,
                            bool count_rings) {
  const HotRow& row = s_.rows.hot(slot);
  if (!PassesFilters(row)) return;
  if (r_.facets) facets_.AddBase(row);
  if (!PassesStyle(row)) return;
  // Nearest-first matches at the nearest active location (query.h), which
  // the city facet and the hit report whatever the sort. Only artists with
  // guest spots have a choice to make; the rest match at their primary
  // location and are measured only if they can reach the page.
  if (p_.geo == GeoMode::kNearest && row.num_locations > 1) {
    std::tie(loc, dist) = NearestActive(slot);
  }
  if (r_.facets) facets_.AddMatch(row, CityOf(slot, loc), count_rings ? dist : kNaN);
  // The key now, while the row is in cache (nearest-first measures later).
  AppendMatch(matches_, slot, loc, dist, text,
              p_.geo != GeoMode::kNearest ? ranker_.Key(row, dist, text) : 0);
}

// Distance rings for nearest-first queries: matches within 50 km by lookup,
// the rest is "50+".
void SearchRun::RingsByLookup() {
  std::array<int64_t, 6> rings{};
  int64_t near = 0;
  for (const Match& m : CollectGeo(GeoMode::kRadius, FacetCounter::kRingEdgesKm.back())) {
    const HotRow& row = s_.rows.hot(m.slot);
    if (!PassesFilters(row) || !PassesStyle(row)) continue;
    if (text_fn_ != nullptr && text_.Find(m.slot) == nullptr) continue;
    ++rings[FacetCounter::RingOf(m.dist)];
    ++near;
  }
  rings[5] += total_ - near;
  facets_.SetRings(rings);
}

// Nearest-first over many matches: collect matches within a widening radius
// until enough of them sort before anything outside can.
bool SearchRun::ExpandNearest() {
  const size_t needed = static_cast<size_t>(r_.limit) * (r_.max_per_studio > 0 ? 4 : 1) + 1;
  double max_text = 0, max_bayes = 0;
  for (const Match& m : matches_) {
    max_text = std::max(max_text, m.text);
    max_bayes = std::max(max_bayes, ranker_.Bayes(s_.rows.hot(m.slot)));
  }
  for (double radius = 1.0;; radius *= 4) {
    if (StoppedNow()) return false;
    radius = std::min(radius, geo::kMaxDistanceKm);
    std::vector<Match> cands = CollectGeo(GeoMode::kRadius, radius);
    pool_.clear();
    for (Match& m : cands) {
      const HotRow& row = s_.rows.hot(m.slot);
      if (!PassesFilters(row) || !PassesStyle(row)) continue;
      if (text_fn_ != nullptr) {
        const double* w = text_.Find(m.slot);
        if (w == nullptr) continue;
        m.text = *w;
      }
      m.key = ranker_.Key(row, m.dist, m.text);
      pool_.push_back(m);
    }
    pool_partial_ = radius < geo::kMaxDistanceKm;
    pool_bound_ = ranker_.KeyBoundOutside(radius, max_text, max_bayes);
    size_t final_after_cursor = 0;
    for (const Match& m : pool_) final_after_cursor += m.key < pool_bound_ && AfterCursor(m);
    if (final_after_cursor >= needed || !pool_partial_) return true;
  }
}

absl::StatusOr<SearchResponse> SearchRun::Run() {
  if (StoppedNow()) return StoppedStatus();
  std::vector<Match> cands;
  const bool regional = p_.geo == GeoMode::kRadius || p_.geo == GeoMode::kViewport;
  absl::StatusOr<bool> text_first = false;
  if (regional && text_fn_ != nullptr) text_first = TextFirst(RegionRanges());
  if (!text_first.ok()) return text_first.status();
  if (regional && *text_first) {
    if (absl::Status st = ApplyText(&cands); !st.ok()) return st;
    std::erase_if(cands, [&](Match& m) { return !InRegion(m.slot, &m); });
  } else if (regional && text_fn_ != nullptr) {
    // Xapian sees every artist with a location in the covering; only its
    // matches are measured.
    std::vector<uint32_t> slots = SlotsInCover(RegionRanges());
    absl::StatusOr<TextMatches> tm = MatchText(&slots);
    if (!tm.ok()) return tm.status();
    text_ = *std::move(tm);
    cands.reserve(text_.weights.size());
    const std::vector<SlotWeight>& weights = text_.weights;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (i + kPrefetchAhead < weights.size()) s_.PrefetchHot(weights[i + kPrefetchAhead].slot);
      Match m{weights[i].slot, 0, kNaN, weights[i].weight, 0};
      if (InRegion(m.slot, &m)) AppendMatch(cands, m.slot, m.loc, m.dist, m.text);
    }
  } else if (regional) {
    if (p_.has_ref) facets_.EnableRings();
    cands = CollectGeo(p_.geo, r_.radius_km.value_or(0), /*classify=*/p_.has_ref);
  } else if (text_fn_ != nullptr) {
    if (absl::Status st = ApplyText(&cands); !st.ok()) return st;
  }
  const bool nearest = p_.geo == GeoMode::kNearest;
  const bool key_needs_distance =
      p_.sort == SortOrder::kDistance || (p_.sort == SortOrder::kRelevance && p_.has_ref);
  // Nearest-first by one style (or none), without facets, filters or text:
  // the total is the snapshot's style count and the page comes from the
  // widening radius, so no artist outside it is touched at all.
  const bool counted = nearest && key_needs_distance && text_fn_ == nullptr && !r_.facets &&
                       !HasFilters() && std::popcount(p_.style_mask) <= 1;
  if (counted) {
    total_ = p_.style_mask == 0 ? static_cast<int64_t>(s_.live)
                                : s_.style_counts[std::countr_zero(p_.style_mask)];
  } else if (regional || text_fn_ != nullptr) {
    Classify(cands, regional && p_.has_ref);
    total_ = static_cast<int64_t>(matches_.size());
  } else {
    for (uint32_t slot = 1; slot < s_.rows.slot_limit() && !Stopped(); ++slot) {
      if (s_.rows.hot(slot).live) ClassifyOne(slot, 0, kNaN, 0, false);
    }
    total_ = static_cast<int64_t>(matches_.size());
  }
  cands = {};
  if (StoppedNow()) return StoppedStatus();

  if (nearest && r_.facets) RingsByLookup();
  if (counted || (nearest && key_needs_distance && matches_.size() > kDirectDistanceLimit)) {
    ExpandNearest();
  } else {
    if (nearest) {
      for (Match& m : matches_) {
        if (key_needs_distance && std::isnan(m.dist)) {
          std::tie(m.loc, m.dist) = NearestActive(m.slot);
        }
        m.key = ranker_.Key(s_.rows.hot(m.slot), m.dist, m.text);
      }
    }
    pool_ = std::move(matches_);  // total_ already holds the count
  }

  if (StoppedNow()) return StoppedStatus();

  SearchResponse out;
  out.total = total_;
  out.commit_seq = s_.seq;
  out.spelling_suggestion = text_.spelling_suggestion;
  BuildPage(&out);
  if (r_.facets) out.facets = facets_.Finish(tax_, r_.top_cities);
  return out;
}

}  // namespace internal

absl::StatusOr<SearchResponse> RunSearch(const Snapshot& snapshot, const QueryPlan& plan,
                                         const StyleTaxonomy& taxonomy, const TextSearch* text) {
  return internal::SearchRun(snapshot, plan, taxonomy, text).Run();
}

}  // namespace inkdex::engine
