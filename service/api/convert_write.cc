// UpsertArtists / DeleteArtists: request items -> a library WriteBatch, and
// the library's per-change results -> one WriteResult per item (contract in
// convert.h).
//
// Items are checked here with the library's own rules (ValidateArtist, the
// id and version rules of Index::Apply) so that a bad item is refused with
// its proto field path ("artists[2].location.latitude: ...") instead of the
// data-model name the library uses ("latitude: ..."), and never reaches the
// group commit.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "api/convert.h"
#include "inkdex/record.h"

namespace inkdex::api {
namespace {

// As in the record parser and Index::Apply.
constexpr size_t kMaxIdBytes = 256;
constexpr size_t kMaxStyleNameBytes = 256;

// The proto path (relative to one inkdex.Artist) of a data-model field name
// as ValidateArtist words it. Names not listed are already proto paths
// ("rating", "styles[1]").
std::string ArtistFieldPath(absl::string_view field) {
  static constexpr std::pair<absl::string_view, absl::string_view> kRenames[] = {
      {"artistId", "id"},
      {"artistName", "name"},
      {"latitude", "location.latitude"},
      {"longitude", "location.longitude"},
      {"pricing.hourlyRate", "pricing.hourly_rate"},
      {"pricing.minimumCharge", "pricing.minimum_charge"},
      {"availability.nextAvailable", "availability.next_available"},
      {"experience.yearsActive", "years_active"},
      {"createdAt", "created_at"},
      {"updatedAt", "updated_at"},
      {"instagramHandle", "instagram_handle"},
      {"studioInfo.studioId", "studio.id"},
      {"studioInfo.studioName", "studio.name"},
      {"studioInfo.address", "studio.address"},
      {"studioInfo.postcode", "studio.postcode"},
      {"locationDisplay", "location.display"},
      {"locationCity", "location.city"},
      {"locationCountry", "location.country"},
      {"guestSpots", "guest_spots"},
      // The styles the taxonomy does not know, which the request sent in
      // `styles` (their positions there are not kept).
      {"unknownStyles", "styles (unknown ones)"},
  };
  // The leaves of a guest spot's location as the library names them.
  static constexpr std::pair<absl::string_view, absl::string_view> kSpotLeaves[] = {
      {"latitude", "location.latitude"},       {"longitude", "location.longitude"},
      {"locationDisplay", "location.display"}, {"locationCity", "location.city"},
      {"locationCountry", "location.country"},
  };
  constexpr absl::string_view kSpots = "guestSpots[";
  if (absl::StartsWith(field, kSpots)) {
    // guestSpots[i].latitude -> guest_spots[i].location.latitude; from/to stay.
    const size_t close = field.find("].");
    if (close == absl::string_view::npos) return std::string(field);
    absl::string_view index = field.substr(kSpots.size(), close - kSpots.size());
    absl::string_view leaf = field.substr(close + 2);
    for (const auto& [from, to] : kSpotLeaves) {
      if (leaf == from) {
        leaf = to;
        break;
      }
    }
    return absl::StrCat("guest_spots[", index, "].", leaf);
  }
  if (absl::StartsWith(field, "unknownStyles[")) return "styles (unknown ones)";
  for (const auto& [from, to] : kRenames) {
    if (field == from) return std::string(to);
  }
  return std::string(field);
}

// A library message "<field>: <reason>" about one artist, rewritten as
// "<item_prefix><proto path>: <reason>".
std::string ArtistMessage(absl::string_view item_prefix, absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return absl::StrCat(item_prefix, message);
  return absl::StrCat(item_prefix, ArtistFieldPath(message.substr(0, colon)),
                      message.substr(colon));
}

// A library message about the normalized artist's "specialties[k]" (its
// k-th specialty that is not blank: NormalizeArtist drops the blank ones)
// with k rewritten to the index in the caller's list; other messages as
// they are.
std::string InCallersSpecialtyIndex(absl::string_view message, const Artist& original) {
  constexpr absl::string_view kField = "specialties[";
  if (!absl::StartsWith(message, kField)) return std::string(message);
  const size_t close = message.find(']');
  int k = 0;
  if (close == absl::string_view::npos ||
      !absl::SimpleAtoi(message.substr(kField.size(), close - kField.size()), &k)) {
    return std::string(message);
  }
  for (int i = 0; i < original.specialties_size(); ++i) {
    if (absl::StripAsciiWhitespace(original.specialties(i)).empty()) continue;
    if (k-- == 0) return absl::StrCat(kField, i, message.substr(close));
  }
  return std::string(message);
}

v1::WriteResult Rejected(std::string id, std::string reason) {
  v1::WriteResult result;
  result.set_id(std::move(id));
  result.set_outcome(v1::WriteResult::OUTCOME_REJECTED);
  result.set_reason(std::move(reason));
  return result;
}

absl::Status CheckBatchSize(absl::string_view field, int size) {
  if (size >= 1 && size <= kMaxWriteBatch) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must hold 1..", kMaxWriteBatch, " items, got ", size));
}

// The checks both kinds of change share: an id and a version > 0 (a version
// of 0 would lose to every stored version, and can never be replaced safely).
// Empty when they pass, else the reason naming the field.
std::string CheckIdAndVersion(absl::string_view item_prefix, absl::string_view id,
                              uint64_t version) {
  if (id.empty()) return absl::StrCat(item_prefix, "id: required");
  if (version == 0) return absl::StrCat(item_prefix, "version: must be > 0");
  return "";
}

// The styles the artist names, in `styles` and (when the client sends back a
// record it read) `unknown_styles`, resolved as the record parser resolves
// them: canonical ids in the record's order (the first is often the
// artist's main style), each once; names the taxonomy does not know kept,
// once each, in unknown_styles. Empty when fine, else the reason.
std::string ResolveStyles(const StyleTaxonomy& taxonomy, absl::string_view item_prefix,
                          Artist* artist) {
  std::vector<std::string> ids;
  std::vector<std::string> unknown;
  for (absl::string_view field : {"styles", "unknown_styles"}) {
    const auto& names = field == "styles" ? artist->styles() : artist->unknown_styles();
    for (int j = 0; j < names.size(); ++j) {
      absl::string_view name = absl::StripAsciiWhitespace(names[j]);
      if (name.empty()) return absl::StrCat(item_prefix, field, "[", j, "]: must not be empty");
      if (name.size() > kMaxStyleNameBytes) {
        return absl::StrCat(item_prefix, field, "[", j, "]: must be at most ", kMaxStyleNameBytes,
                            " bytes, got ", name.size());
      }
      if (std::optional<int> index = taxonomy.Find(std::string_view(name.data(), name.size()))) {
        const std::string& id = taxonomy.style(*index).id;
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      } else if (std::find(unknown.begin(), unknown.end(), name) == unknown.end()) {
        unknown.emplace_back(name);
      }
    }
  }
  artist->mutable_styles()->Assign(ids.begin(), ids.end());
  artist->mutable_unknown_styles()->Assign(unknown.begin(), unknown.end());
  return "";
}

// The request path of item `i` of a prepared write, for library messages.
std::string ItemPrefix(const Change& change, size_t i) {
  return absl::StrCat(change.kind == Change::Kind::kUpsert ? "artists[" : "deletions[", i, "].");
}

v1::WriteResult::Outcome ToProto(ChangeResult::Outcome outcome) {
  switch (outcome) {
    case ChangeResult::Outcome::kApplied:
      return v1::WriteResult::OUTCOME_APPLIED;
    case ChangeResult::Outcome::kStale:
      return v1::WriteResult::OUTCOME_STALE;
    case ChangeResult::Outcome::kRejected:
      return v1::WriteResult::OUTCOME_REJECTED;
  }
  return v1::WriteResult::OUTCOME_REJECTED;
}

}  // namespace

absl::StatusOr<PreparedWrite> PrepareUpserts(const v1::UpsertArtistsRequest& request,
                                             const StyleTaxonomy& taxonomy) {
  if (absl::Status s = CheckBatchSize("artists", request.artists_size()); !s.ok()) return s;
  for (int i = 0; i < request.artists_size(); ++i) {
    // A stream version outranks every numeric version (Index::Apply): one
    // accepted here would make every later API write of the id stale.
    if (!request.artists(i).stream_sequence().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "artists[", i, "].stream_sequence: set only by the stream reader; clear it"));
    }
  }
  PreparedWrite prepared;
  prepared.items.reserve(request.artists_size());
  for (int i = 0; i < request.artists_size(); ++i) {
    const Artist& original = request.artists(i);
    const std::string prefix = absl::StrCat("artists[", i, "].");
    PreparedWrite::Item& item = prepared.items.emplace_back();
    item.id = original.id();
    std::string reason = CheckIdAndVersion(prefix, original.id(), original.version());
    Artist artist = original;
    if (!artist.has_is_active()) artist.set_is_active(true);  // artist.proto: unset = active
    // An API write is unranked (inkdex/index.h "Source ranks"): it compares by
    // version only. A rank copied from GetArtist or an export would make a
    // larger version stale against a better-ranked stored one, and let an
    // older version replace a worse-ranked newer one.
    artist.clear_source_rank();
    NormalizeArtist(&artist);  // as the record parser would have written it
    if (reason.empty()) reason = ResolveStyles(taxonomy, prefix, &artist);
    if (reason.empty()) {
      if (absl::Status s = ValidateArtist(artist); !s.ok()) {
        reason = ArtistMessage(prefix, InCallersSpecialtyIndex(s.message(), original));
      }
    }
    if (!reason.empty()) {
      item.rejected = Rejected(item.id, std::move(reason));
      continue;
    }
    if (artist.unknown_styles_size() > 0) {
      item.note = absl::StrCat("unknown styles: ", absl::StrJoin(artist.unknown_styles(), ", "));
    }
    item.batch_index = static_cast<int>(prepared.batch.size());
    prepared.batch.Upsert(std::move(artist));
  }
  return prepared;
}

absl::StatusOr<PreparedWrite> PrepareDeletes(const v1::DeleteArtistsRequest& request) {
  if (absl::Status s = CheckBatchSize("deletions", request.deletions_size()); !s.ok()) return s;
  PreparedWrite prepared;
  prepared.items.reserve(request.deletions_size());
  for (int i = 0; i < request.deletions_size(); ++i) {
    const v1::ArtistDeletion& deletion = request.deletions(i);
    const std::string prefix = absl::StrCat("deletions[", i, "].");
    PreparedWrite::Item& item = prepared.items.emplace_back();
    item.id = deletion.id();
    std::string reason = CheckIdAndVersion(prefix, deletion.id(), deletion.version());
    if (reason.empty() && deletion.id().size() > kMaxIdBytes) {
      reason = absl::StrCat(prefix, "id: must be at most ", kMaxIdBytes, " bytes, got ",
                            deletion.id().size());
    }
    if (!reason.empty()) {
      item.rejected = Rejected(item.id, std::move(reason));
      continue;
    }
    item.batch_index = static_cast<int>(prepared.batch.size());
    prepared.batch.Delete(deletion.id(), deletion.version());
  }
  return prepared;
}

v1::WriteArtistsResponse WriteResultsToProto(const PreparedWrite& prepared,
                                             const std::vector<ChangeResult>& results,
                                             uint64_t commit_seq) {
  v1::WriteArtistsResponse out;
  out.set_commit_seq(commit_seq);
  out.mutable_results()->Reserve(static_cast<int>(prepared.items.size()));
  for (size_t i = 0; i < prepared.items.size(); ++i) {
    const PreparedWrite::Item& item = prepared.items[i];
    if (item.rejected) {
      *out.add_results() = *item.rejected;
      continue;
    }
    const size_t at = static_cast<size_t>(item.batch_index);
    if (item.batch_index < 0 || at >= results.size() || at >= prepared.batch.size()) {
      // A caller bug (results of another batch); say so rather than guess.
      *out.add_results() =
          Rejected(item.id, "internal: the index returned no result for this item");
      continue;
    }
    const ChangeResult& result = results[at];
    v1::WriteResult* p = out.add_results();
    p->set_id(item.id);
    p->set_outcome(ToProto(result.outcome));
    switch (result.outcome) {
      case ChangeResult::Outcome::kApplied:
        p->set_reason(item.note);
        break;
      case ChangeResult::Outcome::kStale:
        p->set_reason(result.reason);
        break;
      case ChangeResult::Outcome::kRejected:
        p->set_reason(ArtistMessage(ItemPrefix(prepared.batch.changes()[at], i), result.reason));
        break;
    }
  }
  return out;
}

size_t WriteResponseBytesBound(const PreparedWrite& prepared) {
  // A result's field tags and lengths (id, outcome, reason) and its own
  // tag and length within the response: at most 16 bytes.
  constexpr size_t kFraming = 16;
  size_t bytes = 11;  // commit_seq: a tag and a varint of at most 10 bytes
  for (const PreparedWrite::Item& item : prepared.items) {
    bytes += kFraming;
    if (item.rejected) {
      bytes += item.rejected->ByteSizeLong();
    } else {
      // Its note when applied, or a library reason.
      bytes += item.id.size() + std::max(item.note.size(), kMaxLibraryReasonBytes);
    }
  }
  return bytes;
}

}  // namespace inkdex::api
