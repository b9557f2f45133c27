// Great-circle distance on a spherical Earth, the one formula inkdex uses for
// every distance it reports, filters on, sorts by or counts in facets.
//
// Thread safety: pure functions.
#ifndef INKDEX_GEO_DISTANCE_H_
#define INKDEX_GEO_DISTANCE_H_

namespace inkdex::geo {

// IUGG mean Earth radius, km.
inline constexpr double kEarthRadiusKm = 6371.0088;
// Half the circumference: no two points are farther apart than this.
inline constexpr double kMaxDistanceKm = 3.14159265358979323846 * kEarthRadiusKm;

// Haversine distance in km between two WGS84 points given in degrees.
// Accurate to floating-point rounding at all distances (no acos
// cancellation for small ones). Cost: ~30 ns.
double DistanceKm(double lat1, double lon1, double lat2, double lon2);

// cos(lat) for DistanceKmCos.
double CosLat(double lat);

// DistanceKm with the latitudes' cosines given (computed once per point):
// bit-identical to DistanceKm, two trigonometric calls fewer.
double DistanceKmCos(double lat1, double lon1, double cos_lat1, double lat2, double lon2,
                     double cos_lat2);

}  // namespace inkdex::geo

#endif  // INKDEX_GEO_DISTANCE_H_
