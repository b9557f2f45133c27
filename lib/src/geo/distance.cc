#include "geo/distance.h"

#include <algorithm>
#include <cmath>

namespace inkdex::geo {

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
  const double phi1 = lat1 * kDegToRad;
  const double phi2 = lat2 * kDegToRad;
  const double dphi = (lat2 - lat1) * kDegToRad;
  const double dlambda = (lon2 - lon1) * kDegToRad;
  const double s1 = std::sin(dphi / 2);
  const double s2 = std::sin(dlambda / 2);
  double h = s1 * s1 + std::cos(phi1) * std::cos(phi2) * s2 * s2;
  h = std::clamp(h, 0.0, 1.0);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(h));
}

}  // namespace inkdex::geo
