#include "server/server_flags.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "index/test_util.h"

namespace inkdex::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kServerEnv[] = {"INKDEX_INDEX",
                                      "INKDEX_LISTEN",
                                      "INKDEX_METRICS_LISTEN",
                                      "INKDEX_WRITE_TOKEN",
                                      "INKDEX_READ_TOKEN",
                                      "INKDEX_WRITE_TOKEN_FILE",
                                      "INKDEX_READ_TOKEN_FILE",
                                      "INKDEX_TLS_CERT",
                                      "INKDEX_TLS_KEY",
                                      "INKDEX_MAX_CONCURRENT_REQUESTS",
                                      "INKDEX_READ_THREADS",
                                      "INKDEX_COMMIT_INTERVAL_MS",
                                      "INKDEX_MAX_MESSAGE_BYTES",
                                      "INKDEX_LOG_LEVEL",
                                      "INKDEX_LOG_BUFFER_MB",
                                      "INKDEX_TEST_SEARCH_DELAY_MS",
                                      "INKDEX_TOMBSTONE_TTL",
                                      "INKDEX_TOMBSTONE_PURGE_INTERVAL",
                                      "INKDEX_STREAM_TABLE",
                                      "INKDEX_BOOTSTRAP_TABLE",
                                      "INKDEX_DYNAMODB_ENDPOINT",
                                      "INKDEX_DYNAMODB_STREAMS_ENDPOINT",
                                      "INKDEX_EMF_INTERVAL",
                                      "INKDEX_EMF_NAMESPACE",
                                      "INKDEX_EMF_DIMENSIONS",
                                      "INKDEX_EMF_METRICS",
                                      "INKDEX_PREFETCH_MB",
                                      "INKDEX_SLOT_DRIFT_INTERVAL",
                                      "INKDEX_RESYNC_AT_SLOT_DRIFT",
                                      "INKDEX_RENUMBER_ONLINE_AT_DRIFT",
                                      "INKDEX_RENUMBER_ONLINE",
                                      "INKDEX_RENUMBER_SLOTS_AT_DRIFT"};

class ServerFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kServerEnv) ::unsetenv(name);
  }
  void TearDown() override {
    for (const char* name : kServerEnv) ::unsetenv(name);
  }

  // Parses `args` (after the program name); returns the exit code or -1 to
  // start the server.
  int Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "inkdex-server");
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    out_.str("");
    err_.str("");
    flags_ = ServerFlags();
    std::optional<int> code =
        ParseServerFlags(static_cast<int>(argv.size()), argv.data(), flags_, out_, err_);
    return code.value_or(-1);
  }

  ServerFlags flags_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(ServerFlagsTest, DefaultsFromTheDesign) {
  ASSERT_EQ(Parse({"--index", "/tmp/idx"}), -1) << err_.str();
  EXPECT_EQ(flags_.index_dir, "/tmp/idx");
  EXPECT_EQ(flags_.listen, "127.0.0.1:50051");
  EXPECT_EQ(flags_.metrics_listen, "127.0.0.1:9464");
  EXPECT_TRUE(flags_.metrics_enabled());
  EXPECT_EQ(flags_.max_concurrent_requests, 64);
  EXPECT_EQ(flags_.read_threads, 0);
  EXPECT_EQ(flags_.commit_interval(), absl::Milliseconds(100));
  EXPECT_EQ(flags_.min_free_disk_mb, 128);
  EXPECT_EQ(flags_.renumber_slots_at_drift, 0);
  EXPECT_EQ(flags_.slot_drift_interval_duration(), absl::Minutes(1));
  EXPECT_EQ(flags_.resync_at_slot_drift, 0);
  EXPECT_EQ(flags_.prefetch_mb, ServerFlags::kPrefetchAuto);
  EXPECT_EQ(flags_.max_message_bytes, 16 << 20);
  EXPECT_EQ(flags_.parsed_log_level(), LogLevel::kInfo);
  EXPECT_EQ(flags_.log_buffer_mb, 8);
  EXPECT_EQ(flags_.test_search_delay(), absl::ZeroDuration());
  EXPECT_FALSE(flags_.tls_enabled());
  EXPECT_TRUE(flags_.write_token_file.empty());
  EXPECT_TRUE(flags_.write_token_env.empty());
  EXPECT_EQ(flags_.tombstone_ttl_duration(), absl::Hours(168));
  EXPECT_EQ(flags_.tombstone_purge_interval_duration(), absl::Hours(1));
}

TEST_F(ServerFlagsTest, TombstoneDurations) {
  ASSERT_EQ(
      Parse({"--index", "/d", "--tombstone-ttl", "36h", "--tombstone-purge-interval", "250ms"}), -1)
      << err_.str();
  EXPECT_EQ(flags_.tombstone_ttl_duration(), absl::Hours(36));
  EXPECT_EQ(flags_.tombstone_purge_interval_duration(), absl::Milliseconds(250));
  ASSERT_EQ(Parse({"--index", "/d", "--tombstone-ttl", "0"}), -1) << err_.str();
  EXPECT_EQ(flags_.tombstone_ttl_duration(), absl::ZeroDuration()) << "0: keep forever";
  ::setenv("INKDEX_TOMBSTONE_TTL", "1h30m", 1);
  ::setenv("INKDEX_TOMBSTONE_PURGE_INTERVAL", "10s", 1);
  ASSERT_EQ(Parse({"--index", "/d"}), -1) << err_.str();
  EXPECT_EQ(flags_.tombstone_ttl_duration(), absl::Minutes(90));
  EXPECT_EQ(flags_.tombstone_purge_interval_duration(), absl::Seconds(10));
}

TEST_F(ServerFlagsTest, SlotDriftFlags) {
  ASSERT_EQ(Parse({"--index", "/d", "--stream-table", "artists", "--slot-drift-interval", "30s",
                   "--resync-at-slot-drift", "0.05"}),
            -1)
      << err_.str();
  EXPECT_EQ(flags_.slot_drift_interval_duration(), absl::Seconds(30));
  EXPECT_EQ(flags_.resync_at_slot_drift, 0.05);
  ::setenv("INKDEX_SLOT_DRIFT_INTERVAL", "5m", 1);
  ::setenv("INKDEX_RESYNC_AT_SLOT_DRIFT", "0.1", 1);
  ASSERT_EQ(Parse({"--index", "/d", "--stream-table", "artists"}), -1) << err_.str();
  EXPECT_EQ(flags_.slot_drift_interval_duration(), absl::Minutes(5));
  EXPECT_EQ(flags_.resync_at_slot_drift, 0.1);
}

TEST_F(ServerFlagsTest, RenumberOnlineFlag) {
  ASSERT_EQ(Parse({"--index", "/d"}), -1) << err_.str();
  EXPECT_EQ(flags_.renumber_online_at_drift, 0);  // never
  EXPECT_FALSE(flags_.online_renumbering_enabled());
  ASSERT_EQ(Parse({"--index", "/d", "--renumber-online"}), -1) << err_.str();
  EXPECT_TRUE(flags_.renumber_online);  // when asked only
  EXPECT_TRUE(flags_.online_renumbering_enabled());
  ::setenv("INKDEX_RENUMBER_ONLINE", "true", 1);
  ASSERT_EQ(Parse({"--index", "/d"}), -1) << err_.str();
  EXPECT_TRUE(flags_.renumber_online);
  ::unsetenv("INKDEX_RENUMBER_ONLINE");  // (TearDown clears it too)
  ASSERT_EQ(Parse({"--index", "/d", "--renumber-online-at-drift", "0.05"}), -1) << err_.str();
  EXPECT_EQ(flags_.renumber_online_at_drift, 0.05);
  EXPECT_FALSE(flags_.renumber_online);
  EXPECT_TRUE(flags_.online_renumbering_enabled());  // implied
  ::setenv("INKDEX_RENUMBER_ONLINE_AT_DRIFT", "0.2", 1);
  ASSERT_EQ(Parse({"--index", "/d", "--bootstrap-table", "artists"}), -1) << err_.str();
  EXPECT_EQ(flags_.renumber_online_at_drift, 0.2);
  // Beside a stream reader too, and with its re-syncs at a drift.
  ASSERT_EQ(Parse({"--index", "/d", "--stream-table", "artists", "--resync-at-slot-drift", "0.3"}),
            -1)
      << err_.str();
  EXPECT_EQ(flags_.renumber_online_at_drift, 0.2);
  EXPECT_EQ(flags_.resync_at_slot_drift, 0.3);
}

TEST_F(ServerFlagsTest, ParsesEveryFlag) {
  ASSERT_EQ(Parse({"--index=/d",
                   "--listen",
                   "0.0.0.0:0",
                   "--metrics-listen",
                   "127.0.0.1:0",
                   "--write-token-file",
                   "/w",
                   "--read-token-file",
                   "/r",
                   "--tls-cert",
                   "/c",
                   "--tls-key",
                   "/k",
                   "--max-concurrent-requests",
                   "8",
                   "--read-threads",
                   "3",
                   "--commit-interval-ms",
                   "5",
                   "--max-message-bytes",
                   "4096",
                   "--log-level",
                   "debug",
                   "--log-buffer-mb",
                   "2",
                   "--test-search-delay-ms",
                   "250",
                   "--min-free-disk-mb",
                   "512",
                   "--renumber-slots-at-drift",
                   "0.05",
                   "--prefetch-mb",
                   "0"}),
            -1)
      << err_.str();
  EXPECT_EQ(flags_.listen, "0.0.0.0:0");
  EXPECT_EQ(flags_.metrics_listen, "127.0.0.1:0");
  EXPECT_EQ(flags_.write_token_file, "/w");
  EXPECT_EQ(flags_.read_token_file, "/r");
  EXPECT_TRUE(flags_.tls_enabled());
  EXPECT_EQ(flags_.tls_key, "/k");
  EXPECT_EQ(flags_.max_concurrent_requests, 8);
  EXPECT_EQ(flags_.read_threads, 3);
  EXPECT_EQ(flags_.commit_interval_ms, 5);
  EXPECT_EQ(flags_.max_message_bytes, 4096);
  EXPECT_EQ(flags_.parsed_log_level(), LogLevel::kDebug);
  EXPECT_EQ(flags_.log_buffer_mb, 2);
  EXPECT_EQ(flags_.test_search_delay(), absl::Milliseconds(250));
  EXPECT_EQ(flags_.min_free_disk_mb, 512);
  EXPECT_EQ(flags_.renumber_slots_at_drift, 0.05);
  EXPECT_EQ(flags_.prefetch_mb, 0);
}

TEST_F(ServerFlagsTest, EnvironmentFillsFlagsAndCommandLineWins) {
  ::setenv("INKDEX_INDEX", "/env/index", 1);
  ::setenv("INKDEX_LISTEN", "127.0.0.1:7000", 1);
  ::setenv("INKDEX_MAX_CONCURRENT_REQUESTS", "12", 1);
  ::setenv("INKDEX_METRICS_LISTEN", "off", 1);
  ::setenv("INKDEX_TEST_SEARCH_DELAY_MS", "30", 1);
  ::setenv("INKDEX_READ_THREADS", "5", 1);
  ::setenv("INKDEX_PREFETCH_MB", "300", 1);
  ::setenv("INKDEX_LOG_BUFFER_MB", "16", 1);
  ASSERT_EQ(Parse({"--listen", "127.0.0.1:7001"}), -1) << err_.str();
  EXPECT_EQ(flags_.log_buffer_mb, 16);
  EXPECT_EQ(flags_.prefetch_mb, 300);
  EXPECT_EQ(flags_.read_threads, 5);
  EXPECT_EQ(flags_.index_dir, "/env/index");
  EXPECT_EQ(flags_.listen, "127.0.0.1:7001");
  EXPECT_EQ(flags_.max_concurrent_requests, 12);
  EXPECT_FALSE(flags_.metrics_enabled());
  EXPECT_EQ(flags_.test_search_delay(), absl::Milliseconds(30));
}

TEST_F(ServerFlagsTest, TokenEnvironmentUsedOnlyWithoutFileFlag) {
  ::setenv("INKDEX_WRITE_TOKEN", "wtok", 1);
  ::setenv("INKDEX_READ_TOKEN", "rtok", 1);
  ASSERT_EQ(Parse({"--index", "/d"}), -1);
  EXPECT_EQ(flags_.write_token_env, "wtok");
  EXPECT_EQ(flags_.read_token_env, "rtok");
  ASSERT_EQ(Parse({"--index", "/d", "--write-token-file", "/w"}), -1);
  EXPECT_EQ(flags_.write_token_env, "");
  EXPECT_EQ(flags_.read_token_env, "rtok");
}

TEST_F(ServerFlagsTest, MetricsCanBeDisabled) {
  ASSERT_EQ(Parse({"--index", "/d", "--metrics-listen", ""}), -1) << err_.str();
  EXPECT_FALSE(flags_.metrics_enabled());
  ASSERT_EQ(Parse({"--index", "/d", "--metrics-listen", "off"}), -1) << err_.str();
  EXPECT_FALSE(flags_.metrics_enabled());
}

TEST_F(ServerFlagsTest, BootstrapTableFromFlagOrEnvironmentExcludesStreamTable) {
  ASSERT_EQ(Parse({"--index", "/d", "--bootstrap-table", "directory", "--dynamodb-endpoint",
                   "http://127.0.0.1:8000"}),
            -1)
      << err_.str();
  EXPECT_TRUE(flags_.bootstrap_enabled());
  EXPECT_FALSE(flags_.stream_enabled());
  EXPECT_EQ(flags_.bootstrap_table, "directory");
  ::setenv("INKDEX_BOOTSTRAP_TABLE", "from-env", 1);
  ASSERT_EQ(Parse({"--index", "/d"}), -1) << err_.str();
  EXPECT_EQ(flags_.bootstrap_table, "from-env");
  // The stream reader bootstraps by itself: both at once is a usage error.
  EXPECT_EQ(Parse({"--index", "/d", "--stream-table", "directory"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--bootstrap-table"));
  ::unsetenv("INKDEX_BOOTSTRAP_TABLE");
  EXPECT_EQ(Parse({"--index", "/d", "--dynamodb-endpoint", "http://127.0.0.1:8000"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--dynamodb-endpoint"));
}

TEST_F(ServerFlagsTest, StreamsEndpointFromFlagOrEnvironmentNeedsStreamTable) {
  const std::string vpce = "https://vpce-1a2b.streams.dynamodb.eu-west-1.vpce.amazonaws.com";
  ASSERT_EQ(Parse({"--index", "/d", "--stream-table", "t", "--dynamodb-streams-endpoint", vpce}),
            -1)
      << err_.str();
  EXPECT_EQ(flags_.dynamodb_streams_endpoint, vpce);
  ::setenv("INKDEX_DYNAMODB_STREAMS_ENDPOINT", vpce.c_str(), 1);
  ASSERT_EQ(Parse({"--index", "/d", "--stream-table", "t"}), -1) << err_.str();
  EXPECT_EQ(flags_.dynamodb_streams_endpoint, vpce);
  EXPECT_EQ(Parse({"--index", "/d"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--dynamodb-streams-endpoint"));
  ::unsetenv("INKDEX_DYNAMODB_STREAMS_ENDPOINT");
}

TEST_F(ServerFlagsTest, EmfLinesAreOffUntilAnIntervalIsGiven) {
  ASSERT_EQ(Parse({"--index", "/d"}), -1) << err_.str();
  EXPECT_FALSE(flags_.emf_enabled());
  ASSERT_EQ(Parse({"--index", "/d", "--emf-interval", "0"}), -1) << err_.str();
  EXPECT_FALSE(flags_.emf_enabled());

  // What the ECS task definition sets (infra/modules/inkdex/service.tf).
  ::setenv("INKDEX_EMF_INTERVAL", "60s", 1);
  ::setenv("INKDEX_EMF_DIMENSIONS", "ClusterName=inkdex-prod", 1);
  ASSERT_EQ(Parse({"--index", "/d", "--emf-metrics", "inkdex_documents,inkdex_requests"}), -1)
      << err_.str();
  EXPECT_TRUE(flags_.emf_enabled());
  EXPECT_EQ(flags_.emf_interval_duration(), absl::Seconds(60));
  const EmfFormatOptions format = flags_.emf_format();
  EXPECT_EQ(format.cloudwatch_namespace, "Inkdex");
  ASSERT_EQ(format.dimensions.size(), 1u);
  EXPECT_EQ(format.dimensions[0].first, "ClusterName");
  EXPECT_EQ(format.dimensions[0].second, "inkdex-prod");
  EXPECT_EQ(format.metrics, (std::vector<std::string>{"inkdex_documents", "inkdex_requests"}));
}

TEST_F(ServerFlagsTest, BadEmfFlagsNameTheFlagAndTheReason) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--emf-interval", "500ms"}, "--emf-interval: must be 0 (no EMF lines) or at least 1s"},
      {{"--emf-interval", "2h"}, "--emf-interval: must be between 0 and 1h"},
      {{"--emf-interval", "soon"}, "--emf-interval: 'soon' is not a duration"},
      {{"--emf-namespace", "AWS/Inkdex"}, "--emf-namespace: 'AWS/Inkdex' must not begin with"},
      {{"--emf-dimensions", "ClusterName"}, "--emf-dimensions: 'ClusterName' is not Name=Value"},
      {{"--emf-dimensions", "ClusterName="}, "dimension 'ClusterName': its value must be"},
      {{"--emf-metrics", "inkdex_docs"}, "--emf-metrics: unknown metric 'inkdex_docs'; known: "},
  };
  for (const auto& [extra, message] : cases) {
    std::vector<std::string> args = {"--index", "/d"};
    args.insert(args.end(), extra.begin(), extra.end());
    EXPECT_EQ(Parse(args), 2) << extra[1];
    EXPECT_THAT(err_.str(), ::testing::HasSubstr(message)) << extra[1];
  }
  // A value from the environment says where it came from.
  ::setenv("INKDEX_EMF_DIMENSIONS", "ClusterName", 1);
  EXPECT_EQ(Parse({"--index", "/d"}), 2);
  EXPECT_THAT(err_.str(), ::testing::HasSubstr("environment variable INKDEX_EMF_DIMENSIONS"));
}

TEST_F(ServerFlagsTest, MissingIndexIsAUsageError) {
  EXPECT_EQ(Parse({}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--index"));
}

TEST_F(ServerFlagsTest, BadValuesNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string flag;
  };
  const std::vector<Case> cases = {
      {{"--listen", "nowhere"}, "--listen"},
      {{"--listen", "127.0.0.1:99999"}, "--listen"},
      {{"--listen", ":50051"}, "--listen"},
      {{"--listen", "::1:50051"}, "--listen"},
      {{"--metrics-listen", "localhost:9464"}, "--metrics-listen"},
      {{"--metrics-listen", "127.0.0.1:x"}, "--metrics-listen"},
      {{"--tls-cert", "/c"}, "--tls-key"},
      {{"--tls-key", "/k"}, "--tls-cert"},
      {{"--max-concurrent-requests", "0"}, "--max-concurrent-requests"},
      {{"--max-concurrent-requests", "many"}, "--max-concurrent-requests"},
      {{"--read-threads", "-1"}, "--read-threads"},
      {{"--read-threads", "257"}, "--read-threads"},
      {{"--commit-interval-ms", "-1"}, "--commit-interval-ms"},
      {{"--commit-interval-ms", "60001"}, "--commit-interval-ms"},
      {{"--min-free-disk-mb", "-1"}, "--min-free-disk-mb"},
      {{"--min-free-disk-mb", "lots"}, "--min-free-disk-mb"},
      {{"--renumber-slots-at-drift", "-0.1"}, "--renumber-slots-at-drift"},
      {{"--renumber-slots-at-drift", "1.5"}, "--renumber-slots-at-drift"},
      {{"--renumber-slots-at-drift", "nan"}, "--renumber-slots-at-drift"},
      {{"--renumber-slots-at-drift", "some"}, "--renumber-slots-at-drift"},
      {{"--slot-drift-interval", "500ms"}, "--slot-drift-interval"},
      {{"--slot-drift-interval", "25h"}, "--slot-drift-interval"},
      {{"--slot-drift-interval", "hourly"}, "--slot-drift-interval"},
      {{"--stream-table", "t", "--resync-at-slot-drift", "-0.1"}, "--resync-at-slot-drift"},
      {{"--stream-table", "t", "--resync-at-slot-drift", "2"}, "--resync-at-slot-drift"},
      {{"--stream-table", "t", "--resync-at-slot-drift", "nan"}, "--resync-at-slot-drift"},
      {{"--resync-at-slot-drift", "0.05"}, "--stream-table"},
      {{"--renumber-online-at-drift", "-0.1"}, "--renumber-online-at-drift"},
      {{"--renumber-online-at-drift", "1.5"}, "--renumber-online-at-drift"},
      {{"--renumber-online-at-drift", "nan"}, "--renumber-online-at-drift"},
      {{"--renumber-online-at-drift", "lots"}, "--renumber-online-at-drift"},
      {{"--prefetch-mb", "-2"}, "--prefetch-mb"},
      {{"--prefetch-mb", "all"}, "--prefetch-mb"},
      {{"--max-message-bytes", "10"}, "--max-message-bytes"},
      {{"--max-message-bytes", "4294967296"}, "--max-message-bytes"},
      {{"--log-level", "chatty"}, "--log-level"},
      {{"--log-buffer-mb", "0"}, "--log-buffer-mb"},
      {{"--log-buffer-mb", "1025"}, "--log-buffer-mb"},
      {{"--test-search-delay-ms", "-5"}, "--test-search-delay-ms"},
      {{"--tombstone-ttl", "7d"}, "--tombstone-ttl"},
      {{"--tombstone-ttl", "-1h"}, "--tombstone-ttl"},
      {{"--tombstone-ttl", "500ms"}, "--tombstone-ttl"},
      {{"--tombstone-ttl", "100000h"}, "--tombstone-ttl"},
      {{"--tombstone-purge-interval", "10ms"}, "--tombstone-purge-interval"},
      {{"--tombstone-purge-interval", "25h"}, "--tombstone-purge-interval"},
      {{"--tombstone-purge-interval", "often"}, "--tombstone-purge-interval"},
      {{"--no-such-flag"}, "--no-such-flag"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"--index", "/d"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    EXPECT_EQ(Parse(args), 2) << c.args[0];
    EXPECT_THAT(err_.str(), HasSubstr(c.flag)) << c.args[0];
  }
}

TEST_F(ServerFlagsTest, BadEnvironmentValueNamesTheFlagAndTheVariable) {
  // Not a number (CLI11's conversion), and out of range (our validation).
  for (const char* value : {"soon", "60001"}) {
    ::setenv("INKDEX_COMMIT_INTERVAL_MS", value, 1);
    EXPECT_EQ(Parse({"--index", "/d"}), 2) << value;
    EXPECT_THAT(err_.str(), HasSubstr("--commit-interval-ms")) << value;
    EXPECT_THAT(err_.str(), HasSubstr("INKDEX_COMMIT_INTERVAL_MS")) << value;
  }
  // "--listen" is in "--metrics-listen": the note is about the right one.
  ::setenv("INKDEX_METRICS_LISTEN", "localhost:9464", 1);
  EXPECT_EQ(Parse({"--index", "/d", "--commit-interval-ms", "5"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("INKDEX_METRICS_LISTEN"));
  // A bad value on the command line beats a good one in the environment,
  // and is not blamed on it.
  ::setenv("INKDEX_COMMIT_INTERVAL_MS", "5", 1);
  ::unsetenv("INKDEX_METRICS_LISTEN");
  EXPECT_EQ(Parse({"--index", "/d", "--commit-interval-ms", "60001"}), 2);
  EXPECT_THAT(err_.str(), Not(HasSubstr("INKDEX_COMMIT_INTERVAL_MS")));
}

TEST_F(ServerFlagsTest, PrefetchBudgetIsTheFlagOrHalfTheAvailableMemory) {
  const std::string meminfo =
      "MemTotal:       24683620 kB\nMemFree:        22000000 kB\n"
      "MemAvailable:   20000000 kB\nBuffers:           12345 kB\n";
  const uint64_t half = uint64_t{20000000} * 1024 / 2;
  ASSERT_EQ(Parse({"--index", "/d"}), -1) << err_.str();
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {meminfo, "", ""}), half);
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {"MemTotal: 1000 kB\n", "", ""}), 0u) << "no MemAvailable";
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {"MemAvailable: lots kB\n", "", ""}), 0u);
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {}), 0u);
  // A container's cgroup: what its limit leaves, when that is less.
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {meminfo, "4294967296\n", "1073741824\n"}),
            uint64_t{3} << 29);
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {meminfo, "1073741824\n", "2147483648\n"}), 0u)
      << "over its limit already";
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {meminfo, "max\n", "1073741824\n"}), half);
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {meminfo, "9223372036854771712\n", "5\n"}), half)
      << "cgroup v1's unlimited";
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {meminfo, "1099511627776\n", "5\n"}), half)
      << "a limit above what the machine has";
  ASSERT_EQ(Parse({"--index", "/d", "--prefetch-mb", "0"}), -1) << err_.str();
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {meminfo, "", ""}), 0u);
  ASSERT_EQ(Parse({"--index", "/d", "--prefetch-mb", "64"}), -1) << err_.str();
  EXPECT_EQ(PrefetchBudgetBytes(flags_, {meminfo, "1", "0"}), uint64_t{64} << 20)
      << "a MiB count is taken as given";
}

TEST(CheckIndexParentTest, OnlyTheIndexDirectoryItselfMayBeMissing) {
  inkdex::testing::TempDir dir;
  const std::string& root = dir.path();
  EXPECT_TRUE(CheckIndexParent(root + "/index").ok());
  EXPECT_TRUE(CheckIndexParent(root + "/index/").ok());
  EXPECT_TRUE(CheckIndexParent(root).ok());
  EXPECT_TRUE(CheckIndexParent("relative-index").ok());  // in the working directory
  const absl::Status missing = CheckIndexParent(root + "/no-such-dir/index");
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.message(), HasSubstr("--index"));
  EXPECT_THAT(missing.message(), HasSubstr(root + "/no-such-dir' does not exist"));
}

TEST_F(ServerFlagsTest, HelpExplainsEveryFlagAndItsVariable) {
  EXPECT_EQ(Parse({"--help"}), 0);
  const std::string help = out_.str();
  for (const char* flag : {"--index",
                           "--listen",
                           "--metrics-listen",
                           "--write-token-file",
                           "--read-token-file",
                           "--tls-cert",
                           "--tls-key",
                           "--max-concurrent-requests",
                           "--commit-interval-ms",
                           "--max-message-bytes",
                           "--log-level",
                           "--tombstone-ttl",
                           "--tombstone-purge-interval",
                           "INKDEX_TOMBSTONE_TTL",
                           "--prefetch-mb",
                           "INKDEX_PREFETCH_MB",
                           "--bootstrap-table",
                           "INKDEX_BOOTSTRAP_TABLE",
                           "INKDEX_INDEX",
                           "INKDEX_LISTEN",
                           "INKDEX_WRITE_TOKEN",
                           "INKDEX_READ_TOKEN",
                           "SIGTERM",
                           "SIGHUP",
                           "/healthz",
                           "\"event\":\"listening\""}) {
    EXPECT_THAT(help, HasSubstr(flag));
  }
  EXPECT_THAT(help, Not(HasSubstr("--test-search-delay-ms")));
}

TEST_F(ServerFlagsTest, VersionFlag) {
  EXPECT_EQ(Parse({"--version"}), 0);
  EXPECT_THAT(out_.str(), HasSubstr(std::string("inkdex-server ") + ServerVersion()));
}

TEST(CheckListenAddressTest, Shapes) {
  EXPECT_TRUE(CheckListenAddress("127.0.0.1:0", "--listen", false).ok());
  EXPECT_TRUE(CheckListenAddress("localhost:50051", "--listen", false).ok());
  EXPECT_TRUE(CheckListenAddress("[::1]:50051", "--listen", false).ok());
  EXPECT_TRUE(CheckListenAddress("[::]:0", "--listen", false).ok());
  EXPECT_FALSE(CheckListenAddress("50051", "--listen", false).ok());
  EXPECT_TRUE(CheckListenAddress("9464", "--metrics-listen", true).ok());
  EXPECT_TRUE(CheckListenAddress("[::1]:9464", "--metrics-listen", true).ok());
  EXPECT_FALSE(CheckListenAddress("[zz]:9464", "--metrics-listen", true).ok());
  absl::Status bad = CheckListenAddress("127.0.0.1:-3", "--listen", false);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("--listen"));
  EXPECT_THAT(bad.message(), HasSubstr("127.0.0.1:-3"));
}

TEST(WithPortTest, ReplacesThePort) {
  EXPECT_EQ(WithPort("127.0.0.1:0", 41234), "127.0.0.1:41234");
  EXPECT_EQ(WithPort("[::1]:0", 5), "[::1]:5");
  EXPECT_EQ(WithPort("0", 7), "0.0.0.0:7");
}

class LoadServerTokensTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << content;
    return path;
  }
  inkdex::testing::TempDir dir_;
};

TEST_F(LoadServerTokensTest, FilesEnvironmentAndNone) {
  ServerFlags flags;
  absl::StatusOr<ServerTokens> none = LoadServerTokens(flags);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->write, "");
  EXPECT_EQ(none->read, "");

  flags.write_token_file = Write("w", "from-file\n");
  flags.read_token_env = "from-env\n";
  absl::StatusOr<ServerTokens> tokens = LoadServerTokens(flags);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->write, "from-file");
  EXPECT_EQ(tokens->read, "from-env");
}

TEST_F(LoadServerTokensTest, ErrorsNameTheSource) {
  ServerFlags flags;
  flags.read_token_file = dir_.path() + "/missing";
  absl::StatusOr<ServerTokens> tokens = LoadServerTokens(flags);
  ASSERT_FALSE(tokens.ok());
  EXPECT_THAT(tokens.status().message(), HasSubstr("--read-token-file"));

  flags = ServerFlags();
  flags.write_token_env = "has space";
  tokens = LoadServerTokens(flags);
  ASSERT_FALSE(tokens.ok());
  EXPECT_THAT(tokens.status().message(), HasSubstr("INKDEX_WRITE_TOKEN"));
  EXPECT_THAT(tokens.status().message(), Not(HasSubstr("has space")));
}

}  // namespace
}  // namespace inkdex::server
