#include "geo/cell_coverer.h"

#include <random>

#include "gtest/gtest.h"
#include "s2/s2cap.h"
#include "s2/s2cell.h"
#include "s2/s2latlng.h"

namespace inkdex::geo::internal {
namespace {

S2CellId RandomCell(std::mt19937_64& rng, int max_level) {
  std::uniform_real_distribution<double> lat(-90, 90), lon(-180, 180);
  const S2CellId leaf(S2LatLng::FromDegrees(lat(rng), lon(rng)).Normalized());
  return leaf.parent(static_cast<int>(rng() % (max_level + 1)));
}

void ExpectSameAsS2Cell(const CoverCell& c) {
  const S2Cell cell(c.id);
  ASSERT_EQ(c.face, cell.face());
  ASSERT_EQ(c.level, cell.level());
  ASSERT_EQ(c.orientation, cell.orientation());
  // Bit for bit: the regions' tests see S2Cell's geometry.
  for (int k = 0; k < 4; ++k) {
    ASSERT_EQ(c.VertexRaw(k), cell.GetVertexRaw(k)) << c.id << " vertex " << k;
    ASSERT_EQ(c.EdgeRaw(k), cell.GetEdgeRaw(k)) << c.id << " edge " << k;
  }
  ASSERT_TRUE(c.Contains(cell.GetCenter()));
  ASSERT_EQ(c.Contains(cell.GetVertex(0)), cell.Contains(cell.GetVertex(0)));
}

TEST(CoverCellTest, CellsAndTheirChildrenHaveS2CellsGeometry) {
  std::mt19937_64 rng(3);
  for (int q = 0; q < 2000; ++q) {
    const CoverCell c = CoverCell::FromId(RandomCell(rng, 29));
    ExpectSameAsS2Cell(c);
    CoverCell kids[4];
    c.Subdivide(kids);
    for (int pos = 0; pos < 4; ++pos) {
      ASSERT_EQ(kids[pos].id, c.id.child(pos));
      ExpectSameAsS2Cell(kids[pos]);
    }
  }
}

TEST(CoverCellTest, ContainsMatchesS2CellForPointsNearTheCell) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> jitter(-1, 1);
  for (int q = 0; q < 2000; ++q) {
    const CoverCell c = CoverCell::FromId(RandomCell(rng, 20));
    const S2Cell cell(c.id);
    const double spread = 2 * cell.GetBoundaryDistance(cell.GetCenter()).radians() + 1e-9;
    for (int k = 0; k < 20; ++k) {
      const S2Point p =
          (cell.GetCenter() + S2Point(jitter(rng), jitter(rng), jitter(rng)) * spread).Normalize();
      ASSERT_EQ(c.Contains(p), cell.Contains(p)) << c.id;
    }
  }
}

// A test region: the cells within a set of cell ids' ranges.
class CellSetRegion final : public CoverRegion {
 public:
  explicit CellSetRegion(std::vector<S2CellId> ids) : ids_(std::move(ids)) {}
  CellRelation Relate(const CoverCell& cell) const override {
    bool meets = false;
    for (S2CellId id : ids_) {
      if (id.contains(cell.id)) return CellRelation::kContains;
      meets = meets || cell.id.contains(id);
    }
    return meets ? CellRelation::kIntersects : CellRelation::kDisjoint;
  }

 private:
  std::vector<S2CellId> ids_;
};

std::vector<S2CellId> Faces() {
  std::vector<S2CellId> out;
  for (int f = 0; f < 6; ++f) out.push_back(S2CellId::FromFace(f));
  return out;
}

TEST(GreedyCoverTest, AFewCellsAreCoveredByThemselves) {
  // With budget to spare the covering descends to the cells themselves; with
  // a whole face and a leaf, it keeps the face whole.
  const S2CellId a = S2CellId::FromFace(2).child(1).child(3).child(0);
  const S2CellId b = S2CellId::FromFace(4).child(2).child(2);
  EXPECT_EQ(GreedyCover(CellSetRegion({a, b}), Faces(), 12), (std::vector<S2CellId>{a, b}));
  const S2CellId face = S2CellId::FromFace(0);
  const S2CellId leaf = S2CellId(S2LatLng::FromDegrees(0, 90).Normalized());
  const std::vector<S2CellId> got = GreedyCover(CellSetRegion({face, leaf}), Faces(), 12);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], face);
  EXPECT_EQ(got[1], leaf);
}

TEST(GreedyCoverTest, KeepsToTheBudgetAndCoversEveryCell) {
  // Many scattered leaves and 12 cells: the covering must still hold every
  // one of them, in at most 12 sorted, disjoint cells.
  std::mt19937_64 rng(11);
  for (int q = 0; q < 200; ++q) {
    std::vector<S2CellId> leaves;
    const S2CellId around = RandomCell(rng, 8);
    for (int k = 0; k < 40; ++k) {
      // A random leaf under `around`.
      S2CellId leaf = around;
      while (!leaf.is_leaf()) leaf = leaf.child(static_cast<int>(rng() % 4));
      leaves.push_back(leaf);
    }
    std::vector<S2CellId> initial;
    S2Cap::Full().GetCellUnionBound(&initial);
    const std::vector<S2CellId> got = GreedyCover(CellSetRegion(leaves), initial, 12);
    ASSERT_LE(got.size(), 12u);
    for (size_t i = 1; i < got.size(); ++i) ASSERT_LT(got[i - 1].range_max(), got[i].range_min());
    for (S2CellId leaf : leaves) {
      ASSERT_TRUE(std::any_of(got.begin(), got.end(), [&](S2CellId c) { return c.contains(leaf); }))
          << leaf;
    }
  }
}

}  // namespace
}  // namespace inkdex::geo::internal
