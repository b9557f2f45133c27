// RecordMapper: a DynamoDB stream record (from the stream reader or a Lambda
// event) or a Scan item -> the index change it stands for, through the
// table's ItemMapping (item_mapping.h) and inkdex::ParseArtistRecord.
//
// Map(record):
//   INSERT/MODIFY of an artist item -> kUpsert of its NewImage, versioned by
//     the record's sequence number (Artist.stream_sequence), so a duplicate
//     or an older record comes back stale from Index::Apply. An artist with
//     opted_out true or isActive false is still an upsert: the library keeps
//     the document and hides it from search and GetArtist.
//   REMOVE of an artist item -> kDelete of the id (from Keys, or from the
//     OldImage when the id is an attribute), at the sequence number.
//   Upserts and deletes carry the item's source rank (the position of its
//   sort-key pattern, item_mapping.h "Precedence"), so a change of an older
//   PROFILE item never overrides or deletes the artist's METADATA document;
//   the index keeps it, to serve if METADATA is removed.
//   an item of another type -> kIgnore, `reason` the item type ("STUDIO").
//   an artist record that cannot be indexed -> kReject, `reason` "field:
//     reason": no coordinates or a required field of the wrong type
//     ("latitude: missing"), a sequence number that is not 1..40 digits, no
//     NewImage on INSERT/MODIFY (a KEYS_ONLY or OLD_IMAGE stream), an
//     unknown eventName, no key attributes.
//   Exception: an artist image that cannot be indexed but says opted_out
//     true or isActive false becomes a kDelete (with a warning), so an
//     artist who asked to be hidden is never left searchable by a broken
//     write.
//
// A rejected MODIFY changes nothing in the index: the artist's previously
// indexed document (from the last record that could be indexed) stays, and
// stays searchable, until a later record of the item can be indexed or
// removes it. The reject is counted and logged (inkdex_stream_records_total
// {outcome="rejected"}) for an operator to fix the item; deleting the artist
// instead would let one bad write take a correct listing offline.
//
// MapItem(item) maps a Scan item the same way, without a sequence number:
// kUpsert (the caller chooses the version; a "streamSequence" attribute is
// never taken as one), kIgnore, or kReject.
//
// Never throws and never crashes, whatever the JSON. Thread safety:
// immutable; Map and MapItem may be called concurrently.
#ifndef INKDEX_SERVICE_STREAM_RECORD_MAPPER_H_
#define INKDEX_SERVICE_STREAM_RECORD_MAPPER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dynamodb/stream_record.h"
#include "dynamodb/streams_client.h"
#include "inkdex/artist.pb.h"
#include "inkdex/index.h"
#include "inkdex/taxonomy.h"
#include "nlohmann/json.hpp"
#include "stream/item_mapping.h"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace inkdex::stream {

enum class RecordAction { kUpsert, kDelete, kIgnore, kReject };

struct MappedRecord {
  RecordAction action = RecordAction::kIgnore;
  std::string artist_id;        // kUpsert/kDelete (and kReject when known)
  Artist artist;                // kUpsert: stream_sequence set to the record's sequence number
  std::string sequence_number;  // the record's
  std::string reason;           // kIgnore: the item type ("STUDIO"); kReject: "field: reason"
  std::vector<std::string> warnings;
  // The item's precedence among the items of one artist (ItemKind::
  // sort_key_rank; 0: none); kUpsert: also in artist.source_rank.
  uint32_t source_rank = 0;
};

// A stream record's JSON text (a Lambda event's record), parsed and mapped.
struct ParsedStreamRecord {
  // Its fields as ParseStreamRecord reads them; on the direct path (below)
  // without new_image and old_image, which were never copied (record.raw
  // then has no NewImage or OldImage member at all).
  dynamodb::StreamRecord record;
  MappedRecord mapped;  // Map(record)
  bool direct = false;  // mapped straight from simdjson's DOM
};

class RecordMapper {  // thread-safe, immutable
 public:
  // REQUIRES: taxonomy != nullptr.
  RecordMapper(ItemMapping mapping, std::shared_ptr<const StyleTaxonomy> taxonomy);

  // A stream record (reader or Lambda); a copy of record.premapped when set.
  MappedRecord Map(const dynamodb::StreamRecord& record) const;
  MappedRecord MapItem(const nlohmann::json& item) const;  // a Scan item (no sequence)

  // A stream record given as JSON text: ParseStreamRecord of
  // ParseRecordJsonForMapping(text), then Map, with the same results and
  // errors. The common case is mapped straight from simdjson's DOM without
  // building nlohmann trees of its images (12 us a directory-like record
  // against 20: bench/stream/apply_bench.cc parse_and_map; and the trees'
  // allocations no longer contend with the committer's): an INSERT or
  // MODIFY of an artist item with Keys and a NewImage whose artistId agrees
  // with the key, under a mapping without "fields", with ids from the
  // partition key and the keys named PK and SK (attributes the artist
  // mapper never reads), in a record without repeated keys. Anything else,
  // and any record that maps to a reject, takes the general path. Errors
  // (INVALID_ARGUMENT): "record: not valid JSON: ...", "record: nested
  // deeper than <max_depth> levels" (counted without the OldImage that
  // ParseRecordJsonForMapping leaves out), ParseStreamRecord's.
  absl::StatusOr<ParsedStreamRecord> ParseAndMap(std::string_view text, size_t max_depth) const;

  // A GetRecords answer's text, read for a stream reader that maps as it
  // reads: ParseRecordsPageForMapping's answer, except that each record
  // ParseAndMap would map directly is mapped now, from the page's simdjson
  // DOM, and left in the answer without its NewImage and OldImage (they are
  // never copied into trees). (*premapped)[i] is the mapping of the answer's
  // Records[i], null for a record left whole (Map reads it as before); a
  // caller sets each record's StreamRecord::premapped from it. *premapped is
  // left empty when the page takes ParseRecordsPageForMapping whole (text
  // simdjson refuses, a repeated key at the top, no Records array, or a
  // mapping the direct path does not serve). Errors:
  // ParseRecordsPageForMapping's. Cost: a directory-like page of 1,000
  // records parsed and mapped in ~16 ms, against ~33 ms for its reading and
  // mapping through trees (bench/stream/apply_bench.cc read_page).
  // Uses this thread's simdjson parser (dynamodb::ThreadJsonParser).
  absl::StatusOr<nlohmann::json> ParseRecordsPage(
      std::string_view text, std::vector<std::shared_ptr<const MappedRecord>>* premapped) const;

  // A Scan answer's text, read for a table load that maps as it reads:
  // dynamodb::ParseJson's answer, except that each item MapItem would map
  // to an upsert under the conditions of ParseAndMap's direct path (the
  // image's artistId the key's, no "Item" attribute, no repeated keys) is
  // mapped now from the page's DOM and stands in the answer as an empty
  // object: (*premapped)[i] is Items[i]'s mapping, what MapItem gives the
  // item, nullopt for an item left whole. *premapped is left empty when the
  // page is read whole (as ParseRecordsPage). Errors: ParseJson's. Uses this
  // thread's simdjson parser. Cost: a page of 1,000 items ~10 ms, against
  // ~30 through trees (apply_bench.cc scan_page).
  absl::StatusOr<nlohmann::json> ParseScanPage(
      std::string_view text, std::vector<std::optional<MappedRecord>>* premapped) const;

  const ItemMapping& mapping() const { return mapping_; }

 private:
  // `out` for an item that is not an artist: kIgnore naming its type, or
  // kReject "<keys_field>.<partition key>: missing ..." for kNoKey.
  MappedRecord NotAnArtist(const ItemKind& kind, const char* keys_field, MappedRecord out) const;
  // Fills `out` from an artist image: kUpsert, or kReject; kDelete instead
  // of kReject for a hidden artist when `delete_hidden`.
  void MapArtistImage(const nlohmann::json& image, const std::string& artist_id, bool delete_hidden,
                      MappedRecord& out) const;

  // ParseAndMap's direct path; nullopt when the record must take the
  // general one.
  std::optional<ParsedStreamRecord> MapDirect(std::string_view text, size_t max_depth) const;
  // The same for a record of a document already parsed (a page's).
  // REQUIRES: DirectPathServes().
  std::optional<ParsedStreamRecord> MapDirectElement(const simdjson::dom::element& root,
                                                     size_t max_depth) const;
  // The same for a Scan item: MapItem's result, or nullopt.
  std::optional<MappedRecord> MapItemDirect(const simdjson::dom::element& item,
                                            size_t max_depth) const;
  // The direct mapping of an artist image whose keys were classified as
  // `kind`: kUpsert (no stream sequence), or nullopt for the general path.
  std::optional<MappedRecord> MapImageDirect(const ItemKind& kind,
                                             const simdjson::dom::element& image) const;
  // Whether the mapping lets the direct path map any record at all.
  bool DirectPathServes() const;

  const ItemMapping mapping_;
  const std::shared_ptr<const StyleTaxonomy> taxonomy_;
};

// A stream record's JSON text parsed as dynamodb::ParseJson parses it, but
// without what RecordMapper::Map never reads: the OldImage of an INSERT or
// MODIFY that has Keys or a NewImage. Map gives the same result for either
// (the OldImage is read for a REMOVE, and for the keys of a record with
// neither). That OldImage is half of a NEW_AND_OLD_IMAGES MODIFY, and
// copying it into the tree and freeing it cost more than the mapping
// (bench/stream/apply_bench.cc, parse_record_texts). Errors: ParseJson's.
absl::StatusOr<nlohmann::json> ParseRecordJsonForMapping(std::string_view text);

// The same for a GetRecords answer's text: each record of its "Records"
// without the OldImage Map never reads (a page of 1,000 directory-like
// records: apply_bench parse_records).
absl::StatusOr<nlohmann::json> ParseRecordsPageForMapping(std::string_view text);

// Sets each record of `page` (read from the answer RecordMapper::
// ParseRecordsPage returned) premapped from `premapped`, the mappings it
// gave, by position. Nothing when `premapped` is empty (the page was read
// whole). Internal error when the counts differ: records left without
// images must not go unmapped.
absl::Status AttachPremapped(std::vector<std::shared_ptr<const MappedRecord>> premapped,
                             dynamodb::RecordsPage& page);

// kUpsert -> batch->Upsert(artist), kDelete -> DeleteAtStreamSequence(id,
// sequence_number, source_rank); kIgnore and kReject add nothing. An
// upsert's artist is moved into the batch; the rest of `r` stays as it was
// (ApplyMappedRecords reports a failed commit by it).
void AddToBatch(MappedRecord&& r, WriteBatch* batch);

// The bounded `reason` label of inkdex_stream_records_total for a mapped
// record (server/metrics.h): "none" (kUpsert, kDelete), "other_item"
// (kIgnore), and for kReject "missing_image" (no NewImage/OldImage needed),
// "invalid_record" (the stream record itself: sequence number, eventName,
// keys) or "invalid_field" (the artist image).
std::string_view MetricReason(const MappedRecord& r);

namespace internal {
// Map's checks, shared with ParseAndMap's direct path: a sequence number of
// 1..40 decimal digits; the id rules of ParseArtistRecord for ids that
// reach the index without it ("" when `id` is fine, else why not).
bool IsValidSequence(std::string_view s);
// Whether Map reads the OldImage of a record (`rest`: the record without
// it): the rule ParseRecordJsonForMapping and ParseRecordsPageForMapping
// leave it out by. Unknown event names keep it, whatever Map does with them.
bool MapReadsOldImage(const nlohmann::json& rest);
std::string IdProblem(std::string_view id);
}  // namespace internal

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_RECORD_MAPPER_H_
