#include "oracle/oracle_util.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "absl/strings/match.h"
#include "geo/distance.h"

namespace inkdex::oracle {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int32_t kOpenFrom = std::numeric_limits<int32_t>::min();
constexpr int32_t kOpenTo = std::numeric_limits<int32_t>::max();

std::string CityKey(const Location& l) {
  if (l.city().empty()) return "";
  if (l.country().empty()) return l.city();
  return l.city() + ", " + l.country();
}

int RingOf(double d) {
  static constexpr double kEdges[] = {2, 5, 10, 25, 50};
  int i = 0;
  while (i < 5 && d >= kEdges[i]) ++i;
  return i;
}

bool LonWithin(const BoundingBox& b, double lon) {
  if (b.west <= b.east) return lon >= b.west && lon <= b.east;
  return lon >= b.west || lon <= b.east;
}

// -180 and 180 are one meridian; a pole lies at every longitude.
bool BoxContains(const BoundingBox& b, double lat, double lon) {
  if (lat < b.south || lat > b.north) return false;
  if (std::abs(lat) == 90) return true;
  if (lon == 180 || lon == -180) return LonWithin(b, 180) || LonWithin(b, -180);
  return LonWithin(b, lon);
}

}  // namespace

const std::vector<City>& Cities() {
  static const std::vector<City> kCities = {
      {"London", "GB", 51.5074, -0.1278, 0.15},
      {"Leeds", "GB", 53.7997, -1.5492, 0.08},
      {"Manchester", "GB", 53.4808, -2.2426, 0.08},
      {"Glasgow", "GB", 55.8642, -4.2518, 0.06},
      {"Dublin", "IE", 53.3498, -6.2603, 0.07},
      {"Paris", "FR", 48.8566, 2.3522, 0.1},
      {"Berlin", "DE", 52.52, 13.405, 0.1},
      {"Amsterdam", "NL", 52.3676, 4.9041, 0.05},
      {"Madrid", "ES", 40.4168, -3.7038, 0.08},
      {"Lisbon", "PT", 38.7223, -9.1393, 0.05},
      {"Rome", "IT", 41.9028, 12.4964, 0.07},
      {"Stockholm", "SE", 59.3293, 18.0686, 0.06},
      {"Oslo", "NO", 59.9139, 10.7522, 0.05},
      {"Tromso", "NO", 69.6492, 18.9553, 0.03},
      {"Longyearbyen", "NO", 78.2232, 15.6267, 0.01},
      {"Reykjavik", "IS", 64.1466, -21.9426, 0.03},
      {"Helsinki", "FI", 60.1699, 24.9384, 0.05},
      {"Warsaw", "PL", 52.2297, 21.0122, 0.07},
      {"Prague", "CZ", 50.0755, 14.4378, 0.05},
      {"Istanbul", "TR", 41.0082, 28.9784, 0.12},
      {"Moscow", "RU", 55.7558, 37.6173, 0.15},
      {"Anadyr", "RU", 64.7337, 177.4968, 0.02},
      {"Petropavlovsk", "RU", 53.0452, 158.6483, 0.03},
      {"Tokyo", "JP", 35.6762, 139.6503, 0.15},
      {"Osaka", "JP", 34.6937, 135.5023, 0.08},
      {"Seoul", "KR", 37.5665, 126.978, 0.1},
      {"Shanghai", "CN", 31.2304, 121.4737, 0.12},
      {"Bangkok", "TH", 13.7563, 100.5018, 0.1},
      {"Singapore", "SG", 1.3521, 103.8198, 0.05},
      {"Mumbai", "IN", 19.076, 72.8777, 0.1},
      {"Dubai", "AE", 25.2048, 55.2708, 0.08},
      {"Cairo", "EG", 30.0444, 31.2357, 0.1},
      {"Lagos", "NG", 6.5244, 3.3792, 0.08},
      {"Nairobi", "KE", -1.2921, 36.8219, 0.06},
      {"Cape Town", "ZA", -33.9249, 18.4241, 0.06},
      {"Sydney", "AU", -33.8688, 151.2093, 0.12},
      {"Melbourne", "AU", -37.8136, 144.9631, 0.12},
      {"Auckland", "NZ", -36.8485, 174.7633, 0.06},
      {"Suva", "FJ", -18.1248, 178.4501, 0.04},
      {"Taveuni", "FJ", -16.85, -179.97, 0.03},
      {"Apia", "WS", -13.8333, -171.7667, 0.03},
      {"Nukualofa", "TO", -21.1394, -175.2049, 0.02},
      {"Honolulu", "US", 21.3069, -157.8583, 0.05},
      {"Anchorage", "US", 61.2181, -149.9003, 0.05},
      {"Vancouver", "CA", 49.2827, -123.1207, 0.07},
      {"San Francisco", "US", 37.7749, -122.4194, 0.06},
      {"Los Angeles", "US", 34.0522, -118.2437, 0.15},
      {"New York", "US", 40.7128, -74.006, 0.12},
      {"Mexico City", "MX", 19.4326, -99.1332, 0.1},
      {"Bogota", "CO", 4.711, -74.0721, 0.06},
      {"Sao Paulo", "BR", -23.5505, -46.6333, 0.12},
      {"Buenos Aires", "AR", -34.6037, -58.3816, 0.1},
      {"Ushuaia", "AR", -54.8019, -68.303, 0.02},
      {"McMurdo", "AQ", -77.8419, 166.6863, 0.01},
  };
  return kCities;
}

const std::vector<std::string>& BioVocabulary() {
  static const std::vector<std::string> kWords = {"koi",   "tiger",   "dagger",
                                                  "skull", "compass", "phoenix"};
  return kWords;
}

double WrapLon(double lon) {
  while (lon > 180) lon -= 360;
  while (lon < -180) lon += 360;
  return lon;
}

int32_t DayNumber(std::string_view iso) {
  const int y = std::stoi(std::string(iso.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(iso.substr(5, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(iso.substr(8, 2))));
  const std::chrono::sys_days days{std::chrono::year{y} / std::chrono::month{m} /
                                   std::chrono::day{d}};
  return static_cast<int32_t>(days.time_since_epoch().count());
}

std::string IsoDate(int32_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

ArtistGenerator::ArtistGenerator(uint64_t seed, const StyleTaxonomy& taxonomy)
    : rng_(seed), taxonomy_(taxonomy) {}

std::pair<double, double> ArtistGenerator::RandomPoint() {
  const City& c = Cities()[Int(0, static_cast<int>(Cities().size()) - 1)];
  std::normal_distribution<double> n(0, c.spread_deg);
  const double lat = std::clamp(c.lat + n(rng_), -90.0, 90.0);
  const double scale = std::max(0.05, std::cos(lat * M_PI / 180));
  return {lat, WrapLon(c.lon + n(rng_) / scale)};
}

void ArtistGenerator::SetLocation(Location* loc) {
  const int ci = Int(0, static_cast<int>(Cities().size()) - 1);
  const City& c = Cities()[ci];
  double lat, lon;
  if (!used_points_.empty() && Chance(0.04)) {
    std::tie(lat, lon) = used_points_[Int(0, static_cast<int>(used_points_.size()) - 1)];
  } else if (Chance(0.002)) {
    lat = c.lat;
    lon = Chance(0.5) ? 180.0 : -180.0;  // on the antimeridian itself
  } else if (Chance(0.001)) {
    lat = Chance(0.5) ? 90.0 : -90.0;  // a pole, at any longitude
    lon = WrapLon(c.lon);
  } else {
    std::normal_distribution<double> n(0, c.spread_deg);
    lat = std::clamp(c.lat + n(rng_), -90.0, 90.0);
    const double scale = std::max(0.05, std::cos(lat * M_PI / 180));
    lon = WrapLon(c.lon + n(rng_) / scale);
  }
  used_points_.emplace_back(lat, lon);
  loc->set_latitude(lat);
  loc->set_longitude(lon);
  loc->set_display("Zone " + std::to_string(Int(1, 9)) + ", " + c.name);
  if (!Chance(0.01)) {  // a few without a city: not in the city facet
    loc->set_city(c.name);
    loc->set_country(c.country);
  }
}

Artist ArtistGenerator::Make(const std::string& id, uint64_t version) {
  Artist a;
  a.set_id(id);
  a.set_version(version);
  a.set_name("Artist " + id);
  const int studio = Int(0, 1999);
  a.mutable_studio()->set_id("st" + std::to_string(studio));
  a.mutable_studio()->set_name("Studio " + std::to_string(studio));
  SetLocation(a.mutable_location());
  const int nstyles = Int(1, 4);
  std::vector<std::string> styles;
  while (static_cast<int>(styles.size()) < nstyles) {
    const std::string& s = taxonomy_.style(Int(0, taxonomy_.size() - 1)).id;
    if (std::find(styles.begin(), styles.end(), s) == styles.end()) styles.push_back(s);
  }
  std::sort(styles.begin(), styles.end());
  for (const std::string& s : styles) a.add_styles(s);
  std::ostringstream bio;
  bio << "Custom work, walk ins welcome.";
  for (const std::string& w : BioVocabulary()) {
    if (Chance(0.08)) bio << " Loves " << w << " pieces.";
  }
  a.set_biography(bio.str());
  const double r = Uniform(0, 1);
  if (r < 0.12) {
    // unrated: no rating, no reviews
  } else if (r < 0.14) {
    a.set_rating(Int(20, 50) / 10.0);  // a rating without a review count: rated, as one review
  } else if (r < 0.16) {
    a.set_rating(0);  // what a new profile carries: rating 0, no reviews, unrated
  } else {
    a.set_rating(Int(20, 50) / 10.0);
    a.set_review_count(static_cast<uint32_t>(Int(1, 400)));
  }
  if (!Chance(0.15)) {
    static constexpr double kCents[] = {0, 0, 0.5, 0.99, 0.1, 0.3};
    a.mutable_pricing()->set_hourly_rate(Int(30, 300) + kCents[Int(0, 5)]);
  }
  // Mostly one currency, as a region has; some in another, some with none.
  const double currency = Uniform(0, 1);
  if (currency < 0.75) {
    a.mutable_pricing()->set_currency("GBP");
  } else if (currency < 0.9) {
    a.mutable_pricing()->set_currency("EUR");
  }
  a.mutable_availability()->set_booking_open(Chance(0.5));
  if (!Chance(0.2)) a.set_years_active(static_cast<uint32_t>(Int(0, 40)));
  a.set_is_active(!Chance(0.02));
  a.set_opted_out(Chance(0.02));
  if (Chance(0.05)) {
    const int spots = Int(1, 3);
    for (int i = 0; i < spots; ++i) {
      GuestSpot* g = a.add_guest_spots();
      SetLocation(g->mutable_location());
      const int32_t from = kFirstDay2026 + Int(0, 364);
      // Either bound may be open, never both (such a spot is refused).
      const bool open_from = Chance(0.1);
      const bool open_to = !open_from && Chance(0.1);
      if (!open_from) g->set_from(IsoDate(from));
      if (!open_to) g->set_to(IsoDate(from + Int(0, 30)));
    }
  }
  return a;
}

Artist ArtistGenerator::Moved(const Artist& a, uint64_t version) {
  Artist b = a;
  b.set_version(version);
  SetLocation(b.mutable_location());
  return b;
}

OracleModel::Entry OracleModel::MakeEntry(const Artist& a) const {
  Entry e;
  e.version = a.version();
  e.artist = a;
  e.live = !a.opted_out() && a.is_active();
  for (const std::string& s : a.styles()) {
    if (std::optional<int> i = taxonomy_.Find(s)) e.style_mask |= uint64_t{1} << *i;
  }
  for (size_t i = 0; i < BioVocabulary().size(); ++i) {
    if (a.biography().find(" " + BioVocabulary()[i] + " ") != std::string::npos) e.words |= 1u << i;
  }
  e.locs.push_back({a.location().latitude(), a.location().longitude(), kOpenFrom, kOpenTo,
                    CityKey(a.location()), a.location().city()});
  for (const GuestSpot& g : a.guest_spots()) {
    e.locs.push_back({g.location().latitude(), g.location().longitude(),
                      g.from().empty() ? kOpenFrom : DayNumber(g.from()),
                      g.to().empty() ? kOpenTo : DayNumber(g.to()), CityKey(g.location()),
                      g.location().city()});
  }
  return e;
}

bool OracleModel::Upsert(const Artist& a) {
  auto it = entries_.find(a.id());
  if (it != entries_.end() && a.version() <= it->second.version) return false;
  entries_[a.id()] = MakeEntry(a);
  return true;
}

bool OracleModel::Delete(const std::string& id, uint64_t version) {
  auto it = entries_.find(id);
  if (it != entries_.end() && version <= it->second.version) return false;
  Entry e;
  e.version = version;
  e.deleted = true;
  entries_[id] = std::move(e);
  return true;
}

const Artist* OracleModel::Find(const std::string& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() || it->second.deleted ? nullptr : &it->second.artist;
}

size_t OracleModel::searchable() const {
  size_t n = 0;
  for (const auto& [id, e] : entries_) n += !e.deleted && e.live;
  return n;
}

std::vector<std::string> OracleModel::Ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, e] : entries_) {
    if (!e.deleted) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Rated: a rating, unless it is 0 with no reviews (a new profile); a rating
// without a review count weighs as one review.
namespace {
bool IsRated(const Artist& a) { return a.has_rating() && (a.rating() > 0 || a.review_count() > 0); }

// The artist's hourly rate as a query in `currency` sees it: none when the
// artist has none or is priced in another currency (an artist without a
// currency is taken to be in the query's; an empty `currency` takes every
// rate as given).
std::optional<double> RateIn(const Artist& a, const std::string& currency) {
  if (!a.pricing().has_hourly_rate()) return std::nullopt;
  const std::string& own = a.pricing().currency();
  if (!currency.empty() && !own.empty() && !absl::EqualsIgnoreCase(own, currency)) {
    return std::nullopt;
  }
  return a.pricing().hourly_rate();
}
}  // namespace

// ranking.h: score = distance part + quality part (no text part: the
// oracle does not know Xapian's weights).
double OracleModel::Score(const SearchRequest& r, bool has_ref, const Artist& a, double dist) {
  const RankingOptions& o = r.ranking;
  const double n = IsRated(a) ? std::max<uint32_t>(a.review_count(), 1) : 0;
  const double denom = o.prior_weight + n;
  const double bayes =
      denom <= 0 ? o.prior_rating
                 : (o.prior_weight * o.prior_rating + (n > 0 ? a.rating() * n : 0)) / denom;
  const double distance =
      has_ref && !std::isnan(dist) ? o.distance_weight * std::exp(-dist / o.distance_scale_km) : 0;
  return 0.0 + distance + o.quality_weight * bayes / 5;
}

double OracleModel::Key(SortOrder sort, const Artist& a, double dist, double score,
                        const std::string& currency) {
  constexpr double kLast = std::numeric_limits<double>::infinity();
  const bool rated = IsRated(a);
  const std::optional<double> rate = RateIn(a, currency);
  switch (sort) {
    case SortOrder::kRelevance:
      return -score;
    case SortOrder::kDistance:
      return std::isnan(dist) ? kLast : dist;
    case SortOrder::kRating:
      return rated ? -a.rating() : kLast;
    case SortOrder::kPriceAsc:
      return rate ? *rate : kLast;
    case SortOrder::kPriceDesc:
      return rate ? -*rate : kLast;
  }
  return kLast;
}

OracleResult OracleModel::Search(const SearchRequest& r) const {
  const int32_t day = DayNumber(r.date);
  const bool radius = r.radius_km.has_value();
  const bool viewport = !radius && r.bbox.has_value();
  const bool nearest = !radius && !viewport && r.point.has_value();
  bool has_ref = false;
  double ref_lat = 0, ref_lon = 0;
  if (r.point) {
    has_ref = true;
    ref_lat = r.point->lat;
    ref_lon = r.point->lon;
  } else if (r.bbox) {  // the viewport's centre (query.h: distance origin)
    has_ref = true;
    ref_lat = (r.bbox->south + r.bbox->north) / 2;
    const double east = r.bbox->east < r.bbox->west ? r.bbox->east + 360 : r.bbox->east;
    ref_lon = (r.bbox->west + east) / 2;
    if (ref_lon > 180) ref_lon -= 360;
  }
  // A point alone without text is nearest-first: relevance means distance.
  const SortOrder sort =
      nearest && r.text.empty() && r.sort == SortOrder::kRelevance ? SortOrder::kDistance : r.sort;
  uint64_t want = 0;
  for (const std::string& s : r.styles) want |= uint64_t{1} << *taxonomy_.Find(s);
  uint32_t word = 0;
  if (!r.text.empty()) {
    const auto& vocab = BioVocabulary();
    word = 1u << (std::find(vocab.begin(), vocab.end(), r.text) - vocab.begin());
  }

  OracleResult out;
  out.has_rings = radius || viewport || nearest;
  for (const auto& [id, e] : entries_) {
    if (e.deleted || !e.live) continue;
    if (word != 0 && (e.words & word) == 0) continue;
    int loc = -1;
    double dist = kNaN;
    for (size_t i = 0; i < e.locs.size(); ++i) {
      const Loc& l = e.locs[i];
      if (!ActiveOn(l, day)) continue;
      if (!has_ref) {
        if (i == 0) loc = 0;  // no geo: the primary location
        continue;
      }
      if (viewport && !BoxContains(*r.bbox, l.lat, l.lon)) continue;
      const double d = geo::DistanceKm(ref_lat, ref_lon, l.lat, l.lon);
      if (radius && d > *r.radius_km) continue;
      if (loc < 0 || d < dist) loc = static_cast<int>(i), dist = d;
    }
    if (loc < 0) continue;
    const Artist& a = e.artist;
    const bool rated = IsRated(a);
    if (r.min_rating && !(rated && a.rating() >= *r.min_rating)) continue;
    const std::optional<double> rate = RateIn(a, r.currency);
    if (r.max_hourly_rate && !(rate && *rate <= *r.max_hourly_rate)) continue;
    if (r.booking_open && !a.availability().booking_open()) continue;
    if (r.min_years_active &&
        !(a.has_years_active() && static_cast<int>(a.years_active()) >= *r.min_years_active)) {
      continue;
    }
    for (int s = 0; s < taxonomy_.size(); ++s) {
      if (e.style_mask >> s & 1) ++out.styles[taxonomy_.style(s).id];
    }
    if (want != 0 && (r.style_match == StyleMatch::kAll ? (e.style_mask & want) != want
                                                        : (e.style_mask & want) == 0)) {
      continue;
    }
    if (out.has_rings) ++out.rings[RingOf(dist)];
    if (!rate) {
      ++out.rates[5];
    } else {
      ++out.rates[*rate < 50 ? 0 : *rate < 100 ? 1 : *rate < 150 ? 2 : *rate < 200 ? 3 : 4];
    }
    if (!rated) {
      ++out.ratings[4];
    } else {
      const double rt = a.rating();
      ++out.ratings[rt >= 4.5 ? 0 : rt >= 4.0 ? 1 : rt >= 3.0 ? 2 : 3];
    }
    const std::string& city = e.locs[loc].city;
    if (!city.empty()) ++out.cities[city];
    const double score = Score(r, has_ref, a, dist);
    out.hits.push_back(
        {id, Key(sort, a, dist, score, r.currency), score, dist, city, e.locs[loc].city_name});
  }
  std::sort(out.hits.begin(), out.hits.end(), [](const OracleHit& a, const OracleHit& b) {
    return a.key != b.key ? a.key < b.key : a.id < b.id;
  });
  return out;
}

}  // namespace inkdex::oracle
