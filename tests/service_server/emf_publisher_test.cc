#include "server/emf_publisher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "server/metrics.h"
#include "server/stream_metrics.h"
#include "service_server/shell_test_util.h"

namespace inkdex::server {
namespace {

using ::testing::HasSubstr;
using testing::LogCapture;
using Json = nlohmann::ordered_json;

const absl::Time kEmfNow = absl::FromUnixMillis(1764460800123);

// The {Name, Unit} definitions of a document's one directive, by name.
std::map<std::string, std::string> Definitions(const Json& doc) {
  std::map<std::string, std::string> units;
  for (const Json& m : doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]) {
    units[m["Name"].get<std::string>()] = m["Unit"].get<std::string>();
  }
  return units;
}

// The rules of CloudWatch's embedded metric format that a line must keep
// (tests/service/emf_schema.json holds them for the end-to-end test): one
// directive whose every metric and dimension is a root member of the right
// type.
void ExpectEmfDocument(const Json& doc) {
  ASSERT_TRUE(doc.contains("_aws")) << doc.dump();
  ASSERT_TRUE(doc["_aws"]["Timestamp"].is_number_integer()) << doc.dump();
  const Json& directives = doc["_aws"]["CloudWatchMetrics"];
  ASSERT_EQ(directives.size(), 1u) << doc.dump();
  ASSERT_TRUE(directives[0]["Namespace"].is_string());
  ASSERT_GE(directives[0]["Dimensions"].size(), 1u);
  for (const Json& name : directives[0]["Dimensions"][0]) {
    ASSERT_TRUE(doc.contains(name.get<std::string>())) << name;
    EXPECT_TRUE(doc[name.get<std::string>()].is_string()) << name;
  }
  EXPECT_LE(directives[0]["Metrics"].size(), 100u);
  for (const Json& m : directives[0]["Metrics"]) {
    const std::string name = m["Name"].get<std::string>();
    ASSERT_TRUE(doc.contains(name)) << name;
    EXPECT_TRUE(doc[name].is_number()) << name;
  }
}

TEST(EmfFormatTest, GaugesTakeTheLargestOrTheSumAndCountersTheirGrowth) {
  prometheus::Registry registry;
  auto& lag = prometheus::BuildGauge().Name("inkdex_stream_max_lag_seconds").Register(registry);
  lag.Add({}).Set(2.5);
  auto& behind =
      prometheus::BuildGauge().Name("inkdex_stream_shard_records_behind").Register(registry);
  behind.Add({{"shard", "a"}}).Set(3);
  behind.Add({{"shard", "b"}}).Set(4);
  auto& requests = prometheus::BuildCounter().Name("inkdex_requests_total").Register(registry);
  prometheus::Counter& ok = requests.Add({{"method", "Search"}, {"code", "OK"}});
  prometheus::Counter& internal = requests.Add({{"method", "Search"}, {"code", "INTERNAL"}});
  prometheus::Counter& invalid = requests.Add({{"method", "Search"}, {"code", "INVALID_ARGUMENT"}});
  ok.Increment(10);
  internal.Increment(2);
  invalid.Increment(5);

  EmfFormatOptions options;
  options.dimensions = {{"ClusterName", "inkdex-prod"}, {"Replica", "r1"}};
  options.metrics = {"inkdex_stream_max_lag_seconds", "inkdex_stream_records_behind",
                     "inkdex_requests", "inkdex_request_errors"};
  EmfFormat format(options);
  Json doc = format.Format(registry.Collect(), kEmfNow);
  ExpectEmfDocument(doc);
  EXPECT_EQ(doc["_aws"]["Timestamp"], 1764460800123);
  EXPECT_EQ(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Inkdex");
  EXPECT_EQ(doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            Json::parse(R"([["ClusterName","Replica"]])"));
  EXPECT_EQ(doc["ClusterName"], "inkdex-prod");
  EXPECT_EQ(doc["Replica"], "r1");
  EXPECT_EQ(Definitions(doc),
            (std::map<std::string, std::string>{{"inkdex_request_errors", "Count"},
                                                {"inkdex_requests", "Count"},
                                                {"inkdex_stream_max_lag_seconds", "Seconds"},
                                                {"inkdex_stream_records_behind", "Count"}}));
  EXPECT_EQ(doc["inkdex_stream_max_lag_seconds"], 2.5);
  EXPECT_EQ(doc["inkdex_stream_records_behind"], 7);  // summed over shards
  EXPECT_EQ(doc["inkdex_requests"], 17);              // since the start
  EXPECT_EQ(doc["inkdex_request_errors"], 2);         // INTERNAL, not INVALID_ARGUMENT

  // The next line counts what happened since this one.
  ok.Increment(3);
  internal.Increment(1);
  lag.Add({}).Set(0.5);
  doc = format.Format(registry.Collect(), kEmfNow + absl::Seconds(60));
  EXPECT_EQ(doc["inkdex_requests"], 4);
  EXPECT_EQ(doc["inkdex_request_errors"], 1);
  EXPECT_EQ(doc["inkdex_stream_max_lag_seconds"], 0.5);
  doc = format.Format(registry.Collect(), kEmfNow + absl::Seconds(120));
  EXPECT_EQ(doc["inkdex_requests"], 0);
}

TEST(EmfFormatTest, AGaugeWithoutSeriesIsLeftOutAndACounterWithoutSeriesIsZero) {
  prometheus::Registry registry;
  prometheus::BuildGauge()
      .Name("inkdex_documents")
      .Register(registry)
      .Add({})
      .Set(std::numeric_limits<double>::quiet_NaN());
  EmfFormat format(EmfFormatOptions{});  // every metric, no dimensions
  const Json doc = format.Format(registry.Collect(), kEmfNow);
  ExpectEmfDocument(doc);
  EXPECT_EQ(doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"], Json::parse("[[]]"));
  EXPECT_FALSE(doc.contains("inkdex_documents"));  // NaN: JSON has none
  EXPECT_FALSE(doc.contains("inkdex_stream_max_lag_seconds"));
  EXPECT_EQ(doc["inkdex_commit_failures"], 0);
  EXPECT_EQ(doc["inkdex_log_lines_dropped"], 0);
  EXPECT_EQ(doc["inkdex_stream_resyncs"], 0);
  const std::map<std::string, std::string> units = Definitions(doc);
  EXPECT_FALSE(units.contains("inkdex_documents"));
  EXPECT_TRUE(units.contains("inkdex_commit_failures"));
}

TEST(EmfFormatTest, ACounterTotalThatFallsRestartsItsCount) {
  prometheus::Registry registry;
  auto& errors =
      prometheus::BuildCounter().Name("inkdex_stream_read_errors_total").Register(registry);
  prometheus::Counter& denied = errors.Add({{"code", "AccessDeniedException"}});
  prometheus::Counter& throttled = errors.Add({{"code", "LimitExceededException"}});
  denied.Increment(5);
  throttled.Increment(2);
  EmfFormatOptions options;
  options.metrics = {"inkdex_stream_read_errors"};
  EmfFormat format(options);
  EXPECT_EQ(format.Format(registry.Collect(), kEmfNow)["inkdex_stream_read_errors"], 7);
  errors.Remove(&denied);  // the total falls from 7 to 2
  EXPECT_EQ(format.Format(registry.Collect(), kEmfNow)["inkdex_stream_read_errors"], 0);
  throttled.Increment(1);
  EXPECT_EQ(format.Format(registry.Collect(), kEmfNow)["inkdex_stream_read_errors"], 1);
}

// Every metric EMF lines can carry reads a family the server really
// registers, of the kind its aggregation expects, with the label it selects
// on: a renamed Prometheus metric would otherwise drop out of CloudWatch
// (and its alarm go quiet) without a word.
TEST(EmfFormatTest, EveryPublishableMetricIsReadFromTheServersOwnFamilies) {
  ServerMetrics metrics;
  StreamMetrics stream(*metrics.registry());
  metrics.RecordCall("Search", grpc::StatusCode::INTERNAL, absl::Milliseconds(1));
  metrics.RecordCommit(absl::Milliseconds(2), 3, /*ok=*/false);
  for (StreamRecordOutcome outcome : {StreamRecordOutcome::kApplied, StreamRecordOutcome::kRejected,
                                      StreamRecordOutcome::kFailed}) {
    metrics.RecordStreamRecords(StreamRecordSource::kReader, outcome, "none", 2);
  }
  IndexStats stats;
  stats.documents = 5;
  stats.last_commit_unix_micros = absl::ToUnixMicros(kEmfNow - absl::Seconds(4));
  metrics.SetIndexGauges(stats, 1, kEmfNow);
  metrics.SetProcessMetrics(ReadProcessSample());
  StreamSupervisorSnapshot snap;
  snap.state = "following";
  snap.current_as_of = kEmfNow;
  snap.follower = stream::FollowerStats{};
  stream::ShardStats shard;
  shard.shard_id = "shardId-1";
  shard.records_behind = 6;
  snap.follower->shards.push_back(shard);
  snap.resyncs_started = {{"trimmed", 1}};
  snap.read_errors = {{"ExpiredIteratorException", 1}};
  snap.streams_requests.throttled = 4;
  stream.Update(snap, kEmfNow);

  const std::vector<prometheus::MetricFamily> families = metrics.registry()->Collect();
  for (const EmfMetric& m : kEmfMetrics) {
    SCOPED_TRACE(std::string(m.name));
    const auto family =
        std::find_if(families.begin(), families.end(),
                     [&](const prometheus::MetricFamily& f) { return f.name == m.family; });
    ASSERT_NE(family, families.end()) << "no family " << m.family;
    EXPECT_EQ(family->type, m.aggregation == EmfAggregation::kCounterDelta
                                ? prometheus::MetricType::Counter
                                : prometheus::MetricType::Gauge);
    if (!m.label.empty()) {
      std::set<std::string> seen;
      for (const prometheus::ClientMetric& series : family->metric) {
        for (const auto& label : series.label) {
          if (label.name == m.label) seen.insert(label.value);
        }
      }
      EXPECT_FALSE(seen.empty()) << "no series has the label " << m.label;
    }
  }
  EmfFormat format(EmfFormatOptions{});
  const Json doc = format.Format(families, kEmfNow);
  ExpectEmfDocument(doc);
  EXPECT_EQ(Definitions(doc).size(), std::size(kEmfMetrics));
  EXPECT_EQ(doc["inkdex_request_errors"], 1);
  EXPECT_EQ(doc["inkdex_commit_failures"], 1);
  EXPECT_EQ(doc["inkdex_stream_records_applied"], 2);
  EXPECT_EQ(doc["inkdex_stream_records_rejected"], 2);
  EXPECT_EQ(doc["inkdex_stream_records_failed"], 2);
  EXPECT_EQ(doc["inkdex_stream_records_behind"], 6);
  EXPECT_EQ(doc["inkdex_stream_resyncs"], 1);
  EXPECT_EQ(doc["inkdex_stream_read_errors"], 1);
  EXPECT_EQ(doc["inkdex_dynamodb_throttles"], 4);
  EXPECT_EQ(doc["inkdex_documents"], 5);
  EXPECT_EQ(doc["inkdex_commit_age_seconds"], 4);
  EXPECT_GT(doc["process_resident_memory_bytes"].get<double>(), 0);
}

TEST(EmfFormatTest, DefaultMetricsLeaveOutTheTablesWithoutOne) {
  const std::vector<std::string> all = DefaultEmfMetrics(true);
  const std::vector<std::string> plain = DefaultEmfMetrics(false);
  EXPECT_EQ(all.size(), std::size(kEmfMetrics));
  EXPECT_THAT(plain, ::testing::Contains("inkdex_documents"));
  EXPECT_THAT(plain, ::testing::Contains("inkdex_stream_records_applied"));  // the Lambda path
  EXPECT_THAT(plain, ::testing::Not(::testing::Contains("inkdex_stream_max_lag_seconds")));
  EXPECT_THAT(all, ::testing::Contains("inkdex_stream_max_lag_seconds"));
}

TEST(EmfFlagsTest, DimensionsParseAndBadOnesSayWhy) {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> parsed =
      ParseEmfDimensions("ClusterName=inkdex-prod,Service=search api", "--emf-dimensions");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, (std::vector<std::pair<std::string, std::string>>{
                         {"ClusterName", "inkdex-prod"}, {"Service", "search api"}}));
  EXPECT_TRUE(ParseEmfDimensions("", "--emf-dimensions")->empty());

  std::string thirty_one;
  for (int i = 0; i <= 30; ++i) absl::StrAppend(&thirty_one, i ? "," : "", "D", i, "=v");
  const std::pair<std::string, std::string> bad[] = {
      {"ClusterName", "'ClusterName' is not Name=Value"},
      {"=x", "a name must be 1..250 printable ASCII characters"},
      {":Name=x", "not beginning with ':'"},
      {"Name= ", "its value must be 1..1024 printable ASCII"},
      {"Name=caf\xc3\xa9", "its value must be 1..1024 printable ASCII"},
      {"Name=a\tb", "its value must be 1..1024 printable ASCII"},
      {"Name=a,Name=b", "dimension 'Name': given twice"},
      {"level=x", "the name is a log field's or a metric's"},
      {"inkdex_documents=x", "the name is a log field's or a metric's"},
      {thirty_one, "31 dimensions, at most 30"},
  };
  for (const auto& [text, message] : bad) {
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> r =
        ParseEmfDimensions(text, "--emf-dimensions");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("--emf-dimensions: ")) << text;
    EXPECT_THAT(r.status().message(), HasSubstr(message)) << text;
  }
}

TEST(EmfFlagsTest, MetricListsAndNamespaces) {
  EXPECT_TRUE(ParseEmfMetrics("all", "--emf-metrics")->empty());
  EXPECT_EQ(*ParseEmfMetrics("inkdex_documents, inkdex_requests,inkdex_documents", "--emf-metrics"),
            (std::vector<std::string>{"inkdex_documents", "inkdex_requests"}));
  absl::StatusOr<std::vector<std::string>> unknown =
      ParseEmfMetrics("inkdex_documents,inkdex_requests_total", "--emf-metrics");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("--emf-metrics: unknown metric 'inkdex_requests_total'; known: all, "
                        "inkdex_stream_max_lag_seconds, "));

  EXPECT_TRUE(CheckEmfNamespace("Inkdex", "--emf-namespace").ok());
  EXPECT_TRUE(CheckEmfNamespace("Inkdex/Search prod", "--emf-namespace").ok());
  for (const std::string& ns :
       std::vector<std::string>{"", "AWS/Inkdex", ":Inkdex", "Ink\ndex", std::string(256, 'a')}) {
    const absl::Status s = CheckEmfNamespace(ns, "--emf-namespace");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << ns;
    EXPECT_THAT(s.message(), HasSubstr("--emf-namespace: ")) << ns;
  }
}

TEST(EmfPublisherTest, WritesALineOnDemandAndALastOneOnStopWhateverTheLogLevel) {
  LogCapture capture;
  JsonLog log(LogLevel::kError, capture.fd());  // calls and warnings are off
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::Gauge& documents =
      prometheus::BuildGauge().Name("inkdex_documents").Register(*registry).Add({});
  std::atomic<int> refreshes{0};
  EmfPublisher::Options options;
  options.interval = absl::Hours(1);  // no timed line within the test
  options.format.dimensions = {{"ClusterName", "test"}};
  options.format.metrics = {"inkdex_documents"};
  options.registry = registry;
  options.refresh = [&] { documents.Set(100 + refreshes.fetch_add(1)); };
  options.log = &log;
  EmfPublisher publisher(std::move(options));
  publisher.PublishNow();
  publisher.Stop();
  publisher.Stop();  // idempotent: no third line

  const std::vector<nlohmann::json> lines = capture.Lines();
  ASSERT_EQ(lines.size(), 2u) << capture.Text();
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["level"], "info");
    EXPECT_EQ(lines[i]["event"], "metrics");
    EXPECT_EQ(lines[i]["ClusterName"], "test");
    // Refreshed before each collect.
    EXPECT_EQ(lines[i]["inkdex_documents"], 100 + static_cast<int>(i));
    ExpectEmfDocument(Json::parse(lines[i].dump()));
  }
}

TEST(EmfPublisherTest, WritesOneLineEveryInterval) {
  LogCapture capture;
  JsonLog log(LogLevel::kInfo, capture.fd());
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildGauge().Name("inkdex_documents").Register(*registry).Add({}).Set(1);
  EmfPublisher::Options options;
  options.interval = absl::Milliseconds(50);
  options.registry = registry;
  options.log = &log;
  EmfPublisher publisher(std::move(options));
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (capture.Lines().size() < 3 && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(10));
  publisher.Stop();
  EXPECT_GE(capture.Lines().size(), 4u);  // three timed, one at Stop
}

}  // namespace
}  // namespace inkdex::server
