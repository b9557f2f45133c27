// Row: what the search engine keeps in memory per slot (artist) to filter,
// rank, facet and display without touching the document store.
//
// Rows live in RowTable pages that are shared between snapshots and copied
// on write (engine/row_table.h), so a Row is immutable once published.
// Strings that repeat across artists (cities, studio ids and names,
// currencies, location displays) are interned in a StringPool and held by
// pointer; the pool outlives every row.
//
// Memory: ~230 bytes per artist plus its own strings (id, name; studio names
// are interned, and guest spots beyond the first location are allocated).
#ifndef INKDEX_ENGINE_ROW_H_
#define INKDEX_ENGINE_ROW_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "geo/distance.h"

namespace inkdex::engine {

inline constexpr int32_t kNoDayMin = std::numeric_limits<int32_t>::min();
inline constexpr int32_t kNoDayMax = std::numeric_limits<int32_t>::max();

struct RowLocation {
  double lat = 0, lon = 0;
  int32_t from_day = kNoDayMin;  // days since 1970-01-01, inclusive
  int32_t to_day = kNoDayMax;
  const std::string* display = nullptr;    // interned, never null once built
  const std::string* city = nullptr;       // interned "City, CC" or "" (facet key)
  const std::string* city_name = nullptr;  // interned "City" or ""

  bool ActiveOn(int32_t day) const { return from_day <= day && day <= to_day; }
};

// The string a Row's interned fields point to before they are set.
inline const std::string& EmptyString() {
  static const std::string* empty = new std::string();
  return *empty;
}

struct Row {
  // The stored record's version, so that Index::Apply judges most changes
  // without reading the record: the number of a numeric version, or for a
  // stream sequence number (too long for 64 bits; the store holds its
  // digits) internal::StreamSequencePrefix, with stream_version set.
  uint64_t version = 0;
  uint64_t content_hash = 0;  // StoredRecord::content_hash: the indexed search document
  uint32_t gen = 0;           // bumped (mod 2^24) whenever locations or liveness change
  bool live = false;          // searchable: exists, not deleted, not opted out, active
  bool booking_open = false;
  int16_t years_active = -1;  // -1 unknown
  uint32_t review_count = 0;
  uint32_t source_rank = 0;  // StoredRecord::source_rank: 0 unranked
  bool stream_version = false;
  // NaN: unrated (no rating, or 0 with no reviews; row_builder.cc). A rated
  // row may have review_count 0 (the count was not given).
  double rating = std::numeric_limits<double>::quiet_NaN();
  double hourly_rate = std::numeric_limits<double>::quiet_NaN();  // NaN unknown
  uint64_t style_mask = 0;
  const std::string* studio_key = nullptr;  // interned studio id (or name); null: none
  const std::string* currency = nullptr;
  // [0] is the primary location; at most 256. One is held inline: most
  // artists have no guest spot, and a commit copies whole row pages
  // (row_table.h), so a row copy then allocates nothing for its locations.
  absl::InlinedVector<RowLocation, 1> locations;
  std::string id;
  std::string name;
  // Interned (studios repeat across artists), so copying a row copies a
  // pointer; never null.
  const std::string* studio_name = &EmptyString();
};

// A row with an id is a stored document (it always has a location) or a
// tombstone (a deleted id: no locations); an empty row is a free slot.
inline bool IsTombstoneRow(const Row& r) { return !r.id.empty() && r.locations.empty(); }
inline bool IsDocumentRow(const Row& r) { return !r.locations.empty(); }

// The fields every candidate is filtered, ranked and counted by, copied out
// of its Row into a dense array (RowTable pages keep both side by side) so
// that scans over many artists touch 88 bytes each, not a Row and its heap
// strings and location vector. Guest spots (num_locations > 1) still read
// the Row. 88 bytes.
struct HotRow {
  uint64_t style_mask = 0;
  double rating = std::numeric_limits<double>::quiet_NaN();
  double hourly_rate = std::numeric_limits<double>::quiet_NaN();
  double lat = 0, lon = 0;            // primary location
  geo::UnitVector unit;               // geo::ToUnitVector(lat, lon), for distances
  const std::string* city = nullptr;  // primary location's facet key
  uint32_t gen = 0;
  uint32_t review_count = 0;
  int16_t years_active = -1;
  uint16_t num_locations = 0;
  uint16_t currency = 0;  // PackCurrency of the pricing currency; 0 none
  bool live = false;
  bool booking_open = false;
};

// An ISO 4217 code ("EUR") in 16 bits (26^3 codes fit), so a hot row can
// carry it; 0 for anything that is not three ASCII letters (case ignored).
inline uint16_t PackCurrency(std::string_view code) {
  if (code.size() != 3) return 0;
  int packed = 0;
  for (char c : code) {
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (upper < 'A' || upper > 'Z') return 0;
    packed = packed * 26 + (upper - 'A');
  }
  return static_cast<uint16_t>(packed + 1);
}

// The row's hourly rate as a query in `currency` (PackCurrency; 0: any)
// sees it: NaN (no rate) when the row is priced in another currency. A row
// without a currency is taken to be in the query's.
inline double RateIn(const HotRow& row, uint16_t currency) {
  if (currency == 0 || row.currency == 0 || row.currency == currency) return row.hourly_rate;
  return std::numeric_limits<double>::quiet_NaN();
}

// A 128-bit Bloom filter of how words begin (lowercase ASCII): each word
// adds its first two bytes and its first three as two items, each item
// setting 3 of the 128 bits. A prefix can start a word only if
// Contains(WordStartMask(prefix)). For six words (an artist's name, studio
// and city: ~12 items, ~30 bits) a 3-letter prefix that starts none of them
// passes ~0.1 % of the time (random words, and the synthetic directory's
// names, studios and cities: tests/engine/word_starts_test.cc). Words many
// rows share (a city, "Tattoo") make some prefixes pass more often in some
// places: any filter has such unlucky pairs. The filter this replaced spent
// 64 bits on 2-letter starts (one each) and 64 on 3-letter ones (two each,
// sometimes the same bit): suggest read ~35 % more rows with it at 1M.
// Cost: 16 bytes per cell entry.
struct WordStarts {
  uint64_t lo = 0;  // bits 0-63
  uint64_t hi = 0;  // bits 64-127

  WordStarts& operator|=(const WordStarts& o) {
    lo |= o.lo;
    hi |= o.hi;
    return *this;
  }
  bool Contains(const WordStarts& mask) const {
    return (lo & mask.lo) == mask.lo && (hi & mask.hi) == mask.hi;
  }
  void Add(uint64_t item) {
    // splitmix64's finalizer, so that the three 7-bit positions taken from
    // it are as good as independent.
    uint64_t h = item;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
    h ^= h >> 31;
    for (int k = 0; k < 3; ++k) {
      const unsigned bit = static_cast<unsigned>(h >> (57 - 7 * k)) & 127;
      (bit < 64 ? lo : hi) |= uint64_t{1} << (bit & 63);
    }
  }
};

inline WordStarts WordStartMask(std::string_view lower_word) {
  WordStarts bits;
  if (lower_word.size() >= 2) {
    bits.Add(static_cast<unsigned char>(lower_word[0]) |
             uint64_t{static_cast<unsigned char>(lower_word[1])} << 8 | uint64_t{2} << 24);
  }
  if (lower_word.size() >= 3) {
    bits.Add(static_cast<unsigned char>(lower_word[0]) |
             uint64_t{static_cast<unsigned char>(lower_word[1])} << 8 |
             uint64_t{static_cast<unsigned char>(lower_word[2])} << 16 | uint64_t{3} << 24);
  }
  return bits;
}

// The WordStartMask of every word of SuggestKey(text) (space separated),
// ORed: accent-folded and lowercased as suggest's keys are, so the filter
// passes what WordStartMask of a key's word asks for. Cost: no allocation
// for ASCII text.
WordStarts WordStartBits(std::string_view text);

inline HotRow MakeHot(const Row& r) {
  HotRow h;
  h.style_mask = r.style_mask;
  h.rating = r.rating;
  h.hourly_rate = r.hourly_rate;
  if (!r.locations.empty()) {
    h.lat = r.locations[0].lat;
    h.lon = r.locations[0].lon;
    h.unit = geo::ToUnitVector(h.lat, h.lon);
    h.city = r.locations[0].city;
  }
  h.gen = r.gen;
  h.review_count = r.review_count;
  h.years_active = r.years_active;
  h.num_locations = static_cast<uint16_t>(r.locations.size());
  h.currency = r.currency != nullptr ? PackCurrency(*r.currency) : 0;
  h.live = r.live;
  h.booking_open = r.booking_open;
  return h;
}

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_ROW_H_
