#include "stream/stream_applier.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace inkdex::stream {

StreamApplier::StreamApplier(const RecordMapper& mapper, CommitFunction commit,
                             ResultObserver on_result)
    : mapper_(mapper), commit_(std::move(commit)), on_result_(std::move(on_result)) {}

void StreamApplier::Prepare(ShardBatch& batch) {
  auto prepared = std::make_shared<PreparedRecords>();
  prepared->mapped = MapRecords(mapper_, batch.records);
  batch.prepared = std::move(prepared);
}

absl::Status StreamApplier::Apply(const ShardBatch& batch) {
  absl::StatusOr<MetadataEntries> checkpoint = CheckpointEntries(batch);
  if (!checkpoint.ok()) return checkpoint.status();
  std::vector<MappedRecord> mapped;
  if (batch.prepared != nullptr && batch.prepared->mapped.has_value() &&
      batch.prepared->mapped->size() == batch.records.size()) {
    // Taken: ApplyMappedRecords moves the artists out, so a retry maps again.
    mapped = *std::move(batch.prepared->mapped);
    batch.prepared->mapped.reset();
  } else {
    mapped = MapRecords(mapper_, batch.records);
  }
  absl::StatusOr<std::vector<RecordResult>> results =
      ApplyMappedRecords(mapper_.mapping(), mapped, *checkpoint, commit_);
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
