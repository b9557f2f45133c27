#include "cpu_meter.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace inkdex::bench::load {
namespace {

TEST(ParseProcStatTest, CommandNamesWithSpacesAndParens) {
  // Fields 14 (utime) and 15 (stime) are 250 and 50 ticks.
  const std::string stat =
      "1234 (inkdex) (x y)) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 5 0 100 0 0";
  absl::StatusOr<double> s = ParseProcStatCpuSeconds(stat, 100);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_DOUBLE_EQ(*s, 3.0);
  EXPECT_FALSE(ParseProcStatCpuSeconds("1234 inkdex S 1", 100).ok());
  EXPECT_FALSE(ParseProcStatCpuSeconds("1234 (inkdex) S 1 2 3", 100).ok());
}

TEST(ParseProcStatTest, MachineBusyAndSteal) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const std::string stat = "cpu  100 5 50 1000 20 3 2 40 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n";
  absl::StatusOr<MachineCpu> cpu = ParseProcStat(stat, 100);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  EXPECT_DOUBLE_EQ(cpu->busy_seconds, 2.0);  // 100 + 5 + 50 + 3 + 2 + 40 ticks
  EXPECT_DOUBLE_EQ(cpu->nice_seconds, 0.05);
  EXPECT_DOUBLE_EQ(cpu->steal_seconds, 0.4);
  EXPECT_FALSE(ParseProcStat("cpu0 1 2 3 4 5 6 7 8\n", 100).ok());
  EXPECT_FALSE(ParseProcStat("cpu  1 2 x 4 5 6 7 8\n", 100).ok());
  EXPECT_TRUE(ReadMachineCpu().ok());
}

TEST(CpuMeterTest, CountsThisProcessesWork) {
  const double self_before = SelfCpuSeconds();
  absl::StatusOr<double> proc_before = ProcessCpuSeconds(getpid());
  ASSERT_TRUE(proc_before.ok()) << proc_before.status();
  volatile double x = 0;
  while (SelfCpuSeconds() - self_before < 0.1) {
    for (int i = 0; i < 100000; ++i) x = x + 1.0;
  }
  EXPECT_GE(SelfCpuSeconds() - self_before, 0.1);
  // /proc counts in clock ticks (10 ms): allow for the rounding.
  EXPECT_GE(*ProcessCpuSeconds(getpid()) - *proc_before, 0.05);
}

TEST(CpuMeterTest, MissingProcess) {
  EXPECT_EQ(ProcessCpuSeconds(0x3fffffff).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace inkdex::bench::load
