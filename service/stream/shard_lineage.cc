#include "stream/shard_lineage.h"

#include "absl/container/flat_hash_set.h"

namespace inkdex::stream {

ShardPlan PlanShards(const std::vector<dynamodb::Shard>& described,
                     const StreamCheckpoints& checkpoints) {
  absl::flat_hash_set<std::string> listed;
  for (const dynamodb::Shard& shard : described) listed.insert(shard.shard_id);

  ShardPlan plan;
  absl::flat_hash_set<std::string> seen;
  for (const dynamodb::Shard& shard : described) {
    if (!seen.insert(shard.shard_id).second) continue;
    if (checkpoints.IsFinished(shard.shard_id)) {
      plan.finished.push_back(shard.shard_id);
    } else if (shard.parent_shard_id.empty() || !listed.contains(shard.parent_shard_id) ||
               checkpoints.IsFinished(shard.parent_shard_id)) {
      plan.readable.push_back(shard);
    } else {
      plan.waiting.push_back(shard.shard_id);
    }
  }
  // checkpoints.shards is a std::map: these come out sorted.
  for (const auto& [shard_id, checkpoint] : checkpoints.shards) {
    if (listed.contains(shard_id)) continue;
    (checkpoint.finished ? plan.forgettable : plan.lost).push_back(shard_id);
  }
  return plan;
}

}  // namespace inkdex::stream
