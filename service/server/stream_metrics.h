// StreamMetrics: the stream reader's Prometheus metrics, refreshed from a
// StreamSupervisorSnapshot before each scrape (so never older than it):
//
//   inkdex_stream_state{state}                      gauge: 1 for the current
//                                                   state (following, resyncing, ...)
//   inkdex_stream_shard_lag_seconds{shard}          gauge: now - creation time
//                                                   of the oldest record not
//                                                   applied (ShardStats::Lag)
//   inkdex_stream_shard_records_behind{shard}       gauge: read, not yet applied
//   inkdex_stream_max_lag_seconds                   gauge: the largest shard lag;
//                                                   with no follower (waiting
//                                                   after an error) now minus
//                                                   the snapshot's current_as_of
//   inkdex_stream_read_errors_total{code}           counter: failed shard reads
//                                                   by AWS error code
//   inkdex_stream_shards_reading                    gauge: shards with a reader
//   inkdex_stream_resyncs_total{reason}             counter: re-syncs started
//   inkdex_stream_resync_failures_total             counter
//   inkdex_dynamodb_requests_total{api,kind}        counter: api = dynamodb |
//                                                   streams; kind = call,
//                                                   attempt, retry, throttled,
//                                                   server_error, network_error,
//                                                   failed
// (records applied / stale / ignored / rejected are
// inkdex_stream_records_total, metrics.h.) Per-shard series of shards that
// are no longer read are removed, so the label set stays bounded by the
// stream's live shards.
//
// Thread safety: Update is called by one thread at a time (the scrape hook).
#ifndef INKDEX_SERVICE_SERVER_STREAM_METRICS_H_
#define INKDEX_SERVICE_SERVER_STREAM_METRICS_H_

#include <map>
#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "absl/time/time.h"
#include "server/stream_supervisor.h"

namespace inkdex::server {

class StreamMetrics {
 public:
  explicit StreamMetrics(prometheus::Registry& registry);

  void Update(const StreamSupervisorSnapshot& snapshot, absl::Time now);

 private:
  // Adds the growth of a cumulative value since the last Update.
  void Advance(prometheus::Family<prometheus::Counter>& family,
               const std::map<std::string, std::string>& labels, uint64_t value);

  prometheus::Family<prometheus::Gauge>& state_;
  prometheus::Family<prometheus::Gauge>& shard_lag_;
  prometheus::Family<prometheus::Gauge>& shard_behind_;
  prometheus::Gauge& max_lag_;
  prometheus::Gauge& shards_reading_;
  prometheus::Family<prometheus::Counter>& resyncs_;
  prometheus::Counter& resync_failures_;
  prometheus::Family<prometheus::Counter>& read_errors_;
  prometheus::Family<prometheus::Counter>& requests_;

  std::map<std::string, prometheus::Gauge*> states_;
  std::map<std::string, std::pair<prometheus::Gauge*, prometheus::Gauge*>> shards_;
  std::map<std::string, uint64_t> last_;  // cumulative values already counted, by series
  uint64_t last_failures_ = 0;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_STREAM_METRICS_H_
