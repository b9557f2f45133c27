#include "stream/record_batch.h"

#include "absl/strings/str_cat.h"

namespace inkdex::stream {

std::string_view RecordOutcomeName(RecordOutcome outcome) {
  switch (outcome) {
    case RecordOutcome::kApplied:
      return "applied";
    case RecordOutcome::kStale:
      return "stale";
    case RecordOutcome::kIgnored:
      return "ignored";
    case RecordOutcome::kRejected:
      return "rejected";
  }
  return "unknown";
}

std::vector<MappedRecord> MapRecords(const RecordMapper& mapper,
                                     const std::vector<dynamodb::StreamRecord>& records) {
  std::vector<MappedRecord> mapped;
  mapped.reserve(records.size());
  for (const dynamodb::StreamRecord& record : records) mapped.push_back(mapper.Map(record));
  return mapped;
}

absl::StatusOr<std::vector<RecordResult>> ApplyRecordBatch(
    const RecordMapper& mapper, const std::vector<dynamodb::StreamRecord>& records,
    const std::vector<std::pair<std::string, std::string>>& metadata,
    const CommitFunction& commit) {
  std::vector<MappedRecord> mapped = MapRecords(mapper, records);
  return ApplyMappedRecords(mapper.mapping(), mapped, metadata, commit);
}

absl::StatusOr<std::vector<RecordResult>> ApplyMappedRecords(
    const ItemMapping& mapping, std::vector<MappedRecord>& records,
    const std::vector<std::pair<std::string, std::string>>& metadata,
    const CommitFunction& commit) {
  std::vector<RecordResult> results(records.size());
  std::vector<size_t> change_of;  // batch change i -> record index
  std::vector<uint32_t> rank_of;  // batch change i -> its source rank
  WriteBatch batch;
  for (size_t i = 0; i < records.size(); ++i) {
    MappedRecord& m = records[i];
    RecordResult& r = results[i];
    r.sequence_number = m.sequence_number;
    r.artist_id = m.artist_id;
    r.metric_reason = MetricReason(m);
    r.warnings = std::move(m.warnings);
    switch (m.action) {
      case RecordAction::kUpsert:
      case RecordAction::kDelete:
        change_of.push_back(i);
        rank_of.push_back(m.source_rank);
        AddToBatch(std::move(m), &batch);
        r.outcome = RecordOutcome::kApplied;  // until the commit says otherwise
        break;
      case RecordAction::kIgnore:
        r.outcome = RecordOutcome::kIgnored;
        r.reason = m.reason;
        break;
      case RecordAction::kReject:
        r.outcome = RecordOutcome::kRejected;
        r.reason = m.reason;
        break;
    }
  }
  for (const auto& [key, value] : metadata) batch.PutMetadata(key, value);
  if (batch.empty()) return results;
  absl::StatusOr<std::vector<ChangeResult>> applied = commit(batch);
  if (!applied.ok()) return applied.status();
  for (size_t c = 0; c < change_of.size() && c < applied->size(); ++c) {
    RecordResult& r = results[change_of[c]];
    const ChangeResult& change = (*applied)[c];
    if (change.outcome == ChangeResult::Outcome::kStale) {
      r.outcome = RecordOutcome::kStale;
      r.reason = change.reason;
      if (change.outranked_by != 0) {
        const std::string served = mapping.DescribeRank(change.outranked_by);
        r.reason = absl::StrCat(
            "outranked: the artist's document comes from its ", served,
            " item, which takes precedence over this record's ", mapping.DescribeRank(rank_of[c]),
            " item (kept: the artist falls back to it if the ", served, " item is removed)");
      }
    } else if (change.outcome == ChangeResult::Outcome::kRejected) {
      r.outcome = RecordOutcome::kRejected;
      r.reason = change.reason;
      r.metric_reason = "index_rejected";
    }
  }
  return results;
}

}  // namespace inkdex::stream
