#include "step_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/status/status.h"
#include "query_set.h"

namespace inkdex::bench::load {
namespace {

double Micros(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

nlohmann::ordered_json LatencyJson(const LatencySummary& s) {
  return {{"count", s.count},   {"mean_us", s.mean_us}, {"p50_us", s.p50_us}, {"p90_us", s.p90_us},
          {"p99_us", s.p99_us}, {"p999_us", s.p999_us}, {"max_us", s.max_us}};
}

}  // namespace

int64_t NearestRank(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(q * static_cast<double>(sorted.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

LatencySummary Summarize(std::vector<int64_t>& latencies_ns) {
  LatencySummary s;
  if (latencies_ns.empty()) return s;
  std::sort(latencies_ns.begin(), latencies_ns.end());
  s.count = latencies_ns.size();
  const long double sum = std::accumulate(latencies_ns.begin(), latencies_ns.end(), 0.0L);
  s.mean_us = static_cast<double>(sum / static_cast<long double>(s.count)) / 1000.0;
  s.p50_us = Micros(NearestRank(latencies_ns, 0.50));
  s.p90_us = Micros(NearestRank(latencies_ns, 0.90));
  s.p99_us = Micros(NearestRank(latencies_ns, 0.99));
  s.p999_us = Micros(NearestRank(latencies_ns, 0.999));
  s.max_us = Micros(latencies_ns.back());
  return s;
}

uint64_t StepStats::error_count() const {
  uint64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

double StepStats::other_cpu_share() const {
  if (machine_busy_share < 0 || client_cpu_share < 0 || server_cpu_share < 0) return -1;
  return std::max(0.0, machine_busy_share - client_cpu_share - server_cpu_share);
}

std::string StatusCodeName(uint8_t code) {
  if (code == kNotSent) return "CLIENT_BACKLOG";
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

StepStats ComputeStepStats(const std::vector<CallSample>& samples, int64_t window_start_ns,
                           int64_t window_end_ns) {
  StepStats s;
  s.window_seconds = static_cast<double>(window_end_ns - window_start_ns) / 1e9;
  std::vector<int64_t> ok_latency, lag;
  std::map<uint8_t, std::vector<int64_t>> class_latency;
  uint64_t ok_done_in_window = 0;
  for (const CallSample& c : samples) {
    const bool ok = c.code == 0;
    if (ok && c.done_ns >= window_start_ns && c.done_ns < window_end_ns) ++ok_done_in_window;
    if (c.scheduled_ns < window_start_ns || c.scheduled_ns >= window_end_ns) continue;
    ++s.measured;
    if (c.code != kNotSent) lag.push_back(c.sent_ns - c.scheduled_ns);
    if (!ok) {
      ++s.errors[StatusCodeName(c.code)];
      continue;
    }
    ++s.ok;
    ok_latency.push_back(c.done_ns - c.scheduled_ns);
    class_latency[c.query_class].push_back(c.done_ns - c.scheduled_ns);
  }
  s.achieved_qps =
      s.window_seconds > 0 ? static_cast<double>(ok_done_in_window) / s.window_seconds : 0;
  s.latency = Summarize(ok_latency);
  s.send_lag = Summarize(lag);
  for (auto& [c, latencies] : class_latency) {
    s.per_class[std::string(QueryClassName(static_cast<QueryClass>(c)))] = Summarize(latencies);
  }
  return s;
}

nlohmann::ordered_json ToJson(const StepStats& s) {
  nlohmann::ordered_json j;
  j["mode"] = s.mode;
  if (s.mode == "open") {
    j["offered_qps"] = s.offered_qps;
  } else {
    j["concurrency"] = s.concurrency;
  }
  j["window_seconds"] = s.window_seconds;
  j["measured"] = s.measured;
  j["ok"] = s.ok;
  j["achieved_qps"] = s.achieved_qps;
  j["latency"] = LatencyJson(s.latency);
  j["send_lag"] = LatencyJson(s.send_lag);
  nlohmann::ordered_json classes = nlohmann::ordered_json::object();
  for (const auto& [name, summary] : s.per_class) classes[name] = LatencyJson(summary);
  j["per_class"] = classes;
  nlohmann::ordered_json errors = nlohmann::ordered_json::object();
  for (const auto& [name, count] : s.errors) errors[name] = count;
  j["errors"] = errors;
  j["unfinished"] = s.unfinished;
  j["client_cpu_share"] = s.client_cpu_share;
  j["server_cpu_share"] = s.server_cpu_share;
  j["machine_busy_share"] = s.machine_busy_share;
  j["nice_share"] = s.nice_share;
  j["steal_share"] = s.steal_share;
  j["other_cpu_share"] = s.other_cpu_share();
  j["attempts"] = s.attempts;
  j["disturbed"] = s.disturbed;
  return j;
}

}  // namespace inkdex::bench::load
