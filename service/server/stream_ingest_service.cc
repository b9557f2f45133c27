#include "server/stream_ingest_service.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dynamodb/fast_json.h"
#include "dynamodb/stream_record.h"
#include "nlohmann/json.hpp"
#include "server/call_environment.h"
#include "server/call_guard.h"
#include "stream/record_batch.h"
#include "stream/record_mapper.h"

namespace inkdex::server {
namespace {

using nlohmann::json;
using Result = v1::StreamRecordResult;

// DynamoDB nests attribute values at most 32 levels; a record adds a few.
// Deeper JSON is refused before anything walks it recursively.
constexpr size_t kMaxRecordDepth = 64;

// Whether `value` nests at most `limit` levels (no recursion on hostile
// input).
bool WithinDepth(const json& value, size_t limit) {
  return !dynamodb::NestedDeeperThan(value, limit);
}

// The record's dynamodb.SequenceNumber when it has one, for results of
// records that failed to parse.
std::string SequenceOf(const std::string& text) {
  const json raw = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!raw.is_object() || !WithinDepth(raw, kMaxRecordDepth)) return "";
  auto dynamodb = raw.find("dynamodb");
  if (dynamodb == raw.end() || !dynamodb->is_object()) return "";
  auto seq = dynamodb->find("SequenceNumber");
  return seq != dynamodb->end() && seq->is_string() ? seq->get<std::string>().substr(0, 64) : "";
}

grpc::Status InvalidArgument(std::string message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(message));
}

grpc::Status CheckLimits(const v1::ApplyStreamRecordsRequest& request) {
  const int count = request.records_json_size();
  if (count < 1 || count > kMaxStreamRecordsPerCall) {
    return InvalidArgument(absl::StrCat("records_json: must hold 1..", kMaxStreamRecordsPerCall,
                                        " records, got ", count));
  }
  size_t total = 0;
  for (int i = 0; i < count; ++i) {
    const size_t bytes = request.records_json(i).size();
    if (bytes > kMaxStreamRecordBytes) {
      return InvalidArgument(absl::StrCat("records_json[", i, "]: must be at most ",
                                          kMaxStreamRecordBytes, " bytes, got ", bytes));
    }
    total += bytes;
  }
  if (total > kMaxStreamRequestBytes) {
    return InvalidArgument(absl::StrCat("records_json: must hold at most ", kMaxStreamRequestBytes,
                                        " bytes in all, got ", total));
  }
  if (request.event_source_arn().size() > kMaxEventSourceArnBytes) {
    return InvalidArgument(absl::StrCat("event_source_arn: must be at most ",
                                        kMaxEventSourceArnBytes, " bytes, got ",
                                        request.event_source_arn().size()));
  }
  return grpc::Status::OK;
}

// One record of the request parsed and mapped, or INVALID_ARGUMENT
// "<field>: <reason>".
absl::StatusOr<stream::ParsedStreamRecord> ParseOne(const stream::RecordMapper& mapper,
                                                    const std::string& text,
                                                    const std::string& event_source_arn) {
  absl::StatusOr<stream::ParsedStreamRecord> parsed = mapper.ParseAndMap(text, kMaxRecordDepth);
  if (!parsed.ok()) return parsed.status();
  const dynamodb::StreamRecord& record = parsed->record;
  if (!event_source_arn.empty() && !record.event_source_arn.empty() &&
      record.event_source_arn != event_source_arn) {
    return absl::InvalidArgumentError(absl::StrCat("eventSourceARN: '",
                                                   record.event_source_arn.substr(0, 256),
                                                   "' is not the request's event_source_arn"));
  }
  return parsed;
}

// FAILED_PRECONDITION unless `arn` (the value of `field`) is a stream ARN of
// the source table; OK when there is none or `arn` is empty.
grpc::Status CheckFollowedTable(const std::string& field, const std::string& arn,
                                const SourceTable& source) {
  if (source.empty() || arn.empty()) return grpc::Status::OK;
  const std::optional<std::string> table = dynamodb::TableOfStreamArn(arn);
  if (table == source.name) return grpc::Status::OK;
  return grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION,
      absl::StrCat(field, ": '", arn.substr(0, 256), "' ",
                   table.has_value() ? absl::StrCat("is a stream of the table '", *table, "'")
                                     : std::string("is not a DynamoDB stream ARN"),
                   ", but this server follows the table '", source.name, "' (", source.flag,
                   "); a re-sync or a new replica's bootstrap scan would not have records of "
                   "another table"));
}

struct Tally {
  // [outcome][reason index in kStreamRecordReasons, or the last for others]
  std::array<std::array<int64_t, std::size(kStreamRecordReasons) + 1>, 5> counts{};

  void Add(StreamRecordOutcome outcome, std::string_view reason) {
    size_t r = 0;
    while (r < std::size(kStreamRecordReasons) && kStreamRecordReasons[r] != reason) ++r;
    ++counts[static_cast<size_t>(outcome)][r];
  }
  int64_t Of(StreamRecordOutcome outcome) const {
    int64_t sum = 0;
    for (int64_t n : counts[static_cast<size_t>(outcome)]) sum += n;
    return sum;
  }
  void Report(ServerMetrics& metrics) const {
    for (size_t o = 0; o < counts.size(); ++o) {
      for (size_t r = 0; r < counts[o].size(); ++r) {
        if (counts[o][r] == 0) continue;
        metrics.RecordStreamRecords(
            StreamRecordSource::kLambda, static_cast<StreamRecordOutcome>(o),
            r < std::size(kStreamRecordReasons) ? kStreamRecordReasons[r] : "other",
            static_cast<uint64_t>(counts[o][r]));
      }
    }
  }
};

}  // namespace

StreamIngestServiceImpl::StreamIngestServiceImpl(CallEnvironment& env, IndexHolder& holder,
                                                 WriteCommitter& committer,
                                                 stream::ItemMapping mapping, SourceTable source)
    : env_(env),
      holder_(holder),
      committer_(committer),
      mapping_(std::move(mapping)),
      source_(std::move(source)) {
  ParseRequestsOf("inkdex.v1.StreamIngest", "ApplyStreamRecords", env_, Access::kWrite, this,
                  &StreamIngestServiceImpl::ApplyStreamRecords);
}

grpc::Status StreamIngestServiceImpl::ApplyStreamRecords(
    grpc::ServerContext* context, const v1::ApplyStreamRecordsRequest* request,
    v1::ApplyStreamRecordsResponse* response) {
  CallGuard call(env_, context, "ApplyStreamRecords", Access::kWrite);
  if (!call.admitted()) return call.Finish(call.admission());
  if (grpc::Status limits = CheckLimits(*request); !limits.ok()) return call.Finish(limits);
  if (grpc::Status s = CheckFollowedTable("event_source_arn", request->event_source_arn(), source_);
      !s.ok()) {
    return call.Finish(s);
  }
  call.Note("records", request->records_json_size());
  if (!request->event_source_arn().empty()) {
    call.Note("event_source_arn", request->event_source_arn());
  }

  // The taxonomy of the index served now; the alias keeps that index alive.
  const std::shared_ptr<Index> index = holder_.Current();
  const stream::RecordMapper mapper(
      mapping_, std::shared_ptr<const StyleTaxonomy>(index, &index->taxonomy()));

  Tally tally;
  int logged_rejects = 0;
  auto reject = [&](Result& result, std::string_view metric_reason) {
    result.set_outcome(Result::OUTCOME_REJECTED);
    tally.Add(StreamRecordOutcome::kRejected, metric_reason);
    if (logged_rejects++ < kLoggedRejects && env_.log().Enabled(LogLevel::kWarn)) {
      env_.log().Event(LogLevel::kWarn, "stream_record_rejected",
                       {{"request_id", call.request_id()},
                        {"source", "lambda"},
                        {"sequence_number", result.sequence_number()},
                        {"artist_id", result.artist_id()},
                        {"reason", result.reason()}});
    }
  };

  // Records that parse go through ApplyMappedRecords as one commit; the
  // others are rejected here.
  std::vector<stream::MappedRecord> mapped;
  std::vector<std::string> arns;  // mapped[k]'s eventSourceARN
  std::vector<int> owner;         // mapped[k] -> its result index
  for (int i = 0; i < request->records_json_size(); ++i) {
    Result& result = *response->add_results();
    absl::StatusOr<stream::ParsedStreamRecord> parsed =
        ParseOne(mapper, request->records_json(i), request->event_source_arn());
    if (!parsed.ok()) {
      result.set_sequence_number(SequenceOf(request->records_json(i)));
      result.set_reason(std::string(parsed.status().message()));
      reject(result, "invalid_record");
      continue;
    }
    result.set_event_id(parsed->record.event_id.substr(0, 256));
    mapped.push_back(std::move(parsed->mapped));
    arns.push_back(std::move(parsed->record.event_source_arn));
    owner.push_back(i);
  }
  for (size_t k = 0; k < mapped.size(); ++k) {
    if (grpc::Status s = CheckFollowedTable(
            absl::StrCat("records_json[", owner[k], "].eventSourceARN"), arns[k], source_);
        !s.ok()) {
      return call.Finish(s);
    }
  }
  uint64_t commit_seq = 0;
  absl::StatusOr<std::vector<stream::RecordResult>> applied = stream::ApplyMappedRecords(
      mapper.mapping(), mapped, {},
      [this, &commit_seq](const WriteBatch& batch) -> absl::StatusOr<std::vector<ChangeResult>> {
        absl::StatusOr<CommitOutcome> outcome = committer_.Write(batch);
        if (!outcome.ok()) return outcome.status();
        commit_seq = outcome->commit_seq;
        return std::move(outcome->results);
      });
  if (!applied.ok()) {
    // Nothing of the call was committed: every record that carried a change
    // is FAILED (the Lambda retries from the first); the others keep their
    // outcome, which did not depend on the commit.
    const std::string reason = absl::StrCat("commit failed: ", applied.status().message());
    for (size_t k = 0; k < mapped.size(); ++k) {
      Result& result = *response->mutable_results(owner[k]);
      const stream::MappedRecord& m = mapped[k];
      result.set_sequence_number(m.sequence_number);
      result.set_artist_id(m.artist_id);
      if (m.action == stream::RecordAction::kUpsert || m.action == stream::RecordAction::kDelete) {
        result.set_outcome(Result::OUTCOME_FAILED);
        result.set_reason(reason);
        tally.Add(StreamRecordOutcome::kFailed, "commit_failed");
      } else if (m.action == stream::RecordAction::kIgnore) {
        result.set_outcome(Result::OUTCOME_IGNORED);
        result.set_reason(m.reason);
        tally.Add(StreamRecordOutcome::kIgnored, stream::MetricReason(m));
      } else {
        result.set_reason(m.reason);
        reject(result, stream::MetricReason(m));
      }
    }
    env_.log().Event(LogLevel::kError, "stream_commit_failed",
                     {{"request_id", call.request_id()},
                      {"code", absl::StatusCodeToString(applied.status().code())},
                      {"message", std::string(applied.status().message())},
                      {"records", mapped.size()}});
  } else {
    response->set_commit_seq(commit_seq);
    for (size_t k = 0; k < applied->size(); ++k) {
      const stream::RecordResult& r = (*applied)[k];
      Result& result = *response->mutable_results(owner[k]);
      result.set_sequence_number(r.sequence_number);
      result.set_artist_id(r.artist_id);
      result.set_reason(r.outcome == stream::RecordOutcome::kApplied
                            ? absl::StrJoin(r.warnings, "; ")
                            : r.reason);
      switch (r.outcome) {
        case stream::RecordOutcome::kApplied:
          result.set_outcome(Result::OUTCOME_APPLIED);
          tally.Add(StreamRecordOutcome::kApplied, "none");
          break;
        case stream::RecordOutcome::kStale:
          result.set_outcome(Result::OUTCOME_STALE);
          tally.Add(StreamRecordOutcome::kStale, "none");
          break;
        case stream::RecordOutcome::kIgnored:
          result.set_outcome(Result::OUTCOME_IGNORED);
          tally.Add(StreamRecordOutcome::kIgnored, r.metric_reason);
          break;
        case stream::RecordOutcome::kRejected:
          reject(result, r.metric_reason);
          break;
      }
    }
  }

  tally.Report(env_.metrics());
  call.Note("applied", tally.Of(StreamRecordOutcome::kApplied));
  call.Note("stale", tally.Of(StreamRecordOutcome::kStale));
  call.Note("ignored", tally.Of(StreamRecordOutcome::kIgnored));
  call.Note("rejected", tally.Of(StreamRecordOutcome::kRejected));
  call.Note("failed", tally.Of(StreamRecordOutcome::kFailed));
  call.Note("commit_seq", static_cast<int64_t>(response->commit_seq()));
  return call.Finish(grpc::Status::OK);
}

}  // namespace inkdex::server
