// Conversions between the gRPC API (inkdex.v1, proto/inkdex/v1/
// artist_search.proto) and the library's request and response types
// (lib/include/inkdex/query.h, index.h).
//
// Used by both ends: inkdex-server turns requests into library calls and
// results into responses; the CLI's --server mode and the load generator
// turn flags into requests and responses back into library types, so that
// `inkdex search --server` prints exactly what a local search prints.
//
// Validation split: FromProto checks only what the wire form adds (enum
// values out of range, proto-only limits such as the number of ids in a
// batch). Ranges of the values themselves (coordinates, radius, limit, text
// length, style names, dates) are the library's: Index::Search and friends
// return INVALID_ARGUMENT naming the field. Every error message starts with
// the proto field path ("ranking.distance_scale_km: ...", "artists[3].id:
// ..."), so a client can tell which field to fix.
//
// Thread safety: free functions over values; no shared state.
#ifndef INKDEX_SERVICE_API_CONVERT_H_
#define INKDEX_SERVICE_API_CONVERT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "inkdex/index.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"
#include "inkdex/v1/artist_search.pb.h"

namespace inkdex::api {

// Limits of the wire API (beyond the library's own).
inline constexpr int kMaxBatchGetIds = 100;
inline constexpr int kMaxWriteBatch = 1000;

// Search. Unset optional fields take the library defaults (limit 0 -> 20,
// facets unset -> true, top_cities unset -> 10, ranking fields unset -> the
// RankingOptions defaults); presence maps one to one (has_point() <-> point,
// has_radius_km() <-> radius_km, ...). `interrupted` is never set by
// conversion. The only error: an enum value outside the proto's enum (proto3
// enums are open) is INVALID_ARGUMENT "sort: unknown value 9" /
// "style_match: unknown value 9".
// ToProto(SearchRequest) is the exact inverse: it writes every field (all six
// ranking knobs, limit, facets and top_cities explicitly), so
// FromProto(ToProto(r)) reproduces r.
absl::StatusOr<SearchRequest> FromProto(const v1::SearchRequest& request);
v1::SearchRequest ToProto(const SearchRequest& request);
// Responses: a NaN distance_km (no point) <-> unset distance_km; an all-zero
// explanation (explain off) <-> unset explanation; matched_location always
// set. FromProto(ToProto(r)) reproduces r.
v1::SearchResponse ToProto(const SearchResponse& response);
// The same, written into `out` (REQUIRES: empty; it may live on an arena,
// where assigning a returned message would copy it).
void ToProto(const SearchResponse& response, v1::SearchResponse* out);
SearchResponse FromProto(const v1::SearchResponse& response);

// Suggest. limit 0 -> 10; has_near() <-> near; NaN distance_km <-> unset.
// FromProto(SuggestRequest) never fails today (StatusOr for wire-only checks
// to come). FromProto(SuggestResponse) drops suggestions whose kind this
// build does not know (a newer server's), rather than mislabel them.
absl::StatusOr<SuggestRequest> FromProto(const v1::SuggestRequest& request);
v1::SuggestRequest ToProto(const SuggestRequest& request);
v1::SuggestResponse ToProto(const std::vector<Suggestion>& suggestions);
void ToProto(const std::vector<Suggestion>& suggestions, v1::SuggestResponse* out);
std::vector<Suggestion> FromProto(const v1::SuggestResponse& response);

// ListStyles: the taxonomy with live counts (Index::StyleCounts, one per
// style id in taxonomy order; a style past the end of `counts` counts 0).
v1::ListStylesResponse StylesToProto(const StyleTaxonomy& taxonomy,
                                     const std::vector<int64_t>& counts, uint64_t commit_seq);

// Writes. Upserts: each artist's fields take the record parser's normal forms
// (NormalizeArtist), and its styles (and unknown_styles, so a record read
// back can be written again) are resolved through `taxonomy` (aliases -> ids,
// in the given order, each once; unknown names kept once each in
// unknown_styles, as the record parser does). An artist the library would
// reject is NOT an error here: items are checked one by one and reported per
// item (see PreparedWrite::Item). Errors here are about the request as a
// whole: no items or more than kMaxWriteBatch, INVALID_ARGUMENT "artists:
// must hold 1..1000 items, got 0" ("deletions: ..." for deletes); an artist
// with `stream_sequence` set,
// INVALID_ARGUMENT "artists[i].stream_sequence: set only by the stream
// reader; clear it" (a client bug, not a bad record: the field is internal).
//
// Per-item refusals (Item::rejected, outcome REJECTED, reason naming the
// item's field path):
//   "artists[i].id: required", "artists[i].version: must be > 0",
//   "artists[i].styles[j]: must not be empty" (also unknown_styles[j]; and
//   "must be at most 256 bytes"), then the library's ValidateArtist with its
//   data-model names turned into proto paths:
//   "artists[i].location.latitude: must be a number in [-90, 90], got 123",
//   "artists[i].name: ...", "artists[i].pricing.hourly_rate: ...",
//   "artists[i].guest_spots[k].location.longitude: ...",
//   "artists[i].guest_spots[k].from: ...", "artists[i].specialties[k]: ..."
//   (k in the request's list, blank entries counted, though they are
//   dropped).
//   Deletes: "deletions[i].id: required", "deletions[i].version: must be > 0",
//   "deletions[i].id: must be at most 256 bytes, got N".
// An accepted upsert with unknown styles carries Item::note
// "unknown styles: a, b", reported as the APPLIED result's reason.
struct PreparedWrite {
  WriteBatch batch;  // the changes that passed the per-item checks
  // One entry per request item, in request order. For an item refused before
  // reaching the library (no id, version 0, ...),
  // `rejected` holds the result; otherwise `batch_index` is its position in
  // batch.changes().
  struct Item {
    std::string id;
    int batch_index = -1;
    std::optional<v1::WriteResult> rejected;
    std::string note;  // e.g. "unknown styles: foo, bar" for an applied item
  };
  std::vector<Item> items;
};
absl::StatusOr<PreparedWrite> PrepareUpserts(const v1::UpsertArtistsRequest& request,
                                             const StyleTaxonomy& taxonomy);
absl::StatusOr<PreparedWrite> PrepareDeletes(const v1::DeleteArtistsRequest& request);
// Merges the library's per-change results (for prepared.batch) with the items
// refused early into the response, one result per request item in order.
// REQUIRES: results are Index::Apply's for exactly prepared.batch (an item
// without a result is reported REJECTED "internal: ..."). Reasons: APPLIED ->
// the item's note; STALE -> the library's ("version 3 <= stored version 5");
// REJECTED by the library -> its message with the item's path prefixed.
v1::WriteArtistsResponse WriteResultsToProto(const PreparedWrite& prepared,
                                             const std::vector<ChangeResult>& results,
                                             uint64_t commit_seq);
// The most bytes WriteResultsToProto's response for `prepared` can take:
// known for the items refused early, and for the others their id and note
// plus kMaxLibraryReasonBytes (the library's stale reasons are under 130
// bytes, "stream sequence <40 digits> <= stored stream sequence <40
// digits>"; an item that passed the checks here is not rejected by it). A
// server checks it against its message limit BEFORE committing, so a batch
// is never applied and then reported failed because its answer was too
// large.
inline constexpr size_t kMaxLibraryReasonBytes = 256;
size_t WriteResponseBytesBound(const PreparedWrite& prepared);

// Stats: the index's figures (documents .. memory_bytes). The server's own
// fields (index_directory, version, build, started_unix_micros,
// index_generation, and slot_layout, which it measures apart) are left for
// the caller to fill.
v1::GetStatsResponse StatsToProto(const IndexStats& stats);
// The inverse, for clients: the index's figures of a GetStats response.
IndexStats StatsFromProto(const v1::GetStatsResponse& response);
// GetStatsResponse.slot_layout both ways (the drift is derived, so only
// artists and breaks come back).
v1::SlotLayout SlotLayoutToProto(const SlotLayout& layout);
SlotLayout SlotLayoutFromProto(const v1::SlotLayout& layout);

}  // namespace inkdex::api

#endif  // INKDEX_SERVICE_API_CONVERT_H_
