// SqlitePeer::Suggest: inkdex's completion order (text/suggester.cc) over
// SQLite: styles from the taxonomy, nearby names from R*Tree rings, global
// names from key-range scans of suggest_terms.
#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/suggest_index.h"
#include "geo/distance.h"
#include "sqlite_peer.h"

namespace inkdex::bench::sqlite {
namespace {

// Kinds ranked as suggester.cc's KindRank.
constexpr int kStyleKind = 0, kCityKind = 1, kStudioKind = 2, kArtistKind = 3;

struct Completion {
  int kind = kArtistKind;
  std::string text;
  int64_t count = 0;
  double distance_km = NAN;
};

// True when `key` (lowercase) begins at the start of a word of `text`
// (words separated by spaces; ASCII case folded), as inkdex's suggester
// matches names.
bool WordStartsWith(std::string_view text, std::string_view key) {
  const absl::string_view k(key.data(), key.size());
  for (size_t start = 0; start <= text.size();) {
    if (absl::StartsWithIgnoreCase(absl::string_view(text.data() + start, text.size() - start),
                                   k)) {
      return true;
    }
    start = text.find(' ', start);
    if (start == std::string_view::npos) return false;
    ++start;
  }
  return false;
}

// The latitude band and longitude range around a ring of `radius_km` (a
// prefilter: distances are checked exactly); the whole longitude range when
// the ring reaches the antimeridian or a pole.
struct Ring {
  double south, west, north, east;
};
Ring RingBox(double lat, double lon, double radius_km) {
  const double dlat = radius_km / 111.19 + 1e-6;
  const double c = std::cos(lat * 3.14159265358979323846 / 180);
  const double dlon = c > 1e-6 ? radius_km / (111.19 * c) + 1e-6 : 360;
  if (lon - dlon < -180 || lon + dlon > 180) return {lat - dlat, -180, lat + dlat, 180};
  return {lat - dlat, lon - dlon, lat + dlat, lon + dlon};
}

}  // namespace

std::vector<std::string> SuggestWordPrefixes(std::initializer_list<std::string_view> texts) {
  std::vector<std::string> out;
  for (std::string_view text : texts) {
    for (absl::string_view word :
         absl::StrSplit(absl::string_view(text.data(), text.size()), ' ', absl::SkipEmpty())) {
      out.push_back(absl::AsciiStrToLower(word.substr(0, 3)));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::StatusOr<std::vector<std::string>> SqlitePeer::Suggest(const SuggestRequest& req) {
  if (db_ == nullptr) return absl::FailedPreconditionError("sqlite peer: not built or opened");
  if (req.prefix.empty() || req.prefix.size() > 100) {
    return absl::InvalidArgumentError("prefix: must be 1..100 bytes");
  }
  if (req.limit < 1 || req.limit > SuggestRequest::kMaxLimit) {
    return absl::InvalidArgumentError("limit: must be in 1..50");
  }
  const std::string key = engine::SuggestKey(req.prefix);
  const std::string norm = StyleTaxonomy::Normalize(req.prefix);
  std::vector<Completion> global;
  for (int i = 0; i < taxonomy_.size(); ++i) {
    const StyleInfo& info = taxonomy_.style(i);
    bool hit =
        !norm.empty() && (absl::StartsWith(StyleTaxonomy::Normalize(info.id), norm) ||
                          absl::StartsWith(StyleTaxonomy::Normalize(info.display_name), norm));
    for (const std::string& alias : info.aliases) {
      hit = hit || (!norm.empty() && absl::StartsWith(StyleTaxonomy::Normalize(alias), norm));
    }
    if (!hit) continue;
    absl::StatusOr<Stmt> count = db_->Prepare("SELECT count FROM style_counts WHERE style = ?1");
    if (!count.ok()) return count.status();
    count->Bind(1, i);
    global.push_back({kStyleKind, info.display_name, count->Step() ? count->Int(0) : 0});
  }
  // As inkdex's scans read them (text/suggester.cc): the cities and studios
  // with the most artists, the first artist names in key order; as many of
  // each as a page could show (a page, plus the nearby ones it may repeat:
  // fewer than a page).
  absl::StatusOr<Stmt> by_count = db_->Prepare(
      "SELECT text, count FROM suggest_terms WHERE kind = ?1 AND term >= ?2 AND term < ?3"
      " ORDER BY count DESC, term LIMIT ?4");
  if (!by_count.ok()) return by_count.status();
  absl::StatusOr<Stmt> by_term = db_->Prepare(
      "SELECT text, count FROM suggest_terms WHERE kind = ?1 AND term >= ?2 AND term < ?3"
      " ORDER BY term LIMIT ?4");
  if (!by_term.ok()) return by_term.status();
  for (const int kind : {kCityKind, kStudioKind, kArtistKind}) {
    Stmt& scan = kind == kArtistKind ? *by_term : *by_count;
    scan.Bind(1, kind).Bind(2, key).Bind(3, key + "\xff").Bind(4, 2 * req.limit);
    while (scan.Step()) global.push_back({kind, std::string(scan.Text(0)), scan.Int(1)});
    if (absl::Status s = scan.Reset(); !s.ok()) return s;
  }
  std::sort(global.begin(), global.end(), [](const Completion& a, const Completion& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.text < b.text;
  });

  std::vector<Completion> nearby;
  if (req.near) {
    const GeoPoint pt = *req.near;
    // Candidates: locations with a word beginning as the key's first word
    // (its first three bytes; a shorter key reads every longer prefix).
    const std::string first = key.substr(0, std::min(key.find(' '), size_t{3}));
    absl::StatusOr<Stmt> near = db_->Prepare(
        "SELECT a.name, a.studio, l.city, l.lat, l.lon FROM suggest_words AS w"
        " CROSS JOIN locations AS l CROSS JOIN artists AS a"
        " WHERE w.prefix >= ?1 AND w.prefix < ?2 AND w.lat >= ?3 AND w.lat <= ?4"
        " AND w.lon >= ?5 AND w.lon <= ?6 AND l.id = w.location AND a.id = l.artist LIMIT ?7");
    if (!near.ok()) return near.status();
    absl::flat_hash_map<std::pair<int, std::string>, size_t> seen;
    // inkdex's budget (suggester.cc): at most kMaxScanned candidates read
    // over all rings and kMaxVisited matching ones.
    constexpr int64_t kMaxScanned = 25000, kMaxVisited = 1000;
    int64_t scanned = 0, visited = 0;
    for (double radius = 2; radius <= 512 && scanned < kMaxScanned && visited < kMaxVisited;
         radius *= 4) {
      nearby.clear();
      seen.clear();
      const Ring box = RingBox(pt.lat, pt.lon, radius);
      near->Bind(1, first).Bind(2, first + "\xff").Bind(3, box.south).Bind(4, box.north);
      near->Bind(5, box.west).Bind(6, box.east).Bind(7, kMaxScanned - scanned);
      while (near->Step()) {
        ++scanned;
        const std::string_view name = near->Text(0), studio = near->Text(1), city = near->Text(2);
        const bool artist = WordStartsWith(name, key);
        const bool in_studio = !studio.empty() && WordStartsWith(studio, key);
        const bool in_city = !city.empty() && WordStartsWith(city, key);
        if (!artist && !in_studio && !in_city) continue;
        if (++visited > kMaxVisited) break;
        const double d = geo::DistanceKm(pt.lat, pt.lon, near->Double(3), near->Double(4));
        if (d > radius) continue;
        auto add = [&](int kind, std::string_view text) {
          auto [it, inserted] = seen.try_emplace({kind, std::string(text)}, nearby.size());
          if (inserted) {
            nearby.push_back({kind, std::string(text), 1, d});
          } else {
            ++nearby[it->second].count;
            nearby[it->second].distance_km = std::min(nearby[it->second].distance_km, d);
          }
        };
        if (artist) add(kArtistKind, name);
        if (in_studio) add(kStudioKind, studio);
        if (in_city) add(kCityKind, city);
      }
      if (absl::Status s = near->Reset(); !s.ok()) return s;
      if (nearby.size() >= static_cast<size_t>(req.limit)) break;
    }
    std::sort(nearby.begin(), nearby.end(), [](const Completion& a, const Completion& b) {
      if (a.distance_km != b.distance_km) return a.distance_km < b.distance_km;
      return a.text < b.text;
    });
  }
  absl::flat_hash_set<std::pair<int, std::string>> taken;
  std::vector<std::string> out;
  auto take = [&](const Completion& c) {
    if (out.size() < static_cast<size_t>(req.limit) && taken.insert({c.kind, c.text}).second) {
      out.push_back(c.text);
    }
  };
  for (const Completion& c : global) {
    if (c.kind == kStyleKind) take(c);
  }
  for (const Completion& c : nearby) take(c);
  for (const Completion& c : global) take(c);
  return out;
}

}  // namespace inkdex::bench::sqlite
