#include "engine/query_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inkdex::engine {
namespace {

using ::testing::HasSubstr;

TEST(PageTokenTest, RoundTripsAndRejectsTampering) {
  PageCursor c;
  c.fingerprint = 0x1234567890abcdefull;
  c.day = 20000;
  c.depth = 40;
  c.key = -1.25;
  c.id = "artist-0000042";
  c.emitted_after = {1, 2, 3};
  const std::string token = EncodePageToken(c);
  auto back = DecodePageToken(token);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->fingerprint, c.fingerprint);
  EXPECT_EQ(back->day, c.day);
  EXPECT_EQ(back->depth, c.depth);
  EXPECT_EQ(back->key, c.key);
  EXPECT_EQ(back->id, c.id);
  EXPECT_EQ(back->emitted_after, c.emitted_after);
  for (size_t i = 0; i < token.size(); ++i) {
    std::string bad = token;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    auto r = DecodePageToken(bad);
    if (!r.ok()) {
      EXPECT_THAT(r.status().message(), HasSubstr("page_token"));
    }
  }
  EXPECT_FALSE(DecodePageToken("").ok());
  EXPECT_FALSE(DecodePageToken(token.substr(0, token.size() / 2)).ok());
  EXPECT_FALSE(DecodePageToken(std::string(70000, 'A')).ok());
}

TEST(QueryPlanTest, FingerprintIgnoresLimitButNotTheQuery) {
  auto tax = StyleTaxonomy::Default();
  ASSERT_TRUE(tax.ok());
  SearchRequest a;
  a.point = GeoPoint{1, 2};
  a.radius_km = 5;
  a.styles = {"fine line"};
  SearchRequest b = a;
  b.limit = 50;
  SearchRequest c = a;
  c.styles = {"fineline"};  // same style, another spelling
  SearchRequest d = a;
  d.radius_km = 6;
  EXPECT_EQ(PlanQuery(a, *tax)->fingerprint, PlanQuery(b, *tax)->fingerprint);
  EXPECT_EQ(PlanQuery(a, *tax)->fingerprint, PlanQuery(c, *tax)->fingerprint);
  EXPECT_NE(PlanQuery(a, *tax)->fingerprint, PlanQuery(d, *tax)->fingerprint);
}

TEST(QueryPlanTest, GeoModesAndDefaults) {
  auto tax = StyleTaxonomy::Default();
  SearchRequest q;
  EXPECT_EQ(PlanQuery(q, *tax)->geo, GeoMode::kNone);
  q.point = GeoPoint{1, 2};
  auto p = PlanQuery(q, *tax);
  EXPECT_EQ(p->geo, GeoMode::kNearest);
  EXPECT_EQ(p->sort, SortOrder::kDistance);  // a point alone is nearest-first
  q.text = "koi";
  EXPECT_EQ(PlanQuery(q, *tax)->sort, SortOrder::kRelevance);
  q.bbox = BoundingBox{0, 170, 1, -170};
  q.point.reset();
  p = PlanQuery(q, *tax);
  EXPECT_EQ(p->geo, GeoMode::kViewport);
  EXPECT_NEAR(p->ref_lon, 180, 1e-9);  // centre of a box across the antimeridian
  q.radius_km = 3;
  EXPECT_THAT(PlanQuery(q, *tax).status().message(), HasSubstr("radius_km"));
}

}  // namespace
}  // namespace inkdex::engine
