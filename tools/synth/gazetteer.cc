#include "synth/gazetteer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "synth/text_util.h"

namespace inkdex::synth {
namespace internal {
// Defined by the sources that tools/synth/EmbedGazetteer.cmake generates.
extern const std::string_view kCitiesTsvChunks[];
extern const std::size_t kCitiesTsvChunkCount;
extern const std::string_view kCountriesTsvChunks[];
extern const std::size_t kCountriesTsvChunkCount;
}  // namespace internal

struct Gazetteer::NameIndex {
  absl::flat_hash_map<std::string, std::vector<uint32_t>> cities;
  absl::flat_hash_map<std::string_view, const Country*> countries;
};

namespace {

std::string Join(const std::string_view* chunks, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) text.append(chunks[i]);
  return text;
}

// Calls `row(line_number, fields)` for each data line of a gazetteer table:
// skips '#' comments, blank lines and the header (checked to have `columns`).
template <typename RowFn>
absl::Status ForEachRow(std::string_view table, std::string_view text, size_t columns, RowFn row) {
  bool header_seen = false;
  size_t line_number = 0;
  for (absl::string_view split_line : absl::StrSplit(ToAbsl(text), '\n')) {
    std::string_view line = ToStd(split_line);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> fields;
    for (absl::string_view f : absl::StrSplit(ToAbsl(line), '\t')) fields.push_back(ToStd(f));
    if (fields.size() != columns) {
      return absl::InvalidArgumentError(Cat(table, " line ", line_number, ": expected ", columns,
                                            " tab-separated fields, got ", fields.size()));
    }
    if (!header_seen) {
      header_seen = true;
      continue;
    }
    if (absl::Status s = row(line_number, fields); !s.ok()) return s;
  }
  if (!header_seen) return absl::InvalidArgumentError(Cat(table, ": no header line"));
  return absl::OkStatus();
}

absl::Status FieldError(std::string_view table, size_t line, std::string_view field,
                        std::string_view value, std::string_view reason) {
  return absl::InvalidArgumentError(
      Cat(table, " line ", line, ": field ", field, " '", value, "' ", reason));
}

}  // namespace

absl::StatusOr<Gazetteer> Gazetteer::Parse(std::string cities_tsv, std::string countries_tsv) {
  Gazetteer g;
  g.cities_text_ = std::make_shared<const std::string>(std::move(cities_tsv));
  g.countries_text_ = std::make_shared<const std::string>(std::move(countries_tsv));
  auto index = std::make_shared<NameIndex>();

  absl::Status s = ForEachRow(
      "countries.tsv", *g.countries_text_, 5,
      [&](size_t line, const std::vector<std::string_view>& f) -> absl::Status {
        Country c{.code = f[0], .name = f[1], .currency = f[2]};
        if (c.code.size() != 2)
          return FieldError("countries.tsv", line, "code", f[0], "is not 2 letters");
        if (c.currency.size() != 3) {
          return FieldError("countries.tsv", line, "currency", f[2], "is not an ISO 4217 code");
        }
        if (!absl::SimpleAtod(ToAbsl(f[3]), &c.typical_hourly_rate) ||
            !(c.typical_hourly_rate > 0)) {
          return FieldError("countries.tsv", line, "typical_hourly_rate", f[3],
                            "is not a positive number");
        }
        if (!absl::SimpleAtod(ToAbsl(f[4]), &c.market_weight) || !(c.market_weight >= 0)) {
          return FieldError("countries.tsv", line, "market_weight", f[4], "is not a number >= 0");
        }
        g.countries_.push_back(c);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  for (const Country& c : g.countries_) {
    if (!index->countries.emplace(c.code, &c).second) {
      return absl::InvalidArgumentError(Cat("countries.tsv: duplicate code ", c.code));
    }
  }

  s = ForEachRow(
      "cities.tsv", *g.cities_text_, 7,
      [&](size_t line, const std::vector<std::string_view>& f) -> absl::Status {
        City c{.name = f[0], .ascii_name = f[1].empty() ? f[0] : f[1], .admin = f[3]};
        if (c.name.empty()) return FieldError("cities.tsv", line, "name", f[0], "is empty");
        auto country = index->countries.find(f[2]);
        if (country == index->countries.end()) {
          return FieldError("cities.tsv", line, "country", f[2], "is not in countries.tsv");
        }
        c.country = country->second;
        if (!absl::SimpleAtod(ToAbsl(f[4]), &c.latitude) || !(std::abs(c.latitude) <= 90)) {
          return FieldError("cities.tsv", line, "latitude", f[4], "is not in [-90, 90]");
        }
        if (!absl::SimpleAtod(ToAbsl(f[5]), &c.longitude) || !(std::abs(c.longitude) <= 180)) {
          return FieldError("cities.tsv", line, "longitude", f[5], "is not in [-180, 180]");
        }
        if (!absl::SimpleAtoi(ToAbsl(f[6]), &c.population) || c.population < 0) {
          return FieldError("cities.tsv", line, "population", f[6], "is not an integer >= 0");
        }
        if (!g.cities_.empty() && c.population > g.cities_.back().population) {
          return FieldError("cities.tsv", line, "population", f[6],
                            "is larger than the previous city's (rows must be sorted)");
        }
        g.cities_.push_back(c);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  if (g.cities_.empty()) return absl::InvalidArgumentError("cities.tsv: no cities");

  g.cumulative_weight_.reserve(g.cities_.size());
  double total = 0;
  for (size_t i = 0; i < g.cities_.size(); ++i) {
    const City& c = g.cities_[i];
    total += static_cast<double>(c.population) * c.country->market_weight;
    g.cumulative_weight_.push_back(total);
    index->cities[absl::AsciiStrToLower(ToAbsl(c.name))].push_back(static_cast<uint32_t>(i));
    if (c.ascii_name != c.name) {
      index->cities[absl::AsciiStrToLower(ToAbsl(c.ascii_name))].push_back(
          static_cast<uint32_t>(i));
    }
  }
  if (!(total > 0)) return absl::InvalidArgumentError("gazetteer: all city weights are zero");
  g.by_name_ = std::move(index);
  return g;
}

const Gazetteer& Gazetteer::Embedded() {
  static const Gazetteer* const embedded = [] {
    absl::StatusOr<Gazetteer> g =
        Parse(Join(internal::kCitiesTsvChunks, internal::kCitiesTsvChunkCount),
              Join(internal::kCountriesTsvChunks, internal::kCountriesTsvChunkCount));
    if (!g.ok()) {
      std::fprintf(stderr, "inkdex: embedded gazetteer is corrupt: %s\n",
                   g.status().ToString().c_str());
      std::abort();
    }
    return new Gazetteer(*std::move(g));
  }();
  return *embedded;
}

const City* Gazetteer::FindCity(std::string_view name, std::string_view country_code) const {
  std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(ToAbsl(name)));
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (auto it = by_name_->cities.find(key); it != by_name_->cities.end()) {
      for (uint32_t i : it->second) {
        if (country_code.empty() || cities_[i].country->code == country_code) return &cities_[i];
      }
    }
    // GeoNames names some cities "X City" where people write "X" (New York City).
    Append(&key, " city");
  }
  return nullptr;
}

const Country* Gazetteer::FindCountry(std::string_view code) const {
  auto it = by_name_->countries.find(code);
  return it == by_name_->countries.end() ? nullptr : it->second;
}

double Gazetteer::Weight(size_t i) const {
  return i == 0 ? cumulative_weight_[0] : cumulative_weight_[i] - cumulative_weight_[i - 1];
}

size_t Gazetteer::SampleCity(double u) const {
  double target = u * cumulative_weight_.back();
  auto it = std::upper_bound(cumulative_weight_.begin(), cumulative_weight_.end(), target);
  size_t i = static_cast<size_t>(it - cumulative_weight_.begin());
  return std::min(i, cities_.size() - 1);
}

std::vector<size_t> Gazetteer::CitiesNear(double latitude, double longitude,
                                          double radius_km) const {
  std::vector<std::pair<double, size_t>> hits;
  for (size_t i = 0; i < cities_.size(); ++i) {
    double d = DistanceKm(latitude, longitude, cities_[i].latitude, cities_[i].longitude);
    if (d <= radius_km) hits.emplace_back(d, i);
  }
  std::sort(hits.begin(), hits.end());
  std::vector<size_t> out;
  out.reserve(hits.size());
  for (const auto& [d, i] : hits) out.push_back(i);
  return out;
}

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kEarthRadiusKm = 6371.0088;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  double dlat = (lat2 - lat1) * kRad;
  double dlon = (lon2 - lon1) * kRad;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(lat1 * kRad) *
                                                           std::cos(lat2 * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace inkdex::synth
