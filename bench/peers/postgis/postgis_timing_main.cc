// inkdex_postgis_timing: loads the benchmark workload into the PostGIS peer
// (or reuses a build) and measures each query class's latency on its own,
// single-threaded, as the comparison runner does for every system: the class
// list once after a warm-up, each call timed, nearest-rank percentiles.
//
//   export INKDEX_PG_DSN=$(scripts/bench-postgres.sh start /tmp/pg)
//   inkdex_postgis_timing --artists 100000 --dir /tmp/pg-peer --pg-dir /tmp/pg
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "CLI/CLI.hpp"
#include "inkdex/record.h"
#include "pg_search.h"
#include "postgis_peer.h"
#include "query_set.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// The SQL of each class's first query, for EXPLAIN.
int PrintSql() {
  absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Default();
  if (!tax.ok()) return 1;
  for (QueryClass c : AllQueryClasses()) {
    if (c == QueryClass::kSuggest) continue;
    BenchQuery q = MakeQueries(c, 1)[0];
    q.search.date = kDataDay;
    absl::StatusOr<postgis::SearchPlan> plan = postgis::PlanSearch(q.search, *tax, false);
    if (!plan.ok()) return 1;
    std::printf("-- %s\n%s;\n%s;\n%s;\n", std::string(QueryClassName(c)).c_str(), plan->sql.c_str(),
                plan->total_sql.c_str(), plan->knn_sql.c_str());
  }
  return 0;
}

int Run(uint64_t artists, size_t queries, const std::string& dir, const std::string& pg_dir,
        bool rebuild) {
  std::unique_ptr<Peer> peer = MakePostgisPeer();
  absl::Status open = rebuild ? absl::NotFoundError("rebuild") : peer->Open(dir);
  if (!open.ok()) {
    absl::StatusOr<RecordLines> lines = GenerateRecordLines(artists);
    absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Default();
    if (!lines.ok() || !tax.ok()) {
      std::fprintf(stderr, "cannot generate the workload\n");
      return 1;
    }
    std::vector<Artist> parsed;
    parsed.reserve(lines->lines.size());
    for (size_t i = 0; i < lines->lines.size(); ++i) {
      absl::StatusOr<ParsedRecord> r =
          ParseArtistRecord(lines->lines[i], *tax, RecordFormat::kJson);
      if (!r.ok()) {
        std::fprintf(stderr, "record %zu: %s\n", i, r.status().ToString().c_str());
        return 1;
      }
      r->artist.set_version(i + 1);
      parsed.push_back(std::move(r->artist));
    }
    const Clock::time_point start = Clock::now();
    if (absl::Status s = peer->Build(parsed, dir); !s.ok()) {
      std::fprintf(stderr, "build: %s\n", s.ToString().c_str());
      return 1;
    }
    const double seconds = Micros(Clock::now() - start) / 1e6;
    std::printf("build %llu artists: %.1f s, %.0f artists/s\n",
                static_cast<unsigned long long>(artists), seconds, artists / seconds);
  }
  std::printf("disk %.0f bytes/artist\n", static_cast<double>(peer->DiskBytes()) / artists);
  for (QueryClass c : AllQueryClasses()) {
    std::vector<BenchQuery> qs = MakeQueries(c, queries);
    for (BenchQuery& q : qs) q.search.date = kDataDay;
    std::vector<double> us;
    int64_t totals = 0;
    for (size_t i = 0; i < qs.size() + 20; ++i) {
      const BenchQuery& q = qs[i % qs.size()];
      const Clock::time_point start = Clock::now();
      if (c == QueryClass::kSuggest) {
        absl::StatusOr<std::vector<std::string>> s = peer->Suggest(q.suggest);
        if (!s.ok()) {
          std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
          return 1;
        }
      } else {
        absl::StatusOr<PeerAnswer> a = peer->Search(q.search, false);
        if (!a.ok()) {
          std::fprintf(stderr, "%s\n", a.status().ToString().c_str());
          return 1;
        }
        if (i >= 20) totals += a->total;
      }
      if (i >= 20) us.push_back(Micros(Clock::now() - start));  // the first 20: warm-up
    }
    std::sort(us.begin(), us.end());
    auto rank = [&](double p) {
      return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))];
    };
    std::printf("%-12s n=%zu p50=%.0f us p99=%.0f us max=%.0f us",
                std::string(QueryClassName(c)).c_str(), us.size(), rank(0.5), rank(0.99),
                us.back());
    if (c != QueryClass::kSuggest) {
      std::printf(" mean_total=%.1f", static_cast<double>(totals) / us.size());
    }
    std::printf("\n");
  }
  if (!pg_dir.empty()) {
    std::printf("server resident (Pss) %.0f bytes/artist\n",
                static_cast<double>(PostgisServerResidentBytes(pg_dir)) / artists);
  }
  return 0;
}

}  // namespace
}  // namespace inkdex::bench

int main(int argc, char** argv) {
  CLI::App app("PostGIS peer latency per query class");
  uint64_t artists = 100000;
  size_t queries = 500;
  std::string dir, pg_dir;
  bool rebuild = false, print_sql = false;
  app.add_option("--artists", artists, "workload size");
  app.add_option("--queries", queries, "queries per class");
  app.add_option("--dir", dir, "the peer's build marker directory")->required();
  app.add_option("--pg-dir", pg_dir, "the cluster directory (for resident memory)");
  app.add_flag("--rebuild", rebuild, "load even when a build exists");
  app.add_flag("--print-sql", print_sql, "print each class's first query's SQL and exit");
  CLI11_PARSE(app, argc, argv);
  if (print_sql) return inkdex::bench::PrintSql();
  return inkdex::bench::Run(artists, queries, dir, pg_dir, rebuild);
}
