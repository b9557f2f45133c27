// inkdex_stream_push: stream records pushed into a running inkdex-server
// through ApplyStreamRecords (the Lambda path, issue 4 "The Lambda path"),
// to measure the service's apply throughput end to end: each call's records
// parsed and mapped on a gRPC thread while the group committer commits the
// batches before it, as they are in production.
//
//   inkdex_stream_push --target HOST:PORT --token-file F --artists 1000000
//                      [--mix 5,94,1] [--renamed 10] [--batch 1000]
//                      [--shards 2] [--records 100000] [--warmup-records 10000]
//                      [--server-pid PID] [--sequence-base N] [--json FILE]
//
// The server must serve the benchmark index of --artists artists
// (`inkdex_stream_apply_bench` or bench/run.sh builds it in
// BUILD/bench-data/) and take writes with the token of --token-file. It is
// changed: use a copy. The records are stream_records.h's, made before the
// clock starts: --shards streams of disjoint artists (as DynamoDB puts one
// key's changes in one shard), each sending its batches of --batch records
// in order, one call at a time, as one Lambda per shard does. A warm-up of
// --warmup-records is sent first and not timed. Sequence numbers follow
// --sequence-base (default: now in Unix microseconds), so a later run's
// records are newer than an earlier run's.
//
// Prints records/s (applied records over the wall time of the timed part),
// the calls' latency percentiles and the CPU the server and this process
// took; exits 1 when any record was not APPLIED (a stale, rejected or
// failed record means the measurement did not do what it says).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cpu_meter.h"
#include "inkdex/v1/stream_ingest.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "stream_records.h"

namespace inkdex::bench {
namespace {

using ::inkdex::v1::ApplyStreamRecordsRequest;
using ::inkdex::v1::ApplyStreamRecordsResponse;
using ::inkdex::v1::StreamIngest;
using ::inkdex::v1::StreamRecordResult;

struct Flags {
  std::string target;
  std::string token_file;
  uint64_t artists = 1000000;
  std::string mix = "5,94,1";
  int renamed = 10;
  size_t batch = 1000;
  uint32_t shards = 2;
  uint64_t records = 100000;
  uint64_t warmup_records = 10000;
  int server_pid = 0;
  std::string json_path;
  double deadline_s = 120;
  uint64_t sequence_base = 0;
};

// What one phase's calls came back with.
struct PhaseResult {
  absl::Duration wall;
  uint64_t records = 0;
  uint64_t outcomes[6] = {};  // by StreamRecordResult::Outcome
  uint64_t failed_calls = 0;
  std::string first_error;
  std::vector<double> call_ms;
  double server_cpu_s = -1, client_cpu_s = 0;
};

// Records each of `shards` sends so that together they send at least
// `records`, in whole calls of `batch`: rounded up, never down to nothing.
uint64_t PerShardRecords(uint64_t records, uint32_t shards, size_t batch) {
  const uint64_t share = (records + shards - 1) / shards;
  return (share + batch - 1) / batch * batch;
}

// Each shard's requests, in the order its records were made.
using ShardRequests = std::vector<std::vector<ApplyStreamRecordsRequest>>;

absl::StatusOr<ShardRequests> MakeRequests(const Flags& f, const RecordMix& mix, uint64_t records) {
  ShardRequests out(f.shards);
  for (uint32_t shard = 0; shard < f.shards; ++shard) {
    absl::StatusOr<RecordFactory> factory =
        RecordFactory::Create(f.artists, mix, shard, f.shards, f.sequence_base);
    if (!factory.ok()) return factory.status();
    const uint64_t share = PerShardRecords(records, f.shards, f.batch);
    for (uint64_t made = 0; made < share; made += f.batch) {
      ApplyStreamRecordsRequest& request = out[shard].emplace_back();
      for (const dynamodb::StreamRecord& r : factory->NextBatch(f.batch)) {
        request.add_records_json(RecordJson(r).dump());
      }
    }
  }
  return out;
}

// Sends every shard's requests, shard by shard in parallel, each shard's
// one call at a time and in order.
PhaseResult Send(StreamIngest::Stub& stub, const std::string& token, const Flags& f,
                 const ShardRequests& requests) {
  PhaseResult result;
  absl::Mutex mu;
  const double server_before = [&] {
    if (f.server_pid <= 0) return -1.0;
    absl::StatusOr<double> s = load::ProcessCpuSeconds(f.server_pid);
    return s.ok() ? *s : -1.0;
  }();
  const double client_before = load::SelfCpuSeconds();
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (const std::vector<ApplyStreamRecordsRequest>& shard : requests) {
    threads.emplace_back([&, shard_requests = &shard] {
      for (const ApplyStreamRecordsRequest& request : *shard_requests) {
        grpc::ClientContext context;
        context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
        context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(f.deadline_s)));
        ApplyStreamRecordsResponse response;
        const absl::Time sent = absl::Now();
        const grpc::Status status = stub.ApplyStreamRecords(&context, request, &response);
        const double ms = absl::ToDoubleMilliseconds(absl::Now() - sent);
        absl::MutexLock lock(&mu);
        result.call_ms.push_back(ms);
        result.records += request.records_json_size();
        if (!status.ok()) {
          ++result.failed_calls;
          if (result.first_error.empty()) {
            result.first_error = absl::StrCat(status.error_code(), ": ", status.error_message());
          }
          continue;
        }
        for (const StreamRecordResult& r : response.results()) {
          const int outcome = static_cast<int>(r.outcome());
          ++result.outcomes[outcome >= 0 && outcome < 6 ? outcome : 0];
          if (r.outcome() != StreamRecordResult::OUTCOME_APPLIED && result.first_error.empty()) {
            result.first_error = absl::StrCat(StreamRecordResult::Outcome_Name(r.outcome()), " ",
                                              r.artist_id(), ": ", r.reason());
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  result.wall = absl::Now() - start;
  result.client_cpu_s = load::SelfCpuSeconds() - client_before;
  if (server_before >= 0) {
    if (absl::StatusOr<double> s = load::ProcessCpuSeconds(f.server_pid); s.ok()) {
      result.server_cpu_s = *s - server_before;
    }
  }
  return result;
}

// The nearest-rank percentile: the smallest value with at least p of the
// values at or below it (p = 0.99 of 100 calls is the 99th smallest).
double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double rank = std::ceil(p * static_cast<double>(v.size()));
  const size_t i = rank < 1 ? 0 : std::min(v.size(), static_cast<size_t>(rank)) - 1;
  return v[i];
}

nlohmann::json Report(const char* phase, const PhaseResult& r, const Flags& f) {
  const double wall_s = absl::ToDoubleSeconds(r.wall);
  const uint64_t applied = r.outcomes[StreamRecordResult::OUTCOME_APPLIED];
  nlohmann::json j{
      {"phase", phase},
      {"records", r.records},
      {"calls", r.call_ms.size()},
      {"wall_s", wall_s},
      {"applied", applied},
      {"stale", r.outcomes[StreamRecordResult::OUTCOME_STALE]},
      {"ignored", r.outcomes[StreamRecordResult::OUTCOME_IGNORED]},
      {"rejected", r.outcomes[StreamRecordResult::OUTCOME_REJECTED]},
      {"failed", r.outcomes[StreamRecordResult::OUTCOME_FAILED]},
      {"failed_calls", r.failed_calls},
      {"records_per_s", wall_s > 0 ? static_cast<double>(applied) / wall_s : 0},
      {"call_ms_p50", Percentile(r.call_ms, 0.50)},
      {"call_ms_p99", Percentile(r.call_ms, 0.99)},
      {"call_ms_max", Percentile(r.call_ms, 1.0)},
      {"client_cpu_cores", wall_s > 0 ? r.client_cpu_s / wall_s : 0},
  };
  if (r.server_cpu_s >= 0) j["server_cpu_cores"] = wall_s > 0 ? r.server_cpu_s / wall_s : 0;
  if (!r.first_error.empty()) j["first_error"] = r.first_error;
  std::cout << absl::StrFormat(
      "%-7s %7d records in %6.2f s: %8.0f applied/s  calls p50 %7.1f ms  p99 %7.1f ms  "
      "stale %d rejected %d failed %d  server CPU %s  client CPU %.0f %%\n",
      phase, r.records, wall_s, j["records_per_s"].get<double>(), j["call_ms_p50"].get<double>(),
      j["call_ms_p99"].get<double>(), j["stale"].get<uint64_t>(), j["rejected"].get<uint64_t>(),
      j["failed"].get<uint64_t>() + r.failed_calls * f.batch,
      r.server_cpu_s >= 0 ? absl::StrFormat("%.0f %%", 100 * r.server_cpu_s / wall_s) : "-",
      100 * r.client_cpu_s / wall_s);
  if (!r.first_error.empty()) std::cout << "        first problem: " << r.first_error << "\n";
  return j;
}

bool AllApplied(const PhaseResult& r) {
  return r.failed_calls == 0 && r.outcomes[StreamRecordResult::OUTCOME_APPLIED] == r.records;
}

int Main(int argc, char** argv) {
  Flags f;
  CLI::App app{
      "Pushes synthetic stream records into inkdex-server through ApplyStreamRecords "
      "and measures the records applied per second"};
  app.add_option("--target", f.target, "Server address HOST:PORT")->required();
  app.add_option("--token-file", f.token_file, "File holding the server's write token")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--artists", f.artists, "Artists of the benchmark index the server serves")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
  app.add_option("--mix", f.mix, "Percent INSERT,MODIFY,REMOVE")->capture_default_str();
  app.add_option("--renamed", f.renamed, "Percent of MODIFYs that change indexed text")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  app.add_option("--batch", f.batch, "Records per call (a Lambda invocation's batch)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10000}));
  app.add_option("--shards", f.shards, "Streams of disjoint artists sending at once")
      ->capture_default_str()
      ->check(CLI::Range(uint32_t{1}, uint32_t{64}));
  app.add_option("--records", f.records, "Records of the timed part")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000000}));
  app.add_option("--warmup-records", f.warmup_records, "Records sent first, not timed")
      ->capture_default_str();
  app.add_option("--server-pid", f.server_pid, "The server's pid, to report its CPU");
  app.add_option("--deadline-s", f.deadline_s, "Deadline of each call, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  f.sequence_base = static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  app.add_option("--sequence-base", f.sequence_base,
                 "Sequence numbers start after this (default: now in Unix microseconds, above "
                 "every earlier run's)")
      ->capture_default_str();
  app.add_option("--json", f.json_path, "Also write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);

  RecordMix mix;
  mix.renamed = f.renamed;
  if (absl::Status s = ParseRecordMix(f.mix, &mix); !s.ok()) {
    std::cerr << "--mix: " << s.message() << "\n";
    return 2;
  }
  std::ifstream token_in(f.token_file);
  std::stringstream token_text;
  token_text << token_in.rdbuf();
  const std::string token(absl::StripAsciiWhitespace(token_text.str()));
  if (token.empty()) {
    std::cerr << "--token-file: " << f.token_file << " is empty\n";
    return 2;
  }

  // The warm-up's records and the timed part's come from one factory per
  // shard, so the timed records continue each shard's sequence.
  const uint64_t per_shard_warmup =
      f.warmup_records == 0 ? 0 : PerShardRecords(f.warmup_records, f.shards, f.batch);
  absl::StatusOr<ShardRequests> made =
      MakeRequests(f, mix, f.records + per_shard_warmup * f.shards);
  if (!made.ok()) {
    std::cerr << "records: " << made.status() << "\n";
    return 1;
  }
  ShardRequests warmup(f.shards), timed(f.shards);
  for (uint32_t shard = 0; shard < f.shards; ++shard) {
    std::vector<ApplyStreamRecordsRequest>& all_of_shard = (*made)[shard];
    const size_t warm_calls = std::min(all_of_shard.size(), per_shard_warmup / f.batch);
    warmup[shard].assign(std::make_move_iterator(all_of_shard.begin()),
                         std::make_move_iterator(all_of_shard.begin() + warm_calls));
    timed[shard].assign(std::make_move_iterator(all_of_shard.begin() + warm_calls),
                        std::make_move_iterator(all_of_shard.end()));
  }

  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  args.SetMaxReceiveMessageSize(-1);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(f.target, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(10)))) {
    std::cerr << "--target: could not connect to " << f.target << " within 10 s\n";
    return 1;
  }
  std::unique_ptr<StreamIngest::Stub> stub = StreamIngest::NewStub(channel);
  std::cout << "mix: " << DescribeRecordMix(mix) << "; " << f.shards << " shards, " << f.batch
            << " records a call, " << f.artists << " artists in the index\n";
  nlohmann::json out{
      {"target", f.target}, {"artists", f.artists}, {"mix", DescribeRecordMix(mix)},
      {"batch", f.batch},   {"shards", f.shards},   {"phases", nlohmann::json::array()}};
  bool ok = true;
  if (per_shard_warmup > 0) {
    const PhaseResult r = Send(*stub, token, f, warmup);
    out["phases"].push_back(Report("warmup", r, f));
    ok = ok && AllApplied(r);
  }
  const PhaseResult r = Send(*stub, token, f, timed);
  out["phases"].push_back(Report("timed", r, f));
  ok = ok && AllApplied(r);
  if (r.records == 0) {
    std::cerr << "the timed part sent no records\n";
    ok = false;
  }
  if (!f.json_path.empty()) {
    std::ofstream json_out(f.json_path);
    json_out << out.dump(2) << "\n";
    if (!json_out) {
      std::cerr << "--json: could not write " << f.json_path << "\n";
      return 1;
    }
  }
  if (!ok) {
    std::cerr << "not every record was APPLIED: the measurement is not valid\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace inkdex::bench

int main(int argc, char** argv) { return inkdex::bench::Main(argc, argv); }
