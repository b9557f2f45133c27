#include "geo/region.h"

#include <algorithm>
#include <iterator>

#include "geo/distance.h"
#include "s2/s1angle.h"
#include "s2/s2cap.h"
#include "s2/s2cell.h"
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
  // The thread's coverer and cell vector, reused: their buffers are not
  // allocated again for every covering.
  thread_local S2RegionCoverer coverer;
  thread_local std::vector<S2CellId> covering;
  coverer.mutable_options()->set_max_cells(max_cells);
  coverer.GetCovering(region, &covering);
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

// A spherical cap for S2RegionCoverer, answering the coverer's cell tests
// with the same geometry as S2Cap (a vertex inside; else the center inside
// the cell; else an edge passing within the radius) but computed here:
// Debian's S2 is built with its debug checks on, which made S2Cap's tests
// (unit-length checks on every point, chord-angle validity) most of the ~13
// us a 12-cell covering cost. The coverings are the same cells
// (tests/geo/region_test.cc compares them).
class CapRegion final : public S2Region {
 public:
  CapRegion(const S2Point& center, double radius_radians)
      : cap_(center, S1Angle::Radians(radius_radians)),
        center_(cap_.center()),
        r2_(cap_.radius().length2()) {}

  S2Region* Clone() const override { return new CapRegion(*this); }
  S2Cap GetCapBound() const override { return cap_; }
  S2LatLngRect GetRectBound() const override { return cap_.GetRectBound(); }
  void GetCellUnionBound(std::vector<S2CellId>* cell_ids) const override {
    cap_.GetCellUnionBound(cell_ids);
  }
  bool Contains(const S2Point& p) const override { return Chord2(center_, p) <= r2_; }
  bool Contains(const S2Cell& cell) const override {
    S2Point v[4];
    for (int k = 0; k < 4; ++k) {
      v[k] = cell.GetVertex(k);
      if (Chord2(center_, v[k]) > r2_) return false;
    }
    // Every vertex is inside; the cell is too unless the part of the sphere
    // outside the cap reaches between them.
    if (r2_ >= 4) return true;
    return !EdgesReach(cell, v, -center_, r2_ <= 0 ? 4 : 4 - r2_);
  }
  bool MayIntersect(const S2Cell& cell) const override {
    S2Point v[4];
    for (int k = 0; k < 4; ++k) {
      v[k] = cell.GetVertex(k);
      if (Chord2(center_, v[k]) <= r2_) return true;
    }
    return EdgesReach(cell, v, center_, r2_);
  }

 private:
  // Squared chord between unit vectors, as S1ChordAngle(a, b) measures it.
  static double Chord2(const S2Point& a, const S2Point& b) {
    return std::min(4.0, (a - b).Norm2());
  }

  // Whether the cap (center, squared chord radius r2) reaches a point of
  // `cell` other than its vertices `v` (checked by the caller).
  static bool EdgesReach(const S2Cell& cell, const S2Point* v, const S2Point& center, double r2) {
    // A hemisphere or more, with no vertex inside: the cell (convex) and the
    // rest of the sphere (convex) cannot meet the cap between vertices.
    if (r2 >= 2 || r2 < 0) return false;
    if (cell.Contains(center)) return true;
    const double sin2 = r2 * (1 - 0.25 * r2);  // sin^2 of the radius angle
    for (int k = 0; k < 4; ++k) {
      const S2Point edge = cell.GetEdgeRaw(k);  // inward normal, not unit length
      const double dot = center.DotProd(edge);
      // Inside this edge's half-space: if the cap met this edge it would
      // also meet the opposite one, which the loop checks.
      if (dot > 0) continue;
      if (dot * dot > sin2 * edge.Norm2()) return false;  // wholly outside this edge
      // The edge's great circle crosses the cap: does the closest point lie
      // between the edge's endpoints?
      const S2Point dir = edge.CrossProd(center);
      if (dir.DotProd(v[k]) < 0 && dir.DotProd(v[(k + 1) & 3]) > 0) return true;
    }
    return false;
  }

  S2Cap cap_;
  S2Point center_;
  double r2_;
};

// A latitude-longitude rectangle for S2RegionCoverer: S2LatLngRect's own
// answers, with the cell's bound computed once per cell. S2LatLngRect answers
// both MayIntersect and Contains from the cell's GetRectBound (trigonometry
// at its four vertices and edges), and the coverer asks both of every cell it
// keeps: a viewport's covering cost ~34 us, ~17 % of a viewport query at 1M.
// The coverings are the same cells (tests/geo/region_test.cc).
//
// Thread safety: not thread-safe (the cached bound); each Cover call makes
// its own.
class RectRegion final : public S2Region {
 public:
  explicit RectRegion(const S2LatLngRect& rect) : rect_(rect) {}

  S2Region* Clone() const override { return new RectRegion(*this); }
  S2Cap GetCapBound() const override { return rect_.GetCapBound(); }
  S2LatLngRect GetRectBound() const override { return rect_; }
  void GetCellUnionBound(std::vector<S2CellId>* cell_ids) const override {
    rect_.GetCellUnionBound(cell_ids);
  }
  bool Contains(const S2Point& p) const override { return rect_.Contains(p); }
  bool Contains(const S2Cell& cell) const override { return rect_.Contains(BoundOf(cell)); }
  bool MayIntersect(const S2Cell& cell) const override { return rect_.Intersects(BoundOf(cell)); }

 private:
  const S2LatLngRect& BoundOf(const S2Cell& cell) const {
    if (cell.id() != bound_id_) {
      bound_ = cell.GetRectBound();
      bound_id_ = cell.id();
    }
    return bound_;
  }

  S2LatLngRect rect_;
  mutable S2CellId bound_id_ = S2CellId::None();
  mutable S2LatLngRect bound_;
};

}  // namespace

uint64_t LeafCellId(double lat, double lon) {
  return S2CellId(S2LatLng::FromDegrees(lat, lon).Normalized()).id();
}

std::vector<CellRange> CoverCap(double lat, double lon, double radius_km, int max_cells) {
  const double angle = std::min(radius_km / kEarthRadiusKm + kPadRadians, M_PI);
  return Cover(CapRegion(S2LatLng::FromDegrees(lat, lon).Normalized().ToPoint(), angle), max_cells);
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
  return Cover(RectRegion(S2LatLngRect(lat, lng)), max_cells);
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
