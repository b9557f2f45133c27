// StreamRecord: one DynamoDB Streams record, as GetRecords returns it in its
// `Records` array and as a Lambda DynamoDB event delivers it (the same shape
// plus eventSource, awsRegion and eventSourceARN):
//
//   {"eventID": "...", "eventName": "INSERT" | "MODIFY" | "REMOVE",
//    "eventSourceARN": "arn:aws:dynamodb:...:table/T/stream/...",  // Lambda only
//    "dynamodb": {"SequenceNumber": "000000000000000000042",
//                 "ApproximateCreationDateTime": 1767225600,  // epoch seconds
//                 "SizeBytes": 120, "StreamViewType": "NEW_AND_OLD_IMAGES",
//                 "Keys": {...}, "NewImage": {...}, "OldImage": {...}}}
//
// ParseStreamRecord is lenient the way AWS answers need (json_fields.h):
// absent or mistyped optional fields read as empty. It requires only what
// every consumer needs: an object with a `dynamodb` object holding a
// non-empty string SequenceNumber. It does not judge the event name or the
// sequence number's digits (stream/record_mapper.h does).
//
// Thread safety: pure functions; a StreamRecord is a plain value.
#ifndef INKDEX_SERVICE_DYNAMODB_STREAM_RECORD_H_
#define INKDEX_SERVICE_DYNAMODB_STREAM_RECORD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace inkdex::stream {
struct MappedRecord;  // stream/record_mapper.h
}  // namespace inkdex::stream

namespace inkdex::dynamodb {

struct StreamRecord {
  std::string event_id;
  std::string event_name;        // "INSERT", "MODIFY", "REMOVE" (unchecked)
  std::string event_source_arn;  // Lambda events only; empty from GetRecords
  std::string sequence_number;   // non-empty
  std::string stream_view_type;  // "NEW_AND_OLD_IMAGES", ...; empty when not sent
  std::optional<absl::Time> approximate_creation_time;
  int64_t size_bytes = 0;
  nlohmann::json keys;       // attribute map; null when absent
  nlohmann::json new_image;  // attribute map; null when the view has none (REMOVE)
  nlohmann::json old_image;  // attribute map; null on INSERT
  // The record as it was given, less the three maps above: they are moved
  // out of it (its dynamodb.Keys, NewImage and OldImage are null), not
  // copied, as two copies of every image cost as much as mapping it.
  nlohmann::json raw;
  // Set by a reader that maps records as it parses them
  // (stream::RecordMapper::ParseRecordsPage): the record's mapping, which
  // RecordMapper::Map then returns as it is. Such a record's NewImage and
  // OldImage were never copied (new_image and old_image are null), so its
  // mapping is only this. Shared, immutable: copies of the record share it.
  std::shared_ptr<const stream::MappedRecord> premapped;
};

// One record. InvalidArgument "dynamodb: missing or not an object",
// "dynamodb.SequenceNumber: missing" (or "record: must be an object"); the
// caller adds where the record came from (GetRecords reports DataLoss).
absl::StatusOr<StreamRecord> ParseStreamRecord(const nlohmann::json& raw);
// The same, taking the record instead of copying it into StreamRecord::raw.
absl::StatusOr<StreamRecord> ParseStreamRecord(nlohmann::json&& raw);

// The table a stream ARN belongs to: "T" for
// "arn:<partition>:dynamodb:<region>:<account>:table/T/stream/<label>";
// nullopt for anything else (an empty ARN included).
std::optional<std::string> TableOfStreamArn(std::string_view arn);

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_STREAM_RECORD_H_
