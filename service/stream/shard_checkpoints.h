// Stream checkpoints: how far a DynamoDB stream has been applied to the
// index, per stream ARN and per shard, and their encoding as index metadata
// (WriteBatch::PutMetadata, Index::ListMetadata), so a checkpoint commits
// atomically with the document changes it covers.
//
// A shard's checkpoint is the sequence number of the last record applied
// (reading resumes AFTER_SEQUENCE_NUMBER it), and `finished` once a closed
// shard has been read to its end (it is never read again; its children may
// be read).
//
// Metadata layout, under kCheckpointMetadataPrefix ("inkdex.stream."), with
// <h> the first 16 hex digits of SHA-256(stream ARN) (an ARN is up to 1024
// bytes, too long to embed in keys of at most 1 KiB next to a shard id):
//   inkdex.stream.<h>.arn            the stream ARN itself
//   inkdex.stream.<h>.shard.<shard>  "applied:<seq>"   records up to <seq> applied
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
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace inkdex::stream {

inline constexpr char kCheckpointMetadataPrefix[] = "inkdex.stream.";

struct ShardCheckpoint {
  // The last applied record's sequence number; empty when none was (only
  // possible for a finished shard that had no records).
  std::string sequence_number;
  bool finished = false;

  bool operator==(const ShardCheckpoint&) const = default;
};

struct StreamCheckpoints {
  std::string stream_arn;
  std::map<std::string, ShardCheckpoint> shards;  // by shard id

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
// shard's). InvalidArgument naming the field when the ARN is empty or over
// 1024 bytes, the shard id is not as above, the sequence number is not one,
// or an unfinished checkpoint has none.
absl::StatusOr<MetadataEntries> EncodeShardCheckpoint(const std::string& stream_arn,
                                                      const std::string& shard_id,
                                                      const ShardCheckpoint& checkpoint);

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

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_SHARD_CHECKPOINTS_H_
