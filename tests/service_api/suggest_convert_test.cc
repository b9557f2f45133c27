// Suggest requests and responses both ways: presence of `near`, the default
// limit, every Kind, NaN distance <-> unset.
#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "api/convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service_api/proto_fields_util.h"

namespace inkdex::api {
namespace {

using ::inkdex::api::proto_fields::SameMessage;
using ::inkdex::api::proto_fields::UnsetFields;
using ::testing::IsEmpty;

TEST(SuggestRequestConvert, MapsEveryFieldAndRoundTrips) {
  v1::SuggestRequest p;
  p.set_prefix("tra");
  p.mutable_near()->set_lat(40.7);
  p.mutable_near()->set_lon(-74);
  p.set_limit(7);
  p.set_date("2027-04-07");
  EXPECT_THAT(UnsetFields(p), IsEmpty());

  absl::StatusOr<SuggestRequest> r = FromProto(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->prefix, "tra");
  ASSERT_TRUE(r->near.has_value());
  EXPECT_EQ(r->near->lat, 40.7);
  EXPECT_EQ(r->near->lon, -74);
  EXPECT_EQ(r->limit, 7);
  EXPECT_EQ(r->date, "2027-04-07");
  EXPECT_TRUE(SameMessage(p, ToProto(*r)));
}

TEST(SuggestRequestConvert, UnsetFieldsTakeDefaults) {
  absl::StatusOr<SuggestRequest> r = FromProto(v1::SuggestRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->prefix, "");
  EXPECT_FALSE(r->near.has_value());
  EXPECT_EQ(r->limit, 10);
  EXPECT_EQ(r->date, "");  // today

  v1::SuggestRequest at_origin;
  at_origin.mutable_near();
  r = FromProto(at_origin);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->near.has_value());
}

TEST(SuggestRequestConvert, OutOfRangeLimitIsLeftForTheLibrary) {
  v1::SuggestRequest p;
  p.set_limit(-1);
  absl::StatusOr<SuggestRequest> r = FromProto(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit, -1);
}

TEST(SuggestRequestConvert, LibraryRoundTrip) {
  SuggestRequest q;
  q.prefix = "bla";
  q.limit = 3;
  const v1::SuggestRequest p = ToProto(q);
  EXPECT_FALSE(p.has_near());
  absl::StatusOr<SuggestRequest> r = FromProto(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->prefix, "bla");
  EXPECT_FALSE(r->near.has_value());
  EXPECT_EQ(r->limit, 3);
}

TEST(SuggestResponseConvert, EveryKindAndDistanceRoundTrip) {
  const std::pair<Suggestion::Kind, v1::Suggestion::Kind> kinds[] = {
      {Suggestion::Kind::kArtist, v1::Suggestion::KIND_ARTIST},
      {Suggestion::Kind::kStudio, v1::Suggestion::KIND_STUDIO},
      {Suggestion::Kind::kStyle, v1::Suggestion::KIND_STYLE},
      {Suggestion::Kind::kCity, v1::Suggestion::KIND_CITY}};
  ASSERT_EQ(v1::Suggestion::Kind_descriptor()->value_count(), 4) << "a new kind needs mapping";
  std::vector<Suggestion> suggestions;
  for (const auto& [kind, wire] : kinds) {
    Suggestion& s = suggestions.emplace_back();
    s.kind = kind;
    s.text = absl::StrCat("text ", wire);
    s.id = absl::StrCat("id ", wire);
    s.count = 10 + wire;
    s.distance_km = wire == v1::Suggestion::KIND_STYLE ? std::numeric_limits<double>::quiet_NaN()
                                                       : 1.5 * static_cast<int>(wire);
  }
  const v1::SuggestResponse p = ToProto(suggestions);
  ASSERT_EQ(p.suggestions_size(), 4);
  for (int i = 0; i < 4; ++i) {
    const v1::Suggestion& s = p.suggestions(i);
    EXPECT_EQ(s.kind(), kinds[i].second);
    EXPECT_EQ(s.text(), suggestions[i].text);
    EXPECT_EQ(s.id(), suggestions[i].id);
    EXPECT_EQ(s.count(), suggestions[i].count);
    EXPECT_EQ(s.has_distance_km(), s.kind() != v1::Suggestion::KIND_STYLE);
  }
  EXPECT_EQ(p.suggestions(1).distance_km(), 1.5);

  const std::vector<Suggestion> back = FromProto(p);
  ASSERT_EQ(back.size(), 4u);
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].kind, suggestions[i].kind);
    EXPECT_EQ(back[i].text, suggestions[i].text);
    EXPECT_EQ(back[i].id, suggestions[i].id);
    EXPECT_EQ(back[i].count, suggestions[i].count);
    if (std::isnan(suggestions[i].distance_km)) {
      EXPECT_TRUE(std::isnan(back[i].distance_km));
    } else {
      EXPECT_EQ(back[i].distance_km, suggestions[i].distance_km);
    }
  }
  EXPECT_TRUE(SameMessage(p, ToProto(back)));
}

TEST(SuggestResponseConvert, UnknownKindFromANewerServerIsDropped) {
  v1::SuggestResponse p;
  v1::Suggestion* unknown = p.add_suggestions();
  unknown->set_kind(static_cast<v1::Suggestion::Kind>(42));
  unknown->set_text("mystery");
  v1::Suggestion* known = p.add_suggestions();
  known->set_kind(v1::Suggestion::KIND_CITY);
  known->set_text("Leeds");
  const std::vector<Suggestion> back = FromProto(p);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].text, "Leeds");
  EXPECT_EQ(back[0].kind, Suggestion::Kind::kCity);
}

}  // namespace
}  // namespace inkdex::api
