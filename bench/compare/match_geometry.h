// Where an artist is on a query date, and how far from a point: the geometry
// the comparison needs outside any engine, computed from the artist record
// itself (README "Search semantics": the primary location is always active, a
// guest spot between its from and to dates inclusive, an empty bound open;
// distances are great-circle on a sphere of radius 6371.0088 km, with
// inkdex's own formula, geo::DistanceKm, so a distance here is
// bit-identical to the one inkdex filters on).
//
// Used by the correctness gate (which ids sit on a radius boundary), by the
// inkdex peer (filtering viewport tiles back to a radius when it enumerates
// more matches than one paging session may return) and by tests.
//
// Thread safety: pure functions and immutable plain data.
#ifndef INKDEX_BENCH_COMPARE_MATCH_GEOMETRY_H_
#define INKDEX_BENCH_COMPARE_MATCH_GEOMETRY_H_

#include <string>
#include <string_view>
#include <vector>

#include "inkdex/artist.pb.h"
#include "inkdex/query.h"

namespace inkdex::bench {

// One location of an artist with the dates it is active ("" = open bound).
struct DatedLocation {
  double lat = 0, lon = 0;
  std::string from, to;
};

// The locations of `artist`: the primary first, then its guest spots.
std::vector<DatedLocation> LocationsOf(const Artist& artist);

// Whether `loc` is active on `date` (YYYY-MM-DD).
bool ActiveOn(const DatedLocation& loc, std::string_view date);

// The distance in km from `point` to the nearest location active on `date`
// (the primary always is, so this is finite).
double NearestActiveKm(const std::vector<DatedLocation>& locations, const GeoPoint& point,
                       std::string_view date);

// A box holding every point within `radius_km` of `point` (with a margin of
// about 10 cm), in SearchRequest's viewport form: west > east crosses the
// antimeridian, and a circle reaching a pole spans every longitude.
BoundingBox CircleBounds(const GeoPoint& point, double radius_km);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_COMPARE_MATCH_GEOMETRY_H_
