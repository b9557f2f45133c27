// Microbenchmarks of the geo coverings every regional query starts with:
// inkdex's (geo::CoverCap, geo::CoverRect: geo/cell_coverer.h) against
// S2RegionCoverer with S2's own regions, in one run. A query at 1M artists
// spends ~50-200 us in all; the covering was 8-24 us of it.
//
//   build/bin/inkdex_geo_bench [--benchmark_repetitions=N]
#include <benchmark/benchmark.h>

#include <vector>

#include "geo/distance.h"
#include "geo/region.h"
#include "s2/s2cap.h"
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

}  // namespace
}  // namespace inkdex::bench

BENCHMARK_MAIN();
