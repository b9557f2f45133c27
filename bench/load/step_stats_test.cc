#include "step_stats.h"

#include <gtest/gtest.h>

#include "query_set.h"

namespace inkdex::bench::load {
namespace {

constexpr int64_t kMs = 1000000;

CallSample Sample(int64_t scheduled_ms, int64_t sent_ms, int64_t done_ms, QueryClass c,
                  uint8_t code = 0) {
  CallSample s;
  s.scheduled_ns = scheduled_ms * kMs;
  s.sent_ns = sent_ms * kMs;
  s.done_ns = done_ms * kMs;
  s.query_class = static_cast<uint8_t>(c);
  s.code = code;
  return s;
}

TEST(NearestRankTest, Percentiles) {
  std::vector<int64_t> v;
  for (int64_t i = 1; i <= 1000; ++i) v.push_back(i);
  EXPECT_EQ(NearestRank(v, 0.5), 500);
  EXPECT_EQ(NearestRank(v, 0.99), 990);
  EXPECT_EQ(NearestRank(v, 0.999), 999);
  EXPECT_EQ(NearestRank(v, 1.0), 1000);
  EXPECT_EQ(NearestRank({7}, 0.5), 7);
  EXPECT_EQ(NearestRank({}, 0.5), 0);
}

TEST(SummarizeTest, SortsAndConvertsToMicroseconds) {
  std::vector<int64_t> v = {3000, 1000, 2000, 4000};
  const LatencySummary s = Summarize(v);
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.mean_us, 2.5);
  EXPECT_DOUBLE_EQ(s.p50_us, 2);
  EXPECT_DOUBLE_EQ(s.p99_us, 4);
  EXPECT_DOUBLE_EQ(s.max_us, 4);
  std::vector<int64_t> none;
  EXPECT_EQ(Summarize(none).count, 0u);
}

TEST(ComputeStepStatsTest, WindowLatencyFromScheduleAndErrors) {
  // Window [1000 ms, 2000 ms).
  const std::vector<CallSample> samples = {
      Sample(500, 500, 505, QueryClass::kLocal),     // warm-up: not measured
      Sample(990, 990, 1010, QueryClass::kLocal),    // warm-up, but completes in the window
      Sample(1000, 1004, 1010, QueryClass::kLocal),  // 10 ms from its schedule, sent 4 ms late
      Sample(1500, 1500, 1502, QueryClass::kSuggest),
      Sample(1600, 1600, 1700, QueryClass::kText, 4),         // DEADLINE_EXCEEDED
      Sample(1700, 1700, 1700, QueryClass::kText, kNotSent),  // never sent
      Sample(1990, 1990, 2100, QueryClass::kLocal),  // measured, completes after the window
      Sample(2000, 2000, 2001, QueryClass::kLocal),  // after the window
  };
  const StepStats s = ComputeStepStats(samples, 1000 * kMs, 2000 * kMs);
  EXPECT_DOUBLE_EQ(s.window_seconds, 1.0);
  EXPECT_EQ(s.measured, 5u);
  EXPECT_EQ(s.ok, 3u);
  // OK completions inside the window: the 990, 1000 and 1500 calls.
  EXPECT_DOUBLE_EQ(s.achieved_qps, 3);
  EXPECT_EQ(s.latency.count, 3u);
  EXPECT_DOUBLE_EQ(s.latency.p50_us, 10000);
  EXPECT_DOUBLE_EQ(s.latency.max_us, 110000);
  EXPECT_DOUBLE_EQ(s.send_lag.max_us, 4000);
  EXPECT_EQ(s.send_lag.count, 4u);  // the unsent call has no send lag
  ASSERT_EQ(s.per_class.count("Q1_local"), 1u);
  EXPECT_EQ(s.per_class.at("Q1_local").count, 2u);
  EXPECT_EQ(s.per_class.at("Q5_suggest").count, 1u);
  EXPECT_EQ(s.per_class.count("Q2_text"), 0u);
  EXPECT_EQ(s.errors.at("DEADLINE_EXCEEDED"), 1u);
  EXPECT_EQ(s.errors.at("CLIENT_BACKLOG"), 1u);
  EXPECT_EQ(s.error_count(), 2u);
}

TEST(StepStatsTest, OtherCpuShare) {
  StepStats s;
  EXPECT_EQ(s.other_cpu_share(), -1);
  s.machine_busy_share = 1.9;
  s.client_cpu_share = 0.3;
  EXPECT_EQ(s.other_cpu_share(), -1);  // server unknown
  s.server_cpu_share = 1.2;
  EXPECT_NEAR(s.other_cpu_share(), 0.4, 1e-9);
  s.server_cpu_share = 1.7;  // meters read a moment apart: never below 0
  EXPECT_EQ(s.other_cpu_share(), 0);
}

TEST(StatusCodeNameTest, GrpcCodes) {
  EXPECT_EQ(StatusCodeName(0), "OK");
  EXPECT_EQ(StatusCodeName(8), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(StatusCodeName(14), "UNAVAILABLE");
  EXPECT_EQ(StatusCodeName(kNotSent), "CLIENT_BACKLOG");
}

TEST(StepStatsJsonTest, HoldsTheNumbersReportPyReads) {
  StepStats s;
  s.mode = "open";
  s.offered_qps = 5000;
  s.achieved_qps = 4990;
  s.latency.p99_us = 1234;
  s.errors["UNAVAILABLE"] = 2;
  s.per_class["Q1_local"].p50_us = 10;
  const nlohmann::ordered_json j = ToJson(s);
  EXPECT_EQ(j["offered_qps"], 5000);
  EXPECT_FALSE(j.contains("concurrency"));
  EXPECT_EQ(j["achieved_qps"], 4990);
  EXPECT_EQ(j["latency"]["p99_us"], 1234);
  EXPECT_EQ(j["errors"]["UNAVAILABLE"], 2);
  EXPECT_EQ(j["per_class"]["Q1_local"]["p50_us"], 10);
  s.mode = "closed";
  s.concurrency = 8;
  EXPECT_EQ(ToJson(s)["concurrency"], 8);
}

}  // namespace
}  // namespace inkdex::bench::load
