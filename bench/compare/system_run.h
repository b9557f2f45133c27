// Measuring one system of the peer comparison on one data size: open it and
// warm it up (the resident-set growth that costs), run the correctness gate
// against inkdex's references, then time every query class single-threaded
// and with several threads. compare_main.cc drives it per system and size;
// the JSON it returns is what report.py reads (bench/README.md "Peers").
//
// Thread safety: a function call uses the peers it is given from the calling
// thread, and the extra peers it opens for the throughput run each from one
// worker thread.
#ifndef INKDEX_BENCH_COMPARE_SYSTEM_RUN_H_
#define INKDEX_BENCH_COMPARE_SYSTEM_RUN_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compare/gate.h"
#include "nlohmann/json.hpp"
#include "peers/peer.h"
#include "query_set.h"

namespace inkdex::bench {

struct CompareConfig {
  size_t gate_queries = 50;       // per search class, the first of each list
  size_t timed_queries = 500;     // per class
  size_t warmup = 50;             // per class, run once before measuring memory
  int threads = 2;                // the throughput run
  double throughput_seconds = 2;  // its least duration (whole passes over the list)
  // A class whose single-threaded pass takes longer stops there (after at
  // least min_timed queries); the count measured is reported.
  double class_budget_seconds = 60;
  size_t min_timed = 20;
};

using PeerFactory = std::function<std::unique_ptr<Peer>()>;

// The query lists, one per class in AllQueryClasses order.
using Workload = std::vector<std::vector<BenchQuery>>;

struct OpenedSystem {
  std::unique_ptr<Peer> peer;
  double open_seconds = 0;
  int64_t rss_delta_bytes = 0;  // VmRSS after Open and the warm-up, less before Open
};

// Opens a new peer on `dir` and runs the warm-up queries once.
absl::StatusOr<OpenedSystem> OpenAndWarm(const PeerFactory& factory, const std::string& dir,
                                         const Workload& workload, const CompareConfig& config);

// Checks `peer` on every reference (gate.h). {"checked", "failed",
// "mismatches": [report...]}; *ok false on any mismatch or error.
nlohmann::ordered_json RunGate(Peer& peer, const std::vector<InkdexReference>& references,
                               bool* ok);

// Latency (single thread, `peer`) and throughput (config.threads new peers
// opened on `dir`) per class: [{"class", "queries", "p50_us", "p90_us",
// "p99_us", "max_us", "mean_us", "mean_total", "qps_1thread", "qps_threads"}].
// A class whose query fails gets {"class", "error"}.
nlohmann::ordered_json TimeClasses(Peer& peer, const PeerFactory& factory, const std::string& dir,
                                   const Workload& workload, const CompareConfig& config);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_COMPARE_SYSTEM_RUN_H_
