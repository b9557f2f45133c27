#include "geo/distance.h"

#include <algorithm>
#include <cmath>

namespace inkdex::geo {

namespace {
constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
}  // namespace

double CosLat(double lat) { return std::cos(lat * kDegToRad); }

double DistanceKmCos(double lat1, double lon1, double cos_lat1, double lat2, double lon2,
                     double cos_lat2) {
  const double dphi = (lat2 - lat1) * kDegToRad;
  const double dlambda = (lon2 - lon1) * kDegToRad;
  const double s1 = std::sin(dphi / 2);
  const double s2 = std::sin(dlambda / 2);
  double h = s1 * s1 + cos_lat1 * cos_lat2 * s2 * s2;
  h = std::clamp(h, 0.0, 1.0);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(h));
}

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  return DistanceKmCos(lat1, lon1, CosLat(lat1), lat2, lon2, CosLat(lat2));
}

}  // namespace inkdex::geo
