// Reads table items (lines carrying the table's keys) as the stream reader
// and the server's load from the table read them. The directory's table is
// single-table design (shared/reference/data-model.md "Table keys"): besides
// artist profiles (PK "ARTIST#<id>", SK "METADATA" or the older "PROFILE")
// it holds studios, styles and an artist's other items (reviews, history),
// which `inkdex build` and `inkdex upsert` skip and count instead of
// indexing or rejecting. An artist item's id is the one its partition key
// names, and its record carries the rank of its sort key (`sourceRank`: of
// two items of one artist, the index keeps the higher-ranked, METADATA, in
// either order). The rules are the ItemMapping's (service/stream/
// item_mapping.h; the default one for files, keys spelled "pk"/"sk" too).
//
// Thread safety: pure functions.
#ifndef INKDEX_TOOLS_INKDEX_ITEM_TYPE_H_
#define INKDEX_TOOLS_INKDEX_ITEM_TYPE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "inkdex/record.h"
#include "inkdex/taxonomy.h"
#include "nlohmann/json.hpp"
#include "stream/item_mapping.h"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace inkdex::cli {

// One table item, read by an ItemMapping.
struct KeyedItem {
  // Set: not an artist profile; its type ("STUDIO", "STYLE", "ARTIST/REVIEW"
  // for an artist's other item, "(no partition key PK)").
  std::string other_type;
  // An artist item's record for inkdex::ParseArtistRecord: the item's
  // attributes in data-model names (its own shape: DynamoDB JSON as
  // {"Item": {...}}, or plain JSON), artistId the id its key names, and
  // sourceRank its sort key's rank. An id the key does not give leaves
  // artistId out (the parse then says "artistId: missing").
  std::string line;
  // Findings to report with the record ("artistId: ... differs from the
  // id in PK").
  std::vector<std::string> warnings;
};

// `item` (an attribute map, or plain JSON) read by `mapping`.
KeyedItem MapKeyedItem(const nlohmann::json& item, const stream::ItemMapping& mapping);

// MapKeyedItem's reading of `item`, an element of simdjson's DOM (a Scan
// page's item, an export line), straight from the DOM: kKeyed with *out set
// (another item's type, from its key attributes alone, or an artist item's
// line by stream::ArtistItemLine), kNotKeyed when `mapping` finds no
// partition key, kTrees when only MapKeyedItem of the item's tree can say
// (an attribute named twice, an artist item ArtistItemLine leaves). *keys:
// the item's key attributes (for KeyOf-style naming), set unless kTrees.
enum class DomItemReading { kKeyed, kNotKeyed, kTrees };
DomItemReading MapKeyedItemFromDom(const simdjson::dom::element& item,
                                   const stream::ItemMapping& mapping, KeyedItem* out,
                                   nlohmann::json* keys);

// For one input line ({"Item": {...}}, a bare attribute map, or plain JSON):
// the line read as a table item by the default mapping, or nullopt when it
// carries no partition key ("PK" or "pk"): an ordinary record, parsed as it
// is. Cost: a full JSON parse, only for lines that mention a key attribute
// (simdjson's; a DynamoDB export's artist line is rewritten from its DOM by
// MapKeyedItemFromDom, without nlohmann trees, where that reads alike).
std::optional<KeyedItem> MapKeyedLine(std::string_view line);

// One input line of `inkdex build` or `inkdex upsert`: a table item's line
// read through MapKeyedLine (its warnings added to the record's), any other
// parsed as it is in `format`.
struct RecordLine {
  absl::StatusOr<ParsedRecord> record = absl::UnknownError("not read");
  std::optional<std::string> other_item_type;  // set: skip, not an artist item
};
RecordLine ReadRecordLine(std::string_view line, const StyleTaxonomy& taxonomy,
                          RecordFormat format);

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_ITEM_TYPE_H_
