#include "stream/shard_checkpoints.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "aws/crypto.h"

namespace inkdex::stream {
namespace {

constexpr size_t kMaxArnBytes = 1024;
constexpr size_t kMaxShardIdBytes = 256;
constexpr size_t kMaxSequenceDigits = 40;
constexpr size_t kHashDigits = 16;
constexpr absl::string_view kArnSuffix = "arn";
constexpr absl::string_view kProgressSuffix = "progress";
constexpr absl::string_view kOpened = "opened";
constexpr absl::string_view kShardInfix = "shard.";
constexpr absl::string_view kApplied = "applied:";
constexpr absl::string_view kFinished = "finished";

bool IsShardId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxShardIdBytes) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::Status CheckArn(const std::string& stream_arn) {
  if (stream_arn.empty()) return absl::InvalidArgumentError("stream checkpoint: stream_arn: empty");
  if (stream_arn.size() > kMaxArnBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stream checkpoint: stream_arn: ", stream_arn.size(), " bytes, over ", kMaxArnBytes));
  }
  return absl::OkStatus();
}

absl::Status CheckShardId(const std::string& shard_id) {
  if (IsShardId(shard_id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("stream checkpoint: shard_id '",
                                                 shard_id.substr(0, 80),
                                                 "': not 1..256 characters of [A-Za-z0-9._-]"));
}

std::string ArnHash(absl::string_view stream_arn) {
  return aws::Sha256Hex(stream_arn).substr(0, kHashDigits);
}

std::string EncodeValue(const ShardCheckpoint& checkpoint) {
  if (!checkpoint.finished) {
    if (checkpoint.sequence_number.empty()) return std::string(kOpened);
    return absl::StrCat(kApplied, checkpoint.sequence_number);
  }
  if (checkpoint.sequence_number.empty()) return std::string(kFinished);
  return absl::StrCat(kFinished, ":", checkpoint.sequence_number);
}

absl::StatusOr<ShardCheckpoint> DecodeValue(const std::string& key, absl::string_view value) {
  ShardCheckpoint checkpoint;
  absl::string_view sequence;
  if (absl::StartsWith(value, kApplied)) {
    sequence = value.substr(kApplied.size());
  } else if (value == kOpened) {
    return checkpoint;
  } else if (value == kFinished) {
    checkpoint.finished = true;
    return checkpoint;
  } else if (absl::StartsWith(value, kFinished) && value.size() > kFinished.size() &&
             value[kFinished.size()] == ':') {
    checkpoint.finished = true;
    sequence = value.substr(kFinished.size() + 1);
  } else {
    return absl::DataLossError(
        absl::StrCat("stream checkpoint metadata '", key, "': value '", value.substr(0, 80),
                     "' is not applied:<seq>, opened, finished or finished:<seq>"));
  }
  if (!IsSequenceNumber(sequence)) {
    return absl::DataLossError(absl::StrCat("stream checkpoint metadata '", key,
                                            "': sequence number '", sequence.substr(0, 80),
                                            "' is not 1..40 decimal digits"));
  }
  checkpoint.sequence_number = std::string(sequence);
  return checkpoint;
}

}  // namespace

const ShardCheckpoint* StreamCheckpoints::Find(const std::string& shard_id) const {
  auto it = shards.find(shard_id);
  return it == shards.end() ? nullptr : &it->second;
}

bool StreamCheckpoints::IsFinished(const std::string& shard_id) const {
  const ShardCheckpoint* checkpoint = Find(shard_id);
  return checkpoint != nullptr && checkpoint->finished;
}

bool IsSequenceNumber(absl::string_view value) {
  if (value.empty() || value.size() > kMaxSequenceDigits) return false;
  for (char c : value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string StreamMetadataPrefix(absl::string_view stream_arn) {
  return absl::StrCat(kCheckpointMetadataPrefix, ArnHash(stream_arn), ".");
}

absl::StatusOr<MetadataEntries> EncodeShardCheckpoint(const std::string& stream_arn,
                                                      const std::string& shard_id,
                                                      const ShardCheckpoint& checkpoint,
                                                      std::optional<absl::Time> progress) {
  if (absl::Status s = CheckArn(stream_arn); !s.ok()) return s;
  if (absl::Status s = CheckShardId(shard_id); !s.ok()) return s;
  if (!checkpoint.sequence_number.empty() && !IsSequenceNumber(checkpoint.sequence_number)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream checkpoint of shard ", shard_id, ": sequence_number '",
                     checkpoint.sequence_number.substr(0, 80), "' is not 1..40 decimal digits"));
  }
  const std::string prefix = StreamMetadataPrefix(stream_arn);
  MetadataEntries entries{{absl::StrCat(prefix, kArnSuffix), stream_arn},
                          {absl::StrCat(prefix, kShardInfix, shard_id), EncodeValue(checkpoint)}};
  if (progress) {
    entries.emplace_back(absl::StrCat(prefix, kProgressSuffix),
                         absl::StrCat(absl::ToUnixSeconds(*progress)));
  }
  return entries;
}

absl::StatusOr<MetadataEntries> EncodeForgottenShards(const std::string& stream_arn,
                                                      const std::vector<std::string>& shard_ids) {
  if (absl::Status s = CheckArn(stream_arn); !s.ok()) return s;
  const std::string prefix = StreamMetadataPrefix(stream_arn);
  MetadataEntries entries;
  for (const std::string& shard_id : shard_ids) {
    if (absl::Status s = CheckShardId(shard_id); !s.ok()) return s;
    entries.emplace_back(absl::StrCat(prefix, kShardInfix, shard_id), "");
  }
  return entries;
}

absl::StatusOr<StoredCheckpoints> DecodeCheckpoints(
    const std::map<std::string, std::string>& metadata) {
  // By ARN hash: the ARN (once its entry is seen) and the shards.
  std::map<std::string, StreamCheckpoints> by_hash;
  for (auto it = metadata.lower_bound(kCheckpointMetadataPrefix);
       it != metadata.end() && absl::StartsWith(it->first, kCheckpointMetadataPrefix); ++it) {
    const std::string& key = it->first;
    absl::string_view rest = absl::string_view(key).substr(sizeof(kCheckpointMetadataPrefix) - 1);
    const size_t dot = rest.find('.');
    if (dot != kHashDigits) {
      return absl::DataLossError(absl::StrCat("stream checkpoint metadata '", key, "': expected ",
                                              kCheckpointMetadataPrefix,
                                              "<16 hex digits>.arn, .progress or .shard.<id>"));
    }
    const std::string hash(rest.substr(0, dot));
    absl::string_view field = rest.substr(dot + 1);
    StreamCheckpoints& stream = by_hash[hash];
    if (field == kArnSuffix) {
      if (it->second.empty() || ArnHash(it->second) != hash) {
        return absl::DataLossError(absl::StrCat("stream checkpoint metadata '", key,
                                                "': stream ARN '", it->second.substr(0, 200),
                                                "' does not hash to ", hash));
      }
      stream.stream_arn = it->second;
    } else if (field == kProgressSuffix) {
      int64_t seconds = 0;
      if (!absl::SimpleAtoi(it->second, &seconds) || seconds < 0) {
        return absl::DataLossError(absl::StrCat("stream checkpoint metadata '", key, "': value '",
                                                it->second.substr(0, 80),
                                                "' is not decimal Unix seconds"));
      }
      stream.progress = absl::FromUnixSeconds(seconds);
    } else if (absl::StartsWith(field, kShardInfix) &&
               IsShardId(field.substr(kShardInfix.size()))) {
      if (it->second.empty()) continue;  // forgotten
      absl::StatusOr<ShardCheckpoint> checkpoint = DecodeValue(key, it->second);
      if (!checkpoint.ok()) return checkpoint.status();
      stream.shards[std::string(field.substr(kShardInfix.size()))] = *std::move(checkpoint);
    } else {
      return absl::DataLossError(
          absl::StrCat("stream checkpoint metadata '", key,
                       "': expected .arn, .progress or .shard.<shard id> after ",
                       kCheckpointMetadataPrefix, hash));
    }
  }
  StoredCheckpoints stored;
  for (auto& [hash, stream] : by_hash) {
    if (stream.stream_arn.empty()) {
      return absl::DataLossError(absl::StrCat("stream checkpoint metadata ",
                                              kCheckpointMetadataPrefix, hash,
                                              ".*: shard checkpoints without the stream ARN entry ",
                                              kCheckpointMetadataPrefix, hash, ".arn"));
    }
    std::string arn = stream.stream_arn;
    stored.emplace(std::move(arn), std::move(stream));
  }
  return stored;
}

absl::Status CheckStreamArn(const StoredCheckpoints& stored,
                            const std::string& current_stream_arn) {
  if (stored.empty() || stored.contains(current_stream_arn)) return absl::OkStatus();
  std::vector<std::string> arns;
  for (const auto& [arn, stream] : stored) arns.push_back(arn);
  return absl::FailedPreconditionError(absl::StrCat(
      "the table's stream is now ", current_stream_arn, " but the index holds checkpoints of ",
      absl::StrJoin(arns, ", "), " (the stream was re-enabled; its old records are gone)"));
}

absl::Status CheckProgress(const StreamCheckpoints& checkpoints, absl::Time now,
                           absl::Duration max_age) {
  if (!checkpoints.progress || now - *checkpoints.progress <= max_age) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the index last made progress on stream ", checkpoints.stream_arn, " at ",
      absl::FormatTime(absl::RFC3339_sec, *checkpoints.progress, absl::UTCTimeZone()), ", ",
      absl::FormatDuration(absl::Trunc(now - *checkpoints.progress, absl::Minutes(1))),
      " ago, more than ", absl::FormatDuration(max_age),
      " (the stream keeps records 24 hours): records may be gone"));
}

}  // namespace inkdex::stream
