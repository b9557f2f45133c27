// inkdex-server: the gRPC search service over one inkdex index.
//
// Start-up order: parse flags (server_flags.h), block the signals the server
// handles (before any thread exists, so every thread inherits the mask and
// only the signal thread's sigwait sees them), load tokens, start the metrics
// HTTP server (/healthz 503 while the index opens), open the index, read its
// search index into the page cache (--prefetch-mb), start the
// group committer and the gRPC server, mark health SERVING, print the
// listening line on stdout.
//
// SIGTERM/SIGINT while the index opens or is read (OpenStopWatcher): the
// open stops, exit 0 without serving.
// Shutdown (SIGTERM/SIGINT): health NOT_SERVING and /healthz 503, the
// committer commits pending writes at once (and later ones without waiting
// out --commit-interval-ms), then grpc::Server::Shutdown with a deadline
// (calls in flight finish, writes with their real results; past the deadline
// they are cancelled), then the committer stops, then exit 0. The budget:
// kDrainDeadline for calls, well under a second for the rest, inside the
// 10 s an orchestrator typically allows.
// SIGHUP: re-open the --index path and swap it in (WriteCommitter::SwapIndex).
#include <signal.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/admin_service.h"
#include "server/artist_search_service.h"
#include "server/call_environment.h"
#include "server/emf_publisher.h"
#include "server/generation_owner.h"
#include "server/health_service.h"
#include "server/idle_connection_closer.h"
#include "server/index_holder.h"
#include "server/json_log.h"
#include "server/library_logs.h"
#include "server/metrics_http.h"
#include "server/open_stop_watcher.h"
#include "server/server_flags.h"
#include "server/sighup_swapper.h"
#include "server/slot_renumberer.h"
#include "server/stream_ingest_service.h"
#include "server/stream_metrics.h"
#include "server/stream_supervisor.h"
#include "server/table_bootstrapper.h"
#include "server/tombstone_purger.h"
#include "server/write_committer.h"

namespace inkdex::server {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Calls in flight get this long to finish after SIGTERM; the committer and
// the HTTP server then stop in well under a second, inside a 10 s budget.
constexpr absl::Duration kDrainDeadline = absl::Seconds(8);

// gRPC threads beyond the admitted calls: pollers, health checks,
// reflection, and calls being refused by the limiter.
constexpr int kThreadMargin = 16;

constexpr char kServiceName[] = "inkdex.v1.ArtistSearch";
constexpr char kAdminServiceName[] = "inkdex.v1.Admin";
constexpr char kStreamIngestServiceName[] = "inkdex.v1.StreamIngest";

// Where every log line goes: stderr, written by a thread of its own so that
// a reader that stalls never holds a call (log_writer.h). Never destroyed:
// its thread may be blocked on that reader when the process exits.
LogWriter* process_log_writer = nullptr;
// The longest the server waits for the log's lines to be written (before it
// says it listens, and at exit); the drain's deadline plus this stay within
// the 10 s a SIGTERM is given.
constexpr absl::Duration kLogFlushTimeout = absl::Seconds(1);

// The log outside calls: the libraries' own messages (library_logs.h) and
// start-up failures before the CallEnvironment exists. Never destroyed:
// library threads may still log while the process exits.
JsonLog* process_log = nullptr;

absl::StatusOr<std::string> ReadPemFile(const std::string& path, std::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  if (in) content << in.rdbuf();
  if (!in || content.str().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(flag), " ", path, ": cannot read the PEM file (or it is empty)"));
  }
  return content.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const ServerFlags& flags) {
  if (!flags.tls_enabled()) return grpc::InsecureServerCredentials();
  absl::StatusOr<std::string> cert = ReadPemFile(flags.tls_cert, "--tls-cert");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPemFile(flags.tls_key, "--tls-key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  return grpc::SslServerCredentials(options);
}

void RecordCommit(CallEnvironment& env, const CommitInfo& info) {
  env.metrics().RecordCommit(info.duration, info.changes, info.status.ok());
  nlohmann::ordered_json fields = {
      {"changes", info.changes},
      {"calls", info.calls},
      {"duration_ms", LogMillis(info.duration)},
      {"commit_seq", info.commit_seq},
  };
  if (info.status.ok()) {
    env.log().Event(LogLevel::kInfo, "commit", fields);
  } else {
    fields["code"] = absl::StatusCodeToString(info.status.code());
    fields["message"] = std::string(info.status.message());
    env.log().Event(LogLevel::kError, "commit_failed", fields);
  }
}

void RecordTombstonePurge(CallEnvironment& env, const TombstonePurgeRun& run) {
  env.metrics().RecordTombstonePurge(run.purged, run.status.ok());
  nlohmann::ordered_json fields = {
      {"purged", run.purged},
      {"dated", run.dated},
      {"remaining", run.remaining},
      {"commits", run.commits},
      {"duration_ms", LogMillis(run.duration)},
  };
  if (!run.status.ok()) {
    fields["code"] = absl::StatusCodeToString(run.status.code());
    fields["message"] = std::string(run.status.message());
    env.log().Event(LogLevel::kError, "tombstone_purge_failed", fields);
  } else {
    env.log().Event(run.commits > 0 ? LogLevel::kInfo : LogLevel::kDebug, "tombstone_purge",
                    fields);
  }
}

void LogSlotRenumberingStart(CallEnvironment& env, double threshold, const SlotRenumbering& run) {
  env.metrics().RecordSlotRenumberingStart();
  env.log().Event(
      LogLevel::kInfo, "slot_renumbering",
      {{"slot_drift", run.before.Drift()},
       {"breaks", run.before.breaks},
       {"artists", run.before.artists},
       {"threshold", run.asked ? nlohmann::ordered_json() : nlohmann::ordered_json(threshold)},
       {"online", true},
       {"asked", run.asked},
       {"directory", run.directory},
       {"message", run.asked ? "renumbering a copy while this index serves, as asked "
                               "(Admin.RenumberSlots)"
                             : "the slots have drifted past "
                               "--renumber-online-at-drift: renumbering a copy "
                               "while this index serves"}});
}

void RecordSlotRenumbering(CallEnvironment& env, const SlotRenumbering& run) {
  env.metrics().RecordSlotRenumbering(run.status.ok());
  nlohmann::ordered_json fields = {
      {"directory", run.directory},
      {"asked", run.asked},
      {"slot_drift_before", run.before.Drift()},
      {"duration_ms", LogMillis(run.duration)},
  };
  if (!run.status.ok()) {
    fields["code"] = absl::StatusCodeToString(run.status.code());
    fields["message"] = std::string(run.status.message());
    env.log().Event(LogLevel::kError, "slot_renumbering_failed", fields);
    return;
  }
  const RenumberResult& r = run.result;
  fields["slot_drift_after"] = run.drift_after;
  fields["documents"] = r.swap.documents;
  fields["commit_seq"] = r.swap.commit_seq;
  fields["generation"] = r.swap.generation;
  fields["copy_ms"] = LogMillis(r.copy_time);
  fields["open_ms"] = LogMillis(r.open_time);
  fields["replay_ms"] = LogMillis(r.replay_time);
  fields["writes_held_ms"] = LogMillis(r.held_time);
  fields["replayed_commits"] = r.replayed_commits;
  fields["replayed_changes"] = r.replayed_changes;
  fields["prefetched_bytes"] = r.swap.prefetched_bytes;
  fields["removed"] = run.removed;
  env.log().Event(LogLevel::kInfo, "slots_renumbered", fields);
}

// A prefetch that failed (the index is served all the same, from the disk).
void LogPrefetchFailure(CallEnvironment& env, const std::string& dir, const absl::Status& status) {
  env.log().Event(LogLevel::kWarn, "prefetch_failed",
                  {{"index", dir},
                   {"code", absl::StatusCodeToString(status.code())},
                   {"message", std::string(status.message())}});
}

// On the SighupSwapper's thread.
// `stopping`: a drain has begun (the open of the new index stops).
void SwapOnSighup(CallEnvironment& env, WriteCommitter& committer, const std::string& dir,
                  const std::function<bool()>& stopping) {
  env.log().Event(LogLevel::kInfo, "swap_started", {{"trigger", "SIGHUP"}, {"index", dir}});
  const absl::Time start = absl::Now();
  absl::StatusOr<SwapResult> swapped = committer.SwapIndex(dir, /*verify=*/false, stopping);
  const double duration_ms = LogMillis(absl::Now() - start);
  if (!swapped.ok()) {
    env.log().Event(LogLevel::kError, "swap_failed",
                    {{"trigger", "SIGHUP"},
                     {"index", dir},
                     {"code", absl::StatusCodeToString(swapped.status().code())},
                     {"message", std::string(swapped.status().message())},
                     {"duration_ms", duration_ms}});
    return;
  }
  env.log().Event(LogLevel::kInfo, "swapped",
                  {{"trigger", "SIGHUP"},
                   {"directory", swapped->directory},
                   {"documents", swapped->documents},
                   {"commit_seq", swapped->commit_seq},
                   {"generation", swapped->generation},
                   {"prefetched_bytes", swapped->prefetched_bytes},
                   {"duration_ms", duration_ms}});
  if (!swapped->prefetch.ok()) LogPrefetchFailure(env, swapped->directory, swapped->prefetch);
}

// The signal thread: SIGHUP has a swap run (on a SighupSwapper's thread, so
// that a SIGTERM is never held up by one); SIGTERM/SIGINT start the drain and
// end the thread once grpc::Server::Shutdown has returned and a swap still
// running has ended (before the committer stops).
void HandleSignals(const sigset_t& signals, CallEnvironment& env, WriteCommitter& committer,
                   const std::string& index_dir, grpc::Server& server, HealthService& health,
                   MetricsHttpServer* http) {
  SighupSwapper swapper([&](const std::function<bool()>& stopping) {
    SwapOnSighup(env, committer, index_dir, stopping);
  });
  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number == SIGHUP) {
      env.log().Event(LogLevel::kInfo, "swap_requested",
                      {{"trigger", "SIGHUP"}, {"index", index_dir}});
      swapper.Request();
      continue;
    }
    env.log().Event(LogLevel::kInfo, "draining",
                    {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"},
                     {"in_flight", env.limiter().in_flight()},
                     {"deadline_ms", absl::ToInt64Milliseconds(kDrainDeadline)}});
    health.Shutdown();  // also ends the Watch calls, which would hold up the drain
    if (http != nullptr) http->SetServing(false);
    // Before Shutdown, which waits for the write calls: a commit interval
    // longer than kDrainDeadline would otherwise have them cancelled, the
    // exit delayed, and their writes applied after all. It also stops the
    // swaps and renumberings in progress (an asked one is a call in flight
    // that would otherwise run to the deadline).
    committer.CommitWithoutWaiting();
    const absl::Time drain_start = absl::Now();
    bool closed_idle = false;
    {
      // Clients that do not close after the GOAWAY (a frozen Lambda) would
      // otherwise hold the drain to its deadline with no call left.
      IdleConnectionCloser closer(server, env.limiter());
      server.Shutdown(absl::ToChronoTime(drain_start + kDrainDeadline));
      closed_idle = closer.closed();
    }
    env.log().Event(LogLevel::kInfo, "drained",
                    {{"duration_ms", LogMillis(absl::Now() - drain_start)},
                     {"idle_connections_closed", closed_idle}});
    swapper.Stop();
    return;
  }
}

int Fail(JsonLog& log, std::string_view what, const absl::Status& status, int code) {
  log.Event(LogLevel::kError, what,
            {{"code", absl::StatusCodeToString(status.code())},
             {"message", std::string(status.message())},
             {"exit_code", code}});
  return code;
}

int Run(const ServerFlags& flags, const sigset_t& signals) {
  LogWriter::Options log_options;
  log_options.max_buffered_bytes = static_cast<size_t>(flags.log_buffer_mb) << 20;
  process_log_writer = new LogWriter(STDERR_FILENO, log_options, [](uint64_t lines) {
    return JsonLog::EventLine(LogLevel::kWarn, "log_lines_dropped",
                              {{"lines", lines}, {"reason", "stderr was not read fast enough"}});
  });
  process_log = new JsonLog(flags.parsed_log_level(), process_log_writer);
  RouteLibraryLogs(process_log);
  absl::StatusOr<ServerTokens> tokens = LoadServerTokens(flags);
  if (!tokens.ok()) return Fail(*process_log, "bad_token", tokens.status(), kExitUsage);
  CallEnvironmentOptions env_options;
  env_options.write_token = tokens->write;
  env_options.read_token = tokens->read;
  env_options.max_concurrent_requests = flags.max_concurrent_requests;
  env_options.log_level = flags.parsed_log_level();
  env_options.log_writer = process_log_writer;
  CallEnvironment env(env_options);
  env.log().Event(LogLevel::kInfo, "starting",
                  {{"version", ServerVersion()},
                   {"index", flags.index_dir},
                   {"listen", flags.listen},
                   {"metrics_listen", flags.metrics_enabled() ? flags.metrics_listen : "off"},
                   {"writes_enabled", env.tokens().writes_enabled()},
                   {"reads_open", env.tokens().reads_open()},
                   {"tls", flags.tls_enabled()},
                   {"max_concurrent_requests", flags.max_concurrent_requests},
                   {"read_threads", flags.read_threads},
                   {"commit_interval_ms", flags.commit_interval_ms},
                   {"tombstone_ttl", flags.tombstone_ttl},
                   {"emf_interval", flags.emf_enabled() ? flags.emf_interval : "off"}});

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = ServerCredentials(flags);
  if (!credentials.ok()) return Fail(env.log(), "bad_tls", credentials.status(), kExitUsage);

  // Declared before `http`, whose scrapes read them: destroyed after it.
  // `holder` is set once the index is open (`scraped` then points at it);
  // the stream objects are created later and started once serving.
  std::unique_ptr<IndexHolder> holder;
  std::atomic<IndexHolder*> scraped{nullptr};
  // The --index generations, shared by the supervisor's re-syncs and the
  // online renumberings (generation_owner.h): outlives both.
  GenerationOwner generations;
  std::unique_ptr<StreamSupervisor> stream_supervisor;
  std::unique_ptr<TableBootstrapper> bootstrapper;  // --bootstrap-table
  std::unique_ptr<StreamMetrics> stream_metrics;
  // What a scrape reads of those, published once each exists: the HTTP
  // thread may scrape while this one is still creating them.
  std::atomic<StreamMetrics*> scraped_stream_metrics{nullptr};
  std::atomic<StreamSupervisor*> scraped_supervisor{nullptr};
  std::atomic<TableBootstrapper*> scraped_bootstrapper{nullptr};
  // Set once the gRPC server exists: health for the supervisor's bootstrap.
  std::function<void(bool)> set_serving;
  absl::Mutex set_serving_mu;
  // Brings the gauges up to date before a scrape or an EMF line. Serialized:
  // scrapes run on several HTTP threads and the EMF publisher on its own, and
  // StreamMetrics::Update is not thread-safe.
  absl::Mutex refresh_mu;
  const std::function<void()> refresh_gauges = [&refresh_mu, &scraped, &env,
                                                &scraped_stream_metrics, &scraped_supervisor,
                                                &scraped_bootstrapper] {
    absl::MutexLock lock(&refresh_mu);
    if (IndexHolder* served = scraped.load(std::memory_order_acquire); served != nullptr) {
      const ServedIndex current = served->Served();
      const absl::Time now = absl::Now();
      env.metrics().SetIndexGauges(current.index->Stats(), current.generation, now);
      if (absl::StatusOr<SlotLayout> layout = served->CurrentSlotLayout(now); layout.ok()) {
        env.metrics().SetSlotLayout(*layout);
      }
    }
    env.metrics().SetProcessMetrics(ReadProcessSample());
    env.metrics().SetLogLinesDropped(process_log_writer->dropped_lines());
    StreamMetrics* metrics = scraped_stream_metrics.load(std::memory_order_acquire);
    if (metrics == nullptr) return;
    if (StreamSupervisor* supervisor = scraped_supervisor.load(std::memory_order_acquire)) {
      metrics->Update(supervisor->Snapshot(), absl::Now());
    } else if (TableBootstrapper* b = scraped_bootstrapper.load(std::memory_order_acquire)) {
      metrics->Update(b->Snapshot(), absl::Now());
    }
  };
  // Started before the index opens (which can take minutes), so that /healthz
  // answers 503 meanwhile instead of refusing connections.
  std::unique_ptr<MetricsHttpServer> http;
  if (flags.metrics_enabled()) {
    MetricsHttpServer::Options http_options;
    http_options.listen = flags.metrics_listen;
    http_options.registry = env.metrics().registry();
    http_options.before_scrape = refresh_gauges;
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> started =
        MetricsHttpServer::Start(std::move(http_options));
    if (!started.ok()) {
      return Fail(env.log(), "metrics_listen_failed",
                  absl::Status(started.status().code(),
                               absl::StrCat("--metrics-listen: ", started.status().message())),
                  kExitFailure);
    }
    http = *std::move(started);
    env.log().Event(LogLevel::kInfo, "metrics_listening", {{"metrics", http->address()}});
  }
  // Stopped (writing its last line) before the objects its refresh reads.
  std::unique_ptr<EmfPublisher> emf;
  if (flags.emf_enabled()) {
    EmfPublisher::Options emf_options;
    emf_options.interval = flags.emf_interval_duration();
    emf_options.format = flags.emf_format();
    emf_options.registry = env.metrics().registry();
    emf_options.refresh = refresh_gauges;
    emf_options.log = &env.log();
    emf = std::make_unique<EmfPublisher>(std::move(emf_options));
  }

  if (absl::Status s = CheckIndexParent(flags.index_dir); !s.ok()) {
    return Fail(env.log(), "bad_index_path", s, kExitUsage);
  }
  // A stream-fed server, and one that renumbers while serving, keep their
  // index in generations behind a symlink (stream/index_generations.h).
  if (flags.stream_enabled() || flags.online_renumbering_enabled()) {
    if (absl::Status s = PrepareStreamIndexPath(flags.index_dir); !s.ok()) {
      return Fail(env.log(), "index_open_failed", s, kExitFailure);
    }
  }
  std::error_code ec;
  const bool index_existed = std::filesystem::exists(flags.index_dir, ec);
  // Opening reads every stored record into memory, and rebuilds the search
  // index when it must (after a machine restart, or an upgrade that changed
  // its document layout): seconds to a minute or two at 1M artists, said
  // here so that a slow start is not a silent one.
  const absl::Time open_start = absl::Now();
  IndexOptions index_options;
  index_options.min_free_disk_bytes = static_cast<uint64_t>(flags.min_free_disk_mb) << 20;
  index_options.renumber_slots_at_drift = flags.renumber_slots_at_drift;
  // Kept for swapped-in indexes too (IndexHolder::options): env outlives
  // every open.
  index_options.on_renumber_slots =
      [&env, threshold = flags.renumber_slots_at_drift](const SlotLayout& layout) {
        env.log().Event(LogLevel::kInfo, "slot_renumbering",
                        {{"slot_drift", layout.Drift()},
                         {"breaks", layout.breaks},
                         {"artists", layout.artists},
                         {"threshold", threshold},
                         {"message",
                          "the slots have drifted past --renumber-slots-at-drift: renumbering them "
                          "before serving (about a build's time)"}});
      };
  // The signal thread starts once the server serves: a SIGTERM meanwhile
  // stops the open, and the server exits 0 without serving.
  OpenStopWatcher stop_watcher;
  index_options.cancelled = [&stop_watcher] { return stop_watcher.stop_requested(); };
  absl::StatusOr<std::unique_ptr<IndexHolder>> opened =
      IndexHolder::Open(flags.index_dir, index_options);
  const uint64_t prefetch_bytes = PrefetchBudgetBytes(flags, ReadMemorySources());
  if (opened.ok() && !stop_watcher.stop_requested()) {
    (*opened)->set_slot_layout_interval(flags.slot_drift_interval_duration());
    const ServedIndex served = (*opened)->Served();
    if (!index_existed) {
      // Usually a mistyped path rather than a wish for an empty index.
      env.log().Event(LogLevel::kWarn, "index_created",
                      {{"index", served.directory},
                       {"message", "--index did not exist: a new empty index was created there"}});
    }
    const IndexStats stats = served.index->Stats();
    absl::StatusOr<SlotLayout> layout = (*opened)->CurrentSlotLayout(absl::Now());
    env.log().Event(LogLevel::kInfo, "index_opened",
                    {{"index", served.directory},
                     {"duration_ms", absl::ToDoubleMilliseconds(absl::Now() - open_start)},
                     {"documents", stats.documents},
                     {"searchable", stats.searchable},
                     {"commit_seq", stats.commit_seq},
                     {"slot_drift", layout.ok() ? layout->Drift() : -1.0}});
    if (prefetch_bytes > 0) {
      // Before the server reports ready: a cold machine's first searches
      // would otherwise wait for the disk. A stop meanwhile ends it.
      const absl::Time prefetch_start = absl::Now();
      PrefetchOptions prefetch;
      prefetch.max_bytes = prefetch_bytes;
      prefetch.cancelled = index_options.cancelled;
      absl::StatusOr<PrefetchReport> read = served.index->PrefetchSearchIndex(prefetch);
      if (read.ok()) {
        env.log().Event(LogLevel::kInfo, "index_prefetched",
                        {{"index", served.directory},
                         {"bytes_read", read->bytes_read},
                         {"search_index_bytes", read->search_index_bytes},
                         {"budget_bytes", prefetch_bytes},
                         {"duration_ms", LogMillis(absl::Now() - prefetch_start)}});
      } else if (read.status().code() != absl::StatusCode::kCancelled) {
        LogPrefetchFailure(env, served.directory, read.status());
      }
    }
  }
  stop_watcher.Stop();
  if (stop_watcher.stop_requested()) {
    env.log().Event(LogLevel::kInfo, "stopped_while_opening",
                    {{"signal", stop_watcher.signal() == SIGINT ? "SIGINT" : "SIGTERM"},
                     {"index", flags.index_dir},
                     {"duration_ms", absl::ToDoubleMilliseconds(absl::Now() - open_start)},
                     {"message", "the index was not served; the next start opens it again"}});
    return 0;
  }
  if (!opened.ok()) return Fail(env.log(), "index_open_failed", opened.status(), kExitFailure);
  holder = *std::move(opened);
  scraped.store(holder.get(), std::memory_order_release);

  WriteCommitter::Options committer_options;
  committer_options.commit_interval = flags.commit_interval();
  committer_options.on_commit = [&env](const CommitInfo& info) { RecordCommit(env, info); };
  committer_options.prefetch_bytes = prefetch_bytes;
  WriteCommitter committer(*holder, committer_options);
  std::unique_ptr<TombstonePurger> purger;
  if (flags.tombstone_ttl_duration() > absl::ZeroDuration()) {
    TombstonePurger::Options purger_options;
    purger_options.ttl = flags.tombstone_ttl_duration();
    purger_options.interval = flags.tombstone_purge_interval_duration();
    purger_options.on_run = [&env](const TombstonePurgeRun& run) {
      RecordTombstonePurge(env, run);
    };
    purger = std::make_unique<TombstonePurger>(*holder, purger_options);
  }

  stream::ItemMapping mapping = stream::ItemMapping::Default();
  if (!flags.mapping_file.empty()) {
    absl::StatusOr<stream::ItemMapping> loaded = stream::LoadItemMapping(flags.mapping_file);
    if (!loaded.ok()) {
      return Fail(env.log(), "bad_mapping",
                  absl::Status(loaded.status().code(),
                               absl::StrCat("--mapping: ", loaded.status().message())),
                  kExitUsage);
    }
    mapping = *std::move(loaded);
  }
  const bool renumber_online = flags.online_renumbering_enabled();
  if (flags.stream_enabled()) {
    StreamSupervisorOptions stream_options;
    if (renumber_online) stream_options.generations = &generations;
    stream_options.table = flags.stream_table;
    stream_options.endpoint = flags.dynamodb_endpoint;
    stream_options.streams_endpoint = flags.dynamodb_streams_endpoint;
    stream_options.mapping = mapping;
    stream_options.index_path = flags.index_dir;
    stream_options.scan_segments = flags.scan_segments;
    stream_options.describe_interval = absl::Milliseconds(flags.stream_describe_interval_ms);
    stream_options.resync_at_slot_drift = flags.resync_at_slot_drift;
    stream_options.set_serving = [&set_serving, &set_serving_mu](bool serving) {
      absl::MutexLock lock(&set_serving_mu);
      if (set_serving) set_serving(serving);
    };
    absl::StatusOr<std::unique_ptr<StreamSupervisor>> supervisor =
        StreamSupervisor::Create(std::move(stream_options), committer, *holder, env);
    if (!supervisor.ok())
      return Fail(env.log(), "bad_stream_config", supervisor.status(), kExitUsage);
    stream_metrics = std::make_unique<StreamMetrics>(*env.metrics().registry());
    stream_supervisor = *std::move(supervisor);
    scraped_supervisor.store(stream_supervisor.get(), std::memory_order_release);
    scraped_stream_metrics.store(stream_metrics.get(), std::memory_order_release);
  }
  if (flags.bootstrap_enabled()) {
    TableBootstrapperOptions bootstrap_options;
    bootstrap_options.table = flags.bootstrap_table;
    bootstrap_options.endpoint = flags.dynamodb_endpoint;
    bootstrap_options.mapping = mapping;
    bootstrap_options.scan_segments = flags.scan_segments;
    bootstrap_options.set_serving = [&set_serving, &set_serving_mu](bool serving) {
      absl::MutexLock lock(&set_serving_mu);
      if (set_serving) set_serving(serving);
    };
    absl::StatusOr<std::unique_ptr<TableBootstrapper>> created =
        TableBootstrapper::Create(std::move(bootstrap_options), *holder, env);
    if (!created.ok()) return Fail(env.log(), "bad_bootstrap_config", created.status(), kExitUsage);
    stream_metrics = std::make_unique<StreamMetrics>(*env.metrics().registry());
    bootstrapper = *std::move(created);
    scraped_bootstrapper.store(bootstrapper.get(), std::memory_order_release);
    scraped_stream_metrics.store(stream_metrics.get(), std::memory_order_release);
  }

  std::unique_ptr<SlotRenumberer> renumberer;
  if (renumber_online) {
    SlotRenumberer::Options renumber_options;
    renumber_options.index_path = flags.index_dir;
    renumber_options.drift = flags.renumber_online_at_drift;
    renumber_options.interval = flags.slot_drift_interval_duration();
    // Not while a bootstrap loads the served index directly, nor while a
    // stream-fed server is not following (its first bootstrap, a re-sync,
    // a wait after an error).
    renumber_options.ready = [&bootstrapper, &stream_supervisor] {
      return (bootstrapper == nullptr || bootstrapper->done()) &&
             (stream_supervisor == nullptr || stream_supervisor->Snapshot().state == "following");
    };
    if (stream_supervisor != nullptr) renumber_options.generations = &generations;
    renumber_options.on_start =
        [&env, threshold = flags.renumber_online_at_drift](const SlotRenumbering& run) {
          LogSlotRenumberingStart(env, threshold, run);
        };
    renumber_options.on_run = [&env](const SlotRenumbering& run) {
      RecordSlotRenumbering(env, run);
    };
    renumberer = std::make_unique<SlotRenumberer>(committer, *holder, std::move(renumber_options));
  }

  ServiceInfo info;
  info.started = absl::Now();
  info.test_search_delay = flags.test_search_delay();
  info.read_threads = flags.read_threads;
  info.max_message_bytes = flags.max_message_bytes;
  if (!flags.stream_table.empty()) {
    info.source_table = {flags.stream_table, "--stream-table"};
  } else if (!flags.bootstrap_table.empty()) {
    info.source_table = {flags.bootstrap_table, "--bootstrap-table"};
  }
  ArtistSearchServiceImpl search_service(env, *holder, committer, info);
  AdminServiceImpl admin_service(env, *holder, committer, flags.max_message_bytes,
                                 renumberer.get());
  StreamIngestServiceImpl stream_ingest_service(env, *holder, committer, mapping,
                                                info.source_table);
  HealthService health({kServiceName, kAdminServiceName, kStreamIngestServiceName});

  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort(flags.listen, *credentials, &grpc_port);
  // gRPC sets SO_REUSEPORT by default: a second server on a busy port would
  // then start and share it instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(static_cast<int>(flags.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(flags.max_message_bytes));
  grpc::ResourceQuota quota("inkdex-server");
  quota.SetMaxThreads(flags.max_concurrent_requests + kThreadMargin);
  builder.SetResourceQuota(quota);
  builder.RegisterService(&search_service);
  builder.RegisterService(&admin_service);
  builder.RegisterService(&stream_ingest_service);
  builder.RegisterService(&health);
  search_service.AddReadQueue(builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || grpc_port == 0) {
    return Fail(env.log(), "listen_failed",
                absl::UnavailableError(absl::StrCat(
                    "--listen ", flags.listen,
                    ": cannot listen there (address in use, not local, or bad TLS files)")),
                kExitFailure);
  }
  search_service.StartReads();
  auto serve = [&health, &http](bool serving) {
    health.SetServing(serving);
    if (http != nullptr) http->SetServing(serving);
  };
  // A stream-fed server's first start, and a --bootstrap-table one whose
  // index records no completed bootstrap, serve nothing until the table
  // scan is done; the supervisor or bootstrapper turns health on then.
  const bool bootstrapping = (stream_supervisor != nullptr && NeedsBootstrap(*holder->Current())) ||
                             (bootstrapper != nullptr && !bootstrapper->done());
  serve(!bootstrapping);
  {
    absl::MutexLock lock(&set_serving_mu);
    set_serving = serve;
  }

  const std::string grpc_address = WithPort(flags.listen, grpc_port);
  nlohmann::ordered_json listening = {
      {"event", "listening"},
      {"grpc", grpc_address},
      {"metrics", http != nullptr ? nlohmann::ordered_json(http->address()) : nullptr},
  };
  // What was logged while starting reaches stderr before stdout says the
  // server listens (unless stderr's reader is stalled).
  process_log_writer->Flush(kLogFlushTimeout);
  std::cout << DumpJson(listening) << std::endl;
  env.log().Event(LogLevel::kInfo, "listening",
                  {{"grpc", grpc_address},
                   {"metrics", listening["metrics"]},
                   {"read_threads", search_service.read_threads()}});

  if (stream_supervisor != nullptr) stream_supervisor->Start();
  if (bootstrapper != nullptr) bootstrapper->Start();
  std::thread signal_thread(HandleSignals, std::cref(signals), std::ref(env), std::ref(committer),
                            std::cref(flags.index_dir), std::ref(*server), std::ref(health),
                            http.get());
  server->Wait();  // returns once the signal thread's Shutdown has finished
  signal_thread.join();
  search_service.StopReads();

  {
    // The drain must not turn health back on.
    absl::MutexLock lock(&set_serving_mu);
    set_serving = nullptr;
  }
  // The renumberer first: a re-sync starting now would wait for it.
  if (renumberer != nullptr) renumberer->Stop();
  if (stream_supervisor != nullptr) stream_supervisor->Stop();
  if (bootstrapper != nullptr) bootstrapper->Stop();
  if (purger != nullptr) purger->Stop();
  committer.Stop();
  if (http != nullptr) http->Stop();
  if (emf != nullptr) emf->Stop();  // the counters' growth since the last line
  env.log().Event(LogLevel::kInfo, "stopped",
                  {{"uptime_s", std::round(absl::ToDoubleSeconds(absl::Now() - info.started))}});
  return kExitOk;
}

}  // namespace
}  // namespace inkdex::server

int main(int argc, char** argv) {
  using namespace inkdex::server;
  // Debian's Abseil checks every Mutex acquisition for lock-order cycles (a
  // debug feature; gRPC's and the index's locks are absl::Mutex): CPU on
  // every call that a production server should not pay.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  ServerFlags flags;
  if (std::optional<int> code = ParseServerFlags(argc, argv, flags, std::cout, std::cerr)) {
    return *code;
  }
  // Blocked before any thread starts, so all threads inherit the mask and
  // the signals reach only the signal thread's sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A closed stdout or stderr pipe must not kill a serving process.
  signal(SIGPIPE, SIG_IGN);
  const int code = Run(flags, signals);
  if (process_log_writer != nullptr) process_log_writer->Flush(kLogFlushTimeout);
  return code;
}
