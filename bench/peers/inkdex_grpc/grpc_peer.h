// InkdexGrpcPeer: inkdex through inkdex-server's gRPC API behind the Peer
// interface (peers/peer.h), so the comparison shows what the service adds to
// the library's latency and memory (issue 5, "inkdex through the library,
// and through gRPC").
//
// The store is the library peer's: Build is InkdexPeer::Build (the same
// index, built the same way), and inkdex_compare points this system at the
// library peer's directory instead of building a second copy. Open starts
// `inkdex-server` on the directory (server_process.h: 127.0.0.1, a free
// port, no metrics listener, no tokens) and connects one channel to it
// (grpc_index.h); the server is stopped (SIGTERM, reaped) when the last peer
// using it is destroyed, or at once when Open fails after starting it.
// REQUIRES: no other opener holds the directory while the server runs
// (RocksDB allows one; the library peer must be closed first).
//
// Queries are the library peer's, converted with service/api (api::ToProto)
// and answered by the server; with collect_ids every match is enumerated
// through the server by peers/inkdex/all_matches.h, so the gate compares the
// server's own answers with the library's. DiskBytes is the server's
// GetStats; ServerResidentBytes the server process's VmRSS.
//
// The server binary: $INKDEX_SERVER_BIN, else the inkdex-server of the build
// tree this peer was built in.
//
// Thread safety: one thread at a time per peer (Peer's contract). Peers
// opened on the same directory in one process share the server and its
// channel, which serve any number of threads: the two-thread throughput run
// opens a peer per thread, and both send over the one channel. The first
// Open of a directory starts the server and ties it to the calling thread
// (server_process.h): REQUIRES that thread to outlive the peers.
#ifndef INKDEX_BENCH_PEERS_INKDEX_GRPC_GRPC_PEER_H_
#define INKDEX_BENCH_PEERS_INKDEX_GRPC_GRPC_PEER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "peers/peer.h"

namespace inkdex::bench {

class InkdexGrpcPeer : public Peer {
 public:
  // Opening a 1M-artist index takes the server seconds; a stuck start must
  // still end.
  static constexpr absl::Duration kStartTimeout = absl::Minutes(5);
  static constexpr absl::Duration kConnectTimeout = absl::Seconds(30);

  std::string name() const override { return "grpc"; }
  absl::Status Build(const std::vector<Artist>& artists, const std::string& dir) override;
  absl::Status Open(const std::string& dir) override;
  absl::StatusOr<PeerAnswer> Search(const SearchRequest& request, bool collect_ids) override;
  absl::StatusOr<std::vector<std::string>> Suggest(const SuggestRequest& request) override;
  uint64_t DiskBytes() const override;
  uint64_t ServerResidentBytes() const override;

  // The server's process id while the peer is open, else -1.
  pid_t server_pid() const;

  struct Served;  // the server and its channel, shared per directory

 private:
  std::shared_ptr<Served> served_;
};

// The peer for inkdex_compare's system "grpc".
std::unique_ptr<Peer> MakeInkdexGrpcPeer();

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_PEERS_INKDEX_GRPC_GRPC_PEER_H_
