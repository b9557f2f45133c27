#include "server/stream_metrics.h"

#include <gtest/gtest.h>

#include <prometheus/registry.h>

#include "service_server/shell_test_util.h"

namespace inkdex::server {
namespace {

using testing::MetricValue;

const absl::Time kMetricsNow = absl::FromUnixSeconds(1767225600);

TEST(StreamMetricsTest, WithoutAFollowerTheLagCountsFromTheLastCurrentMoment) {
  prometheus::Registry registry;
  StreamMetrics metrics(registry);
  StreamSupervisorSnapshot snap;
  snap.state = "waiting";  // e.g. DescribeTable answers AccessDeniedException
  snap.current_as_of = kMetricsNow - absl::Seconds(90);
  metrics.Update(snap, kMetricsNow);
  EXPECT_EQ(MetricValue(registry, "inkdex_stream_max_lag_seconds", {}), 90);
  EXPECT_EQ(MetricValue(registry, "inkdex_stream_state", {{"state", "waiting"}}), 1);
}

TEST(StreamMetricsTest, AShardThatCannotReadShowsItsLagAndErrorsByCode) {
  prometheus::Registry registry;
  StreamMetrics metrics(registry);
  StreamSupervisorSnapshot snap;
  snap.state = "following";
  snap.current_as_of = kMetricsNow;
  stream::ShardStats shard;
  shard.shard_id = "shardId-1";
  shard.caught_up = false;
  shard.started = kMetricsNow - absl::Hours(1);
  shard.last_read_time = kMetricsNow - absl::Seconds(40);
  shard.error_streak = 12;
  snap.follower = stream::FollowerStats{};
  snap.follower->shards.push_back(shard);
  snap.read_errors = {{"AccessDeniedException", 12}};
  metrics.Update(snap, kMetricsNow);
  EXPECT_EQ(MetricValue(registry, "inkdex_stream_shard_lag_seconds", {{"shard", "shardId-1"}}), 40);
  EXPECT_EQ(MetricValue(registry, "inkdex_stream_max_lag_seconds", {}), 40);
  EXPECT_EQ(
      MetricValue(registry, "inkdex_stream_read_errors_total", {{"code", "AccessDeniedException"}}),
      12);

  // Cumulative: only the growth is added.
  snap.read_errors["AccessDeniedException"] = 15;
  metrics.Update(snap, kMetricsNow);
  EXPECT_EQ(
      MetricValue(registry, "inkdex_stream_read_errors_total", {{"code", "AccessDeniedException"}}),
      15);
}

}  // namespace
}  // namespace inkdex::server
