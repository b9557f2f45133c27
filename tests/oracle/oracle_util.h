// The oracle of the inkdex correctness tests: a deterministic generator of
// random artists (clustered around cities worldwide, including the
// antimeridian and the far north and south) and a brute-force model that
// answers a SearchRequest by a linear scan, applying the documented search
// semantics (inkdex/query.h) independently of the engine.
//
// The model mirrors the engine's documented formulas (ranking.h: sort keys
// and relevance score; facets.h: ring, rate and rating bands) so that results
// can be compared hit by hit.
//
// Thread safety: none; the model and the generator are used by one thread.
#ifndef INKDEX_TESTS_ORACLE_ORACLE_UTIL_H_
#define INKDEX_TESTS_ORACLE_ORACLE_UTIL_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "inkdex/artist.pb.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"

namespace inkdex::oracle {

struct City {
  const char* name;
  const char* country;
  double lat, lon;
  double spread_deg;  // standard deviation of artists around the centre
};

// About 50 cities; Suva, Taveuni, Apia, Nuku'alofa and Anadyr lie at the
// antimeridian, Tromsø, Longyearbyen, Ushuaia and McMurdo far from the equator.
const std::vector<City>& Cities();

// Words some biographies contain, for single-word text queries. Each is its
// own English stem, none is a style name or alias (those are searchable
// words too) and no other word in generated text starts with one.
const std::vector<std::string>& BioVocabulary();

// Days since 1970-01-01 of an ISO date "YYYY-MM-DD" (REQUIRES: valid).
int32_t DayNumber(std::string_view iso);
std::string IsoDate(int32_t day);
inline constexpr int32_t kFirstDay2026 = 20454;  // 2026-01-01

// `lon` moved into [-180, 180] by whole turns.
double WrapLon(double lon);

// Deterministic random artists (same seed, same sequence of calls: same
// artists).
class ArtistGenerator {
 public:
  ArtistGenerator(uint64_t seed, const StyleTaxonomy& taxonomy);

  // A new random artist with id `id` at `version`.
  Artist Make(const std::string& id, uint64_t version);
  // `a` moved to a new primary location (maybe in another city), at `version`.
  Artist Moved(const Artist& a, uint64_t version);
  // A point near a random city (lat, lon clamped and wrapped to valid ranges).
  std::pair<double, double> RandomPoint();

  std::mt19937_64& rng() { return rng_; }
  double Uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

 private:
  void SetLocation(Location* loc);

  std::mt19937_64 rng_;
  const StyleTaxonomy& taxonomy_;
  std::vector<std::pair<double, double>> used_points_;  // for exact duplicates
};

// One hit of the brute-force search.
struct OracleHit {
  std::string id;
  double key = 0;         // sort key, smaller first (ranking.h)
  double score = 0;       // relevance score (SearchHit::score), without the text part
  double dist = 0;        // NaN without a reference point
  std::string city;       // "City, CC" of the matched location (facet key)
  std::string city_name;  // "City" of the matched location (SearchHit::city)
};

struct OracleResult {
  std::vector<OracleHit> hits;            // every match, sorted by (key, id)
  std::map<std::string, int64_t> styles;  // disjunctive style counts (> 0 only)
  bool has_rings = false;
  std::array<int64_t, 6> rings{};
  std::array<int64_t, 6> rates{};
  std::array<int64_t, 5> ratings{};
  std::map<std::string, int64_t> cities;
};

// The brute-force model: the searchable state of the index as the test
// believes it to be.
class OracleModel {
 public:
  explicit OracleModel(const StyleTaxonomy& taxonomy) : taxonomy_(taxonomy) {}

  // Applies a change when `version` beats the stored one (live or deleted);
  // returns whether it applied.
  bool Upsert(const Artist& a);
  bool Delete(const std::string& id, uint64_t version);

  // REQUIRES: request.date is set; request.text is empty or one word of
  // BioVocabulary().
  OracleResult Search(const SearchRequest& request) const;

  const Artist* Find(const std::string& id) const;  // live or hidden; null if deleted
  size_t searchable() const;
  std::vector<std::string> Ids() const;               // ids with a stored live document
  size_t records() const { return entries_.size(); }  // documents and tombstones

 private:
  struct Loc {
    double lat, lon;
    int32_t from, to;
    std::string city;  // "City, CC"
    std::string city_name;
  };
  struct Entry {
    uint64_t version = 0;
    bool deleted = false;
    Artist artist;
    bool live = false;
    uint64_t style_mask = 0;
    uint32_t words = 0;  // bit i: biography contains BioVocabulary()[i]
    std::vector<Loc> locs;
  };
  static bool ActiveOn(const Loc& l, int32_t day) { return l.from <= day && day <= l.to; }
  Entry MakeEntry(const Artist& a) const;
  static double Score(const SearchRequest& r, bool has_ref, const Artist& a, double dist);
  static double Key(SortOrder sort, const Artist& a, double dist, double score,
                    const std::string& currency);

  const StyleTaxonomy& taxonomy_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace inkdex::oracle

#endif  // INKDEX_TESTS_ORACLE_ORACLE_UTIL_H_
