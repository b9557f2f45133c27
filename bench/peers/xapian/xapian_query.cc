#include "xapian_query.h"

#include "text/text_matcher.h"

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

}  // namespace

absl::StatusOr<Xapian::Query> BaseQuery(const Xapian::Database& db, const SearchRequest& r,
                                        const GeoQuery& geo, const StyleTaxonomy& taxonomy,
                                        int max_locations) {
  Xapian::Query q;
  if (!r.text.empty()) {
    // Text is matched exactly as inkdex matches it (the gate compares
    // relevance pages position by position): same query parser settings.
    absl::StatusOr<Xapian::Query> text = text::ParseText(db, r.text, taxonomy);
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
