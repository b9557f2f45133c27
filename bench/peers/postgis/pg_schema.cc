#include "pg_schema.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "engine/row_builder.h"
#include "pg_text.h"

namespace inkdex::bench::postgis {
namespace {

// The artist's columns both tables hold, in COPY order after aid.
constexpr char kArtistColumns[] = R"sql(
  id text NOT NULL,
  styles smallint[] NOT NULL,
  rating double precision,
  reviews integer NOT NULL,
  hourly_rate double precision,
  booking_open boolean NOT NULL,
  years_active integer,)sql";

std::string TablesSql() {
  return absl::StrCat(
      "DROP TABLE IF EXISTS artists, locations, artist_styles;\n"
      "CREATE TABLE artists (aid integer PRIMARY KEY,",
      kArtistColumns,
      "\n  name text NOT NULL, studio_name text NOT NULL, city text NOT NULL,"
      " tsv tsvector NOT NULL);\n"
      "CREATE TABLE locations (aid integer NOT NULL,",
      kArtistColumns,
      "\n  geog geography(Point, 4326) NOT NULL, active_from date NOT NULL,"
      " active_to date NOT NULL, city text NOT NULL, starts text[] NOT NULL);\n");
}

constexpr char kSchema[] = R"sql(
CREATE TABLE artist_styles (style smallint NOT NULL, aid integer NOT NULL);
-- sum over the alternatives of 1 + ln(wdf), wdf summed over the lexemes an
-- alternative matches (pg_text.h): Xapian's TfIdfWeight("lnn").
CREATE OR REPLACE FUNCTION inkdex_text_weight(tsv tsvector, terms text[], prefix boolean[])
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(sum(1 + ln(w)), 0) FROM (
    SELECT sum(coalesce(array_length(u.positions, 1), 0)) AS w
    FROM unnest(tsv) u, generate_subscripts(terms, 1) i
    WHERE CASE WHEN prefix[i] THEN starts_with(u.lexeme, terms[i]) ELSE u.lexeme = terms[i] END
    GROUP BY i) s
  WHERE w > 0
$$;
)sql";

constexpr char kIndexes[] = R"sql(
CREATE UNIQUE INDEX artists_id ON artists (id);
CREATE INDEX artists_styles ON artists USING gin (styles);
CREATE INDEX artists_tsv ON artists USING gin (tsv);
CREATE INDEX artists_name ON artists (lower(name) text_pattern_ops);
CREATE INDEX artists_studio ON artists (lower(studio_name) text_pattern_ops);
CREATE INDEX artists_city ON artists (lower(city) text_pattern_ops);
CREATE INDEX locations_geog ON locations USING gist (geog);
CREATE INDEX locations_geom ON locations USING gist ((geog::geometry));
CREATE INDEX locations_aid ON locations (aid);
CREATE INDEX locations_starts ON locations USING gin (starts);
CREATE INDEX artist_styles_style ON artist_styles (style, aid);
-- Nearby locations on nearby pages: a radius reads few heap pages.
CLUSTER locations USING locations_geog;
)sql";

// A guest spot's date bound as inkdex reads it (engine/row_builder.cc): empty
// is open, unparsable makes the spot never active.
std::string DateBound(const std::string& iso, bool from) {
  if (iso.empty()) return from ? "-infinity" : "infinity";
  const bool digits = iso.size() == 10 && iso[4] == '-' && iso[7] == '-' &&
                      std::all_of(iso.begin(), iso.end(), [](char c) {
                        return c == '-' || absl::ascii_isdigit(static_cast<unsigned char>(c));
                      });
  const int y = digits ? std::stoi(iso.substr(0, 4)) : 0;
  const int m = digits ? std::stoi(iso.substr(5, 2)) : 0;
  const int d = digits ? std::stoi(iso.substr(8, 2)) : 0;
  const absl::CivilDay day(y, m, d);  // normalizes: 2026-02-30 becomes March
  if (!digits || day.year() != y || day.month() != m || day.day() != d) {
    return from ? "infinity" : "-infinity";
  }
  return iso;
}

std::string StylesArray(const Artist& a, const StyleTaxonomy& taxonomy) {
  std::vector<int> idx;
  for (const std::string& s : a.styles()) {
    if (std::optional<int> i = taxonomy.Find(s)) idx.push_back(*i);
  }
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  return absl::StrCat("{", absl::StrJoin(idx, ","), "}");
}

void AppendLocation(int aid, const std::string& artist_columns, const Location& loc,
                    const std::string& from, const std::string& to, const Artist& a,
                    std::string* out) {
  const std::string city = engine::CityKey(loc);
  std::vector<std::string> starts;
  AppendWordStarts(a.name(), &starts);
  AppendWordStarts(a.studio().name(), &starts);
  AppendWordStarts(city, &starts);
  std::string starts_array = "{";
  for (size_t i = 0; i < starts.size(); ++i) {
    absl::StrAppend(&starts_array, i ? "," : "", "\"", starts[i], "\"");
  }
  starts_array += "}";
  absl::StrAppend(out, aid, "\t", artist_columns, "\tSRID=4326;POINT(", SqlDouble(loc.longitude()),
                  " ", SqlDouble(loc.latitude()), ")\t", from, "\t", to, "\t");
  AppendCopyField(city, out);
  out->push_back('\t');
  AppendCopyField(starts_array, out);
  out->push_back('\n');
}

}  // namespace

void AppendWordStarts(std::string_view text, std::vector<std::string>* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ' || (i > 0 && text[i - 1] != ' ')) continue;
    size_t n = 0;
    while (n < 3 && i + n < text.size() && text[i + n] != ' ') ++n;
    // Whole UTF-8 characters only: the server checks the encoding.
    while (n > 0 && i + n < text.size() &&
           (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) {
      --n;
    }
    std::string w;
    for (size_t j = i; j < i + n; ++j) {
      const auto c = static_cast<unsigned char>(text[j]);
      // Quotes and backslashes would need array-literal escaping; no prefix
      // a user types starts with them.
      if (c == '"' || c == '\\' || c == ',' || c == '{' || c == '}') break;
      w.push_back(static_cast<char>(absl::ascii_tolower(c)));
    }
    if (!w.empty() && std::find(out->begin(), out->end(), w) == out->end()) out->push_back(w);
  }
}

absl::Status LoadArtists(PgConnection& conn, const std::vector<Artist>& artists,
                         const StyleTaxonomy& taxonomy) {
  TsvectorBuilder tsv(taxonomy);
  std::string artist_rows, location_rows, style_rows;
  int aid = 0;
  for (const Artist& a : artists) {
    if (!engine::IsSearchable(a)) continue;
    ++aid;
    const std::string styles = StylesArray(a, taxonomy);
    // Rated as inkdex rates (engine/row_builder.cc): a rating, unless 0 with
    // no reviews; a rating without a count weighs as one review.
    const bool rated = a.has_rating() && (a.rating() > 0 || a.review_count() > 0);
    // id, styles, rating, reviews, hourly_rate, booking_open, years_active:
    // in both tables.
    std::string columns;
    AppendCopyField(a.id(), &columns);
    absl::StrAppend(&columns, "\t", styles, "\t", rated ? SqlDouble(a.rating()) : "\\N", "\t",
                    rated ? std::max(a.review_count(), 1u) : 0u, "\t",
                    a.pricing().has_hourly_rate() ? SqlDouble(a.pricing().hourly_rate()) : "\\N",
                    "\t", a.availability().booking_open() ? "t" : "f", "\t",
                    a.has_years_active() ? absl::StrCat(a.years_active()) : "\\N");
    absl::StrAppend(&artist_rows, aid, "\t", columns);
    for (const std::string& text :
         {a.name(), a.studio().name(), engine::CityKey(a.location()), tsv.Build(a)}) {
      artist_rows.push_back('\t');
      AppendCopyField(text, &artist_rows);
    }
    artist_rows.push_back('\n');
    AppendLocation(aid, columns, a.location(), "-infinity", "infinity", a, &location_rows);
    for (int i = 0; i < a.guest_spots_size() && i < 255; ++i) {
      const GuestSpot& g = a.guest_spots(i);
      AppendLocation(aid, columns, g.location(), DateBound(g.from(), true),
                     DateBound(g.to(), false), a, &location_rows);
    }
    for (const std::string& s : a.styles()) {
      if (std::optional<int> i = taxonomy.Find(s))
        absl::StrAppend(&style_rows, *i, "\t", aid, "\n");
    }
  }
  const std::string tables = TablesSql();
  for (const std::string_view sql :
       {std::string_view("BEGIN"), std::string_view(tables), std::string_view(kSchema)}) {
    if (absl::StatusOr<PgResult> r = conn.Exec(sql); !r.ok()) return r.status();
  }
  if (absl::Status s = conn.CopyIn("COPY artists FROM STDIN", artist_rows); !s.ok()) return s;
  if (absl::Status s = conn.CopyIn("COPY locations FROM STDIN", location_rows); !s.ok()) return s;
  if (absl::Status s = conn.CopyIn("COPY artist_styles FROM STDIN", style_rows); !s.ok()) return s;
  // VACUUM sets the visibility map, so counts by style are index-only scans
  // (run after ANALYZE: a database-wide VACUUM ANALYZE left the later tables
  // not all-visible).
  for (const std::string_view sql :
       {std::string_view(kIndexes), std::string_view("COMMIT"), std::string_view("ANALYZE"),
        std::string_view("VACUUM (FREEZE) artists, locations, artist_styles")}) {
    if (absl::StatusOr<PgResult> r = conn.Exec(sql); !r.ok()) return r.status();
  }
  return absl::OkStatus();
}

}  // namespace inkdex::bench::postgis
