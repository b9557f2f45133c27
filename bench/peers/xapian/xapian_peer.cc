#include "xapian_peer.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "xapian_match.h"
#include "xapian_query.h"
#include "xapian_schema.h"

namespace inkdex::bench {
namespace {

using xapian_peer::GeoMode;
using xapian_peer::GeoQuery;

constexpr char kDbName[] = "xapian";

// A validated request: what Search needs beyond the request itself.
struct Resolved {
  SearchRequest request;  // with the effective sort
  GeoQuery geo;
  std::vector<int> styles;  // taxonomy indexes
};

bool InRange(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

absl::Status CheckGeo(const SearchRequest& r) {
  if (r.point && (!InRange(r.point->lat, -90, 90) || !InRange(r.point->lon, -180, 180))) {
    return absl::InvalidArgumentError(
        "point: latitude must be in [-90, 90], longitude in [-180, 180]");
  }
  if (r.radius_km) {
    if (!r.point) return absl::InvalidArgumentError("radius_km: requires point");
    if (!InRange(*r.radius_km, 0, 20000) || *r.radius_km == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("radius_km: must be in (0, 20000], got ", *r.radius_km));
    }
    if (r.bbox) return absl::InvalidArgumentError("bbox: cannot be combined with radius_km");
  }
  if (r.bbox) {
    const BoundingBox& b = *r.bbox;
    if (!InRange(b.south, -90, 90) || !InRange(b.north, -90, 90) || !InRange(b.west, -180, 180) ||
        !InRange(b.east, -180, 180) || b.south > b.north) {
      return absl::InvalidArgumentError(
          "bbox: latitudes must be in [-90, 90] with south <= north, longitudes in [-180, 180]");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Resolved> Resolve(const SearchRequest& r, const StyleTaxonomy& taxonomy) {
  if (r.limit < 1 || r.limit > SearchRequest::kMaxLimit) {
    return absl::InvalidArgumentError(absl::StrCat("limit: must be in 1..100, got ", r.limit));
  }
  if (absl::Status s = CheckGeo(r); !s.ok()) return s;
  std::string day = r.date;
  if (day.empty()) {
    day = absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()));
  } else if (absl::CivilDay parsed;
             !absl::ParseCivilTime(day, &parsed) || absl::FormatCivilTime(parsed) != day) {
    return absl::InvalidArgumentError(
        absl::StrCat("date: must be a date YYYY-MM-DD, got '", day, "'"));
  }
  Resolved out{r, GeoQuery::From(r, day), {}};
  for (size_t i = 0; i < r.styles.size(); ++i) {
    absl::StatusOr<int> idx = taxonomy.Resolve(r.styles[i], absl::StrCat("styles[", i, "]"));
    if (!idx.ok()) return idx.status();
    if (std::find(out.styles.begin(), out.styles.end(), *idx) == out.styles.end()) {
      out.styles.push_back(*idx);
    }
  }
  // A point alone means nearest-first (inkdex's query plan).
  if (out.geo.mode == GeoMode::kNearest && r.sort == SortOrder::kRelevance && r.text.empty()) {
    out.request.sort = SortOrder::kDistance;
  }
  if (out.request.sort == SortOrder::kDistance && !out.geo.has_ref) {
    return absl::InvalidArgumentError("sort: distance needs a point or a viewport");
  }
  return out;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

class PlainXapianPeer : public Peer {
 public:
  explicit PlainXapianPeer(StyleTaxonomy taxonomy) : taxonomy_(std::move(taxonomy)) {}

  std::string name() const override { return "xapian"; }

  absl::Status Build(const std::vector<Artist>& artists, const std::string& dir) override {
    try {
      std::filesystem::create_directories(dir);
      Xapian::WritableDatabase db(DbPath(dir), Xapian::DB_CREATE_OR_OVERWRITE);
      xapian_peer::ArtistDocumentBuilder builder(taxonomy_);
      int max_locations = 1;
      for (size_t i = 0; i < artists.size(); ++i) {
        const Artist& a = artists[i];
        if (!xapian_peer::IsSearchable(a)) continue;
        max_locations = std::max(max_locations, 1 + a.guest_spots_size());
        db.add_document(builder.Build(a));
        if ((i + 1) % 100000 == 0) db.commit();  // bounds the writer's memory
      }
      db.set_metadata(xapian_peer::kMaxLocationsKey, absl::StrCat(max_locations));
      db.commit();
      db.close();
    } catch (const Xapian::Error& e) {
      return absl::InternalError(absl::StrCat("xapian build in ", dir, ": ", e.get_description()));
    } catch (const std::filesystem::filesystem_error& e) {
      return absl::InternalError(absl::StrCat("xapian build: ", e.what()));
    }
    return Open(dir);
  }

  absl::Status Open(const std::string& dir) override {
    try {
      db_ = Xapian::Database(DbPath(dir));
      if (!absl::SimpleAtoi(db_.get_metadata(xapian_peer::kMaxLocationsKey), &max_locations_)) {
        return absl::FailedPreconditionError(
            absl::StrCat(dir, ": not a plain Xapian peer store (no max_locations)"));
      }
    } catch (const Xapian::Error& e) {
      return absl::InternalError(absl::StrCat("xapian open ", dir, ": ", e.get_description()));
    }
    dir_ = dir;
    return absl::OkStatus();
  }

  absl::StatusOr<PeerAnswer> Search(const SearchRequest& request, bool collect_ids) override {
    absl::StatusOr<Resolved> resolved = Resolve(request, taxonomy_);
    if (!resolved.ok()) return resolved.status();
    try {
      return Run(*resolved, collect_ids);
    } catch (const Xapian::Error& e) {
      return absl::InternalError(absl::StrCat("xapian search: ", e.get_description()));
    }
  }

  absl::StatusOr<std::vector<std::string>> Suggest(const SuggestRequest& request) override;

  uint64_t DiskBytes() const override { return dir_.empty() ? 0 : DirectoryBytes(dir_); }

 private:
  static std::string DbPath(const std::string& dir) { return absl::StrCat(dir, "/", kDbName); }

  absl::StatusOr<PeerAnswer> Run(const Resolved& q, bool collect_ids);
  // The style facet of a style-constrained query: counted over `base` (every
  // constraint but the styles), as inkdex's disjunctive facet is.
  void CountStyles(const Resolved& q, const Xapian::Query& base, Facets* facets);

  StyleTaxonomy taxonomy_;
  Xapian::Database db_;
  int max_locations_ = 1;
  std::string dir_;
};

absl::StatusOr<PeerAnswer> PlainXapianPeer::Run(const Resolved& q, bool collect_ids) {
  const SearchRequest& r = q.request;
  absl::StatusOr<Xapian::Query> base =
      xapian_peer::BaseQuery(db_, r, q.geo, taxonomy_, max_locations_);
  if (!base.ok()) return base.status();
  Xapian::Query query = *base;
  if (!q.styles.empty()) {
    query = Xapian::Query(Xapian::Query::OP_FILTER, query,
                          xapian_peer::StyleQuery(q.styles, r.style_match, taxonomy_));
  }
  const bool regional = q.geo.mode == GeoMode::kRadius || q.geo.mode == GeoMode::kViewport;
  const bool text_ranked = !r.text.empty() && r.sort == SortOrder::kRelevance;
  const Xapian::doccount all = db_.get_doccount();

  xapian_peer::MatchContext context(q.geo);
  xapian_peer::ActiveLocationDecider decider(&context);
  xapian_peer::FacetSpy spy(&context, /*count_styles=*/q.styles.empty(), q.geo.has_ref);
  Xapian::ValueCountMatchSpy rates(xapian_peer::kRateBandSlot);
  Xapian::ValueCountMatchSpy ratings(xapian_peer::kRatingBandSlot);
  xapian_peer::SortKeyMaker keys(r, &context);

  Xapian::Enquire enquire(db_);
  enquire.set_query(query);
  if (text_ranked) {
    enquire.set_weighting_scheme(Xapian::TfIdfWeight("lnn"));
  } else {
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_sort_by_key(&keys, /*reverse=*/false);
  }
  if (r.facets) {
    enquire.add_matchspy(&spy);
    enquire.add_matchspy(&rates);
    enquire.add_matchspy(&ratings);
  }
  const Xapian::doccount wanted = collect_ids || text_ranked ? all : r.limit;
  Xapian::MSet mset = enquire.get_mset(0, wanted, all, nullptr, regional ? &decider : nullptr);

  PeerAnswer out;
  out.total = mset.get_matches_lower_bound();
  if (mset.get_matches_upper_bound() != mset.get_matches_lower_bound()) {
    return absl::InternalError("xapian: inexact total despite check_at_least = doccount");
  }
  if (text_ranked) {
    // The score needs t/(1+t) of Xapian's weight: keys after matching.
    std::vector<std::pair<std::string, std::string>> ranked;  // (key, id)
    ranked.reserve(mset.size());
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
      const Xapian::Document doc = it.get_document();
      const std::string id = doc.get_value(xapian_peer::kIdSlot);
      const double key = xapian_peer::SortKey(r, context.Locate(doc), doc, it.get_weight());
      ranked.emplace_back(xapian_peer::EncodeKey(key, id), id);
    }
    const size_t n = std::min<size_t>(ranked.size(), r.limit);
    std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end());
    for (size_t i = 0; i < n; ++i) out.page_ids.push_back(ranked[i].second);
    if (collect_ids) {
      for (auto& [key, id] : ranked) out.all_ids.push_back(std::move(id));
    }
  } else {
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
      std::string id = it.get_document().get_value(xapian_peer::kIdSlot);
      if (out.page_ids.size() < static_cast<size_t>(r.limit)) out.page_ids.push_back(id);
      if (collect_ids) out.all_ids.push_back(std::move(id));
    }
  }
  if (r.facets) {
    spy.FillFacets(taxonomy_, r.top_cities, &out.facets);
    xapian_peer::FillBands(rates, ratings, &out.facets);
    if (!q.styles.empty()) CountStyles(q, *base, &out.facets);
  }
  return out;
}

void PlainXapianPeer::CountStyles(const Resolved& q, const Xapian::Query& base, Facets* facets) {
  xapian_peer::MatchContext context(q.geo);
  xapian_peer::ActiveLocationDecider decider(&context);
  xapian_peer::FacetSpy styles(&context, /*count_styles=*/true, /*rings=*/false);
  Xapian::Enquire enquire(db_);
  enquire.set_query(base);
  enquire.set_weighting_scheme(Xapian::BoolWeight());
  enquire.add_matchspy(&styles);
  const bool regional = q.geo.mode == GeoMode::kRadius || q.geo.mode == GeoMode::kViewport;
  const Xapian::doccount all = db_.get_doccount();
  enquire.get_mset(0, 0, all, nullptr, regional ? &decider : nullptr);
  styles.FillStyles(taxonomy_, facets);
}

absl::StatusOr<std::vector<std::string>> PlainXapianPeer::Suggest(const SuggestRequest& request) {
  const std::string prefix = xapian_peer::SuggestKey(request.prefix);
  if (prefix.empty()) return absl::InvalidArgumentError("prefix: must not be empty");
  std::vector<std::string> out;
  auto full = [&] { return out.size() >= static_cast<size_t>(request.limit); };
  for (const StyleInfo& s : taxonomy_.styles()) {
    if (!full() &&
        (s.id.starts_with(prefix) || xapian_peer::SuggestKey(s.display_name).starts_with(prefix))) {
      out.push_back(s.id);
    }
  }
  try {
    // Cities: the three with the most artists.
    std::vector<std::pair<Xapian::doccount, std::string>> cities;
    const std::string city_prefix = absl::StrCat(xapian_peer::kCityPrefix, prefix);
    for (Xapian::TermIterator t = db_.allterms_begin(city_prefix);
         t != db_.allterms_end(city_prefix); ++t) {
      cities.emplace_back(t.get_termfreq(), (*t).substr(city_prefix.size() - prefix.size()));
    }
    std::sort(cities.begin(), cities.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (size_t i = 0; i < cities.size() && i < 3 && !full(); ++i) out.push_back(cities[i].second);
    if (full()) return out;
    // Artists whose name starts with the prefix, nearest first.
    SearchRequest by_distance;
    by_distance.point = request.near;
    by_distance.sort = request.near ? SortOrder::kDistance : SortOrder::kRelevance;
    GeoQuery geo = GeoQuery::From(by_distance, "");
    xapian_peer::MatchContext context(geo);
    xapian_peer::SortKeyMaker keys(by_distance, &context);
    Xapian::Enquire enquire(db_);
    enquire.set_query(
        Xapian::Query(Xapian::Query::OP_WILDCARD, absl::StrCat(xapian_peer::kNamePrefix, prefix)));
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_sort_by_key(&keys, false);
    Xapian::MSet mset = enquire.get_mset(0, request.limit - out.size());
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
      out.push_back(it.get_document().get_value(xapian_peer::kIdSlot));
    }
  } catch (const Xapian::Error& e) {
    return absl::InternalError(absl::StrCat("xapian suggest: ", e.get_description()));
  }
  return out;
}

}  // namespace

std::unique_ptr<Peer> MakePlainXapianPeer() {
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  if (!taxonomy.ok()) return nullptr;  // the compiled-in taxonomy always parses
  return std::make_unique<PlainXapianPeer>(*std::move(taxonomy));
}

}  // namespace inkdex::bench
