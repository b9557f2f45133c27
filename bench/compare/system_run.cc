#include "system_run.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "compare/timing.h"

namespace inkdex::bench {
namespace {

// One query as the user would send it; returns the number of matches
// (suggestions, for Q5).
absl::StatusOr<int64_t> RunQuery(Peer& peer, const BenchQuery& q) {
  if (q.query_class == QueryClass::kSuggest) {
    absl::StatusOr<std::vector<std::string>> s = peer.Suggest(q.suggest);
    if (!s.ok()) return s.status();
    return static_cast<int64_t>(s->size());
  }
  absl::StatusOr<PeerAnswer> a = peer.Search(q.search, /*collect_ids=*/false);
  if (!a.ok()) return a.status();
  return a->total;
}

// Queries/s of the first `count` queries of `queries` split over `peers`
// (query i to peer i % peers.size()), each on its own thread; each thread
// goes over its share again until `min_seconds` have passed, so that fast
// queries are not measured over a few milliseconds.
absl::StatusOr<double> Throughput(std::vector<std::unique_ptr<Peer>>& peers,
                                  const std::vector<BenchQuery>& queries, size_t count,
                                  double min_seconds) {
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  std::vector<absl::Status> errors(peers.size());
  std::vector<uint64_t> done(peers.size(), 0);
  const Clock::time_point start = Clock::now();
  for (size_t t = 0; t < peers.size(); ++t) {
    threads.emplace_back([&, t] {
      bool first_pass = true;
      while (!failed && (first_pass || MicrosSince(start) < min_seconds * 1e6)) {
        for (size_t i = t; i < count && !failed; i += peers.size()) {
          absl::StatusOr<int64_t> r = RunQuery(*peers[t], queries[i]);
          if (!r.ok()) {
            errors[t] = r.status();
            failed = true;
          }
          ++done[t];
        }
        first_pass = false;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  const double seconds = MicrosSince(start) / 1e6;
  for (const absl::Status& s : errors) {
    if (!s.ok()) return s;
  }
  uint64_t total = 0;
  for (uint64_t d : done) total += d;
  return static_cast<double>(total) / seconds;
}

}  // namespace

absl::StatusOr<OpenedSystem> OpenAndWarm(const PeerFactory& factory, const std::string& dir,
                                         const Workload& workload, const CompareConfig& config) {
  OpenedSystem out;
  const uint64_t rss_before = ResidentBytes();
  const Clock::time_point start = Clock::now();
  out.peer = factory();
  absl::Status s = out.peer->Open(dir);
  if (!s.ok()) return s;
  out.open_seconds = MicrosSince(start) / 1e6;
  for (const std::vector<BenchQuery>& queries : workload) {
    for (size_t i = 0; i < queries.size() && i < config.warmup; ++i) {
      absl::StatusOr<int64_t> r = RunQuery(*out.peer, queries[i]);
      if (!r.ok()) {
        return absl::Status(r.status().code(), absl::StrCat("warm-up ", QueryToJson(queries[i]),
                                                            ": ", r.status().message()));
      }
    }
  }
  out.rss_delta_bytes = static_cast<int64_t>(ResidentBytes()) - static_cast<int64_t>(rss_before);
  return out;
}

nlohmann::ordered_json RunGate(Peer& peer, const std::vector<InkdexReference>& references,
                               bool* ok) {
  *ok = true;
  nlohmann::ordered_json mismatches = nlohmann::ordered_json::array();
  int failed = 0;
  for (const InkdexReference& ref : references) {
    absl::StatusOr<PeerAnswer> answer = peer.Search(ref.request, /*collect_ids=*/true);
    std::string report;
    if (!answer.ok()) {
      report = absl::StrCat("gate error: ", peer.name(), " on ", ref.query_json, ": ",
                            answer.status().ToString());
    } else {
      report = CheckAnswer(ref, peer.name(), *answer).report;
    }
    if (report.empty()) continue;
    *ok = false;
    ++failed;
    mismatches.push_back(report);
  }
  return {{"checked", references.size()}, {"failed", failed}, {"mismatches", mismatches}};
}

nlohmann::ordered_json TimeClasses(Peer& peer, const PeerFactory& factory, const std::string& dir,
                                   const Workload& workload, const CompareConfig& config) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  std::vector<std::unique_ptr<Peer>> workers;
  absl::Status open_status;
  for (int t = 0; t < config.threads && open_status.ok(); ++t) {
    workers.push_back(factory());
    open_status = workers.back()->Open(dir);
  }
  for (const std::vector<BenchQuery>& queries : workload) {
    if (queries.empty()) continue;
    nlohmann::ordered_json row;
    row["class"] = QueryClassName(queries.front().query_class);
    std::vector<double> micros;
    double matches = 0;
    absl::Status error;
    const Clock::time_point class_start = Clock::now();
    for (size_t i = 0; i < queries.size() && i < config.timed_queries; ++i) {
      if (i >= config.min_timed && MicrosSince(class_start) > config.class_budget_seconds * 1e6) {
        break;
      }
      const Clock::time_point start = Clock::now();
      absl::StatusOr<int64_t> r = RunQuery(peer, queries[i]);
      micros.push_back(MicrosSince(start));
      if (!r.ok()) {
        error = r.status();
        break;
      }
      matches += static_cast<double>(*r);
    }
    if (!error.ok()) {
      row["error"] = error.ToString();
      out.push_back(row);
      continue;
    }
    const LatencySummary s = Summarize(micros);
    row["queries"] = s.count;
    row["p50_us"] = s.p50_us;
    row["p90_us"] = s.p90_us;
    row["p99_us"] = s.p99_us;
    row["max_us"] = s.max_us;
    row["mean_us"] = s.mean_us;
    row["mean_total"] = matches / static_cast<double>(s.count);
    row["qps_1thread"] = 1e6 / s.mean_us;
    if (!open_status.ok()) {
      row["threads_error"] = open_status.ToString();
    } else {
      absl::StatusOr<double> qps = Throughput(workers, queries, s.count, config.throughput_seconds);
      if (qps.ok()) {
        row["qps_threads"] = *qps;
      } else {
        row["threads_error"] = qps.status().ToString();
      }
    }
    out.push_back(row);
  }
  return out;
}

}  // namespace inkdex::bench
