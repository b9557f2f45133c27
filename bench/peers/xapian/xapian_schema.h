// The plain Xapian peer's document layout: one Xapian document per searchable
// artist, built the way the Xapian documentation suggests, without inkdex's
// design (no geo cell terms, no in-memory rows).
//
// Terms:
//   (no prefix)/Z  TermGenerator text of name, studio, specialties, style
//                  display names, locations and instagram handle (English
//                  stemmer, STEM_SOME, positions; field weights as wdf like
//                  inkdex's: name 3, studio/specialties/styles 2, the rest 1)
//                  and of the biography (STEM_ALL_Z, no positions: inkdex's
//                  text analysis, so that text answers are the same)
//   S<style id>    one boolean term per canonical style
//   B              boolean: booking open
//   XA<lower name> boolean: the full artist name, for Suggest
//   XC<lower city> boolean: "City, CC" of every location, for Suggest
// Values (see the slot constants):
//   coordinates of every location as Xapian::LatLongCoords (for
//   LatLongDistancePostingSource), the locations with their active dates and
//   cities (for the date-aware check), each location's lat and lon in its own
//   slot (for viewport value ranges), the style bit mask, rating, reviews,
//   hourly rate, years active (sortable_serialise), precomputed rating and
//   rate band keys (for ValueCountMatchSpy) and the artist id.
// Data: the artist id. Metadata "max_locations": the most locations any
// artist has (how many lat/lon slot pairs a viewport query ORs).
//
// Thread safety: free functions and an ArtistDocumentBuilder used by one
// thread.
#ifndef INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_SCHEMA_H_
#define INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_SCHEMA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"

namespace inkdex::bench::xapian_peer {

inline constexpr Xapian::valueno kCoordsSlot = 0;     // LatLongCoords::serialise()
inline constexpr Xapian::valueno kLocationsSlot = 1;  // EncodeLocations
inline constexpr Xapian::valueno kStyleMaskSlot = 2;  // 8 bytes, bit i = taxonomy style i
inline constexpr Xapian::valueno kRatingSlot = 3;     // only when rated (a rating and reviews)
inline constexpr Xapian::valueno kReviewsSlot = 4;
inline constexpr Xapian::valueno kRateSlot = 5;   // hourly rate, when known
inline constexpr Xapian::valueno kYearsSlot = 6;  // years active, when known
inline constexpr Xapian::valueno kIdSlot = 7;
inline constexpr Xapian::valueno kRateBandSlot = 8;    // "0-50", ..., "unknown"
inline constexpr Xapian::valueno kRatingBandSlot = 9;  // "4.5+", ..., "unrated"
// Location i's latitude is in slot kFirstLatLonSlot + 2i, its longitude in the
// next one.
inline constexpr Xapian::valueno kFirstLatLonSlot = 10;

inline constexpr char kStylePrefix[] = "S";
inline constexpr char kBookingOpenTerm[] = "B";
inline constexpr char kNamePrefix[] = "XA";
inline constexpr char kCityPrefix[] = "XC";
inline constexpr char kMaxLocationsKey[] = "max_locations";

// Great-circle radius inkdex measures on, in metres (Xapian's metric unit).
inline constexpr double kEarthRadiusMetres = 6371008.8;

// One location of an artist as the peer stores it. Dates are ISO days
// ("YYYY-MM-DD", which compare like the days); empty bounds are open.
struct StoredLocation {
  double lat = 0, lon = 0;
  std::string from, to;
  std::string city;  // facet key "City, CC" (or "City", or "")

  bool ActiveOn(std::string_view day) const {
    return (from.empty() || from <= day) && (to.empty() || day <= to);
  }
};

std::string EncodeLocations(const std::vector<StoredLocation>& locations);
// False when `blob` is not an EncodeLocations output.
bool DecodeLocations(std::string_view blob, std::vector<StoredLocation>* out);

std::string EncodeStyleMask(uint64_t mask);
uint64_t DecodeStyleMask(std::string_view value);

// The facet band keys inkdex uses (lib/src/engine/facets.cc).
std::string RateBand(std::optional<double> hourly_rate);
std::string RatingBand(std::optional<double> rating, uint32_t review_count);

// Lowercased ASCII, runs of spaces folded: the Suggest key of a name.
std::string SuggestKey(std::string_view s);

// Searchable artists only (not opted out, active): the others are never
// indexed.
bool IsSearchable(const Artist& artist);

class ArtistDocumentBuilder {
 public:
  explicit ArtistDocumentBuilder(const StyleTaxonomy& taxonomy);
  Xapian::Document Build(const Artist& artist);

 private:
  const StyleTaxonomy& taxonomy_;
  Xapian::TermGenerator termgen_;
};

}  // namespace inkdex::bench::xapian_peer

#endif  // INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_SCHEMA_H_
