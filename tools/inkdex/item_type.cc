#include "item_type.h"

#include "absl/strings/str_cat.h"
#include "dynamodb/fast_json.h"

namespace inkdex::cli {

namespace {

using nlohmann::json;
using stream::ItemKind;
using stream::ItemMapping;

// The default mapping with the key attributes spelled in lower case.
const ItemMapping& LowerCaseKeys() {
  static const ItemMapping* const mapping = new ItemMapping(
      ItemMapping::Parse(R"({"partitionKey": "pk", "sortKey": "sk"})", "lower-case keys").value());
  return *mapping;
}

const ItemMapping& DefaultMapping() {
  static const ItemMapping* const mapping = new ItemMapping(ItemMapping::Default());
  return *mapping;
}

}  // namespace

namespace {

// MapKeyedItem, given the item's kind by `mapping`.
KeyedItem MapClassified(const json& item, const ItemMapping& mapping, const ItemKind& kind) {
  KeyedItem out;
  switch (kind.kind) {
    case ItemKind::Kind::kNoKey:
      out.other_type = absl::StrCat("(no partition key ", mapping.partition_key(), ")");
      return out;
    case ItemKind::Kind::kOther:
      out.other_type = kind.item_type;
      return out;
    case ItemKind::Kind::kArtist:
      break;
  }
  absl::StatusOr<std::string> id = mapping.ArtistId(kind, &item);
  json record = mapping.ArtistAttributes(item, id.ok() ? *id : "", &out.warnings);
  // Plain JSON keys (a hand-written file): the record stays plain.
  const bool plain = item.find(mapping.partition_key())->is_string();
  if (!id.ok()) {
    record.erase("artistId");
  } else if (plain) {
    record["artistId"] = *id;
  }
  // Every item of a scan, or of an export, has the same version or none:
  // the rank decides between two items of one artist.
  if (plain) {
    record["sourceRank"] = kind.sort_key_rank;
    out.line = record.dump(-1, ' ', false, json::error_handler_t::replace);
  } else {
    record["sourceRank"] = json{{"N", absl::StrCat(kind.sort_key_rank)}};
    out.line =
        json{{"Item", std::move(record)}}.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return out;
}

}  // namespace

KeyedItem MapKeyedItem(const json& item, const ItemMapping& mapping) {
  return MapClassified(item, mapping, mapping.Classify(item));
}

std::optional<KeyedItem> MapKeyedLine(std::string_view line) {
  if (line.find("\"PK\"") == std::string_view::npos &&
      line.find("\"pk\"") == std::string_view::npos) {
    return std::nullopt;
  }
  // ParseJson refuses text nested deeper than ParseArtistRecord reads (which
  // dump() below would recurse through): such a line is then read as an
  // ordinary record, which refuses it with its reason.
  absl::StatusOr<json> root = dynamodb::ParseJson(line);
  if (!root.ok() || !root->is_object()) return std::nullopt;
  const json* item = &*root;
  if (auto it = root->find("Item"); it != root->end() && it->is_object()) item = &*it;
  for (const ItemMapping* mapping : {&DefaultMapping(), &LowerCaseKeys()}) {
    const ItemKind kind = mapping->Classify(*item);
    if (kind.kind != ItemKind::Kind::kNoKey) return MapClassified(*item, *mapping, kind);
  }
  return std::nullopt;
}

RecordLine ReadRecordLine(std::string_view line, const StyleTaxonomy& taxonomy,
                          RecordFormat format) {
  RecordLine out;
  std::optional<KeyedItem> keyed = MapKeyedLine(line);
  if (!keyed) {
    out.record = ParseArtistRecord(line, taxonomy, format);
    return out;
  }
  if (!keyed->other_type.empty()) {
    out.other_item_type = std::move(keyed->other_type);
    return out;
  }
  out.record = ParseArtistRecord(keyed->line, taxonomy, RecordFormat::kAuto);
  if (out.record.ok()) {
    for (std::string& w : keyed->warnings) out.record->warnings.push_back(std::move(w));
  }
  return out;
}

}  // namespace inkdex::cli
