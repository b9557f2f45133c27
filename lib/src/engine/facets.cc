#include "engine/facets.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

namespace inkdex::engine {

void FacetCounter::AddBase(const HotRow& row) {
  for (uint64_t m = row.style_mask; m != 0; m &= m - 1) ++styles_[std::countr_zero(m)];
}

int FacetCounter::RingOf(double d) {
  int i = 0;
  for (double edge : kRingEdgesKm) i += d >= edge;
  return i;
}

void FacetCounter::AddMatch(const HotRow& row, const std::string* city, double distance_km) {
  // Counted without branches on the values: which band a match falls in is
  // as good as random from one match to the next, and mispredicted branches
  // were most of this function's cost.
  if (!std::isnan(distance_km)) ++rings_[RingOf(distance_km)];
  const double rate = RateIn(row, currency_);
  int band = 0;
  for (double edge : kRateEdges) band += rate >= edge;
  ++rates_[std::isnan(rate) ? 5 : band];
  const double r = row.rating;
  const int rating_band = (r < 4.5) + (r < 4.0) + (r < 3.0);
  ++ratings_[std::isnan(r) ? 4 : rating_band];
  // Matches come in location order, so runs share a city: the run is
  // counted here and added to the map when the city changes.
  if (city != run_city_) {
    FlushCityRun();
    run_city_ = city;
  }
  ++run_count_;
}

void FacetCounter::FlushCityRun() {
  // Locations without a city are dropped in Finish: reading the string's
  // size here was a cache miss per run (interned strings are scattered).
  if (run_count_ > 0 && run_city_ != nullptr) cities_[run_city_] += run_count_;
  run_count_ = 0;
}

Facets FacetCounter::Finish(const StyleTaxonomy& taxonomy, int top_cities) {
  FlushCityRun();
  Facets f;
  for (int i = 0; i < taxonomy.size(); ++i) {
    if (styles_[i] > 0) {
      f.styles.push_back({taxonomy.style(i).id, taxonomy.style(i).display_name, styles_[i]});
    }
  }
  std::stable_sort(f.styles.begin(), f.styles.end(),
                   [](const FacetValue& a, const FacetValue& b) { return a.count > b.count; });
  if (has_rings_) {
    static const char* kRings[] = {"0-2", "2-5", "5-10", "10-25", "25-50", "50+"};
    for (int i = 0; i < 6; ++i)
      f.distance_rings.push_back({kRings[i], std::string(kRings[i]) + " km", rings_[i]});
  }
  static const char* kRates[] = {"0-50", "50-100", "100-150", "150-200", "200+", "unknown"};
  for (int i = 0; i < 6; ++i) f.hourly_rate_bands.push_back({kRates[i], kRates[i], rates_[i]});
  static const char* kRatings[] = {"4.5+", "4-4.5", "3-4", "<3", "unrated"};
  for (int i = 0; i < 5; ++i) f.rating_bands.push_back({kRatings[i], kRatings[i], ratings_[i]});
  std::vector<std::pair<const std::string*, int64_t>> cities;
  cities.reserve(cities_.size());
  for (const auto& [city, count] : cities_) {
    if (!city->empty()) cities.emplace_back(city, count);
  }
  const size_t n = std::min<size_t>(cities.size(), static_cast<size_t>(top_cities));
  auto by_count = [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : *a.first < *b.first;
  };
  std::partial_sort(cities.begin(), cities.begin() + n, cities.end(), by_count);
  for (size_t i = 0; i < n; ++i)
    f.cities.push_back({*cities[i].first, *cities[i].first, cities[i].second});
  return f;
}

}  // namespace inkdex::engine
