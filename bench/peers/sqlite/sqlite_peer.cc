// SqlitePeer: the store's schema, the bulk load and opening a connection.
#include "sqlite_peer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/date.h"
#include "engine/row_builder.h"
#include "engine/suggest_index.h"
#include "geo/distance.h"
#include "sqlite_text.h"

namespace inkdex::bench::sqlite {
namespace {

constexpr char kDbFile[] = "inkdex.sqlite";

constexpr char kSchema[] = R"sql(
CREATE TABLE artists(
  id INTEGER PRIMARY KEY,
  artist_id TEXT NOT NULL,
  name TEXT NOT NULL,
  studio TEXT NOT NULL,
  style_mask INTEGER NOT NULL,
  rating REAL,
  review_count INTEGER NOT NULL,
  hourly_rate REAL,
  booking_open INTEGER NOT NULL,
  years_active INTEGER);
CREATE TABLE artist_styles(
  artist INTEGER NOT NULL,
  style INTEGER NOT NULL,
  PRIMARY KEY(artist, style)) WITHOUT ROWID;
CREATE TABLE locations(
  id INTEGER PRIMARY KEY,
  artist INTEGER NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  from_day INTEGER NOT NULL,
  to_day INTEGER NOT NULL,
  city TEXT NOT NULL,
  style_mask INTEGER NOT NULL);
CREATE VIRTUAL TABLE location_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon);
CREATE TABLE suggest_words(
  prefix TEXT NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  location INTEGER NOT NULL,
  PRIMARY KEY(prefix, lat, lon, location)) WITHOUT ROWID;
CREATE TABLE suggest_terms(
  kind INTEGER NOT NULL,
  term TEXT NOT NULL,
  text TEXT NOT NULL,
  count INTEGER NOT NULL,
  artist INTEGER NOT NULL,
  PRIMARY KEY(kind, term)) WITHOUT ROWID;
)sql";

// Created after the rows are in: building a b-tree from sorted input is
// cheaper than maintaining it row by row.
constexpr char kIndexes[] = R"sql(
CREATE UNIQUE INDEX artists_by_artist_id ON artists(artist_id);
CREATE INDEX artist_styles_by_style ON artist_styles(style, artist);
CREATE INDEX locations_by_artist ON locations(artist);
CREATE TABLE style_counts(style INTEGER PRIMARY KEY, count INTEGER NOT NULL);
INSERT INTO style_counts SELECT style, COUNT(*) FROM artist_styles GROUP BY style;
)sql";

// Suggest kinds, numbered as inkdex ranks them (suggester.cc KindRank).
constexpr int kCityKind = 1, kStudioKind = 2, kArtistKind = 3;

void DistKm(sqlite3_context* ctx, int, sqlite3_value** v) {
  sqlite3_result_double(ctx,
                        geo::DistanceKm(sqlite3_value_double(v[0]), sqlite3_value_double(v[1]),
                                        sqlite3_value_double(v[2]), sqlite3_value_double(v[3])));
}

// rank_key(d, rating, review_count, hourly_rate, t): inkdex's sort key
// (engine::Ranker::Key) for the current query; NULL d, rating, rate = none.
void RankKey(sqlite3_context* ctx, int, sqlite3_value** v) {
  const auto* ranker = static_cast<const std::optional<engine::Ranker>*>(sqlite3_user_data(ctx));
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  auto real = [&](int i) {
    return sqlite3_value_type(v[i]) == SQLITE_NULL ? kNaN : sqlite3_value_double(v[i]);
  };
  engine::HotRow row;
  row.rating = real(1);
  row.review_count = static_cast<uint32_t>(sqlite3_value_int64(v[2]));
  row.hourly_rate = real(3);
  const double t = sqlite3_value_type(v[4]) == SQLITE_NULL ? 0 : sqlite3_value_double(v[4]);
  sqlite3_result_double(ctx, (*ranker)->Key(row, real(0), t));
}

int32_t DayOr(const std::string& iso, int32_t open, int32_t invalid) {
  if (iso.empty()) return open;
  return engine::ParseIsoDay(iso).value_or(invalid);
}

}  // namespace

absl::Status SqlitePeer::OpenConnection(const std::string& dir, bool create) {
  db_.reset();
  dir_ = dir;
  absl::StatusOr<std::unique_ptr<SqliteDb>> db =
      SqliteDb::Open((std::filesystem::path(dir) / kDbFile).string(), create);
  if (!db.ok()) return db.status();
  db_ = *std::move(db);
  // mmap reads pages without copying them into the page cache; the cache
  // (256 MB) holds what does not fit the map; temporary tables stay in memory.
  if (absl::Status s =
          db_->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
                    "PRAGMA cache_size=-262144; PRAGMA mmap_size=4294967296;"
                    // Per query: the base set (sqlite_search.cc) and the text matches.
                    "CREATE TEMP TABLE base(artist INTEGER PRIMARY KEY, d REAL, city TEXT, t REAL,"
                    " style_mask INTEGER, rating REAL, review_count INTEGER, hourly_rate REAL);"
                    "CREATE TEMP TABLE text_matches(artist INTEGER PRIMARY KEY);");
      !s.ok()) {
    return s;
  }
  sqlite3* h = db_->handle();
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  if (sqlite3_create_function_v2(h, "dist_km", 4, flags, nullptr, &DistKm, nullptr, nullptr,
                                 nullptr) != SQLITE_OK ||
      sqlite3_create_function_v2(h, "rank_key", 5, SQLITE_UTF8, &ranker_, &RankKey, nullptr,
                                 nullptr, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite: registering functions: ", sqlite3_errmsg(h)));
  }
  return RegisterTfFunction(h);
}

absl::Status SqlitePeer::Build(const std::vector<Artist>& artists, const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat(dir, ": cannot create: ", ec.message()));
  if (absl::Status s = OpenConnection(dir, /*create=*/true); !s.ok()) return s;
  // Nothing is served from the file until Build returns: no rollback
  // journal, no fsyncs, a 1 GB cache for sorting the index b-trees; WAL is
  // switched on at the end.
  if (absl::Status s =
          db_->Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576;");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = db_->Exec(kSchema); !s.ok()) return s;
  const std::string fts =
      absl::StrCat("CREATE VIRTUAL TABLE artist_text USING fts5(words, stems, styles, content='', ",
                   kFtsTokenize, ");");
  if (absl::Status s = db_->Exec(fts); !s.ok()) return s;
  if (absl::Status s = db_->Exec("BEGIN;"); !s.ok()) return s;
  if (absl::Status s = Load(artists); !s.ok()) return s;
  if (absl::Status s = db_->Exec("COMMIT;"); !s.ok()) return s;
  if (absl::Status s = db_->Exec(kIndexes); !s.ok()) return s;
  if (absl::Status s = db_->Exec("INSERT INTO artist_text(artist_text) VALUES('optimize');");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = db_->Exec("ANALYZE; PRAGMA journal_mode=WAL;"); !s.ok()) return s;
  return OpenConnection(dir, /*create=*/false);
}

absl::Status SqlitePeer::Load(const std::vector<Artist>& artists) {
  absl::StatusOr<Stmt> ins_artist = db_->Prepare(
      "INSERT INTO artists(id, artist_id, name, studio, style_mask, rating, review_count,"
      " hourly_rate, booking_open, years_active) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
  absl::StatusOr<Stmt> ins_style =
      db_->Prepare("INSERT INTO artist_styles(artist, style) VALUES(?1, ?2)");
  absl::StatusOr<Stmt> ins_loc = db_->Prepare(
      "INSERT INTO locations(id, artist, lat, lon, from_day, to_day, city, style_mask)"
      " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
  absl::StatusOr<Stmt> ins_box = db_->Prepare(
      "INSERT INTO location_rtree(id, min_lat, max_lat, min_lon, max_lon)"
      " VALUES(?1, ?2, ?2, ?3, ?3)");
  absl::StatusOr<Stmt> ins_word =
      db_->Prepare("INSERT INTO suggest_words(prefix, lat, lon, location) VALUES(?1, ?2, ?3, ?4)");
  absl::StatusOr<Stmt> ins_text =
      db_->Prepare("INSERT INTO artist_text(rowid, words, stems, styles) VALUES(?1, ?2, ?3, ?4)");
  for (const absl::StatusOr<Stmt>* s :
       {&ins_artist, &ins_style, &ins_loc, &ins_box, &ins_word, &ins_text}) {
    if (!s->ok()) return s->status();
  }
  // Keyed by (kind, term): artists behind it and the first of them.
  absl::flat_hash_map<std::pair<int, std::string>, std::pair<int64_t, int64_t>> suggest;
  FtsColumnBuilder text(taxonomy_);
  // suggest_words rows, inserted in key order at the end (appending to the
  // b-tree instead of inserting at random places).
  struct WordRow {
    std::string prefix;
    double lat, lon;
    int64_t location;
    bool operator<(const WordRow& o) const {
      return std::tie(prefix, lat, lon, location) < std::tie(o.prefix, o.lat, o.lon, o.location);
    }
  };
  std::vector<WordRow> words;
  int64_t id = 0, loc_id = 0;
  for (const Artist& a : artists) {
    if (!engine::IsSearchable(a)) continue;
    ++id;
    int64_t mask = 0;
    for (const std::string& style : a.styles()) {
      if (std::optional<int> idx = taxonomy_.Find(style)) mask |= int64_t{1} << *idx;
    }
    Stmt& st = *ins_artist;
    st.Bind(1, id).Bind(2, a.id()).Bind(3, a.name()).Bind(4, a.studio().name()).Bind(5, mask);
    // Rated as inkdex rates (engine/row_builder.cc): a rating, unless 0 with
    // no reviews; NULL otherwise.
    if (a.has_rating() && (a.rating() > 0 || a.review_count() > 0)) st.Bind(6, a.rating());
    st.Bind(7, static_cast<int64_t>(a.review_count()));
    if (a.pricing().has_hourly_rate()) st.Bind(8, a.pricing().hourly_rate());
    st.Bind(9, a.availability().booking_open() ? 1 : 0);
    if (a.has_years_active()) st.Bind(10, static_cast<int64_t>(a.years_active()));
    if (absl::Status s = st.Exec(); !s.ok()) return s;
    for (int64_t m = mask; m != 0; m &= m - 1) {
      if (absl::Status s = ins_style->Bind(1, id).Bind(2, std::countr_zero(uint64_t(m))).Exec();
          !s.ok()) {
        return s;
      }
    }
    auto add_location = [&](const Location& l, int32_t from, int32_t to) -> absl::Status {
      ++loc_id;
      if (absl::Status s = ins_loc->Bind(1, loc_id)
                               .Bind(2, id)
                               .Bind(3, l.latitude())
                               .Bind(4, l.longitude())
                               .Bind(5, static_cast<int64_t>(from))
                               .Bind(6, static_cast<int64_t>(to))
                               .Bind(7, engine::CityKey(l))
                               .Bind(8, mask)
                               .Exec();
          !s.ok()) {
        return s;
      }
      for (std::string& prefix :
           SuggestWordPrefixes({a.name(), a.studio().name(), engine::CityKey(l)})) {
        words.push_back({std::move(prefix), l.latitude(), l.longitude(), loc_id});
      }
      return ins_box->Bind(1, loc_id).Bind(2, l.latitude()).Bind(3, l.longitude()).Exec();
    };
    if (absl::Status s = add_location(a.location(), engine::kNoDayMin, engine::kNoDayMax);
        !s.ok()) {
      return s;
    }
    for (int g = 0; g < a.guest_spots_size() && g < 255; ++g) {
      const GuestSpot& spot = a.guest_spots(g);
      // As engine::FillRow: an empty bound is open, an unreadable one closed.
      if (absl::Status s = add_location(spot.location(),
                                        DayOr(spot.from(), engine::kNoDayMin, engine::kNoDayMax),
                                        DayOr(spot.to(), engine::kNoDayMax, engine::kNoDayMin));
          !s.ok()) {
        return s;
      }
    }
    const FtsColumns cols = text.Build(a);
    if (absl::Status s = ins_text->Bind(1, id)
                             .Bind(2, cols.words)
                             .Bind(3, cols.stems)
                             .Bind(4, cols.styles)
                             .Exec();
        !s.ok()) {
      return s;
    }
    auto add_suggest = [&](int kind, const std::string& original) {
      if (original.empty()) return;
      auto [it, inserted] =
          suggest.try_emplace({kind, engine::SuggestTerm(original)}, std::pair{0, id});
      ++it->second.first;
    };
    add_suggest(kArtistKind, a.name());
    add_suggest(kStudioKind, a.studio().name());
    add_suggest(kCityKind, engine::CityKey(a.location()));
  }
  std::sort(words.begin(), words.end());
  for (const WordRow& w : words) {
    if (absl::Status s =
            ins_word->Bind(1, w.prefix).Bind(2, w.lat).Bind(3, w.lon).Bind(4, w.location).Exec();
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<Stmt> ins_suggest = db_->Prepare(
      "INSERT INTO suggest_terms(kind, term, text, count, artist) VALUES(?1,?2,?3,?4,?5)");
  if (!ins_suggest.ok()) return ins_suggest.status();
  for (const auto& [key, value] : suggest) {
    const std::string& term = key.second;
    const std::string shown = term.substr(term.find(engine::kSuggestSeparator) + 1);
    if (absl::Status s = ins_suggest->Bind(1, key.first)
                             .Bind(2, term)
                             .Bind(3, shown)
                             .Bind(4, value.first)
                             .Bind(5, value.second)
                             .Exec();
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status SqlitePeer::Open(const std::string& dir) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / kDbFile)) {
    return absl::NotFoundError(absl::StrCat(dir, ": no ", kDbFile, " (run Build first)"));
  }
  return OpenConnection(dir, /*create=*/false);
}

uint64_t SqlitePeer::DiskBytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

}  // namespace inkdex::bench::sqlite

namespace inkdex::bench {

std::unique_ptr<Peer> MakeSqlitePeer() {
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  if (!taxonomy.ok()) return nullptr;
  return std::make_unique<sqlite::SqlitePeer>(*std::move(taxonomy));
}

}  // namespace inkdex::bench
