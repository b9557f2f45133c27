#include "server/metrics.h"

#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "absl/status/status.h"

namespace inkdex::server {

namespace {

using prometheus::Histogram;

// Request latencies of interest run from a cached lookup (< 1 ms) to a
// deadline-bound worst case (seconds).
Histogram::BucketBoundaries RequestBuckets() {
  return {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10};
}

// A read waits for a thread from nothing (an idle server) to the time the
// calls ahead of it take (a backlog of up to --max-concurrent-requests).
Histogram::BucketBoundaries QueueWaitBuckets() {
  return {0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1};
}

// A commit is a synced RocksDB write plus a Xapian commit: milliseconds to
// seconds for 10,000 changes.
Histogram::BucketBoundaries CommitBuckets() {
  return {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30};
}

prometheus::Gauge& AddGauge(prometheus::Registry& registry, const std::string& name,
                            const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Histogram& AddHistogram(prometheus::Registry& registry, const std::string& name,
                                    const std::string& help,
                                    const Histogram::BucketBoundaries& buckets) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry).Add({}, buckets);
}

prometheus::Counter& AddCounter(prometheus::Registry& registry, const std::string& name,
                                const std::string& help,
                                const std::map<std::string, std::string>& labels = {}) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add(labels);
}

}  // namespace

std::string StatusCodeName(grpc::StatusCode code) {
  // gRPC and absl share the canonical code numbering.
  const int value = static_cast<int>(code);
  if (value < 0 || value > static_cast<int>(grpc::StatusCode::UNAUTHENTICATED)) return "UNKNOWN";
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(value));
}

ServerMetrics::ServerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("inkdex_requests_total")
                    .Help("Finished RPCs by method and gRPC status code")
                    .Register(*registry_)),
      request_duration_(prometheus::BuildHistogram()
                            .Name("inkdex_request_duration_seconds")
                            .Help("RPC handler time in seconds, by method and gRPC status code")
                            .Register(*registry_)),
      in_flight_(AddGauge(*registry_, "inkdex_in_flight_requests",
                          "RPCs admitted and not yet finished (running or waiting for a read "
                          "thread)")),
      read_queue_wait_(AddHistogram(*registry_, "inkdex_read_queue_wait_seconds",
                                    "Seconds an admitted read call waited for a read thread",
                                    QueueWaitBuckets())),
      documents_(AddGauge(*registry_, "inkdex_documents",
                          "Live documents in the served index (including hidden ones)")),
      searchable_documents_(AddGauge(*registry_, "inkdex_searchable_documents",
                                     "Searchable documents in the served index")),
      commit_age_(AddGauge(*registry_, "inkdex_commit_age_seconds",
                           "Seconds since the served index's last commit")),
      commits_ok_(AddCounter(*registry_, "inkdex_commits_total",
                             "Group commits by result (ok, error)", {{"result", "ok"}})),
      commits_failed_(AddCounter(*registry_, "inkdex_commits_total",
                                 "Group commits by result (ok, error)", {{"result", "error"}})),
      committed_changes_(AddCounter(*registry_, "inkdex_committed_changes_total",
                                    "Changes (upserts and deletes) in successful group commits")),
      commit_duration_(AddHistogram(*registry_, "inkdex_commit_duration_seconds",
                                    "Time of one group commit in seconds", CommitBuckets())),
      generation_(AddGauge(*registry_, "inkdex_index_generation",
                           "Generation of the served index: 1 at start, +1 per swap")),
      index_memory_(AddGauge(*registry_, "inkdex_index_memory_bytes",
                             "Bytes of the served index's in-memory search structures")),
      index_disk_(AddGauge(*registry_, "inkdex_index_disk_bytes",
                           "Bytes of the served index's files (RocksDB and Xapian)")),
      index_disk_free_(AddGauge(*registry_, "inkdex_index_disk_free_bytes",
                                "Bytes available on the served index's volume; writes are "
                                "refused under --min-free-disk-mb")),
      item_states_(AddGauge(*registry_, "inkdex_index_item_states",
                            "Artists with kept states of other table items than the one served")),
      slot_layout_drift_(AddGauge(*registry_, "inkdex_index_slot_layout_drift",
                                  "About the share of the served index's artists whose slots are "
                                  "out of cell order (0 after a build or `inkdex repair`); "
                                  "measured at most once a minute")),
      tombstones_(AddGauge(*registry_, "inkdex_tombstones",
                           "Deleted ids the served index remembers (until purged)")),
      tombstone_purges_ok_(AddCounter(*registry_, "inkdex_tombstone_purges_total",
                                      "Tombstone purge runs by result (ok, error)",
                                      {{"result", "ok"}})),
      tombstone_purges_failed_(AddCounter(*registry_, "inkdex_tombstone_purges_total",
                                          "Tombstone purge runs by result (ok, error)",
                                          {{"result", "error"}})),
      tombstones_purged_(AddCounter(*registry_, "inkdex_tombstones_purged_total",
                                    "Tombstones forgotten by the purger (older than the TTL)")),
      slot_renumberings_ok_(AddCounter(*registry_, "inkdex_slot_renumberings_total",
                                       "Renumberings of the served index's slots while serving "
                                       "(automatic or asked) by result (ok, error)",
                                       {{"result", "ok"}})),
      slot_renumberings_failed_(AddCounter(*registry_, "inkdex_slot_renumberings_total",
                                           "Renumberings of the served index's slots while serving "
                                           "(automatic or asked) by result (ok, error)",
                                           {{"result", "error"}})),
      slot_renumbering_in_progress_(
          AddGauge(*registry_, "inkdex_slot_renumbering_in_progress",
                   "1 while the served index's slots are renumbered while serving (the server "
                   "then holds two indexes: twice the memory and disk), else 0")),
      resident_memory_(
          AddGauge(*registry_, "process_resident_memory_bytes", "Resident memory size in bytes")),
      cpu_seconds_(AddCounter(*registry_, "process_cpu_seconds_total",
                              "Total user and system CPU time spent in seconds")),
      start_time_(AddGauge(*registry_, "process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds")),
      log_lines_dropped_(AddCounter(*registry_, "inkdex_log_lines_dropped_total",
                                    "Log lines dropped because stderr was not read fast enough "
                                    "(the log's buffer was full) or could not be written")),
      stream_records_(prometheus::BuildCounter()
                          .Name("inkdex_stream_records_total")
                          .Help("DynamoDB stream records handled, by source (lambda, reader), "
                                "outcome and reason")
                          .Register(*registry_)) {
  start_time_.Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
}

ServerMetrics::CallSeries ServerMetrics::Series(std::string_view method, grpc::StatusCode code) {
  int index = static_cast<int>(code);
  if (index < 0 || index >= kCodes) index = static_cast<int>(grpc::StatusCode::UNKNOWN);
  const std::string key(method);
  {
    absl::ReaderMutexLock lock(&series_mutex_);
    auto it = series_.find(key);
    if (it != series_.end() && it->second[index].requests != nullptr) return it->second[index];
  }
  absl::MutexLock lock(&series_mutex_);
  CallSeries& series = series_[key][index];
  if (series.requests == nullptr) {
    const std::map<std::string, std::string> labels = {
        {"method", key}, {"code", StatusCodeName(static_cast<grpc::StatusCode>(index))}};
    series.duration = &request_duration_.Add(labels, RequestBuckets());
    series.requests = &requests_.Add(labels);
  }
  return series;
}

void ServerMetrics::RecordCall(std::string_view method, grpc::StatusCode code,
                               absl::Duration duration) {
  const CallSeries series = Series(method, code);
  series.requests->Increment();
  series.duration->Observe(absl::ToDoubleSeconds(duration));
}

void ServerMetrics::RecordCommit(absl::Duration duration, size_t changes, bool ok) {
  if (ok) {
    commits_ok_.Increment();
    committed_changes_.Increment(static_cast<double>(changes));
  } else {
    commits_failed_.Increment();
  }
  commit_duration_.Observe(absl::ToDoubleSeconds(duration));
}

ProcessSample ReadProcessSample() {
  ProcessSample sample;
  // statm: size resident shared text lib data dt, in pages.
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    sample.resident_bytes = resident_pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  }
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    auto seconds = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
    };
    sample.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  return sample;
}

void ServerMetrics::AdvanceTo(prometheus::Counter& counter, double total) {
  absl::MutexLock lock(&advance_mutex_);
  const double delta = total - counter.Value();
  if (delta > 0) counter.Increment(delta);
}

void ServerMetrics::SetProcessMetrics(const ProcessSample& sample) {
  resident_memory_.Set(static_cast<double>(sample.resident_bytes));
  AdvanceTo(cpu_seconds_, sample.cpu_seconds);
}

void ServerMetrics::SetLogLinesDropped(uint64_t total) {
  AdvanceTo(log_lines_dropped_, static_cast<double>(total));
}

void ServerMetrics::SetIndexGauges(const IndexStats& stats, uint64_t generation, absl::Time now) {
  documents_.Set(static_cast<double>(stats.documents));
  index_memory_.Set(static_cast<double>(stats.memory_bytes));
  index_disk_.Set(static_cast<double>(stats.disk_bytes));
  index_disk_free_.Set(static_cast<double>(stats.disk_free_bytes));
  item_states_.Set(static_cast<double>(stats.item_states));
  tombstones_.Set(static_cast<double>(stats.tombstones));
  searchable_documents_.Set(static_cast<double>(stats.searchable));
  generation_.Set(static_cast<double>(generation));
  if (stats.last_commit_unix_micros != 0) {
    const absl::Time last = absl::FromUnixMicros(stats.last_commit_unix_micros);
    commit_age_.Set(std::max(0.0, absl::ToDoubleSeconds(now - last)));
  }
}

void ServerMetrics::SetSlotLayout(const SlotLayout& layout) {
  slot_layout_drift_.Set(layout.Drift());
}

void ServerMetrics::RecordTombstonePurge(uint64_t purged, bool ok) {
  (ok ? tombstone_purges_ok_ : tombstone_purges_failed_).Increment();
  tombstones_purged_.Increment(static_cast<double>(purged));
}

prometheus::Counter& ServerMetrics::StreamRecordCounter(size_t source, size_t outcome,
                                                        size_t reason) {
  static constexpr const char* kSources[] = {"lambda", "reader"};
  static constexpr const char* kOutcomes[] = {"applied", "stale", "ignored", "rejected", "failed"};
  const size_t slot = (source * kStreamOutcomes + outcome) * kStreamReasons + reason;
  absl::MutexLock lock(&series_mutex_);
  prometheus::Counter*& counter = stream_series_[slot];
  if (counter == nullptr) {
    const std::string reason_label = reason < std::size(kStreamRecordReasons)
                                         ? std::string(kStreamRecordReasons[reason])
                                         : std::string("other");
    counter = &stream_records_.Add(
        {{"source", kSources[source]}, {"outcome", kOutcomes[outcome]}, {"reason", reason_label}});
  }
  return *counter;
}

void ServerMetrics::RecordStreamRecords(StreamRecordSource source, StreamRecordOutcome outcome,
                                        std::string_view reason, uint64_t count) {
  size_t reason_index = 0;
  while (reason_index < std::size(kStreamRecordReasons) &&
         kStreamRecordReasons[reason_index] != reason) {
    ++reason_index;
  }
  StreamRecordCounter(static_cast<size_t>(source), static_cast<size_t>(outcome), reason_index)
      .Increment(static_cast<double>(count));
}

}  // namespace inkdex::server
