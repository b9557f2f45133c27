#include "stream/stream_applier.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace inkdex::stream {

StreamApplier::StreamApplier(const RecordMapper& mapper, CommitFunction commit,
                             ResultObserver on_result)
    : mapper_(mapper), commit_(std::move(commit)), on_result_(std::move(on_result)) {}

absl::Status StreamApplier::Apply(const ShardBatch& batch) {
  absl::StatusOr<MetadataEntries> checkpoint = CheckpointEntries(batch);
  if (!checkpoint.ok()) return checkpoint.status();
  absl::StatusOr<std::vector<RecordResult>> results =
      ApplyRecordBatch(mapper_, batch.records, *checkpoint, commit_);
  if (!results.ok()) {
    return absl::Status(results.status().code(),
                        absl::StrCat("shard ", batch.shard_id, ": ", results.status().message()));
  }
  if (on_result_) {
    for (const RecordResult& r : *results) on_result_(batch, r);
  }
  return absl::OkStatus();
}

absl::Status StreamApplier::ForgetShards(const std::string& stream_arn,
                                         const std::vector<std::string>& shard_ids) {
  absl::StatusOr<MetadataEntries> entries = EncodeForgottenShards(stream_arn, shard_ids);
  if (!entries.ok()) return entries.status();
  WriteBatch batch;
  for (auto& [key, value] : *entries) batch.PutMetadata(std::move(key), std::move(value));
  absl::StatusOr<std::vector<ChangeResult>> done = commit_(batch);
  return done.status();
}

}  // namespace inkdex::stream
