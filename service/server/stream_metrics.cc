#include "server/stream_metrics.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace inkdex::server {
namespace {

constexpr const char* kStates[] = {"starting", "following", "resyncing",
                                   "stopping", "waiting",   "stopped"};

}  // namespace

StreamMetrics::StreamMetrics(prometheus::Registry& registry)
    : state_(prometheus::BuildGauge()
                 .Name("inkdex_stream_state")
                 .Help("1 for the stream reader's current state")
                 .Register(registry)),
      shard_lag_(prometheus::BuildGauge()
                     .Name("inkdex_stream_shard_lag_seconds")
                     .Help("Now minus the creation time of the shard's oldest unapplied record")
                     .Register(registry)),
      shard_behind_(prometheus::BuildGauge()
                        .Name("inkdex_stream_shard_records_behind")
                        .Help("Records read from the shard and not yet applied")
                        .Register(registry)),
      max_lag_(prometheus::BuildGauge()
                   .Name("inkdex_stream_max_lag_seconds")
                   .Help("The largest shard lag")
                   .Register(registry)
                   .Add({})),
      shards_reading_(prometheus::BuildGauge()
                          .Name("inkdex_stream_shards_reading")
                          .Help("Shards with a reader")
                          .Register(registry)
                          .Add({})),
      resyncs_(prometheus::BuildCounter()
                   .Name("inkdex_stream_resyncs_total")
                   .Help("Re-syncs (table scan + stream replay) started, by reason")
                   .Register(registry)),
      resync_failures_(prometheus::BuildCounter()
                           .Name("inkdex_stream_resync_failures_total")
                           .Help("Re-syncs that failed or were cancelled")
                           .Register(registry)
                           .Add({})),
      read_errors_(prometheus::BuildCounter()
                       .Name("inkdex_stream_read_errors_total")
                       .Help("Failed GetShardIterator/GetRecords calls of the shard readers, "
                             "by AWS error code")
                       .Register(registry)),
      requests_(prometheus::BuildCounter()
                    .Name("inkdex_dynamodb_requests_total")
                    .Help("DynamoDB and DynamoDB Streams requests by kind (retries, throttles)")
                    .Register(registry)) {
  for (const char* s : kStates) states_[s] = &state_.Add({{"state", s}});
}

void StreamMetrics::Advance(prometheus::Family<prometheus::Counter>& family,
                            const std::map<std::string, std::string>& labels, uint64_t value) {
  std::string key;
  for (const auto& [k, v] : labels) absl::StrAppend(&key, k, "=", v, ",");
  uint64_t& last = last_[key];
  if (value > last) family.Add(labels).Increment(static_cast<double>(value - last));
  last = std::max(last, value);
}

void StreamMetrics::Update(const StreamSupervisorSnapshot& snap, absl::Time now) {
  for (auto& [name, gauge] : states_) gauge->Set(name == snap.state ? 1 : 0);

  std::set<std::string> live;
  double max_lag = 0;
  size_t reading = 0;
  if (snap.follower.has_value()) {
    for (const stream::ShardStats& s : snap.follower->shards) {
      if (s.finished) continue;
      ++reading;
      live.insert(s.shard_id);
      auto [it, added] = shards_.try_emplace(s.shard_id);
      if (added) {
        it->second = {&shard_lag_.Add({{"shard", s.shard_id}}),
                      &shard_behind_.Add({{"shard", s.shard_id}})};
      }
      const double lag = absl::ToDoubleSeconds(s.Lag(now));
      it->second.first->Set(lag);
      it->second.second->Set(static_cast<double>(s.records_behind));
      max_lag = std::max(max_lag, lag);
    }
  }
  for (auto it = shards_.begin(); it != shards_.end();) {
    if (live.contains(it->first)) {
      ++it;
      continue;
    }
    shard_lag_.Remove(it->second.first);
    shard_behind_.Remove(it->second.second);
    it = shards_.erase(it);
  }
  // No follower (waiting after an error, starting): nothing is applied, so
  // the index falls behind from the last moment it was known current.
  if (!snap.follower.has_value() && snap.current_as_of != absl::InfinitePast()) {
    max_lag = std::max(0.0, absl::ToDoubleSeconds(now - snap.current_as_of));
  }
  max_lag_.Set(max_lag);
  shards_reading_.Set(static_cast<double>(reading));

  for (const auto& [reason, n] : snap.resyncs_started) Advance(resyncs_, {{"reason", reason}}, n);
  if (snap.resyncs_failed > last_failures_) {
    resync_failures_.Increment(static_cast<double>(snap.resyncs_failed - last_failures_));
    last_failures_ = snap.resyncs_failed;
  }
  for (const auto& [code, n] : snap.read_errors) Advance(read_errors_, {{"code", code}}, n);
  for (const auto& [api, c] : {std::pair{"dynamodb", snap.dynamodb_requests},
                               std::pair{"streams", snap.streams_requests}}) {
    for (const auto& [kind, value] :
         {std::pair{"call", c.calls}, std::pair{"attempt", c.attempts},
          std::pair{"retry", c.retries}, std::pair{"throttled", c.throttled},
          std::pair{"server_error", c.server_errors}, std::pair{"network_error", c.network_errors},
          std::pair{"failed", c.failed}}) {
      Advance(requests_, {{"api", api}, {"kind", kind}}, value);
    }
  }
}

}  // namespace inkdex::server
