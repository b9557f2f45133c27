// Benchmark workload data: the synthetic artist records (`inkdex synth
// --seed 42`) and the benchmark index built from them.
//
// The index of N artists lives in $INKDEX_BENCH_DIR/<N> when that variable is
// set, else in <build dir>/bench-data/<N>. A marker file written after a
// build is complete and verified records the parameters; EnsureBenchIndex
// reuses a directory whose marker matches and rebuilds anything else, so an
// interrupted build is never mistaken for a complete one.
//
// Record i gets version i + 1. The records are applied as `inkdex build`
// applies them (BulkLoader: sorted by location, batches of kBatchSize) with
// IndexOptions.sync = false (an offline build: nothing is served from the
// directory until the marker exists).
//
// Thread safety: free functions without shared state; two processes must not
// build the same directory at once.
#ifndef INKDEX_BENCH_WORKLOAD_H_
#define INKDEX_BENCH_WORKLOAD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inkdex/bulk_loader.h"
#include "inkdex/index.h"

namespace inkdex::bench {

inline constexpr uint64_t kSynthSeed = 42;
inline constexpr uint64_t kBatchSize = 10000;
// The day the synthetic data is "as of" and the date every query searches on,
// so that guest spots and availability do not drift with the calendar.
inline constexpr char kDataDay[] = "2026-11-29";

// Synthetic records as JSON lines, held in one buffer.
struct RecordLines {
  std::string buffer;                   // every line, each ending in '\n'
  std::vector<std::string_view> lines;  // into buffer, without the '\n'
};

// Generates records 0..count-1 of `inkdex synth --seed 42` (clean, no faults).
absl::StatusOr<RecordLines> GenerateRecordLines(uint64_t count);

// Where each part of a build went, for the build benchmark.
struct BuildTimings {
  double parse_seconds = 0;  // ParseArtistRecord
  double apply_seconds = 0;  // Index::Apply, including Open and the final close
  uint64_t applied = 0;
};

// Builds a new index in `dir` (which must not hold an index) from `lines`
// (record i = lines[i], version i + 1), checks that every record was applied
// and that the index counts lines.size() documents, then writes the marker.
absl::Status BuildIndexFromLines(const std::string& dir, const std::vector<std::string_view>& lines,
                                 BuildTimings* timings);

// Opens `dir` for an offline build (IndexOptions.sync = false), refusing a
// directory that already holds documents.
absl::StatusOr<std::unique_ptr<Index>> OpenEmptyOfflineIndex(const std::string& dir);

// Flushes `loader` (as `inkdex build` does: sorted by location, kBatchSize
// a commit), whose upserts are tagged with their record number, and fails
// unless every one was applied. `applied` (optional) counts them.
absl::Status FlushAllOrFail(BulkLoader& loader, uint64_t* applied = nullptr);

// The directory of the N-artist index (see the file comment).
std::string BenchIndexDir(const std::string& build_dir, uint64_t artists);

// True when `dir` holds a complete benchmark index of `artists` artists.
bool BenchIndexComplete(const std::string& dir, uint64_t artists);

// Makes sure `dir` holds a complete index of `artists` artists: reuses it
// when BenchIndexComplete, else deletes the directory and builds it.
absl::Status EnsureBenchIndex(const std::string& dir, uint64_t artists);

// Whether argv asks Google Benchmark only to list the benchmarks
// (--benchmark_list_tests[=true]): then no index is built or opened, which
// takes minutes at 1M artists. Call before benchmark::Initialize.
bool ListsBenchmarksOnly(int argc, char** argv);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_WORKLOAD_H_
