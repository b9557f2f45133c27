#include "pg_search.h"

#include <algorithm>
#include <array>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "pg_text.h"

namespace inkdex::bench::postgis {
namespace {

enum class Geo { kNone, kRadius, kViewport, kNearest };

Geo GeoOf(const SearchRequest& r) {
  if (r.point && r.radius_km) return Geo::kRadius;
  if (r.bbox) return Geo::kViewport;
  if (r.point) return Geo::kNearest;
  return Geo::kNone;
}

// The point distances are measured from: the request's point, else the
// viewport's centre (as inkdex's query plan).
GeoPoint RefPoint(const SearchRequest& r) {
  if (r.point) return *r.point;
  const BoundingBox& b = *r.bbox;
  double east = b.east < b.west ? b.east + 360 : b.east;
  double lon = (b.west + east) / 2;
  if (lon > 180) lon -= 360;
  return {(b.south + b.north) / 2, lon};
}

absl::StatusOr<std::string> QueryDay(const SearchRequest& r) {
  if (r.date.empty()) {
    return absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()));
  }
  absl::CivilDay day;
  if (!absl::ParseCivilTime(r.date, &day) || absl::FormatCivilTime(day) != r.date) {
    return absl::InvalidArgumentError(
        absl::StrCat("date: must be a date YYYY-MM-DD, got '", r.date, "'"));
  }
  return r.date;
}

// The filters on table alias `t` (locations and artists both hold the columns).
std::string Filters(const SearchRequest& r, std::string_view t) {
  std::string out;
  const std::string p = absl::StrCat(" AND ", std::string(t), ".");
  if (r.min_rating) absl::StrAppend(&out, p, "rating >= ", SqlDouble(*r.min_rating));
  if (r.max_hourly_rate) absl::StrAppend(&out, p, "hourly_rate <= ", SqlDouble(*r.max_hourly_rate));
  if (r.booking_open) absl::StrAppend(&out, p, "booking_open");
  if (r.min_years_active) absl::StrAppend(&out, p, "years_active >= ", *r.min_years_active);
  return out;
}

// The sort key, ascending, as inkdex's Ranker::Key (engine/ranking.h).
std::string SortKey(const SearchRequest& r, SortOrder sort, bool has_ref, bool has_text) {
  const RankingOptions& o = r.ranking;
  switch (sort) {
    case SortOrder::kRelevance: {
      std::string score = absl::StrCat(
          SqlDouble(o.quality_weight), " * (CASE WHEN ", SqlDouble(o.prior_weight),
          " + reviews <= 0 THEN ", SqlDouble(o.prior_rating), " ELSE (",
          SqlDouble(o.prior_weight * o.prior_rating), " + coalesce(rating * reviews, 0)) / (",
          SqlDouble(o.prior_weight), " + reviews) END) / 5");
      // exp() of PostgreSQL raises an error on underflow; e^-700 is 1e-304.
      if (has_ref) {
        absl::StrAppend(&score, " + ", SqlDouble(o.distance_weight), " * exp(greatest(-d / ",
                        SqlDouble(o.distance_scale_km), ", -700))");
      }
      if (has_text) absl::StrAppend(&score, " + ", SqlDouble(o.text_weight), " * tw / (1 + tw)");
      return absl::StrCat("-(", score, ")");
    }
    case SortOrder::kDistance:
      return "coalesce(d, 'Infinity')";
    case SortOrder::kRating:
      return "coalesce(-rating, 'Infinity')";
    case SortOrder::kPriceAsc:
      return "coalesce(hourly_rate, 'Infinity')";
    case SortOrder::kPriceDesc:
      return "coalesce(-hourly_rate, 'Infinity')";
  }
  return "0";
}

std::string Point(const GeoPoint& p) {
  return absl::StrCat("ST_SetSRID(ST_MakePoint(", SqlDouble(p.lon), ", ", SqlDouble(p.lat),
                      "), 4326)::geography");
}

// The locations a viewport holds: the geometry index finds candidates, the
// exact test keeps the rectangle's edges as inkdex's (inclusive).
std::string ViewportCondition(const BoundingBox& b) {
  auto env = [&](double w, double e) {
    return absl::StrCat("l.geog::geometry && ST_MakeEnvelope(", SqlDouble(w), ", ",
                        SqlDouble(b.south), ", ", SqlDouble(e), ", ", SqlDouble(b.north),
                        ", 4326)");
  };
  const std::string lat = absl::StrCat("ST_Y(l.geog::geometry) BETWEEN ", SqlDouble(b.south),
                                       " AND ", SqlDouble(b.north));
  if (b.west <= b.east) {
    return absl::StrCat(env(b.west, b.east), " AND ", lat, " AND ST_X(l.geog::geometry) BETWEEN ",
                        SqlDouble(b.west), " AND ", SqlDouble(b.east));
  }
  return absl::StrCat("(", env(b.west, 180), " OR ", env(-180, b.east), ") AND ", lat,
                      " AND (ST_X(l.geog::geometry) >= ", SqlDouble(b.west),
                      " OR ST_X(l.geog::geometry) <= ", SqlDouble(b.east), ")");
}

std::string ArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "ARRAY[";
  for (size_t i = 0; i < items.size(); ++i) absl::StrAppend(&out, i ? ", " : "", items[i]);
  return out + "]";
}

constexpr char kRingCase[] =
    "CASE WHEN d < 2 THEN 0 WHEN d < 5 THEN 1 WHEN d < 10 THEN 2 WHEN d < 25 THEN 3 "
    "WHEN d < 50 THEN 4 ELSE 5 END";
constexpr char kRateCase[] =
    "CASE WHEN hourly_rate IS NULL THEN 5 WHEN hourly_rate < 50 THEN 0 WHEN hourly_rate < 100 "
    "THEN 1 WHEN hourly_rate < 150 THEN 2 WHEN hourly_rate < 200 THEN 3 ELSE 4 END";
constexpr char kRatingCase[] =
    "CASE WHEN rating IS NULL THEN 4 WHEN rating >= 4.5 THEN 0 WHEN rating >= 4 THEN 1 "
    "WHEN rating >= 3 THEN 2 ELSE 3 END";

}  // namespace

absl::StatusOr<SearchPlan> PlanSearch(const SearchRequest& r, const StyleTaxonomy& taxonomy,
                                      bool collect_ids) {
  if (!r.page_token.empty() || r.max_per_studio > 0) {
    return absl::UnimplementedError("postgis peer: page tokens and max_per_studio");
  }
  std::vector<int> styles;
  for (size_t i = 0; i < r.styles.size(); ++i) {
    absl::StatusOr<int> idx = taxonomy.Resolve(r.styles[i], absl::StrCat("styles[", i, "]"));
    if (!idx.ok()) return idx.status();
    styles.push_back(*idx);
  }
  std::sort(styles.begin(), styles.end());
  styles.erase(std::unique(styles.begin(), styles.end()), styles.end());
  absl::StatusOr<std::string> day = QueryDay(r);
  if (!day.ok()) return day.status();
  const Geo geo = GeoOf(r);
  const bool has_ref = geo != Geo::kNone;
  SortOrder sort = r.sort;
  if (geo == Geo::kNearest && sort == SortOrder::kRelevance && r.text.empty()) {
    sort = SortOrder::kDistance;
  }
  if (sort == SortOrder::kDistance && !has_ref) {
    return absl::InvalidArgumentError("sort: distance needs a point or a viewport");
  }
  const std::string style_array = absl::StrCat("'{", absl::StrJoin(styles, ","), "}'::smallint[]");
  const std::string style_cond =
      styles.empty() ? "true"
                     : absl::StrCat("styles ", r.style_match == StyleMatch::kAll ? "@>" : "&&", " ",
                                    style_array);
  const std::string active =
      absl::StrCat("l.active_from <= '", *day, "' AND l.active_to >= '", *day, "'");
  SearchPlan plan;

  // Nearest-first by at most one style, nothing else: count by the
  // artist_styles index, page by KNN.
  if (geo == Geo::kNearest && sort == SortOrder::kDistance && r.text.empty() && !r.facets &&
      Filters(r, "l").empty() && styles.size() <= 1) {
    const std::string p = Point(*r.point);
    plan.nearest_shortcut = true;
    plan.total_sql =
        styles.empty()
            ? "SELECT count(*) FROM artists"
            : absl::StrCat("SELECT count(*) FROM artist_styles WHERE style = ", styles[0]);
    plan.sql = collect_ids ? absl::StrCat("SELECT id FROM artists WHERE ", style_cond) : "";
    plan.knn_sql = absl::StrCat(
        "SELECT l.id, ST_Distance(l.geog, ", p, ", false) / 1000 AS d FROM locations l WHERE ",
        active, " AND l.", style_cond, " ORDER BY l.geog <-> ", p, " LIMIT ", kLimitPlaceholder);
    return plan;
  }

  std::string text_cond = "true", text_weight = "0";
  if (!r.text.empty()) {
    absl::StatusOr<TextQuery> tq = ParseTextQuery(r.text, taxonomy);
    if (!tq.ok()) return tq.status();
    if (tq->tsquery.empty()) {
      text_cond = "false";  // only stopwords or punctuation: inkdex matches nothing
    } else {
      text_cond = absl::StrCat("a.tsv @@ ", SqlString(tq->tsquery), "::tsquery");
      std::vector<std::string> terms, prefix;
      for (const TextAlternative& alt : tq->alternatives) {
        terms.push_back(SqlString(alt.term));
        prefix.push_back(alt.prefix ? "true" : "false");
      }
      text_weight = absl::StrCat("inkdex_text_weight(a.tsv, ", ArrayLiteral(terms), "::text[], ",
                                 ArrayLiteral(prefix), ")");
    }
  }
  const bool weigh_text = sort == SortOrder::kRelevance && !r.text.empty();

  std::string sql;
  const std::string weight = absl::StrCat(weigh_text ? text_weight : "0::float8", " AS tw");
  if (geo == Geo::kNone) {
    sql = absl::StrCat(
        "WITH base AS (SELECT a.aid, a.id, a.styles, a.rating, a.reviews, a.hourly_rate, a.city, "
        "NULL::float8 AS d, ",
        weight, " FROM artists a WHERE ", text_cond, Filters(r, "a"), ")");
  } else {
    const GeoPoint ref = RefPoint(r);
    std::string where;
    if (geo == Geo::kRadius) {
      where = absl::StrCat("ST_DWithin(l.geog, ", Point(ref), ", ", SqlDouble(*r.radius_km * 1000),
                           ", false) AND ");
    } else if (geo == Geo::kViewport) {
      where = absl::StrCat(ViewportCondition(*r.bbox), " AND ");
    }
    // The filters are the artist's, the same at each of its locations.
    sql = absl::StrCat(
        "WITH loc AS (SELECT DISTINCT ON (l.aid) l.aid, l.id, l.styles, l.rating, l.reviews, "
        "l.hourly_rate, l.city, ST_Distance(l.geog, ",
        Point(ref), ", false) / 1000 AS d FROM locations l WHERE ", where, active, Filters(r, "l"),
        " ORDER BY l.aid, d)");
    if (r.text.empty()) {
      sql += ", base AS (SELECT *, 0::float8 AS tw FROM loc)";
    } else {
      absl::StrAppend(&sql, ", base AS (SELECT loc.*, ", weight,
                      " FROM loc JOIN artists a USING (aid) WHERE ", text_cond, ")");
    }
  }
  absl::StrAppend(&sql, ", hits AS (SELECT *, ", SortKey(r, sort, has_ref, weigh_text),
                  " AS key FROM base WHERE ", style_cond, ")");
  absl::StrAppend(
      &sql,
      " SELECT 'T'::text AS kind, NULL::text AS key, count(*) AS n, NULL::float8 AS "
      "sk FROM hits UNION ALL (SELECT 'P', id, 0, key FROM hits ORDER BY key, id LIMIT ",
      r.limit, ")");
  if (collect_ids) sql += " UNION ALL SELECT 'A', id, 0, NULL FROM hits";
  if (r.facets) {
    sql +=
        " UNION ALL SELECT 'S', s::text, count(*), NULL FROM base, unnest(base.styles) s GROUP "
        "BY s";
    if (has_ref) {
      absl::StrAppend(&sql, " UNION ALL SELECT 'R', b::text, count(*), NULL FROM (SELECT ",
                      kRingCase, " AS b FROM hits) x GROUP BY b");
    }
    absl::StrAppend(&sql, " UNION ALL SELECT 'H', b::text, count(*), NULL FROM (SELECT ", kRateCase,
                    " AS b FROM hits) x GROUP BY b");
    absl::StrAppend(&sql, " UNION ALL SELECT 'G', b::text, count(*), NULL FROM (SELECT ",
                    kRatingCase, " AS b FROM hits) x GROUP BY b");
    if (r.top_cities > 0) {
      absl::StrAppend(&sql,
                      " UNION ALL (SELECT 'C', city, count(*), NULL FROM hits WHERE city <> '' "
                      "GROUP BY city ORDER BY count(*) DESC, city LIMIT ",
                      r.top_cities, ")");
    }
  }
  plan.sql = std::move(sql);
  return plan;
}

PeerAnswer ReadSearchRows(const PgResult& rows, const SearchRequest& r,
                          const StyleTaxonomy& taxonomy) {
  PeerAnswer out;
  std::vector<std::pair<double, std::string>> page;
  std::map<int, int64_t> styles;
  std::array<int64_t, 6> rings{}, rates{};
  std::array<int64_t, 5> ratings{};
  for (int i = 0; i < rows.rows(); ++i) {
    const char kind = rows.text(i, 0)[0];
    const std::string key(rows.text(i, 1));
    const int64_t n = rows.int64(i, 2);
    const int band = kind == 'R' || kind == 'H' || kind == 'G' || kind == 'S' ? std::stoi(key) : 0;
    switch (kind) {
      case 'T':
        out.total = n;
        break;
      case 'P':
        page.emplace_back(rows.float64(i, 3), key);
        break;
      case 'A':
        out.all_ids.push_back(key);
        break;
      case 'S':
        styles[band] = n;
        break;
      case 'R':
        rings[band] = n;
        break;
      case 'H':
        rates[band] = n;
        break;
      case 'G':
        ratings[band] = n;
        break;
      case 'C':
        out.facets.cities.push_back({key, key, n});
        break;
    }
  }
  std::sort(page.begin(), page.end());
  for (auto& [key, id] : page) out.page_ids.push_back(std::move(id));
  if (!r.facets) return out;
  // Orders and labels as inkdex's FacetCounter (engine/facets.cc).
  Facets& f = out.facets;
  for (const auto& [idx, n] : styles) {
    f.styles.push_back({taxonomy.style(idx).id, taxonomy.style(idx).display_name, n});
  }
  std::stable_sort(f.styles.begin(), f.styles.end(),
                   [](const FacetValue& a, const FacetValue& b) { return a.count > b.count; });
  if (GeoOf(r) != Geo::kNone) {
    static const char* kRings[] = {"0-2", "2-5", "5-10", "10-25", "25-50", "50+"};
    for (int i = 0; i < 6; ++i) {
      f.distance_rings.push_back({kRings[i], absl::StrCat(kRings[i], " km"), rings[i]});
    }
  }
  static const char* kRates[] = {"0-50", "50-100", "100-150", "150-200", "200+", "unknown"};
  for (int i = 0; i < 6; ++i) f.hourly_rate_bands.push_back({kRates[i], kRates[i], rates[i]});
  static const char* kRatings[] = {"4.5+", "4-4.5", "3-4", "<3", "unrated"};
  for (int i = 0; i < 5; ++i) f.rating_bands.push_back({kRatings[i], kRatings[i], ratings[i]});
  std::sort(f.cities.begin(), f.cities.end(), [](const FacetValue& a, const FacetValue& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  return out;
}

}  // namespace inkdex::bench::postgis
