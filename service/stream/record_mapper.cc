#include "stream/record_mapper.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dynamodb/fast_json.h"
#include "inkdex/record.h"

namespace inkdex::stream {

namespace {

using nlohmann::json;

constexpr size_t kMaxSequenceDigits = 40;
constexpr size_t kMaxIdBytes = 256;
// How much of a bad value a reason quotes.
constexpr size_t kQuotedBytes = 48;

// Reason prefixes, which MetricReason sorts into label values.
constexpr char kSequenceField[] = "dynamodb.SequenceNumber";
constexpr char kKeysField[] = "dynamodb.Keys";
constexpr char kNewImageField[] = "dynamodb.NewImage";
constexpr char kOldImageField[] = "dynamodb.OldImage";
constexpr char kEventNameField[] = "eventName";
constexpr char kItemField[] = "item";

std::string Quoted(absl::string_view value) {
  if (value.size() <= kQuotedBytes) return absl::StrCat("'", value, "'");
  return absl::StrCat("'", value.substr(0, kQuotedBytes), "...'");
}

MappedRecord Reject(MappedRecord out, std::string reason) {
  out.action = RecordAction::kReject;
  out.reason = std::move(reason);
  return out;
}

}  // namespace

namespace internal {

bool IsValidSequence(std::string_view s) {
  if (s.empty() || s.size() > kMaxSequenceDigits) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string IdProblem(std::string_view id) {
  if (id.size() > kMaxIdBytes) {
    return absl::StrCat("artist id must be at most ", kMaxIdBytes, " bytes, got ", id.size());
  }
  for (unsigned char c : id) {
    if (c < 0x20 || c == 0x7f) return "artist id must not contain control characters";
  }
  return "";
}

bool MapReadsOldImage(const json& rest) {
  const auto name = rest.find("eventName");
  if (name == rest.end() || !name->is_string() || (*name != "INSERT" && *name != "MODIFY")) {
    return true;
  }
  const auto change = rest.find("dynamodb");
  if (change == rest.end() || !change->is_object()) return true;
  for (const char* map : {"Keys", "NewImage"}) {
    if (auto it = change->find(map); it != change->end() && it->is_object()) return false;
  }
  return true;
}

}  // namespace internal

using internal::IdProblem;
using internal::IsValidSequence;
using internal::MapReadsOldImage;

MappedRecord RecordMapper::NotAnArtist(const ItemKind& kind, const char* keys_field,
                                       MappedRecord out) const {
  if (kind.kind == ItemKind::Kind::kNoKey) {
    return Reject(std::move(out), absl::StrCat(keys_field, ".", mapping_.partition_key(),
                                               ": missing or not a string"));
  }
  out.action = RecordAction::kIgnore;
  out.reason = kind.item_type;
  return out;
}

RecordMapper::RecordMapper(ItemMapping mapping, std::shared_ptr<const StyleTaxonomy> taxonomy)
    : mapping_(std::move(mapping)), taxonomy_(std::move(taxonomy)) {}

void RecordMapper::MapArtistImage(const json& image, const std::string& artist_id,
                                  bool delete_hidden, MappedRecord& out) const {
  out.artist_id = artist_id;
  const json overlay = mapping_.ArtistOverlay(image, artist_id, &out.warnings);
  absl::StatusOr<ParsedRecord> parsed = MapDynamoDbAttributeMap(image, overlay, *taxonomy_);
  if (!parsed.ok()) {
    std::string reason = mapping_.ExplainReason(std::string(parsed.status().message()));
    std::optional<std::string> hidden =
        delete_hidden
            ? DynamoDbAttributeMapHiddenBy(mapping_.ArtistAttributes(image, artist_id, nullptr))
            : std::nullopt;
    if (hidden) {
      out.action = RecordAction::kDelete;
      out.warnings.push_back(absl::StrCat(reason, "; the artist is removed instead, as ", *hidden));
      return;
    }
    out.action = RecordAction::kReject;
    out.reason = std::move(reason);
    return;
  }
  out.action = RecordAction::kUpsert;
  out.artist = std::move(parsed->artist);
  out.artist.clear_stream_sequence();
  for (std::string& warning : parsed->warnings) out.warnings.push_back(std::move(warning));
}

MappedRecord RecordMapper::Map(const dynamodb::StreamRecord& record) const {
  if (record.premapped != nullptr) return *record.premapped;
  MappedRecord out;
  out.sequence_number = record.sequence_number;
  if (!IsValidSequence(record.sequence_number)) {
    return Reject(std::move(out),
                  absl::StrCat(kSequenceField, ": must be 1..", kMaxSequenceDigits,
                               " decimal digits, got ", Quoted(record.sequence_number)));
  }
  const json* keys = record.keys.is_object()        ? &record.keys
                     : record.new_image.is_object() ? &record.new_image
                     : record.old_image.is_object() ? &record.old_image
                                                    : nullptr;
  if (keys == nullptr) return Reject(std::move(out), absl::StrCat(kKeysField, ": missing"));
  const ItemKind kind = mapping_.Classify(*keys);
  if (kind.kind != ItemKind::Kind::kArtist) return NotAnArtist(kind, kKeysField, std::move(out));
  const bool remove = record.event_name == "REMOVE";
  if (!remove && record.event_name != "INSERT" && record.event_name != "MODIFY") {
    return Reject(std::move(out),
                  absl::StrCat(kEventNameField, ": must be INSERT, MODIFY or REMOVE, got ",
                               Quoted(record.event_name)));
  }
  const json& image = remove ? record.old_image : record.new_image;
  const bool id_from_image = mapping_.id_source() == ItemMapping::IdSource::kAttribute;
  if (!image.is_object() && (!remove || id_from_image)) {
    const std::string view =
        record.stream_view_type.empty() ? "" : absl::StrCat(" ", record.stream_view_type);
    if (remove) {
      return Reject(std::move(out),
                    absl::StrCat(kOldImageField, ": missing: the artist id is the attribute ",
                                 Quoted(mapping_.id_attribute()),
                                 " (mapping artistId), which a REMOVE record carries only in "
                                 "its OldImage; the stream view",
                                 view, " must be NEW_AND_OLD_IMAGES or OLD_IMAGE"));
    }
    return Reject(std::move(out), absl::StrCat(kNewImageField, ": missing: the stream view", view,
                                               " carries no new images; it must be NEW_IMAGE or "
                                               "NEW_AND_OLD_IMAGES"));
  }
  absl::StatusOr<std::string> id = mapping_.ArtistId(kind, image.is_object() ? &image : nullptr);
  if (!id.ok()) {
    return Reject(std::move(out), id_from_image
                                      ? std::string(id.status().message())
                                      : absl::StrCat(kKeysField, ".", id.status().message()));
  }
  if (std::string problem = IdProblem(*id); !problem.empty()) {
    out.artist_id = id->substr(0, kMaxIdBytes);
    return Reject(
        std::move(out),
        absl::StrCat(id_from_image ? mapping_.id_attribute()
                                   : absl::StrCat(kKeysField, ".", mapping_.partition_key()),
                     ": ", problem));
  }
  out.source_rank = kind.sort_key_rank;
  if (remove) {
    out.action = RecordAction::kDelete;
    out.artist_id = *std::move(id);
    return out;
  }
  MapArtistImage(image, *id, /*delete_hidden=*/true, out);
  if (out.action == RecordAction::kUpsert) {
    out.artist.set_stream_sequence(record.sequence_number);
    out.artist.set_source_rank(out.source_rank);
  }
  return out;
}

MappedRecord RecordMapper::MapItem(const json& item) const {
  MappedRecord out;
  const json* attributes = &item;
  if (item.is_object()) {
    if (auto wrapped = item.find("Item"); wrapped != item.end() && wrapped->is_object()) {
      attributes = &*wrapped;
    }
  }
  if (!attributes->is_object()) {
    return Reject(std::move(out), absl::StrCat(kItemField, ": must be an object"));
  }
  const ItemKind kind = mapping_.Classify(*attributes);
  if (kind.kind != ItemKind::Kind::kArtist) return NotAnArtist(kind, kItemField, std::move(out));
  absl::StatusOr<std::string> id = mapping_.ArtistId(kind, attributes);
  if (!id.ok()) return Reject(std::move(out), std::string(id.status().message()));
  // A scan fills a fresh index: an artist left out of it is already hidden.
  out.source_rank = kind.sort_key_rank;
  MapArtistImage(*attributes, *id, /*delete_hidden=*/false, out);
  if (out.action == RecordAction::kUpsert) out.artist.set_source_rank(out.source_rank);
  return out;
}

absl::StatusOr<json> ParseRecordJsonForMapping(std::string_view text) {
  static constexpr std::string_view kOldImagePath[] = {"dynamodb", "OldImage"};
  return dynamodb::ParseJsonOmitting(text, kOldImagePath, MapReadsOldImage);
}

absl::StatusOr<json> ParseRecordsPageForMapping(std::string_view text) {
  static constexpr std::string_view kOldImagePath[] = {"Records", "*", "dynamodb", "OldImage"};
  return dynamodb::ParseJsonOmitting(text, kOldImagePath, MapReadsOldImage);
}

absl::Status AttachPremapped(std::vector<std::shared_ptr<const MappedRecord>> premapped,
                             dynamodb::RecordsPage& page) {
  if (premapped.empty()) return absl::OkStatus();
  if (premapped.size() != page.records.size()) {
    return absl::InternalError(absl::StrCat("GetRecords: ", premapped.size(),
                                            " records mapped while reading a page of ",
                                            page.records.size()));
  }
  for (size_t i = 0; i < premapped.size(); ++i) {
    page.records[i].premapped = std::move(premapped[i]);
  }
  return absl::OkStatus();
}

void AddToBatch(MappedRecord&& r, WriteBatch* batch) {
  switch (r.action) {
    case RecordAction::kUpsert:
      batch->Upsert(std::move(r.artist));
      return;
    case RecordAction::kDelete:
      batch->DeleteAtStreamSequence(r.artist_id, r.sequence_number, r.source_rank);
      return;
    case RecordAction::kIgnore:
    case RecordAction::kReject:
      return;
  }
}

std::string_view MetricReason(const MappedRecord& r) {
  switch (r.action) {
    case RecordAction::kUpsert:
    case RecordAction::kDelete:
      return "none";
    case RecordAction::kIgnore:
      return "other_item";
    case RecordAction::kReject:
      break;
  }
  if (absl::StartsWith(r.reason, kNewImageField) || absl::StartsWith(r.reason, kOldImageField)) {
    return "missing_image";
  }
  if (absl::StartsWith(r.reason, kSequenceField) || absl::StartsWith(r.reason, kKeysField) ||
      absl::StartsWith(r.reason, kEventNameField) || absl::StartsWith(r.reason, kItemField)) {
    return "invalid_record";
  }
  return "invalid_field";
}

}  // namespace inkdex::stream
