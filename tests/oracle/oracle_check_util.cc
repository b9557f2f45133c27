#include "oracle/oracle_check_util.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "geo/distance.h"
#include "gtest/gtest.h"

namespace inkdex::oracle {
namespace {

double LogUniform(ArtistGenerator& g, double lo, double hi) {
  return std::exp(g.Uniform(std::log(lo), std::log(hi)));
}

// Failures recorded in the running test so far.
int FailureCount() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
}

bool SameKey(double a, double b) {
  if (a == b) return true;
  return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(a));
}

}  // namespace

std::string Describe(const SearchRequest& q) {
  std::ostringstream s;
  s.precision(17);
  if (!q.text.empty()) s << "text='" << q.text << "' ";
  if (q.point) s << "point=(" << q.point->lat << "," << q.point->lon << ") ";
  if (q.radius_km) s << "radius_km=" << *q.radius_km << " ";
  if (q.bbox)
    s << "bbox(s,w,n,e)=(" << q.bbox->south << "," << q.bbox->west << "," << q.bbox->north << ","
      << q.bbox->east << ") ";
  if (!q.styles.empty()) {
    s << (q.style_match == StyleMatch::kAll ? "styles_all=" : "styles_any=");
    for (const std::string& st : q.styles) s << st << ";";
    s << " ";
  }
  if (q.min_rating) s << "min_rating=" << *q.min_rating << " ";
  if (q.max_hourly_rate) s << "max_hourly_rate=" << *q.max_hourly_rate << " ";
  if (!q.currency.empty()) s << "currency=" << q.currency << " ";
  if (q.booking_open) s << "booking_open ";
  if (q.min_years_active) s << "min_years_active=" << *q.min_years_active << " ";
  s << "date=" << q.date << " sort=" << SortOrderName(q.sort)
    << " scale=" << q.ranking.distance_scale_km << " dw=" << q.ranking.distance_weight
    << " qw=" << q.ranking.quality_weight;
  return s.str();
}

QueryGenerator::QueryGenerator(ArtistGenerator& gen, const OracleModel& model,
                               const StyleTaxonomy& taxonomy)
    : gen_(gen), model_(model), taxonomy_(taxonomy), ids_(model.Ids()) {
  for (const std::string& id : ids_) {
    for (const GuestSpot& g : model.Find(id)->guest_spots()) {
      if (!g.from().empty()) dates_.push_back(g.from());
      if (!g.to().empty()) dates_.push_back(g.to());
    }
  }
}

const Artist& QueryGenerator::RandomArtist() {
  return *model_.Find(ids_[gen_.Int(0, static_cast<int>(ids_.size()) - 1)]);
}

void QueryGenerator::AddFilters(SearchRequest* q) {
  if (!dates_.empty() && gen_.Chance(0.4)) {
    q->date = dates_[gen_.Int(0, static_cast<int>(dates_.size()) - 1)];
  } else {
    q->date = IsoDate(kFirstDay2026 + gen_.Int(0, 380));
  }
  const int nstyles = gen_.Int(0, 3);
  for (int i = 0; i < nstyles; ++i)
    q->styles.push_back(taxonomy_.style(gen_.Int(0, taxonomy_.size() - 1)).id);
  q->style_match = gen_.Chance(0.3) ? StyleMatch::kAll : StyleMatch::kAny;
  if (gen_.Chance(0.25)) q->min_rating = gen_.Int(0, 50) / 10.0;
  if (gen_.Chance(0.2)) {
    const Artist& a = RandomArtist();  // often exactly an artist's rate
    q->max_hourly_rate = a.pricing().has_hourly_rate() && gen_.Chance(0.6)
                             ? a.pricing().hourly_rate()
                             : gen_.Int(0, 320);
  }
  if (gen_.Chance(0.3)) q->currency = gen_.Chance(0.5) ? "GBP" : (gen_.Chance(0.5) ? "eur" : "USD");
  q->booking_open = gen_.Chance(0.2);
  if (gen_.Chance(0.15)) q->min_years_active = gen_.Int(0, 45);
  if (gen_.Chance(0.2)) {
    q->ranking.distance_scale_km = LogUniform(gen_, 0.5, 500);
    q->ranking.distance_weight = gen_.Uniform(0, 3);
    q->ranking.quality_weight = gen_.Uniform(0, 3);
    q->ranking.prior_weight = gen_.Uniform(0, 30);
    q->ranking.prior_rating = gen_.Uniform(0, 5);
  }
  if (gen_.Chance(0.05))
    q->text = BioVocabulary()[gen_.Int(0, static_cast<int>(BioVocabulary().size()) - 1)];
}

SearchRequest QueryGenerator::Make(Kind kind) {
  SearchRequest q;
  const bool snap_to_artist = gen_.Chance(0.25);
  auto [lat, lon] = gen_.RandomPoint();
  if (gen_.Chance(0.2)) {
    const Artist& a = RandomArtist();
    lat = a.location().latitude();
    lon = a.location().longitude();
  }
  switch (kind) {
    case Kind::kRadius: {
      q.point = GeoPoint{lat, lon};
      q.radius_km = LogUniform(gen_, 0.5, 500);
      if (snap_to_artist) {  // an artist exactly on the circle
        const Artist& a = RandomArtist();
        const double d =
            geo::DistanceKm(lat, lon, a.location().latitude(), a.location().longitude());
        if (d > 0 && d <= 20000) q.radius_km = d;
      }
      break;
    }
    case Kind::kViewport: {
      const double h = LogUniform(gen_, 0.0005, 8), w = LogUniform(gen_, 0.0005, 12);
      BoundingBox b{std::max(-90.0, lat - h), WrapLon(lon - w), std::min(90.0, lat + h),
                    WrapLon(lon + w)};
      if (snap_to_artist) {  // an artist exactly on an edge
        const Artist& a = RandomArtist();
        const double alat = a.location().latitude(), alon = a.location().longitude();
        switch (gen_.Int(0, 3)) {
          case 0:
            if (alat < b.north) b.south = alat;
            break;
          case 1:
            if (alat > b.south) b.north = alat;
            break;
          case 2:
            if (alon != b.east) b.west = alon;
            break;
          default:
            if (alon != b.west) b.east = alon;
            break;
        }
      }
      q.bbox = b;
      break;
    }
    case Kind::kNearest:
      q.point = GeoPoint{lat, lon};
      break;
    case Kind::kNoGeo:
      break;
  }
  AddFilters(&q);
  const bool has_ref = q.point || q.bbox;
  const double s = gen_.Uniform(0, 1);
  if (kind == Kind::kNearest) {
    q.sort = s < 0.5   ? SortOrder::kDistance
             : s < 0.8 ? SortOrder::kRelevance
             : s < 0.9 ? SortOrder::kRating
                       : SortOrder::kPriceAsc;
  } else {
    static constexpr SortOrder kSorts[] = {SortOrder::kRelevance, SortOrder::kDistance,
                                           SortOrder::kRating, SortOrder::kPriceAsc,
                                           SortOrder::kPriceDesc};
    q.sort = kSorts[gen_.Int(0, 4)];
    if (q.sort == SortOrder::kDistance && !has_ref) q.sort = SortOrder::kRelevance;
  }
  return q;
}

namespace {

bool CheckFacets(const Facets& f, const OracleResult& want) {
  const int failures = FailureCount();
  std::map<std::string, int64_t> styles;
  for (const FacetValue& v : f.styles) styles[v.value] = v.count;
  EXPECT_EQ(styles, want.styles) << "style facet";
  std::vector<int64_t> rings, rates, ratings;
  for (const FacetValue& v : f.distance_rings) rings.push_back(v.count);
  for (const FacetValue& v : f.hourly_rate_bands) rates.push_back(v.count);
  for (const FacetValue& v : f.rating_bands) ratings.push_back(v.count);
  if (want.has_rings) {
    EXPECT_EQ(rings, std::vector<int64_t>(want.rings.begin(), want.rings.end()))
        << "distance rings";
  } else {
    EXPECT_TRUE(rings.empty()) << "distance rings without a reference point";
  }
  EXPECT_EQ(rates, std::vector<int64_t>(want.rates.begin(), want.rates.end()))
      << "hourly rate bands";
  EXPECT_EQ(ratings, std::vector<int64_t>(want.ratings.begin(), want.ratings.end()))
      << "rating bands";
  // Top cities: each reported count exact; the reported counts are the top
  // counts (ties at the boundary may pick any city).
  std::vector<int64_t> top;
  for (const auto& [city, n] : want.cities) top.push_back(n);
  std::sort(top.rbegin(), top.rend());
  top.resize(std::min<size_t>(top.size(), 10));
  std::vector<int64_t> got;
  for (const FacetValue& v : f.cities) {
    auto it = want.cities.find(v.value);
    EXPECT_TRUE(it != want.cities.end() && it->second == v.count)
        << "city facet " << v.value << "=" << v.count << " expected "
        << (it == want.cities.end() ? int64_t{-1} : it->second);
    got.push_back(v.count);
  }
  EXPECT_EQ(got, top) << "top city counts";
  return FailureCount() == failures;
}

}  // namespace

bool CheckAgainstOracle(const Index& index, const OracleModel& model, const SearchRequest& q0,
                        size_t full_paging_limit, size_t* matches) {
  SCOPED_TRACE(Describe(q0));
  const int failures = FailureCount();
  const OracleResult want = model.Search(q0);
  if (matches != nullptr) *matches = want.hits.size();
  std::unordered_map<std::string, size_t> pos;
  for (size_t i = 0; i < want.hits.size(); ++i) pos[want.hits[i].id] = i;
  const bool has_ref = q0.point || q0.bbox;
  // Text relevance includes the Xapian weight, which the oracle does not know.
  const bool keys_known = q0.text.empty() || q0.sort != SortOrder::kRelevance;

  SearchRequest q = q0;
  q.limit = 100;
  absl::StatusOr<SearchResponse> r = index.Search(q);
  if (!r.ok()) {
    ADD_FAILURE() << r.status();
    return false;
  }
  EXPECT_EQ(r->total, static_cast<int64_t>(want.hits.size())) << "total";
  if (!CheckFacets(r->facets, want)) return false;

  const bool full = want.hits.size() <= full_paging_limit;
  const size_t max_hits = full ? want.hits.size() : std::min<size_t>(300, want.hits.size());
  std::vector<std::string> got;
  std::unordered_set<std::string> seen;
  for (int page = 0;; ++page) {
    for (const SearchHit& h : r->hits) {
      auto it = pos.find(h.id);
      if (it == pos.end()) {
        ADD_FAILURE() << "hit " << h.id << " (page " << page << ") is not a match";
        return false;
      }
      if (!seen.insert(h.id).second) {
        ADD_FAILURE() << "hit " << h.id << " repeated on page " << page;
        return false;
      }
      const OracleHit& w = want.hits[it->second];
      if (has_ref) {
        EXPECT_NEAR(h.distance_km, w.dist, 1e-9) << "distance of " << h.id;
      } else {
        EXPECT_TRUE(std::isnan(h.distance_km)) << "distance without a reference point, " << h.id;
      }
      EXPECT_EQ(h.city, w.city_name) << "matched location city of " << h.id;
      if (q.text.empty()) {
        EXPECT_NEAR(h.score, w.score, 1e-9) << "score of " << h.id;
      }
      got.push_back(h.id);
    }
    if (FailureCount() != failures) return false;
    if (r->next_page_token.empty() || got.size() >= max_hits) break;
    q.page_token = r->next_page_token;
    r = index.Search(q);
    if (!r.ok()) {
      ADD_FAILURE() << r.status() << " on page " << page + 1;
      return false;
    }
    EXPECT_EQ(r->total, static_cast<int64_t>(want.hits.size())) << "total on page " << page + 1;
  }
  EXPECT_EQ(got.size(), max_hits) << "hits returned over all pages";
  if (!keys_known) return FailureCount() == failures;
  for (size_t i = 0; i < std::min(got.size(), want.hits.size()); ++i) {
    const OracleHit& w = want.hits[pos[got[i]]];
    if (got[i] != want.hits[i].id && !SameKey(w.key, want.hits[i].key)) {
      ADD_FAILURE() << "order: position " << i << " is " << got[i] << " (key " << w.key << ", dist "
                    << w.dist << ") expected " << want.hits[i].id << " (key " << want.hits[i].key
                    << ", dist " << want.hits[i].dist << ")";
      return false;
    }
  }
  return FailureCount() == failures;
}

}  // namespace inkdex::oracle
