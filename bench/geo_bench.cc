// Microbenchmarks of the geo coverings every regional query starts with:
// inkdex's (geo::CoverCap, geo::CoverRect: geo/cell_coverer.h) against
// S2RegionCoverer with S2's own regions, in one run. A query at 1M artists
// spends ~50-200 us in all; the covering was 8-24 us of it.
//
// And finding a covering's ranges in a CellIndex of 1,000,000 entries
// (geo::CellIndex::CountIn, through its fences) against binary searches over
// the entries themselves, as lookups were made before the fences.
//
//   build/bin/inkdex_geo_bench [--benchmark_repetitions=N]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "geo/cell_index.h"
#include "geo/distance.h"
#include "geo/region.h"
#include "s2/s2cap.h"
#include "s2/s2cell_id.h"
#include "s2/s2latlng.h"
#include "s2/s2latlng_rect.h"
#include "s2/s2region_coverer.h"

namespace inkdex::bench {
namespace {

// Query points around Amsterdam, moved a little each call (a covering of
// the same point could be cheaper than a city's spread of them).
struct Point {
  double lat, lon;
};
Point PointAt(int64_t k) { return {52.37 + (k % 100) * 0.001, 4.89 + (k % 37) * 0.001}; }

// Args: radius km, max cells.
void BM_CoverCap(benchmark::State& state) {
  const double radius = static_cast<double>(state.range(0));
  const int max_cells = static_cast<int>(state.range(1));
  int64_t k = 0, ranges = 0;
  for (auto _ : state) {
    const Point p = PointAt(k++);
    const std::vector<geo::CellRange> cover = geo::CoverCap(p.lat, p.lon, radius, max_cells);
    ranges += static_cast<int64_t>(cover.size());
    benchmark::DoNotOptimize(cover.data());
  }
  state.counters["ranges"] = static_cast<double>(ranges) / static_cast<double>(k);
}

void BM_S2CoverCap(benchmark::State& state) {
  const double radius = static_cast<double>(state.range(0));
  S2RegionCoverer::Options options;
  options.set_max_cells(static_cast<int>(state.range(1)));
  S2RegionCoverer coverer(options);
  std::vector<S2CellId> cells;
  int64_t k = 0;
  for (auto _ : state) {
    const Point p = PointAt(k++);
    const S2Cap cap(S2LatLng::FromDegrees(p.lat, p.lon).ToPoint(),
                    S1Angle::Radians(radius / geo::kEarthRadiusKm));
    coverer.GetCovering(cap, &cells);
    benchmark::DoNotOptimize(cells.data());
  }
}

// The benchmark's viewport class (Q3): 0.25 x 0.35 degrees.
void BM_CoverRect(benchmark::State& state) {
  int64_t k = 0;
  for (auto _ : state) {
    const Point p = PointAt(k++);
    const std::vector<geo::CellRange> cover =
        geo::CoverRect(p.lat - 0.125, p.lon - 0.175, p.lat + 0.125, p.lon + 0.175);
    benchmark::DoNotOptimize(cover.data());
  }
}

void BM_S2CoverRect(benchmark::State& state) {
  S2RegionCoverer::Options options;
  options.set_max_cells(12);
  S2RegionCoverer coverer(options);
  std::vector<S2CellId> cells;
  int64_t k = 0;
  for (auto _ : state) {
    const Point p = PointAt(k++);
    const S2LatLngRect rect(S2LatLng::FromDegrees(p.lat - 0.125, p.lon - 0.175),
                            S2LatLng::FromDegrees(p.lat + 0.125, p.lon + 0.175));
    coverer.GetCovering(rect, &cells);
    benchmark::DoNotOptimize(cells.data());
  }
}

// 1,000,000 entries scattered around 200 cities (as artists are), each
// within ~30 km of its centre.
const geo::CellIndex& MillionEntries() {
  static const geo::CellIndex* index = [] {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> lat(-50, 60), lon(-120, 150), off(-0.3, 0.3);
    std::vector<Point> cities(200);
    for (Point& c : cities) c = {lat(rng), lon(rng)};
    std::vector<geo::CellEntry> entries(1000000);
    for (size_t i = 0; i < entries.size(); ++i) {
      const Point& c = cities[i % cities.size()];
      entries[i].cell = geo::LeafCellId(c.lat + off(rng), c.lon + off(rng));
      entries[i].slot = static_cast<uint32_t>(i);
    }
    return new geo::CellIndex(std::move(entries));
  }();
  return *index;
}

// Coverings of 10 km around the index's entries (a different one each call).
std::vector<std::vector<geo::CellRange>> Coverings(const geo::CellIndex& index) {
  std::vector<std::vector<geo::CellRange>> out;
  for (size_t i = 0; i < 1024; ++i) {
    const S2LatLng p = S2CellId(index.entries()[i * 977].cell).ToLatLng();
    out.push_back(geo::CoverCap(p.lat().degrees(), p.lng().degrees(), 10));
  }
  return out;
}

void BM_CellIndexCountIn(benchmark::State& state) {
  const geo::CellIndex& index = MillionEntries();
  const auto coverings = Coverings(index);
  size_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(index.CountIn(coverings[k++ % coverings.size()]));
}

// The same count by binary searches over the 40-byte entries.
void BM_CellIndexCountInEntries(benchmark::State& state) {
  const geo::CellIndex& index = MillionEntries();
  const auto coverings = Coverings(index);
  const std::vector<geo::CellEntry>& entries = index.entries();
  auto cell_less = [](const geo::CellEntry& e, uint64_t cell) { return e.cell < cell; };
  size_t k = 0;
  for (auto _ : state) {
    uint64_t n = 0;
    for (const geo::CellRange& r : coverings[k++ % coverings.size()]) {
      auto lo = std::lower_bound(entries.begin(), entries.end(), r.min, cell_less);
      auto hi = std::lower_bound(lo, entries.end(), r.max + 1, cell_less);
      n += static_cast<uint64_t>(hi - lo);
    }
    benchmark::DoNotOptimize(n);
  }
}

// The radii of the query classes and of the widenings (Q1 10 km, Q2 50 km,
// Q6 500 km with 32 cells; suggest's 2-512 km, nearest-first's 1-4,096 km).
void CapArgs(benchmark::internal::Benchmark* b) {
  for (int r : {2, 10, 50, 128, 512}) b->Args({r, 12});
  b->Args({500, 32});
}

BENCHMARK(BM_CoverCap)->Apply(CapArgs)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_S2CoverCap)->Apply(CapArgs)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CoverRect)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_S2CoverRect)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CellIndexCountIn);
BENCHMARK(BM_CellIndexCountInEntries);

}  // namespace
}  // namespace inkdex::bench

BENCHMARK_MAIN();
