// Peer: a system the benchmark compares inkdex with (bench/README.md
// "Peers"), loaded with the same artists and asked the same queries
// (query_set.h), each used the way its experts would use it.
//
// The comparison has two stages per (system, query): a correctness gate
// (PeerAnswer with `all_ids` collected, compared with inkdex's answer by
// gate.h) and timing (the same call with collect_ids = false, which must do
// everything a user's query does: exact total, the top `limit` page in the
// request's order, every facet the request asks for).
//
// Semantics every peer reproduces (README "Search semantics"): an artist
// matches a radius/viewport at the nearest of its locations active on
// request.date (primary always; guest spots between from and to inclusive);
// distances are great-circle on a sphere of radius 6371.0088 km; styles any/
// all; filters; text = every word, English stemming, the last word also as a
// prefix; facets: styles disjunctive (counted without the style constraint),
// distance rings, hourly-rate bands, rating bands, top cities. Where a peer's
// tools cannot express a rule exactly (a different stemmer, a spheroid), it
// says so in its header and the gate's tolerance for it is stated in gate.h.
//
// Thread safety: a Peer is used by one thread at a time, except that
// SearchConcurrent (throughput with both cores) may open its own
// connections/readers per thread.
#ifndef INKDEX_BENCH_PEERS_PEER_H_
#define INKDEX_BENCH_PEERS_PEER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inkdex/artist.pb.h"
#include "inkdex/query.h"

namespace inkdex::bench {

struct PeerAnswer {
  int64_t total = 0;                  // exact number of matches
  std::vector<std::string> page_ids;  // the top request.limit ids, in the request's order
  std::vector<std::string> all_ids;   // every match (only when collect_ids), any order
  Facets facets;                      // when request.facets (same keys as inkdex's)
};

class Peer {
 public:
  virtual ~Peer() = default;
  virtual std::string name() const = 0;  // "sqlite", "postgis", "xapian", "inkdex", "grpc"

  // Loads `artists` (the benchmark workload, parsed) into a fresh store in
  // `dir` (created; the peer owns everything under it). Builds every index
  // the queries need and runs any statistics step (ANALYZE) before returning.
  virtual absl::Status Build(const std::vector<Artist>& artists, const std::string& dir) = 0;
  // Opens an existing store built by Build in `dir` (to reuse a cached build).
  virtual absl::Status Open(const std::string& dir) = 0;

  virtual absl::StatusOr<PeerAnswer> Search(const SearchRequest& request, bool collect_ids) = 0;
  // Suggest: the ids/texts of the completions, best first.
  virtual absl::StatusOr<std::vector<std::string>> Suggest(const SuggestRequest& request) = 0;

  // Bytes on disk of the store (0 when not meaningful).
  virtual uint64_t DiskBytes() const = 0;
  // Resident memory of a server process the peer talks to (PostgreSQL's
  // backends and shared memory), which the runner cannot see in its own
  // resident set; 0 for an in-process system.
  virtual uint64_t ServerResidentBytes() const { return 0; }
};

std::unique_ptr<Peer> MakeSqlitePeer();
std::unique_ptr<Peer> MakePostgisPeer();  // connection from INKDEX_PG_DSN (bench/peers/postgis/)
std::unique_ptr<Peer> MakePlainXapianPeer();
std::unique_ptr<Peer> MakeInkdexPeer();  // the library itself, for the same harness

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_PEERS_PEER_H_
