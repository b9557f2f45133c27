// inkdex_load: a gRPC load generator for inkdex-server (bench/README.md,
// "gRPC load generator").
//
//   inkdex_load --target HOST:PORT --rate 5000 --duration 20       # open loop
//   inkdex_load --target HOST:PORT --concurrency 16 --duration 20  # closed loop
//   inkdex_load --target HOST:PORT --sweep --rates 1000,2000,4000  # rising rates
//               [--concurrency 16]                                 # then a closed loop
//
// Sends the library benchmark's query classes (bench/query_set.h) in a fixed
// weighted mix (--mix) over several channels with the asynchronous API,
// prints one line per step (offered and achieved calls/s, latency
// percentiles, errors by status code, CPU used by the client and, with
// --server-pid, the server) and writes everything as JSON (--json) for
// bench/report.py.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "cpu_meter.h"
#include "load_driver.h"
#include "nlohmann/json.hpp"
#include "query_mix.h"
#include "step_stats.h"
#include "sweep.h"

namespace inkdex::bench::load {
namespace {

struct Flags {
  std::string target;
  double rate = 0;
  int concurrency = 0;
  bool sweep = false;
  std::string rates;
  SweepOptions sweep_options;
  double duration_s = 10;
  double warmup_s = 2;
  double pause_s = 1;
  int channels = 4;
  int threads = 1;
  int deadline_ms = 1000;
  int64_t max_outstanding = 50000;
  std::string mix;
  size_t queries_per_class = 1000;
  size_t plan_length = 100000;
  uint64_t seed = 1;
  std::string token_file;
  int server_pid = 0;
  std::string json_path;
  double slo_p99_ms = 10;
  double connect_timeout_s = 10;
  double max_other_cpu = 0.25;
  int retries = 2;
  double quiet_timeout_s = 300;
};

void AddFlags(CLI::App& app, Flags& f) {
  app.add_option("--target", f.target, "Server address HOST:PORT")->required();
  app.add_option("--rate", f.rate, "Open loop: calls per second, each due at a fixed time");
  app.add_option("--concurrency", f.concurrency,
                 "Closed loop: calls kept in flight (with --sweep: one closed-loop step after "
                 "the sweep, the most the server completes)");
  app.add_flag("--sweep", f.sweep,
               "Open-loop steps at rising rates (--rates, or --sweep-start/-step/-max) until the "
               "server saturates");
  app.add_option("--rates", f.rates, "Sweep rates, calls/s, rising: 1000,2000,5000");
  app.add_option("--sweep-start", f.sweep_options.start, "Sweep: first rate")
      ->capture_default_str();
  app.add_option("--sweep-step", f.sweep_options.step, "Sweep: rate increment")
      ->capture_default_str();
  app.add_option("--sweep-max", f.sweep_options.max, "Sweep: highest rate")->capture_default_str();
  app.add_option("--saturation-p99-ms", f.sweep_options.saturation_p99_ms,
                 "Sweep: a step whose p99 passes this is saturated (the sweep stops)")
      ->capture_default_str();
  app.add_option("--slo-p99-ms", f.slo_p99_ms,
                 "The p99 of the service level the summary line reports against")
      ->capture_default_str();
  app.add_option("--duration", f.duration_s, "Seconds measured per step")->capture_default_str();
  app.add_option("--warmup", f.warmup_s, "Seconds of load before each step's measurement")
      ->capture_default_str();
  app.add_option("--pause", f.pause_s, "Seconds idle between sweep steps")->capture_default_str();
  app.add_option("--channels", f.channels, "gRPC channels (TCP connections)")
      ->capture_default_str();
  app.add_option("--threads", f.threads, "Completion-queue threads")->capture_default_str();
  app.add_option("--deadline-ms", f.deadline_ms, "Deadline of every call")->capture_default_str();
  app.add_option("--max-outstanding", f.max_outstanding,
                 "Open loop: a due call is not sent (CLIENT_BACKLOG) while this many are in "
                 "flight")
      ->capture_default_str();
  app.add_option(
      "--mix", f.mix,
      "Class weights, e.g. Q1_local=35,Q2_text=15 (default: " + MixToString(DefaultMix()) + ")");
  app.add_option("--queries-per-class", f.queries_per_class, "Distinct queries per class")
      ->capture_default_str();
  app.add_option("--plan-length", f.plan_length, "Length of the fixed call sequence (cycles)")
      ->capture_default_str();
  app.add_option("--seed", f.seed, "Seed of the call sequence")->capture_default_str();
  app.add_option("--token-file", f.token_file,
                 "File holding a read token, sent as authorization: Bearer (servers with "
                 "--read-token-file)");
  app.add_option("--server-pid", f.server_pid,
                 "The server's process id, to report its CPU use per step");
  app.add_option("--json", f.json_path, "Write the run as JSON to this file");
  app.add_option("--connect-timeout", f.connect_timeout_s, "Seconds to wait for the server")
      ->capture_default_str();
  app.add_option("--max-other-cpu", f.max_other_cpu,
                 "Wait before a step until, and repeat a step unless, other processes took "
                 "less than this share of a core (needs --server-pid)")
      ->capture_default_str();
  app.add_option("--retries", f.retries, "Repeats of a disturbed step")->capture_default_str();
  app.add_option("--quiet-timeout", f.quiet_timeout_s,
                 "Seconds to wait at most for other processes to go quiet before a step")
      ->capture_default_str();
}

absl::StatusOr<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("--token-file: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(text.str()));
  if (token.empty()) return absl::InvalidArgumentError("--token-file: " + path + " is empty");
  return token;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("model name")) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
      }
    }
  }
  return "unknown";
}

std::string Ms(double us) { return absl::StrFormat("%.2f", us / 1000); }

void PrintHeader() {
  std::cout << absl::StrFormat("%-6s %8s %9s %8s %8s %8s %8s %8s %7s %5s %5s %5s %5s  %s\n", "mode",
                               "offered", "achieved", "p50ms", "p90ms", "p99ms", "p99.9ms", "maxms",
                               "lag99", "cli%", "srv%", "oth%", "stl%", "errors");
}

std::string Percent(double share) {
  return share < 0 ? std::string("-") : absl::StrFormat("%.0f", share * 100);
}

void PrintStep(const StepStats& s) {
  std::vector<std::string> errors;
  for (const auto& [name, count] : s.errors) errors.push_back(absl::StrCat(name, "=", count));
  if (s.unfinished > 0) errors.push_back(absl::StrCat("unfinished=", s.unfinished));
  const std::string offered =
      s.mode == "open" ? absl::StrFormat("%.0f", s.offered_qps) : absl::StrCat("c=", s.concurrency);
  std::cout << absl::StrFormat(
      "%-6s %8s %9.0f %8s %8s %8s %8s %8s %7s %5s %5s %5s %5s  %s\n", s.mode, offered,
      s.achieved_qps, Ms(s.latency.p50_us), Ms(s.latency.p90_us), Ms(s.latency.p99_us),
      Ms(s.latency.p999_us), Ms(s.latency.max_us), Ms(s.send_lag.p99_us),
      Percent(s.client_cpu_share), Percent(s.server_cpu_share), Percent(s.other_cpu_share()),
      Percent(s.steal_share), errors.empty() ? "-" : absl::StrJoin(errors, " "));
  std::vector<std::string> classes;
  for (const auto& [name, l] : s.per_class) {
    classes.push_back(
        absl::StrFormat("%s p50 %s p99 %s", name.substr(0, 2), Ms(l.p50_us), Ms(l.p99_us)));
  }
  std::cout << "       " << absl::StrJoin(classes, " | ") << "\n" << std::flush;
}

// CPU meters read at the edges of a step's window; -1 where unknown.
struct CpuReading {
  double client = -1, server = -1, machine_busy = -1, nice = -1, steal = -1;

  static CpuReading Now(int server_pid) {
    CpuReading r;
    r.client = SelfCpuSeconds();
    if (server_pid > 0) {
      if (absl::StatusOr<double> s = ProcessCpuSeconds(server_pid); s.ok()) r.server = *s;
    }
    if (absl::StatusOr<MachineCpu> m = ReadMachineCpu(); m.ok()) {
      r.machine_busy = m->busy_seconds;
      r.nice = m->nice_seconds;
      r.steal = m->steal_seconds;
    }
    return r;
  }
};

double Share(double start, double end, double seconds) {
  return start < 0 || end < 0 || seconds <= 0 ? -1 : (end - start) / seconds;
}

// Runs one step and fills in what the driver's samples do not say.
StepStats RunStep(LoadDriver& driver, const LoadSpec& spec, int server_pid) {
  CpuReading start, end;
  StepRun run = driver.Run(
      spec, [&] { start = CpuReading::Now(server_pid); },
      [&] { end = CpuReading::Now(server_pid); });
  StepStats stats = ComputeStepStats(run.samples, run.window_start_ns, run.window_end_ns);
  stats.mode = spec.rate > 0 ? "open" : "closed";
  stats.offered_qps = spec.rate;
  stats.concurrency = spec.concurrency;
  stats.unfinished = run.unfinished;
  const double seconds = stats.window_seconds;
  stats.client_cpu_share = Share(start.client, end.client, seconds);
  stats.server_cpu_share = Share(start.server, end.server, seconds);
  stats.machine_busy_share = Share(start.machine_busy, end.machine_busy, seconds);
  stats.nice_share = Share(start.nice, end.nice, seconds);
  stats.steal_share = Share(start.steal, end.steal, seconds);
  return stats;
}

// Waits until other processes (everything but this process and the server)
// took at most `max_other` of a core over a whole second, or until
// `timeout`; false on timeout.
bool WaitForQuiet(int server_pid, double max_other, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  bool told = false;
  for (;;) {
    const CpuReading start = CpuReading::Now(server_pid);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const CpuReading end = CpuReading::Now(server_pid);
    StepStats window;
    window.client_cpu_share = Share(start.client, end.client, 1);
    window.server_cpu_share = Share(start.server, end.server, 1);
    window.machine_busy_share = Share(start.machine_busy, end.machine_busy, 1);
    const double other = window.other_cpu_share();
    if (other <= max_other) return true;
    if (absl::Now() >= give_up) return false;
    if (!told) {
      std::cout << absl::StrFormat("       (waiting: other processes take %s%% of a core)\n",
                                   Percent(other))
                << std::flush;
      told = true;
    }
  }
}

// RunStep after waiting for other processes to go quiet, repeated (up to
// `retries` more times) while they took more than `max_other` of a core
// during the window anyway: on a shared machine a compiler starting mid-step
// says nothing about the server. Keeps the attempt with the least such
// disturbance.
StepStats RunUndisturbedStep(LoadDriver& driver, const LoadSpec& spec, int server_pid,
                             double max_other, int retries, double pause_s,
                             absl::Duration quiet_timeout) {
  // Without a server pid nothing can be told apart; after a wait that timed
  // out, the machine is busy for longer than repeating would help.
  bool quiet = server_pid > 0 && WaitForQuiet(server_pid, max_other, quiet_timeout);
  StepStats best = RunStep(driver, spec, server_pid);
  int attempts = 1;
  while (quiet && best.other_cpu_share() > max_other && attempts <= retries) {
    std::cout << absl::StrFormat("       (other processes took %s%% of a core; repeating)\n",
                                 Percent(best.other_cpu_share()));
    std::this_thread::sleep_for(std::chrono::duration<double>(pause_s));
    quiet = WaitForQuiet(server_pid, max_other, quiet_timeout);
    StepStats again = RunStep(driver, spec, server_pid);
    ++attempts;
    if (again.other_cpu_share() < best.other_cpu_share()) best = std::move(again);
  }
  best.attempts = attempts;
  best.disturbed = best.other_cpu_share() > max_other;
  return best;
}

int Main(int argc, char** argv) {
  // Debian's Abseil checks every Mutex acquisition for lock-order cycles
  // (a debug feature; gRPC's locks are absl::Mutex): ~5 % of the client's
  // CPU under load, which the server on the same cores would pay for.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app("inkdex_load: gRPC load generator for inkdex-server", "inkdex_load");
  Flags f;
  AddFlags(app, f);
  CLI11_PARSE(app, argc, argv);

  auto fail = [](const absl::Status& status) {
    std::cerr << "inkdex_load: " << status.message() << "\n";
    return 2;
  };
  if ((f.rate > 0) + (f.concurrency > 0 && !f.sweep) + f.sweep != 1) {
    return fail(absl::InvalidArgumentError(
        "give exactly one of --rate QPS (open loop), --concurrency N (closed loop), --sweep "
        "(with --concurrency: a closed-loop step after the sweep)"));
  }
  if (!(f.duration_s > 0) || f.warmup_s < 0 || f.pause_s < 0) {
    return fail(absl::InvalidArgumentError("--duration: must be > 0; --warmup, --pause >= 0"));
  }
  if (f.queries_per_class == 0 || f.plan_length == 0) {
    return fail(absl::InvalidArgumentError("--queries-per-class, --plan-length: must be > 0"));
  }
  MixWeights weights = DefaultMix();
  if (!f.mix.empty()) {
    absl::StatusOr<MixWeights> parsed = ParseMix(f.mix);
    if (!parsed.ok()) return fail(parsed.status());
    weights = *parsed;
  }
  std::vector<double> rates;
  if (f.sweep) {
    if (!f.rates.empty()) {
      absl::StatusOr<std::vector<double>> parsed = ParseRates(f.rates);
      if (!parsed.ok()) return fail(parsed.status());
      f.sweep_options.rates = *parsed;
    }
    absl::StatusOr<std::vector<double>> r = SweepRates(f.sweep_options);
    if (!r.ok()) return fail(r.status());
    rates = *r;
  }
  DriverOptions options;
  options.target = f.target;
  options.channels = f.channels;
  options.threads = f.threads;
  options.deadline = absl::Milliseconds(f.deadline_ms);
  options.max_outstanding = f.max_outstanding;
  if (!f.token_file.empty()) {
    absl::StatusOr<std::string> token = ReadToken(f.token_file);
    if (!token.ok()) return fail(token.status());
    options.bearer_token = *token;
  }

  std::cerr << "inkdex_load: preparing " << f.queries_per_class << " queries per class, mix "
            << MixToString(weights) << "\n";
  absl::StatusOr<QueryMix> mix =
      QueryMix::Create(weights, f.queries_per_class, f.plan_length, f.seed);
  if (!mix.ok()) return fail(mix.status());
  absl::StatusOr<std::unique_ptr<LoadDriver>> driver =
      LoadDriver::Connect(options, *mix, absl::Seconds(f.connect_timeout_s));
  if (!driver.ok()) return fail(driver.status());

  LoadSpec spec;
  spec.warmup = absl::Seconds(f.warmup_s);
  spec.duration = absl::Seconds(f.duration_s);
  std::vector<StepStats> steps;
  std::string stop_reason;
  PrintHeader();
  if (!f.sweep) {
    spec.rate = f.rate;
    spec.concurrency = f.concurrency;
    steps.push_back(RunUndisturbedStep(**driver, spec, f.server_pid, f.max_other_cpu, f.retries,
                                       f.pause_s, absl::Seconds(f.quiet_timeout_s)));
    PrintStep(steps.back());
  } else {
    for (size_t i = 0; i < rates.size(); ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::duration<double>(f.pause_s));
      spec.rate = rates[i];
      steps.push_back(RunUndisturbedStep(**driver, spec, f.server_pid, f.max_other_cpu, f.retries,
                                         f.pause_s, absl::Seconds(f.quiet_timeout_s)));
      PrintStep(steps.back());
      if (std::optional<std::string> why = SaturationReason(steps.back(), f.sweep_options)) {
        stop_reason = absl::StrFormat("saturated at %.0f/s: %s", rates[i], *why);
        std::cout << stop_reason << "\n";
        break;
      }
    }
    if (stop_reason.empty()) stop_reason = "not saturated up to the highest rate";
    if (f.concurrency > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(f.pause_s));
      spec.rate = 0;
      spec.concurrency = f.concurrency;
      steps.push_back(RunUndisturbedStep(**driver, spec, f.server_pid, f.max_other_cpu, f.retries,
                                         f.pause_s, absl::Seconds(f.quiet_timeout_s)));
      PrintStep(steps.back());
    }
  }
  const std::optional<size_t> best =
      BestStepWithinSlo(steps, f.slo_p99_ms, f.sweep_options.min_achieved_share);
  if (best.has_value()) {
    std::cout << absl::StrFormat(
        "highest offered rate with p99 <= %.1f ms and no errors: %.0f/s (achieved %.0f/s, p99 "
        "%s ms)\n",
        f.slo_p99_ms, steps[*best].offered_qps, steps[*best].achieved_qps,
        Ms(steps[*best].latency.p99_us));
  } else if (f.sweep || f.rate > 0) {
    std::cout << absl::StrFormat("no step met p99 <= %.1f ms without errors\n", f.slo_p99_ms);
  }

  if (!f.json_path.empty()) {
    nlohmann::ordered_json j;
    std::vector<std::string> args(argv, argv + argc);
    j["command"] = absl::StrJoin(args, " ");
    j["date"] = absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::Now(), absl::UTCTimeZone());
    j["machine"] = {{"nproc", std::thread::hardware_concurrency()}, {"cpu", CpuModel()}};
    j["config"] = {{"target", f.target},           {"channels", f.channels},
                   {"threads", f.threads},         {"deadline_ms", f.deadline_ms},
                   {"warmup_s", f.warmup_s},       {"duration_s", f.duration_s},
                   {"mix", MixToString(weights)},  {"queries_per_class", f.queries_per_class},
                   {"plan_length", f.plan_length}, {"seed", f.seed},
                   {"slo_p99_ms", f.slo_p99_ms}};
    j["steps"] = nlohmann::ordered_json::array();
    for (const StepStats& s : steps) j["steps"].push_back(ToJson(s));
    if (f.sweep) j["stop_reason"] = stop_reason;
    j["best_within_slo"] = best.has_value() ? nlohmann::ordered_json(*best) : nullptr;
    std::ofstream out(f.json_path);
    out << j.dump(2) << "\n";
    if (!out) return fail(absl::UnavailableError("--json: cannot write " + f.json_path));
  }
  return 0;
}

}  // namespace
}  // namespace inkdex::bench::load

int main(int argc, char** argv) { return inkdex::bench::load::Main(argc, argv); }
