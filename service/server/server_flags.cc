#include "server/server_flags.h"

#include <arpa/inet.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/token_check.h"

#ifndef INKDEX_VERSION_STRING
#define INKDEX_VERSION_STRING "unknown"
#endif

namespace inkdex::server {

namespace {

constexpr char kDescription[] =
    "inkdex-server: the inkdex gRPC search service (inkdex.v1.ArtistSearch, inkdex.v1.Admin, "
    "grpc.health.v1.Health, server reflection) over one index directory.\n"
    "Every flag can also be set by the environment variable shown with it; the command line "
    "wins.";

constexpr char kFooter[] =
    "Tokens: write RPCs (UpsertArtists, DeleteArtists, ApplyStreamRecords, and the Admin\n"
    "service's: SwapIndex, VerifyIndex, ExportArtists) need the metadata 'authorization:\n"
    "Bearer <write token>'; without a write token they are refused. Reads are\n"
    "open unless a read token is set (then the read or the write token is accepted). The\n"
    "token files hold the token on one line; instead of a file, INKDEX_WRITE_TOKEN and\n"
    "INKDEX_READ_TOKEN may hold the token itself (a file flag wins).\n"
    "\n"
    "Output: once listening, one line on stdout:\n"
    "  {\"event\":\"listening\",\"grpc\":\"HOST:PORT\",\"metrics\":\"HOST:PORT\"}\n"
    "with the bound ports (\"metrics\" is null when disabled). Logs are JSON lines on stderr.\n"
    "HTTP: GET /metrics (Prometheus text) and GET /healthz (200 serving, 503 starting or\n"
    "draining) on --metrics-listen; HEAD answers the same without a body.\n"
    "\n"
    "Signals: SIGTERM/SIGINT drain (stop accepting, finish calls in flight within 8 s, commit\n"
    "pending writes) and exit 0. SIGHUP re-opens the --index path (e.g. a symlink re-pointed\n"
    "at an index built offline) and swaps it in without failing a call.\n"
    "\n"
    "Exit codes: 0 clean shutdown, 1 failure (cannot open the index, cannot listen), 2 bad "
    "flags.";

constexpr int kMaxConcurrentRequests = 10000;
constexpr int kMaxCommitIntervalMs = 60000;
constexpr int kMaxReadThreads = 256;
constexpr int64_t kMinMessageBytes = 1024;
constexpr int kMaxTestSearchDelayMs = 600000;

absl::Status CheckRange(std::string_view flag, int64_t value, int64_t low, int64_t high) {
  if (value < low || value > high) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(flag), ": ", value, " is out of range [", low, ", ", high, "]"));
  }
  return absl::OkStatus();
}

bool IsIpLiteral(std::string_view host) {
  unsigned char buffer[sizeof(struct in6_addr)];
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const std::string inner(host.substr(1, host.size() - 2));
    return inet_pton(AF_INET6, inner.c_str(), buffer) == 1;
  }
  const std::string v4(host);
  return inet_pton(AF_INET, v4.c_str(), buffer) == 1;
}

}  // namespace

const char* ServerVersion() { return INKDEX_VERSION_STRING; }

LogLevel ServerFlags::parsed_log_level() const {
  absl::StatusOr<LogLevel> level = ParseLogLevel(log_level);
  return level.ok() ? *level : LogLevel::kInfo;
}

absl::Status CheckListenAddress(std::string_view address, std::string_view flag, bool ip_only) {
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(flag), ": '", std::string(address), "' ", std::string(why)));
  };
  const size_t colon = address.rfind(':');
  std::string_view host;
  std::string_view port = address;
  if (colon != std::string_view::npos) {
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.empty()) return bad("has no host before ':' (want HOST:PORT)");
  } else if (!ip_only) {
    return bad("is not HOST:PORT");
  }
  int port_number = 0;
  if (port.empty() ||
      !absl::SimpleAtoi(absl::string_view(port.data(), port.size()), &port_number) ||
      port_number < 0 || port_number > 65535) {
    return bad("has no port in 0..65535 after the last ':' (0 picks a free port)");
  }
  const bool bracketed = !host.empty() && host.front() == '[';
  if (!bracketed && host.find(':') != std::string_view::npos) {
    return bad("has an IPv6 host without brackets (write [::1]:PORT)");
  }
  if (ip_only && !host.empty() && !IsIpLiteral(host)) {
    return bad("needs an IP address as host (host names are not resolved here)");
  }
  return absl::OkStatus();
}

std::string WithPort(std::string_view listen, int port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) return absl::StrCat("0.0.0.0:", port);
  return absl::StrCat(std::string(listen.substr(0, colon)), ":", port);
}

namespace {

// A duration flag's value; errors name the flag and the accepted range.
absl::StatusOr<absl::Duration> ParseDurationFlag(const char* flag, const std::string& text,
                                                 absl::Duration min, absl::Duration max) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": '", text, "' is not a duration (a number with a unit: 168h, 30m, 500ms)"));
  }
  if (d < min || d > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": must be between ", absl::FormatDuration(min), " and ", absl::FormatDuration(max)));
  }
  return d;
}

constexpr absl::Duration kMaxTombstoneTtl = absl::Hours(24 * 3650);

absl::StatusOr<absl::Duration> TombstoneTtl(const ServerFlags& flags) {
  absl::StatusOr<absl::Duration> ttl = ParseDurationFlag("--tombstone-ttl", flags.tombstone_ttl,
                                                         absl::ZeroDuration(), kMaxTombstoneTtl);
  if (ttl.ok() && *ttl != absl::ZeroDuration() && *ttl < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--tombstone-ttl: must be 0 (keep forever) or at least 1s");
  }
  return ttl;
}

absl::StatusOr<absl::Duration> TombstonePurgeInterval(const ServerFlags& flags) {
  return ParseDurationFlag("--tombstone-purge-interval", flags.tombstone_purge_interval,
                           absl::Milliseconds(100), absl::Hours(24));
}

absl::StatusOr<absl::Duration> SlotDriftInterval(const ServerFlags& flags) {
  return ParseDurationFlag("--slot-drift-interval", flags.slot_drift_interval, absl::Seconds(1),
                           absl::Hours(24));
}

absl::StatusOr<absl::Duration> EmfInterval(const ServerFlags& flags) {
  absl::StatusOr<absl::Duration> interval =
      ParseDurationFlag("--emf-interval", flags.emf_interval, absl::ZeroDuration(), absl::Hours(1));
  if (interval.ok() && *interval != absl::ZeroDuration() && *interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--emf-interval: must be 0 (no EMF lines) or at least 1s");
  }
  return interval;
}

}  // namespace

absl::Duration ServerFlags::emf_interval_duration() const {
  return EmfInterval(*this).value_or(absl::ZeroDuration());
}

EmfFormatOptions ServerFlags::emf_format() const {
  EmfFormatOptions format;
  format.cloudwatch_namespace = emf_namespace;
  format.dimensions = ParseEmfDimensions(emf_dimensions, "--emf-dimensions")
                          .value_or(std::vector<std::pair<std::string, std::string>>());
  format.metrics =
      ParseEmfMetrics(emf_metrics, "--emf-metrics").value_or(std::vector<std::string>());
  if (format.metrics.empty()) {
    format.metrics = DefaultEmfMetrics(stream_enabled() || bootstrap_enabled());
  }
  return format;
}

absl::Duration ServerFlags::tombstone_ttl_duration() const {
  return TombstoneTtl(*this).value_or(absl::ZeroDuration());
}

absl::Duration ServerFlags::tombstone_purge_interval_duration() const {
  return TombstonePurgeInterval(*this).value_or(absl::Hours(1));
}

absl::Duration ServerFlags::slot_drift_interval_duration() const {
  return SlotDriftInterval(*this).value_or(absl::Minutes(1));
}

absl::Status ValidateServerFlags(const ServerFlags& flags) {
  if (flags.index_dir.empty()) {
    return absl::InvalidArgumentError("--index: is required (the index directory to serve)");
  }
  if (absl::Status s = CheckListenAddress(flags.listen, "--listen", false); !s.ok()) return s;
  if (flags.metrics_enabled()) {
    if (absl::Status s = CheckListenAddress(flags.metrics_listen, "--metrics-listen", true);
        !s.ok()) {
      return s;
    }
  }
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    return absl::InvalidArgumentError(flags.tls_cert.empty()
                                          ? "--tls-cert: is required with --tls-key"
                                          : "--tls-key: is required with --tls-cert");
  }
  if (absl::Status s = CheckRange("--max-concurrent-requests", flags.max_concurrent_requests, 1,
                                  kMaxConcurrentRequests);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange("--read-threads", flags.read_threads, 0, kMaxReadThreads);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange("--commit-interval-ms", flags.commit_interval_ms, 0, kMaxCommitIntervalMs);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange("--min-free-disk-mb", flags.min_free_disk_mb, 0, 1 << 30);
      !s.ok()) {
    return s;
  }
  if (!(flags.renumber_slots_at_drift >= 0 && flags.renumber_slots_at_drift <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--renumber-slots-at-drift: must be between 0 and 1 (0: never), not ",
                     flags.renumber_slots_at_drift));
  }
  if (absl::StatusOr<absl::Duration> interval = SlotDriftInterval(flags); !interval.ok()) {
    return interval.status();
  }
  if (!(flags.renumber_online_at_drift >= 0 && flags.renumber_online_at_drift <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--renumber-online-at-drift: must be between 0 and 1 (0: never), not ",
                     flags.renumber_online_at_drift));
  }
  if (!(flags.resync_at_slot_drift >= 0 && flags.resync_at_slot_drift <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--resync-at-slot-drift: must be between 0 and 1 (0: never), not ",
                     flags.resync_at_slot_drift));
  }
  if (flags.resync_at_slot_drift > 0 && !flags.stream_enabled()) {
    return absl::InvalidArgumentError(
        "--resync-at-slot-drift: needs --stream-table (the new index is loaded from the table)");
  }
  if (absl::Status s =
          CheckRange("--prefetch-mb", flags.prefetch_mb, ServerFlags::kPrefetchAuto, 1 << 30);
      !s.ok()) {
    return s;
  }
  if (absl::StatusOr<absl::Duration> ttl = TombstoneTtl(flags); !ttl.ok()) return ttl.status();
  if (absl::StatusOr<absl::Duration> interval = TombstonePurgeInterval(flags); !interval.ok()) {
    return interval.status();
  }
  if (absl::Status s =
          CheckRange("--max-message-bytes", flags.max_message_bytes, kMinMessageBytes, INT_MAX);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange("--log-buffer-mb", flags.log_buffer_mb, 1, ServerFlags::kMaxLogBufferMb);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange("--test-search-delay-ms", flags.test_search_delay_ms, 0,
                                  kMaxTestSearchDelayMs);
      !s.ok()) {
    return s;
  }
  if (flags.stream_enabled() && flags.bootstrap_enabled()) {
    return absl::InvalidArgumentError(
        "--bootstrap-table: not with --stream-table (the stream reader bootstraps its index "
        "itself)");
  }
  if (!flags.stream_enabled() && !flags.dynamodb_streams_endpoint.empty()) {
    return absl::InvalidArgumentError("--dynamodb-streams-endpoint: needs --stream-table");
  }
  if (!flags.stream_enabled() && !flags.bootstrap_enabled()) {
    if (!flags.dynamodb_endpoint.empty()) {
      return absl::InvalidArgumentError(
          "--dynamodb-endpoint: needs --stream-table or --bootstrap-table");
    }
  }
  if (absl::Status s = CheckRange("--scan-segments", flags.scan_segments, 1, 1000); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange("--stream-describe-interval-ms",
                                  flags.stream_describe_interval_ms, 100, 600000);
      !s.ok()) {
    return s;
  }
  if (absl::StatusOr<absl::Duration> emf = EmfInterval(flags); !emf.ok()) return emf.status();
  if (absl::Status s = CheckEmfNamespace(flags.emf_namespace, "--emf-namespace"); !s.ok()) {
    return s;
  }
  if (auto dimensions = ParseEmfDimensions(flags.emf_dimensions, "--emf-dimensions");
      !dimensions.ok()) {
    return dimensions.status();
  }
  if (auto metrics = ParseEmfMetrics(flags.emf_metrics, "--emf-metrics"); !metrics.ok()) {
    return metrics.status();
  }
  if (absl::StatusOr<LogLevel> level = ParseLogLevel(flags.log_level); !level.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--log-level: ", level.status().message()));
  }
  return absl::OkStatus();
}

namespace {

// When the flag an error names took its value from its environment variable
// (it is not on the command line), a note saying so: a bad value set in a
// deployment's environment is otherwise hard to trace. Else empty.
std::string EnvironmentNote(const CLI::App& app, int argc, const char* const* argv,
                            absl::string_view error) {
  const CLI::Option* named = nullptr;
  std::string name;
  for (const CLI::Option* option : app.get_options()) {
    const std::string option_name = option->get_name();
    // The longest name the error holds: "--listen" is in "--metrics-listen".
    if (absl::StrContains(error, option_name) && option_name.size() > name.size()) {
      named = option;
      name = option_name;
    }
  }
  if (named == nullptr) return "";
  const std::string variable = named->get_envname();
  if (variable.empty() || std::getenv(variable.c_str()) == nullptr) return "";
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == name || absl::StartsWith(arg, name + "=")) return "";
  }
  return absl::StrCat("the value of ", name, " came from the environment variable ", variable);
}

}  // namespace

absl::Status CheckIndexParent(const std::string& index_dir) {
  std::filesystem::path path = std::filesystem::path(index_dir).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // "dir/" -> "dir"
  std::filesystem::path parent = path.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(parent, ec);
  if (std::filesystem::is_directory(status)) return absl::OkStatus();
  // A missing path is file_type::not_found (libstdc++ also sets `ec` then).
  const std::string reason = status.type() == std::filesystem::file_type::not_found
                                 ? "does not exist"
                             : ec ? absl::StrCat("cannot be read: ", ec.message())
                                  : "is not a directory";
  return absl::InvalidArgumentError(
      absl::StrCat("--index: '", index_dir, "': its parent directory '", parent.string(), "' ",
                   reason, " (only the index directory itself is created)"));
}

std::optional<int> ParseServerFlags(int argc, const char* const* argv, ServerFlags& flags,
                                    std::ostream& out, std::ostream& err) {
  CLI::App app(kDescription, "inkdex-server");
  app.footer(kFooter);
  app.set_version_flag("--version",
                       absl::StrCat("inkdex-server ", ServerVersion(), " (", ServerBuild(), ")"));
  app.add_option(
         "--index", flags.index_dir,
         "Index directory to serve (built by `inkdex build`; created empty, with a warning, "
         "if missing, but its parent must exist; may be a symlink, re-read on SIGHUP)")
      ->required()
      ->type_name("DIR")
      ->envname("INKDEX_INDEX");
  app.add_option("--listen", flags.listen,
                 "gRPC address HOST:PORT; port 0 picks a free port (reported on stdout)")
      ->capture_default_str()
      ->type_name("HOST:PORT")
      ->envname("INKDEX_LISTEN");
  app.add_option("--metrics-listen", flags.metrics_listen,
                 "HTTP address IP:PORT for /metrics and /healthz; port 0 picks a free port; "
                 "\"off\" or \"\" disables it")
      ->capture_default_str()
      ->type_name("IP:PORT")
      ->envname("INKDEX_METRICS_LISTEN");
  app.add_option("--write-token-file", flags.write_token_file,
                 "File holding the bearer token write RPCs need (one line); without it and "
                 "INKDEX_WRITE_TOKEN, writes are refused")
      ->type_name("FILE")
      ->envname("INKDEX_WRITE_TOKEN_FILE");
  app.add_option("--read-token-file", flags.read_token_file,
                 "File holding a bearer token reads need (one line); without it and "
                 "INKDEX_READ_TOKEN, reads are open")
      ->type_name("FILE")
      ->envname("INKDEX_READ_TOKEN_FILE");
  app.add_option("--tls-cert", flags.tls_cert,
                 "PEM certificate chain; with --tls-key the gRPC port serves TLS only")
      ->type_name("FILE")
      ->envname("INKDEX_TLS_CERT");
  app.add_option("--tls-key", flags.tls_key, "PEM private key for --tls-cert")
      ->type_name("FILE")
      ->envname("INKDEX_TLS_KEY");
  app.add_option("--max-concurrent-requests", flags.max_concurrent_requests,
                 "Calls running at once; more get RESOURCE_EXHAUSTED at once (1..10000)")
      ->capture_default_str()
      ->type_name("N")
      ->envname("INKDEX_MAX_CONCURRENT_REQUESTS");
  app.add_option("--read-threads", flags.read_threads,
                 "Threads that serve the read calls (Search, Suggest, GetArtist, "
                 "BatchGetArtists, ListStyles, GetStats), each running the calls it takes; 0: "
                 "one per core (0..256)")
      ->capture_default_str()
      ->type_name("N")
      ->envname("INKDEX_READ_THREADS");
  app.add_option("--commit-interval-ms", flags.commit_interval_ms,
                 "Group commit: the least time between two commits, and so the longest a write "
                 "waits for others to commit with it (a write after a quiet spell commits at "
                 "once); an acknowledged write is durable and searchable (0..60000)")
      ->capture_default_str()
      ->type_name("MS")
      ->envname("INKDEX_COMMIT_INTERVAL_MS");
  app.add_option("--min-free-disk-mb", flags.min_free_disk_mb,
                 "Writes are refused (RESOURCE_EXHAUSTED, nothing written) while the index's "
                 "volume has less free; a write that runs the disk out of space can take the "
                 "process down. 0: no check (0..1073741824)")
      ->capture_default_str()
      ->type_name("MIB")
      ->envname("INKDEX_MIN_FREE_DISK_MB");
  app.add_option("--renumber-slots-at-drift", flags.renumber_slots_at_drift,
                 "When the index opens with its slots this far out of cell order (the metric "
                 "inkdex_index_slot_layout_drift), renumber them before serving, as `inkdex "
                 "repair` does (about a build's time more at that start; text-in-region "
                 "searches slow as the drift grows: 3.6x at 0.10 at 1M artists). For replicas "
                 "restarted now and then. 0: never (0..1)")
      ->capture_default_str()
      ->type_name("DRIFT")
      ->envname("INKDEX_RENUMBER_SLOTS_AT_DRIFT");
  app.add_option("--renumber-online-at-drift", flags.renumber_online_at_drift,
                 "When the served index's slot drift (measured every --slot-drift-interval) "
                 "reaches this, renumber its slots while serving: its documents are copied, "
                 "the copy rebuilt in cell order at idle CPU priority (1-4 min and twice the "
                 "index's memory at 1M artists), the writes made meanwhile re-applied to it, "
                 "and it is swapped in; no write is refused for it. --index becomes a symlink to "
                 "a generation directory beside it (<index>.gen-*). With --stream-table the stream "
                 "is followed meanwhile, and a re-sync that becomes due cancels a renumbering "
                 "in progress (cheaper than --resync-at-slot-drift: no table scan). "
                 "0: never (0..1)")
      ->capture_default_str()
      ->type_name("DRIFT")
      ->envname("INKDEX_RENUMBER_ONLINE_AT_DRIFT");
  app.add_flag("--renumber-online", flags.renumber_online,
               "Renumber the served index's slots while serving when asked (Admin.RenumberSlots, "
               "`inkdex repair --server`), as --renumber-online-at-drift does by itself (which "
               "implies this). --index becomes a symlink to a generation directory beside it")
      ->envname("INKDEX_RENUMBER_ONLINE");
  app.add_option("--slot-drift-interval", flags.slot_drift_interval,
                 "How often the served index's slot drift is measured, for the metric "
                 "inkdex_index_slot_layout_drift, GetStats, --renumber-online-at-drift and "
                 "--resync-at-slot-drift (each "
                 "measurement reads the cell index: ~15-20 ms at 1M artists; 1s..24h)")
      ->capture_default_str()
      ->type_name("DURATION")
      ->envname("INKDEX_SLOT_DRIFT_INTERVAL");
  app.add_option("--prefetch-mb", flags.prefetch_mb,
                 "Read up to this much of the search index into the OS page cache when the "
                 "index opens and before an index is swapped in, so that the first searches "
                 "after a cold start do not wait for the disk; the server reports ready after. "
                 "-1: half of the memory available at start (within a container's memory "
                 "cgroup limit); 0: off (-1..1073741824)")
      ->capture_default_str()
      ->type_name("MIB")
      ->envname("INKDEX_PREFETCH_MB");
  app.add_option("--tombstone-ttl", flags.tombstone_ttl,
                 "Forget deleted artists' tombstones (id and version) this long after the "
                 "delete; a change older than a forgotten delete that arrives later brings the "
                 "artist back, so keep it above any replay delay (streams keep 24h); 0 keeps "
                 "them forever")
      ->capture_default_str()
      ->type_name("DURATION")
      ->envname("INKDEX_TOMBSTONE_TTL");
  app.add_option("--tombstone-purge-interval", flags.tombstone_purge_interval,
                 "How often old tombstones are purged (100ms..24h)")
      ->capture_default_str()
      ->type_name("DURATION")
      ->envname("INKDEX_TOMBSTONE_PURGE_INTERVAL");
  app.add_option("--max-message-bytes", flags.max_message_bytes,
                 "Largest gRPC request or response message, bytes (1024..2147483647)")
      ->capture_default_str()
      ->type_name("BYTES")
      ->envname("INKDEX_MAX_MESSAGE_BYTES");
  app.add_option("--log-level", flags.log_level,
                 "Least severe log line written to stderr: debug, info (one line per call), "
                 "warn, error")
      ->capture_default_str()
      ->type_name("LEVEL")
      ->envname("INKDEX_LOG_LEVEL");
  app.add_option("--log-buffer-mb", flags.log_buffer_mb,
                 "Log lines waiting for stderr's reader (a slow log driver) are held up to this "
                 "many MiB, then dropped and counted (inkdex_log_lines_dropped_total): calls "
                 "never wait for the log (1..1024)")
      ->capture_default_str()
      ->type_name("MIB")
      ->envname("INKDEX_LOG_BUFFER_MB");
  app.add_option("--stream-table", flags.stream_table,
                 "Follow this DynamoDB table's stream into the index (bootstrapping it by a "
                 "table scan when it is empty or cannot resume); --index becomes a symlink to "
                 "a generation directory beside it")
      ->type_name("TABLE")
      ->envname("INKDEX_STREAM_TABLE");
  app.add_option("--bootstrap-table", flags.bootstrap_table,
                 "For replicas fed by ApplyStreamRecords (the forwarder Lambda) that read no "
                 "stream: load the index by a scan of this DynamoDB table unless it records a "
                 "completed one; health is NOT_SERVING until then, ApplyStreamRecords is applied "
                 "meanwhile (not with --stream-table)")
      ->type_name("TABLE")
      ->envname("INKDEX_BOOTSTRAP_TABLE");
  app.add_option("--dynamodb-endpoint", flags.dynamodb_endpoint,
                 "DynamoDB and DynamoDB Streams endpoint URL (DynamoDB Local); default: the "
                 "regional AWS endpoints of AWS_REGION")
      ->type_name("URL")
      ->envname("INKDEX_DYNAMODB_ENDPOINT");
  app.add_option("--dynamodb-streams-endpoint", flags.dynamodb_streams_endpoint,
                 "DynamoDB Streams endpoint URL alone, e.g. an interface VPC endpoint's "
                 "(https://vpce-....streams.dynamodb.REGION.vpce.amazonaws.com), which has no "
                 "private DNS; default: --dynamodb-endpoint, else the regional one")
      ->type_name("URL")
      ->envname("INKDEX_DYNAMODB_STREAMS_ENDPOINT");
  app.add_option("--mapping", flags.mapping_file,
                 "Item mapping file: which items are artists and which attribute feeds which "
                 "field (README \"Mapping file\"), for the stream reader and "
                 "ApplyStreamRecords; default: the data-model mapping")
      ->type_name("FILE")
      ->envname("INKDEX_MAPPING");
  app.add_option("--resync-at-slot-drift", flags.resync_at_slot_drift,
                 "With --stream-table: when the served index's slot drift (measured every "
                 "--slot-drift-interval) reaches this much above what the last re-sync left, "
                 "re-sync: load a new index from the table in cell order, replay the stream into "
                 "it and swap it in, as for trimmed data. The old index serves meanwhile but "
                 "takes no stream records until the swap (a 1M-artist table: minutes), and the "
                 "scan reads the whole table. For a server that is never restarted (else see "
                 "--renumber-slots-at-drift). 0: never (0..1)")
      ->capture_default_str()
      ->type_name("DRIFT")
      ->envname("INKDEX_RESYNC_AT_SLOT_DRIFT");
  app.add_option("--scan-segments", flags.scan_segments,
                 "Parallel Scan segments of a bootstrap or re-sync (1..1000)")
      ->capture_default_str()
      ->type_name("N")
      ->envname("INKDEX_SCAN_SEGMENTS");
  app.add_option("--stream-describe-interval-ms", flags.stream_describe_interval_ms,
                 "How often the stream's shards are listed to find new ones (100..600000)")
      ->capture_default_str()
      ->type_name("MS")
      ->envname("INKDEX_STREAM_DESCRIBE_INTERVAL_MS");
  app.add_option("--emf-interval", flags.emf_interval,
                 "Every this long, write the key metrics to the log as one CloudWatch embedded "
                 "metric format line ({\"event\":\"metrics\",\"_aws\":...}), which CloudWatch "
                 "Logs turns into CloudWatch metrics (awslogs on ECS: nothing else to run); "
                 "whatever --log-level says; 0: never (0, or 1s..1h)")
      ->capture_default_str()
      ->type_name("DURATION")
      ->envname("INKDEX_EMF_INTERVAL");
  app.add_option("--emf-namespace", flags.emf_namespace, "CloudWatch namespace of the EMF metrics")
      ->capture_default_str()
      ->type_name("NAME")
      ->envname("INKDEX_EMF_NAMESPACE");
  app.add_option("--emf-dimensions", flags.emf_dimensions,
                 "Dimensions of the EMF metrics, e.g. ClusterName=inkdex-prod (comma-separated "
                 "Name=Value, at most 30); every replica with the same values feeds the same "
                 "metrics")
      ->type_name("NAME=VALUE,...")
      ->envname("INKDEX_EMF_DIMENSIONS");
  app.add_option("--emf-metrics", flags.emf_metrics,
                 "Which metrics the EMF lines carry (each is one CloudWatch custom metric): "
                 "all, or a comma-separated list (README \"Metrics in CloudWatch\")")
      ->capture_default_str()
      ->type_name("NAMES")
      ->envname("INKDEX_EMF_METRICS");
  // Test-only: every Search/Suggest first waits this long (stopping early on
  // cancellation), so tests can make slow calls on demand.
  app.add_option("--test-search-delay-ms", flags.test_search_delay_ms)
      ->group("")
      ->envname("INKDEX_TEST_SEARCH_DELAY_MS");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);  // help/version: 0; errors: printed
    if (code == 0) return 0;
    if (std::string note = EnvironmentNote(app, argc, argv, e.what()); !note.empty()) {
      err << "inkdex-server: " << note << "\n";
    }
    return 2;
  }
  if (flags.write_token_file.empty()) {
    if (const char* token = std::getenv("INKDEX_WRITE_TOKEN")) flags.write_token_env = token;
  }
  if (flags.read_token_file.empty()) {
    if (const char* token = std::getenv("INKDEX_READ_TOKEN")) flags.read_token_env = token;
  }
  if (absl::Status status = ValidateServerFlags(flags); !status.ok()) {
    const std::string note = EnvironmentNote(app, argc, argv, status.message());
    err << "inkdex-server: " << status.message() << (note.empty() ? "" : " (") << note
        << (note.empty() ? "" : ")") << "\nRun with --help for more information.\n";
    return 2;
  }
  return std::nullopt;
}

namespace {

std::string ReadSmallFile(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

MemorySources ReadMemorySources() {
  MemorySources out;
  out.meminfo = ReadSmallFile("/proc/meminfo");
  out.cgroup_limit = ReadSmallFile("/sys/fs/cgroup/memory.max");
  if (!out.cgroup_limit.empty()) {
    out.cgroup_usage = ReadSmallFile("/sys/fs/cgroup/memory.current");
  } else {
    out.cgroup_limit = ReadSmallFile("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    out.cgroup_usage = ReadSmallFile("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  }
  return out;
}

uint64_t PrefetchBudgetBytes(const ServerFlags& flags, const MemorySources& memory) {
  if (flags.prefetch_mb != ServerFlags::kPrefetchAuto) {
    return static_cast<uint64_t>(std::max<int64_t>(flags.prefetch_mb, 0)) << 20;
  }
  std::optional<uint64_t> available;
  for (absl::string_view line : absl::StrSplit(memory.meminfo, '\n')) {
    if (!absl::ConsumePrefix(&line, "MemAvailable:")) continue;
    absl::ConsumeSuffix(&line, "kB");
    uint64_t kib = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib)) available = kib * 1024;
    break;
  }
  if (!available) return 0;
  // cgroup v1 says "unlimited" with a number near 2^63.
  constexpr uint64_t kUnlimited = uint64_t{1} << 62;
  uint64_t limit = 0, usage = 0;
  if (absl::SimpleAtoi(absl::StripAsciiWhitespace(memory.cgroup_limit), &limit) &&
      limit < kUnlimited &&
      absl::SimpleAtoi(absl::StripAsciiWhitespace(memory.cgroup_usage), &usage)) {
    available = std::min(*available, limit > usage ? limit - usage : 0);
  }
  return *available / 2;
}

absl::StatusOr<ServerTokens> LoadServerTokens(const ServerFlags& flags) {
  const auto load = [](const std::string& file, std::string_view flag, const std::string& env,
                       std::string_view variable) -> absl::StatusOr<std::string> {
    if (!file.empty()) return ReadTokenFile(file, flag);
    if (!env.empty()) return CleanToken(env, variable);
    return std::string();
  };
  ServerTokens tokens;
  absl::StatusOr<std::string> write = load(flags.write_token_file, "--write-token-file",
                                           flags.write_token_env, "INKDEX_WRITE_TOKEN");
  if (!write.ok()) return write.status();
  tokens.write = *std::move(write);
  absl::StatusOr<std::string> read =
      load(flags.read_token_file, "--read-token-file", flags.read_token_env, "INKDEX_READ_TOKEN");
  if (!read.ok()) return read.status();
  tokens.read = *std::move(read);
  return tokens;
}

}  // namespace inkdex::server
