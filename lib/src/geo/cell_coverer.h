// GreedyCover: S2RegionCoverer's covering algorithm over cells whose
// geometry is computed inline, for regions that answer their cell tests from
// that geometry (CoverCell) instead of from S2Cell.
//
// Why not S2RegionCoverer itself: Debian's S2 is built with its debug checks
// on, and the coverer's own work (an S2Cell per candidate: its face, (i, j)
// and (u, v) bound through checked library calls, heap-allocated candidates)
// cost 6-24 us a covering, 10-20 % of a city-sized query at 1M artists. Here a
// child cell is a few integer operations and two projections from its
// parent, and candidates live in a per-thread pool: a 10 km cap's 12-cell
// covering 8.0 -> 3.0 us, a city viewport's 24 -> 6.8 us (region.cc's tests).
//
// The algorithm is S2RegionCoverer's with min_level 0, max_level 30 and
// level_mod 1: candidates that the region may intersect are expanded largest
// first (then those with fewer intersecting children), a cell the region
// contains (or whose four children it contains) is kept whole, and a
// candidate is kept unexpanded once expanding it would exceed max_cells. Ties
// between equal priorities may be broken differently from S2's heap, so a
// covering can differ from S2's in which cells it spends its budget on;
// tests/geo/region_test.cc checks that coverings cover and are as tight.
//
// Thread safety: GreedyCover is thread-safe (its pool is per thread).
#ifndef INKDEX_GEO_CELL_COVERER_H_
#define INKDEX_GEO_CELL_COVERER_H_

#include <span>
#include <vector>

#include "s2/s2cell_id.h"
#include "s2/s2coords.h"
#include "s2/s2point.h"

namespace inkdex::geo::internal {

// One cell of the S2 hierarchy with the (u, v) bound S2Cell would give it:
// the same doubles (S2CellId::IJLevelToBoundUV's formulas), so vertices and
// edges computed from it are S2Cell's bits.
struct CoverCell {
  S2CellId id;
  int face = 0;
  int level = 0;
  int orientation = 0;
  int i = 0, j = 0;                       // the cell's lowest leaf (i, j) on its face
  double u0 = 0, u1 = 0, v0 = 0, v1 = 0;  // its (u, v) bound

  static CoverCell FromId(S2CellId id);
  // The four children, in S2CellId::child(pos) order.
  void Subdivide(CoverCell children[4]) const;

  // As S2Cell::GetVertexRaw (counter-clockwise from (u0, v0); not unit
  // length), GetEdgeRaw (inward normals, not unit length) and
  // Contains(S2Point) (the bound widened by DBL_EPSILON, as S2Cell does).
  S2Point VertexRaw(int k) const {
    return S2::FaceUVtoXYZ(face, (k == 1 || k == 2) ? u1 : u0, k >= 2 ? v1 : v0);
  }
  S2Point EdgeRaw(int k) const {
    switch (k & 3) {
      case 0:
        return S2::GetVNorm(face, v0);
      case 1:
        return S2::GetUNorm(face, u1);
      case 2:
        return -S2::GetVNorm(face, v1);
      default:
        return -S2::GetUNorm(face, u0);
    }
  }
  bool Contains(const S2Point& p) const;
};

// What a region answers about a cell: kDisjoint only when the region does
// not meet the cell; kContains only when it holds all of it. Between them a
// region may err towards kIntersects (a looser covering, or more
// subdivision), never the other way.
enum class CellRelation { kDisjoint, kIntersects, kContains };

class CoverRegion {
 public:
  virtual ~CoverRegion() = default;
  virtual CellRelation Relate(const CoverCell& cell) const = 0;
};

// The covering of `region`, starting from `initial` (disjoint cells that
// together cover the region, e.g. its bounding cap's GetCellUnionBound),
// sorted by id. At most max_cells cells unless the initial cells alone
// exceed it. REQUIRES: max_cells >= 4.
std::vector<S2CellId> GreedyCover(const CoverRegion& region, std::span<const S2CellId> initial,
                                  int max_cells);

}  // namespace inkdex::geo::internal

#endif  // INKDEX_GEO_CELL_COVERER_H_
