#include "engine/query_plan.h"

#include <cmath>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/date.h"
#include "engine/row.h"
#include "record/field_checks.h"
#include "text/fold.h"
#include "text/utf8.h"
#include "zlib.h"

namespace inkdex::engine {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

absl::Status CheckBox(const BoundingBox& b) {
  for (auto [name, v, limit] : {std::tuple<const char*, double, double>{"bbox.south", b.south, 90},
                                {"bbox.north", b.north, 90},
                                {"bbox.west", b.west, 180},
                                {"bbox.east", b.east, 180}}) {
    if (!std::isfinite(v) || v < -limit || v > limit) {
      return Invalid(name, absl::StrFormat("must be in [%g, %g], got %.15g", -limit, limit, v));
    }
  }
  if (b.south > b.north) {
    return Invalid("bbox", absl::StrFormat("south (%g) is north of north (%g)", b.south, b.north));
  }
  // West of east crosses the antimeridian; west 180 and east -180 is the
  // same meridian, so that box has no width either.
  const double width = b.east >= b.west ? b.east - b.west : b.east + 360 - b.west;
  if (b.south == b.north || width == 0) return Invalid("bbox", "is empty (zero height or width)");
  return absl::OkStatus();
}

absl::Status CheckRanking(const RankingOptions& r) {
  for (auto [name, v] : {std::pair<const char*, double>{"ranking.text_weight", r.text_weight},
                         {"ranking.distance_weight", r.distance_weight},
                         {"ranking.quality_weight", r.quality_weight},
                         {"ranking.prior_weight", r.prior_weight}}) {
    if (!std::isfinite(v) || v < 0 || v > 1e6) {
      return Invalid(name, absl::StrFormat("must be in [0, 1e6], got %.15g", v));
    }
  }
  if (!std::isfinite(r.distance_scale_km) || r.distance_scale_km <= 0 ||
      r.distance_scale_km > 20000) {
    return Invalid("ranking.distance_scale_km",
                   absl::StrFormat("must be in (0, 20000], got %.15g", r.distance_scale_km));
  }
  if (!std::isfinite(r.prior_rating) || r.prior_rating < 0 || r.prior_rating > 5) {
    return Invalid("ranking.prior_rating",
                   absl::StrFormat("must be in [0, 5], got %.15g", r.prior_rating));
  }
  return absl::OkStatus();
}

}  // namespace

uint64_t StableHash64(std::string_view s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across processes and builds
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

// The query text as far as matching can tell: words folded as the index
// folds them (case, accents) and separated by one space. Quotes and other
// punctuation are kept: they change the query.
std::string CanonicalText(std::string_view text) {
  std::string out;
  for (absl::string_view word : absl::StrSplit(absl::string_view(text.data(), text.size()),
                                               absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty())) {
    absl::StrAppend(&out, out.empty() ? "" : " ", text::TermOf({word.data(), word.size()}));
  }
  return out;
}

// Hash of everything that decides the result order and membership, so a
// token from another query is refused rather than silently misapplied.
// Requests that differ only in how they spell the same query (text case,
// style aliases and order) share it. The day is not in it: the token
// carries its own (see PlanQuery). The date's slot stays, empty, so that
// tokens issued before the day moved out remain valid.
uint64_t Fingerprint(const SearchRequest& r, const QueryPlan& p) {
  std::string canon = absl::StrCat(CanonicalText(r.text), "|", static_cast<int>(p.geo), "|");
  auto add = [&canon](double v) { absl::StrAppend(&canon, absl::StrFormat("%a", v), ","); };
  if (r.point) {
    add(r.point->lat);
    add(r.point->lon);
  }
  if (r.radius_km) add(*r.radius_km);
  if (r.bbox) {
    add(r.bbox->south);
    add(r.bbox->west);
    add(r.bbox->north);
    add(r.bbox->east);
  }
  absl::StrAppend(&canon, "|", p.style_mask, "|", p.style_all, "|");
  if (r.min_rating) add(*r.min_rating);
  absl::StrAppend(&canon, "|");
  if (r.max_hourly_rate) add(*r.max_hourly_rate);
  absl::StrAppend(&canon, "|", p.currency, "|", r.booking_open, "|",
                  r.min_years_active.value_or(-1), "||", static_cast<int>(p.sort), "|",
                  r.max_per_studio, "|");
  for (double v : {r.ranking.text_weight, r.ranking.distance_weight, r.ranking.quality_weight,
                   r.ranking.distance_scale_km, r.ranking.prior_rating, r.ranking.prior_weight}) {
    add(v);
  }
  return StableHash64(canon) | 1;  // never 0
}

constexpr uint8_t kTokenVersion = 1;

uint32_t Checksum(std::string_view s) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

void PutBytes(std::string* s, const void* p, size_t n) {
  s->append(static_cast<const char*>(p), n);
}

}  // namespace

absl::Status CheckGeoPoint(absl::string_view field, const GeoPoint& point) {
  const double lat = point.lat, lon = point.lon;
  if (!std::isfinite(lat) || lat < -90 || lat > 90) {
    return Invalid(absl::StrCat(field, ".lat"),
                   absl::StrFormat("must be in [-90, 90], got %.15g", lat));
  }
  if (!std::isfinite(lon) || lon < -180 || lon > 180) {
    return Invalid(absl::StrCat(field, ".lon"),
                   absl::StrFormat("must be in [-180, 180], got %.15g", lon));
  }
  return absl::OkStatus();
}

absl::StatusOr<QueryPlan> PlanQuery(const SearchRequest& r, const StyleTaxonomy& taxonomy) {
  QueryPlan p;
  p.request = &r;
  if (r.text.size() > SearchRequest::kMaxTextBytes) {
    return Invalid("text", absl::StrFormat("is %d bytes; at most %d", r.text.size(),
                                           SearchRequest::kMaxTextBytes));
  }
  // The gRPC API cannot carry other text (proto3 strings are UTF-8), and a
  // stray byte would be read as Latin-1 here: both paths refuse it alike.
  if (!text::IsValidUtf8(r.text)) {
    return Invalid("text", "is not valid UTF-8");
  }
  if (r.limit < 1 || r.limit > SearchRequest::kMaxLimit) {
    return Invalid("limit",
                   absl::StrFormat("must be in 1..%d, got %d", SearchRequest::kMaxLimit, r.limit));
  }
  if (r.point) {
    if (absl::Status s = CheckGeoPoint("point", *r.point); !s.ok()) return s;
  }
  if (r.radius_km) {
    const double rad = *r.radius_km;
    if (!std::isfinite(rad) || rad <= 0 || rad > 20000) {
      return Invalid("radius_km", absl::StrFormat("must be in (0, 20000], got %.15g", rad));
    }
    if (!r.point) return Invalid("radius_km", "needs a point (lat, lon)");
    if (r.bbox) return Invalid("bbox", "cannot be combined with radius_km");
    p.geo = GeoMode::kRadius;
  } else if (r.bbox) {
    if (absl::Status s = CheckBox(*r.bbox); !s.ok()) return s;
    p.geo = GeoMode::kViewport;
  } else if (r.point) {
    p.geo = GeoMode::kNearest;
  }
  if (r.point) {
    p.has_ref = true;
    p.ref_lat = r.point->lat;
    p.ref_lon = r.point->lon;
  } else if (r.bbox) {
    p.has_ref = true;
    p.ref_lat = (r.bbox->south + r.bbox->north) / 2;
    double east = r.bbox->east < r.bbox->west ? r.bbox->east + 360 : r.bbox->east;
    p.ref_lon = (r.bbox->west + east) / 2;
    if (p.ref_lon > 180) p.ref_lon -= 360;
  }
  if (r.styles.size() > SearchRequest::kMaxStyles) {
    return Invalid("styles", absl::StrFormat("at most %d names, got %d", SearchRequest::kMaxStyles,
                                             r.styles.size()));
  }
  for (size_t i = 0; i < r.styles.size(); ++i) {
    if (!text::IsValidUtf8(r.styles[i])) {
      return Invalid(absl::StrCat("styles[", i, "]"), "is not valid UTF-8");
    }
    absl::StatusOr<int> idx = taxonomy.Resolve(r.styles[i], absl::StrCat("styles[", i, "]"));
    if (!idx.ok()) return idx.status();
    p.style_mask |= uint64_t{1} << *idx;
  }
  p.style_all = r.style_match == StyleMatch::kAll;
  if (r.min_rating && (!std::isfinite(*r.min_rating) || *r.min_rating < 0 || *r.min_rating > 5)) {
    return Invalid("min_rating", absl::StrFormat("must be in [0, 5], got %.15g", *r.min_rating));
  }
  if (!r.currency.empty()) {
    p.currency = PackCurrency(r.currency);
    if (p.currency == 0) {
      return Invalid("currency",
                     absl::StrCat("must be an ISO 4217 code of three letters (\"EUR\"), got '",
                                  r.currency.substr(0, 16), "'"));
    }
  }
  if (r.max_hourly_rate && (!std::isfinite(*r.max_hourly_rate) || *r.max_hourly_rate < 0)) {
    return Invalid("max_hourly_rate",
                   absl::StrFormat("must be a finite number >= 0, got %.15g", *r.max_hourly_rate));
  }
  if (r.min_years_active && (*r.min_years_active < 0 || *r.min_years_active > 150)) {
    return Invalid("min_years_active",
                   absl::StrFormat("must be in [0, 150], got %d", *r.min_years_active));
  }
  if (r.max_per_studio < 0 || r.max_per_studio > SearchRequest::kMaxLimit) {
    return Invalid("max_per_studio", absl::StrFormat("must be in 0..%d, got %d",
                                                     SearchRequest::kMaxLimit, r.max_per_studio));
  }
  if (r.top_cities < 0 || r.top_cities > 100) {
    return Invalid("top_cities", absl::StrFormat("must be in 0..100, got %d", r.top_cities));
  }
  if (absl::Status s = CheckRanking(r.ranking); !s.ok()) return s;
  if (r.date.empty()) {
    p.day = TodayUtc();
  } else if (std::optional<int32_t> day = ParseIsoDay(r.date)) {
    p.day = *day;
  } else {
    return Invalid("date", absl::StrCat("must be a date YYYY-MM-DD, got '", r.date, "'"));
  }
  p.sort = r.sort;
  // A point alone means nearest-first; with text, relevance blends in distance.
  if (p.geo == GeoMode::kNearest && p.sort == SortOrder::kRelevance && r.text.empty()) {
    p.sort = SortOrder::kDistance;
  }
  if (p.sort == SortOrder::kDistance && !p.has_ref) {
    return Invalid("sort", "distance needs a point or a viewport");
  }
  p.fingerprint = Fingerprint(r, p);
  if (!r.page_token.empty()) {
    absl::StatusOr<PageCursor> c = DecodePageToken(r.page_token);
    if (!c.ok()) return c.status();
    if (c->fingerprint != p.fingerprint) {
      return Invalid("page_token", "was issued for a different query");
    }
    // In 64 bits: a token's depth is any 32-bit value until checked here.
    if (uint64_t{c->depth} + static_cast<uint64_t>(r.limit) > SearchRequest::kMaxDepth) {
      return Invalid("page_token",
                     absl::StrFormat("paging deeper than %d results is not supported; "
                                     "narrow the query instead",
                                     SearchRequest::kMaxDepth));
    }
    // One day for the whole paging session: the first page's, given or
    // today's then. A page may repeat that date or leave it out.
    if (r.date.empty()) {
      p.day = c->day;
    } else if (p.day != c->day) {
      return Invalid("page_token", absl::StrCat("was issued for the date ", FormatIsoDay(c->day),
                                                ", not ", r.date));
    }
    p.cursor = std::move(*c);
  }
  return p;
}

std::string EncodePageToken(const PageCursor& c) {
  std::string raw;
  raw.push_back(static_cast<char>(kTokenVersion));
  PutBytes(&raw, &c.fingerprint, 8);
  PutBytes(&raw, &c.day, 4);
  PutBytes(&raw, &c.depth, 4);
  PutBytes(&raw, &c.key, 8);
  const uint16_t id_len = static_cast<uint16_t>(c.id.size());
  PutBytes(&raw, &id_len, 2);
  raw.append(c.id);
  const uint16_t n = static_cast<uint16_t>(c.emitted_after.size());
  PutBytes(&raw, &n, 2);
  for (uint64_t h : c.emitted_after) PutBytes(&raw, &h, 8);
  const uint32_t crc = Checksum(raw);
  PutBytes(&raw, &crc, 4);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<PageCursor> DecodePageToken(std::string_view token) {
  const absl::Status bad = Invalid("page_token", "is malformed (not a page token inkdex issued)");
  if (token.size() > 65536) return bad;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(absl::string_view(token.data(), token.size()), &raw) ||
      raw.size() < 1 + 8 + 4 + 4 + 8 + 2 + 2 + 4) {
    return bad;
  }
  uint32_t crc = 0;
  std::memcpy(&crc, raw.data() + raw.size() - 4, 4);
  if (crc != Checksum(std::string_view(raw).substr(0, raw.size() - 4))) {
    return bad;
  }
  if (static_cast<uint8_t>(raw[0]) != kTokenVersion) return bad;
  PageCursor c;
  size_t pos = 1;
  auto get = [&](void* out, size_t n) {
    if (pos + n > raw.size() - 4) return false;
    std::memcpy(out, raw.data() + pos, n);
    pos += n;
    return true;
  };
  uint16_t id_len = 0, n = 0;
  if (!get(&c.fingerprint, 8) || !get(&c.day, 4) || !get(&c.depth, 4) || !get(&c.key, 8) ||
      !get(&id_len, 2) || pos + id_len > raw.size() - 4) {
    return bad;
  }
  c.id.assign(raw.data() + pos, id_len);
  pos += id_len;
  if (!get(&n, 2)) return bad;
  c.emitted_after.resize(n);
  for (uint16_t i = 0; i < n; ++i) {
    if (!get(&c.emitted_after[i], 8)) return bad;
  }
  if (pos != raw.size() - 4) return bad;
  // The checksum catches damage, not a client that rewrites a field and
  // recomputes it: refuse what no token inkdex issued could hold, so such a
  // token can do nothing a real one cannot (the depth is checked against
  // the limit by PlanQuery).
  if (c.depth > static_cast<uint32_t>(SearchRequest::kMaxDepth) || std::isnan(c.key) ||
      c.id.size() > internal::kMaxArtistIdBytes) {
    return bad;
  }
  return c;
}

}  // namespace inkdex::engine
