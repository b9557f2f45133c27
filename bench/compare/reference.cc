#include "reference.h"

#include <cmath>
#include <limits>
#include <memory>

namespace inkdex::bench {
namespace {

constexpr double kLast = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double HitKey(SortOrder sort, const SearchHit& hit) {
  if (sort == SortOrder::kRelevance) return -hit.score;
  return NonRelevanceKey(sort, hit.distance_km, hit.rating.value_or(kNaN), hit.review_count,
                         hit.hourly_rate.value_or(kNaN));
}

}  // namespace

double NonRelevanceKey(SortOrder sort, double distance_km, double rating, uint32_t review_count,
                       double hourly_rate) {
  switch (sort) {
    case SortOrder::kDistance:
      return std::isnan(distance_km) ? kLast : distance_km;
    case SortOrder::kRating:
      return std::isnan(rating) || review_count == 0 ? kLast : -rating;
    case SortOrder::kPriceAsc:
      return std::isnan(hourly_rate) ? kLast : hourly_rate;
    case SortOrder::kPriceDesc:
      return std::isnan(hourly_rate) ? kLast : -hourly_rate;
    case SortOrder::kRelevance:
      break;
  }
  return kNaN;
}

GateArtists GateArtists::From(const std::vector<Artist>& artists) {
  GateArtists out;
  out.by_id_.reserve(artists.size());
  for (const Artist& a : artists) {
    GateArtist& g = out.by_id_[a.id()];
    g.locations = LocationsOf(a);
    g.rating = a.has_rating() ? a.rating() : kNaN;
    g.review_count = a.review_count();
    g.hourly_rate = a.pricing().has_hourly_rate() ? a.pricing().hourly_rate() : kNaN;
  }
  return out;
}

const GateArtist* GateArtists::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

int64_t GateArtists::CountNearEdges(const SearchRequest& request, bool rings) const {
  if (!request.point || (!request.radius_km && !rings)) return 0;
  int64_t n = 0;
  for (const auto& [id, a] : by_id_) {
    const double d = NearestActiveKm(a.locations, *request.point, request.date);
    bool near = request.radius_km && NearBoundary(d, *request.radius_km);
    for (double edge : kRingEdgesKm) near = near || (rings && NearBoundary(d, edge));
    n += near;
  }
  return n;
}

absl::StatusOr<InkdexReference> MakeReference(InkdexPeer& inkdex, const GateArtists& artists,
                                              const BenchQuery& query) {
  InkdexReference ref;
  ref.request = query.search;
  ref.query_json = QueryToJson(query);
  absl::StatusOr<PeerAnswer> answer = inkdex.Search(query.search, /*collect_ids=*/true);
  if (!answer.ok()) return answer.status();
  ref.answer = std::move(*answer);

  SearchRequest top = query.search;
  top.limit = SearchRequest::kMaxLimit;
  top.facets = false;
  absl::StatusOr<SearchResponse> hits = inkdex.index().Search(top);
  if (!hits.ok()) return hits.status();
  auto hit_keys = std::make_shared<absl::flat_hash_map<std::string, double>>();
  for (const SearchHit& h : hits->hits) (*hit_keys)[h.id] = HitKey(top.sort, h);

  const SearchRequest request = query.search;
  ref.distance_km = [&artists, request](const std::string& id) -> std::optional<double> {
    const GateArtist* a = artists.Find(id);
    if (a == nullptr || !request.point) return std::nullopt;
    return NearestActiveKm(a->locations, *request.point, request.date);
  };
  ref.sort_key = [&artists, request, hit_keys,
                  distance = ref.distance_km](const std::string& id) -> std::optional<double> {
    if (auto it = hit_keys->find(id); it != hit_keys->end()) return it->second;
    const GateArtist* a = artists.Find(id);
    if (a == nullptr || request.sort == SortOrder::kRelevance) return std::nullopt;
    return NonRelevanceKey(request.sort, distance(id).value_or(kNaN), a->rating, a->review_count,
                           a->hourly_rate);
  };
  ref.facet_slack = artists.CountNearEdges(request, request.facets);
  return ref;
}

}  // namespace inkdex::bench
