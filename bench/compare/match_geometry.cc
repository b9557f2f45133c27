#include "match_geometry.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "geo/distance.h"

namespace inkdex::bench {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMarginDegrees = 1e-6;  // ~10 cm: rounding in the bounds below

double Degrees(double radians) { return radians * 180 / kPi; }

double WrapLongitude(double lon) {
  while (lon > 180) lon -= 360;
  while (lon < -180) lon += 360;
  return lon;
}

DatedLocation FromLocation(const Location& l, std::string from, std::string to) {
  return DatedLocation{l.latitude(), l.longitude(), std::move(from), std::move(to)};
}

}  // namespace

std::vector<DatedLocation> LocationsOf(const Artist& artist) {
  std::vector<DatedLocation> out;
  out.reserve(1 + artist.guest_spots_size());
  out.push_back(FromLocation(artist.location(), "", ""));
  for (const GuestSpot& g : artist.guest_spots()) {
    out.push_back(FromLocation(g.location(), g.from(), g.to()));
  }
  return out;
}

bool ActiveOn(const DatedLocation& loc, std::string_view date) {
  // ISO dates compare as strings.
  return (loc.from.empty() || loc.from <= date) && (loc.to.empty() || date <= loc.to);
}

double NearestActiveKm(const std::vector<DatedLocation>& locations, const GeoPoint& point,
                       std::string_view date) {
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < locations.size(); ++i) {
    if (i > 0 && !ActiveOn(locations[i], date)) continue;
    best =
        std::min(best, geo::DistanceKm(point.lat, point.lon, locations[i].lat, locations[i].lon));
  }
  return best;
}

BoundingBox CircleBounds(const GeoPoint& point, double radius_km) {
  const double angle = radius_km / geo::kEarthRadiusKm;  // radians of arc
  const double dlat = Degrees(angle) + kMarginDegrees;
  BoundingBox box;
  box.south = std::max(-90.0, point.lat - dlat);
  box.north = std::min(90.0, point.lat + dlat);
  const double cos_lat = std::cos(point.lat * kPi / 180);
  // The widest longitude span of a spherical cap: asin(sin(angle) / cos(lat)).
  if (box.south <= -90 || box.north >= 90 || angle >= kPi / 2 || std::sin(angle) >= cos_lat) {
    box.west = -180;
    box.east = 180;
    return box;
  }
  const double dlon = Degrees(std::asin(std::sin(angle) / cos_lat)) + kMarginDegrees;
  if (dlon >= 180) {
    box.west = -180;
    box.east = 180;
    return box;
  }
  box.west = WrapLongitude(point.lon - dlon);
  box.east = WrapLongitude(point.lon + dlon);
  return box;
}

}  // namespace inkdex::bench
