// inkdex_build_bench: index build throughput, memory and disk per artist.
//
//   inkdex_build_bench --artists=N --build_dir=DIR [--out=results.json] [--reuse]
//
// --reuse: when the benchmark index is complete and --out already holds the
// results of the build that made it, keeps those build numbers and only
// measures the serving footprint again (the 1M build takes minutes;
// bench/run.sh rebuilds only when asked to).
//
// Generates N synthetic records as JSON lines in memory (not timed), then
// builds the benchmark index of N artists from them (workload.h; parse +
// Index::Apply in batches of 10,000, timed), replacing whatever the benchmark
// index directory held, so the search benchmark reuses the result. Then
// measures the serving footprint in a fresh process (this program with
// --serving): the resident set before and after opening the finished index
// and running a few queries; and, in that process, how long the open took
// and how long Index::Verify then takes (a regression of Verify's order of
// reads once went unnoticed for two days: bench/ANALYSIS.md).
//
// Prints a summary and writes the numbers as one JSON object to --out.
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
#include "absl/strings/str_cat.h"
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

// The serving footprint, measured in this (fresh) process: the resident set
// before and after opening the index and running kWarmQueries queries. Then
// the open's and a verification's durations (after the resident set is
// read, so Verify's memory is not counted).
nlohmann::ordered_json MeasureServing(const std::string& dir) {
  nlohmann::ordered_json out;
  const uint64_t rss_before_open = CurrentRssBytes();
  IndexOptions options;
  options.create_if_missing = false;
  options.error_if_missing = true;
  const Clock::time_point open_start = Clock::now();
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
  const double open_seconds = SecondsSince(open_start);
  if (!index.ok()) {
    out["error"] = absl::StrCat("open ", dir, ": ", index.status().ToString());
    return out;
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
  out["rss_before_open_bytes"] = rss_before_open;
  out["rss_open_bytes"] = rss_open;
  out["serving_rss_bytes"] = rss_open > rss_before_open ? rss_open - rss_before_open : 0;
  out["stats_memory_bytes"] = stats.memory_bytes;
  out["disk_bytes"] = stats.disk_bytes;
  out["documents"] = stats.documents;
  out["open_seconds"] = open_seconds;
  const Clock::time_point verify_start = Clock::now();
  absl::StatusOr<VerifyReport> report = (*index)->Verify();
  const double verify_seconds = SecondsSince(verify_start);
  if (!report.ok() || !report->ok()) {
    out["error"] = absl::StrCat(
        "verify ", dir, ": ", report.ok() ? report->problems.front() : report.status().ToString());
    return out;
  }
  out["verify_seconds"] = verify_seconds;
  return out;
}

// Runs MeasureServing in a new process (this program with --serving), so
// that heap the build freed but kept cannot hide the index's memory.
absl::StatusOr<nlohmann::ordered_json> MeasureServingInChild(uint64_t artists,
                                                             const std::string& build_dir) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return absl::UnavailableError(absl::StrCat("/proc/self/exe: ", ec.message()));
  const std::string cmd = absl::StrCat("'", self.string(), "' --serving --artists=", artists,
                                       " --build_dir='", build_dir, "'");
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return absl::UnavailableError(absl::StrCat("cannot run ", cmd));
  std::string text;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) text.append(buf, n);
  const int status = pclose(pipe);
  nlohmann::ordered_json j =
      nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (status != 0 || j.is_discarded() || j.contains("error")) {
    return absl::InternalError(absl::StrCat("serving measurement failed: ", text));
  }
  return j;
}

int Main(int argc, char** argv) {
  uint64_t artists = 0;
  std::string build_dir = ".", out_path;
  bool reuse = false, serving = false;
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
    } else if (arg == "--serving") {
      serving = true;
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
  if (serving) {
    std::cout << MeasureServing(dir).dump() << "\n";
    return 0;
  }

  nlohmann::ordered_json result;
  if (reuse && !out_path.empty() && fs::exists(out_path) && BenchIndexComplete(dir, artists)) {
    std::cerr << "inkdex_build_bench: reusing " << dir << " and the build numbers in " << out_path
              << "; measuring serving memory again\n";
    std::ifstream in(out_path);
    result = nlohmann::ordered_json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (result.is_discarded() || !result.contains("artists_per_second")) {
      std::cerr << out_path << ": not the output of a build; run without --reuse\n";
      return 1;
    }
  } else {
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
    result["peak_rss_bytes_per_artist"] =
        static_cast<double>(PeakRssBytes()) / static_cast<double>(artists);
  }

  absl::StatusOr<nlohmann::ordered_json> footprint = MeasureServingInChild(artists, build_dir);
  if (!footprint.ok()) {
    std::cerr << footprint.status() << "\n";
    return 1;
  }
  for (const auto& [key, value] : footprint->items()) result[key] = value;
  const double n = static_cast<double>(artists);
  result["serving_rss_bytes_per_artist"] = result["serving_rss_bytes"].get<double>() / n;
  result["disk_bytes_per_artist"] = result["disk_bytes"].get<double>() / n;

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
