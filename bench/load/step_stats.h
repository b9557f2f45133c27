// What one load step measured, computed from the per-call samples the load
// driver records (load_driver.h).
//
// A step has a warm-up and a measurement window. Latency percentiles are
// over the calls *scheduled* inside the window, each waited for to the end
// (so a call that the server answered late still counts, with its full
// delay): in open-loop mode latency runs from the call's scheduled send time,
// not from when the client managed to send it, so a stalled server or client
// shows up in the latencies instead of being hidden (no coordinated
// omission). Throughput ("achieved") counts the OK calls that *completed*
// inside the window, whenever they were scheduled.
//
// Percentiles are nearest-rank over the successful (OK) calls; failed calls
// are counted per gRPC status code instead.
//
// Thread safety: plain values and free functions.
#ifndef INKDEX_BENCH_LOAD_STEP_STATS_H_
#define INKDEX_BENCH_LOAD_STEP_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace inkdex::bench::load {

// One call. Times are nanoseconds since the step's start.
struct CallSample {
  int64_t scheduled_ns = 0;  // when the call was due (closed loop: = sent_ns)
  int64_t sent_ns = 0;       // when the client started it
  int64_t done_ns = 0;       // when its completion was read
  uint8_t query_class = 0;   // static_cast<uint8_t>(QueryClass)
  uint8_t code = 0;          // grpc::StatusCode; kNotSent when never sent
};

// A call the client refused to start because --max-outstanding calls were
// already waiting (reported as an error of its own, "CLIENT_BACKLOG").
inline constexpr uint8_t kNotSent = 255;

struct LatencySummary {
  uint64_t count = 0;
  double mean_us = 0, p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

// Nearest-rank percentiles of `latencies_ns` (sorted in place).
LatencySummary Summarize(std::vector<int64_t>& latencies_ns);

// The value at quantile q (0 < q <= 1) of `sorted`, nearest rank; 0 when empty.
int64_t NearestRank(const std::vector<int64_t>& sorted, double q);

struct StepStats {
  std::string mode;        // "open" or "closed"
  double offered_qps = 0;  // open loop: the scheduled rate
  int concurrency = 0;     // closed loop: calls kept in flight
  double window_seconds = 0;
  uint64_t measured = 0;    // calls scheduled in the window
  uint64_t ok = 0;          // of those, OK
  double achieved_qps = 0;  // OK completions in the window / window_seconds
  LatencySummary latency;   // OK calls scheduled in the window
  LatencySummary send_lag;  // sent_ns - scheduled_ns of the calls scheduled in the window
  std::map<std::string, LatencySummary> per_class;  // "Q1_local" -> its OK calls
  std::map<std::string, uint64_t> errors;           // "DEADLINE_EXCEEDED" -> count
  uint64_t unfinished = 0;       // calls the driver stopped waiting for (should be 0)
  double client_cpu_share = -1;  // CPU seconds / window seconds (1.0 = one core); -1 unknown
  double server_cpu_share = -1;
  // The whole machine's busy CPU, the niced part of it and the hypervisor's
  // steal, same unit (cpu_meter.h MachineCpu): busy minus client and server
  // is what other processes took.
  double machine_busy_share = -1;
  double nice_share = -1;
  double steal_share = -1;

  int attempts = 1;        // runs of this step (repeated while disturbed; see load_main)
  bool disturbed = false;  // other processes took more CPU than allowed in every attempt

  uint64_t error_count() const;
  // CPU other processes took: machine busy less client and server; -1 when
  // one of them is unknown.
  double other_cpu_share() const;
};

// Summarizes `samples` of a step whose window is [window_start_ns,
// window_end_ns). Fills everything but mode/offered/concurrency/unfinished
// and the CPU shares.
StepStats ComputeStepStats(const std::vector<CallSample>& samples, int64_t window_start_ns,
                           int64_t window_end_ns);

// "OK", "DEADLINE_EXCEEDED", ..., "CLIENT_BACKLOG" for kNotSent.
std::string StatusCodeName(uint8_t code);

nlohmann::ordered_json ToJson(const StepStats& s);

}  // namespace inkdex::bench::load

#endif  // INKDEX_BENCH_LOAD_STEP_STATS_H_
