// ArtistItemLine: an artist item of a Scan page, read from simdjson's DOM,
// written as the record line `inkdex build --from-dynamodb` hands its build
// pipeline (tools/inkdex/item_type.h KeyedItem::line): the item's
// attributes less the key attributes, its sort key's rank as `sourceRank`,
// in DynamoDB JSON:
//
//   {"Item": {"artistId": {"S": "a1"}, ..., "sourceRank": {"N": "1"}}}
//
// The same record, value for value, as ItemMapping::ArtistAttributes gives
// from the item's nlohmann tree, but without building the tree (a Scan page
// of 1,000 items read into trees, mapped and dumped costs several times
// parsing it). Written only where the two readings are sure to agree; the
// caller reads any other item through the trees:
//   - a mapping without "fields", ids from the partition key;
//   - key attributes typed as DynamoDB strings ({"S": ...}), the item's
//     artistId exactly {"S": <the key's id>}, no "sourceRank" attribute;
//   - no repeated keys anywhere, nesting within `max_depth`
//     (dynamodb::PlainJson), and no JSON numbers (DynamoDB JSON holds
//     numbers as strings; a number would be written in simdjson's
//     spelling, not the text's).
//
// Thread safety: a pure function.
#ifndef INKDEX_SERVICE_STREAM_ITEM_LINE_H_
#define INKDEX_SERVICE_STREAM_ITEM_LINE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "stream/item_mapping.h"

namespace simdjson::dom {
class element;
class object;
}  // namespace simdjson::dom

namespace inkdex::stream {

// The key attributes of an item (a DOM object): its members named as the
// mapping's partition and sort keys, copied. ItemMapping::Classify reads
// nothing else, so an item is classified by these alone.
nlohmann::json KeyAttributes(const ItemMapping& mapping, const simdjson::dom::object& item);

// The string of the item's attribute `name` when it is exactly {"S": ...};
// nullopt for anything else.
std::optional<std::string_view> StringAttribute(const simdjson::dom::object& item,
                                                std::string_view name);

// The line of `item`, an artist item (`kind`: mapping.Classify of its key
// attributes, kArtist), or nullopt for an item to read through trees.
std::optional<std::string> ArtistItemLine(const ItemMapping& mapping, const ItemKind& kind,
                                          const simdjson::dom::element& item, size_t max_depth);

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_ITEM_LINE_H_
