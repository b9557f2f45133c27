// FacetCounter: exact facet counts over a search's match set.
//
// Styles are counted over the "base" set (every constraint but the style
// constraint: disjunctive faceting); the rest over the matches.
//
// Thread safety: one counter per search.
#ifndef INKDEX_ENGINE_FACETS_H_
#define INKDEX_ENGINE_FACETS_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "engine/row.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"

namespace inkdex::engine {

class FacetCounter {
 public:
  // Upper bounds (km) of the distance rings; the last ring is open.
  static constexpr std::array<double, 5> kRingEdgesKm = {2, 5, 10, 25, 50};
  static constexpr std::array<double, 4> kRateEdges = {50, 100, 150, 200};

  // Hourly-rate bands count rates in `currency` (PackCurrency; 0: as given).
  explicit FacetCounter(uint16_t currency = 0) : currency_(currency) {}

  void AddBase(const HotRow& row);
  // `city`: the matched location's facet key. `distance_km` NaN: not counted
  // in the rings (see SetRings).
  void AddMatch(const HotRow& row, const std::string* city, double distance_km);
  // Ring counts computed elsewhere (nearest-first queries count rings by geo
  // lookup instead of per match).
  void SetRings(const std::array<int64_t, 6>& rings) {
    rings_ = rings;
    has_rings_ = true;
  }
  void EnableRings() { has_rings_ = true; }

  static int RingOf(double distance_km);

  // REQUIRES: called once, after the last Add.
  Facets Finish(const StyleTaxonomy& taxonomy, int top_cities);

 private:
  uint16_t currency_;
  std::array<int64_t, 64> styles_{};
  std::array<int64_t, 6> rings_{};
  bool has_rings_ = false;
  std::array<int64_t, 6> rates_{};    // 5 bands + unknown
  std::array<int64_t, 5> ratings_{};  // 4.5+, 4-4.5, 3-4, <3, unrated
  absl::flat_hash_map<const std::string*, int64_t> cities_;
  // The current run of matches in one city, not yet in cities_.
  const std::string* run_city_ = nullptr;
  int64_t run_count_ = 0;

  void FlushCityRun();
};

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_FACETS_H_
