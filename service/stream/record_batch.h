// ApplyRecordBatch: stream records -> one atomic index commit -> one outcome
// per record. Shared by the stream reader's sink (stream_applier.h), which
// adds the shard's checkpoint to the same commit, and by the Lambda path's
// ApplyStreamRecords RPC.
//
// Each record goes through RecordMapper::Map; upserts and deletes are added
// to one WriteBatch with `metadata` and committed by `commit` (Index::Apply,
// or the server's group committer). Idempotent: a record applied before
// comes back kStale (its stream sequence number is not newer than the
// stored one of its item), so a batch can be retried whole after a failure.
// A record of a lower-ranked item (PROFILE) while the artist is served from
// a higher-ranked one (METADATA) is kept by the index but changes nothing
// visible: kStale, the reason "outranked: ... (kept: the artist falls back
// to it if the SK METADATA item is removed)".
//
// Thread safety: a pure function of its arguments; `commit` decides.
#ifndef INKDEX_SERVICE_STREAM_RECORD_BATCH_H_
#define INKDEX_SERVICE_STREAM_RECORD_BATCH_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "dynamodb/stream_record.h"
#include "inkdex/index.h"
#include "stream/record_mapper.h"

namespace inkdex::stream {

enum class RecordOutcome { kApplied, kStale, kIgnored, kRejected };

// "applied", "stale", "ignored", "rejected": the metric label.
std::string_view RecordOutcomeName(RecordOutcome outcome);

struct RecordResult {
  RecordOutcome outcome = RecordOutcome::kIgnored;
  std::string sequence_number;
  std::string artist_id;           // when known
  std::string reason;              // kStale/kRejected: why; kIgnored: the item type
  std::string_view metric_reason;  // bounded label, see MetricReason (record_mapper.h)
  std::vector<std::string> warnings;
};

using CommitFunction =
    std::function<absl::StatusOr<std::vector<ChangeResult>>(const WriteBatch& batch)>;

// One result per record, in order. The error of `commit` when it failed:
// then nothing of the batch (metadata included) was applied.
absl::StatusOr<std::vector<RecordResult>> ApplyRecordBatch(
    const RecordMapper& mapper, const std::vector<dynamodb::StreamRecord>& records,
    const std::vector<std::pair<std::string, std::string>>& metadata, const CommitFunction& commit);

// Each record mapped (RecordMapper::Map), in order.
std::vector<MappedRecord> MapRecords(const RecordMapper& mapper,
                                     const std::vector<dynamodb::StreamRecord>& records);

// The same for records already mapped (MapRecords, RecordMapper::ParseAndMap), under
// `mapping` (for the reasons' wording). Moves each upsert's artist and each
// record's warnings out of `records` (into the batch and the results); the
// rest of each record stays, for a caller to report a failed commit by.
absl::StatusOr<std::vector<RecordResult>> ApplyMappedRecords(
    const ItemMapping& mapping, std::vector<MappedRecord>& records,
    const std::vector<std::pair<std::string, std::string>>& metadata, const CommitFunction& commit);

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_RECORD_BATCH_H_
