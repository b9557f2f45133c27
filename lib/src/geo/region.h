// Geo regions a query can name (a radius around a point, a map viewport) and
// their S2 cell coverings.
//
// A covering is conservative: every point inside the region lies in one of
// its cells, so an index keyed by leaf cell ids finds every candidate by
// scanning the covering's id ranges; candidates are then checked exactly
// (DistanceKm, or the viewport's degree bounds). The region is padded by a
// hair before covering so that rounding in S2's geometry never excludes a
// point that the exact check accepts.
//
// Cost: 2.5-7 us a covering (geo/cell_coverer.h; bench/geo_bench.cc), as
// tight as S2RegionCoverer's on average (tests/geo/region_test.cc).
// Thread safety: value types; coverings are computed per query (each thread
// keeps its own scratch buffers).
#ifndef INKDEX_GEO_REGION_H_
#define INKDEX_GEO_REGION_H_

#include <cstdint>
#include <vector>

namespace inkdex::geo {

// A range [min, max] of S2 leaf cell ids (inclusive).
struct CellRange {
  uint64_t min = 0;
  uint64_t max = 0;
};

// Leaf cell id of a point, the key the cell index sorts by.
uint64_t LeafCellId(double lat, double lon);

// REQUIRES: lat in [-90, 90], lon in [-180, 180], radius_km > 0.
// At most `max_cells` ranges (more cells: tighter covering, more seeks).
std::vector<CellRange> CoverCap(double lat, double lon, double radius_km, int max_cells = 12);

// The viewport [south, north] x [west, east] in degrees; west > east crosses
// the antimeridian. REQUIRES: south <= north.
std::vector<CellRange> CoverRect(double south, double west, double north, double east,
                                 int max_cells = 12);

// Range lists as CoverCap and CoverRect return them: sorted by min and
// disjoint. Both functions are O(|a| + |b|).
//
// The parts of `a` that are not in `b`: what a wider covering adds to the
// ranges already scanned, so that a search that widens its radius reads each
// cell entry once.
std::vector<CellRange> SubtractRanges(const std::vector<CellRange>& a,
                                      const std::vector<CellRange>& b);
// Every id in `a` or `b`, sorted and disjoint.
std::vector<CellRange> UnionRanges(const std::vector<CellRange>& a,
                                   const std::vector<CellRange>& b);

// True when (lat, lon) lies inside the viewport (bounds inclusive; west >
// east crosses the antimeridian). Longitudes -180 and 180 are one meridian,
// and a pole (latitude +-90) lies at every longitude.
bool RectContains(double south, double west, double north, double east, double lat, double lon);

}  // namespace inkdex::geo

#endif  // INKDEX_GEO_REGION_H_
