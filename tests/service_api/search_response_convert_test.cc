// inkdex::SearchResponse <-> v1::SearchResponse: every field, NaN distance
// <-> unset, optional hourly rate, explanation, facets.
#include <algorithm>
#include <cmath>
#include <limits>

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

void AddFacet(google::protobuf::RepeatedPtrField<v1::FacetValue>* out, const char* value,
              const char* label, int64_t count) {
  v1::FacetValue* f = out->Add();
  f->set_value(value);
  f->set_label(label);
  f->set_count(count);
}

// Every field set; hit 0 has every optional field, hit 1 none of them.
v1::SearchResponse FullResponseProto() {
  v1::SearchResponse p;
  p.set_total(1234);
  v1::SearchHit* h = p.add_hits();
  h->set_id("artist-001");
  h->set_name("Sarah Mitchell");
  h->set_studio_name("Ink & Steel");
  h->set_location("Shoreditch, London, UK");
  h->set_city("London");
  h->set_guest_spot(true);
  h->mutable_matched_location()->set_lat(51.5225);
  h->mutable_matched_location()->set_lon(-0.0786);
  h->set_distance_km(2.75);
  h->set_score(1.625);
  h->add_styles("neo_traditional");
  h->add_styles("traditional");
  h->set_rating(4.8);
  h->set_review_count(127);
  h->set_hourly_rate(120);
  h->set_currency("GBP");
  h->set_booking_open(true);
  v1::ScoreExplanation* e = h->mutable_explanation();
  e->set_text_raw(3);
  e->set_text(0.75);
  e->set_distance(0.5);
  e->set_quality_raw(4.5);
  e->set_quality(0.45);

  v1::SearchHit* bare = p.add_hits();
  bare->set_id("artist-002");
  bare->set_name("No Rate");
  bare->mutable_matched_location()->set_lat(1);
  bare->mutable_matched_location()->set_lon(2);

  v1::Facets* f = p.mutable_facets();
  AddFacet(f->mutable_styles(), "traditional", "Traditional", 40);
  AddFacet(f->mutable_styles(), "japanese", "Japanese", 7);
  AddFacet(f->mutable_distance_rings(), "0-2", "0-2 km", 3);
  AddFacet(f->mutable_hourly_rate_bands(), "50-100", "50-100", 9);
  AddFacet(f->mutable_rating_bands(), "4.5+", "4.5+", 11);
  AddFacet(f->mutable_cities(), "London", "London", 1200);
  p.set_next_page_token("next");
  p.set_spelling_suggestion("tattoo");
  p.set_commit_seq(77);
  return p;
}

TEST(SearchResponseConvert, FixtureSetsEveryField) {
  std::vector<std::string> unset = UnsetFields(FullResponseProto());
  // hits[1] is the hit without any optional field, on purpose.
  unset.erase(std::remove_if(unset.begin(), unset.end(),
                             [](const std::string& path) { return path.rfind("hits[1]", 0) == 0; }),
              unset.end());
  EXPECT_THAT(unset, IsEmpty());
}

TEST(SearchResponseConvert, FromProtoMapsEveryField) {
  const SearchResponse r = FromProto(FullResponseProto());
  EXPECT_EQ(r.total, 1234);
  ASSERT_EQ(r.hits.size(), 2u);
  const SearchHit& h = r.hits[0];
  EXPECT_EQ(h.id, "artist-001");
  EXPECT_EQ(h.name, "Sarah Mitchell");
  EXPECT_EQ(h.studio_name, "Ink & Steel");
  EXPECT_EQ(h.location, "Shoreditch, London, UK");
  EXPECT_EQ(h.city, "London");
  EXPECT_TRUE(h.guest_spot);
  EXPECT_EQ(h.lat, 51.5225);
  EXPECT_EQ(h.lon, -0.0786);
  EXPECT_EQ(h.distance_km, 2.75);
  EXPECT_EQ(h.score, 1.625);
  EXPECT_THAT(h.styles, ElementsAre("neo_traditional", "traditional"));
  EXPECT_EQ(h.rating, 4.8);
  EXPECT_EQ(h.review_count, 127u);
  EXPECT_EQ(h.hourly_rate, 120);
  EXPECT_EQ(h.currency, "GBP");
  EXPECT_TRUE(h.booking_open);
  EXPECT_EQ(h.explanation.text_raw, 3);
  EXPECT_EQ(h.explanation.text, 0.75);
  EXPECT_EQ(h.explanation.distance, 0.5);
  EXPECT_EQ(h.explanation.quality_raw, 4.5);
  EXPECT_EQ(h.explanation.quality, 0.45);

  const SearchHit& bare = r.hits[1];
  EXPECT_TRUE(std::isnan(bare.distance_km));
  EXPECT_FALSE(bare.hourly_rate.has_value());
  EXPECT_EQ(bare.explanation.quality_raw, 0);
  EXPECT_EQ(bare.lat, 1);
  EXPECT_EQ(bare.lon, 2);

  ASSERT_EQ(r.facets.styles.size(), 2u);
  EXPECT_EQ(r.facets.styles[1].value, "japanese");
  EXPECT_EQ(r.facets.styles[1].label, "Japanese");
  EXPECT_EQ(r.facets.styles[1].count, 7);
  ASSERT_EQ(r.facets.distance_rings.size(), 1u);
  EXPECT_EQ(r.facets.distance_rings[0].value, "0-2");
  ASSERT_EQ(r.facets.hourly_rate_bands.size(), 1u);
  EXPECT_EQ(r.facets.hourly_rate_bands[0].count, 9);
  ASSERT_EQ(r.facets.rating_bands.size(), 1u);
  EXPECT_EQ(r.facets.rating_bands[0].value, "4.5+");
  ASSERT_EQ(r.facets.cities.size(), 1u);
  EXPECT_EQ(r.facets.cities[0].count, 1200);
  EXPECT_EQ(r.next_page_token, "next");
  EXPECT_EQ(r.spelling_suggestion, "tattoo");
  EXPECT_EQ(r.commit_seq, 77u);
}

TEST(SearchResponseConvert, ProtoRoundTripIsExact) {
  const v1::SearchResponse p = FullResponseProto();
  EXPECT_TRUE(SameMessage(p, ToProto(FromProto(p))));
}

TEST(SearchResponseConvert, NanDistanceIsUnsetAndBack) {
  SearchResponse r;
  SearchHit& far = r.hits.emplace_back();
  far.distance_km = 12.5;
  SearchHit& none = r.hits.emplace_back();
  none.distance_km = std::numeric_limits<double>::quiet_NaN();
  SearchHit& zero = r.hits.emplace_back();
  zero.distance_km = 0;  // at the point: a distance, not "no point"

  const v1::SearchResponse p = ToProto(r);
  ASSERT_EQ(p.hits_size(), 3);
  EXPECT_TRUE(p.hits(0).has_distance_km());
  EXPECT_EQ(p.hits(0).distance_km(), 12.5);
  EXPECT_FALSE(p.hits(1).has_distance_km());
  EXPECT_TRUE(p.hits(2).has_distance_km());

  const SearchResponse back = FromProto(p);
  EXPECT_EQ(back.hits[0].distance_km, 12.5);
  EXPECT_TRUE(std::isnan(back.hits[1].distance_km));
  EXPECT_EQ(back.hits[2].distance_km, 0);
}

TEST(SearchResponseConvert, OptionalHourlyRateAndExplanationKeepPresence) {
  SearchResponse r;
  SearchHit& free = r.hits.emplace_back();
  free.hourly_rate = 0.0;  // a rate of 0 is a rate
  free.explanation.quality_raw = 3.5;
  r.hits.emplace_back();  // no rate, not explained

  const v1::SearchResponse p = ToProto(r);
  EXPECT_TRUE(p.hits(0).has_hourly_rate());
  EXPECT_EQ(p.hits(0).hourly_rate(), 0);
  EXPECT_TRUE(p.hits(0).has_explanation());
  EXPECT_EQ(p.hits(0).explanation().quality_raw(), 3.5);
  EXPECT_FALSE(p.hits(1).has_hourly_rate());
  EXPECT_FALSE(p.hits(1).has_explanation());
  // matched_location is always sent: (0, 0) is a place.
  EXPECT_TRUE(p.hits(1).has_matched_location());

  const SearchResponse back = FromProto(p);
  EXPECT_EQ(back.hits[0].hourly_rate, 0.0);
  EXPECT_EQ(back.hits[0].explanation.quality_raw, 3.5);
  EXPECT_FALSE(back.hits[1].hourly_rate.has_value());
}

// Unrated is not a rating of 0: an artist with reviews but no rating stays
// unrated through the API (it used to arrive as "0.0 (10)").
TEST(SearchResponseConvert, RatingKeepsPresence) {
  SearchResponse r;
  SearchHit& zero = r.hits.emplace_back();
  zero.rating = 0.0;  // rated 0, by its reviews
  zero.review_count = 3;
  SearchHit& unrated = r.hits.emplace_back();
  unrated.review_count = 10;

  const v1::SearchResponse p = ToProto(r);
  EXPECT_TRUE(p.hits(0).has_rating());
  EXPECT_FALSE(p.hits(1).has_rating());
  const SearchResponse back = FromProto(p);
  EXPECT_EQ(back.hits[0].rating, 0.0);
  EXPECT_FALSE(back.hits[1].rating.has_value());
  EXPECT_EQ(back.hits[1].review_count, 10u);
}

TEST(SearchResponseConvert, EmptyResponse) {
  const v1::SearchResponse p = ToProto(SearchResponse());
  EXPECT_EQ(p.total(), 0);
  EXPECT_EQ(p.hits_size(), 0);
  EXPECT_EQ(p.facets().styles_size(), 0);
  const SearchResponse back = FromProto(p);
  EXPECT_THAT(back.hits, IsEmpty());
  EXPECT_THAT(back.facets.styles, IsEmpty());
}

}  // namespace
}  // namespace inkdex::api
