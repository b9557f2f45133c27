#include "dynamodb/stream_record.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_split.h"

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
  json& mutable_change = *raw.find("dynamodb");
  for (auto [name, target] :
       {std::pair{"Keys", &record.keys}, std::pair{"NewImage", &record.new_image},
        std::pair{"OldImage", &record.old_image}}) {
    if (auto value = mutable_change.find(name);
        value != mutable_change.end() && value->is_object()) {
      *target = std::move(*value);
      *value = nullptr;
    }
  }
  record.raw = std::move(raw);
  return record;
}

absl::StatusOr<StreamRecord> ParseStreamRecord(const json& raw) {
  return ParseStreamRecord(json(raw));
}

std::optional<std::string> TableOfStreamArn(std::string_view arn) {
  // arn:partition:service:region:account:resource; the resource may hold ':'.
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(arn.data(), arn.size()), absl::MaxSplits(':', 5));
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "dynamodb") return std::nullopt;
  const std::vector<absl::string_view> resource = absl::StrSplit(parts[5], '/');
  if (resource.size() != 4 || resource[0] != "table" || resource[1].empty() ||
      resource[2] != "stream" || resource[3].empty()) {
    return std::nullopt;
  }
  return std::string(resource[1]);
}

}  // namespace inkdex::dynamodb
