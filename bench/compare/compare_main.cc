// inkdex_compare: inkdex against the systems a user would pick instead, on
// the same data and the same queries, in one run (bench/README.md "Peers").
//
//   inkdex_compare --data-dir DIR [--systems inkdex,grpc,sqlite,postgis,xapian]
//       [--artists 100000,1000000] [--queries 500] [--gate-queries 50]
//       [--json OUT] [--rebuild] [--keep-going]
//
// Per size: the artists are generated and parsed once; each system's store
// is built in DIR/<system>/<N> (timed) unless a marker DIR/<system>/<N>.complete
// records a complete build of the same parameters; then per system (inkdex
// first, whose answers are the gate's references): open + warm-up (resident
// growth), the gate on the first --gate-queries of each search class, the
// timing. Exit status 1 when any answer differs from inkdex's or a system
// fails; the JSON is written either way.
//
// "grpc" is inkdex through inkdex-server (peers/inkdex_grpc/): it serves the
// library's own store, DIR/inkdex/<N>, rather than building a copy; its
// build record is the library's, marked {"store": "inkdex"}.
#include <malloc.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "compare/reference.h"
#include "compare/system_run.h"
#include "compare/timing.h"
#include "compare/workload_artists.h"
#include "inkdex_peer.h"
#ifdef INKDEX_HAVE_PEER_INKDEX_GRPC
#include "grpc_peer.h"
#endif
#ifdef INKDEX_HAVE_PEER_POSTGIS
#include "postgis_peer.h"
#endif
#include "synth/synth.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::map<std::string, PeerFactory> AvailablePeers() {
  std::map<std::string, PeerFactory> peers;
  peers["inkdex"] = MakeInkdexPeer;
#ifdef INKDEX_HAVE_PEER_INKDEX_GRPC
  peers["grpc"] = MakeInkdexGrpcPeer;
#endif
#ifdef INKDEX_HAVE_PEER_SQLITE
  peers["sqlite"] = MakeSqlitePeer;
#endif
#ifdef INKDEX_HAVE_PEER_POSTGIS
  peers["postgis"] = MakePostgisPeer;
#endif
#ifdef INKDEX_HAVE_PEER_XAPIAN
  peers["xapian"] = MakePlainXapianPeer;
#endif
  return peers;
}

// The system whose store `system` uses (see the file comment).
std::string StoreOf(const std::string& system) { return system == "grpc" ? "inkdex" : system; }

// The version of what a peer's loader writes, raised when it changes what a
// store holds, so that stores loaded by the old code are rebuilt. SQLite 2:
// a rating of 0 without reviews is stored as unrated, as inkdex rates
// (a store loaded before that failed the gate on rating bands).
int LoaderVersion(const std::string& system) { return system == "sqlite" ? 2 : 1; }

// What a complete build of (system, n) records; a marker with another key is stale.
// A store built from older synth output is stale ("synth="), or by an older
// loader ("loader="); inkdex's store is loaded sorted by location
// (BulkLoader) since "order=cell".
std::string BuildKey(const std::string& system, uint64_t n) {
  const int loader = LoaderVersion(system);
  return absl::StrCat("system=", system, " artists=", n, " seed=", kSynthSeed, " day=", kDataDay,
                      " synth=", synth::kOutputVersion, system == "inkdex" ? " order=cell" : "",
                      loader > 1 ? absl::StrCat(" loader=", loader) : "");
}

// The recorded build of `system` at `n`, or a null JSON when there is none.
Json ReadMarker(const fs::path& marker, const std::string& key) {
  std::ifstream in(marker);
  if (!in) return nullptr;
  Json j = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("key", "") != key) return nullptr;
  return j;
}

// Builds (or reuses) the store; returns {"seconds", "artists_per_second", "cached"}.
absl::StatusOr<Json> EnsureBuilt(const PeerFactory& factory, const std::string& system,
                                 const std::vector<Artist>& artists, const fs::path& dir,
                                 bool rebuild) {
  const fs::path marker = dir.string() + ".complete";
  const std::string key = BuildKey(system, artists.size());
  if (!rebuild) {
    Json done = ReadMarker(marker, key);
    // A store outside `dir` (PostgreSQL's one database) may have been
    // replaced by another size's build since: reuse only what opens.
    if (!done.is_null() && factory()->Open(dir.string()).ok()) {
      return Json{{"seconds", done["seconds"]},
                  {"artists_per_second", done["artists_per_second"]},
                  {"cached", true}};
    }
  }
  std::error_code ec;
  fs::remove(marker, ec);
  fs::remove_all(dir, ec);
  fs::create_directories(dir.parent_path(), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("create ", dir.string(), ": ", ec.message()));
  std::cerr << "compare: building " << system << " with " << artists.size() << " artists\n";
  const Clock::time_point start = Clock::now();
  {
    std::unique_ptr<Peer> peer = factory();
    absl::Status s = peer->Build(artists, dir.string());
    if (!s.ok()) return s;
  }  // closed: whatever the close flushes is part of the build
  const double seconds = MicrosSince(start) / 1e6;
  Json record{{"key", key},
              {"seconds", seconds},
              {"artists_per_second", static_cast<double>(artists.size()) / seconds}};
  std::ofstream out(marker, std::ios::trunc);
  out << record.dump() << "\n";
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", marker.string()));
  return Json{{"seconds", seconds},
              {"artists_per_second", record["artists_per_second"]},
              {"cached", false}};
}

// The peer's server memory; for PostgreSQL, when the peer does not report it,
// measured from the cluster directory run.sh exports as INKDEX_PG_DIR.
uint64_t ServerResidentBytes(const std::string& system, const Peer& peer) {
  uint64_t bytes = peer.ServerResidentBytes();
#ifdef INKDEX_HAVE_PEER_POSTGIS
  const char* pg_dir = std::getenv("INKDEX_PG_DIR");
  if (bytes == 0 && system == "postgis" && pg_dir != nullptr) {
    bytes = PostgisServerResidentBytes(pg_dir);
  }
#endif
  return bytes;
}

struct Options {
  std::vector<std::string> systems;
  std::vector<uint64_t> sizes;
  std::string data_dir, json_out;
  bool rebuild = false, keep_going = false;
  CompareConfig config;
};

// One data size, every system. Sets *ok false on a mismatch or failure.
Json RunSize(const Options& o, const std::map<std::string, PeerFactory>& peers, uint64_t n,
             bool* ok) {
  Json run{{"artists", n}};
  Json systems = Json::array();
  auto fail = [&](const std::string& system, const std::string& message) {
    std::cerr << "compare: " << system << " at " << n << ": " << message << "\n";
    *ok = false;
    return Json{{"name", system}, {"error", message}};
  };
  absl::StatusOr<std::vector<Artist>> artists = GenerateArtists(n);
  if (!artists.ok()) {
    run["error"] = artists.status().ToString();
    *ok = false;
    return run;
  }
  std::map<std::string, Json> builds;
  for (const std::string& system : o.systems) {
    if (StoreOf(system) != system) continue;
    absl::StatusOr<Json> b =
        EnsureBuilt(peers.at(system), system, *artists,
                    fs::path(o.data_dir) / system / std::to_string(n), o.rebuild);
    builds[system] = b.ok() ? *b : Json{{"error", b.status().ToString()}};
  }
  for (const std::string& system : o.systems) {
    if (StoreOf(system) == system) continue;
    builds[system] = builds[StoreOf(system)];
    builds[system]["store"] = StoreOf(system);
  }
  const GateArtists gate_artists = GateArtists::From(*artists);
  artists->clear();
  artists->shrink_to_fit();
  malloc_trim(0);

  Workload workload;
  for (QueryClass c : AllQueryClasses()) {
    workload.push_back(MakeQueries(c, std::max(o.config.timed_queries, o.config.gate_queries)));
  }
  std::vector<InkdexReference> references;
  bool have_references = false;
  for (const std::string& system : o.systems) {
    const std::string dir = (fs::path(o.data_dir) / StoreOf(system) / std::to_string(n)).string();
    if (system != "inkdex" && !have_references) {
      systems.push_back(fail(system, "not run: inkdex, the gate's reference, failed"));
      continue;
    }
    if (builds[system].contains("error")) {
      systems.push_back(fail(system, "build: " + builds[system]["error"].get<std::string>()));
      continue;
    }
    absl::StatusOr<OpenedSystem> opened = OpenAndWarm(peers.at(system), dir, workload, o.config);
    if (!opened.ok()) {
      systems.push_back(fail(system, "open: " + opened.status().ToString()));
      continue;
    }
    Peer& peer = *opened->peer;
    if (system == "inkdex") {
      std::cerr << "compare: inkdex references for the gate\n";
      const Clock::time_point start = Clock::now();
      auto& inkdex = dynamic_cast<InkdexPeer&>(peer);
      for (const std::vector<BenchQuery>& queries : workload) {
        for (size_t i = 0; i < queries.size() && i < o.config.gate_queries; ++i) {
          if (queries[i].query_class == QueryClass::kSuggest) continue;
          absl::StatusOr<InkdexReference> ref = MakeReference(inkdex, gate_artists, queries[i]);
          if (!ref.ok()) {
            run["error"] = absl::StrCat("inkdex reference for ", QueryToJson(queries[i]), ": ",
                                        ref.status().ToString());
            *ok = false;
            run["systems"] = systems;
            return run;
          }
          references.push_back(std::move(*ref));
        }
      }
      run["reference_seconds"] = MicrosSince(start) / 1e6;
      have_references = true;
    }
    std::cerr << "compare: " << system << " at " << n << ": gate on " << references.size()
              << " queries\n";
    bool gate_ok = true;
    Json row{{"name", system}, {"build", builds[system]}};
    row["open_seconds"] = opened->open_seconds;
    row["rss_delta_bytes"] = opened->rss_delta_bytes;
    row["server_resident_bytes"] = ServerResidentBytes(system, peer);
    const Clock::time_point gate_start = Clock::now();
    row["gate"] = RunGate(peer, references, &gate_ok);
    row["gate"]["seconds"] = MicrosSince(gate_start) / 1e6;
    if (!gate_ok) {
      *ok = false;
      for (const auto& m : row["gate"]["mismatches"]) std::cerr << m.get<std::string>() << "\n";
    }
    if (gate_ok || o.keep_going) {
      std::cerr << "compare: timing " << system << " at " << n << "\n";
      row["classes"] = TimeClasses(peer, peers.at(system), dir, workload, o.config);
    }
    row["disk_bytes"] = peer.DiskBytes();
    systems.push_back(row);
  }
  run["systems"] = systems;
  return run;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "inkdex (library, and through gRPC) against SQLite, PostgreSQL+PostGIS and plain Xapian "
      "(bench/README.md)"};
  const std::map<std::string, PeerFactory> peers = AvailablePeers();
  std::string systems = "inkdex", sizes = "100000";
  for (const auto& [name, factory] : peers) {
    if (name != "inkdex") systems += "," + name;
  }
  Options o;
  app.add_option("--systems", systems, "comma-separated systems (inkdex is always run first)")
      ->capture_default_str();
  app.add_option("--artists", sizes, "comma-separated data sizes")->capture_default_str();
  app.add_option("--queries", o.config.timed_queries, "timed queries per class")
      ->capture_default_str();
  app.add_option("--gate-queries", o.config.gate_queries, "gated queries per search class")
      ->capture_default_str();
  app.add_option("--warmup", o.config.warmup, "warm-up queries per class")->capture_default_str();
  app.add_option("--threads", o.config.threads, "threads of the throughput run")
      ->capture_default_str();
  app.add_option("--throughput-seconds", o.config.throughput_seconds,
                 "least duration of a class's throughput run")
      ->capture_default_str();
  app.add_option("--class-budget", o.config.class_budget_seconds,
                 "seconds after which a class's single-threaded pass stops")
      ->capture_default_str();
  app.add_option("--data-dir", o.data_dir, "where the stores live (<system>/<N>)")->required();
  app.add_option("--json", o.json_out, "write the figures here");
  app.add_flag("--rebuild", o.rebuild, "rebuild stores even when complete ones exist");
  app.add_flag("--keep-going", o.keep_going, "time a system whose answers failed the gate");
  CLI11_PARSE(app, argc, argv);

  o.systems.push_back("inkdex");
  for (absl::string_view s : absl::StrSplit(systems, ',', absl::SkipEmpty())) {
    if (!peers.contains(std::string(s))) {
      std::cerr << "inkdex_compare: --systems: unknown or not built: " << s << "\n";
      return 2;
    }
    if (s != "inkdex") o.systems.emplace_back(s);
  }
  for (absl::string_view s : absl::StrSplit(sizes, ',', absl::SkipEmpty())) {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(s, &n) || n == 0) {
      std::cerr << "inkdex_compare: --artists: not a positive count: " << s << "\n";
      return 2;
    }
    o.sizes.push_back(n);
  }

  bool ok = true;
  Json runs = Json::array();
  const Json config{{"systems", o.systems},
                    {"artists", o.sizes},
                    {"queries_per_class", o.config.timed_queries},
                    {"gate_queries_per_class", o.config.gate_queries},
                    {"warmup_per_class", o.config.warmup},
                    {"threads", o.config.threads},
                    {"throughput_seconds", o.config.throughput_seconds},
                    {"class_budget_seconds", o.config.class_budget_seconds}};
  for (uint64_t n : o.sizes) {
    runs.push_back(RunSize(o, peers, n, &ok));
    // Written after every size, so a long run's finished sizes survive an
    // interruption.
    const Json out{{"config", config}, {"runs", runs}, {"ok", ok}};
    if (o.json_out.empty()) {
      if (n == o.sizes.back()) std::cout << out.dump(2) << "\n";
      continue;
    }
    std::ofstream f(o.json_out + ".tmp", std::ios::trunc);
    f << out.dump(2) << "\n";
    f.close();
    std::error_code ec;
    if (f) fs::rename(o.json_out + ".tmp", o.json_out, ec);
    if (!f || ec) {
      std::cerr << "inkdex_compare: cannot write " << o.json_out << "\n";
      return 1;
    }
  }
  std::cerr << (ok ? "compare: every answer matched inkdex's\n"
                   : "compare: FAILED (see the mismatches above)\n");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace inkdex::bench

int main(int argc, char** argv) { return inkdex::bench::Main(argc, argv); }
