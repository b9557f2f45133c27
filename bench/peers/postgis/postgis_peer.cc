#include "postgis_peer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "engine/suggest_index.h"
#include "pg_connection.h"
#include "pg_schema.h"
#include "pg_search.h"

namespace inkdex::bench {
namespace {

using postgis::PgConnection;
using postgis::PgResult;
using postgis::SqlDouble;
using postgis::SqlString;

constexpr char kMarker[] = "postgis-peer.complete";

// True when some word of `text`, with what follows it, starts with `key`
// (lowercase): inkdex's test of a completion.
bool WordStartsWith(std::string_view text, const std::string& key) {
  const std::string lower = absl::AsciiStrToLower(std::string(text));
  for (size_t p = 0; p != std::string::npos; p = lower.find(' ', p), p += p != std::string::npos) {
    if (lower.compare(p, key.size(), key) == 0) return true;
  }
  return false;
}

// Styles, cities, studios, artists: inkdex's order among equal counts.
int KindRank(Suggestion::Kind k) {
  static_assert(static_cast<int>(Suggestion::Kind::kArtist) == 0 &&
                static_cast<int>(Suggestion::Kind::kCity) == 3);
  constexpr int kRank[] = {3, 2, 0, 1};  // kArtist, kStudio, kStyle, kCity
  return kRank[static_cast<int>(k)];
}

std::string LikePrefix(const std::string& key) {
  return SqlString(
      absl::StrCat(absl::StrReplaceAll(key, {{"\\", "\\\\"}, {"%", "\\%"}, {"_", "\\_"}}), "%"));
}

class PostgisPeer : public Peer {
 public:
  explicit PostgisPeer(std::string dsn) : dsn_(std::move(dsn)) {}
  std::string name() const override { return "postgis"; }

  absl::Status Build(const std::vector<Artist>& artists, const std::string& dir) override {
    if (absl::Status s = Connect(); !s.ok()) return s;
    std::error_code ec;
    std::filesystem::remove(std::filesystem::path(dir) / kMarker, ec);
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
    if (absl::Status s = postgis::LoadArtists(*conn_, artists, taxonomy_); !s.ok()) return s;
    absl::StatusOr<int64_t> n = CountArtists();
    if (!n.ok()) return n.status();
    std::ofstream(std::filesystem::path(dir) / kMarker) << *n << "\n";
    return LoadStyleCounts();
  }

  absl::Status Open(const std::string& dir) override {
    std::ifstream marker(std::filesystem::path(dir) / kMarker);
    int64_t expected = -1;
    if (!(marker >> expected)) {
      return absl::NotFoundError(absl::StrCat("no postgis peer build in ", dir));
    }
    if (absl::Status s = Connect(); !s.ok()) return s;
    absl::StatusOr<int64_t> n = CountArtists();
    if (!n.ok()) return n.status();
    if (*n != expected) {
      return absl::FailedPreconditionError(absl::StrCat("postgis peer: the database holds ", *n,
                                                        " artists, the build in ", dir, " had ",
                                                        expected));
    }
    return LoadStyleCounts();
  }

  absl::StatusOr<PeerAnswer> Search(const SearchRequest& request, bool collect_ids) override {
    if (conn_ == nullptr) return absl::FailedPreconditionError("postgis peer: not opened");
    absl::StatusOr<postgis::SearchPlan> plan = postgis::PlanSearch(request, taxonomy_, collect_ids);
    if (!plan.ok()) return plan.status();
    if (plan->nearest_shortcut) return Nearest(*plan, request, collect_ids);
    absl::StatusOr<PgResult> rows = conn_->Exec(plan->sql);
    if (!rows.ok()) return rows.status();
    return postgis::ReadSearchRows(*rows, request, taxonomy_);
  }

  absl::StatusOr<std::vector<std::string>> Suggest(const SuggestRequest& request) override;

  // The peer's tables with their indexes and TOAST (not the catalog or WAL).
  // The cluster's processes, found from the server's own data directory
  // (readable by the superuser the benchmark cluster trusts on loopback).
  uint64_t ServerResidentBytes() const override {
    if (conn_ == nullptr) return 0;
    absl::StatusOr<PgResult> r = conn_->Exec("SHOW data_directory");
    if (!r.ok() || r->rows() != 1) return 0;
    return PostgisServerResidentBytes(std::string(r->text(0, 0)));
  }

  uint64_t DiskBytes() const override {
    if (conn_ == nullptr) return 0;
    absl::StatusOr<PgResult> r = conn_->Exec(
        "SELECT pg_total_relation_size('artists') + pg_total_relation_size('locations') + "
        "pg_total_relation_size('artist_styles')");
    return r.ok() && r->rows() == 1 ? static_cast<uint64_t>(r->int64(0, 0)) : 0;
  }

 private:
  absl::Status Connect() {
    if (dsn_.empty()) {
      return absl::FailedPreconditionError(
          "INKDEX_PG_DSN is not set (scripts/bench-postgres.sh start DIR prints it)");
    }
    absl::StatusOr<std::unique_ptr<PgConnection>> c = PgConnection::Connect(dsn_);
    if (!c.ok()) return c.status();
    conn_ = *std::move(c);
    absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Default();
    if (!tax.ok()) return tax.status();
    taxonomy_ = *std::move(tax);
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> CountArtists() {
    absl::StatusOr<PgResult> r = conn_->Exec("SELECT count(*) FROM artists");
    if (!r.ok()) return r.status();
    return r->int64(0, 0);
  }

  absl::Status LoadStyleCounts() {
    absl::StatusOr<PgResult> r =
        conn_->Exec("SELECT s, count(*) FROM artists, unnest(styles) s GROUP BY s");
    if (!r.ok()) return r.status();
    style_counts_.assign(taxonomy_.size(), 0);
    for (int i = 0; i < r->rows(); ++i) {
      const int64_t s = r->int64(i, 0);
      if (s >= 0 && s < taxonomy_.size()) style_counts_[s] = r->int64(i, 1);
    }
    return absl::OkStatus();
  }

  // The page by KNN (pg_search.h): reads 2x the page, 4x more until the
  // locations read hold `limit` distinct artists.
  absl::StatusOr<PeerAnswer> Nearest(const postgis::SearchPlan& plan, const SearchRequest& r,
                                     bool collect_ids) {
    PeerAnswer out;
    absl::StatusOr<PgResult> total = conn_->Exec(plan.total_sql);
    if (!total.ok()) return total.status();
    out.total = total->int64(0, 0);
    for (int k = 2 * r.limit;; k *= 4) {
      absl::StatusOr<PgResult> rows = conn_->Exec(
          absl::StrReplaceAll(plan.knn_sql, {{postgis::kLimitPlaceholder, absl::StrCat(k)}}));
      if (!rows.ok()) return rows.status();
      std::vector<std::pair<double, std::string>> page;
      absl::flat_hash_set<std::string> seen;
      for (int i = 0; i < rows->rows(); ++i) {
        std::string id(rows->text(i, 0));
        if (seen.insert(id).second) page.emplace_back(rows->float64(i, 1), std::move(id));
      }
      if (page.size() >= static_cast<size_t>(r.limit) || rows->rows() < k) {
        std::sort(page.begin(), page.end());  // ties by id, as inkdex
        if (page.size() > static_cast<size_t>(r.limit)) page.resize(r.limit);
        for (auto& [d, id] : page) out.page_ids.push_back(std::move(id));
        break;
      }
    }
    if (collect_ids) {
      absl::StatusOr<PgResult> all = conn_->Exec(plan.sql);
      if (!all.ok()) return all.status();
      for (int i = 0; i < all->rows(); ++i) out.all_ids.emplace_back(all->text(i, 0));
    }
    return out;
  }

  std::vector<Suggestion> Nearby(const SuggestRequest& request, const std::string& key);

  std::string dsn_;
  std::unique_ptr<PgConnection> conn_;
  StyleTaxonomy taxonomy_;
  std::vector<int64_t> style_counts_;
};

std::vector<Suggestion> PostgisPeer::Nearby(const SuggestRequest& request, const std::string& key) {
  std::vector<std::string> starts;
  postgis::AppendWordStarts(std::string_view(key).substr(0, key.find(' ')), &starts);
  if (starts.empty()) return {};
  const std::string p = absl::StrCat("ST_SetSRID(ST_MakePoint(", SqlDouble(request.near->lon), ", ",
                                     SqlDouble(request.near->lat), "), 4326)::geography");
  absl::StatusOr<PgResult> rows = conn_->Exec(absl::StrCat(
      "SELECT a.name, a.studio_name, l.city, ST_Distance(l.geog, ", p,
      ", false) / 1000 FROM locations l JOIN artists a USING (aid) WHERE l.starts @> ARRAY[",
      SqlString(starts[0]), "] AND ST_DWithin(l.geog, ", p, ", 512000, false) ORDER BY l.geog <-> ",
      p, " LIMIT 1000"));
  if (!rows.ok()) return {};
  std::vector<Suggestion> out;
  absl::flat_hash_map<std::pair<int, std::string>, size_t> seen;
  double radius = 2;
  for (int i = 0; i < rows->rows(); ++i) {
    const double d = rows->float64(i, 3);
    // The first of inkdex's widening radii holding `limit` completions.
    while (d > radius) {
      if (out.size() >= static_cast<size_t>(request.limit) || radius >= 512) return out;
      radius *= 4;
    }
    auto add = [&](Suggestion::Kind kind, std::string_view text) {
      auto [it, inserted] = seen.try_emplace({KindRank(kind), std::string(text)}, out.size());
      if (inserted) {
        out.push_back({kind, std::string(text), "", 1, d});
      } else {
        ++out[it->second].count;
      }
    };
    const std::string_view name = rows->text(i, 0), studio = rows->text(i, 1),
                           city = rows->text(i, 2);
    if (WordStartsWith(name, key)) add(Suggestion::Kind::kArtist, name);
    if (!studio.empty() && WordStartsWith(studio, key)) add(Suggestion::Kind::kStudio, studio);
    if (!city.empty() && WordStartsWith(city, key)) add(Suggestion::Kind::kCity, city);
  }
  return out;  // already by distance: rows come nearest first
}

absl::StatusOr<std::vector<std::string>> PostgisPeer::Suggest(const SuggestRequest& request) {
  if (conn_ == nullptr) return absl::FailedPreconditionError("postgis peer: not opened");
  if (request.prefix.empty() || request.prefix.size() > 100) {
    return absl::InvalidArgumentError("prefix: must be 1..100 bytes");
  }
  const std::string key = engine::SuggestKey(request.prefix);
  const std::string norm = StyleTaxonomy::Normalize(request.prefix);
  std::vector<Suggestion> global;
  for (int i = 0; i < taxonomy_.size() && !norm.empty(); ++i) {
    const StyleInfo& info = taxonomy_.style(i);
    bool hit = absl::StartsWith(StyleTaxonomy::Normalize(info.id), norm) ||
               absl::StartsWith(StyleTaxonomy::Normalize(info.display_name), norm);
    for (const std::string& alias : info.aliases) {
      hit = hit || absl::StartsWith(StyleTaxonomy::Normalize(alias), norm);
    }
    if (hit)
      global.push_back(
          {Suggestion::Kind::kStyle, info.display_name, info.id, style_counts_[i], NAN});
  }
  const std::string like = LikePrefix(key);
  const std::string limit = absl::StrCat(request.limit);
  std::string sql;
  for (const auto& [kind, column] :
       {std::pair<char, const char*>{'C', "city"}, {'T', "studio_name"}, {'A', "name"}}) {
    absl::StrAppend(&sql, sql.empty() ? "" : " UNION ALL ", "(SELECT '", std::string(1, kind),
                    "', ", column, ", count(*) FROM artists WHERE lower(", column, ") LIKE ", like,
                    " AND ", column, " <> '' GROUP BY ", column, " ORDER BY 3 DESC, 2 LIMIT ",
                    limit, ")");
  }
  absl::StatusOr<PgResult> rows = conn_->Exec(sql);
  if (!rows.ok()) return rows.status();
  for (int i = 0; i < rows->rows(); ++i) {
    const char kind = rows->text(i, 0)[0];
    global.push_back({kind == 'C'   ? Suggestion::Kind::kCity
                      : kind == 'T' ? Suggestion::Kind::kStudio
                                    : Suggestion::Kind::kArtist,
                      std::string(rows->text(i, 1)), "", rows->int64(i, 2), NAN});
  }
  std::sort(global.begin(), global.end(), [](const Suggestion& a, const Suggestion& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.kind != b.kind) return KindRank(a.kind) < KindRank(b.kind);
    return a.text < b.text;
  });
  std::vector<Suggestion> nearby;
  if (request.near) nearby = Nearby(request, key);
  std::vector<std::string> result;
  std::set<std::pair<int, std::string>> taken;
  auto take = [&](const Suggestion& s) {
    if (result.size() < static_cast<size_t>(request.limit) &&
        taken.insert({KindRank(s.kind), s.text}).second) {
      result.push_back(s.text);
    }
  };
  for (const Suggestion& s : global)
    if (s.kind == Suggestion::Kind::kStyle) take(s);
  for (const Suggestion& s : nearby) take(s);
  for (const Suggestion& s : global) take(s);
  return result;
}

}  // namespace

std::unique_ptr<Peer> MakePostgisPeerWithDsn(const std::string& dsn) {
  return std::make_unique<PostgisPeer>(dsn);
}

std::unique_ptr<Peer> MakePostgisPeer() {
  const char* dsn = std::getenv("INKDEX_PG_DSN");
  return MakePostgisPeerWithDsn(dsn != nullptr ? dsn : "");
}

uint64_t PostgisServerResidentBytes(const std::string& data_dir) {
  namespace fs = std::filesystem;
  fs::path pid_file = fs::path(data_dir) / "postmaster.pid";
  if (!fs::exists(pid_file)) pid_file = fs::path(data_dir) / "data" / "postmaster.pid";
  std::ifstream in(pid_file);
  long postmaster = 0;
  if (!(in >> postmaster) || postmaster <= 0) return 0;
  std::vector<long> pids = {postmaster};
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after the command (which may hold spaces): state, ppid, ...
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    long ppid = 0;
    if (rest >> state >> ppid && ppid == postmaster) pids.push_back(std::stol(name));
  }
  uint64_t total = 0;
  for (long pid : pids) {
    std::ifstream rollup(absl::StrCat("/proc/", pid, "/smaps_rollup"));
    std::string label;
    uint64_t kb = 0;
    while (rollup >> label) {
      if (label == "Pss:" && rollup >> kb) {
        total += kb * 1024;
        break;
      }
      rollup.ignore(1 << 16, '\n');
    }
  }
  return total;
}

}  // namespace inkdex::bench
