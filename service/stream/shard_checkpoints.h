// Stream checkpoints: how far a DynamoDB stream has been applied to the
// index, per stream ARN and per shard, and their encoding as index metadata
// (WriteBatch::PutMetadata, Index::ListMetadata), so a checkpoint commits
// atomically with the document changes it covers.
//
// A shard's checkpoint is the sequence number of the last record applied
// (reading resumes AFTER_SEQUENCE_NUMBER it), and `finished` once a closed
// shard has been read to its end (it is never read again; its children may
// be read). A reader records an "opened" checkpoint (no sequence number) as
// it starts on a shard, so a shard that vanishes before any of its records
// was applied is still known, and found lost (shard_lineage.h).
//
// The stream's progress time is when a reader last committed (a batch, or a
// periodic heartbeat while caught up): a restart after more than the 24-hour
// retention since then cannot trust the stream to still hold what came
// after (CheckProgress).
//
// Metadata layout, under kCheckpointMetadataPrefix ("inkdex.stream."), with
// <h> the first 16 hex digits of SHA-256(stream ARN) (an ARN is up to 1024
// bytes, too long to embed in keys of at most 1 KiB next to a shard id):
//   inkdex.stream.<h>.arn            the stream ARN itself
//   inkdex.stream.<h>.progress       decimal Unix seconds: the progress time
//   inkdex.stream.<h>.shard.<shard>  "applied:<seq>"   records up to <seq> applied
//                                    "opened"          read from TRIM_HORIZON,
//                                                      nothing applied yet
//                                    "finished"        closed, read to its end,
//                                    "finished:<seq>"  (the last record <seq>)
//                                    ""                forgotten (see below)
// <shard> is the shard id (1..256 of [A-Za-z0-9._-]; AWS's are <= 65), <seq>
// a decimal sequence number (1..40 digits). The ARN entry is written with
// every checkpoint, so any batch carrying one is self-describing.
//
// Forgetting: a finished shard that DescribeStream no longer lists (trimmed
// 24 hours after it closed) needs no checkpoint any more; its entry is
// overwritten with the empty value, which decoding treats as absent (the
// metadata API has no delete).
//
// Thread safety: plain value types and pure functions.
#ifndef INKDEX_SERVICE_STREAM_SHARD_CHECKPOINTS_H_
#define INKDEX_SERVICE_STREAM_SHARD_CHECKPOINTS_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace inkdex::stream {

inline constexpr char kCheckpointMetadataPrefix[] = "inkdex.stream.";

struct ShardCheckpoint {
  // The last applied record's sequence number; empty when none was (an
  // opened shard, or a finished shard that had no records).
  std::string sequence_number;
  bool finished = false;

  bool operator==(const ShardCheckpoint&) const = default;
};

struct StreamCheckpoints {
  StreamCheckpoints() = default;
  StreamCheckpoints(std::string arn, std::map<std::string, ShardCheckpoint> by_shard)
      : stream_arn(std::move(arn)), shards(std::move(by_shard)) {}

  std::string stream_arn;
  std::map<std::string, ShardCheckpoint> shards;  // by shard id
  // The progress time; absent in indexes written before it was recorded.
  std::optional<absl::Time> progress;

  // The checkpoint of `shard_id`; nullptr when it has none.
  const ShardCheckpoint* Find(const std::string& shard_id) const;
  bool IsFinished(const std::string& shard_id) const;
};

// Every stream found in the metadata, by ARN.
using StoredCheckpoints = std::map<std::string, StreamCheckpoints>;

// Key/value pairs for WriteBatch::PutMetadata, in order.
using MetadataEntries = std::vector<std::pair<std::string, std::string>>;

// Whether `value` is a sequence number as the metadata stores it (1..40
// decimal digits).
bool IsSequenceNumber(absl::string_view value);

// "inkdex.stream.<h>." for the stream: every key of its checkpoints starts so.
std::string StreamMetadataPrefix(absl::string_view stream_arn);

// The entries recording `checkpoint` for one shard (the ARN entry and the
// shard's; an unfinished checkpoint without a sequence number is "opened"),
// and the progress time when given. InvalidArgument naming the field when
// the ARN is empty or over 1024 bytes, the shard id is not as above, or the
// sequence number is neither empty nor one.
absl::StatusOr<MetadataEntries> EncodeShardCheckpoint(
    const std::string& stream_arn, const std::string& shard_id, const ShardCheckpoint& checkpoint,
    std::optional<absl::Time> progress = std::nullopt);

// The entries forgetting the shards' checkpoints (empty values).
// InvalidArgument as above.
absl::StatusOr<MetadataEntries> EncodeForgottenShards(const std::string& stream_arn,
                                                      const std::vector<std::string>& shard_ids);

// Every stream's checkpoints from `metadata` (Index::ListMetadata output;
// keys outside kCheckpointMetadataPrefix are ignored). DataLoss naming the
// key when a key has an unknown shape, a value is not one of the forms
// above, an ARN entry does not hash to its key, or shard entries have no ARN
// entry. A stream whose shards are all forgotten is still returned (with no
// shards).
absl::StatusOr<StoredCheckpoints> DecodeCheckpoints(
    const std::map<std::string, std::string>& metadata);

// Whether checkpoints stored for other streams mean the table's stream was
// re-enabled (a new ARN) since they were written: FailedPrecondition naming
// the stored and the current ARN when `stored` is not empty and has no entry
// for `current_stream_arn`; OK otherwise (nothing stored is a first start,
// not a change).
absl::Status CheckStreamArn(const StoredCheckpoints& stored, const std::string& current_stream_arn);

// How old a progress time may be at a start: the streams' 24-hour retention
// minus a safety margin of an hour (clock skew, the time a restart and its
// first describe take).
inline constexpr absl::Duration kMaxProgressAge = absl::Hours(23);

// FailedPrecondition naming the progress time when `checkpoints` made
// progress more than `max_age` before `now`: records written since may be
// trimmed, and a shard that appeared and vanished meanwhile was never
// checkpointed, so only a re-sync is safe. OK when no progress time is
// stored (an older index: nothing to judge by).
absl::Status CheckProgress(const StreamCheckpoints& checkpoints, absl::Time now,
                           absl::Duration max_age = kMaxProgressAge);

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_SHARD_CHECKPOINTS_H_
