// v1::SearchRequest <-> inkdex::SearchRequest: every field, presence,
// defaults, and the enum checks.
#include <string>

#include "api/convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service_api/proto_fields_util.h"

namespace inkdex::api {
namespace {

using ::inkdex::api::proto_fields::SameMessage;
using ::inkdex::api::proto_fields::UnsetFields;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Every field set to a value other than its default.
v1::SearchRequest FullRequestProto() {
  v1::SearchRequest p;
  p.set_text("koi \"sleeve\"");
  p.mutable_point()->set_lat(53.8);
  p.mutable_point()->set_lon(-1.55);
  p.set_radius_km(12.5);
  p.mutable_bbox()->set_south(50.1);
  p.mutable_bbox()->set_west(170);
  p.mutable_bbox()->set_north(51.2);
  p.mutable_bbox()->set_east(-170);
  p.add_styles("fine line");
  p.add_styles("japanese");
  p.set_style_match(v1::STYLE_MATCH_ALL);
  p.set_min_rating(4.25);
  p.set_max_hourly_rate(150);
  p.set_currency("GBP");
  p.set_booking_open(true);
  p.set_min_years_active(3);
  p.set_date("2026-07-01");
  p.set_sort(v1::SORT_ORDER_PRICE_DESC);
  v1::RankingOptions* r = p.mutable_ranking();
  r->set_text_weight(2);
  r->set_distance_weight(3);
  r->set_quality_weight(0.75);
  r->set_distance_scale_km(40);
  r->set_prior_rating(4);
  r->set_prior_weight(5);
  p.set_limit(37);
  p.set_page_token("tok");
  p.set_max_per_studio(2);
  p.set_explain(true);
  p.set_facets(false);
  p.set_top_cities(0);
  return p;
}

TEST(SearchRequestFromProto, FixtureSetsEveryField) {
  EXPECT_THAT(UnsetFields(FullRequestProto()), IsEmpty());
}

TEST(SearchRequestFromProto, MapsEveryField) {
  absl::StatusOr<SearchRequest> r = FromProto(FullRequestProto());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->text, "koi \"sleeve\"");
  ASSERT_TRUE(r->point.has_value());
  EXPECT_EQ(r->point->lat, 53.8);
  EXPECT_EQ(r->point->lon, -1.55);
  EXPECT_EQ(r->radius_km, 12.5);
  ASSERT_TRUE(r->bbox.has_value());
  EXPECT_EQ(r->bbox->south, 50.1);
  EXPECT_EQ(r->bbox->west, 170);
  EXPECT_EQ(r->bbox->north, 51.2);
  EXPECT_EQ(r->bbox->east, -170);
  EXPECT_THAT(r->styles, ElementsAre("fine line", "japanese"));
  EXPECT_EQ(r->style_match, StyleMatch::kAll);
  EXPECT_EQ(r->min_rating, 4.25);
  EXPECT_EQ(r->max_hourly_rate, 150);
  EXPECT_EQ(r->currency, "GBP");
  EXPECT_TRUE(r->booking_open);
  EXPECT_EQ(r->min_years_active, 3);
  EXPECT_EQ(r->date, "2026-07-01");
  EXPECT_EQ(r->sort, SortOrder::kPriceDesc);
  EXPECT_EQ(r->ranking.text_weight, 2);
  EXPECT_EQ(r->ranking.distance_weight, 3);
  EXPECT_EQ(r->ranking.quality_weight, 0.75);
  EXPECT_EQ(r->ranking.distance_scale_km, 40);
  EXPECT_EQ(r->ranking.prior_rating, 4);
  EXPECT_EQ(r->ranking.prior_weight, 5);
  EXPECT_EQ(r->limit, 37);
  EXPECT_EQ(r->page_token, "tok");
  EXPECT_EQ(r->max_per_studio, 2);
  EXPECT_TRUE(r->explain);
  EXPECT_FALSE(r->facets);
  EXPECT_EQ(r->top_cities, 0);
  EXPECT_FALSE(r->interrupted);
}

TEST(SearchRequestFromProto, ProtoRoundTripIsExact) {
  const v1::SearchRequest p = FullRequestProto();
  absl::StatusOr<SearchRequest> r = FromProto(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(SameMessage(p, ToProto(*r)));
}

TEST(SearchRequestFromProto, UnsetFieldsTakeLibraryDefaults) {
  absl::StatusOr<SearchRequest> r = FromProto(v1::SearchRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  const SearchRequest defaults;
  EXPECT_EQ(r->text, "");
  EXPECT_FALSE(r->point.has_value());
  EXPECT_FALSE(r->radius_km.has_value());
  EXPECT_FALSE(r->bbox.has_value());
  EXPECT_THAT(r->styles, IsEmpty());
  EXPECT_EQ(r->style_match, StyleMatch::kAny);
  EXPECT_FALSE(r->min_rating.has_value());
  EXPECT_FALSE(r->max_hourly_rate.has_value());
  EXPECT_FALSE(r->booking_open);
  EXPECT_FALSE(r->min_years_active.has_value());
  EXPECT_EQ(r->date, "");
  EXPECT_EQ(r->sort, SortOrder::kRelevance);
  EXPECT_EQ(r->ranking.text_weight, defaults.ranking.text_weight);
  EXPECT_EQ(r->ranking.distance_weight, defaults.ranking.distance_weight);
  EXPECT_EQ(r->ranking.quality_weight, defaults.ranking.quality_weight);
  EXPECT_EQ(r->ranking.distance_scale_km, defaults.ranking.distance_scale_km);
  EXPECT_EQ(r->ranking.prior_rating, defaults.ranking.prior_rating);
  EXPECT_EQ(r->ranking.prior_weight, defaults.ranking.prior_weight);
  EXPECT_EQ(r->limit, 20);
  EXPECT_EQ(r->page_token, "");
  EXPECT_EQ(r->max_per_studio, 0);
  EXPECT_FALSE(r->explain);
  EXPECT_TRUE(r->facets);
  EXPECT_EQ(r->top_cities, 10);
}

TEST(SearchRequestFromProto, PresenceFollowsMessageAndOptionalPresence) {
  v1::SearchRequest p;
  p.mutable_point();  // (0, 0) is a real place: present, not "unset"
  p.mutable_bbox();
  p.set_radius_km(0);
  p.set_min_rating(0);
  p.set_max_hourly_rate(0);
  p.set_min_years_active(0);
  absl::StatusOr<SearchRequest> r = FromProto(p);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->point.has_value());
  EXPECT_EQ(r->point->lat, 0);
  EXPECT_EQ(r->point->lon, 0);
  EXPECT_TRUE(r->bbox.has_value());
  EXPECT_EQ(r->radius_km, 0.0);
  EXPECT_EQ(r->min_rating, 0.0);
  EXPECT_EQ(r->max_hourly_rate, 0.0);
  EXPECT_EQ(r->min_years_active, 0);
}

TEST(SearchRequestFromProto, PartialRankingKeepsOtherDefaults) {
  v1::SearchRequest p;
  p.mutable_ranking()->set_distance_scale_km(3);
  p.mutable_ranking()->set_text_weight(0);
  absl::StatusOr<SearchRequest> r = FromProto(p);
  ASSERT_TRUE(r.ok()) << r.status();
  const RankingOptions defaults;
  EXPECT_EQ(r->ranking.distance_scale_km, 3);
  EXPECT_EQ(r->ranking.text_weight, 0);
  EXPECT_EQ(r->ranking.distance_weight, defaults.distance_weight);
  EXPECT_EQ(r->ranking.quality_weight, defaults.quality_weight);
  EXPECT_EQ(r->ranking.prior_rating, defaults.prior_rating);
  EXPECT_EQ(r->ranking.prior_weight, defaults.prior_weight);
}

TEST(SearchRequestFromProto, OutOfRangeValuesAreLeftForTheLibrary) {
  // The library names these fields in its own INVALID_ARGUMENT; converting
  // must not turn them into defaults.
  v1::SearchRequest p;
  p.set_limit(-5);
  p.set_top_cities(1000);
  p.set_radius_km(-3);
  absl::StatusOr<SearchRequest> r = FromProto(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit, -5);
  EXPECT_EQ(r->top_cities, 1000);
  EXPECT_EQ(r->radius_km, -3);
}

TEST(SearchRequestFromProto, EveryEnumValueMaps) {
  const std::pair<v1::SortOrder, SortOrder> sorts[] = {
      {v1::SORT_ORDER_RELEVANCE, SortOrder::kRelevance},
      {v1::SORT_ORDER_DISTANCE, SortOrder::kDistance},
      {v1::SORT_ORDER_RATING, SortOrder::kRating},
      {v1::SORT_ORDER_PRICE_ASC, SortOrder::kPriceAsc},
      {v1::SORT_ORDER_PRICE_DESC, SortOrder::kPriceDesc}};
  for (const auto& [wire, library] : sorts) {
    v1::SearchRequest p;
    p.set_sort(wire);
    absl::StatusOr<SearchRequest> r = FromProto(p);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->sort, library) << v1::SortOrder_Name(wire);
    EXPECT_EQ(ToProto(*r).sort(), wire);
  }
  const std::pair<v1::StyleMatch, StyleMatch> matches[] = {{v1::STYLE_MATCH_ANY, StyleMatch::kAny},
                                                           {v1::STYLE_MATCH_ALL, StyleMatch::kAll}};
  for (const auto& [wire, library] : matches) {
    v1::SearchRequest p;
    p.set_style_match(wire);
    absl::StatusOr<SearchRequest> r = FromProto(p);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->style_match, library) << v1::StyleMatch_Name(wire);
    EXPECT_EQ(ToProto(*r).style_match(), wire);
  }
  EXPECT_EQ(v1::SortOrder_descriptor()->value_count(), 5) << "a new sort needs mapping";
  EXPECT_EQ(v1::StyleMatch_descriptor()->value_count(), 2) << "a new match needs mapping";
}

TEST(SearchRequestFromProto, UnknownSortIsInvalidArgumentNamingTheField) {
  v1::SearchRequest p;
  p.set_sort(static_cast<v1::SortOrder>(9));
  absl::StatusOr<SearchRequest> r = FromProto(p);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "sort: unknown value 9");
}

TEST(SearchRequestFromProto, UnknownStyleMatchIsInvalidArgumentNamingTheField) {
  v1::SearchRequest p;
  p.set_style_match(static_cast<v1::StyleMatch>(-2));
  absl::StatusOr<SearchRequest> r = FromProto(p);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "style_match: unknown value -2");
}

TEST(SearchRequestFromProto, UnknownEnumFromTheWireIsRefused) {
  // What a client built against a newer proto sends: field 12 (sort), varint 9.
  v1::SearchRequest p;
  ASSERT_TRUE(p.ParseFromString(std::string("\x60\x09", 2)));
  absl::StatusOr<SearchRequest> r = FromProto(p);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "sort: unknown value 9");
}

TEST(SearchRequestToProto, LibraryRoundTripKeepsEveryField) {
  SearchRequest q;
  q.text = "dragon";
  q.point = GeoPoint{-33.87, 151.21};
  q.radius_km = 7;
  q.bbox = BoundingBox{-34, 150, -33, 152};
  q.styles = {"blackwork"};
  q.style_match = StyleMatch::kAll;
  q.min_rating = 3.5;
  q.max_hourly_rate = 90;
  q.currency = "EUR";
  q.booking_open = true;
  q.min_years_active = 5;
  q.date = "2026-01-31";
  q.sort = SortOrder::kDistance;
  q.ranking = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5};
  q.limit = 99;
  q.page_token = "abc";
  q.max_per_studio = 1;
  q.explain = true;
  q.facets = false;
  q.top_cities = 3;

  const v1::SearchRequest p = ToProto(q);
  EXPECT_THAT(UnsetFields(p), IsEmpty());
  absl::StatusOr<SearchRequest> r = FromProto(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->text, q.text);
  ASSERT_TRUE(r->point.has_value());
  EXPECT_EQ(r->point->lat, q.point->lat);
  EXPECT_EQ(r->point->lon, q.point->lon);
  EXPECT_EQ(r->radius_km, q.radius_km);
  ASSERT_TRUE(r->bbox.has_value());
  EXPECT_EQ(r->bbox->south, q.bbox->south);
  EXPECT_EQ(r->bbox->west, q.bbox->west);
  EXPECT_EQ(r->bbox->north, q.bbox->north);
  EXPECT_EQ(r->bbox->east, q.bbox->east);
  EXPECT_EQ(r->styles, q.styles);
  EXPECT_EQ(r->style_match, q.style_match);
  EXPECT_EQ(r->min_rating, q.min_rating);
  EXPECT_EQ(r->max_hourly_rate, q.max_hourly_rate);
  EXPECT_EQ(r->currency, q.currency);
  EXPECT_EQ(r->booking_open, q.booking_open);
  EXPECT_EQ(r->min_years_active, q.min_years_active);
  EXPECT_EQ(r->date, q.date);
  EXPECT_EQ(r->sort, q.sort);
  EXPECT_EQ(r->ranking.text_weight, 0.5);
  EXPECT_EQ(r->ranking.distance_weight, 1.5);
  EXPECT_EQ(r->ranking.quality_weight, 2.5);
  EXPECT_EQ(r->ranking.distance_scale_km, 3.5);
  EXPECT_EQ(r->ranking.prior_rating, 4.5);
  EXPECT_EQ(r->ranking.prior_weight, 5.5);
  EXPECT_EQ(r->limit, q.limit);
  EXPECT_EQ(r->page_token, q.page_token);
  EXPECT_EQ(r->max_per_studio, q.max_per_studio);
  EXPECT_EQ(r->explain, q.explain);
  EXPECT_EQ(r->facets, q.facets);
  EXPECT_EQ(r->top_cities, q.top_cities);
}

TEST(SearchRequestToProto, DefaultRequestRoundTripsToDefaults) {
  const SearchRequest defaults;
  const v1::SearchRequest p = ToProto(defaults);
  EXPECT_FALSE(p.has_point());
  EXPECT_FALSE(p.has_radius_km());
  EXPECT_FALSE(p.has_bbox());
  EXPECT_FALSE(p.has_min_rating());
  EXPECT_FALSE(p.has_max_hourly_rate());
  EXPECT_FALSE(p.has_min_years_active());
  // Written explicitly, so the server need not share the client's defaults.
  EXPECT_TRUE(p.has_facets());
  EXPECT_TRUE(p.has_top_cities());
  EXPECT_TRUE(p.ranking().has_prior_weight());
  EXPECT_EQ(p.limit(), 20);
  absl::StatusOr<SearchRequest> r = FromProto(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(SameMessage(p, ToProto(*r)));
}

}  // namespace
}  // namespace inkdex::api
