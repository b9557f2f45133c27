// The PostgreSQL 15 + PostGIS 3 peer (bench/README.md "Peers"): the usual
// server alternative, used the way its experts would. The server runs on
// loopback, started and stopped by scripts/bench-postgres.sh; the peer
// connects to INKDEX_PG_DSN (libpq connection string) and owns the tables
// `artists` and `locations` of that database.
//
// Schema and load: pg_schema.h. Text: pg_text.h (the same terms inkdex
// indexes, so the match sets are identical; Xapian's TF weight reproduced
// in SQL). Search SQL: pg_search.h.
//
// Suggest (Q5) differs from inkdex's in what "near" means and how far the
// global lists read: it returns matching styles first, then artists,
// studios and cities with a word starting with the prefix at the locations
// nearest the point (the first of 2, 8, 32, 128, 512 km holding `limit` of
// them; a GIN index of the first three letters of every word, then KNN
// order), then names, studios and primary cities starting with the prefix
// by how many artists they hold (B-tree text_pattern_ops indexes). inkdex
// caps its scans (1000 nearby rows, the first 30-200 terms alphabetically),
// the peer reads everything that matches, so lists can differ in their
// tails; the gate should not compare Q5 beyond "both return completions".
//
// Thread safety: one thread at a time (one libpq connection).
#ifndef INKDEX_BENCH_PEERS_POSTGIS_POSTGIS_PEER_H_
#define INKDEX_BENCH_PEERS_POSTGIS_POSTGIS_PEER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "peer.h"

namespace inkdex::bench {

// The PostGIS peer on an explicit DSN (MakePostgisPeer reads INKDEX_PG_DSN).
std::unique_ptr<Peer> MakePostgisPeerWithDsn(const std::string& dsn);

// The resident memory of a running cluster: the proportional set size (Pss,
// /proc/<pid>/smaps_rollup) summed over the postmaster and its child
// processes, so shared_buffers pages touched by several backends count once.
// `data_dir` is the cluster's data directory (holding postmaster.pid), or the
// directory given to scripts/bench-postgres.sh (its data/ is used).
// 0 when the cluster is not running or /proc cannot be read.
uint64_t PostgisServerResidentBytes(const std::string& data_dir);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_PEERS_POSTGIS_POSTGIS_PEER_H_
