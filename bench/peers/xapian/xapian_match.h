// The per-query pieces the plain Xapian peer plugs into Xapian::Enquire:
//
//  * MatchContext: where a document matches (its nearest location active on
//    the query date inside the radius or viewport, or the nearest active one
//    for nearest-first) and at what great-circle distance, decoded from the
//    document's location value; cached for the last docid because the
//    decider, the spy and the key maker all ask about the same document.
//  * ActiveLocationDecider (Xapian::MatchDecider): LatLongDistancePostingSource
//    and the viewport value ranges look at every location, active or not;
//    the decider keeps a document only when an active location qualifies.
//  * FacetSpy (Xapian::MatchSpy): the facets ValueCountMatchSpy cannot
//    count: styles (a multi-valued bit mask), distance rings (depend on the
//    query point) and cities (of the matched location).
//  * SortKeyMaker (Xapian::KeyMaker): inkdex's sort keys (ranking.h) without
//    the text part, as an order-preserving string with the artist id
//    appended, so Xapian's sort by key orders like inkdex, ties by id.
//
// Thread safety: per query, one thread; the context must outlive the
// Enquire that holds the decider, spy and key maker.
#ifndef INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_MATCH_H_
#define INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_MATCH_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <xapian.h>

#include "absl/container/flat_hash_map.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"
#include "xapian_schema.h"

namespace inkdex::bench::xapian_peer {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// inkdex's haversine (lib/src/geo/distance.cc), bit for bit, so that the
// exact radius check and the distance part of the score agree with inkdex.
double HaversineKm(double lat1, double lon1, double lat2, double lon2);

enum class GeoMode { kNone, kRadius, kViewport, kNearest };

// What a request asks of geography, resolved once per query.
struct GeoQuery {
  GeoMode mode = GeoMode::kNone;
  bool has_ref = false;  // a point, or the viewport's centre
  double ref_lat = 0, ref_lon = 0;
  double radius_km = 0;
  BoundingBox bbox;
  std::string day;  // ISO date guest spots are checked on

  static GeoQuery From(const SearchRequest& request, std::string day);
};

struct Located {
  bool matches = false;
  int location = 0;        // index into the document's locations
  double distance = kNaN;  // km from the reference point; NaN without one
  const std::string* city = nullptr;
};

class MatchContext {
 public:
  explicit MatchContext(const GeoQuery& geo) : geo_(geo) {}
  const GeoQuery& geo() const { return geo_; }
  const Located& Locate(const Xapian::Document& doc);

 private:
  GeoQuery geo_;
  Xapian::docid cached_ = 0;
  std::vector<StoredLocation> locations_;
  Located located_;
};

class ActiveLocationDecider : public Xapian::MatchDecider {
 public:
  explicit ActiveLocationDecider(MatchContext* context) : context_(context) {}
  bool operator()(const Xapian::Document& doc) const override {
    return context_->Locate(doc).matches;
  }

 private:
  MatchContext* context_;
};

class FacetSpy : public Xapian::MatchSpy {
 public:
  // count_styles: false when another pass counts them (a style constraint
  // makes the style facet disjunctive). rings: with a reference point.
  FacetSpy(MatchContext* context, bool count_styles, bool rings)
      : context_(context), count_styles_(count_styles), rings_(rings) {}

  void operator()(const Xapian::Document& doc, double weight) override;
  std::string name() const override { return "inkdex.FacetSpy"; }

  // Fills the facets this spy counted (styles only when count_styles).
  void FillFacets(const StyleTaxonomy& taxonomy, int top_cities, Facets* facets) const;
  void FillStyles(const StyleTaxonomy& taxonomy, Facets* facets) const;

 private:
  MatchContext* context_;
  bool count_styles_, rings_;
  std::array<int64_t, StyleTaxonomy::kMaxStyles> styles_{};
  std::array<int64_t, 6> ring_counts_{};
  absl::flat_hash_map<std::string, int64_t> cities_;
};

// Rate and rating bands from ValueCountMatchSpy (kRateBandSlot,
// kRatingBandSlot), in inkdex's order with zero counts kept.
void FillBands(const Xapian::ValueCountMatchSpy& rates, const Xapian::ValueCountMatchSpy& ratings,
               Facets* facets);

// inkdex's sort key (ranking.h; ascending) of a document, given the text
// weight t (0 without text).
double SortKey(const SearchRequest& request, const Located& located, const Xapian::Document& doc,
               double t);
// The key as a string that sorts like (key, id).
std::string EncodeKey(double key, const std::string& id);

class SortKeyMaker : public Xapian::KeyMaker {
 public:
  SortKeyMaker(const SearchRequest& request, MatchContext* context)
      : request_(request), context_(context) {}
  std::string operator()(const Xapian::Document& doc) const override;

 private:
  const SearchRequest& request_;
  MatchContext* context_;
};

}  // namespace inkdex::bench::xapian_peer

#endif  // INKDEX_BENCH_PEERS_XAPIAN_XAPIAN_MATCH_H_
