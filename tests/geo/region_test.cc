#include "geo/region.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "geo/distance.h"
#include "gtest/gtest.h"
#include "s2/s1angle.h"
#include "s2/s2cap.h"
#include "s2/s2latlng.h"
#include "s2/s2latlng_rect.h"
#include "s2/s2region_coverer.h"

namespace inkdex::geo {
namespace {

bool Covered(const std::vector<CellRange>& ranges, double lat, double lon) {
  const uint64_t cell = LeafCellId(lat, lon);
  for (const CellRange& r : ranges) {
    if (cell >= r.min && cell <= r.max) return true;
  }
  return false;
}

// What S2RegionCoverer gives for `region` itself, as merged ranges.
std::vector<CellRange> CoverWithS2(const S2Region& region, int max_cells) {
  S2RegionCoverer::Options options;
  options.set_max_cells(max_cells);
  std::vector<CellRange> out;
  for (const S2CellId& id : S2RegionCoverer(options).GetCovering(region)) {
    if (!out.empty() && out.back().max + 2 >= id.range_min().id()) {
      out.back().max = std::max<uint64_t>(out.back().max, id.range_max().id());
    } else {
      out.push_back({id.range_min().id(), id.range_max().id()});
    }
  }
  return out;
}

TEST(DistanceTest, KnownDistances) {
  EXPECT_DOUBLE_EQ(DistanceKm(10, 20, 10, 20), 0);
  // One degree of latitude on a 6371.0088 km sphere.
  EXPECT_NEAR(DistanceKm(0, 0, 1, 0), 111.19508, 1e-4);
  // Antipodes: half the circumference.
  EXPECT_NEAR(DistanceKm(0, 0, 0, 180), kMaxDistanceKm, 1e-6);
  // London - Leeds, ~272 km.
  EXPECT_NEAR(DistanceKm(51.5074, -0.1278, 53.7997, -1.5492), 272.3, 0.5);
  // Across the antimeridian is short.
  EXPECT_NEAR(DistanceKm(0, 179.5, 0, -179.5), 111.195, 1e-2);
}

TEST(DistanceTest, UnitVectorsGiveIdenticalDistances) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> lat(-90, 90), lon(-180, 180);
  for (int i = 0; i < 10000; ++i) {
    const double a = lat(rng), b = lon(rng), c = lat(rng), d = lon(rng);
    // Bit for bit: rows keep their unit vector, the oracle measures from
    // degrees, and filters compare the two exactly.
    EXPECT_EQ(DistanceKm(ToUnitVector(a, b), ToUnitVector(c, d)), DistanceKm(a, b, c, d));
    EXPECT_EQ(DistanceKm(a, b, a, b), 0);
  }
}

// The haversine formula in long double, as the reference.
long double ReferenceKm(long double lat1, long double lon1, long double lat2, long double lon2) {
  const long double rad = 3.14159265358979323846264338327950288L / 180;
  const long double s1 = std::sin((lat2 - lat1) * rad / 2);
  const long double s2 = std::sin((lon2 - lon1) * rad / 2);
  const long double h = s1 * s1 + std::cos(lat1 * rad) * std::cos(lat2 * rad) * s2 * s2;
  return 2 * static_cast<long double>(kEarthRadiusKm) * std::asin(std::sqrt(std::min(h, 1.0L)));
}

TEST(DistanceTest, AgreesWithHaversineAtEveryScale) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> lat(-89.9, 89.9), lon(-180, 180), unit(0, 1);
  for (int i = 0; i < 20000; ++i) {
    const double a = lat(rng), b = lon(rng);
    // From ~1 cm to the far side of the Earth (not antipodal: there every
    // double formula loses digits).
    const double step = std::pow(10, -7 + 9 * unit(rng));  // degrees
    const double c = std::clamp(a + step * (unit(rng) - 0.5), -90.0, 90.0);
    const double d = std::remainder(b + step * (unit(rng) - 0.5), 360.0);
    const long double want = ReferenceKm(a, b, c, d);
    if (want > 19000) continue;
    EXPECT_NEAR(DistanceKm(a, b, c, d), static_cast<double>(want), 1e-11)
        << a << "," << b << " -> " << c << "," << d;
  }
}

TEST(RegionTest, CapCoveringContainsEveryPointWithinTheRadius) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lat(-89, 89), lon(-180, 180), unit(0, 1);
  for (int q = 0; q < 200; ++q) {
    const double clat = lat(rng), clon = lon(rng);
    const double radius = 0.5 + unit(rng) * 800;
    const auto ranges = CoverCap(clat, clon, radius);
    ASSERT_FALSE(ranges.empty());
    for (int i = 0; i < 200; ++i) {
      // Points near the circle's edge, inside and out.
      const double plat = clat + (unit(rng) - 0.5) * radius / 50;
      const double plon = clon + (unit(rng) - 0.5) * radius / 50;
      if (plat < -90 || plat > 90 || plon < -180 || plon > 180) continue;
      if (DistanceKm(clat, clon, plat, plon) <= radius) {
        EXPECT_TRUE(Covered(ranges, plat, plon)) << clat << "," << clon << " r=" << radius;
      }
    }
  }
}

// Leaf cells in `ranges`: a covering's area in S2's (s, t) measure.
double LeafCount(const std::vector<CellRange>& ranges) {
  double n = 0;
  for (const CellRange& r : ranges) n += static_cast<double>(r.max - r.min + 1);
  return n;
}

// How a covering compares with S2RegionCoverer's for the same region and
// budget: the worst and mean area ratio.
struct Tightness {
  double worst = 0, sum = 0;
  int n = 0;
  void Add(const std::vector<CellRange>& got, const std::vector<CellRange>& s2) {
    const double ratio = LeafCount(got) / LeafCount(s2);
    worst = std::max(worst, ratio);
    sum += ratio;
    ++n;
  }
};

// The point `km` from `center` in the direction `bearing` (radians).
S2LatLng Destination(const S2Point& center, double km, double bearing) {
  const S2Point north = (S2Point(0, 0, 1) - center * center.z()).Normalize();
  const S2Point east = north.CrossProd(center).Normalize();
  const S2Point tangent =
      (north.Norm2() > 0 ? north * std::cos(bearing) + east * std::sin(bearing) : S2Point(1, 0, 0));
  const double angle = km / kEarthRadiusKm;
  return S2LatLng(center * std::cos(angle) + tangent.Normalize() * std::sin(angle));
}

TEST(RegionTest, CapCoveringsCoverTheCapAsTightlyAsS2) {
  // CoverCap runs its own coverer (geo/cell_coverer.h) on its own cell
  // tests: every point within the radius, up to the very edge, must be in
  // the covering, everywhere and at every size (polar caps, the
  // antimeridian, 10 m to a whole hemisphere), with no more cells than asked
  // for and an area like S2RegionCoverer's with S2Cap's tests.
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> lat(-90, 90), lon(-180, 180), unit(0, 1);
  Tightness tight;
  for (int q = 0; q < 3000; ++q) {
    const double clat = q % 50 == 0 ? 90 : lat(rng), clon = q % 70 == 0 ? 180 : lon(rng);
    const double radius = std::pow(10, -2 + 6.3 * unit(rng));
    const int max_cells = q % 3 == 0 ? 32 : 12;
    const std::vector<CellRange> got = CoverCap(clat, clon, radius, max_cells);
    ASSERT_FALSE(got.empty());
    ASSERT_LE(got.size(), static_cast<size_t>(max_cells));
    for (size_t i = 1; i < got.size(); ++i) ASSERT_LT(got[i - 1].max + 1, got[i].min);
    const S2Point center = S2LatLng::FromDegrees(clat, clon).Normalized().ToPoint();
    const double reach = std::min(radius, M_PI * kEarthRadiusKm);
    for (int k = 0; k < 60; ++k) {
      // A third of the points on the circle itself, the rest inside.
      const double d = reach * (k % 3 == 0 ? 1 - 1e-12 : unit(rng));
      const S2LatLng p = Destination(center, d, unit(rng) * 2 * M_PI);
      ASSERT_TRUE(Covered(got, p.lat().degrees(), p.lng().degrees()))
          << clat << "," << clon << " r=" << radius << " d=" << d;
    }
    const S2Cap cap(center, S1Angle::Radians(std::min(radius / kEarthRadiusKm + 1e-9, M_PI)));
    tight.Add(got, CoverWithS2(cap, max_cells));
  }
  EXPECT_LE(tight.worst, 1.5);
  EXPECT_LE(tight.sum / tight.n, 1.02) << "worst " << tight.worst;
}

TEST(RegionTest, RectCoveringsCoverTheViewportAsTightlyAsS2) {
  // Viewports from a street to a hemisphere, across the antimeridian and at
  // the poles: every point the viewport holds (edges and corners included)
  // is covered, with an area like S2RegionCoverer's with S2LatLngRect's
  // tests. Half the world wide or more, CoverRect is S2's own covering.
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> lat(-90, 90), lon(-180, 180), unit(0, 1);
  Tightness tight;
  for (int q = 0; q < 2000; ++q) {
    const double height = std::pow(10, -3 + 5 * unit(rng)),
                 width = std::pow(10, -3 + 5 * unit(rng));
    const double south = std::max(-90.0, lat(rng) - height / 2);
    const double north = std::min(90.0, south + height);
    const double west = lon(rng);
    const double east = std::remainder(west + width, 360.0);
    const int max_cells = q % 3 == 0 ? 32 : 12;
    const std::vector<CellRange> got = CoverRect(south, west, north, east, max_cells);
    ASSERT_FALSE(got.empty());
    ASSERT_LE(got.size(), static_cast<size_t>(max_cells));
    for (int k = 0; k < 60; ++k) {
      // The four corners (twice), a point on each of the four edges
      // (twice: south, north, west, east), then points inside.
      double fy = unit(rng), fx = unit(rng);
      if (k < 8) {
        fy = k & 1;
        fx = (k >> 1) & 1;
      } else if (k < 16) {
        (k & 2 ? fx : fy) = k & 1;
      }
      const double plat = south + (north - south) * fy;
      const double plon = std::remainder(west + width * fx, 360.0);
      ASSERT_TRUE(RectContains(south, west, north, east, plat, plon));
      ASSERT_TRUE(Covered(got, plat, plon))
          << south << "," << west << "," << north << "," << east << " at " << plat << "," << plon;
    }
    // The rectangle CoverRect covers: padded by 1e-9 radians.
    const double pad = 1e-9 * 180.0 / M_PI;
    double w = west - pad, e = east + pad;
    if (w < -180) w += 360;
    if (e > 180) e -= 360;
    const S2LatLngRect rect(R1Interval(std::max(-90.0, south - pad) * M_PI / 180.0,
                                       std::min(90.0, north + pad) * M_PI / 180.0),
                            S1Interval(w * M_PI / 180.0, e * M_PI / 180.0));
    const std::vector<CellRange> s2 = CoverWithS2(rect, max_cells);
    if (width >= 180) {
      ASSERT_EQ(LeafCount(got), LeafCount(s2)) << south << "," << west << " wide";
    } else {
      tight.Add(got, s2);
    }
  }
  EXPECT_LE(tight.worst, 1.5);
  EXPECT_LE(tight.sum / tight.n, 1.02) << "worst " << tight.worst;
}

TEST(RegionTest, RectCoveringHandlesTheAntimeridian) {
  const auto ranges = CoverRect(-20, 175, -10, -170);
  EXPECT_TRUE(Covered(ranges, -17.7, 178.0));
  EXPECT_TRUE(Covered(ranges, -13.8, -172.0));
  EXPECT_TRUE(Covered(ranges, -15, 180));
  EXPECT_TRUE(RectContains(-20, 175, -10, -170, -15, -179.9));
  EXPECT_FALSE(RectContains(-20, 175, -10, -170, -15, 0));
  EXPECT_FALSE(RectContains(-20, 175, -10, -170, -21, 178));
  EXPECT_TRUE(RectContains(-20, 10, -10, 20, -20, 10));  // bounds inclusive
}

// -180 and 180 are one meridian, and a pole is at every longitude: a
// viewport that reaches either holds the points written the other way.
TEST(RegionTest, ViewportEdgesAtTheAntimeridianAndThePoles) {
  EXPECT_TRUE(RectContains(-20, 170, -10, 180, -15, -180));
  EXPECT_TRUE(RectContains(-20, -180, -10, -170, -15, 180));
  EXPECT_TRUE(RectContains(-20, 175, -10, -180, -15, 180));
  EXPECT_FALSE(RectContains(-20, 170, -10, 179.9, -15, -180));
  EXPECT_FALSE(RectContains(-20, -179.9, -10, -170, -15, 180));
  EXPECT_TRUE(RectContains(80, 10, 90, 20, 90, 0));
  EXPECT_TRUE(RectContains(-90, -100, -80, -90, -90, 135));
  EXPECT_FALSE(RectContains(80, 10, 89, 20, 90, 0));
  EXPECT_FALSE(RectContains(80, 10, 90, 20, 89.9, 0));
  EXPECT_TRUE(Covered(CoverRect(-20, 170, -10, 180), -15, -180));
  EXPECT_TRUE(Covered(CoverRect(-20, -180, -10, -170), -15, 180));
  EXPECT_TRUE(Covered(CoverRect(80, 10, 90, 20), 90, 0));
  EXPECT_TRUE(Covered(CoverRect(-90, -100, -80, -90), -90, 135));
}

// Sorted, disjoint ranges over [0, 120], drawn at random (some touching).
std::vector<CellRange> RandomRanges(std::mt19937_64& rng) {
  std::vector<CellRange> out;
  uint64_t at = rng() % 4;
  while (at <= 120) {
    const uint64_t len = rng() % 12;
    out.push_back({at, std::min<uint64_t>(at + len, 120)});
    at += len + 1 + rng() % 10;  // a gap of 0 makes neighbours touch
  }
  return out;
}

std::vector<bool> Members(const std::vector<CellRange>& ranges) {
  std::vector<bool> in(122, false);
  for (const CellRange& r : ranges) {
    for (uint64_t i = r.min; i <= r.max; ++i) in[i] = true;
  }
  return in;
}

void ExpectSortedAndDisjoint(const std::vector<CellRange>& ranges) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_LE(ranges[i].min, ranges[i].max);
    if (i > 0) {
      EXPECT_LT(ranges[i - 1].max, ranges[i].min);
    }
  }
}

TEST(RegionTest, SubtractAndUnionAreSetDifferenceAndUnion) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 2000; ++round) {
    const auto a = RandomRanges(rng), b = RandomRanges(rng);
    const auto in_a = Members(a), in_b = Members(b);
    const auto diff = SubtractRanges(a, b);
    const auto both = UnionRanges(a, b);
    ExpectSortedAndDisjoint(diff);
    ExpectSortedAndDisjoint(both);
    const auto in_diff = Members(diff), in_both = Members(both);
    for (size_t i = 0; i < in_a.size(); ++i) {
      ASSERT_EQ(in_diff[i], in_a[i] && !in_b[i]) << "round " << round << " id " << i;
      ASSERT_EQ(in_both[i], in_a[i] || in_b[i]) << "round " << round << " id " << i;
    }
  }
  EXPECT_TRUE(SubtractRanges({{5, 9}}, {{0, 20}}).empty());
  EXPECT_EQ(SubtractRanges({{5, 9}}, {}).size(), 1u);
}

TEST(RegionTest, WideningCoveringsLeaveNoPointOfTheWiderCapUnscanned) {
  // What a search that widens its radius does: scan the new covering minus
  // what earlier ones covered.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> unit(0, 1);
  const double clat = 41.38, clon = 2.17;
  std::vector<CellRange> scanned;
  std::vector<std::vector<CellRange>> parts;
  for (double radius = 2; radius <= 128; radius *= 4) {
    const auto cover = CoverCap(clat, clon, radius);
    parts.push_back(SubtractRanges(cover, scanned));
    scanned = UnionRanges(scanned, cover);
    for (int i = 0; i < 2000; ++i) {
      const double plat = clat + (unit(rng) - 0.5) * radius / 50;
      const double plon = clon + (unit(rng) - 0.5) * radius / 50;
      if (DistanceKm(clat, clon, plat, plon) > radius) continue;
      int in_parts = 0;
      for (const auto& part : parts) in_parts += Covered(part, plat, plon) ? 1 : 0;
      EXPECT_EQ(in_parts, 1) << plat << "," << plon << " r=" << radius;  // once, not twice
    }
  }
}

}  // namespace
}  // namespace inkdex::geo
