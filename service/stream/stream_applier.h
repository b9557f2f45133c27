// StreamApplier: the StreamSink (shard_reader.h) that applies a shard's
// records to an index: each ShardBatch becomes ONE commit holding the
// records' changes and the shard's new checkpoint (ApplyRecordBatch with
// CheckpointEntries), so after a crash at any moment the index and its
// checkpoints agree: reading resumes right after the last committed record,
// and nothing is applied twice or skipped.
//
// `commit` is the server's group committer for the served index, or
// Index::Apply on an index being re-synced. `on_result` sees every record's
// outcome (metrics, logs); it is called from the shard readers' threads,
// concurrently for different shards.
//
// Prepare maps a batch's records on the reader's thread (while the shard's
// previous batch commits); Apply then commits them. A batch Apply gets
// unprepared, or retried after a failed commit (the first Apply moved the
// mapped artists into its commit), is mapped by Apply itself.
//
// Thread safety: Prepare, Apply and ForgetShards may be called
// concurrently (for one batch, Prepare before Apply, never together).
// Ownership: borrows the mapper, which must outlive the applier.
#ifndef INKDEX_SERVICE_STREAM_STREAM_APPLIER_H_
#define INKDEX_SERVICE_STREAM_STREAM_APPLIER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "stream/record_batch.h"
#include "stream/record_mapper.h"
#include "stream/shard_reader.h"

namespace inkdex::stream {

// StreamApplier's preparation of a batch: its records mapped, in order,
// until an Apply takes them.
struct PreparedRecords {
  std::optional<std::vector<MappedRecord>> mapped;
};

class StreamApplier final : public StreamSink {
 public:
  using ResultObserver = std::function<void(const ShardBatch& batch, const RecordResult& result)>;

  StreamApplier(const RecordMapper& mapper, CommitFunction commit, ResultObserver on_result);

  void Prepare(ShardBatch& batch) override;
  absl::Status Apply(const ShardBatch& batch) override;
  absl::Status ForgetShards(const std::string& stream_arn,
                            const std::vector<std::string>& shard_ids) override;

 private:
  const RecordMapper& mapper_;
  const CommitFunction commit_;
  const ResultObserver on_result_;
};

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_STREAM_APPLIER_H_
