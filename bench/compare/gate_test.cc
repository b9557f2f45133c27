#include "compare/gate.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inkdex::bench {
namespace {

using ::testing::HasSubstr;

// A radius query of 10 km whose inkdex answer is ids a..e (a nearest), page
// size 3, with keys and distances from the maps below.
class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ref_.request.point = GeoPoint{51.5, -0.1};
    ref_.request.radius_km = 10;
    ref_.request.limit = 3;
    ref_.query_json = R"({"class":"Q1_local"})";
    ref_.answer.total = 5;
    ref_.answer.all_ids = {"a", "b", "c", "d", "e"};
    ref_.answer.page_ids = {"a", "b", "c"};
    ref_.answer.facets.styles = {{"japanese", "Japanese", 4}, {"blackwork", "Blackwork", 2}};
    ref_.answer.facets.distance_rings = {
        {"0-2", "0-2 km", 1}, {"2-5", "2-5 km", 2}, {"5-10", "5-10 km", 2}};
    ref_.answer.facets.cities = {{"London", "London", 5}};
    ref_.sort_key = [this](const std::string& id) -> std::optional<double> {
      auto it = keys_.find(id);
      if (it == keys_.end()) return std::nullopt;
      return it->second;
    };
    ref_.distance_km = [this](const std::string& id) -> std::optional<double> {
      auto it = distances_.find(id);
      if (it == distances_.end()) return std::nullopt;
      return it->second;
    };
  }

  PeerAnswer Same() const { return ref_.answer; }

  InkdexReference ref_;
  // c and d tie on the key; b and c do not.
  std::map<std::string, double> keys_ = {{"a", -1.9}, {"b", -1.5}, {"c", -1.2},
                                         {"d", -1.2}, {"e", -1.0}, {"edge", -0.9}};
  std::map<std::string, double> distances_ = {
      {"a", 1}, {"b", 3}, {"c", 6}, {"d", 7}, {"e", 9.5}, {"edge", 10.0000005}, {"far", 10.5}};
};

TEST_F(GateTest, IdenticalAnswersPass) {
  const GateResult r = CheckAnswer(ref_, "sqlite", Same());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.report, "");
}

TEST_F(GateTest, EqualKeysMaySwapIncludingAcrossThePageEnd) {
  PeerAnswer peer = Same();
  peer.page_ids = {"a", "b", "d"};  // d ties with c, inkdex's last
  EXPECT_TRUE(CheckAnswer(ref_, "sqlite", peer).ok);
  keys_["b"] = keys_["a"];
  peer.page_ids = {"b", "a", "c"};
  EXPECT_TRUE(CheckAnswer(ref_, "sqlite", peer).ok);
}

TEST_F(GateTest, DifferentKeysMayNotSwap) {
  PeerAnswer peer = Same();
  peer.page_ids = {"a", "c", "b"};
  const GateResult r = CheckAnswer(ref_, "postgis", peer);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.report, HasSubstr("postgis"));
  EXPECT_THAT(r.report, HasSubstr("Q1_local"));
  EXPECT_THAT(r.report, HasSubstr("#2 inkdex b (3.000000000 km) key -1.5, peer c"));
}

TEST_F(GateTest, AnIdWithoutAKnownKeyIsNoTie) {
  PeerAnswer peer = Same();
  keys_.erase("d");
  peer.page_ids = {"a", "b", "d"};
  EXPECT_FALSE(CheckAnswer(ref_, "xapian", peer).ok);
}

TEST_F(GateTest, ShortOrRepeatedPageFails) {
  PeerAnswer peer = Same();
  peer.page_ids = {"a", "b"};
  EXPECT_THAT(CheckAnswer(ref_, "xapian", peer).report, HasSubstr("page holds 2 ids"));
  peer.page_ids = {"a", "a", "c"};
  EXPECT_THAT(CheckAnswer(ref_, "xapian", peer).report, HasSubstr("page repeats an id"));
}

TEST_F(GateTest, AnIdOnTheRadiusBoundaryMayDifferWithItsFacetCounts) {
  PeerAnswer peer = Same();
  peer.all_ids.push_back("edge");
  peer.total = 6;
  peer.facets.styles[0].count = 5;
  peer.facets.distance_rings[2].count = 3;
  peer.facets.cities[0].count = 6;
  EXPECT_TRUE(CheckAnswer(ref_, "postgis", peer).ok) << CheckAnswer(ref_, "postgis", peer).report;
  peer.facets.styles[0].count = 6;  // two more: beyond the one boundary id
  EXPECT_THAT(CheckAnswer(ref_, "postgis", peer).report, HasSubstr("facet styles"));
}

TEST_F(GateTest, AnIdOffTheBoundaryFailsWithItsDistance) {
  PeerAnswer peer = Same();
  peer.all_ids = {"a", "b", "c", "d", "far"};
  const GateResult r = CheckAnswer(ref_, "sqlite", peer);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.report, HasSubstr("1 only in inkdex [e (9.500000000 km)]"));
  EXPECT_THAT(r.report, HasSubstr("1 only in the peer [far (10.500000000 km)]"));
}

TEST_F(GateTest, ABoundaryIdNeedsARadius) {
  ref_.request.radius_km.reset();
  PeerAnswer peer = Same();
  peer.all_ids.push_back("edge");
  peer.total = 6;
  EXPECT_FALSE(CheckAnswer(ref_, "sqlite", peer).ok);
}

TEST_F(GateTest, TotalMustCountTheIds) {
  PeerAnswer peer = Same();
  peer.total = 6;
  EXPECT_THAT(CheckAnswer(ref_, "sqlite", peer).report, HasSubstr("total 6 but 5 distinct ids"));
  peer = Same();
  peer.all_ids.push_back("a");
  peer.total = 6;
  EXPECT_THAT(CheckAnswer(ref_, "sqlite", peer).report, HasSubstr("1 duplicate ids"));
}

TEST_F(GateTest, FacetMismatchIsReportedByValue) {
  PeerAnswer peer = Same();
  peer.facets.distance_rings[1].count = 3;
  peer.facets.rating_bands = {{"4.5+", "4.5+", 1}};
  const GateResult r = CheckAnswer(ref_, "xapian", peer);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.report,
              HasSubstr("facet distance_rings: 1 values differ (\"2-5\" inkdex 2 peer 3)"));
  EXPECT_THAT(r.report,
              HasSubstr("facet rating_bands: 1 values differ (\"4.5+\" inkdex 0 peer 1)"));
}

TEST_F(GateTest, ZeroCountsEqualAbsentValuesAndLabelsAreIgnored) {
  PeerAnswer peer = Same();
  peer.facets.styles.push_back({"dotwork", "Dotwork", 0});
  peer.facets.cities[0].label = "London, GB";
  EXPECT_TRUE(CheckAnswer(ref_, "sqlite", peer).ok);
}

TEST_F(GateTest, FacetSlackAllowsThatManyOnEveryValue) {
  ref_.facet_slack = 1;
  PeerAnswer peer = Same();
  peer.facets.distance_rings[1].count = 1;
  peer.facets.distance_rings[2].count = 3;
  EXPECT_TRUE(CheckAnswer(ref_, "sqlite", peer).ok);
  peer.facets.distance_rings[2].count = 4;
  EXPECT_THAT(CheckAnswer(ref_, "sqlite", peer).report, HasSubstr("differ by more than 1"));
}

TEST_F(GateTest, FacetsAreNotComparedWhenNotAsked) {
  ref_.request.facets = false;
  PeerAnswer peer = Same();
  peer.facets = Facets();
  EXPECT_TRUE(CheckAnswer(ref_, "sqlite", peer).ok);
}

TEST(NearBoundaryTest, AbsoluteThenRelativeTolerance) {
  EXPECT_TRUE(NearBoundary(10.0000009, 10));
  EXPECT_FALSE(NearBoundary(10.000002, 10));
  EXPECT_TRUE(NearBoundary(9.9999991, 10));
  EXPECT_TRUE(NearBoundary(20000.000015, 20000));  // 1e-9 * 20000 = 2e-5
  EXPECT_FALSE(NearBoundary(20000.00003, 20000));
}

}  // namespace
}  // namespace inkdex::bench
