#include "geo/region.h"

#include <algorithm>
#include <iterator>

#include "geo/distance.h"
#include "s2/s1angle.h"
#include "s2/s2cap.h"
#include "s2/s2cell_id.h"
#include "s2/s2cell_union.h"
#include "s2/s2latlng.h"
#include "s2/s2latlng_rect.h"
#include "s2/s2region_coverer.h"

namespace inkdex::geo {
namespace {

// Padding added to a region before covering it: far above S2's rounding
// error (~1e-15 rad), far below anything a person would notice (~6 mm).
constexpr double kPadRadians = 1e-9;

std::vector<CellRange> Cover(const S2Region& region, int max_cells) {
  S2RegionCoverer::Options options;
  options.set_max_cells(max_cells);
  S2RegionCoverer coverer(options);
  S2CellUnion covering = coverer.GetCovering(region);
  std::vector<CellRange> ranges;
  ranges.reserve(covering.size());
  for (const S2CellId& id : covering) {
    const uint64_t lo = id.range_min().id();
    const uint64_t hi = id.range_max().id();
    // Normalized cell unions are sorted and disjoint; adjacent ranges merge.
    if (!ranges.empty() && ranges.back().max + 2 >= lo) {
      ranges.back().max = std::max(ranges.back().max, hi);
    } else {
      ranges.push_back({lo, hi});
    }
  }
  return ranges;
}

}  // namespace

uint64_t LeafCellId(double lat, double lon) {
  return S2CellId(S2LatLng::FromDegrees(lat, lon).Normalized()).id();
}

std::vector<CellRange> CoverCap(double lat, double lon, double radius_km, int max_cells) {
  const double angle = std::min(radius_km / kEarthRadiusKm + kPadRadians, M_PI);
  const S2Cap cap(S2LatLng::FromDegrees(lat, lon).Normalized().ToPoint(), S1Angle::Radians(angle));
  return Cover(cap, max_cells);
}

std::vector<CellRange> CoverRect(double south, double west, double north, double east,
                                 int max_cells) {
  const double pad = kPadRadians * 180.0 / M_PI;
  const R1Interval lat(std::max(-90.0, south - pad) * M_PI / 180.0,
                       std::min(90.0, north + pad) * M_PI / 180.0);
  double w = west - pad, e = east + pad;
  if (w < -180) w += 360;
  if (e > 180) e -= 360;
  // West to east, inverted (crossing the antimeridian) when w > e.
  S1Interval lng(w * M_PI / 180.0, e * M_PI / 180.0);
  if (east - west >= 360 || (west <= -180 && east >= 180)) lng = S1Interval::Full();
  return Cover(S2LatLngRect(lat, lng), max_cells);
}

std::vector<CellRange> SubtractRanges(const std::vector<CellRange>& a,
                                      const std::vector<CellRange>& b) {
  std::vector<CellRange> out;
  auto cut = b.begin();
  for (const CellRange& r : a) {
    uint64_t lo = r.min;
    while (cut != b.end() && cut->max < lo) ++cut;
    // Each cut that starts within what is left of r splits it; the last one
    // may reach into the next range of `a`, so it is kept for that one.
    for (auto c = cut; c != b.end() && c->min <= r.max; ++c) {
      if (c->min > lo) out.push_back({lo, c->min - 1});
      if (c->max >= r.max) {
        lo = r.max + 1;
        break;
      }
      lo = std::max(lo, c->max + 1);
    }
    if (lo <= r.max) out.push_back({lo, r.max});
  }
  return out;
}

std::vector<CellRange> UnionRanges(const std::vector<CellRange>& a,
                                   const std::vector<CellRange>& b) {
  std::vector<CellRange> all;
  all.reserve(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(all),
             [](const CellRange& x, const CellRange& y) { return x.min < y.min; });
  std::vector<CellRange> out;
  for (const CellRange& r : all) {
    if (!out.empty() && r.min <= out.back().max + 1) {
      out.back().max = std::max(out.back().max, r.max);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

bool RectContains(double south, double west, double north, double east, double lat, double lon) {
  if (lat < south || lat > north) return false;
  if (west <= east) return lon >= west && lon <= east;
  return lon >= west || lon <= east;  // crosses the antimeridian
}

}  // namespace inkdex::geo
