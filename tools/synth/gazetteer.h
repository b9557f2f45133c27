// Gazetteer: world cities (GeoNames, CC-BY 4.0; see data/gazetteer/README.md)
// with their countries, for synthetic data, the demo and the benchmarks.
//
// Gazetteer::Embedded() is the copy built into this library from
// data/gazetteer/*.tsv, so callers need no data files at run time. Cities are
// ordered by population, largest first, and addressed by that index.
//
// Each city has a sampling weight: its population times its country's market
// weight (a rough "how many tattoo artists a directory lists there per
// inhabitant"), so samples follow real population within a country without
// letting the most populous countries swamp the tattoo markets.
//
// Thread-safety: a Gazetteer is immutable after construction; all methods are
// const and safe to call concurrently. Embedded() is built once, on first use.
#ifndef INKDEX_TOOLS_SYNTH_GAZETTEER_H_
#define INKDEX_TOOLS_SYNTH_GAZETTEER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace inkdex::synth {

struct Country {
  std::string_view code;           // ISO 3166-1 alpha-2, e.g. "GB"
  std::string_view name;           // English, e.g. "UK", "Germany"
  std::string_view currency;       // ISO 4217, e.g. "GBP"
  double typical_hourly_rate = 0;  // in `currency`
  double market_weight = 0;
};

struct City {
  std::string_view name;             // native spelling, e.g. "Zürich"
  std::string_view ascii_name;       // e.g. "Zurich"; equal to name when it is ASCII
  std::string_view admin;            // GeoNames admin-1 code; a state abbreviation in the US
  const Country* country = nullptr;  // never null
  double latitude = 0;
  double longitude = 0;
  int64_t population = 0;
};

class Gazetteer {
 public:
  // Parses the two tables in the format of data/gazetteer (tab-separated, '#'
  // comment lines, one header line). Errors name the table, line and field.
  static absl::StatusOr<Gazetteer> Parse(std::string cities_tsv, std::string countries_tsv);

  // The gazetteer embedded at build time. Aborts only if the embedded data
  // does not parse, which the synth tests rule out.
  static const Gazetteer& Embedded();

  // Sorted by population, largest first.
  absl::Span<const City> cities() const { return cities_; }
  absl::Span<const Country> countries() const { return countries_; }

  // The most populous city whose name or ASCII name equals `name` (ignoring
  // ASCII case), in `country_code` when it is not empty. "New York" also finds
  // "New York City". Returns null when there is none.
  const City* FindCity(std::string_view name, std::string_view country_code = "") const;
  // Null when the code is unknown. Case-sensitive ("GB").
  const Country* FindCountry(std::string_view code) const;

  // Index of `city` in cities(). REQUIRES: city points into cities().
  size_t IndexOf(const City& city) const { return static_cast<size_t>(&city - cities_.data()); }

  // Sampling weight of cities()[i] and the sum of all weights.
  double Weight(size_t i) const;
  double TotalWeight() const { return cumulative_weight_.back(); }
  // The city index that the weighted distribution maps `u` to.
  // REQUIRES: 0 <= u < 1. A uniform u gives cities in proportion to Weight().
  size_t SampleCity(double u) const;

  // Indices of the cities whose centre lies within `radius_km` of the point,
  // nearest first (a linear scan; meant for setup code, not hot loops).
  std::vector<size_t> CitiesNear(double latitude, double longitude, double radius_km) const;

  Gazetteer(Gazetteer&&) = default;
  Gazetteer& operator=(Gazetteer&&) = default;

 private:
  Gazetteer() = default;

  // Owns the text that the string_views of cities_ and countries_ point into.
  std::shared_ptr<const std::string> cities_text_;
  std::shared_ptr<const std::string> countries_text_;
  std::vector<Country> countries_;
  std::vector<City> cities_;
  std::vector<double> cumulative_weight_;  // cumulative_weight_[i] = sum of Weight(0..i)
  // Lower-cased name and ASCII name -> city indices, most populous first.
  struct NameIndex;
  std::shared_ptr<const NameIndex> by_name_;
};

// Great-circle distance in kilometres (haversine, spherical Earth).
double DistanceKm(double lat1, double lon1, double lat2, double lon2);

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_GAZETTEER_H_
