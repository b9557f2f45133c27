#include "dynamodb/stream_record.h"

#include <cmath>

#include "dynamodb/json_fields.h"

namespace inkdex::dynamodb {

using nlohmann::json;

absl::StatusOr<StreamRecord> ParseStreamRecord(json&& raw) {
  if (!raw.is_object()) return absl::InvalidArgumentError("record: must be an object");
  StreamRecord record;
  JsonFields fields(raw, "record");
  record.event_id = fields.String("eventID");
  record.event_name = fields.String("eventName");
  record.event_source_arn = fields.String("eventSourceARN");
  const json* change = fields.Find("dynamodb");
  if (change == nullptr || !change->is_object()) {
    return absl::InvalidArgumentError("dynamodb: missing or not an object");
  }
  JsonFields dynamodb(*change, "dynamodb");
  record.sequence_number = dynamodb.String("SequenceNumber");
  if (record.sequence_number.empty()) {
    return absl::InvalidArgumentError("dynamodb.SequenceNumber: missing");
  }
  record.stream_view_type = dynamodb.String("StreamViewType");
  record.size_bytes = dynamodb.Int("SizeBytes");
  // Epoch seconds, possibly fractional; absurd values are left unset.
  if (const json* created = dynamodb.Find("ApproximateCreationDateTime");
      created != nullptr && created->is_number() && std::isfinite(created->get<double>()) &&
      std::fabs(created->get<double>()) < 1e12) {
    record.approximate_creation_time =
        absl::FromUnixMicros(static_cast<int64_t>(std::llround(created->get<double>() * 1e6)));
  }
  for (auto [name, target] :
       {std::pair{"Keys", &record.keys}, std::pair{"NewImage", &record.new_image},
        std::pair{"OldImage", &record.old_image}}) {
    if (const json* value = dynamodb.Find(name); value != nullptr && value->is_object()) {
      *target = *value;
    }
  }
  record.raw = std::move(raw);
  return record;
}

absl::StatusOr<StreamRecord> ParseStreamRecord(const json& raw) {
  return ParseStreamRecord(json(raw));
}

}  // namespace inkdex::dynamodb
