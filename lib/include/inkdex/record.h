// Record parsing: the directory's artist record (JSON Lines, or DynamoDB JSON
// as the S3 export writes it) to the internal inkdex::Artist document, and
// back to JSON for output.
//
// The input shape is described in README "Record format". Older spellings are
// accepted (`name` for `artistName`, `location` for `locationDisplay`, `bio`
// for `biography`, top-level `studioName`). Styles are mapped to canonical ids
// through the StyleTaxonomy; unknown style names are kept in
// Artist.unknown_styles and reported in ParsedRecord.warnings, never dropped
// with the artist.
//
// Thread safety: free functions, no shared state; safe to call concurrently.
//
// Example:
//   auto tax = inkdex::StyleTaxonomy::Default();
//   absl::StatusOr<inkdex::ParsedRecord> r =
//       inkdex::ParseArtistRecord(line, *tax, inkdex::RecordFormat::kAuto);
//   if (!r.ok()) std::cerr << r.status().message();
//   // "latitude: must be a number in [-90, 90], got 123"
#ifndef INKDEX_RECORD_H_
#define INKDEX_RECORD_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"
#include "nlohmann/json_fwd.hpp"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace inkdex {

enum class RecordFormat {
  kAuto,          // {"Item": {...}} or an object of attribute values -> DynamoDB, else plain
  kJson,          // plain JSON values, data-model field names
  kDynamoDbJson,  // {"Item": {"artistId": {"S": "..."}, ...}} or the bare attribute map
};

struct ParsedRecord {
  Artist artist;
  // Non-fatal findings, each "field: reason" (unknown style names, ignored
  // malformed optional fields).
  std::vector<std::string> warnings;
};

// Parses one record. Required: artistId (non-empty, <= 256 bytes, no control
// characters), artistName (or name), latitude and longitude (finite, in
// range). A wrong type or range on a required field is INVALID_ARGUMENT
// "<field>: <reason>" ("latitude: must be a number in [-90, 90], got 123.5",
// "artistId: missing"); text that is not JSON is "json: <reason> at byte N"
// (N 0-based). On an optional field the fault is a warning and the field is
// left unset ("rating: must be a number in [0, 5], got 7"); a malformed guest
// spot is a warning and the spot is dropped. JSON null counts as absent.
//
// Lenient on purpose, because exports really contain these: a numeric field
// given as a string holding exactly a number ("4.8", "127"; no spaces) is
// accepted without a warning, as DynamoDB writes every number that way;
// booleans given as "true"/"false" likewise; `styles` and `specialties` may be
// one comma-separated string. Integer fields accept integral doubles (127.0).
// Unknown fields (PK, SK, gsi*, geohash, contactInfo, ...) are ignored.
//
// `version` is the record's optional `version` field (as ArtistToJson writes
// it), else 0; the caller may override it (see Index::Apply). The inkdex
// fields `unknownStyles` and `portfolioImageCount` (written by ArtistToJson)
// are read back, so ParseArtistRecord(ArtistToJson(a)) reproduces `a`.
absl::StatusOr<ParsedRecord> ParseArtistRecord(std::string_view json, const StyleTaxonomy& taxonomy,
                                               RecordFormat format = RecordFormat::kAuto);

// ParseArtistRecord(text, taxonomy, RecordFormat::kDynamoDbJson) for an
// attribute map already parsed into an nlohmann::json (a DynamoDB stream
// record's NewImage), where `text` is the map's dump() with `replaced`
// applied: a member of `replaced` (an object; null or empty for none) is read
// instead of the map's member of that name, and a discarded value
// (nlohmann::json(nlohmann::json::value_t::discarded)) reads as absent.
// Neither is copied nor written out as text: the stream's mapping cost was
// mostly that copy, its text and parsing it again. The same result and
// errors as the text, including strings that are not valid UTF-8 (read with
// the invalid bytes replaced, as dump() writes them); the map is not
// unwrapped from an {"Item": ...} member.
absl::StatusOr<ParsedRecord> MapDynamoDbAttributeMap(const nlohmann::json& attribute_map,
                                                     const nlohmann::json& replaced,
                                                     const StyleTaxonomy& taxonomy);

// The same for an attribute map simdjson has parsed (its DOM must outlive
// the call), with no overlay: what ParseArtistRecord(text,
// RecordFormat::kDynamoDbJson) gives for the map's text, without parsing it
// again. For a caller that holds the map in a larger simdjson document (a
// stream record's NewImage). Note that simdjson's DOM reads the first of
// repeated keys, where nlohmann::json keeps the last.
absl::StatusOr<ParsedRecord> MapDynamoDbAttributeMap(const simdjson::dom::element& attribute_map,
                                                     const StyleTaxonomy& taxonomy);

// Whether a DynamoDB attribute map says its artist must not be listed, by
// the rules ParseArtistRecord applies to opted_out, optedOut and isActive
// (a boolean, "true"/"false" or 1/0; any other value fails safe, as
// hidden): "opted_out is true", "isActive is false", "optedOut is not true
// or false (string "yes")"; nullopt when nothing hides it. Meant for a
// record that cannot be indexed: when it says hidden, a stream reader
// removes the artist rather than keep showing it (its latest item, however
// broken, asks not to be listed).
std::optional<std::string> DynamoDbAttributeMapHiddenBy(const nlohmann::json& attribute_map);

// Checks an Artist built by code (not parsed): the invariants ParseArtistRecord
// guarantees. Returns INVALID_ARGUMENT naming the field.
absl::Status ValidateArtist(const Artist& artist);

// Gives an Artist built by code the normal forms ParseArtistRecord gives a
// record's fields, so the same artist facets, suggests and compares alike
// however it was written: country codes of the location and the guest spots
// and the currency code upper-cased ("gb" -> "GB", when two or three ASCII
// letters; others are kept, trimmed, for ValidateArtist to judge), the
// Instagram handle without surrounding whitespace or a leading '@', the
// specialties trimmed and the blank ones dropped (so the index of a
// specialty may shift). Styles are the caller's to resolve (they need the
// taxonomy). Call it before ValidateArtist.
void NormalizeArtist(Artist* artist);

// The artist as one line of data-model JSON (artistId, artistName, latitude,
// ..., plus "version", "unknownStyles" and "portfolioImageCount"), suitable
// as `inkdex build` input again. Unset optional fields are omitted; numbers
// are the shortest text that reads back exactly; non-finite numbers (which
// ValidateArtist rejects) are written as null.
std::string ArtistToJson(const Artist& artist);

}  // namespace inkdex

#endif  // INKDEX_RECORD_H_
