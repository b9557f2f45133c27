#include "query_set.h"

#include <array>
#include <cmath>

#include "absl/strings/ascii.h"
#include "nlohmann/json.hpp"
#include "synth/artist_generator.h"
#include "synth/gazetteer.h"
#include "synth/rng.h"
#include "synth/word_lists.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

constexpr std::array<QueryClass, 6> kClasses = {QueryClass::kLocal,    QueryClass::kText,
                                                QueryClass::kViewport, QueryClass::kNearest,
                                                QueryClass::kSuggest,  QueryClass::kWide};
constexpr std::array<std::string_view, 6> kClassNames = {"Q1_local",   "Q2_text",    "Q3_viewport",
                                                         "Q4_nearest", "Q5_suggest", "Q6_wide"};

// Motifs artists list as specialties, in the singular a user types; each
// stems like the synthetic data's plural ("roses" -> "rose").
constexpr std::string_view kMotifWords[] = {"dragon",  "rose",   "koi",   "skull",
                                            "tiger",   "snake",  "eagle", "butterfly",
                                            "swallow", "anchor", "peony", "mandala"};
// Style words that appear in biographies ("{first} is a japanese tattoo artist").
constexpr std::string_view kStyleWords[] = {"japanese",   "traditional", "blackwork", "realism",
                                            "geometric",  "watercolour", "dotwork",   "floral",
                                            "minimalist", "illustrative"};

constexpr double kEarthRadiusKm = 6371.0088;
constexpr double kPi = 3.14159265358979323846;
constexpr double kViewportLatDegrees = 0.25;
constexpr double kViewportLonDegrees = 0.35;
// Suggest prefixes come from artist names among the first records, which
// every benchmark index (100k and up) holds.
constexpr uint64_t kNameSourceRecords = 100000;

double WrapLongitude(double lon) {
  while (lon > 180) lon -= 360;
  while (lon < -180) lon += 360;
  return lon;
}

struct DrawnPoint {
  size_t city_index = 0;
  GeoPoint point;
};

// A city by sampling weight, and a point up to kScatterKm from its centre.
DrawnPoint DrawPoint(synth::Rng& rng) {
  const synth::Gazetteer& g = synth::Gazetteer::Embedded();
  DrawnPoint out;
  out.city_index = g.SampleCity(rng.Uniform());
  const synth::City& city = g.cities()[out.city_index];
  const double dist = kScatterKm * std::sqrt(rng.Uniform());  // uniform over the disc
  const double bearing = rng.Uniform(0, 2 * kPi);
  const double dlat = dist * std::cos(bearing) / kEarthRadiusKm * 180 / kPi;
  const double coslat = std::max(0.01, std::cos(city.latitude * kPi / 180));
  const double dlon = dist * std::sin(bearing) / (kEarthRadiusKm * coslat) * 180 / kPi;
  out.point.lat = std::clamp(city.latitude + dlat, -90.0, 90.0);
  out.point.lon = WrapLongitude(city.longitude + dlon);
  return out;
}

// A canonical style id by popularity: weight 1/rank over synth's order.
std::string DrawStyle(synth::Rng& rng) {
  const synth::WordList styles = synth::StyleIdsByPopularity();
  double total = 0;
  for (size_t i = 0; i < styles.size(); ++i) total += 1.0 / static_cast<double>(i + 1);
  double u = rng.Uniform() * total;
  for (size_t i = 0; i < styles.size(); ++i) {
    u -= 1.0 / static_cast<double>(i + 1);
    if (u < 0) return std::string(styles[i]);
  }
  return std::string(styles.back());
}

// The first three letters of `text` lowercased, or "" when they are not
// three ASCII letters.
std::string Prefix3(std::string_view text) {
  if (text.size() < 3) return "";
  for (size_t i = 0; i < 3; ++i) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) return "";
  }
  return absl::AsciiStrToLower(std::string(text.substr(0, 3)));
}

std::string DrawSuggestPrefix(synth::Rng& rng, size_t k) {
  static const synth::ArtistGenerator* const generator = [] {
    synth::SynthOptions options;
    options.count = kNameSourceRecords;
    options.seed = kSynthSeed;
    options.today = kDataDay;
    return new synth::ArtistGenerator(*synth::ArtistGenerator::Create(options));
  }();
  const synth::Gazetteer& g = synth::Gazetteer::Embedded();
  for (;;) {
    std::string prefix;
    if (k % 2 == 0) {
      prefix = Prefix3(generator->Generate(rng.Below(kNameSourceRecords)).artist_name);
    } else {
      prefix = Prefix3(g.cities()[g.SampleCity(rng.Uniform())].ascii_name);
    }
    if (!prefix.empty()) return prefix;
  }
}

SearchRequest BaseSearch() {
  SearchRequest r;
  r.date = kDataDay;
  r.limit = 20;
  r.facets = true;
  return r;
}

BenchQuery MakeQuery(QueryClass c, size_t k, uint64_t seed) {
  synth::Rng rng({seed, static_cast<uint64_t>(c), k});
  BenchQuery q;
  q.query_class = c;
  q.search = BaseSearch();
  const DrawnPoint at = DrawPoint(rng);
  switch (c) {
    case QueryClass::kLocal:
      q.search.point = at.point;
      q.search.radius_km = 10;
      q.search.styles = {DrawStyle(rng)};
      break;
    case QueryClass::kText:
      q.search.text = std::string(kMotifWords[rng.Below(std::size(kMotifWords))]);
      q.search.text += ' ';
      q.search.text += kStyleWords[rng.Below(std::size(kStyleWords))];
      q.search.point = at.point;
      q.search.radius_km = 50;
      break;
    case QueryClass::kViewport: {
      BoundingBox box;
      box.south = std::max(-90.0, at.point.lat - kViewportLatDegrees / 2);
      box.north = std::min(90.0, at.point.lat + kViewportLatDegrees / 2);
      box.west = WrapLongitude(at.point.lon - kViewportLonDegrees / 2);
      box.east = WrapLongitude(at.point.lon + kViewportLonDegrees / 2);
      q.search.bbox = box;
      q.search.sort = SortOrder::kRating;
      break;
    }
    case QueryClass::kNearest:  // as specified: the nearest 20 and the total, no facets
      q.search.point = at.point;
      q.search.styles = {DrawStyle(rng)};
      q.search.sort = SortOrder::kDistance;
      q.search.facets = false;
      break;
    case QueryClass::kSuggest:
      q.suggest.near = at.point;
      q.suggest.limit = 10;
      q.suggest.prefix = DrawSuggestPrefix(rng, k);
      break;
    case QueryClass::kWide:
      q.search.point = at.point;
      q.search.radius_km = 500;
      break;
  }
  return q;
}

}  // namespace

std::span<const QueryClass> AllQueryClasses() { return kClasses; }

std::string_view QueryClassName(QueryClass c) { return kClassNames[static_cast<size_t>(c)]; }

std::optional<QueryClass> ParseQueryClass(std::string_view name) {
  for (size_t i = 0; i < kClasses.size(); ++i) {
    if (kClassNames[i] == name || kClassNames[i].substr(0, 2) == name) return kClasses[i];
  }
  return std::nullopt;
}

std::vector<BenchQuery> MakeQueries(QueryClass c, size_t count, uint64_t seed) {
  std::vector<BenchQuery> out;
  out.reserve(count);
  for (size_t k = 0; k < count; ++k) out.push_back(MakeQuery(c, k, seed));
  return out;
}

std::string QueryToJson(const BenchQuery& q) {
  nlohmann::ordered_json j;
  j["class"] = QueryClassName(q.query_class);
  auto point = [](const GeoPoint& p) {
    return nlohmann::ordered_json{{"lat", p.lat}, {"lon", p.lon}};
  };
  if (q.query_class == QueryClass::kSuggest) {
    j["kind"] = "suggest";
    j["prefix"] = q.suggest.prefix;
    if (q.suggest.near) j["near"] = point(*q.suggest.near);
    j["limit"] = q.suggest.limit;
    return j.dump();
  }
  const SearchRequest& r = q.search;
  j["kind"] = "search";
  if (!r.text.empty()) j["text"] = r.text;
  if (r.point) j["point"] = point(*r.point);
  if (r.radius_km) j["radius_km"] = *r.radius_km;
  if (r.bbox) {
    j["bbox"] = {{"south", r.bbox->south},
                 {"west", r.bbox->west},
                 {"north", r.bbox->north},
                 {"east", r.bbox->east}};
  }
  if (!r.styles.empty()) j["styles"] = r.styles;
  j["date"] = r.date;
  j["sort"] = SortOrderName(r.sort);
  j["limit"] = r.limit;
  j["facets"] = r.facets;
  return j.dump();
}

}  // namespace inkdex::bench
