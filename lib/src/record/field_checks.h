// Field-level rules of the artist record shared by ParseArtistRecord (input
// from files and streams) and ValidateArtist (documents built by code), so
// both accept the same values and word their errors the same way.
//
// Each Check* returns the empty string when the value is acceptable, else the
// reason, worded to follow "<field>: " in a message.
//
// Thread safety: pure functions.
#ifndef INKDEX_RECORD_FIELD_CHECKS_H_
#define INKDEX_RECORD_FIELD_CHECKS_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

namespace inkdex::internal {

inline constexpr size_t kMaxArtistIdBytes = 256;

// The closed interval a numeric field must lie in; `text` completes
// "must be a number ..." in messages.
struct NumberRange {
  double min;
  double max;
  absl::string_view text;
};
inline constexpr NumberRange kLatitudeRange{-90, 90, "in [-90, 90]"};
inline constexpr NumberRange kLongitudeRange{-180, 180, "in [-180, 180]"};
inline constexpr NumberRange kRatingRange{0, 5, "in [0, 5]"};
inline constexpr NumberRange kPriceRange{0, std::numeric_limits<double>::max(), ">= 0"};

// artistId: not empty or only whitespace, at most kMaxArtistIdBytes, no ASCII
// control characters. (Deletes take any non-empty id: one stored before this
// check can still be removed.)
std::string CheckArtistId(absl::string_view id);
// artistName: not empty or only whitespace.
std::string CheckNonBlank(absl::string_view value);
// Finite and within `range`: "must be a number in [-90, 90], got 123.5".
std::string CheckNumber(double value, const NumberRange& range);

// True for a valid proleptic Gregorian calendar date "YYYY-MM-DD".
bool IsIsoDate(absl::string_view s);
// The date of an ISO date or date-time ("2026-12-10", "2026-12-10T09:00Z";
// the whole of `s` as IsIsoTimestamp reads it), or nullopt: a date followed
// by anything but a time ("2026-12-10Tgarbage") is no date.
std::optional<absl::string_view> IsoDatePart(absl::string_view s);
// An ISO-8601 date or date-time as the directory writes createdAt and
// updatedAt: "2026-12-10", "2026-12-10T09:30Z", "2026-12-10T09:30:00.123+01:00"
// (seconds, fraction and zone optional; the zone is Z, +HH:MM or +HHMM; as
// RFC 3339 allows, a space may stand for the T, and t and z may be lower case).
bool IsIsoTimestamp(absl::string_view s);
// An ISO 4217 currency code: three ASCII letters, either case.
std::string CheckCurrencyCode(absl::string_view code);
// Guest-spot bounds: each empty (open-ended on that side) or an ISO date,
// not both empty (a spot without dates would count on every day), and
// from <= to. The reason names the bound: "from: must not be after to, ...".
std::string CheckDateRange(absl::string_view from, absl::string_view to);

// The whole of `text` as a JSON-style number ("51.5", "-3", "1e3"): no
// whitespace, no leading '+', no hex. NaN and infinity come back as given;
// the range checks above reject them.
std::optional<double> ParseCleanDouble(absl::string_view text);
// The whole of `text` as an unsigned integer; an integral number written
// with a fraction or exponent ("12.0", "1e2") is accepted if exact.
std::optional<uint64_t> ParseCleanUint64(absl::string_view text);
// `value` if it is integral and exactly representable as uint64_t.
std::optional<uint64_t> DoubleToUint64(double value);

// Shortest text that parses back to exactly `value` ("51.5225", "120",
// "1e+21"). NaN and infinities, which JSON cannot hold, come back as "NaN",
// "Infinity" and "-Infinity" for messages.
std::string FormatDouble(double value);

// The normal forms every record reader gives these fields (the parser, and
// NormalizeArtist for Artists built by code), so the same artist facets,
// suggests and compares alike however it was written:
// an ISO code of `length` letters upper-cased ("gb" -> "GB"), surrounding
// whitespace dropped; anything else kept as written (trimmed).
std::string NormalizeCode(absl::string_view s, size_t length);
// An Instagram handle without surrounding whitespace or a leading '@'.
absl::string_view NormalizeHandle(absl::string_view handle);

}  // namespace inkdex::internal

#endif  // INKDEX_RECORD_FIELD_CHECKS_H_
