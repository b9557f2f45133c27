#include "item_type.h"

#include "absl/strings/str_cat.h"

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

KeyedItem MapKeyedItem(const json& item, const ItemMapping& mapping) {
  KeyedItem out;
  const ItemKind kind = mapping.Classify(item);
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

std::optional<KeyedItem> MapKeyedLine(std::string_view line) {
  if (line.find("\"PK\"") == std::string_view::npos &&
      line.find("\"pk\"") == std::string_view::npos) {
    return std::nullopt;
  }
  json root = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) return std::nullopt;
  const json* item = &root;
  if (auto it = root.find("Item"); it != root.end() && it->is_object()) item = &*it;
  for (const ItemMapping* mapping : {&DefaultMapping(), &LowerCaseKeys()}) {
    if (mapping->Classify(*item).kind != ItemKind::Kind::kNoKey) {
      return MapKeyedItem(*item, *mapping);
    }
  }
  return std::nullopt;
}

}  // namespace inkdex::cli
