// CPU time used by a process, to tell how much of the machine's cores the
// load generator and the server took during a load step (both run on the
// same machine in the benchmark).
//
// Thread safety: free functions reading /proc and getrusage; no state.
#ifndef INKDEX_BENCH_LOAD_CPU_METER_H_
#define INKDEX_BENCH_LOAD_CPU_METER_H_

#include <string_view>

#include "absl/status/statusor.h"

namespace inkdex::bench::load {

// User + system CPU seconds of this process so far (all threads).
double SelfCpuSeconds();

// User + system CPU seconds of process `pid` so far, from /proc/PID/stat
// (clock-tick resolution, usually 10 ms). NOT_FOUND when there is no such
// process.
absl::StatusOr<double> ProcessCpuSeconds(int pid);

// The whole machine's CPU time so far, from the first line of /proc/stat,
// summed over cores: seconds busy (everything but idle and iowait), the part
// of it spent by niced processes (background jobs such as compilers at
// nice 19: they still delay a latency benchmark's wake-ups noticeably), and
// the part the hypervisor stole (a virtual CPU ready to run but not
// running).
struct MachineCpu {
  double busy_seconds = 0;
  double nice_seconds = 0;
  double steal_seconds = 0;
};
absl::StatusOr<MachineCpu> ReadMachineCpu();

// Parses the text of /proc/stat; INVALID_ARGUMENT when its "cpu" line is
// missing or malformed.
absl::StatusOr<MachineCpu> ParseProcStat(std::string_view stat, long ticks_per_second);

// Parses the text of a /proc/PID/stat file: utime + stime (fields 14 and 15)
// divided by `ticks_per_second`. INVALID_ARGUMENT when it is malformed.
absl::StatusOr<double> ParseProcStatCpuSeconds(std::string_view stat, long ticks_per_second);

}  // namespace inkdex::bench::load

#endif  // INKDEX_BENCH_LOAD_CPU_METER_H_
