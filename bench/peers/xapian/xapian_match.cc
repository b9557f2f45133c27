#include "xapian_match.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

namespace inkdex::bench::xapian_peer {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
constexpr double kEarthRadiusKm = 6371.0088;
constexpr double kRingEdgesKm[] = {2, 5, 10, 25, 50};

bool RectContains(const BoundingBox& b, double lat, double lon) {
  if (lat < b.south || lat > b.north) return false;
  if (b.west <= b.east) return lon >= b.west && lon <= b.east;
  return lon >= b.west || lon <= b.east;
}

double ValueOr(const Xapian::Document& doc, Xapian::valueno slot, double missing) {
  const std::string v = doc.get_value(slot);
  return v.empty() ? missing : Xapian::sortable_unserialise(v);
}

}  // namespace

double HaversineKm(double lat1, double lon1, double lat2, double lon2) {
  const double dphi = (lat2 - lat1) * kDegToRad;
  const double dlambda = (lon2 - lon1) * kDegToRad;
  const double s1 = std::sin(dphi / 2);
  const double s2 = std::sin(dlambda / 2);
  double h = s1 * s1 + std::cos(lat1 * kDegToRad) * std::cos(lat2 * kDegToRad) * s2 * s2;
  h = std::clamp(h, 0.0, 1.0);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(h));
}

GeoQuery GeoQuery::From(const SearchRequest& r, std::string day) {
  GeoQuery g;
  g.day = std::move(day);
  if (r.radius_km && r.point) {
    g.mode = GeoMode::kRadius;
    g.radius_km = *r.radius_km;
  } else if (r.bbox) {
    g.mode = GeoMode::kViewport;
    g.bbox = *r.bbox;
  } else if (r.point) {
    g.mode = GeoMode::kNearest;
  }
  if (r.point) {
    g.has_ref = true;
    g.ref_lat = r.point->lat;
    g.ref_lon = r.point->lon;
  } else if (r.bbox) {
    // The viewport's centre, as inkdex measures hits of a viewport from it.
    g.has_ref = true;
    g.ref_lat = (r.bbox->south + r.bbox->north) / 2;
    const double east = r.bbox->east < r.bbox->west ? r.bbox->east + 360 : r.bbox->east;
    g.ref_lon = (r.bbox->west + east) / 2;
    if (g.ref_lon > 180) g.ref_lon -= 360;
  }
  return g;
}

const Located& MatchContext::Locate(const Xapian::Document& doc) {
  const Xapian::docid id = doc.get_docid();
  if (id == cached_) return located_;
  cached_ = id;
  located_ = Located();
  if (!DecodeLocations(doc.get_value(kLocationsSlot), &locations_) || locations_.empty()) {
    return located_;
  }
  if (!geo_.has_ref) {
    located_.matches = true;
    located_.city = &locations_[0].city;
    return located_;
  }
  for (size_t i = 0; i < locations_.size(); ++i) {
    const StoredLocation& l = locations_[i];
    if (i > 0 && !l.ActiveOn(geo_.day)) continue;  // the primary is always active
    if (geo_.mode == GeoMode::kViewport && !RectContains(geo_.bbox, l.lat, l.lon)) continue;
    const double d = HaversineKm(geo_.ref_lat, geo_.ref_lon, l.lat, l.lon);
    if (geo_.mode == GeoMode::kRadius && d > geo_.radius_km) continue;
    if (!located_.matches || d < located_.distance) {
      located_.matches = true;
      located_.location = static_cast<int>(i);
      located_.distance = d;
    }
  }
  if (located_.matches) located_.city = &locations_[located_.location].city;
  return located_;
}

void FacetSpy::operator()(const Xapian::Document& doc, double) {
  if (count_styles_) {
    for (uint64_t m = DecodeStyleMask(doc.get_value(kStyleMaskSlot)); m != 0; m &= m - 1) {
      ++styles_[std::countr_zero(m)];
    }
  }
  const Located& at = context_->Locate(doc);
  if (!at.matches) return;
  if (rings_) {
    int ring = 0;
    while (ring < 5 && at.distance >= kRingEdgesKm[ring]) ++ring;
    ++ring_counts_[ring];
  }
  if (at.city != nullptr && !at.city->empty()) ++cities_[*at.city];
}

void FacetSpy::FillStyles(const StyleTaxonomy& taxonomy, Facets* f) const {
  f->styles.clear();
  for (int i = 0; i < taxonomy.size(); ++i) {
    if (styles_[i] > 0) {
      f->styles.push_back({taxonomy.style(i).id, taxonomy.style(i).display_name, styles_[i]});
    }
  }
  std::stable_sort(f->styles.begin(), f->styles.end(),
                   [](const FacetValue& a, const FacetValue& b) { return a.count > b.count; });
}

void FacetSpy::FillFacets(const StyleTaxonomy& taxonomy, int top_cities, Facets* f) const {
  if (count_styles_) FillStyles(taxonomy, f);
  if (rings_) {
    static const char* kRings[] = {"0-2", "2-5", "5-10", "10-25", "25-50", "50+"};
    for (int i = 0; i < 6; ++i) {
      f->distance_rings.push_back({kRings[i], std::string(kRings[i]) + " km", ring_counts_[i]});
    }
  }
  std::vector<std::pair<std::string, int64_t>> cities(cities_.begin(), cities_.end());
  const size_t n = std::min<size_t>(cities.size(), static_cast<size_t>(top_cities));
  std::partial_sort(cities.begin(), cities.begin() + n, cities.end(),
                    [](const auto& a, const auto& b) {
                      return a.second != b.second ? a.second > b.second : a.first < b.first;
                    });
  for (size_t i = 0; i < n; ++i)
    f->cities.push_back({cities[i].first, cities[i].first, cities[i].second});
}

void FillBands(const Xapian::ValueCountMatchSpy& rates, const Xapian::ValueCountMatchSpy& ratings,
               Facets* f) {
  auto fill = [](const Xapian::ValueCountMatchSpy& spy, std::initializer_list<const char*> keys,
                 std::vector<FacetValue>* out) {
    absl::flat_hash_map<std::string, int64_t> counts;
    for (Xapian::TermIterator it = spy.values_begin(); it != spy.values_end(); ++it) {
      counts[*it] = it.get_termfreq();
    }
    for (const char* key : keys) out->push_back({key, key, counts[key]});
  };
  fill(rates, {"0-50", "50-100", "100-150", "150-200", "200+", "unknown"}, &f->hourly_rate_bands);
  fill(ratings, {"4.5+", "4-4.5", "3-4", "<3", "unrated"}, &f->rating_bands);
}

double SortKey(const SearchRequest& r, const Located& at, const Xapian::Document& doc, double t) {
  constexpr double kLast = std::numeric_limits<double>::infinity();
  switch (r.sort) {
    case SortOrder::kRelevance: {
      const RankingOptions& o = r.ranking;
      const double rating = ValueOr(doc, kRatingSlot, kNaN);  // present only when rated
      const double n = std::isnan(rating) ? 0 : ValueOr(doc, kReviewsSlot, 0);
      const double denom = o.prior_weight + n;
      const double bayes =
          denom <= 0 ? o.prior_rating
                     : (o.prior_weight * o.prior_rating + (n > 0 ? rating * n : 0)) / denom;
      const double text = r.text.empty() ? 0 : o.text_weight * t / (1 + t);
      const double distance =
          std::isnan(at.distance)
              ? 0
              : o.distance_weight * std::exp(-at.distance / o.distance_scale_km);
      return -(text + distance + o.quality_weight * bayes / 5);
    }
    case SortOrder::kDistance:
      return std::isnan(at.distance) ? kLast : at.distance;
    case SortOrder::kRating: {
      const double rating = ValueOr(doc, kRatingSlot, kNaN);
      return std::isnan(rating) ? kLast : -rating;
    }
    case SortOrder::kPriceAsc:
      return ValueOr(doc, kRateSlot, kLast);
    case SortOrder::kPriceDesc: {
      const double rate = ValueOr(doc, kRateSlot, kNaN);
      return std::isnan(rate) ? kLast : -rate;
    }
  }
  return kLast;
}

std::string EncodeKey(double key, const std::string& id) {
  if (key == 0) key = 0;  // -0.0 sorts with 0.0
  uint64_t bits = std::bit_cast<uint64_t>(key);
  bits = (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, bits >>= 8) out[i] = static_cast<char>(bits & 0xff);
  out += id;
  return out;
}

std::string SortKeyMaker::operator()(const Xapian::Document& doc) const {
  const Located& at = context_->Locate(doc);
  return EncodeKey(SortKey(request_, at, doc, 0), doc.get_value(kIdSlot));
}

}  // namespace inkdex::bench::xapian_peer
