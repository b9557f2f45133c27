// SqlitePeer::Search: the base set in a temporary table, facets by GROUP BY,
// the page by ORDER BY rank_key (sqlite_peer.h describes the plan).
#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>

#include "absl/strings/str_cat.h"
#include "geo/distance.h"
#include "sqlite_peer.h"
#include "sqlite_text.h"

namespace inkdex::bench::sqlite {
namespace {

// Statement parameters, the same number in every statement that uses them.
enum Param {
  kRefLat = 1,
  kRefLon,
  kDay,
  kRadius,
  kStyleMask,
  kMinRating,
  kMaxRate,
  kMinYears,
  kBox1,  // 4 parameters: south, west, north, east
  kBox2 = kBox1 + 4,
  kViewport = kBox2 + 4,
  kLimit = kViewport + 4,
};

struct Box {
  double south, west, north, east;
};

constexpr double kPadDegrees = 1e-7;  // ~1 cm: keeps rounding inside the box

// The R*Tree boxes (one, or two across the antimeridian) holding every
// point within `radius_km` of (lat, lon): the latitude band of the cap and,
// unless it reaches a pole, the longitude half-width asin(sin(r)/cos(lat)).
std::vector<Box> RadiusBoxes(double lat, double lon, double radius_km) {
  constexpr double kDeg = 180 / std::numbers::pi;
  const double ang = radius_km / geo::kEarthRadiusKm;
  const double south = lat - ang * kDeg - kPadDegrees, north = lat + ang * kDeg + kPadDegrees;
  const double sin_r = std::sin(ang), cos_lat = std::cos(lat / kDeg);
  if (ang >= std::numbers::pi / 2 || south <= -90 || north >= 90 || sin_r >= cos_lat) {
    return {{std::max(south, -90.0), -180, std::min(north, 90.0), 180}};
  }
  const double half = std::asin(sin_r / cos_lat) * kDeg + kPadDegrees;
  const double west = lon - half, east = lon + half;
  if (west < -180) return {{south, west + 360, north, 180}, {south, -180, north, east}};
  if (east > 180) return {{south, west, north, 180}, {south, -180, north, east - 360}};
  return {{south, west, north, east}};
}

std::vector<Box> ViewportBoxes(const BoundingBox& b) {
  if (b.west <= b.east) return {{b.south, b.west, b.north, b.east}};
  return {{b.south, b.west, b.north, 180}, {b.south, -180, b.north, b.east}};
}

// The R*Tree candidates of `boxes`, as a subquery of location ids.
std::string BoxesSql(size_t boxes) {
  std::string sql;
  for (size_t i = 0; i < boxes; ++i) {
    const int p = i == 0 ? kBox1 : kBox2;
    absl::StrAppend(&sql, i > 0 ? " UNION ALL " : "",
                    "SELECT id FROM location_rtree WHERE min_lat <= ?", p + 2, " AND max_lat >= ?",
                    p, " AND min_lon <= ?", p + 3, " AND max_lon >= ?", p + 1);
  }
  return sql;
}

bool HasFilters(const SearchRequest& r) {
  return r.min_rating || r.max_hourly_rate || r.booking_open || r.min_years_active;
}

// The request's filters on artists `a`, as SQL ANDed terms.
std::string FiltersSql(const SearchRequest& r) {
  std::string sql;
  if (r.min_rating) absl::StrAppend(&sql, " AND a.rating >= ?", kMinRating);
  if (r.max_hourly_rate) absl::StrAppend(&sql, " AND a.hourly_rate <= ?", kMaxRate);
  if (r.booking_open) absl::StrAppend(&sql, " AND a.booking_open = 1");
  if (r.min_years_active) absl::StrAppend(&sql, " AND a.years_active >= ?", kMinYears);
  return sql;
}

std::string StyleSql(const engine::QueryPlan& p, const std::string& column) {
  if (p.style_mask == 0) return "1";
  return absl::StrCat("(", column, " & ?", kStyleMask, ") ", p.style_all ? "= ?" : "!= 0",
                      p.style_all ? absl::StrCat(kStyleMask) : "");
}

void BindAll(Stmt& st, const SearchRequest& r, const engine::QueryPlan& p, double radius_km,
             const std::vector<Box>& boxes) {
  st.Bind(kRefLat, p.ref_lat).Bind(kRefLon, p.ref_lon).Bind(kDay, static_cast<int64_t>(p.day));
  st.Bind(kRadius, radius_km).Bind(kStyleMask, static_cast<int64_t>(p.style_mask));
  if (r.min_rating) st.Bind(kMinRating, *r.min_rating);
  if (r.max_hourly_rate) st.Bind(kMaxRate, *r.max_hourly_rate);
  if (r.min_years_active) st.Bind(kMinYears, *r.min_years_active);
  for (size_t i = 0; i < boxes.size(); ++i) {
    const int b = i == 0 ? kBox1 : kBox2;
    st.Bind(b, boxes[i].south).Bind(b + 1, boxes[i].west);
    st.Bind(b + 2, boxes[i].north).Bind(b + 3, boxes[i].east);
  }
  if (r.bbox) {
    st.Bind(kViewport, r.bbox->south).Bind(kViewport + 1, r.bbox->west);
    st.Bind(kViewport + 2, r.bbox->north).Bind(kViewport + 3, r.bbox->east);
  }
  st.Bind(kLimit, r.limit);
}

constexpr char kRingNames[][6] = {"0-2", "2-5", "5-10", "10-25", "25-50", "50+"};
constexpr char kRateNames[][8] = {"0-50", "50-100", "100-150", "150-200", "200+", "unknown"};
constexpr char kRatingNames[][8] = {"4.5+", "4-4.5", "3-4", "<3", "unrated"};

// COUNT(*) and the bands (FacetCounter's edges) over the matches in `base`.
constexpr char kBandsSql[] =
    "SELECT COUNT(*),"
    " SUM(d < 2), SUM(d >= 2 AND d < 5), SUM(d >= 5 AND d < 10), SUM(d >= 10 AND d < 25),"
    " SUM(d >= 25 AND d < 50), SUM(d >= 50),"
    " SUM(hourly_rate < 50), SUM(hourly_rate >= 50 AND hourly_rate < 100),"
    " SUM(hourly_rate >= 100 AND hourly_rate < 150), SUM(hourly_rate >= 150 AND hourly_rate < 200),"
    " SUM(hourly_rate >= 200), SUM(hourly_rate IS NULL),"
    " SUM(rating >= 4.5), SUM(rating >= 4 AND rating < 4.5),"
    " SUM(rating >= 3 AND rating < 4), SUM(rating < 3),"
    " SUM(rating IS NULL)"
    " FROM base WHERE ";

}  // namespace

absl::StatusOr<PeerAnswer> SqlitePeer::Search(const SearchRequest& r, bool collect_ids) {
  if (db_ == nullptr) return absl::FailedPreconditionError("sqlite peer: not built or opened");
  absl::StatusOr<engine::QueryPlan> plan = engine::PlanQuery(r, taxonomy_);
  if (!plan.ok()) return plan.status();
  if (!r.page_token.empty() || r.max_per_studio > 0) {
    return absl::UnimplementedError("sqlite peer: page tokens and max_per_studio");
  }
  ranker_.emplace(r, *plan);
  if (plan->geo == engine::GeoMode::kNearest) return SearchNearest(r, *plan, collect_ids);
  if (plan->geo == engine::GeoMode::kNone) {
    return absl::UnimplementedError("sqlite peer: a search needs a point or a viewport");
  }
  if (absl::Status s = FillBase(r, *plan); !s.ok()) return s;
  PeerAnswer out;
  if (absl::Status s = CountMatches(r, *plan, &out); !s.ok()) return s;
  if (r.facets) {
    if (absl::Status s = CountStylesAndCities(r, *plan, &out.facets); !s.ok()) return s;
  }
  if (absl::Status s = ReadPage(r, *plan, collect_ids, &out); !s.ok()) return s;
  return out;
}

absl::Status SqlitePeer::FillBase(const SearchRequest& r, const engine::QueryPlan& p) {
  const bool text = !r.text.empty();
  if (absl::Status s = db_->Exec("DELETE FROM base;"); !s.ok()) return s;
  std::string match;
  if (text) {
    absl::StatusOr<std::string> expr = FtsMatchExpression(r.text, taxonomy_);
    if (!expr.ok()) return expr.status();
    match = *std::move(expr);
    if (absl::Status s = db_->Exec("DELETE FROM text_matches;"); !s.ok()) return s;
    if (!match.empty()) {
      // The ids only: weights are computed for the matches in the region.
      absl::StatusOr<Stmt> st = db_->Prepare(
          "INSERT INTO text_matches(artist) SELECT rowid FROM artist_text"
          " WHERE artist_text MATCH ?1");
      if (!st.ok()) return st.status();
      if (absl::Status s = st->Bind(1, match).Exec(); !s.ok()) return s;
    }
  }
  const bool viewport = p.geo == engine::GeoMode::kViewport;
  const std::vector<Box> boxes =
      viewport ? ViewportBoxes(*r.bbox) : RadiusBoxes(p.ref_lat, p.ref_lon, *r.radius_km);
  std::string exact;
  if (viewport) {
    const int v = kViewport;
    absl::StrAppend(&exact, " AND l.lat >= ?", v, " AND l.lat <= ?", v + 2,
                    r.bbox->west <= r.bbox->east ? " AND l.lon >= ?" : " AND (l.lon >= ?", v + 1,
                    r.bbox->west <= r.bbox->east ? " AND l.lon <= ?" : " OR l.lon <= ?", v + 3,
                    r.bbox->west <= r.bbox->east ? "" : ")");
  }
  // The R*Tree drives (CROSS JOIN fixes the order): locations and artists
  // are rowid lookups, the text matches a primary-key probe.
  const std::string sql = absl::StrCat(
      "INSERT INTO base(artist, d, city, t, style_mask, rating, review_count, hourly_rate)"
      " SELECT l.artist, MIN(dist_km(?1, ?2, l.lat, l.lon)) AS d, l.city, NULL,"
      " a.style_mask, a.rating, a.review_count, a.hourly_rate FROM (",
      BoxesSql(boxes.size()), ") AS r CROSS JOIN locations AS l CROSS JOIN artists AS a",
      text ? " CROSS JOIN text_matches AS tm" : "", " WHERE l.id = r.id AND a.id = l.artist",
      text ? " AND tm.artist = l.artist" : "", " AND l.from_day <= ?3 AND l.to_day >= ?3", exact,
      FiltersSql(r), " GROUP BY l.artist", viewport ? "" : " HAVING d <= ?4");
  absl::StatusOr<Stmt> st = db_->Prepare(sql);
  if (!st.ok()) return st.status();
  BindAll(*st, r, p, r.radius_km.value_or(0), boxes);
  if (absl::Status s = st->Exec(); !s.ok() || !text || match.empty()) return s;
  return WeighText(match, sqlite3_changes(db_->handle()));
}

// The text weight t of the artists in the base set, from one pass over the
// text matches (FTS5 reads positions, needed for the weight, only here, and
// not at all when the region holds no match).
absl::Status SqlitePeer::WeighText(const std::string& match, int64_t base_rows) {
  if (base_rows == 0) return absl::OkStatus();
  absl::StatusOr<Stmt> st = db_->Prepare(
      "UPDATE base SET t = w.t FROM (SELECT rowid AS artist, inkdex_tf(artist_text) AS t"
      " FROM artist_text WHERE artist_text MATCH ?1) AS w WHERE w.artist = base.artist");
  if (!st.ok()) return st.status();
  return st->Bind(1, match).Exec();
}

absl::Status SqlitePeer::CountMatches(const SearchRequest& r, const engine::QueryPlan& p,
                                      PeerAnswer* out) {
  const std::string style = StyleSql(p, "style_mask");
  if (!r.facets) {
    absl::StatusOr<Stmt> st = db_->Prepare(absl::StrCat("SELECT COUNT(*) FROM base WHERE ", style));
    if (!st.ok()) return st.status();
    BindAll(*st, r, p, 0, {});
    if (st->Step()) out->total = st->Int(0);
    return st->status();
  }
  absl::StatusOr<Stmt> st = db_->Prepare(absl::StrCat(kBandsSql, style));
  if (!st.ok()) return st.status();
  BindAll(*st, r, p, 0, {});
  if (!st->Step())
    return st->status().ok() ? absl::InternalError("sqlite: no count") : st->status();
  out->total = st->Int(0);
  Facets& f = out->facets;
  for (int i = 0; i < 6; ++i) {
    f.distance_rings.push_back({kRingNames[i], absl::StrCat(kRingNames[i], " km"), st->Int(1 + i)});
  }
  for (int i = 0; i < 6; ++i)
    f.hourly_rate_bands.push_back({kRateNames[i], kRateNames[i], st->Int(7 + i)});
  for (int i = 0; i < 5; ++i)
    f.rating_bands.push_back({kRatingNames[i], kRatingNames[i], st->Int(13 + i)});
  return absl::OkStatus();
}

absl::Status SqlitePeer::CountStylesAndCities(const SearchRequest& r, const engine::QueryPlan& p,
                                              Facets* f) {
  // Styles: over the base set (disjunctive), every style an artist has.
  absl::StatusOr<Stmt> st = db_->Prepare(
      "SELECT s.style, COUNT(*) FROM base AS b CROSS JOIN artist_styles AS s"
      " WHERE s.artist = b.artist GROUP BY s.style");
  if (!st.ok()) return st.status();
  std::vector<int64_t> counts(taxonomy_.size(), 0);
  while (st->Step()) {
    const int64_t style = st->Int(0);
    if (style >= 0 && style < taxonomy_.size()) counts[style] = st->Int(1);
  }
  if (!st->status().ok()) return st->status();
  for (int i = 0; i < taxonomy_.size(); ++i) {
    if (counts[i] > 0)
      f->styles.push_back({taxonomy_.style(i).id, taxonomy_.style(i).display_name, counts[i]});
  }
  std::stable_sort(f->styles.begin(), f->styles.end(),
                   [](const FacetValue& a, const FacetValue& b) { return a.count > b.count; });
  absl::StatusOr<Stmt> cities = db_->Prepare(
      absl::StrCat("SELECT city, COUNT(*) AS c FROM base WHERE ", StyleSql(p, "style_mask"),
                   " AND city <> '' GROUP BY city ORDER BY c DESC, city LIMIT ?", kLimit));
  if (!cities.ok()) return cities.status();
  BindAll(*cities, r, p, 0, {});
  cities->Bind(kLimit, r.top_cities);
  while (cities->Step()) {
    const std::string city(cities->Text(0));
    f->cities.push_back({city, city, cities->Int(1)});
  }
  return cities->status();
}

absl::Status SqlitePeer::ReadPage(const SearchRequest& r, const engine::QueryPlan& p,
                                  bool collect_ids, PeerAnswer* out) {
  const std::string style = StyleSql(p, "b.style_mask");
  absl::StatusOr<Stmt> st = db_->Prepare(absl::StrCat(
      "SELECT a.artist_id FROM base AS b CROSS JOIN artists AS a WHERE a.id = b.artist AND ", style,
      " ORDER BY rank_key(b.d, b.rating, b.review_count, b.hourly_rate, b.t), a.artist_id"
      " LIMIT ?",
      kLimit));
  if (!st.ok()) return st.status();
  BindAll(*st, r, p, 0, {});
  while (st->Step()) out->page_ids.emplace_back(st->Text(0));
  if (!st->status().ok() || !collect_ids) return st->status();
  absl::StatusOr<Stmt> all = db_->Prepare(absl::StrCat(
      "SELECT a.artist_id FROM base AS b CROSS JOIN artists AS a WHERE a.id = b.artist AND ",
      style));
  if (!all.ok()) return all.status();
  BindAll(*all, r, p, 0, {});
  while (all->Step()) out->all_ids.emplace_back(all->Text(0));
  return all->status();
}

absl::StatusOr<PeerAnswer> SqlitePeer::SearchNearest(const SearchRequest& r,
                                                     const engine::QueryPlan& p, bool collect_ids) {
  if (!r.text.empty() || r.facets) {
    return absl::UnimplementedError("sqlite peer: nearest-first with text or facets");
  }
  PeerAnswer out;
  const std::string filters = FiltersSql(r);
  const std::string style = StyleSql(p, "a.style_mask");
  // The total: the style's artist count when only one style constrains it.
  std::string count_sql;
  if (!HasFilters(r) && p.style_mask == 0) {
    count_sql = "SELECT COUNT(*) FROM artists";
  } else if (!HasFilters(r) && std::popcount(p.style_mask) == 1) {
    count_sql = absl::StrCat("SELECT count FROM style_counts WHERE style = ",
                             std::countr_zero(p.style_mask));
  } else {
    count_sql = absl::StrCat("SELECT COUNT(*) FROM artists AS a WHERE ", style, filters);
  }
  absl::StatusOr<Stmt> count = db_->Prepare(count_sql);
  if (!count.ok()) return count.status();
  BindAll(*count, r, p, 0, {});
  if (count->Step()) out.total = count->Int(0);
  if (!count->status().ok()) return count->status();

  // Rings: the first radius holding `limit` matches decides the page, since
  // every artist outside it is farther than all of them.
  struct Hit {
    double key;
    std::string id;
  };
  std::vector<Hit> hits;
  const bool by_distance = p.sort == SortOrder::kDistance;
  for (double radius = by_distance ? 1 : geo::kMaxDistanceKm;; radius *= 4) {
    radius = std::min(radius, geo::kMaxDistanceKm);
    const std::vector<Box> boxes = RadiusBoxes(p.ref_lat, p.ref_lon, radius);
    absl::StatusOr<Stmt> st = db_->Prepare(absl::StrCat(
        "SELECT a.artist_id, MIN(dist_km(?1, ?2, l.lat, l.lon)) AS d, a.rating, a.review_count,"
        " a.hourly_rate FROM (",
        BoxesSql(boxes.size()),
        ") AS r CROSS JOIN locations AS l CROSS JOIN artists AS a"
        " WHERE l.id = r.id AND l.from_day <= ?3 AND l.to_day >= ?3 AND ",
        StyleSql(p, "l.style_mask"), " AND a.id = l.artist", filters,
        " GROUP BY l.artist HAVING d <= ?4"));
    if (!st.ok()) return st.status();
    BindAll(*st, r, p, radius, boxes);
    hits.clear();
    while (st->Step()) {
      engine::HotRow row;
      if (!st->IsNull(2)) row.rating = st->Double(2);
      row.review_count = static_cast<uint32_t>(st->Int(3));
      if (!st->IsNull(4)) row.hourly_rate = st->Double(4);
      hits.push_back({ranker_->Key(row, st->Double(1), 0), std::string(st->Text(0))});
    }
    if (!st->status().ok()) return st->status();
    if (hits.size() >= static_cast<size_t>(r.limit) || radius >= geo::kMaxDistanceKm) break;
  }
  const size_t n = std::min(hits.size(), static_cast<size_t>(r.limit));
  std::partial_sort(hits.begin(), hits.begin() + n, hits.end(), [](const Hit& a, const Hit& b) {
    return a.key != b.key ? a.key < b.key : a.id < b.id;
  });
  for (size_t i = 0; i < n; ++i) out.page_ids.push_back(std::move(hits[i].id));
  if (collect_ids) {
    absl::StatusOr<Stmt> all =
        db_->Prepare(absl::StrCat("SELECT a.artist_id FROM artists AS a WHERE ", style, filters));
    if (!all.ok()) return all.status();
    BindAll(*all, r, p, 0, {});
    while (all->Step()) out.all_ids.emplace_back(all->Text(0));
    if (!all->status().ok()) return all->status();
  }
  return out;
}

}  // namespace inkdex::bench::sqlite
