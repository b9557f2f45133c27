// inkdex_build_bench: index build throughput, memory and disk per artist.
//
//   inkdex_build_bench --artists=N --build_dir=DIR [--out=results.json] [--reuse]
//
// --reuse: when the benchmark index is complete and --out already holds the
// results of the build that made it, does nothing (the 1M build takes
// minutes; bench/run.sh rebuilds only when asked to).
//
// Generates N synthetic records as JSON lines in memory (not timed), then
// builds the benchmark index of N artists from them (workload.h; parse +
// Index::Apply in batches of 10,000, timed), replacing whatever the benchmark
// index directory held, so the search benchmark reuses the result. Then
// measures the serving footprint: with the input freed, the resident set
// before and after opening the finished index and running a few queries.
//
// Prints a summary and writes the numbers as one JSON object to --out.
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "inkdex/index.h"
#include "nlohmann/json.hpp"
#include "query_set.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kWarmQueries = 200;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

uint64_t PeakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // ru_maxrss is KiB on Linux
}

// The current resident set, from /proc/self/statm (pages).
uint64_t CurrentRssBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

int Main(int argc, char** argv) {
  uint64_t artists = 0;
  std::string build_dir = ".", out_path;
  bool reuse = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--artists=")) {
      if (!absl::SimpleAtoi(std::string(arg.substr(10)), &artists) || artists == 0) {
        std::cerr << "--artists: not a positive count: " << arg.substr(10) << "\n";
        return 2;
      }
    } else if (arg.starts_with("--build_dir=")) {
      build_dir = std::string(arg.substr(12));
    } else if (arg == "--reuse") {
      reuse = true;
    } else if (arg.starts_with("--out=")) {
      out_path = std::string(arg.substr(6));
    } else {
      std::cerr << "unknown argument: " << arg << "\n"
                << "usage: inkdex_build_bench --artists=N --build_dir=DIR [--out=FILE] [--reuse]\n";
      return 2;
    }
  }
  if (artists == 0) {
    std::cerr << "--artists: required\n";
    return 2;
  }
  const std::string dir = BenchIndexDir(build_dir, artists);
  if (reuse && !out_path.empty() && fs::exists(out_path) && BenchIndexComplete(dir, artists)) {
    std::cerr << "inkdex_build_bench: reusing " << dir << " and " << out_path << "\n";
    return 0;
  }
  nlohmann::ordered_json result;
  result["artists"] = artists;
  result["index_dir"] = dir;

  const Clock::time_point gen_start = Clock::now();
  absl::StatusOr<RecordLines> records = GenerateRecordLines(artists);
  if (!records.ok()) {
    std::cerr << "generate: " << records.status() << "\n";
    return 1;
  }
  result["generate_seconds"] = SecondsSince(gen_start);
  result["input_bytes"] = records->buffer.size();

  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) {
    std::cerr << "create " << dir << ": " << ec.message() << "\n";
    return 1;
  }
  BuildTimings timings;
  const Clock::time_point build_start = Clock::now();
  if (absl::Status s = BuildIndexFromLines(dir, records->lines, &timings); !s.ok()) {
    std::cerr << "build: " << s << "\n";
    return 1;
  }
  const double build_seconds = SecondsSince(build_start);
  result["build_seconds"] = build_seconds;
  result["parse_seconds"] = timings.parse_seconds;
  result["apply_seconds"] = timings.apply_seconds;
  result["artists_per_second"] = static_cast<double>(artists) / build_seconds;
  result["peak_rss_bytes"] = PeakRssBytes();

  *records = RecordLines();
  malloc_trim(0);
  const uint64_t rss_before_open = CurrentRssBytes();
  IndexOptions options;
  options.create_if_missing = false;
  options.error_if_missing = true;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
  if (!index.ok()) {
    std::cerr << "open " << dir << ": " << index.status() << "\n";
    return 1;
  }
  for (QueryClass c : AllQueryClasses()) {
    for (const BenchQuery& q : MakeQueries(c, kWarmQueries / AllQueryClasses().size())) {
      if (c == QueryClass::kSuggest) {
        (void)(*index)->Suggest(q.suggest);
      } else {
        (void)(*index)->Search(q.search);
      }
    }
  }
  const uint64_t rss_open = CurrentRssBytes();
  const IndexStats stats = (*index)->Stats();
  result["rss_before_open_bytes"] = rss_before_open;
  result["rss_open_bytes"] = rss_open;
  result["serving_rss_bytes"] = rss_open > rss_before_open ? rss_open - rss_before_open : 0;
  result["stats_memory_bytes"] = stats.memory_bytes;
  result["disk_bytes"] = stats.disk_bytes;
  result["documents"] = stats.documents;
  const double n = static_cast<double>(artists);
  result["serving_rss_bytes_per_artist"] = result["serving_rss_bytes"].get<double>() / n;
  result["disk_bytes_per_artist"] = static_cast<double>(stats.disk_bytes) / n;
  result["peak_rss_bytes_per_artist"] = static_cast<double>(PeakRssBytes()) / n;

  std::cout << result.dump(2) << "\n";
  if (!out_path.empty()) {
    std::ofstream out(out_path, std::ios::trunc);
    out << result.dump(2) << "\n";
    if (!out) {
      std::cerr << "write " << out_path << ": failed\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace inkdex::bench

int main(int argc, char** argv) { return inkdex::bench::Main(argc, argv); }
