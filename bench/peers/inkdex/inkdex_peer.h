// InkdexPeer: inkdex itself behind the Peer interface (peers/peer.h), so the
// comparison runs every system through the same harness, and the source of
// the correctness gate's reference answers (compare/reference.h).
//
// Build applies the artists with Index::Apply in batches of kBatchSize
// (workload.h), artist i with version i + 1 and IndexOptions.sync = false, as
// the library benchmark builds its index, then checks that every change was
// applied and the index counts every artist. Open opens an existing index
// (error_if_missing). Peers opened on the same directory in one process share
// one Index (RocksDB allows one opener per directory; Index is thread-safe), so
// the two-thread throughput run can open a Peer per thread like the others.
//
// Search with collect_ids gathers every match id (all_matches.h).
//
// Thread safety: one thread at a time per InkdexPeer (Peer's contract); the
// shared Index serves any number.
#ifndef INKDEX_BENCH_PEERS_INKDEX_INKDEX_PEER_H_
#define INKDEX_BENCH_PEERS_INKDEX_INKDEX_PEER_H_

#include <memory>
#include <string>
#include <vector>

#include "inkdex/index.h"
#include "peers/peer.h"

namespace inkdex::bench {

// A Peer's Search and Suggest answered by any Index (the library's, or a
// remote one behind the Index interface: peers/inkdex_grpc).
absl::StatusOr<PeerAnswer> SearchIndex(const Index& index, const SearchRequest& request,
                                       bool collect_ids);
absl::StatusOr<std::vector<std::string>> SuggestIndex(const Index& index,
                                                      const SuggestRequest& request);

class InkdexPeer : public Peer {
 public:
  std::string name() const override { return "inkdex"; }
  absl::Status Build(const std::vector<Artist>& artists, const std::string& dir) override;
  absl::Status Open(const std::string& dir) override;
  absl::StatusOr<PeerAnswer> Search(const SearchRequest& request, bool collect_ids) override;
  absl::StatusOr<std::vector<std::string>> Suggest(const SuggestRequest& request) override;
  uint64_t DiskBytes() const override;

  // REQUIRES: Open succeeded.
  const Index& index() const { return *index_; }

 private:
  std::shared_ptr<Index> index_;
};

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_PEERS_INKDEX_INKDEX_PEER_H_
