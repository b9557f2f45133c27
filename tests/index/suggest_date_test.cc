// Suggest near a point counts a guest spot only on the days it is active,
// as search does: the request's date (default today, UTC) picks the day.
#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;

constexpr double kFarLat = 35.68, kFarLon = 139.65;  // Tokyo

class SuggestDateTest : public testing::IndexDirTest {
 protected:
  void SetUp() override {
    testing::IndexDirTest::SetUp();
    WriteBatch batch;
    // A London studio whose artist visits Tokyo for ten days in 2027.
    Artist g = MakeArtist("g1", "Sam Reed", 51.5074, -0.1278, {"blackwork"});
    g.mutable_studio()->set_name("London Tattoo Collective");
    g.mutable_location()->set_city("London");
    GuestSpot* spot = g.add_guest_spots();
    spot->mutable_location()->set_latitude(kFarLat + 0.01);
    spot->mutable_location()->set_longitude(kFarLon);
    spot->mutable_location()->set_city("Utsunomiya");
    spot->set_from("2027-04-07");
    spot->set_to("2027-04-17");
    batch.Upsert(g);
    ASSERT_TRUE(index_->Apply(batch).ok());
  }

  absl::StatusOr<std::vector<Suggestion>> Run(const std::string& prefix, bool near,
                                              const std::string& date = "") {
    SuggestRequest q;
    q.prefix = prefix;
    q.limit = 10;
    q.date = date;
    if (near) q.near = GeoPoint{near_lat_, near_lon_};
    return index_->Suggest(q);
  }
  double near_lat_ = kFarLat, near_lon_ = kFarLon;
};

TEST_F(SuggestDateTest, GuestSpotsCountOnlyOnTheirDays) {
  absl::StatusOr<std::vector<Suggestion>> r = Run("lon", true, "2026-11-30");
  ASSERT_TRUE(r.ok()) << r.status();
  for (const Suggestion& s : *r) {
    // Only as a global completion (no distance), never as nearby.
    EXPECT_TRUE(std::isnan(s.distance_km)) << s.text << " at " << s.distance_km << " km";
  }
  for (const char* date : {"2027-04-07", "2027-04-12", "2027-04-17"}) {
    r = Run("lon", true, date);
    ASSERT_TRUE(r.ok()) << r.status();
    bool nearby = false;
    for (const Suggestion& s : *r) {
      if (s.text == "London Tattoo Collective" && s.distance_km < 5) nearby = true;
    }
    EXPECT_TRUE(nearby) << date;
  }
  r = Run("lon", true, "2027-04-18");
  ASSERT_TRUE(r.ok()) << r.status();
  for (const Suggestion& s : *r) EXPECT_TRUE(std::isnan(s.distance_km)) << s.text;
}

TEST_F(SuggestDateTest, DatesAreValidatedAsSearchValidatesThem) {
  for (const char* bad : {"2027-02-30", "tomorrow", "2027-4-7"}) {
    absl::StatusOr<std::vector<Suggestion>> r = Run("lon", true, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              std::string("date: must be a date YYYY-MM-DD, got '") + bad + "'");
  }
  // Without a point the date is still checked: a request is valid or not
  // whatever else it holds.
  EXPECT_FALSE(Run("lon", false, "nope").ok());
  EXPECT_TRUE(Run("lon", false, "2027-04-07").ok());
}

}  // namespace
}  // namespace inkdex
