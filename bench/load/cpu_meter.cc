#include "cpu_meter.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace inkdex::bench::load {

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

absl::StatusOr<double> ParseProcStatCpuSeconds(std::string_view stat, long ticks_per_second) {
  // The command name (field 2) is in parentheses and may hold spaces and
  // ')': the fields after it start after the last ')'.
  const size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos || ticks_per_second <= 0) {
    return absl::InvalidArgumentError("/proc stat: no \"(comm)\" field");
  }
  const std::string_view rest = stat.substr(paren + 1);
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(rest.data(), rest.size()), ' ', absl::SkipWhitespace());
  // fields[0] is field 3 (state), so utime (14) and stime (15) are [11], [12].
  uint64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::InvalidArgumentError("/proc stat: utime/stime (fields 14, 15) missing");
  }
  return static_cast<double>(utime + stime) / static_cast<double>(ticks_per_second);
}

absl::StatusOr<double> ProcessCpuSeconds(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  if (!in) return absl::NotFoundError(absl::StrCat("--server-pid: no process ", pid));
  std::stringstream text;
  text << in.rdbuf();
  return ParseProcStatCpuSeconds(text.str(), sysconf(_SC_CLK_TCK));
}

absl::StatusOr<MachineCpu> ParseProcStat(std::string_view stat, long ticks_per_second) {
  const std::string_view first = stat.substr(0, stat.find('\n'));
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(first.data(), first.size()), ' ', absl::SkipWhitespace());
  // cpu user nice system idle iowait irq softirq steal ...
  if (fields.size() < 9 || fields[0] != "cpu" || ticks_per_second <= 0) {
    return absl::InvalidArgumentError("/proc/stat: no \"cpu\" line with 8 counters");
  }
  uint64_t ticks[8];
  for (size_t i = 0; i < 8; ++i) {
    if (!absl::SimpleAtoi(fields[i + 1], &ticks[i])) {
      return absl::InvalidArgumentError("/proc/stat: a \"cpu\" counter is not a number");
    }
  }
  const double hz = static_cast<double>(ticks_per_second);
  MachineCpu cpu;
  const uint64_t busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7];
  cpu.busy_seconds = static_cast<double>(busy) / hz;
  cpu.nice_seconds = static_cast<double>(ticks[1]) / hz;
  cpu.steal_seconds = static_cast<double>(ticks[7]) / hz;
  return cpu;
}

absl::StatusOr<MachineCpu> ReadMachineCpu() {
  std::ifstream in("/proc/stat");
  if (!in) return absl::NotFoundError("cannot read /proc/stat");
  std::string line;
  std::getline(in, line);
  return ParseProcStat(line, sysconf(_SC_CLK_TCK));
}

}  // namespace inkdex::bench::load
