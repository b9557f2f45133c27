// inkdex_search_bench: query latency and throughput of the library, per query
// class (query_set.h) and index size.
//
//   inkdex_search_bench --build_dir=build [--artists=100000,1000000]
//                       [--queries=1000] [--interruptible] [--benchmark_* flags]
//
// For each size the benchmark index is built first when missing (workload.h);
// measuring starts once the opened indexes' background work (RocksDB
// compaction) has settled.
// Benchmarks:
//   latency/<class>/<artists>     single-threaded, the class's query list once,
//                                 round-robin; counters p50_us, p90_us, p99_us,
//                                 max_us (per-call wall time), mean_total
//                                 (matches per query) and empty (share of
//                                 queries without a hit).
//   throughput/<class>/<artists>  two threads splitting the same list;
//                                 items_per_second is queries/s.
//   latency/suggest_global_<k>/<artists>  Q5's prefixes cut to k = 1, 2, 3
//                                 letters, without a point: completions over
//                                 every city, studio and name they begin.
//   latency/text_global_<k>/<artists>  Q2's texts without a place, cut to
//                                 k = 1 or 3 letters or whole ("all"): a
//                                 search box's first keystrokes, matching
//                                 most of the index (30 queries each).
// --interruptible: every search carries what inkdex-server gives each call, an
// `interrupted` check (a cancellation flag and a clock read against the
// call's deadline) and a deadline a minute away, so the cost of polling them
// (and of the text match's stop source, text/match_stop.h) is measured.
// Environment defaults for the flags: INKDEX_BENCH_ARTISTS, INKDEX_BENCH_QUERIES.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "inkdex/index.h"
#include "query_set.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kWarmupQueries = 50;
// After opening, RocksDB may compact the freshly built store in the
// background; measuring during that would charge its CPU to the queries.
constexpr double kQuietCpuShare = 0.05;
constexpr std::chrono::seconds kMaxSettle(300);

struct Flags {
  std::string build_dir = ".";
  std::vector<uint64_t> artists = {100000, 1000000};
  size_t queries = 1000;
  bool interruptible = false;
};

// --interruptible; set once before the benchmarks run.
bool interruptible_searches = false;

// Runs one query; the number of matches (suggestions for suggest), or -1 on
// an error, which is printed.
int64_t RunQuery(const Index& index, const BenchQuery& q) {
  if (q.query_class == QueryClass::kSuggest) {
    absl::StatusOr<std::vector<Suggestion>> r = index.Suggest(q.suggest);
    if (!r.ok()) {
      std::cerr << QueryToJson(q) << ": " << r.status() << "\n";
      return -1;
    }
    return static_cast<int64_t>(r->size());
  }
  absl::StatusOr<SearchResponse> r;
  if (interruptible_searches) {
    // As inkdex-server's calls: a cancellation flag and the deadline, read
    // at every poll (artist_search_service.cc, Interrupted).
    static std::atomic<bool> cancelled{false};
    SearchRequest search = q.search;
    const auto deadline = std::chrono::system_clock::now() + std::chrono::minutes(1);
    search.interrupted = [deadline] {
      return cancelled.load(std::memory_order_relaxed) ||
             std::chrono::system_clock::now() > deadline;
    };
    search.deadline = absl::Now() + absl::Minutes(1);
    r = index.Search(search);
  } else {
    r = index.Search(q.search);
  }
  if (!r.ok()) {
    std::cerr << QueryToJson(q) << ": " << r.status() << "\n";
    return -1;
  }
  benchmark::DoNotOptimize(r->hits.data());
  return r->total;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

void LatencyBench(benchmark::State& state, const Index* index,
                  const std::vector<BenchQuery>* queries) {
  for (size_t i = 0; i < std::min(kWarmupQueries, queries->size()); ++i) {
    RunQuery(*index, (*queries)[i]);
  }
  std::vector<double> micros;
  micros.reserve(queries->size());
  size_t next = 0, empty = 0;
  double total_matches = 0;
  for (auto _ : state) {
    const BenchQuery& q = (*queries)[next];
    next = (next + 1) % queries->size();
    const Clock::time_point start = Clock::now();
    const int64_t matches = RunQuery(*index, q);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (matches < 0) {
      state.SkipWithError("query failed (see stderr)");
      return;
    }
    empty += matches == 0;
    total_matches += static_cast<double>(matches);
  }
  std::sort(micros.begin(), micros.end());
  const double n = static_cast<double>(micros.size());
  state.counters["p50_us"] = Percentile(micros, 0.50);
  state.counters["p90_us"] = Percentile(micros, 0.90);
  state.counters["p99_us"] = Percentile(micros, 0.99);
  state.counters["max_us"] = micros.empty() ? 0 : micros.back();
  state.counters["mean_total"] = n > 0 ? total_matches / n : 0;
  state.counters["empty"] = n > 0 ? static_cast<double>(empty) / n : 0;
  state.SetItemsProcessed(state.iterations());
}

void ThroughputBench(benchmark::State& state, const Index* index,
                     const std::vector<BenchQuery>* queries) {
  const size_t threads = static_cast<size_t>(state.threads());
  size_t next = static_cast<size_t>(state.thread_index());
  for (auto _ : state) {
    if (RunQuery(*index, (*queries)[next]) < 0) {
      state.SkipWithError("query failed (see stderr)");
      return;
    }
    next = (next + threads) % queries->size();
  }
  state.SetItemsProcessed(state.iterations());
}

// A comma-separated list of positive counts; false (after printing why) on
// anything else.
bool ParseCounts(std::string_view what, std::string_view text, std::vector<uint64_t>* out) {
  out->clear();
  const std::string list(text);
  for (absl::string_view part : absl::StrSplit(list, ',')) {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(part, &n) || n == 0) {
      std::cerr << what << ": not a positive count: \"" << part << "\"\n";
      return false;
    }
    out->push_back(n);
  }
  return true;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

// Waits until this process (idle in the main thread) uses under
// kQuietCpuShare of a core over a second, or kMaxSettle has passed.
void WaitForBackgroundWork() {
  const Clock::time_point start = Clock::now();
  while (Clock::now() - start < kMaxSettle) {
    const double cpu = ProcessCpuSeconds();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (ProcessCpuSeconds() - cpu < kQuietCpuShare) break;
  }
  std::cerr << "bench: background work settled after "
            << std::chrono::duration<double>(Clock::now() - start).count() << " s\n";
}

bool ParseFlags(int* argc, char** argv, Flags* flags) {
  if (const char* env = std::getenv("INKDEX_BENCH_ARTISTS"); env != nullptr && *env != '\0') {
    if (!ParseCounts("INKDEX_BENCH_ARTISTS", env, &flags->artists)) return false;
  }
  if (const char* env = std::getenv("INKDEX_BENCH_QUERIES"); env != nullptr && *env != '\0') {
    if (!absl::SimpleAtoi(env, &flags->queries) || flags->queries < 2) {
      std::cerr << "INKDEX_BENCH_QUERIES: must be a count >= 2, got " << env << "\n";
      return false;
    }
  }
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--build_dir=")) {
      flags->build_dir = std::string(arg.substr(12));
    } else if (arg.starts_with("--artists=")) {
      if (!ParseCounts("--artists", arg.substr(10), &flags->artists)) return false;
    } else if (arg == "--interruptible") {
      flags->interruptible = true;
    } else if (arg.starts_with("--queries=")) {
      if (!absl::SimpleAtoi(std::string(arg.substr(10)), &flags->queries) || flags->queries < 2) {
        std::cerr << "--queries: must be a count >= 2, got " << arg.substr(10) << "\n";
        return false;
      }
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return true;
}

// Index::MeasureSlotLayout over the whole index, as a server's metrics
// refresh runs it once a minute (counters: the drift it finds).
void SlotLayoutBench(benchmark::State& state, const Index* index) {
  SlotLayout layout;
  for (auto _ : state) {
    absl::StatusOr<SlotLayout> measured = index->MeasureSlotLayout();
    if (!measured.ok()) {
      state.SkipWithError(std::string(measured.status().message()).c_str());
      return;
    }
    layout = *measured;
  }
  state.counters["artists"] = static_cast<double>(layout.artists);
  state.counters["drift"] = layout.Drift();
}

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(&argc, argv, &flags)) return 2;
  interruptible_searches = flags.interruptible;
  const bool listing = ListsBenchmarksOnly(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  std::map<QueryClass, std::vector<BenchQuery>> queries;
  for (QueryClass c : AllQueryClasses()) queries[c] = MakeQueries(c, flags.queries);

  // Suggest without a point, by prefix length: what a one-letter prefix
  // costs when it begins tens of thousands of names.
  // Lists measured beside the classes, by the name they are reported under
  // (latency/<name>/<artists>).
  std::map<std::string, std::vector<BenchQuery>> extra_lists;
  for (size_t letters = 1; letters <= 3; ++letters) {
    for (BenchQuery q : queries[QueryClass::kSuggest]) {
      q.suggest.near.reset();
      q.suggest.prefix = q.suggest.prefix.substr(0, letters);
      extra_lists[absl::StrCat("suggest_global_", letters)].push_back(std::move(q));
    }
  }

  // Text without a place, as typed: Q2's texts cut to the first letter, the
  // first three, and whole. Every match of a broad text is counted and
  // ranked (an exact total, facets), so a first keystroke matches most of
  // the index: 30 queries a list (a one-letter text costs ~0.1 s at 1M).
  constexpr size_t kGlobalTextQueries = 30;
  for (const auto& [name, letters] : std::vector<std::pair<std::string, size_t>>{
           {"1", 1}, {"3", 3}, {"all", std::string::npos}}) {
    const std::vector<BenchQuery>& q2 = queries[QueryClass::kText];
    for (size_t i = 0; i < std::min(kGlobalTextQueries, q2.size()); ++i) {
      BenchQuery q = q2[i];
      q.search.point.reset();
      q.search.radius_km.reset();
      q.search.text = q.search.text.substr(0, letters);
      extra_lists["text_global_" + name].push_back(std::move(q));
    }
  }

  std::vector<std::unique_ptr<Index>> indexes;
  for (uint64_t n : flags.artists) {
    const Index* idx = nullptr;  // listing only: the benchmarks never run
    if (!listing) {
      const std::string dir = BenchIndexDir(flags.build_dir, n);
      if (absl::Status s = EnsureBenchIndex(dir, n); !s.ok()) {
        std::cerr << "benchmark index " << dir << ": " << s << "\n";
        return 1;
      }
      IndexOptions options;
      options.create_if_missing = false;
      options.error_if_missing = true;
      absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
      if (!index.ok()) {
        std::cerr << "open " << dir << ": " << index.status() << "\n";
        return 1;
      }
      indexes.push_back(std::move(*index));
      idx = indexes.back().get();
    }
    for (QueryClass c : AllQueryClasses()) {
      const std::vector<BenchQuery>* list = &queries[c];
      const auto count = static_cast<benchmark::IterationCount>(list->size());
      const std::string suffix = absl::StrCat(std::string(QueryClassName(c)), "/", n);
      benchmark::RegisterBenchmark(absl::StrCat("latency/", suffix).c_str(), LatencyBench, idx,
                                   list)
          ->Iterations(count)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(absl::StrCat("throughput/", suffix).c_str(), ThroughputBench,
                                   idx, list)
          ->Threads(2)
          ->Iterations(count / 2)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
    benchmark::RegisterBenchmark(absl::StrCat("slot_layout/", n).c_str(), SlotLayoutBench, idx)
        ->Iterations(5)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    for (const auto& [name, list] : extra_lists) {
      benchmark::RegisterBenchmark(absl::StrCat("latency/", name, "/", n).c_str(), LatencyBench,
                                   idx, &list)
          ->Iterations(static_cast<benchmark::IterationCount>(list.size()))
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
  }
  if (!listing) WaitForBackgroundWork();
  benchmark::AddCustomContext("inkdex_queries_per_class", std::to_string(flags.queries));
  benchmark::AddCustomContext("inkdex_interruptible", flags.interruptible ? "yes" : "no");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace inkdex::bench

int main(int argc, char** argv) { return inkdex::bench::Main(argc, argv); }
