#include "xapian_query.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace inkdex::bench::xapian_peer {
namespace {

Xapian::Query Filtered(Xapian::Query q, Xapian::Query filter) {
  if (q.empty()) return filter;
  return Xapian::Query(Xapian::Query::OP_FILTER, q, filter);
}

Xapian::Query ValueRange(Xapian::valueno slot, double lo, double hi) {
  return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, Xapian::sortable_serialise(lo),
                       Xapian::sortable_serialise(hi));
}

Xapian::Query RadiusQuery(const GeoQuery& geo) {
  const Xapian::LatLongCoords centre(Xapian::LatLongCoord(geo.ref_lat, geo.ref_lon));
  const Xapian::GreatCircleMetric metric(kEarthRadiusMetres);
  // A metre of slack: Xapian's haversine may round the other way at the
  // boundary; the decider measures exactly.
  const double max_range = geo.radius_km * 1000 + 1;
  auto* source = new Xapian::LatLongDistancePostingSource(kCoordsSlot, centre, metric, max_range);
  return Xapian::Query(source->release());
}

Xapian::Query ViewportQuery(const BoundingBox& b, int max_locations) {
  std::vector<Xapian::Query> per_location;
  for (int i = 0; i < max_locations; ++i) {
    const auto lat_slot = static_cast<Xapian::valueno>(kFirstLatLonSlot + 2 * i);
    Xapian::Query lon = b.west <= b.east ? ValueRange(lat_slot + 1, b.west, b.east)
                                         : Xapian::Query(Xapian::Query::OP_OR,
                                                         ValueRange(lat_slot + 1, b.west, 180),
                                                         ValueRange(lat_slot + 1, -180, b.east));
    per_location.emplace_back(Xapian::Query::OP_AND, ValueRange(lat_slot, b.south, b.north), lon);
  }
  return Xapian::Query(Xapian::Query::OP_OR, per_location.begin(), per_location.end());
}

Xapian::Query FilterQuery(const SearchRequest& r) {
  std::vector<Xapian::Query> filters;
  if (r.min_rating) {
    filters.emplace_back(Xapian::Query::OP_VALUE_GE, kRatingSlot,
                         Xapian::sortable_serialise(*r.min_rating));
  }
  if (r.max_hourly_rate) {
    filters.emplace_back(Xapian::Query::OP_VALUE_LE, kRateSlot,
                         Xapian::sortable_serialise(*r.max_hourly_rate));
  }
  if (r.booking_open) filters.emplace_back(kBookingOpenTerm);
  if (r.min_years_active) {
    filters.emplace_back(Xapian::Query::OP_VALUE_GE, kYearsSlot,
                         Xapian::sortable_serialise(*r.min_years_active));
  }
  if (filters.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end());
}

struct Segment {
  std::string text;
  int style = -1;  // >= 0: these words name this style
};

// Runs of plain words, and runs of 1-3 words naming a style.
std::vector<Segment> Segments(const std::string& text, const StyleTaxonomy& taxonomy) {
  if (text.find('"') != std::string::npos) return {Segment{text}};
  std::vector<std::string> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  std::vector<Segment> out;
  for (size_t i = 0; i < words.size();) {
    // The longest run of up to three words from i that names a style.
    size_t n = std::min<size_t>(3, words.size() - i);
    std::optional<int> style;
    std::string run;
    for (; n > 0; --n) {
      run = absl::StrJoin(words.begin() + i, words.begin() + i + n, " ");
      if ((style = taxonomy.Find(run))) break;
    }
    if (style) {
      out.push_back({std::move(run), *style});
      i += n;
      continue;
    }
    if (out.empty() || out.back().style >= 0) out.push_back({});
    if (!out.back().text.empty()) out.back().text.push_back(' ');
    out.back().text += words[i++];
  }
  return out;
}

// The last segment: as typed, the last word is also a prefix. QueryParser's
// FLAG_PARTIAL expands it over unstemmed terms only, which the biography
// (stems only) does not have, so stems beginning with the word are ORed in,
// bounded like the parser's own expansion.
Xapian::Query ParseLast(Xapian::QueryParser& qp, const std::string& segment, unsigned flags) {
  const unsigned partial = flags | Xapian::QueryParser::FLAG_PARTIAL;
  if (segment.find('"') != std::string::npos) return qp.parse_query(segment, partial);
  const size_t cut = segment.find_last_of(" \t\n");
  const std::string head = cut == std::string::npos ? "" : segment.substr(0, cut);
  std::string word = segment.substr(cut == std::string::npos ? 0 : cut + 1);
  if (word.size() < 2 || !std::all_of(word.begin(), word.end(),
                                      [](unsigned char c) { return absl::ascii_isalpha(c); })) {
    return qp.parse_query(segment, partial);
  }
  absl::AsciiStrToLower(&word);
  Xapian::Query last(Xapian::Query::OP_OR, qp.parse_query(word, partial),
                     Xapian::Query(Xapian::Query::OP_WILDCARD, absl::StrCat("Z", word), 64,
                                   Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT));
  Xapian::Query rest = head.empty() ? Xapian::Query() : qp.parse_query(head, flags);
  return rest.empty() ? last : Xapian::Query(Xapian::Query::OP_AND, rest, last);
}

}  // namespace

absl::StatusOr<Xapian::Query> TextQuery(const Xapian::Database& db, const std::string& text,
                                        const StyleTaxonomy& taxonomy) {
  Xapian::QueryParser qp;
  qp.set_database(db);
  qp.set_stemmer(Xapian::Stem("english"));
  qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  qp.set_default_op(Xapian::Query::OP_AND);
  qp.set_max_expansion(64, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT,
                       Xapian::QueryParser::FLAG_PARTIAL);
  const unsigned base = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_LOVEHATE;
  std::vector<Xapian::Query> parts;
  const std::vector<Segment> segments = Segments(text, taxonomy);
  try {
    for (size_t i = 0; i < segments.size(); ++i) {
      const bool last = i + 1 == segments.size();
      Xapian::Query q =
          last ? ParseLast(qp, segments[i].text, base) : qp.parse_query(segments[i].text, base);
      if (segments[i].style >= 0) {
        q = Xapian::Query(
            Xapian::Query::OP_OR, q,
            Xapian::Query(absl::StrCat(kStylePrefix, taxonomy.style(segments[i].style).id)));
      }
      if (!q.empty()) parts.push_back(std::move(q));
    }
  } catch (const Xapian::QueryParserError& e) {
    return absl::InvalidArgumentError(absl::StrCat("text: cannot parse: ", e.get_msg()));
  }
  if (parts.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

absl::StatusOr<Xapian::Query> BaseQuery(const Xapian::Database& db, const SearchRequest& r,
                                        const GeoQuery& geo, const StyleTaxonomy& taxonomy,
                                        int max_locations) {
  Xapian::Query q;
  if (!r.text.empty()) {
    absl::StatusOr<Xapian::Query> text = TextQuery(db, r.text, taxonomy);
    if (!text.ok()) return text.status();
    // Words that are all punctuation match nothing, as in inkdex.
    if (text->empty()) return Xapian::Query::MatchNothing;
    q = *std::move(text);
  }
  if (geo.mode == GeoMode::kRadius) q = Filtered(q, RadiusQuery(geo));
  if (geo.mode == GeoMode::kViewport) q = Filtered(q, ViewportQuery(geo.bbox, max_locations));
  if (Xapian::Query filters = FilterQuery(r); !filters.empty()) q = Filtered(q, filters);
  if (q.empty()) q = Xapian::Query::MatchAll;
  return q;
}

Xapian::Query StyleQuery(const std::vector<int>& styles, StyleMatch match,
                         const StyleTaxonomy& taxonomy) {
  std::vector<Xapian::Query> terms;
  for (int i : styles) terms.emplace_back(absl::StrCat(kStylePrefix, taxonomy.style(i).id));
  return Xapian::Query(match == StyleMatch::kAll ? Xapian::Query::OP_AND : Xapian::Query::OP_OR,
                       terms.begin(), terms.end());
}

}  // namespace inkdex::bench::xapian_peer
