#include "geo/cell_coverer.h"

#include <algorithm>
#include <cfloat>
#include <queue>
#include <utility>

#include "s2/s2coords_internal.h"

namespace inkdex::geo::internal {
namespace {

double IJtoUV(int ij) { return S2::STtoUV(S2::IJtoSTMin(ij)); }

struct Candidate {
  CoverCell cell;
  bool terminal = false;
  int num_children = 0;
  int children[4] = {-1, -1, -1, -1};  // indices into the pool
};

class Coverer {
 public:
  Coverer(const CoverRegion& region, int max_cells, std::vector<Candidate>& pool)
      : region_(region), max_cells_(max_cells), pool_(pool) {
    pool_.clear();
  }

  std::vector<S2CellId> Run(std::span<const S2CellId> initial) {
    for (S2CellId id : initial) Add(New(CoverCell::FromId(id)));
    while (!queue_.empty()) {
      const int c = queue_.top().second;
      queue_.pop();
      const int n = pool_[c].num_children;
      if (n == 1 || result_.size() + queue_.size() + n <= static_cast<size_t>(max_cells_)) {
        for (int k = 0; k < n; ++k) Add(pool_[c].children[k]);
      } else {
        result_.push_back(pool_[c].cell.id);
      }
    }
    std::sort(result_.begin(), result_.end());
    return std::move(result_);
  }

 private:
  // A candidate for `cell`, or -1 when the region cannot meet it.
  int New(const CoverCell& cell) {
    const CellRelation relation = region_.Relate(cell);
    if (relation == CellRelation::kDisjoint) return -1;
    pool_.push_back({cell});
    pool_.back().terminal =
        cell.level >= S2CellId::kMaxLevel || relation == CellRelation::kContains;
    return static_cast<int>(pool_.size() - 1);
  }

  void Add(int c) {
    if (c < 0) return;
    if (pool_[c].terminal) {
      result_.push_back(pool_[c].cell.id);
      return;
    }
    CoverCell kids[4];
    pool_[c].cell.Subdivide(kids);
    int terminals = 0, n = 0;
    for (const CoverCell& kid : kids) {
      const int k = New(kid);  // may reallocate pool_: index, not reference
      if (k < 0) continue;
      pool_[c].children[n++] = k;
      terminals += pool_[k].terminal;
    }
    pool_[c].num_children = n;
    if (n == 0) return;
    if (terminals == 4) {  // the region holds all four: keep the parent
      result_.push_back(pool_[c].cell.id);
      return;
    }
    // S2RegionCoverer's priority: larger cells first, then fewer
    // intersecting children, then fewer terminal ones.
    const int level = pool_[c].cell.level;
    queue_.push({-((((level << 2) + n) << 2) + terminals), c});
  }

  const CoverRegion& region_;
  const int max_cells_;
  std::vector<Candidate>& pool_;
  std::priority_queue<std::pair<int, int>> queue_;
  std::vector<S2CellId> result_;
};

}  // namespace

CoverCell CoverCell::FromId(S2CellId id) {
  CoverCell c;
  c.id = id;
  int i, j, orientation;
  c.face = id.ToFaceIJOrientation(&i, &j, &orientation);
  c.orientation = orientation;
  c.level = id.level();
  const int size = S2CellId::GetSizeIJ(c.level);
  c.i = i & -size;
  c.j = j & -size;
  c.u0 = IJtoUV(c.i);
  c.u1 = IJtoUV(c.i + size);
  c.v0 = IJtoUV(c.j);
  c.v1 = IJtoUV(c.j + size);
  return c;
}

void CoverCell::Subdivide(CoverCell children[4]) const {
  const int half = S2CellId::GetSizeIJ(level + 1);
  const double u_mid = IJtoUV(i + half), v_mid = IJtoUV(j + half);
  for (int pos = 0; pos < 4; ++pos) {
    CoverCell& c = children[pos];
    c.id = id.child(pos);
    c.face = face;
    c.level = level + 1;
    c.orientation = orientation ^ S2::internal::kPosToOrientation[pos];
    const int ij = S2::internal::kPosToIJ[orientation][pos];
    const int di = ij >> 1, dj = ij & 1;
    c.i = i + di * half;
    c.j = j + dj * half;
    c.u0 = di == 0 ? u0 : u_mid;
    c.u1 = di == 0 ? u_mid : u1;
    c.v0 = dj == 0 ? v0 : v_mid;
    c.v1 = dj == 0 ? v_mid : v1;
  }
}

bool CoverCell::Contains(const S2Point& p) const {
  double u, v;
  if (!S2::FaceXYZtoUV(face, p, &u, &v)) return false;
  // S2Cell's tolerance: S2Cell(S2CellId(p)).Contains(p) always holds.
  return u >= u0 - DBL_EPSILON && u <= u1 + DBL_EPSILON && v >= v0 - DBL_EPSILON &&
         v <= v1 + DBL_EPSILON;
}

std::vector<S2CellId> GreedyCover(const CoverRegion& region, std::span<const S2CellId> initial,
                                  int max_cells) {
  // The thread's candidate pool: no allocation per covering once warm.
  thread_local std::vector<Candidate> pool;
  return Coverer(region, max_cells, pool).Run(initial);
}

}  // namespace inkdex::geo::internal
