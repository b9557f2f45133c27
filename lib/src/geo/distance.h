// Great-circle distance on a spherical Earth, the one formula inkdex uses for
// every distance it reports, filters on, sorts by or counts in facets.
//
// A distance is the chord between the two points' unit vectors, turned into
// the arc: d = 2 R asin(|p - q| / 2). A point's unit vector costs two sincos
// calls; with both vectors known (a row keeps its primary location's, a query
// its reference point's) a distance costs ~3 ns instead of the ~16 ns of the
// haversine formula this replaced (two sines, an arcsine; bench/ANALYSIS.md,
// "The service at 5,000 searches/s"). Every path goes through ToUnitVector, so
// the same two points give the same bits whichever overload measures them:
// a hit never reports a distance its radius filter would have rejected.
//
// Example:
//   const geo::UnitVector origin = geo::ToUnitVector(52.37, 4.90);
//   double km = geo::DistanceKm(origin, row.unit);
//
// Thread safety: pure functions.
#ifndef INKDEX_GEO_DISTANCE_H_
#define INKDEX_GEO_DISTANCE_H_

#include <algorithm>
#include <cmath>

namespace inkdex::geo {

// IUGG mean Earth radius, km.
inline constexpr double kEarthRadiusKm = 6371.0088;
// Half the circumference: no two points are farther apart than this.
inline constexpr double kMaxDistanceKm = 3.14159265358979323846 * kEarthRadiusKm;

// A point on the unit sphere (x towards lat 0 lon 0, z towards the north pole).
struct UnitVector {
  double x = 1, y = 0, z = 0;
};

// The unit vector of a WGS84 point given in degrees.
UnitVector ToUnitVector(double lat, double lon);

// Distance in km between two points given as unit vectors (ToUnitVector).
// Absolute error below 1e-11 km up to ~19,000 km (the vectors' rounding);
// within ~1e-4 km of antipodal, where every great-circle formula in doubles
// loses digits. Equal points give exactly 0.
inline double DistanceKm(const UnitVector& a, const UnitVector& b) {
  const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
  const double half_chord = std::min(1.0, 0.5 * std::sqrt(dx * dx + dy * dy + dz * dz));
  return 2 * kEarthRadiusKm * std::asin(half_chord);
}

// Distance in km between two WGS84 points given in degrees: the same value as
// DistanceKm(ToUnitVector(lat1, lon1), ToUnitVector(lat2, lon2)). Cost: ~35 ns.
double DistanceKm(double lat1, double lon1, double lat2, double lon2);

}  // namespace inkdex::geo

#endif  // INKDEX_GEO_DISTANCE_H_
