#include "text/suggester.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "geo/distance.h"
#include "geo/region.h"
#include "text/document_builder.h"

namespace inkdex::text {
namespace {

constexpr int kMaxTermsPerKind = 400;

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

// True when some word of `text` (lowercased) starts with `key`.
bool WordStartsWith(std::string_view text, std::string_view key) {
  const std::string lower = SuggestKey(text);
  if (lower.starts_with(key)) return true;
  for (size_t pos = lower.find(' '); pos != std::string::npos; pos = lower.find(' ', pos + 1)) {
    if (std::string_view(lower).substr(pos + 1).starts_with(key)) return true;
  }
  return false;
}

void ScanTerms(Xapian::Database& db, std::string_view prefix, const std::string& key,
               Suggestion::Kind kind, std::vector<Suggestion>* out) {
  const std::string start = std::string(prefix) + key;
  int n = 0;
  for (Xapian::TermIterator t = db.allterms_begin(start);
       t != db.allterms_end(start) && n < kMaxTermsPerKind; ++t, ++n) {
    const std::string term = *t;
    const size_t sep = term.find(kSuggestSeparator);
    if (sep == std::string::npos) continue;
    Suggestion s;
    s.kind = kind;
    s.text = term.substr(sep + 1);
    s.count = t.get_termfreq();
    s.id = s.text;
    if (kind == Suggestion::Kind::kArtist) {
      Xapian::PostingIterator p = db.postlist_begin(term);
      if (p != db.postlist_end(term)) s.id = db.get_document(*p).get_data();
    }
    out->push_back(std::move(s));
  }
}

void AddNearby(const engine::Snapshot& snap, const SuggestRequest& req, const std::string& key,
               std::vector<Suggestion>* out) {
  const GeoPoint p = *req.near;
  absl::flat_hash_map<std::string, size_t> seen;  // kind + text -> index in out
  for (double radius = 25; radius <= 400; radius *= 4) {
    out->clear();
    seen.clear();
    const std::vector<geo::CellRange> ranges = geo::CoverCap(p.lat, p.lon, radius);
    snap.ForEachLocationIn(ranges, [&](uint32_t slot, uint32_t li) {
      const engine::Row& row = snap.rows.row(slot);
      const engine::RowLocation& loc = row.locations[li];
      const double d = geo::DistanceKm(p.lat, p.lon, loc.lat, loc.lon);
      if (d > radius) return;
      auto add = [&](Suggestion::Kind kind, const std::string& text, const std::string& id) {
        auto [it, inserted] = seen.try_emplace(absl::StrCat(KindRank(kind), text), out->size());
        if (inserted) {
          out->push_back({kind, text, id, 1, d});
        } else {
          Suggestion& s = (*out)[it->second];
          if (kind != Suggestion::Kind::kArtist || s.id != id) ++s.count;
          s.distance_km = std::min(s.distance_km, d);
        }
      };
      if (WordStartsWith(row.name, key)) add(Suggestion::Kind::kArtist, row.name, row.id);
      if (!row.studio_name.empty() && WordStartsWith(row.studio_name, key)) {
        add(Suggestion::Kind::kStudio, row.studio_name, row.studio_name);
      }
      if (!loc.city->empty() && WordStartsWith(*loc.city, key)) {
        add(Suggestion::Kind::kCity, *loc.city, *loc.city);
      }
    });
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
  ScanTerms(db, kCityPrefix, key, Suggestion::Kind::kCity, &global);
  ScanTerms(db, kStudioNamePrefix, key, Suggestion::Kind::kStudio, &global);
  ScanTerms(db, kArtistNamePrefix, key, Suggestion::Kind::kArtist, &global);
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
    if (taken
            .insert(
                absl::StrCat(KindRank(s.kind), s.kind == Suggestion::Kind::kArtist ? s.id : s.text))
            .second) {
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
