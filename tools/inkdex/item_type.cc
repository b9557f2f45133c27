#include "item_type.h"

#include "absl/strings/str_cat.h"
#include "dynamodb/fast_json.h"
#include "simdjson.h"
#include "stream/item_line.h"

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

DomItemReading MapKeyedItemFromDom(const simdjson::dom::element& item, const ItemMapping& mapping,
                                   KeyedItem* out, json* keys) {
  // An attribute named twice: the DOM reads the first, the tree the last.
  simdjson::dom::object object;
  if (item.get_object().get(object) != simdjson::SUCCESS || dynamodb::HasRepeatedKey(object)) {
    return DomItemReading::kTrees;
  }
  *keys = stream::KeyAttributes(mapping, object);
  const ItemKind kind = mapping.Classify(*keys);
  if (kind.kind == ItemKind::Kind::kNoKey) return DomItemReading::kNotKeyed;
  if (kind.kind != ItemKind::Kind::kArtist) {
    *out = MapClassified(*keys, mapping, kind);  // another item: its keys say which
    return DomItemReading::kKeyed;
  }
  // simdjson refused the text if anything in it nests deeper than its
  // limit; an item is at most two levels down (a page or {"Item": ...}).
  std::optional<std::string> line =
      stream::ArtistItemLine(mapping, kind, item, simdjson::DEFAULT_MAX_DEPTH - 2);
  if (!line.has_value()) return DomItemReading::kTrees;
  *out = KeyedItem{};
  out->line = *std::move(line);
  return DomItemReading::kKeyed;
}

std::optional<KeyedItem> MapKeyedLine(std::string_view line) {
  if (line.find("\"PK\"") == std::string_view::npos &&
      line.find("\"pk\"") == std::string_view::npos) {
    return std::nullopt;
  }
  // Straight from simdjson's DOM where that reads as the trees below do.
  simdjson::dom::element dom;
  simdjson::dom::object top;
  if (dynamodb::ThreadJsonParser().parse(line.data(), line.size()).get(dom) == simdjson::SUCCESS &&
      dom.get_object().get(top) == simdjson::SUCCESS && !dynamodb::HasRepeatedKey(top)) {
    simdjson::dom::element item = dom;
    if (simdjson::dom::element wrapped; top.at_key("Item").get(wrapped) == simdjson::SUCCESS &&
                                        wrapped.type() == simdjson::dom::element_type::OBJECT) {
      item = wrapped;
    }
    bool trees = false;
    for (const ItemMapping* mapping : {&DefaultMapping(), &LowerCaseKeys()}) {
      KeyedItem keyed;
      json keys;
      const DomItemReading reading = MapKeyedItemFromDom(item, *mapping, &keyed, &keys);
      if (reading == DomItemReading::kKeyed) return keyed;
      if (reading == DomItemReading::kTrees) {
        trees = true;
        break;
      }
    }
    if (!trees) return std::nullopt;  // no mapping finds a partition key
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
