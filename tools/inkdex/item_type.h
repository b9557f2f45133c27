// Recognizes the table's other item types in a DynamoDB export or a JSON
// Lines file. The directory's table is single-table design
// (shared/reference/data-model.md "Table keys"): besides artist profiles (PK
// "ARTIST#<id>", SK "METADATA" or "PROFILE") it holds studios, styles and
// more, which `inkdex build` and `inkdex upsert` skip and count instead of
// rejecting. The rule is the default ItemMapping's (service/stream/
// item_mapping.h), shared with the stream reader and ApplyStreamRecords;
// keys spelled "pk"/"sk" are recognized too.
//
// Thread safety: a pure function.
#ifndef INKDEX_TOOLS_INKDEX_ITEM_TYPE_H_
#define INKDEX_TOOLS_INKDEX_ITEM_TYPE_H_

#include <optional>
#include <string>
#include <string_view>

namespace inkdex::cli {

// For one input line: the item type when its PK/SK mark it as something other
// than an artist profile ("STUDIO", "STYLE", "ARTIST/REVIEW" for an artist's
// non-profile item), else nullopt (an artist, or no keys at all).
// Reads {"Item": {...}}, a bare attribute map, or plain JSON keys.
// Cost: a full JSON parse; call it on lines that failed to parse as artists.
std::optional<std::string> NonArtistItemType(std::string_view line);

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_ITEM_TYPE_H_
