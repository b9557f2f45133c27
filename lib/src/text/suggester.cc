#include "text/suggester.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "geo/distance.h"
#include "geo/region.h"
#include "text/fold.h"

namespace inkdex::text {
namespace {

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

// Whether some word of unfolded `text` may fold to one that begins with
// `first` (a key's first byte): a word beginning with that ASCII letter in
// either case, or with a non-ASCII character, whose fold is not known until
// it is computed. Words are split at ASCII whitespace, as SuggestKey splits
// them; folding changes no ASCII character.
bool SomeWordMayBeginWith(std::string_view text, char first) {
  bool word_start = true;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (absl::ascii_isspace(byte)) {
      word_start = true;
      continue;
    }
    if (word_start && (byte >= 0x80 || absl::ascii_tolower(byte) == first)) return true;
    word_start = false;
  }
  return false;
}

// True when some word of `text` starts with `key`, compared as suggest keys
// (engine::SuggestKey: accent-folded, lowercased). REQUIRES: key is a
// SuggestKey. Allocates nothing for ASCII text: it runs for every location
// near the point whose filter passes.
bool WordStartsWith(std::string_view text, std::string_view key) {
  std::string folded;
  if (HasNonAscii(text)) {
    // Folding costs ICU and an allocation per row (a third of the rows near
    // a point have a non-ASCII name, studio or city): not when no word can
    // match.
    if (!key.empty() && !SomeWordMayBeginWith(text, key[0])) return false;
    folded = engine::SuggestKey(text);
    text = folded;
  }
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

// What a suggest term (engine::SuggestTerm) shows: the original after the
// key.
std::string ShownText(std::string_view term) {
  return std::string(term.substr(term.find(engine::kSuggestSeparator) + 1));
}

// Appends the `max_terms` cities or studios of `index` that begin with
// `key` and have the most artists (equal counts in key order).
void ScanCounted(const engine::SuggestIndex& index, const std::string& key, Suggestion::Kind kind,
                 size_t max_terms, std::vector<Suggestion>* out) {
  size_t n = 0;
  index.ForEachWithPrefixByCount(key, [&](std::string_view term, int64_t count) {
    if (n++ >= max_terms) return false;
    std::string text = ShownText(term);
    out->push_back({kind, text, text, count, NAN});
    return true;
  });
}

// Appends the first `max_terms` artist names of `index` that begin with
// `key`, in key order, each as its lowest-slot artist. (An artist name is
// one artist, rarely a few: the first in key order are as good as any.)
void ScanArtistNames(const engine::Snapshot& snap, const std::string& key, size_t max_terms,
                     std::vector<Suggestion>* out) {
  size_t n = 0;
  snap.suggest_artists->ForEachWithPrefix(
      key, [&](std::string_view term, int64_t count, uint32_t slot) {
        if (n++ >= max_terms) return false;
        out->push_back(
            {Suggestion::Kind::kArtist, ShownText(term), snap.rows.row(slot).id, count, NAN});
        return true;
      });
}

// A location near the point where a word of the artist's name, studio or
// city starts with the key. The views point into the snapshot's rows.
struct NearbyMatch {
  Suggestion::Kind kind;
  std::string_view text;
  std::string_view artist_id;
  double distance_km;
};

// Appends to `out` the artists, studios and cities near the point, nearest
// first, each once with how many artists within the final radius have it (an
// artist name's id is its nearest artist's).
void AddNearby(const engine::Snapshot& snap, const SuggestRequest& req, const std::string& key,
               int32_t day, std::vector<Suggestion>* out) {
  const GeoPoint p = *req.near;
  const geo::UnitVector origin = geo::ToUnitVector(p.lat, p.lon);
  // Widen from 2 km until enough is found, reading at most kMaxVisited
  // candidate rows in all (a dense city fills the budget within a few km, and
  // what is that close is what a person typing wants). Cell entries carry a
  // filter of how their words begin (engine::WordStarts), so rows that cannot match are
  // skipped without being read. Each widening scans only what the previous
  // coverings did not (geo::SubtractRanges) and keeps what they found, so the
  // budgets are spent on new ground: a query that runs out of budget still
  // returns what the inner radii found.
  constexpr size_t kMaxVisited = 1000;
  constexpr size_t kMaxScanned = 25000;  // cell entries, ~2 ns each
  constexpr double kMaxRadiusKm = 512;
  // The filter covers the key's first word (what a prefix's first word must
  // begin with), up to three bytes.
  const std::string_view first_word = std::string_view(key).substr(0, key.find(' '));
  const engine::WordStarts mask = engine::WordStartMask(first_word.substr(0, 3));
  size_t visited = 0, scan_budget = kMaxScanned;
  const std::array<uint64_t, 2> tag_mask = {mask.lo, mask.hi};
  std::vector<NearbyMatch> matches;
  // (kind, text) -> the nearest of its matches.
  absl::flat_hash_map<std::pair<int, std::string_view>, double> nearest;
  // The row of an entry that passes the filters is read kAhead passing
  // entries later, its hot row and Row prefetched meanwhile: each is a
  // cache miss or more, and reading them one after another was most of a
  // dense query's time. Rows are still read in scan order, so what is found
  // is what reading them at once would find.
  constexpr size_t kAhead = 8;
  std::array<const geo::CellEntry*, kAhead> ahead;  // into the snapshot's indexes
  size_t ahead_head = 0, ahead_count = 0;
  bool out_of_rows = false;
  auto read_row = [&](const geo::CellEntry& e) {
    if (!snap.Valid(e)) return true;
    if (++visited > kMaxVisited) {
      out_of_rows = true;
      return false;
    }
    const engine::Row& row = snap.rows.row(e.slot);
    const engine::RowLocation& loc = row.locations[e.location];
    const bool artist = WordStartsWith(row.name, key);
    const bool studio = !row.studio_name->empty() && WordStartsWith(*row.studio_name, key);
    const bool city = !loc.city->empty() && WordStartsWith(*loc.city, key);
    if (!artist && !studio && !city) return true;
    // Coverings reach past their radius; a match there is kept with its
    // distance and counts once a radius includes it. A primary location's
    // unit vector is the row's (the same bits as computing it).
    const double d = geo::DistanceKm(
        origin, e.location == 0 ? snap.rows.hot(e.slot).unit : geo::ToUnitVector(loc.lat, loc.lon));
    auto add = [&](Suggestion::Kind kind, std::string_view text) {
      matches.push_back({kind, text, row.id, d});
      auto [it, inserted] = nearest.try_emplace({KindRank(kind), text}, d);
      if (!inserted) it->second = std::min(it->second, d);
    };
    if (artist) add(Suggestion::Kind::kArtist, row.name);
    if (studio) add(Suggestion::Kind::kStudio, *row.studio_name);
    if (city) add(Suggestion::Kind::kCity, *loc.city);
    return true;
  };
  // Reads the rows still waiting; false when the row budget ran out.
  auto read_waiting = [&] {
    for (; ahead_count > 0; --ahead_count, ahead_head = (ahead_head + 1) % kAhead) {
      if (!read_row(*ahead[ahead_head])) return false;
    }
    return true;
  };
  // Called for the entries whose word starts pass the mask (the index's
  // scan counts the entries read against the budget).
  auto visit = [&](const geo::CellEntry& e) {
    // A guest spot's entry carries its days (search skips it the same way):
    // a studio a visiting artist will be in next year is not near today.
    if (!e.ActiveOn(day)) return true;
    snap.PrefetchHot(e.slot);
    snap.PrefetchRowText(e.slot);
    if (ahead_count < kAhead) {
      ahead[(ahead_head + ahead_count++) % kAhead] = &e;
      return true;
    }
    const geo::CellEntry* oldest = ahead[ahead_head];
    ahead[ahead_head] = &e;
    ahead_head = (ahead_head + 1) % kAhead;
    return read_row(*oldest);
  };
  std::vector<geo::CellRange> covered;
  double radius = 2;
  for (;; radius *= 4) {
    const std::vector<geo::CellRange> cover = geo::CoverCap(p.lat, p.lon, radius);
    const std::vector<geo::CellRange> fresh = geo::SubtractRanges(cover, covered);
    bool complete = snap.geo_base->ForEachTaggedUntil(fresh, tag_mask, &scan_budget, visit) &&
                    snap.geo_delta->ForEachTaggedUntil(fresh, tag_mask, &scan_budget, visit);
    // Rows waiting were scanned before the scan ended or ran out of entries.
    if (!out_of_rows) complete = read_waiting() && complete;
    if (!complete || radius * 4 > kMaxRadiusKm) break;
    // Every location within `radius` has been read: enough found within it?
    const auto within = std::count_if(nearest.begin(), nearest.end(),
                                      [&](const auto& kv) { return kv.second <= radius; });
    if (within >= req.limit) break;
    covered = geo::UnionRanges(covered, cover);
  }
  absl::flat_hash_map<std::pair<int, std::string_view>, size_t> seen;  // -> index in out
  absl::flat_hash_set<std::pair<size_t, std::string_view>> counted;    // (index in out, artist)
  for (const NearbyMatch& m : matches) {
    if (m.distance_km > radius) continue;
    const bool artist = m.kind == Suggestion::Kind::kArtist;
    auto [it, inserted] = seen.try_emplace({KindRank(m.kind), m.text}, out->size());
    if (inserted) {
      out->push_back({m.kind, std::string(m.text), std::string(artist ? m.artist_id : m.text), 0,
                      m.distance_km});
    }
    Suggestion& s = (*out)[it->second];
    if (counted.insert({it->second, m.artist_id}).second) ++s.count;
    // An artist name stands for its nearest artist (the smallest id on a tie).
    if (artist &&
        (m.distance_km < s.distance_km || (m.distance_km == s.distance_km && m.artist_id < s.id))) {
      s.id = std::string(m.artist_id);
    }
    s.distance_km = std::min(s.distance_km, m.distance_km);
  }
  std::sort(out->begin(), out->end(), [](const Suggestion& a, const Suggestion& b) {
    if (a.distance_km != b.distance_km) return a.distance_km < b.distance_km;
    return a.text < b.text;
  });
}

}  // namespace

std::vector<Suggestion> Suggest(const engine::Snapshot& snap, const StyleTaxonomy& taxonomy,
                                const SuggestRequest& req, int32_t day) {
  const std::string key = engine::SuggestKey(req.prefix);
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
  std::vector<Suggestion> out;
  if (req.near) AddNearby(snap, req, key, day, &out);
  // Global completions come after styles and nearby ones (each distinct):
  // when those fill the page, the name scans would not change it. Each kind
  // gives as many as could be shown: the page, plus the nearby ones it may
  // repeat (fewer than a page, or there would be no scan).
  if (global.size() + out.size() < static_cast<size_t>(req.limit)) {
    const size_t need = static_cast<size_t>(req.limit) + out.size();
    ScanCounted(*snap.suggest_cities, key, Suggestion::Kind::kCity, need, &global);
    ScanCounted(*snap.suggest_studios, key, Suggestion::Kind::kStudio, need, &global);
    ScanArtistNames(snap, key, need, &global);
  }
  std::sort(global.begin(), global.end(), [](const Suggestion& a, const Suggestion& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.kind != b.kind) return KindRank(a.kind) < KindRank(b.kind);
    return a.text < b.text;
  });
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
  return result;
}

}  // namespace inkdex::text
