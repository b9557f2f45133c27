// RecordMapper::ParseAndMap, ParseRecordsPage and ParseScanPage: stream
// records and Scan items given as JSON text (a Lambda event's record for
// ApplyStreamRecords, a GetRecords page for the stream reader, a Scan page
// for a table load), mapped straight from simdjson's DOM where the general
// path's result is sure to be the same. The general path copies the
// record into nlohmann trees (ParseRecordJsonForMapping) and maps those;
// on a directory-like record that copy and freeing it cost more than the
// mapping itself.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "dynamodb/fast_json.h"
#include "inkdex/record.h"
#include "simdjson.h"
#include "stream/item_line.h"
#include "stream/record_mapper.h"

namespace inkdex::stream {
namespace {

using nlohmann::json;
using simdjson::dom::element;
using simdjson::dom::element_type;

// PlainJson of a stream record less its dynamodb.OldImage, which the
// direct path never reads and the general path leaves out of its reading
// and of its depth (ParseRecordJsonForMapping): walking it was 13 % of
// reading a page (half of a MODIFY's attributes).
bool PlainEnoughRecord(const simdjson::dom::object& record, size_t max_depth) {
  if (max_depth < 2 || dynamodb::HasRepeatedKey(record)) return false;
  for (simdjson::dom::key_value_pair member : record) {
    if (member.key != "dynamodb" || member.value.type() != element_type::OBJECT) {
      if (!dynamodb::PlainJson(member.value, 2, max_depth)) return false;
      continue;
    }
    const simdjson::dom::object change(member.value);
    if (dynamodb::HasRepeatedKey(change)) return false;
    for (simdjson::dom::key_value_pair field : change) {
      if (field.key != "OldImage" && !dynamodb::PlainJson(field.value, 3, max_depth)) return false;
    }
  }
  return true;
}

// The depth an element of a page may nest to: simdjson refused the page if
// anything in it nests deeper than its limit, and an element is two levels
// down (the page, its array).
constexpr size_t kElementDepth = simdjson::DEFAULT_MAX_DEPTH - 2;

}  // namespace

bool RecordMapper::DirectPathServes() const {
  // The general path reads the image with the key attributes dropped and
  // artistId set to the key's id (ItemMapping::ArtistOverlay). The direct
  // path reads it as it is: alike only while the keys are attributes the
  // artist mapper never reads ("PK", "SK": record.h) and the image's
  // artistId is the key's (MapDirectElement checks it).
  return !mapping_.maps_fields() && mapping_.id_source() == ItemMapping::IdSource::kPartitionKey &&
         mapping_.partition_key() == "PK" &&
         (mapping_.sort_key() == "SK" || mapping_.sort_key().empty());
}

std::optional<ParsedStreamRecord> RecordMapper::MapDirect(std::string_view text,
                                                          size_t max_depth) const {
  if (!DirectPathServes()) return std::nullopt;
  // This thread's parser, as the general path's: nothing else parses until
  // the record is mapped, and a fallback parses the text again anyway.
  element root;
  if (dynamodb::ThreadJsonParser().parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return MapDirectElement(root, max_depth);
}

std::optional<ParsedStreamRecord> RecordMapper::MapDirectElement(const element& root,
                                                                 size_t max_depth) const {
  simdjson::dom::object object, change;
  std::string_view event_name;
  if (root.get_object().get(object) != simdjson::SUCCESS ||
      object.at_key("eventName").get_string().get(event_name) != simdjson::SUCCESS ||
      (event_name != "INSERT" && event_name != "MODIFY") ||
      object.at_key("dynamodb").get_object().get(change) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  element keys, image;
  if (change.at_key("Keys").get(keys) != simdjson::SUCCESS || keys.type() != element_type::OBJECT ||
      change.at_key("NewImage").get(image) != simdjson::SUCCESS ||
      image.type() != element_type::OBJECT) {
    return std::nullopt;
  }
  if (!PlainEnoughRecord(object, max_depth)) return std::nullopt;
  // The record less its images, for ParseStreamRecord's reading of the rest.
  json rest = json::object();
  for (simdjson::dom::key_value_pair member : object) {
    json& out = rest[std::string(member.key)];
    if (member.key != "dynamodb") {
      dynamodb::CopyToNlohmann(member.value, &out);
      continue;
    }
    out = json::object();
    for (simdjson::dom::key_value_pair field : change) {
      if (field.key == "NewImage" || field.key == "OldImage") continue;
      dynamodb::CopyToNlohmann(field.value, &out[std::string(field.key)]);
    }
  }
  absl::StatusOr<dynamodb::StreamRecord> record = dynamodb::ParseStreamRecord(std::move(rest));
  if (!record.ok() || !internal::IsValidSequence(record->sequence_number)) return std::nullopt;

  const ItemKind kind = mapping_.Classify(record->keys);
  if (kind.kind != ItemKind::Kind::kArtist) return std::nullopt;
  std::optional<MappedRecord> mapped = MapImageDirect(kind, image);
  if (!mapped) return std::nullopt;
  ParsedStreamRecord out;
  out.direct = true;
  out.record = *std::move(record);
  out.mapped = *std::move(mapped);
  out.mapped.sequence_number = out.record.sequence_number;
  out.mapped.artist.set_stream_sequence(out.record.sequence_number);
  return out;
}

std::optional<MappedRecord> RecordMapper::MapImageDirect(const ItemKind& kind,
                                                         const element& image) const {
  absl::StatusOr<std::string> id = mapping_.ArtistId(kind, nullptr);
  if (!id.ok() || !internal::IdProblem(*id).empty()) return std::nullopt;
  simdjson::dom::object object;
  if (image.get_object().get(object) != simdjson::SUCCESS ||
      StringAttribute(object, "artistId") != std::optional<std::string_view>(*id)) {
    return std::nullopt;
  }
  absl::StatusOr<ParsedRecord> parsed = MapDynamoDbAttributeMap(image, *taxonomy_);
  if (!parsed.ok()) return std::nullopt;  // the general path words the reject
  MappedRecord m;
  m.action = RecordAction::kUpsert;
  m.artist_id = *std::move(id);
  m.source_rank = kind.sort_key_rank;
  m.artist = std::move(parsed->artist);
  m.artist.clear_stream_sequence();  // never an attribute's ("streamSequence")
  m.artist.set_source_rank(m.source_rank);
  m.warnings = std::move(parsed->warnings);
  return m;
}

std::optional<MappedRecord> RecordMapper::MapItemDirect(const element& item,
                                                        size_t max_depth) const {
  simdjson::dom::object object;
  element unused;
  // MapItem reads an object member "Item" as the item itself (a GetItem
  // answer); leave that reading to it.
  if (item.get_object().get(object) != simdjson::SUCCESS ||
      object.at_key("Item").get(unused) == simdjson::SUCCESS ||
      !dynamodb::PlainJson(item, 1, max_depth)) {
    return std::nullopt;
  }
  const ItemKind kind = mapping_.Classify(KeyAttributes(mapping_, object));
  if (kind.kind != ItemKind::Kind::kArtist) return std::nullopt;
  return MapImageDirect(kind, item);
}

absl::StatusOr<json> RecordMapper::ParseRecordsPage(
    std::string_view text, std::vector<std::shared_ptr<const MappedRecord>>* premapped) const {
  premapped->clear();
  static constexpr std::string_view kOldImagePath[] = {"dynamodb", "OldImage"};
  auto read = [&](const element& record, json* entry) {
    if (std::optional<ParsedStreamRecord> direct = MapDirectElement(record, kElementDepth)) {
      // The record less its images, as ParseStreamRecord will read it.
      *entry = std::move(direct->record.raw);
      (*entry)["dynamodb"]["Keys"] = std::move(direct->record.keys);
      premapped->push_back(std::make_shared<const MappedRecord>(std::move(direct->mapped)));
      return;
    }
    dynamodb::CopyToNlohmannOmitting(record, entry, kOldImagePath, internal::MapReadsOldImage);
    premapped->push_back(nullptr);
  };
  // A page read whole never called `read`: *premapped stays empty.
  if (DirectPathServes()) {
    if (std::optional<json> page = dynamodb::ParseJsonReadingArray(text, "Records", read)) {
      return *std::move(page);
    }
  }
  return ParseRecordsPageForMapping(text);
}

absl::StatusOr<json> RecordMapper::ParseScanPage(
    std::string_view text, std::vector<std::optional<MappedRecord>>* premapped) const {
  premapped->clear();
  auto read = [&](const element& item, json* entry) {
    if (std::optional<MappedRecord> direct = MapItemDirect(item, kElementDepth)) {
      *entry = json::object();  // a stand-in: the mapping is all a loader reads
      premapped->push_back(std::move(direct));
      return;
    }
    dynamodb::CopyToNlohmann(item, entry);
    premapped->emplace_back();
  };
  // A page read whole never called `read`: *premapped stays empty.
  if (DirectPathServes()) {
    if (std::optional<json> page = dynamodb::ParseJsonReadingArray(text, "Items", read)) {
      return *std::move(page);
    }
  }
  return dynamodb::ParseJson(text);
}

absl::StatusOr<ParsedStreamRecord> RecordMapper::ParseAndMap(std::string_view text,
                                                             size_t max_depth) const {
  if (std::optional<ParsedStreamRecord> direct = MapDirect(text, max_depth)) {
    return *std::move(direct);
  }
  absl::StatusOr<json> raw = ParseRecordJsonForMapping(text);
  if (!raw.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("record: not valid JSON: ", raw.status().message()));
  }
  if (dynamodb::NestedDeeperThan(*raw, max_depth)) {
    return absl::InvalidArgumentError(
        absl::StrCat("record: nested deeper than ", max_depth, " levels"));
  }
  absl::StatusOr<dynamodb::StreamRecord> record = dynamodb::ParseStreamRecord(*std::move(raw));
  if (!record.ok()) return record.status();
  ParsedStreamRecord out;
  out.mapped = Map(*record);
  out.record = *std::move(record);
  return out;
}

}  // namespace inkdex::stream
