// Search and Suggest: inkdex.v1 messages <-> the library's query types
// (contract in convert.h).
//
// Presence: the library's std::optional fields and the proto's `optional`
// fields / message fields map one to one, so an unset field stays unset both
// ways. A NaN distance (the library's "no point") is an unset distance_km.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "api/convert.h"

namespace inkdex::api {
namespace {

// The library's defaults, which unset wire fields take.
const SearchRequest& DefaultSearch() {
  static const SearchRequest* const kDefault = new SearchRequest();
  return *kDefault;
}

absl::Status UnknownEnumValue(absl::string_view field, int value) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": unknown value ", value));
}

GeoPoint FromProto(const v1::LatLng& p) { return GeoPoint{p.lat(), p.lon()}; }

void ToProto(const GeoPoint& p, v1::LatLng* out) {
  out->set_lat(p.lat);
  out->set_lon(p.lon);
}

absl::StatusOr<SortOrder> FromProto(v1::SortOrder sort) {
  switch (sort) {
    case v1::SORT_ORDER_RELEVANCE:
      return SortOrder::kRelevance;
    case v1::SORT_ORDER_DISTANCE:
      return SortOrder::kDistance;
    case v1::SORT_ORDER_RATING:
      return SortOrder::kRating;
    case v1::SORT_ORDER_PRICE_ASC:
      return SortOrder::kPriceAsc;
    case v1::SORT_ORDER_PRICE_DESC:
      return SortOrder::kPriceDesc;
    default:
      // proto3 enums are open: a client may send any int32.
      return UnknownEnumValue("sort", sort);
  }
}

v1::SortOrder ToProto(SortOrder sort) {
  switch (sort) {
    case SortOrder::kRelevance:
      return v1::SORT_ORDER_RELEVANCE;
    case SortOrder::kDistance:
      return v1::SORT_ORDER_DISTANCE;
    case SortOrder::kRating:
      return v1::SORT_ORDER_RATING;
    case SortOrder::kPriceAsc:
      return v1::SORT_ORDER_PRICE_ASC;
    case SortOrder::kPriceDesc:
      return v1::SORT_ORDER_PRICE_DESC;
  }
  return v1::SORT_ORDER_RELEVANCE;
}

absl::StatusOr<StyleMatch> FromProto(v1::StyleMatch match) {
  switch (match) {
    case v1::STYLE_MATCH_ANY:
      return StyleMatch::kAny;
    case v1::STYLE_MATCH_ALL:
      return StyleMatch::kAll;
    default:
      return UnknownEnumValue("style_match", match);
  }
}

v1::StyleMatch ToProto(StyleMatch match) {
  return match == StyleMatch::kAll ? v1::STYLE_MATCH_ALL : v1::STYLE_MATCH_ANY;
}

// Suggestion kinds of a newer server have no library equivalent: nullopt.
std::optional<Suggestion::Kind> FromProto(v1::Suggestion::Kind kind) {
  switch (kind) {
    case v1::Suggestion::KIND_ARTIST:
      return Suggestion::Kind::kArtist;
    case v1::Suggestion::KIND_STUDIO:
      return Suggestion::Kind::kStudio;
    case v1::Suggestion::KIND_STYLE:
      return Suggestion::Kind::kStyle;
    case v1::Suggestion::KIND_CITY:
      return Suggestion::Kind::kCity;
    default:
      return std::nullopt;
  }
}

v1::Suggestion::Kind ToProto(Suggestion::Kind kind) {
  switch (kind) {
    case Suggestion::Kind::kArtist:
      return v1::Suggestion::KIND_ARTIST;
    case Suggestion::Kind::kStudio:
      return v1::Suggestion::KIND_STUDIO;
    case Suggestion::Kind::kStyle:
      return v1::Suggestion::KIND_STYLE;
    case Suggestion::Kind::kCity:
      return v1::Suggestion::KIND_CITY;
  }
  return v1::Suggestion::KIND_ARTIST;
}

RankingOptions FromProto(const v1::RankingOptions& r) {
  RankingOptions out;
  if (r.has_text_weight()) out.text_weight = r.text_weight();
  if (r.has_distance_weight()) out.distance_weight = r.distance_weight();
  if (r.has_quality_weight()) out.quality_weight = r.quality_weight();
  if (r.has_distance_scale_km()) out.distance_scale_km = r.distance_scale_km();
  if (r.has_prior_rating()) out.prior_rating = r.prior_rating();
  if (r.has_prior_weight()) out.prior_weight = r.prior_weight();
  return out;
}

// Every knob is written, defaults included, so the server needs no knowledge
// of the client's defaults to reproduce the query.
void ToProto(const RankingOptions& r, v1::RankingOptions* out) {
  out->set_text_weight(r.text_weight);
  out->set_distance_weight(r.distance_weight);
  out->set_quality_weight(r.quality_weight);
  out->set_distance_scale_km(r.distance_scale_km);
  out->set_prior_rating(r.prior_rating);
  out->set_prior_weight(r.prior_weight);
}

bool IsZero(const ScoreExplanation& e) {
  return e.text_raw == 0 && e.text == 0 && e.distance == 0 && e.quality_raw == 0 && e.quality == 0;
}

double DistanceFromProto(bool has_distance, double distance_km) {
  return has_distance ? distance_km : std::numeric_limits<double>::quiet_NaN();
}

void ToProto(const std::vector<FacetValue>& values,
             google::protobuf::RepeatedPtrField<v1::FacetValue>* out) {
  out->Reserve(static_cast<int>(values.size()));
  for (const FacetValue& v : values) {
    v1::FacetValue* p = out->Add();
    p->set_value(v.value);
    p->set_label(v.label);
    p->set_count(v.count);
  }
}

std::vector<FacetValue> FromProto(
    const google::protobuf::RepeatedPtrField<v1::FacetValue>& values) {
  std::vector<FacetValue> out;
  out.reserve(values.size());
  for (const v1::FacetValue& v : values) out.push_back({v.value(), v.label(), v.count()});
  return out;
}

void ToProto(const SearchHit& hit, v1::SearchHit* out) {
  out->set_id(hit.id);
  out->set_name(hit.name);
  out->set_studio_name(hit.studio_name);
  out->set_location(hit.location);
  out->set_city(hit.city);
  out->set_guest_spot(hit.guest_spot);
  ToProto(GeoPoint{hit.lat, hit.lon}, out->mutable_matched_location());
  if (!std::isnan(hit.distance_km)) out->set_distance_km(hit.distance_km);
  out->set_score(hit.score);
  out->mutable_styles()->Assign(hit.styles.begin(), hit.styles.end());
  if (hit.rating) out->set_rating(*hit.rating);
  out->set_review_count(hit.review_count);
  if (hit.hourly_rate) out->set_hourly_rate(*hit.hourly_rate);
  out->set_currency(hit.currency);
  out->set_booking_open(hit.booking_open);
  // All zero means "not explained" (explain off); reading an unset message
  // gives the same zeros, so nothing is lost.
  if (!IsZero(hit.explanation)) {
    v1::ScoreExplanation* e = out->mutable_explanation();
    e->set_text_raw(hit.explanation.text_raw);
    e->set_text(hit.explanation.text);
    e->set_distance(hit.explanation.distance);
    e->set_quality_raw(hit.explanation.quality_raw);
    e->set_quality(hit.explanation.quality);
  }
}

SearchHit FromProto(const v1::SearchHit& hit) {
  SearchHit out;
  out.id = hit.id();
  out.name = hit.name();
  out.studio_name = hit.studio_name();
  out.location = hit.location();
  out.city = hit.city();
  out.guest_spot = hit.guest_spot();
  out.lat = hit.matched_location().lat();
  out.lon = hit.matched_location().lon();
  out.distance_km = DistanceFromProto(hit.has_distance_km(), hit.distance_km());
  out.score = hit.score();
  out.styles.assign(hit.styles().begin(), hit.styles().end());
  if (hit.has_rating()) out.rating = hit.rating();
  out.review_count = hit.review_count();
  if (hit.has_hourly_rate()) out.hourly_rate = hit.hourly_rate();
  out.currency = hit.currency();
  out.booking_open = hit.booking_open();
  const v1::ScoreExplanation& e = hit.explanation();
  out.explanation = {e.text_raw(), e.text(), e.distance(), e.quality_raw(), e.quality()};
  return out;
}

}  // namespace

absl::StatusOr<SearchRequest> FromProto(const v1::SearchRequest& request) {
  SearchRequest out;
  out.text = request.text();
  if (request.has_point()) out.point = FromProto(request.point());
  if (request.has_radius_km()) out.radius_km = request.radius_km();
  if (request.has_bbox()) {
    const v1::BoundingBox& b = request.bbox();
    out.bbox = BoundingBox{b.south(), b.west(), b.north(), b.east()};
  }
  out.styles.assign(request.styles().begin(), request.styles().end());
  absl::StatusOr<StyleMatch> style_match = FromProto(request.style_match());
  if (!style_match.ok()) return style_match.status();
  out.style_match = *style_match;
  if (request.has_min_rating()) out.min_rating = request.min_rating();
  if (request.has_max_hourly_rate()) out.max_hourly_rate = request.max_hourly_rate();
  out.currency = request.currency();
  out.booking_open = request.booking_open();
  if (request.has_min_years_active()) out.min_years_active = request.min_years_active();
  out.date = request.date();
  absl::StatusOr<SortOrder> sort = FromProto(request.sort());
  if (!sort.ok()) return sort.status();
  out.sort = *sort;
  out.ranking = FromProto(request.ranking());
  // 0 is proto3's "unset"; any other value, even out of range, is the
  // library's to judge.
  out.limit = request.limit() == 0 ? DefaultSearch().limit : request.limit();
  out.page_token = request.page_token();
  out.max_per_studio = request.max_per_studio();
  out.explain = request.explain();
  out.facets = request.has_facets() ? request.facets() : DefaultSearch().facets;
  out.top_cities = request.has_top_cities() ? request.top_cities() : DefaultSearch().top_cities;
  return out;
}

v1::SearchRequest ToProto(const SearchRequest& request) {
  v1::SearchRequest out;
  out.set_text(request.text);
  if (request.point) ToProto(*request.point, out.mutable_point());
  if (request.radius_km) out.set_radius_km(*request.radius_km);
  if (request.bbox) {
    v1::BoundingBox* b = out.mutable_bbox();
    b->set_south(request.bbox->south);
    b->set_west(request.bbox->west);
    b->set_north(request.bbox->north);
    b->set_east(request.bbox->east);
  }
  out.mutable_styles()->Assign(request.styles.begin(), request.styles.end());
  out.set_style_match(ToProto(request.style_match));
  if (request.min_rating) out.set_min_rating(*request.min_rating);
  if (request.max_hourly_rate) out.set_max_hourly_rate(*request.max_hourly_rate);
  out.set_currency(request.currency);
  out.set_booking_open(request.booking_open);
  if (request.min_years_active) out.set_min_years_active(*request.min_years_active);
  out.set_date(request.date);
  out.set_sort(ToProto(request.sort));
  ToProto(request.ranking, out.mutable_ranking());
  out.set_limit(request.limit);
  out.set_page_token(request.page_token);
  out.set_max_per_studio(request.max_per_studio);
  out.set_explain(request.explain);
  out.set_facets(request.facets);
  out.set_top_cities(request.top_cities);
  return out;
}

void ToProto(const SearchResponse& response, v1::SearchResponse* out) {
  out->set_total(response.total);
  out->mutable_hits()->Reserve(static_cast<int>(response.hits.size()));
  for (const SearchHit& hit : response.hits) ToProto(hit, out->add_hits());
  v1::Facets* facets = out->mutable_facets();
  ToProto(response.facets.styles, facets->mutable_styles());
  ToProto(response.facets.distance_rings, facets->mutable_distance_rings());
  ToProto(response.facets.hourly_rate_bands, facets->mutable_hourly_rate_bands());
  ToProto(response.facets.rating_bands, facets->mutable_rating_bands());
  ToProto(response.facets.cities, facets->mutable_cities());
  out->set_next_page_token(response.next_page_token);
  out->set_spelling_suggestion(response.spelling_suggestion);
  out->set_commit_seq(response.commit_seq);
}

v1::SearchResponse ToProto(const SearchResponse& response) {
  v1::SearchResponse out;
  ToProto(response, &out);
  return out;
}

SearchResponse FromProto(const v1::SearchResponse& response) {
  SearchResponse out;
  out.total = response.total();
  out.hits.reserve(response.hits_size());
  for (const v1::SearchHit& hit : response.hits()) out.hits.push_back(FromProto(hit));
  const v1::Facets& facets = response.facets();
  out.facets.styles = FromProto(facets.styles());
  out.facets.distance_rings = FromProto(facets.distance_rings());
  out.facets.hourly_rate_bands = FromProto(facets.hourly_rate_bands());
  out.facets.rating_bands = FromProto(facets.rating_bands());
  out.facets.cities = FromProto(facets.cities());
  out.next_page_token = response.next_page_token();
  out.spelling_suggestion = response.spelling_suggestion();
  out.commit_seq = response.commit_seq();
  return out;
}

absl::StatusOr<SuggestRequest> FromProto(const v1::SuggestRequest& request) {
  SuggestRequest out;
  out.prefix = request.prefix();
  if (request.has_near()) out.near = FromProto(request.near());
  if (request.limit() != 0) out.limit = request.limit();
  out.date = request.date();
  return out;
}

v1::SuggestRequest ToProto(const SuggestRequest& request) {
  v1::SuggestRequest out;
  out.set_prefix(request.prefix);
  if (request.near) ToProto(*request.near, out.mutable_near());
  out.set_limit(request.limit);
  out.set_date(request.date);
  return out;
}

void ToProto(const std::vector<Suggestion>& suggestions, v1::SuggestResponse* out) {
  out->mutable_suggestions()->Reserve(static_cast<int>(suggestions.size()));
  for (const Suggestion& s : suggestions) {
    v1::Suggestion* p = out->add_suggestions();
    p->set_kind(ToProto(s.kind));
    p->set_text(s.text);
    p->set_id(s.id);
    p->set_count(s.count);
    if (!std::isnan(s.distance_km)) p->set_distance_km(s.distance_km);
  }
}

v1::SuggestResponse ToProto(const std::vector<Suggestion>& suggestions) {
  v1::SuggestResponse out;
  ToProto(suggestions, &out);
  return out;
}

std::vector<Suggestion> FromProto(const v1::SuggestResponse& response) {
  std::vector<Suggestion> out;
  out.reserve(response.suggestions_size());
  for (const v1::Suggestion& s : response.suggestions()) {
    std::optional<Suggestion::Kind> kind = FromProto(s.kind());
    if (!kind) continue;
    Suggestion& suggestion = out.emplace_back();
    suggestion.kind = *kind;
    suggestion.text = s.text();
    suggestion.id = s.id();
    suggestion.count = s.count();
    suggestion.distance_km = DistanceFromProto(s.has_distance_km(), s.distance_km());
  }
  return out;
}

}  // namespace inkdex::api
