// The artist field mapping: record fields (data-model.md names, older
// spellings) to inkdex::Artist, with the required-field errors and the
// optional-field warnings. One mapping for every input format; the format
// only chooses the value view (record/value_view.h, record/dynamodb_value.h).
//
// ParseArtistRecord (record/parse_record.cc) is the usual entry point; the
// DynamoDB stream reader maps the NewImage maps it has already parsed through
// MapDynamoDbImage (inkdex::MapDynamoDbAttributeMap).
//
// Thread safety: pure functions of their arguments.
#ifndef INKDEX_RECORD_ARTIST_MAPPER_H_
#define INKDEX_RECORD_ARTIST_MAPPER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "inkdex/record.h"
#include "inkdex/taxonomy.h"
#include "record/json_node.h"
#include "simdjson.h"

namespace inkdex::internal {

// `record` is a plain JSON object with data-model field names.
absl::StatusOr<ParsedRecord> MapPlainRecord(simdjson::dom::element record,
                                            const StyleTaxonomy& taxonomy);

// `attribute_map` is a DynamoDB attribute map ({"artistId": {"S": "..."},
// ...}): an Item without its {"Item": ...} wrapper, or a stream image.
absl::StatusOr<ParsedRecord> MapDynamoDbItem(simdjson::dom::element attribute_map,
                                             const StyleTaxonomy& taxonomy);

// The same for an attribute map held as an nlohmann::json, read through its
// overlay (json_node.h); inkdex::MapDynamoDbAttributeMap.
absl::StatusOr<ParsedRecord> MapDynamoDbImage(NlohmannImage* image, const StyleTaxonomy& taxonomy);

// inkdex::DynamoDbAttributeMapHiddenBy of the image.
std::optional<std::string> HiddenByImage(NlohmannImage* image);

}  // namespace inkdex::internal

#endif  // INKDEX_RECORD_ARTIST_MAPPER_H_
