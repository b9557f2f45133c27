#include "compare/match_geometry.h"

#include <cmath>

#include "geo/distance.h"
#include "gtest/gtest.h"

namespace inkdex::bench {
namespace {

bool InBox(const BoundingBox& b, double lat, double lon) {
  if (lat < b.south || lat > b.north) return false;
  return b.west <= b.east ? (lon >= b.west && lon <= b.east) : (lon >= b.west || lon <= b.east);
}

// The point `km` from (lat, lon) towards `bearing` degrees.
GeoPoint Destination(double lat, double lon, double km, double bearing) {
  const double d = km / geo::kEarthRadiusKm, b = bearing * M_PI / 180;
  const double p1 = lat * M_PI / 180, l1 = lon * M_PI / 180;
  const double p2 =
      std::asin(std::sin(p1) * std::cos(d) + std::cos(p1) * std::sin(d) * std::cos(b));
  const double l2 = l1 + std::atan2(std::sin(b) * std::sin(d) * std::cos(p1),
                                    std::cos(d) - std::sin(p1) * std::sin(p2));
  double lon2 = l2 * 180 / M_PI;
  if (lon2 > 180) lon2 -= 360;
  if (lon2 < -180) lon2 += 360;
  return GeoPoint{p2 * 180 / M_PI, lon2};
}

TEST(CircleBoundsTest, HoldsTheWholeCircle) {
  for (const GeoPoint c :
       {GeoPoint{51.5, -0.1}, GeoPoint{-36.85, 179.2}, GeoPoint{64.1, -21.9}, GeoPoint{0, 0}}) {
    const double r = 500;
    const BoundingBox box = CircleBounds(c, r);
    for (int bearing = 0; bearing < 360; bearing += 5) {
      const GeoPoint p = Destination(c.lat, c.lon, r * 0.999999, bearing);
      EXPECT_TRUE(InBox(box, p.lat, p.lon)) << c.lat << "," << c.lon << " bearing " << bearing;
    }
    EXPECT_FALSE(InBox(box, c.lat + 6, c.lon));  // 667 km north
  }
}

TEST(CircleBoundsTest, CrossesTheAntimeridianAndReachesPoles) {
  const BoundingBox east = CircleBounds(GeoPoint{-36.85, 179.2}, 500);
  EXPECT_GT(east.west, east.east);
  const BoundingBox polar = CircleBounds(GeoPoint{88, 10}, 500);
  EXPECT_EQ(polar.north, 90);
  EXPECT_EQ(polar.west, -180);
  EXPECT_EQ(polar.east, 180);
}

TEST(NearestActiveKmTest, GuestSpotsCountOnlyBetweenTheirDates) {
  Artist a;
  a.mutable_location()->set_latitude(51.5);
  a.mutable_location()->set_longitude(-0.1);
  GuestSpot* g = a.add_guest_spots();
  g->mutable_location()->set_latitude(48.85);
  g->mutable_location()->set_longitude(2.35);
  g->set_from("2026-11-20");
  g->set_to("2026-11-29");
  const std::vector<DatedLocation> locs = LocationsOf(a);
  ASSERT_EQ(locs.size(), 2u);
  const GeoPoint paris{48.86, 2.34};
  EXPECT_LT(NearestActiveKm(locs, paris, "2026-11-29"), 2);  // last day, inclusive
  EXPECT_GT(NearestActiveKm(locs, paris, "2026-11-30"), 300);
  EXPECT_GT(NearestActiveKm(locs, paris, "2026-11-19"), 300);
  EXPECT_TRUE(ActiveOn(DatedLocation{0, 0, "", ""}, "1999-01-01"));
  EXPECT_TRUE(ActiveOn(DatedLocation{0, 0, "2026-01-01", ""}, "2030-01-01"));
}

}  // namespace
}  // namespace inkdex::bench
