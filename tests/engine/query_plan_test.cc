#include "engine/query_plan.h"

#include <cmath>
#include <string>

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

// The checksum only catches damage: a token rewritten with a recomputed
// checksum must still hold nothing a real one could not.
TEST(PageTokenTest, RefusesRewrittenTokensThatNoQueryCouldIssue) {
  PageCursor c;
  c.fingerprint = 42;
  c.day = 20000;
  c.id = "artist-1";
  ASSERT_TRUE(DecodePageToken(EncodePageToken(c)).ok());
  PageCursor deep = c;
  deep.depth = 0xFFFFFFFFu - 50;  // would wrap past the depth limit when added to
  EXPECT_FALSE(DecodePageToken(EncodePageToken(deep)).ok());
  deep.depth = SearchRequest::kMaxDepth;
  EXPECT_TRUE(DecodePageToken(EncodePageToken(deep)).ok());
  PageCursor nan_key = c;
  nan_key.key = std::nan("");
  EXPECT_FALSE(DecodePageToken(EncodePageToken(nan_key)).ok());
  PageCursor long_id = c;
  long_id.id = std::string(257, 'x');
  EXPECT_FALSE(DecodePageToken(EncodePageToken(long_id)).ok());
}

TEST(QueryPlanTest, APageTokenCannotPagePastTheDepthLimit) {
  auto tax = StyleTaxonomy::Default();
  ASSERT_TRUE(tax.ok());
  SearchRequest r;
  r.point = GeoPoint{1, 2};
  r.radius_km = 5;
  r.limit = 100;
  absl::StatusOr<QueryPlan> first = PlanQuery(r, *tax);
  ASSERT_TRUE(first.ok()) << first.status();
  PageCursor c;
  c.fingerprint = first->fingerprint;
  c.day = first->day;
  c.depth = SearchRequest::kMaxDepth - 100;
  r.page_token = EncodePageToken(c);
  EXPECT_TRUE(PlanQuery(r, *tax).ok());
  c.depth = SearchRequest::kMaxDepth - 99;
  r.page_token = EncodePageToken(c);
  auto refused = PlanQuery(r, *tax);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("paging deeper than 10000"));
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
