// Size limits of an artist record's text and lists: what one artist may
// make the store, the search index and every response carry. A directory
// profile is far below them; a runaway value (a 2 MB biography, thousands of
// unknown style names) would cost every commit and search that touches it.
//
//   names, studio fields, locations, handle, dates   kMaxShortTextBytes
//   biography                                        kMaxBiographyBytes
//   specialties, unknown styles (entries)            kMaxListEntries,
//                                                    each kMaxShortTextBytes
//   guest spots                                      kMaxGuestSpots
//   experience.yearsActive                           kMaxYearsActive
//
// Parsed input (files, streams) is cut to fit, with a warning per field, so
// a record is never lost for its size; ValidateArtist (documents built by
// code, the gRPC API) refuses what does not fit, so the caller can fix it.
//
// Thread safety: pure functions.
#ifndef INKDEX_RECORD_FIELD_LIMITS_H_
#define INKDEX_RECORD_FIELD_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "inkdex/artist.pb.h"

namespace inkdex::internal {

inline constexpr size_t kMaxShortTextBytes = 1024;
inline constexpr size_t kMaxBiographyBytes = 64 * 1024;
inline constexpr int kMaxListEntries = 64;
// One primary location and at most 255 guest spots: a cell entry numbers
// an artist's locations in 8 bits.
inline constexpr int kMaxGuestSpots = 255;
// experience.yearsActive: a career, not a typo's 100000.
inline constexpr uint32_t kMaxYearsActive = 100;

// Cuts what exceeds a limit (text at a UTF-8 character boundary, lists to
// their first entries) and appends one warning per field cut, naming it:
// "biography: 2000000 bytes; cut to the first 65536".
void FitFieldLimits(Artist* artist, std::vector<std::string>* warnings);

// INVALID_ARGUMENT naming the first field over its limit: "biography: is
// 2000000 bytes; at most 65536".
absl::Status CheckFieldLimits(const Artist& artist);

}  // namespace inkdex::internal

#endif  // INKDEX_RECORD_FIELD_LIMITS_H_
