// ServerFlags: inkdex-server's command line, with environment fallbacks.
//
// Each flag may also come from the environment variable shown in --help
// (INKDEX_INDEX, INKDEX_LISTEN, ...); a flag on the command line wins. The
// write and read tokens come from --write-token-file / --read-token-file or,
// without them, from INKDEX_WRITE_TOKEN / INKDEX_READ_TOKEN (the token
// itself). Validation errors name the flag and the reason.
//
// Thread safety: call from the main thread before starting the server.
#ifndef INKDEX_SERVICE_SERVER_SERVER_FLAGS_H_
#define INKDEX_SERVICE_SERVER_SERVER_FLAGS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "inkdex/index.h"
#include "server/emf_publisher.h"
#include "server/json_log.h"

namespace inkdex::server {

struct ServerFlags {
  std::string index_dir;
  std::string listen = "127.0.0.1:50051";
  std::string metrics_listen = "127.0.0.1:9464";  // "" or "off": no HTTP server
  std::string write_token_file;
  std::string read_token_file;
  std::string write_token_env;  // INKDEX_WRITE_TOKEN's value, used without the file flag
  std::string read_token_env;   // INKDEX_READ_TOKEN's value
  std::string tls_cert;         // PEM file; with tls_key, serve TLS
  std::string tls_key;
  int max_concurrent_requests = 64;
  int read_threads = 0;  // threads that run searches; 0: one per core
  int commit_interval_ms = 100;
  // IndexOptions::min_free_disk_bytes, in MiB; 0: no check.
  int64_t min_free_disk_mb = static_cast<int64_t>(kDefaultMinFreeDiskBytes >> 20);
  // IndexOptions::renumber_slots_at_drift for the --index open; 0: never.
  double renumber_slots_at_drift = 0;
  // Renumber the served index's slots while serving (WriteCommitter::
  // RenumberSlots, server/slot_renumberer.h) when its slot drift reaches
  // this; 0: never.
  double renumber_online_at_drift = 0;
  // Renumber while serving when asked (Admin.RenumberSlots); implied by
  // renumber_online_at_drift > 0. Either keeps --index as a generation
  // symlink.
  bool renumber_online = false;
  // How often the served index's slot drift is measured (metrics, GetStats,
  // resync_at_slot_drift, renumber_online_at_drift), as absl::ParseDuration reads it.
  std::string slot_drift_interval = "1m";
  // With stream_table: re-sync (a new index from the table, swapped in)
  // when the served index's slot drift has grown this much; 0: never.
  double resync_at_slot_drift = 0;
  // Index::PrefetchSearchIndex at open and before a swap, in MiB; 0: off;
  // kPrefetchAuto: half of the memory available (MemAvailable) at start.
  int64_t prefetch_mb = kPrefetchAuto;
  static constexpr int64_t kPrefetchAuto = -1;
  // Tombstones of deletes older than this are purged (tombstone_purger.h);
  // "0" keeps them forever. Durations as absl::ParseDuration reads them.
  std::string tombstone_ttl = "168h";
  std::string tombstone_purge_interval = "1h";
  int64_t max_message_bytes = int64_t{16} << 20;
  std::string log_level = "info";
  // Log lines waiting for stderr's reader beyond this are dropped
  // (log_writer.h): the log never holds a call.
  int log_buffer_mb = 8;
  static constexpr int kMaxLogBufferMb = 1024;
  int test_search_delay_ms = 0;  // hidden, for tests
  // The stream reader (stream_supervisor.h); off without stream_table.
  std::string stream_table;
  std::string dynamodb_endpoint;          // empty: the regional AWS endpoints
  std::string dynamodb_streams_endpoint;  // empty: dynamodb_endpoint, else regional
  std::string mapping_file;               // empty: the data-model mapping
  int scan_segments = 4;
  int stream_describe_interval_ms = 10000;
  // Forwarder mode's initial load (table_bootstrapper.h); excludes stream_table.
  std::string bootstrap_table;
  // Metrics as CloudWatch embedded metric format lines in the log
  // (emf_publisher.h): every emf_interval ("0": never), in emf_namespace,
  // with emf_dimensions ("Name=Value,...") and emf_metrics ("all" or names).
  std::string emf_interval = "0";
  std::string emf_namespace = "Inkdex";
  std::string emf_dimensions;
  std::string emf_metrics = "all";

  bool stream_enabled() const { return !stream_table.empty(); }
  bool online_renumbering_enabled() const {
    return renumber_online || renumber_online_at_drift > 0;
  }
  bool bootstrap_enabled() const { return !bootstrap_table.empty(); }

  bool metrics_enabled() const { return !metrics_listen.empty() && metrics_listen != "off"; }
  bool tls_enabled() const { return !tls_cert.empty(); }
  LogLevel parsed_log_level() const;  // REQUIRES: ValidateServerFlags passed
  absl::Duration commit_interval() const { return absl::Milliseconds(commit_interval_ms); }
  // REQUIRES: ValidateServerFlags passed. Zero TTL: no purging.
  absl::Duration tombstone_ttl_duration() const;
  absl::Duration tombstone_purge_interval_duration() const;
  // REQUIRES: ValidateServerFlags passed.
  absl::Duration slot_drift_interval_duration() const;
  // REQUIRES: ValidateServerFlags passed. Zero: no EMF lines.
  absl::Duration emf_interval_duration() const;
  bool emf_enabled() const { return emf_interval_duration() > absl::ZeroDuration(); }
  // REQUIRES: ValidateServerFlags passed.
  EmfFormatOptions emf_format() const;
  absl::Duration test_search_delay() const { return absl::Milliseconds(test_search_delay_ms); }
};

// "inkdex-server VERSION" and what it was built with: "GNU 12.2.0 Release,
// commit 1a2b3c4" (the commit at configure time; "unknown" without git).
const char* ServerVersion();
const char* ServerBuild();  // defined in the generated build_info.cc

// Parses argv and the environment into `flags` and validates them. Returns
// nullopt when the server should start; otherwise the exit code to exit with
// at once: 0 after --help or --version (text on `out`), 2 for bad flags (the
// error, naming the flag, on `err`).
std::optional<int> ParseServerFlags(int argc, const char* const* argv, ServerFlags& flags,
                                    std::ostream& out, std::ostream& err);

// The checks ParseServerFlags applies after parsing: ranges, address shapes,
// TLS files given in pairs, the log level.
absl::Status ValidateServerFlags(const ServerFlags& flags);

// The server creates the --index directory when it is missing, but not its
// parents (a mistyped path would otherwise become a new empty index):
// INVALID_ARGUMENT naming --index and the missing parent. Reads the
// filesystem.
absl::Status CheckIndexParent(const std::string& index_dir);

// Checks a HOST:PORT listen address (PORT 0..65535; IPv6 hosts in brackets).
// `ip_only`: the host must be an IP literal (civetweb does not resolve names)
// and a bare PORT is allowed. Errors name `flag`.
absl::Status CheckListenAddress(std::string_view address, std::string_view flag, bool ip_only);

// `listen` with its port replaced by `port` ("127.0.0.1:0", 41234 ->
// "127.0.0.1:41234"; a bare port becomes "0.0.0.0:PORT").
std::string WithPort(std::string_view listen, int port);

// What the server reads to size --prefetch-mb's default: the texts of
// /proc/meminfo and of its memory cgroup's limit and usage (cgroup v2
// memory.max and memory.current, or v1 memory.limit_in_bytes and
// memory.usage_in_bytes; empty when there are none).
struct MemorySources {
  std::string meminfo;
  std::string cgroup_limit;
  std::string cgroup_usage;
};
// Reads them (a file that cannot be read is left empty).
MemorySources ReadMemorySources();

// The byte budget of --prefetch-mb: the flag's MiB, or for kPrefetchAuto
// half of the memory available: MemAvailable, or less when a container's
// cgroup limit leaves less (a limit of "max", or v1's huge "unlimited", does
// not count). 0 when MemAvailable cannot be read.
uint64_t PrefetchBudgetBytes(const ServerFlags& flags, const MemorySources& memory);

struct ServerTokens {
  std::string write;  // empty: writes disabled
  std::string read;   // empty: reads open
};

// Reads the token files, or takes the tokens from the environment values.
// Errors name the flag (or variable) and never contain a token.
absl::StatusOr<ServerTokens> LoadServerTokens(const ServerFlags& flags);

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_SERVER_FLAGS_H_
