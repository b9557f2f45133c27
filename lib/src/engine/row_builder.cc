#include "engine/row_builder.h"

#include "absl/strings/str_cat.h"
#include "engine/date.h"
#include "engine/suggest_index.h"
#include "record/stream_sequence.h"
#include "text/fold.h"

namespace inkdex::engine {

std::string CityKey(const Location& loc) {
  if (loc.city().empty()) return "";
  if (loc.country().empty()) return loc.city();
  return absl::StrCat(loc.city(), ", ", loc.country());
}

namespace {

RowLocation MakeLocation(const Location& loc, StringPool& pool) {
  RowLocation out;
  out.lat = loc.latitude();
  out.lon = loc.longitude();
  out.display = pool.Intern(loc.display());
  out.city = pool.Intern(CityKey(loc));
  out.city_name = pool.Intern(loc.city());
  return out;
}

}  // namespace

void SetRowVersion(const StoredRecord& r, Row* row) {
  row->stream_version = !r.stream_sequence().empty();
  row->version =
      row->stream_version ? internal::StreamSequencePrefix(r.stream_sequence()) : r.version();
  row->source_rank = r.source_rank();
}

bool RowVersionMatches(const Row& row, const StoredRecord& r) {
  if (row.stream_version == r.stream_sequence().empty() || row.source_rank != r.source_rank()) {
    return false;
  }
  return row.version ==
         (row.stream_version ? internal::StreamSequencePrefix(r.stream_sequence()) : r.version());
}

void FillRow(const Artist& a, const StyleTaxonomy& taxonomy, StringPool& pool, Row* row) {
  const uint32_t gen = row->gen;
  *row = Row();
  row->gen = gen;
  row->live = IsSearchable(a);
  row->id = a.id();
  row->name = a.name();
  row->studio_name = pool.Intern(a.studio().name());
  if (!a.studio().id().empty()) {
    row->studio_key = pool.Intern(a.studio().id());
  } else if (!a.studio().name().empty()) {
    row->studio_key = pool.Intern(absl::StrCat("name:", a.studio().name()));
  }
  row->currency = pool.Intern(a.pricing().currency());
  // Rated: a rating, unless it is the 0 with no reviews that new profiles
  // carry. A rating without reviewCount (an optional field) is a rating all
  // the same: Ranker::Bayes weighs it as one review.
  if (a.has_rating() && (a.rating() > 0 || a.review_count() > 0)) row->rating = a.rating();
  row->review_count = a.review_count();
  if (a.pricing().has_hourly_rate()) row->hourly_rate = a.pricing().hourly_rate();
  if (a.has_years_active()) {
    row->years_active = static_cast<int16_t>(std::min<uint32_t>(a.years_active(), 32767));
  }
  row->booking_open = a.availability().booking_open();
  for (const std::string& s : a.styles()) {
    if (std::optional<int> idx = taxonomy.Find(s)) row->style_mask |= uint64_t{1} << *idx;
  }
  row->locations.reserve(1 + a.guest_spots_size());
  row->locations.push_back(MakeLocation(a.location(), pool));
  for (const GuestSpot& g : a.guest_spots()) {
    if (row->locations.size() >= 256) break;  // CellEntry::location is 8 bits
    RowLocation loc = MakeLocation(g.location(), pool);
    if (!g.from().empty()) loc.from_day = ParseIsoDay(g.from()).value_or(kNoDayMax);
    if (!g.to().empty()) loc.to_day = ParseIsoDay(g.to()).value_or(kNoDayMin);
    row->locations.push_back(loc);
  }
}

bool LocationsDiffer(const Row& a, const Row& b) {
  if (a.live != b.live || a.locations.size() != b.locations.size()) return true;
  if (a.name != b.name || a.studio_name != b.studio_name) return true;  // entry tags
  for (size_t i = 0; i < a.locations.size(); ++i) {
    const RowLocation& x = a.locations[i];
    const RowLocation& y = b.locations[i];
    // Entries carry the location's cell, city (tag) and days.
    if (x.lat != y.lat || x.lon != y.lon || x.city != y.city || x.from_day != y.from_day ||
        x.to_day != y.to_day) {
      return true;
    }
  }
  return false;
}

WordStarts WordStartBits(std::string_view text) {
  std::string key;
  if (text::HasNonAscii(text)) {
    key = SuggestKey(text);
    text = key;
  }
  WordStarts bits;
  char buf[3];
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ' || (i > 0 && text[i - 1] != ' ')) continue;
    size_t n = 0;
    while (n < 3 && i + n < text.size() && text[i + n] != ' ') {
      const char c = text[i + n];
      buf[n++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    bits |= WordStartMask(std::string_view(buf, n));
  }
  return bits;
}

std::array<uint64_t, 2> LocationTag(const Row& row, size_t location) {
  WordStarts bits = WordStartBits(row.name);
  bits |= WordStartBits(*row.studio_name);
  const std::string* city = row.locations[location].city;
  if (city != nullptr) bits |= WordStartBits(*city);
  return {bits.lo, bits.hi};
}

}  // namespace inkdex::engine
