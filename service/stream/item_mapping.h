// ItemMapping: which items of the directory's DynamoDB table are artists, and
// which attribute feeds which field of the artist record. Used by the stream
// reader, the ApplyStreamRecords RPC (record_mapper.h) and
// `inkdex build --from-dynamodb` (tools/inkdex/dynamodb_source.h).
//
// The default follows shared/reference/data-model.md: an item with PK
// "ARTIST#<id>" and SK "METADATA" (or the older "PROFILE") is an artist whose
// id is <id>; its attributes carry the data-model field names. Every other
// item is another item type, named for counting by its PK up to the first
// '#' ("STUDIO", "STYLE"; "ARTIST/REVIEW" for an artist's item whose SK is
// "REVIEW#..."), and is skipped, never rejected.
//
// Mapping file (LoadItemMapping; data/dynamodb-mapping.example.json is the
// default written out). One JSON object; every member is optional and takes
// the default when absent; unknown members are errors (they are typos):
//
//   {
//     "description": "free text, ignored",
//     "partitionKey": "PK",            // the table's partition key attribute
//     "sortKey": "SK",                 // its sort key; "" or null: no sort key
//     "artistItems": {                 // key patterns of the artist items
//       "partitionKey": "ARTIST#*",    // a pattern (see below)
//       "sortKey": ["METADATA", "PROFILE"]  // a pattern or a list of them,
//     },                                    // in precedence order (see below)
//     "artistId": {"from": "partitionKey"},
//         // the id is the part of the partition key matched by its pattern's
//         // '*'; or {"from": "attribute", "attribute": "artistId"}: the id is
//         // that string attribute of the item (a REMOVE record then needs its
//         // OldImage: stream view NEW_AND_OLD_IMAGES)
//     "fields": {                      // data-model field <- attribute path
//       "artistName": "displayName",
//       "latitude": "geo.lat",         // a dotted path walks into M values
//       "studioInfo.studioName": "studio"  // a dotted field sets a map member
//     }
//   }
//
// Precedence: when several items map to one artist (METADATA and the older
// PROFILE of one id, during a migration), the artist follows the item whose
// sort key matches the earliest pattern: its rank (ItemKind::sort_key_rank,
// 1 for the first pattern) goes with every change (Artist.source_rank), and
// the index serves the highest-ranked item that exists: a change of a
// lower-ranked item never overwrites or deletes a document that came from a
// higher-ranked one, but is kept, and served once the higher-ranked item is
// removed (inkdex/index.h "Source ranks").
//
// A pattern is exact text, or a prefix when it ends in '*' ("*" alone
// matches every value); '*' anywhere else is an error. A field of "fields"
// is read from its attribute path instead of its own name: its own attribute
// is ignored, and when the path leads nowhere the field is absent (a required
// field then rejects the item: "latitude: missing (mapped from geo.lat)").
// The targets are the data-model field names (README "Record format",
// older spellings included), a dotted target names a member of a map field
// (studioInfo, pricing, availability, experience, contactInfo); artistId is
// not a target (see "artistId"). The id decided by "artistId" always becomes
// the record's artistId; an artistId attribute that disagrees with it is a
// warning. Key attributes are dropped from the record.
//
// Errors name the file, the JSON path and the reason:
//   "mapping.json: $.fields.latitude: must be a string (an attribute path
//    such as \"geo.lat\"), got number"
//
// Thread safety: immutable after construction; every const method may be
// called concurrently.
#ifndef INKDEX_SERVICE_STREAM_ITEM_MAPPING_H_
#define INKDEX_SERVICE_STREAM_ITEM_MAPPING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace inkdex::stream {

// Exact text, or a prefix (written with a trailing '*').
struct KeyPattern {
  std::string text;
  bool prefix = false;

  bool Matches(std::string_view value) const;
  std::string ToString() const { return prefix ? text + "*" : text; }
};

// What the key attributes of an item say it is.
struct ItemKind {
  enum class Kind {
    kArtist,  // an artist item; `artist_id` holds the key's id in kPartitionKey mode
    kOther,   // another item type, named by `item_type`
    kNoKey,   // the partition key attribute is absent or not a string
  };
  Kind kind = Kind::kNoKey;
  std::string item_type;  // kOther: "STUDIO", "ARTIST/REVIEW", ... (at most 64 bytes)
  std::string artist_id;  // kArtist with the id from the partition key; may be empty
  // kArtist: 1 + the index of the first artistItems.sortKey pattern its sort
  // key matches (its precedence, see above); 0 when the item has no sort key.
  uint32_t sort_key_rank = 0;
};

class ItemMapping {
 public:
  enum class IdSource { kPartitionKey, kAttribute };

  // One member of "fields": `target` <- `source`, both split at '.'.
  struct FieldMapping {
    std::vector<std::string> target;
    std::vector<std::string> source;
    std::string target_name;  // as written in the file, e.g. "studioInfo.studioName"
    std::string source_name;  // e.g. "geo.lat"
  };

  // The data-model mapping (see above).
  static ItemMapping Default();

  // Parses a mapping file's text; `origin` (the file name) starts every
  // error message. InvalidArgument "<origin>: <$.json.path>: <reason>".
  static absl::StatusOr<ItemMapping> Parse(std::string_view json_text, std::string_view origin);

  const std::string& partition_key() const { return partition_key_; }
  const std::string& sort_key() const { return sort_key_; }  // empty: no sort key
  const KeyPattern& artist_partition_key() const { return artist_pk_; }
  const std::vector<KeyPattern>& artist_sort_keys() const { return artist_sk_; }
  IdSource id_source() const { return id_source_; }
  const std::string& id_attribute() const { return id_attribute_; }  // kAttribute only
  // Whether "fields" maps some attribute to another field (ArtistOverlay
  // then copies and edits members; without it, it only drops the keys and
  // sets artistId).
  bool maps_fields() const { return !fields_.empty(); }
  const std::vector<FieldMapping>& fields() const { return fields_; }

  // 16 hex digits identifying what the mapping does (keys, artist patterns,
  // id source, fields; not the file's layout, member order or description),
  // stored with a followed index so a changed --mapping is noticed.
  std::string Fingerprint() const;

  // The kind of the item whose key attributes are in `item`: a Keys map, a
  // whole item or image (attribute values), or a plain JSON object (key
  // attributes as plain strings). Never fails: anything that is not an
  // object, or lacks the partition key, is kNoKey. An artist partition key
  // without a sort key attribute is an artist (table items always have both
  // keys; a record without its sort key comes from a file).
  ItemKind Classify(const nlohmann::json& item) const;

  // The artist id of an item of kind kArtist: `kind.artist_id` in
  // kPartitionKey mode (InvalidArgument "<PK>: no artist id after
  // '<prefix>'" when empty), else the id attribute of `image` (InvalidArgument
  // "<attribute>: missing" / "... must be a string"; `image` may be null).
  absl::StatusOr<std::string> ArtistId(const ItemKind& kind, const nlohmann::json* image) const;

  // The artist record of `image` (an attribute map) in data-model names, as
  // an attribute map for inkdex::ParseArtistRecord(kDynamoDbJson): "fields"
  // applied, key attributes dropped, artistId set to `artist_id`. Findings
  // (an artistId attribute that disagrees) are appended to `warnings`.
  // REQUIRES: image.is_object().
  nlohmann::json ArtistAttributes(const nlohmann::json& image, const std::string& artist_id,
                                  std::vector<std::string>* warnings) const;

  // The same record as what changes in `image`, for
  // inkdex::MapDynamoDbAttributeMap(image, overlay, ...), which reads the
  // image through it without copying it: an object whose members replace
  // the image's, a discarded value (json::value_t::discarded) for a member
  // dropped. Only the members "fields" change are copied (none with the
  // default mapping): the key attributes are dropped and artistId set.
  // ArtistAttributes is the image with this applied. REQUIRES:
  // image.is_object().
  nlohmann::json ArtistOverlay(const nlohmann::json& image, const std::string& artist_id,
                               std::vector<std::string>* warnings) const;

  // "SK PROFILE": the sort-key pattern of `rank` (ItemKind::sort_key_rank),
  // for messages; "sort-key rank N" when out of range.
  std::string DescribeRank(uint32_t rank) const;

  // `reason` ("latitude: missing") with the mapped source of its field added
  // ("latitude: missing (mapped from geo.lat)"); unchanged when the field is
  // not mapped.
  std::string ExplainReason(const std::string& reason) const;

 private:
  ItemMapping() = default;

  std::string partition_key_;
  std::string sort_key_;
  KeyPattern artist_pk_;
  std::vector<KeyPattern> artist_sk_;
  IdSource id_source_ = IdSource::kPartitionKey;
  std::string id_attribute_;
  std::vector<FieldMapping> fields_;
};

// Reads and parses a mapping file (see above). InvalidArgument naming `path`:
// "<path>: cannot read: <errno text>", "<path>: not valid JSON: <parser
// message>", or a Parse error.
absl::StatusOr<ItemMapping> LoadItemMapping(const std::string& path);

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_ITEM_MAPPING_H_
