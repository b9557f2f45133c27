#include "text/suggester.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "geo/distance.h"
#include "geo/region.h"
#include "text/document_builder.h"
#include "text/term_walk.h"

namespace inkdex::text {
namespace {

// How many terms each kind's prefix scan reads (about a microsecond a term,
// term_walk.h). Cities and studios rank by how many
// artists they hold, so more are read; artist names are one artist each.
constexpr int kMaxCityTerms = 200;
constexpr int kMaxStudioTerms = 100;
constexpr int kMaxArtistTerms = 30;

int KindRank(Suggestion::Kind k) {
  switch (k) {
    case Suggestion::Kind::kStyle:
      return 0;
    case Suggestion::Kind::kCity:
      return 1;
    case Suggestion::Kind::kStudio:
      return 2;
    case Suggestion::Kind::kArtist:
      return 3;
  }
  return 4;
}

// True when some word of `text` starts with `key` (ASCII case folded).
// REQUIRES: key is lowercase (SuggestKey). Allocates nothing: it runs for
// every location near the point.
bool WordStartsWith(std::string_view text, std::string_view key) {
  for (size_t start = 0; start + key.size() <= text.size();) {
    size_t i = 0;
    while (i < key.size() &&
           absl::ascii_tolower(static_cast<unsigned char>(text[start + i])) == key[i]) {
      ++i;
    }
    if (i == key.size()) return true;
    const size_t space = text.find(' ', start);
    if (space == std::string_view::npos) return false;
    start = space + 1;
  }
  return false;
}

void ScanTerms(Xapian::Database& db, std::string_view prefix, const std::string& key,
               Suggestion::Kind kind, int max_terms, std::vector<Suggestion>* out) {
  const std::string start = std::string(prefix) + key;
  int n = 0;
  ForEachTermWithPrefix(db, start, [&](const std::string& term, Xapian::doccount termfreq) {
    if (n++ >= max_terms) return false;
    const size_t sep = term.find(kSuggestSeparator);
    if (sep == std::string::npos) return true;
    Suggestion s;
    s.kind = kind;
    s.text = term.substr(sep + 1);
    s.count = termfreq;
    // An artist's id is looked up only if the suggestion is returned (Suggest).
    s.id = kind == Suggestion::Kind::kArtist ? term : s.text;
    out->push_back(std::move(s));
    return true;
  });
}

void AddNearby(const engine::Snapshot& snap, const SuggestRequest& req, const std::string& key,
               std::vector<Suggestion>* out) {
  const GeoPoint p = *req.near;
  // (kind, text) -> index in out; the views point into the snapshot's rows.
  absl::flat_hash_map<std::pair<int, std::string_view>, size_t> seen;
  // Widen from 2 km until enough is found, reading at most kMaxVisited
  // candidate rows in all (a dense city fills the budget within a few km, and
  // what is that close is what a person typing wants). Cell entries carry a
  // filter of how their words begin (engine::WordStarts), so rows that cannot match are
  // skipped without being read.
  constexpr size_t kMaxVisited = 1000;
  // The filter covers the key's first word (what a prefix's first word must
  // begin with), up to three bytes.
  const std::string_view first_word = std::string_view(key).substr(0, key.find(' '));
  const engine::WordStarts mask = engine::WordStartMask(first_word.substr(0, 3));
  constexpr size_t kMaxScanned = 25000;  // cell entries, ~2 ns each
  size_t visited = 0, scanned = 0;
  for (double radius = 2; radius <= 512 && visited < kMaxVisited && scanned < kMaxScanned;
       radius *= 4) {
    out->clear();
    seen.clear();
    const std::vector<geo::CellRange> ranges = geo::CoverCap(p.lat, p.lon, radius);
    auto visit = [&](const geo::CellEntry& e) {
      if (++scanned > kMaxScanned) return false;
      if (!engine::WordStarts{e.tag[0], e.tag[1]}.Contains(mask)) return true;
      if (!snap.Valid(e)) return true;
      if (++visited > kMaxVisited) return false;
      const uint32_t slot = e.slot;
      const uint32_t li = e.location;
      const engine::Row& row = snap.rows.row(slot);
      const engine::RowLocation& loc = row.locations[li];
      const bool artist = WordStartsWith(row.name, key);
      const bool studio = !row.studio_name.empty() && WordStartsWith(row.studio_name, key);
      const bool city = !loc.city->empty() && WordStartsWith(*loc.city, key);
      if (!artist && !studio && !city) return true;
      const double d = geo::DistanceKm(p.lat, p.lon, loc.lat, loc.lon);
      if (d > radius) return true;
      auto add = [&](Suggestion::Kind kind, const std::string& text, const std::string& id) {
        auto [it, inserted] =
            seen.try_emplace({KindRank(kind), std::string_view(text)}, out->size());
        if (inserted) {
          out->push_back({kind, text, id, 1, d});
        } else {
          Suggestion& s = (*out)[it->second];
          if (kind != Suggestion::Kind::kArtist || s.id != id) ++s.count;
          s.distance_km = std::min(s.distance_km, d);
        }
      };
      if (artist) add(Suggestion::Kind::kArtist, row.name, row.id);
      if (studio) add(Suggestion::Kind::kStudio, row.studio_name, row.studio_name);
      if (city) add(Suggestion::Kind::kCity, *loc.city, *loc.city);
      return true;
    };
    if (snap.geo_base->ForEachInUntil(ranges, visit)) snap.geo_delta->ForEachInUntil(ranges, visit);
    if (out->size() >= static_cast<size_t>(req.limit)) break;
  }
  std::sort(out->begin(), out->end(), [](const Suggestion& a, const Suggestion& b) {
    if (a.distance_km != b.distance_km) return a.distance_km < b.distance_km;
    return a.text < b.text;
  });
}

}  // namespace

std::vector<Suggestion> Suggest(Xapian::Database& db, const engine::Snapshot& snap,
                                const StyleTaxonomy& taxonomy, const SuggestRequest& req) {
  const std::string key = SuggestKey(req.prefix);
  const std::string norm = StyleTaxonomy::Normalize(req.prefix);
  std::vector<Suggestion> global;
  for (int i = 0; i < taxonomy.size(); ++i) {
    const StyleInfo& info = taxonomy.style(i);
    bool hit =
        !norm.empty() && (absl::StartsWith(StyleTaxonomy::Normalize(info.id), norm) ||
                          absl::StartsWith(StyleTaxonomy::Normalize(info.display_name), norm));
    for (const std::string& alias : info.aliases) {
      hit = hit || (!norm.empty() && absl::StartsWith(StyleTaxonomy::Normalize(alias), norm));
    }
    const int64_t count = i < static_cast<int>(snap.style_counts.size()) ? snap.style_counts[i] : 0;
    if (hit) global.push_back({Suggestion::Kind::kStyle, info.display_name, info.id, count, NAN});
  }
  ScanTerms(db, kCityPrefix, key, Suggestion::Kind::kCity, kMaxCityTerms, &global);
  ScanTerms(db, kStudioNamePrefix, key, Suggestion::Kind::kStudio, kMaxStudioTerms, &global);
  ScanTerms(db, kArtistNamePrefix, key, Suggestion::Kind::kArtist, kMaxArtistTerms, &global);
  std::sort(global.begin(), global.end(), [](const Suggestion& a, const Suggestion& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.kind != b.kind) return KindRank(a.kind) < KindRank(b.kind);
    return a.text < b.text;
  });

  std::vector<Suggestion> out;
  if (req.near) AddNearby(snap, req, key, &out);
  absl::flat_hash_set<std::string> taken;
  std::vector<Suggestion> result;
  auto take = [&](const Suggestion& s) {
    if (result.size() >= static_cast<size_t>(req.limit)) return;
    if (taken.insert(absl::StrCat(KindRank(s.kind), s.text)).second) {
      result.push_back(s);
    }
  };
  // Styles first when they match: they are what a query names most often.
  for (const Suggestion& s : global)
    if (s.kind == Suggestion::Kind::kStyle) take(s);
  for (const Suggestion& s : out) take(s);
  for (const Suggestion& s : global) take(s);
  for (Suggestion& s : result) {
    if (s.kind != Suggestion::Kind::kArtist || !s.id.starts_with(kArtistNamePrefix)) continue;
    const std::string term = std::move(s.id);
    s.id.clear();
    Xapian::PostingIterator p = db.postlist_begin(term);
    if (p != db.postlist_end(term)) s.id = db.get_document(*p).get_data();
  }
  return result;
}

}  // namespace inkdex::text
