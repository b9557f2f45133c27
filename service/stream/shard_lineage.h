// Shard lineage: which shards of a DynamoDB stream may be read now, given
// the shards DescribeStream lists and the checkpoints. A shard splits (or
// rolls over) by closing and getting children whose ParentShardId names it;
// records of an item move to the child, so a child is read only after its
// parent was read to its end, or the order of an item's changes breaks.
//
// A described shard is
//   finished  when its checkpoint says so (never read again);
//   readable  when it has no parent, its parent is no longer described
//             (trimmed away), or its parent's checkpoint is finished;
//   waiting   otherwise (its parent is still to be drained).
// Checkpoints of shards that are no longer described are
//   forgettable  when finished (nothing left to remember);
//   lost         when not finished (applied up to some record, or only
//                opened: readers record a shard as they start on it): the
//                rest of the shard was trimmed before it was read, so changes
//                are missing and the index needs a re-sync.
// A shard whose parent is no longer described and has no checkpoint is
// readable from TRIM_HORIZON: either the parent was read and forgotten, or
// it ended before this index followed the stream. What this cannot see (the
// server down longer than the retention, the parent never opened) the
// stream's progress time catches (CheckProgress, shard_checkpoints.h).
// New shards simply appear in a later description and are classified then.
//
// Thread safety: pure functions.
#ifndef INKDEX_SERVICE_STREAM_SHARD_LINEAGE_H_
#define INKDEX_SERVICE_STREAM_SHARD_LINEAGE_H_

#include <string>
#include <vector>

#include "dynamodb/streams_client.h"
#include "stream/shard_checkpoints.h"

namespace inkdex::stream {

struct ShardPlan {
  std::vector<dynamodb::Shard> readable;  // in description order
  std::vector<std::string> waiting;       // shard ids
  std::vector<std::string> finished;      // shard ids
  std::vector<std::string> forgettable;   // shard ids, sorted
  std::vector<std::string> lost;          // shard ids, sorted
};

// Classifies `described` (every page of one DescribeStream; a shard id
// listed twice counts once, as first listed) against `checkpoints`.
ShardPlan PlanShards(const std::vector<dynamodb::Shard>& described,
                     const StreamCheckpoints& checkpoints);

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_SHARD_LINEAGE_H_
