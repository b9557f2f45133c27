#include "geo/region.h"

#include <algorithm>
#include <iterator>

#include "absl/container/inlined_vector.h"
#include "geo/cell_coverer.h"
#include "geo/distance.h"
#include "s2/s1angle.h"
#include "s2/s1chord_angle.h"
#include "s2/s2cap.h"
#include "s2/s2cell.h"
#include "s2/s2cell_id.h"
#include "s2/s2latlng.h"
#include "s2/s2latlng_rect.h"
#include "s2/s2region_coverer.h"

namespace inkdex::geo {
namespace {

// Padding added to a region before covering it: far above S2's rounding
// error (~1e-15 rad), far below anything a person would notice (~6 mm).
constexpr double kPadRadians = 1e-9;

using internal::CellRelation;
using internal::CoverCell;

// A spherical cap (center, squared chord radius r2) related to a cell with
// S2Cap's geometry (a vertex inside; else the center inside the cell; else
// an edge passing within the radius), computed from the cell's raw vertices
// with dot products: no normalization, no trigonometry. `v` holds the
// cell's four raw vertices (CoverCell::VertexRaw).
struct CapTest {
  S2Point center;
  double r2;

  static CapTest Of(const S2Point& center, double radius_radians) {
    return {center, S1ChordAngle(S1Angle::Radians(radius_radians)).length2()};
  }

  // Whether the direction v (any length) lies in the cap:
  // |c - v/|v||^2 <= r2  <=>  c.v >= (1 - r2/2) |v|, compared squared.
  bool HasDirection(const S2Point& v) const {
    const double k = 1 - 0.5 * r2, d = center.DotProd(v), bound2 = k * k * v.Norm2();
    if (k >= 0) return d >= 0 && d * d >= bound2;
    return d >= 0 || d * d <= bound2;
  }

  // Bit k set when vertex k lies in the cap.
  int InsideMask(const S2Point* v) const {
    int mask = 0;
    for (int k = 0; k < 4; ++k) mask |= HasDirection(v[k]) << k;
    return mask;
  }

  // REQUIRES: inside == InsideMask(v).
  CellRelation Relate(const CoverCell& cell, const S2Point* v, int inside) const {
    if (inside == 0xF) {
      // Every vertex is inside; the cell is too unless the part of the
      // sphere outside the cap reaches between them.
      if (r2 >= 4 || !EdgesReach(cell, v, -center, r2 <= 0 ? 4 : 4 - r2)) {
        return CellRelation::kContains;
      }
      return CellRelation::kIntersects;
    }
    if (inside != 0 || EdgesReach(cell, v, center, r2)) return CellRelation::kIntersects;
    return CellRelation::kDisjoint;
  }

  // Whether the cap (c, squared chord radius r) reaches a point of `cell`
  // other than its vertices `v` (checked by the caller).
  static bool EdgesReach(const CoverCell& cell, const S2Point* v, const S2Point& c, double r) {
    // A hemisphere or more, with no vertex inside: the cell (convex) and the
    // rest of the sphere (convex) cannot meet the cap between vertices.
    if (r >= 2 || r < 0) return false;
    if (cell.Contains(c)) return true;
    const double sin2 = r * (1 - 0.25 * r);  // sin^2 of the radius angle
    for (int k = 0; k < 4; ++k) {
      const S2Point edge = cell.EdgeRaw(k);  // inward normal, not unit length
      const double dot = c.DotProd(edge);
      // Inside this edge's half-space: if the cap met this edge it would
      // also meet the opposite one, which the loop checks.
      if (dot > 0) continue;
      if (dot * dot > sin2 * edge.Norm2()) return false;  // wholly outside this edge
      // The edge's great circle crosses the cap: does the closest point lie
      // between the edge's endpoints? (Signs only: raw vertices will do.)
      const S2Point dir = edge.CrossProd(c);
      if (dir.DotProd(v[k]) < 0 && dir.DotProd(v[(k + 1) & 3]) > 0) return true;
    }
    return false;
  }
};

void RawVertices(const CoverCell& cell, S2Point v[4]) {
  for (int k = 0; k < 4; ++k) v[k] = cell.VertexRaw(k);
}

class CapRegion final : public internal::CoverRegion {
 public:
  explicit CapRegion(const CapTest& cap) : cap_(cap) {}
  CellRelation Relate(const CoverCell& cell) const override {
    S2Point v[4];
    RawVertices(cell, v);
    return cap_.Relate(cell, v, cap_.InsideMask(v));
  }

 private:
  CapTest cap_;
};

// A latitude-longitude rectangle less than half the world wide (or all of
// it) as what it is on the sphere: the cap north of its southern edge, the
// cap south of its northern edge, and the two hemispheres east of its western
// and west of its eastern meridian. A cell is contained when each of them
// contains it (exact); it may intersect when it meets each of them (a cell
// near a corner can meet all four without meeting the rectangle: the
// covering is then a little looser, never short). Dot products only, where
// S2LatLngRect bounds every cell with trigonometry.
class LatLngBoxRegion final : public internal::CoverRegion {
 public:
  // Latitudes in radians; `lng` the (padded) longitude interval, full or
  // shorter than pi.
  LatLngBoxRegion(const R1Interval& lat, const S1Interval& lng) : rect_(lat, lng) {
    if (lat.lo() > -M_PI_2) caps_.push_back(CapTest::Of(S2Point(0, 0, 1), M_PI_2 - lat.lo()));
    if (lat.hi() < M_PI_2) caps_.push_back(CapTest::Of(S2Point(0, 0, -1), M_PI_2 + lat.hi()));
    if (!lng.is_full()) {
      // p . n >= 0: east of the western meridian, west of the eastern one.
      normals_.push_back(S2Point(-std::sin(lng.lo()), std::cos(lng.lo()), 0));
      normals_.push_back(S2Point(std::sin(lng.hi()), -std::cos(lng.hi()), 0));
    }
  }

  CellRelation Relate(const CoverCell& cell) const override {
    S2Point v[4];
    RawVertices(cell, v);
    bool contains = true;
    int in_all = 0xF;  // bit k: vertex k lies in every part
    for (const S2Point& n : normals_) {
      // A hemisphere meets a cell iff it holds a vertex, and holds the cell
      // iff it holds all four (cells and hemispheres are convex).
      int inside = 0;
      for (int k = 0; k < 4; ++k) inside |= (v[k].DotProd(n) >= 0) << k;
      if (inside == 0) return CellRelation::kDisjoint;
      contains = contains && inside == 0xF;
      in_all &= inside;
    }
    for (const CapTest& cap : caps_) {
      const int inside = cap.InsideMask(v);
      const CellRelation r = cap.Relate(cell, v, inside);
      if (r == CellRelation::kDisjoint) return r;
      contains = contains && r == CellRelation::kContains;
      in_all &= inside;
    }
    if (contains) return CellRelation::kContains;
    // Meeting each part need not mean meeting the rectangle (a cell by a
    // corner): a vertex in every part settles it, else S2LatLngRect's own
    // test of the cell's bound (trigonometry, for these boundary cells only).
    if (in_all != 0) return CellRelation::kIntersects;
    return rect_.Intersects(S2Cell(cell.id).GetRectBound()) ? CellRelation::kIntersects
                                                            : CellRelation::kDisjoint;
  }

 private:
  S2LatLngRect rect_;
  absl::InlinedVector<CapTest, 2> caps_;
  absl::InlinedVector<S2Point, 2> normals_;
};

std::vector<CellRange> ToRanges(const std::vector<S2CellId>& covering) {
  std::vector<CellRange> ranges;
  ranges.reserve(covering.size());
  for (const S2CellId& id : covering) {
    const uint64_t lo = id.range_min().id();
    const uint64_t hi = id.range_max().id();
    // Sorted and disjoint cells; adjacent ranges merge.
    if (!ranges.empty() && ranges.back().max + 2 >= lo) {
      ranges.back().max = std::max(ranges.back().max, hi);
    } else {
      ranges.push_back({lo, hi});
    }
  }
  return ranges;
}

std::vector<CellRange> GreedyCoverRanges(const internal::CoverRegion& region, const S2Cap& bound,
                                         int max_cells) {
  thread_local std::vector<S2CellId> initial;
  bound.GetCellUnionBound(&initial);
  return ToRanges(internal::GreedyCover(region, initial, max_cells));
}

// S2RegionCoverer itself: wide viewports (RectRegion).
std::vector<CellRange> Cover(const S2Region& region, int max_cells) {
  // The thread's coverer and cell vector, reused: their buffers are not
  // allocated again for every covering.
  thread_local S2RegionCoverer coverer;
  thread_local std::vector<S2CellId> covering;
  coverer.mutable_options()->set_max_cells(max_cells);
  coverer.GetCovering(region, &covering);
  return ToRanges(covering);
}

// A latitude-longitude rectangle for S2RegionCoverer, for viewports half the
// world wide or more (LatLngBoxRegion covers the rest): S2LatLngRect's own
// answers, with the cell's bound computed once per cell. S2LatLngRect answers
// both MayIntersect and Contains from the cell's GetRectBound (trigonometry
// at its four vertices and edges), and the coverer asks both of every cell it
// keeps. The coverings are S2's cells (tests/geo/region_test.cc).
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
  const S2Point center = S2LatLng::FromDegrees(lat, lon).Normalized().ToPoint();
  return GreedyCoverRanges(CapRegion(CapTest::Of(center, angle)),
                           S2Cap(center, S1Angle::Radians(angle)), max_cells);
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
  const S2LatLngRect rect(lat, lng);
  // Half the world wide or more (a zoomed-out map) is not the intersection
  // of two hemispheres: S2's own tests.
  if (!lng.is_full() && lng.GetLength() >= M_PI - 1e-6) return Cover(RectRegion(rect), max_cells);
  return GreedyCoverRanges(LatLngBoxRegion(lat, lng), rect.GetCapBound(), max_cells);
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
  if (lat == 90 || lat == -90) return true;
  const auto within = [&](double x) {
    if (west <= east) return x >= west && x <= east;
    return x >= west || x <= east;  // crosses the antimeridian
  };
  return within(lon) || ((lon == 180 || lon == -180) && within(-lon));
}

}  // namespace inkdex::geo
