#include "item_type.h"

#include "nlohmann/json.hpp"
#include "stream/item_mapping.h"

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

}  // namespace

std::optional<std::string> NonArtistItemType(std::string_view line) {
  json root = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) return std::nullopt;
  const json* item = &root;
  if (auto it = root.find("Item"); it != root.end() && it->is_object()) item = &*it;
  static const ItemMapping* const kDefault = new ItemMapping(ItemMapping::Default());
  ItemKind kind = kDefault->Classify(*item);
  if (kind.kind == ItemKind::Kind::kNoKey) kind = LowerCaseKeys().Classify(*item);
  if (kind.kind == ItemKind::Kind::kOther) return kind.item_type;
  return std::nullopt;
}

}  // namespace inkdex::cli
