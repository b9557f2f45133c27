#include "geo/distance.h"

#include <cmath>

namespace inkdex::geo {

namespace {
constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
}  // namespace

UnitVector ToUnitVector(double lat, double lon) {
  const double phi = lat * kDegToRad, lambda = lon * kDegToRad;
  const double cos_phi = std::cos(phi);
  return {cos_phi * std::cos(lambda), cos_phi * std::sin(lambda), std::sin(phi)};
}

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  return DistanceKm(ToUnitVector(lat1, lon1), ToUnitVector(lat2, lon2));
}

}  // namespace inkdex::geo
