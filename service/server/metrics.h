// ServerMetrics: inkdex-server's Prometheus metrics, in one registry that
// MetricsHttpServer exposes at /metrics.
//
//   inkdex_requests_total{method,code}          counter: finished calls
//   inkdex_request_duration_seconds{method,code}
//                                               histogram: handler time (code:
//                                               the gRPC status code name, so
//                                               at most 17 series per method)
//   inkdex_in_flight_requests                   gauge: admitted calls running
//                                               or waiting for a read thread
//   inkdex_read_queue_wait_seconds              histogram: how long an admitted
//                                               read waited for a read thread
//                                               (read_loops.h; point reads,
//                                               which never wait, not counted)
//   inkdex_documents                            gauge: live documents
//   inkdex_searchable_documents                 gauge: of which searchable
//   inkdex_commit_age_seconds                   gauge: now - last commit time
//   inkdex_commits_total{result}                counter: group commits, ok|error
//   inkdex_committed_changes_total              counter: changes in ok commits
//   inkdex_commit_duration_seconds              histogram: one commit's Apply
//   inkdex_index_generation                     gauge: 1 at start, +1 per swap
//   inkdex_index_memory_bytes                   gauge: the served index's in-memory
//                                               search structures
//   inkdex_index_disk_bytes                     gauge: its files (RocksDB + Xapian)
//   inkdex_index_disk_free_bytes                gauge: available on its volume
//                                               (writes refused under
//                                               --min-free-disk-mb)
//   inkdex_index_item_states                    gauge: artists with kept states
//                                               of other table items
//   inkdex_tombstones                           gauge: deleted ids remembered
//   inkdex_tombstone_purges_total{result}       counter: purge runs, ok|error
//   inkdex_tombstones_purged_total              counter: tombstones forgotten
//   inkdex_slot_renumberings_total{result}      counter: renumberings while
//                                               serving (slot_renumberer.h), ok|error
//   inkdex_slot_renumbering_in_progress         gauge: 1 while one runs (the
//                                               server holds two indexes)
//   inkdex_log_lines_dropped_total              counter: log lines a stalled
//                                               stderr reader cost (log_writer.h)
//   process_resident_memory_bytes               gauge: the process's RSS
//   process_cpu_seconds_total                   counter: user + system CPU
//   process_start_time_seconds                  gauge: Unix time the metrics started
//   inkdex_stream_records_total{source,outcome,reason}
//                                               counter: DynamoDB stream records
//                                               handled (RecordStreamRecords)
// `code` is the gRPC status code name ("OK", "INVALID_ARGUMENT", ...). The
// index gauges are set by SetIndexGauges and the process ones by
// SetProcessMetrics, which the server calls before each scrape, so they are
// never older than the scrape. The process_* names are Prometheus's standard
// ones (what its client libraries export), so existing dashboards apply.
//
// Thread safety: thread-safe (prometheus-cpp metrics are atomic; families
// lock when a new label set is added).
#ifndef INKDEX_SERVICE_SERVER_METRICS_H_
#define INKDEX_SERVICE_SERVER_METRICS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <grpcpp/support/status_code_enum.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "inkdex/index.h"

namespace inkdex::server {

// "OK", "CANCELLED", ..., "UNAUTHENTICATED"; "UNKNOWN" for a value outside
// the enum.
std::string StatusCodeName(grpc::StatusCode code);

// Where a stream record came from: the ApplyStreamRecords RPC (a Lambda) or
// the server's own stream reader.
enum class StreamRecordSource { kLambda, kReader };
// What became of it (the RPC's StreamRecordResult outcomes).
enum class StreamRecordOutcome { kApplied, kStale, kIgnored, kRejected, kFailed };

// The `reason` label values of inkdex_stream_records_total; any other value
// is counted as "other", so the label stays bounded:
//   none            applied, stale
//   other_item      ignored: not an artist item (studio, style, ...)
//   invalid_field   rejected: the artist image (no coordinates, wrong types)
//   missing_image   rejected: no NewImage (or OldImage) where one is needed
//   invalid_record  rejected: the record itself (not JSON, no or bad
//                   SequenceNumber, unknown eventName, no keys, other stream)
//   index_rejected  rejected by the index at commit
//   commit_failed   failed: the commit failed
// stream/record_mapper.h MetricReason gives the label of a mapped record.
inline constexpr std::string_view kStreamRecordReasons[] = {
    "none",           "other_item",     "invalid_field", "missing_image",
    "invalid_record", "index_rejected", "commit_failed"};

// The process's resource use, read from the kernel.
struct ProcessSample {
  uint64_t resident_bytes = 0;  // /proc/self/statm
  double cpu_seconds = 0;       // getrusage(RUSAGE_SELF): user + system
};
// Cost: one small /proc read and one getrusage call.
ProcessSample ReadProcessSample();

class ServerMetrics {
 public:
  ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // Shared with the HTTP exposer; metrics stay valid while either holds it.
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  void CallAdmitted() { in_flight_.Increment(); }
  void CallReleased() { in_flight_.Decrement(); }
  void RecordCall(std::string_view method, grpc::StatusCode code, absl::Duration duration);
  // An admitted read call started running after waiting `wait` in the
  // read loops' queue.
  void RecordQueueWait(absl::Duration wait) {
    read_queue_wait_.Observe(absl::ToDoubleSeconds(wait));
  }

  void RecordCommit(absl::Duration duration, size_t changes, bool ok);
  // One run of the tombstone purger (tombstone_purger.h).
  void RecordTombstonePurge(uint64_t purged, bool ok);
  // One renumbering while serving (slot_renumberer.h).
  void RecordSlotRenumbering(bool ok) {
    (ok ? slot_renumberings_ok_ : slot_renumberings_failed_).Increment();
    slot_renumbering_in_progress_.Set(0);
  }
  // A renumbering started; RecordSlotRenumbering ends it.
  void RecordSlotRenumberingStart() { slot_renumbering_in_progress_.Set(1); }

  // Adds `count` to inkdex_stream_records_total{source, outcome, reason}.
  // `reason` is one of kStreamRecordReasons (else counted as "other").
  void RecordStreamRecords(StreamRecordSource source, StreamRecordOutcome outcome,
                           std::string_view reason, uint64_t count = 1);

  // Sets the index gauges from the served index's stats. A never-committed
  // index (last_commit_unix_micros == 0) leaves the commit age unchanged.
  void SetIndexGauges(const IndexStats& stats, uint64_t generation, absl::Time now);

  // Sets inkdex_index_slot_layout_drift (SlotLayout::Drift).
  void SetSlotLayout(const SlotLayout& layout);

  // Sets the process_* metrics. The CPU counter only moves forward (a
  // sample older than the last is ignored).
  void SetProcessMetrics(const ProcessSample& sample);
  // `total`: the log lines dropped so far (LogWriter::dropped_lines).
  void SetLogLinesDropped(uint64_t total);

 private:
  static constexpr int kCodes = static_cast<int>(grpc::StatusCode::UNAUTHENTICATED) + 1;
  // One method's and code's series, found once: Family::Add builds a metric
  // object before looking the labels up, too costly for every call.
  struct CallSeries {
    prometheus::Counter* requests = nullptr;
    prometheus::Histogram* duration = nullptr;
  };
  using MethodSeries = std::array<CallSeries, kCodes>;  // by code, added on first use
  CallSeries Series(std::string_view method, grpc::StatusCode code);
  static constexpr size_t kStreamSources = 2;
  static constexpr size_t kStreamOutcomes = 5;
  static constexpr size_t kStreamReasons = std::size(kStreamRecordReasons) + 1;  // + "other"
  prometheus::Counter& StreamRecordCounter(size_t source, size_t outcome, size_t reason);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_duration_;
  prometheus::Gauge& in_flight_;
  prometheus::Histogram& read_queue_wait_;
  prometheus::Gauge& documents_;
  prometheus::Gauge& searchable_documents_;
  prometheus::Gauge& commit_age_;
  prometheus::Counter& commits_ok_;
  prometheus::Counter& commits_failed_;
  prometheus::Counter& committed_changes_;
  prometheus::Histogram& commit_duration_;
  prometheus::Gauge& generation_;
  prometheus::Gauge& index_memory_;
  prometheus::Gauge& index_disk_;
  prometheus::Gauge& index_disk_free_;
  prometheus::Gauge& item_states_;
  prometheus::Gauge& slot_layout_drift_;
  prometheus::Gauge& tombstones_;
  prometheus::Counter& tombstone_purges_ok_;
  prometheus::Counter& tombstone_purges_failed_;
  prometheus::Counter& tombstones_purged_;
  prometheus::Counter& slot_renumberings_ok_;
  prometheus::Counter& slot_renumberings_failed_;
  prometheus::Gauge& slot_renumbering_in_progress_;
  prometheus::Gauge& resident_memory_;
  prometheus::Counter& cpu_seconds_;
  prometheus::Gauge& start_time_;
  prometheus::Counter& log_lines_dropped_;
  // Moves `counter` up to `total`, which is kept elsewhere (never down).
  void AdvanceTo(prometheus::Counter& counter, double total);
  absl::Mutex advance_mutex_;  // serializes AdvanceTo's read-and-add

  prometheus::Family<prometheus::Counter>& stream_records_;

  absl::Mutex series_mutex_;
  std::unordered_map<std::string, MethodSeries> series_ ABSL_GUARDED_BY(series_mutex_);
  // inkdex_stream_records_total series, added on first use.
  std::array<prometheus::Counter*, kStreamSources * kStreamOutcomes * kStreamReasons> stream_series_
      ABSL_GUARDED_BY(series_mutex_){};
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_METRICS_H_
