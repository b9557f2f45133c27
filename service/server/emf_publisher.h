// EmfPublisher: inkdex-server's key metrics as CloudWatch embedded metric
// format (EMF) lines in its JSON log, so that a deployment whose logs go to
// CloudWatch Logs (ECS's awslogs driver, PutLogEvents) gets them as
// CloudWatch metrics, and can alarm on them, with nothing scraping /metrics.
// CloudWatch Logs extracts the metrics of any log event that is an EMF
// document; no header or agent is needed.
//
// Every interval a thread refreshes the gauges (the hook a /metrics scrape
// runs), collects the Prometheus registry and writes one line:
//
//   {"ts":"...","level":"info","event":"metrics",
//    "_aws":{"Timestamp":1764460800000,"CloudWatchMetrics":[{
//      "Namespace":"Inkdex","Dimensions":[["ClusterName"]],
//      "Metrics":[{"Name":"inkdex_stream_max_lag_seconds","Unit":"Seconds"},...]}]},
//    "ClusterName":"inkdex-prod","inkdex_stream_max_lag_seconds":0.4,...}
//
// What each published metric is (kEmfMetrics): a gauge is its largest value
// over its label sets (the most lagging shard) or their sum (records behind
// over all shards); a counter is its growth since the previous line, summed
// over the label sets it selects, so CloudWatch's Sum over a period is the
// count in that period (the first line counts from the process start). A
// gauge with no series is left out of the line rather than written as 0; a
// counter with no series yet (none of its events so far) is 0. The
// line is written whatever --log-level is, and once more when the publisher
// stops (the counters' last growth is not lost at shutdown).
//
// Cost: one registry Collect (all series, histograms included: ~1,000 at
// most) per interval, ~1 KB of log; on CloudWatch, one custom metric per
// name and dimension set (13 by default, 18 with a table; --emf-metrics chooses).
//
// Example:
//   EmfPublisher::Options options;
//   options.interval = absl::Seconds(60);
//   options.format.dimensions = {{"ClusterName", "inkdex-prod"}};
//   options.registry = metrics.registry();
//   options.refresh = [&] { metrics.SetIndexGauges(...); };
//   options.log = &log;
//   EmfPublisher publisher(std::move(options));  // publishes until Stop()
//
// Thread safety: EmfFormat is not thread-safe (it keeps the counters' last
// totals); EmfPublisher's methods may be called from any thread.
// Ownership: the log must outlive the publisher; `refresh` is called on the
// publisher's thread until Stop() returns.
#ifndef INKDEX_SERVICE_SERVER_EMF_PUBLISHER_H_
#define INKDEX_SERVICE_SERVER_EMF_PUBLISHER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/json_log.h"

namespace inkdex::server {

// How a Prometheus family becomes one EMF value.
enum class EmfAggregation {
  kGaugeMax,      // the largest value over the selected series
  kGaugeSum,      // their sum
  kCounterDelta,  // growth of their sum since the previous line
};

struct EmfMetric {
  absl::string_view name;    // the CloudWatch metric name
  absl::string_view family;  // the Prometheus family it is read from
  // Series selection: only series whose label `label` has one of the
  // comma-separated `values`; empty `label`: every series.
  absl::string_view label;
  absl::string_view values;
  EmfAggregation aggregation;
  absl::string_view unit;  // a CloudWatch unit
  // Read from the stream reader's or table bootstrapper's metrics
  // (stream_metrics.h), which exist only with --stream-table or
  // --bootstrap-table.
  bool needs_table = false;
};

// The metrics EMF lines can carry (by default all of them, less those that
// need a table on a server that follows none: DefaultEmfMetrics). The names are
// the Prometheus ones where the family maps one to one, so dashboards and
// alarms read the same name in both places.
inline constexpr EmfMetric kEmfMetrics[] = {
    {"inkdex_stream_max_lag_seconds", "inkdex_stream_max_lag_seconds", "", "",
     EmfAggregation::kGaugeMax, "Seconds", true},
    {"inkdex_stream_records_behind", "inkdex_stream_shard_records_behind", "", "",
     EmfAggregation::kGaugeSum, "Count", true},
    {"inkdex_stream_records_applied", "inkdex_stream_records_total", "outcome", "applied",
     EmfAggregation::kCounterDelta, "Count"},
    {"inkdex_stream_records_rejected", "inkdex_stream_records_total", "outcome", "rejected",
     EmfAggregation::kCounterDelta, "Count"},
    {"inkdex_stream_records_failed", "inkdex_stream_records_total", "outcome", "failed",
     EmfAggregation::kCounterDelta, "Count"},
    {"inkdex_stream_resyncs", "inkdex_stream_resyncs_total", "", "", EmfAggregation::kCounterDelta,
     "Count", true},
    {"inkdex_stream_read_errors", "inkdex_stream_read_errors_total", "", "",
     EmfAggregation::kCounterDelta, "Count", true},
    {"inkdex_dynamodb_throttles", "inkdex_dynamodb_requests_total", "kind", "throttled",
     EmfAggregation::kCounterDelta, "Count", true},
    {"inkdex_commit_age_seconds", "inkdex_commit_age_seconds", "", "", EmfAggregation::kGaugeMax,
     "Seconds"},
    {"inkdex_commit_failures", "inkdex_commits_total", "result", "error",
     EmfAggregation::kCounterDelta, "Count"},
    {"inkdex_requests", "inkdex_requests_total", "", "", EmfAggregation::kCounterDelta, "Count"},
    // Log lines a stalled log reader cost (log_writer.h): reported by the
    // first line written after the stall, so the alarm fires once logs flow.
    {"inkdex_log_lines_dropped", "inkdex_log_lines_dropped_total", "", "",
     EmfAggregation::kCounterDelta, "Count"},
    // What a caller cannot fix by changing the request: the server's faults
    // and overload (gRPC answers them in HTTP 200, so the load balancer's
    // 5xx counts miss them).
    {"inkdex_request_errors", "inkdex_requests_total", "code",
     "INTERNAL,UNKNOWN,DATA_LOSS,UNAVAILABLE,RESOURCE_EXHAUSTED", EmfAggregation::kCounterDelta,
     "Count"},
    {"inkdex_in_flight_requests", "inkdex_in_flight_requests", "", "", EmfAggregation::kGaugeMax,
     "Count"},
    {"inkdex_documents", "inkdex_documents", "", "", EmfAggregation::kGaugeMax, "Count"},
    {"inkdex_searchable_documents", "inkdex_searchable_documents", "", "",
     EmfAggregation::kGaugeMax, "Count"},
    {"inkdex_index_disk_free_bytes", "inkdex_index_disk_free_bytes", "", "",
     EmfAggregation::kGaugeMax, "Bytes"},
    {"inkdex_index_memory_bytes", "inkdex_index_memory_bytes", "", "", EmfAggregation::kGaugeMax,
     "Bytes"},
    // The slot layout's drift (README "An index fed for long"): the
    // slot-drift alarm says when to repair.
    {"inkdex_index_slot_layout_drift", "inkdex_index_slot_layout_drift", "", "",
     EmfAggregation::kGaugeMax, "None"},
    {"process_resident_memory_bytes", "process_resident_memory_bytes", "", "",
     EmfAggregation::kGaugeMax, "Bytes"},
};

// What the lines say besides the values.
struct EmfFormatOptions {
  std::string cloudwatch_namespace = "Inkdex";
  // Name and value of each dimension, in order (one dimension set).
  std::vector<std::pair<std::string, std::string>> dimensions;
  // Names from kEmfMetrics, in the order written; empty: all of them
  // (DefaultEmfMetrics chooses for a server).
  std::vector<std::string> metrics;
};

// The metrics lines carry when no list is given: all of kEmfMetrics, less
// those that need a table when the server follows none.
std::vector<std::string> DefaultEmfMetrics(bool with_table);

// Checks a CloudWatch namespace: 1..255 ASCII characters, printable, not
// beginning with ':' (nor "AWS/", which is Amazon's). Errors name `flag`.
absl::Status CheckEmfNamespace(absl::string_view ns, absl::string_view flag);

// Parses "Name=Value[,Name=Value...]" (empty: none). At most 30; names
// 1..250 and values 1..1024 printable ASCII characters, a name not beginning
// with ':', unique, and not a metric's name or a field every log line has
// ("ts", "level", "event", "_aws"). Errors name `flag` and the dimension.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseEmfDimensions(
    absl::string_view text, absl::string_view flag);

// Parses a comma-separated list of kEmfMetrics names ("all" or empty: all
// of them). Errors name `flag`, the unknown name and the known ones.
absl::StatusOr<std::vector<std::string>> ParseEmfMetrics(absl::string_view text,
                                                         absl::string_view flag);

// Turns collected registries into EMF documents, remembering the counters'
// totals between documents.
class EmfFormat {
 public:
  // REQUIRES: the options passed the checks above.
  explicit EmfFormat(EmfFormatOptions options);

  // The document's members (no "ts"/"level"/"event"): "_aws", the
  // dimensions, then one number per metric that has series. Non-finite
  // values are left out (JSON has no NaN).
  nlohmann::ordered_json Format(const std::vector<prometheus::MetricFamily>& families,
                                absl::Time now);

 private:
  EmfFormatOptions options_;
  std::vector<const EmfMetric*> metrics_;
  absl::flat_hash_map<absl::string_view, double> last_totals_;  // by metric name
};

class EmfPublisher {
 public:
  struct Options {
    absl::Duration interval = absl::Seconds(60);  // REQUIRES: > 0
    EmfFormatOptions format;
    std::shared_ptr<prometheus::Registry> registry;  // REQUIRES: non-null
    // Brings the gauges up to date before each collect; may be empty.
    std::function<void()> refresh;
    JsonLog* log = nullptr;  // REQUIRES: non-null
  };

  // Starts the thread; the first line is written one interval later.
  explicit EmfPublisher(Options options);
  ~EmfPublisher();  // Stop()
  EmfPublisher(const EmfPublisher&) = delete;
  EmfPublisher& operator=(const EmfPublisher&) = delete;

  // Writes a line now (after any line being written).
  void PublishNow();

  // Stops the thread and writes a last line. Idempotent.
  void Stop();

 private:
  void Loop();

  Options options_;
  absl::Mutex publish_mu_;
  EmfFormat format_ ABSL_GUARDED_BY(publish_mu_);
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex stop_mu_;
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread thread_;  // last: starts after the members it reads
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_EMF_PUBLISHER_H_
